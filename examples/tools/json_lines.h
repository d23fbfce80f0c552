/* JSON lines for what a parser reports (sse-dump's output format):
 *   {"type":"message","data":"hello","id":""}   an event
 *   {"retry":3000}                              an accepted retry
 *   {"comment":"keepalive"}                     a comment (if wanted)
 *   {"error":"SSE_E_...","message":"..."}       a recoverable error
 * The callbacks take a struct json_lines * as their user pointer.
 *
 * Strings are written straight to the stream in fixed-size windows, so
 * printing an event costs no memory beyond the parser's own copy of it,
 * whatever its size. */
#ifndef SSE_EXAMPLE_JSON_LINES_H
#define SSE_EXAMPLE_JSON_LINES_H

#include <stdio.h>

#include "sse.h"

struct json_lines {
    FILE *out;
    int write_errno; /* errno of the first failed write; 0 while none */
};

int json_lines_on_event(sse_parser *p, const sse_event *ev, void *user);
int json_lines_on_retry(sse_parser *p, uint64_t ms, void *user);
int json_lines_on_comment(sse_parser *p, const char *text, size_t len,
                          void *user);
int json_lines_on_error(sse_parser *p, int code, void *user);
/* Ends a line of output for a live stream: flushes, notes a failure. */
int json_lines_flush(struct json_lines *d);
/* sse_parser_options.alloc on malloc/realloc/free. */
void *json_lines_alloc(void *ctx, void *ptr, size_t old_size, size_t new_size);

#endif
