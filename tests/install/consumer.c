/* Built against an installed libsse with `pkg-config --cflags --libs sse`. */
#include <stdio.h>
#include <string.h>

#include <sse.h>

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    (void)p;
    *(int *)user = ev->data_len == 5 && memcmp(ev->data, "hello", 5) == 0 &&
                   ev->id_len == 1 && ev->id[0] == '7';
    return 0;
}

int main(void)
{
    static const char stream[] = "id: 7\ndata: hello\n\n";
    char mem[1024];
    int ok = 0;
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;

    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    if (sse_parser_init(&p, &cb, &ok, &opt) != SSE_OK)
        return 1;
    sse_parser_feed(&p, stream, sizeof stream - 1);
    sse_parser_finish(&p);
    printf("libsse %s: %s\n", sse_version_string(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
