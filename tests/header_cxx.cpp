// sse.h used from C++: compiles with -Wall -Wextra -Wpedantic -Werror and
// links against the C library (extern "C").
#include <cstring>
#include <string>

#include "sse.h"

static int on_event(sse_parser *, const sse_event *ev, void *user)
{
    static_cast<std::string *>(user)->assign(ev->data, ev->data_len);
    return 0;
}

int main()
{
    char mem[512];
    std::string got;
    sse_callbacks cb;
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    sse_parser_options opt;
    std::memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    sse_parser p;
    if (sse_parser_init(&p, &cb, &got, &opt) != SSE_OK)
        return 1;
    const char in[] = "data: from c++\n\n";
    sse_parser_feed(&p, in, sizeof in - 1);
    sse_parser_finish(&p);
    return got == "from c++" && sse_strerror(SSE_E_CALLBACK)[0] ? 0 : 1;
}
