/* Two files that both include the single header; this one compiles the
 * implementation. Built twice: plainly (the other file only declares, so
 * any symbol defined twice fails the link) and with SSE_PRIVATE (both files
 * compile a private copy: still no clash). Encodes in one file, parses in
 * the other. */
#define SSE_IMPLEMENTATION
#include "sse.h"

#include <stdio.h>
#include <string.h>

sse_ssize other_encode(char *out, size_t cap);

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    (void)p;
    *(int *)user += ev->data_len == 9 && memcmp(ev->data, "two\nfiles", 9) == 0;
    return 0;
}

int main(void)
{
    char frame[64], mem[1024];
    int events = 0;
    sse_ssize n = other_encode(frame, sizeof frame);
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;

    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    if (n <= 0 || (size_t)n > sizeof frame ||
        sse_parser_init(&p, &cb, &events, &opt) != SSE_OK)
        return 1;
    sse_parser_feed(&p, frame, (size_t)n);
    if (sse_parser_finish(&p) != SSE_OK || events != 1 ||
        sse_version() != SSE_VERSION_NUMBER)
        return 1;
    printf("single header, two files: ok\n");
    return 0;
}
