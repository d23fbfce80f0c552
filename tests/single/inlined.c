/* The single header inlined into a small program: every call sees small
 * local arrays and constant strings, which is where gcc's -Warray-bounds
 * once reported the SIMD paths (false positives the length checks rule
 * out). check_warnings.sh builds this at every optimisation level, with
 * and without SSE_PRIVATE, warnings as errors, and runs it. */
#define SSE_IMPLEMENTATION
#include "sse.h"

#include <stdio.h>
#include <string.h>

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    (void)p;
    *(int *)user += ev->data_len == 5 && memcmp(ev->data, "hello", 5) == 0;
    return 0;
}

int main(void)
{
    char out[64], mem[256];
    char lines[] = "data: hello\n\n: a comment longer than sixteen bytes\n";
    int events = 0;
    sse_frame f = {0};
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    sse_ssize n;

    f.data = "hello";
    f.data_len = 5;
    f.flags = SSE_FRAME_RETRY;
    f.retry_ms = 1500;
    n = sse_encode(out, sizeof out, &f);
    if (n < 0 || (size_t)n > sizeof out)
        return 1;

    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    if (sse_parser_init(&p, &cb, &events, &opt) != SSE_OK)
        return 1;
    sse_parser_feed(&p, out, (size_t)n);
    sse_parser_feed(&p, "data: hello\r\n\r\n", 15);
    sse_parser_feed(&p, lines, sizeof lines - 1);  /* 16 bytes and more */
    sse_parser_feed(&p, lines, 20);                 /* and split */
    sse_parser_feed(&p, lines + 20, sizeof lines - 21);
    if (sse_parser_finish(&p) != SSE_OK || events != 4)
        return 1;
    fwrite(out, 1, (size_t)n, stdout);
    return 0;
}
