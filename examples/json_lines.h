/* JSON lines for what a parser reports (sse-dump's output format):
 *   {"type":"message","data":"hello","id":""}   an event
 *   {"retry":3000}                              an accepted retry
 *   {"comment":"keepalive"}                     a comment (if wanted)
 *   {"error":"SSE_E_...","message":"..."}       a recoverable error
 * The callbacks take a struct json_lines * as their user pointer. */
#ifndef SSE_EXAMPLE_JSON_LINES_H
#define SSE_EXAMPLE_JSON_LINES_H

#include <stdio.h>

#include "sse.h"

struct json_lines {
    FILE *out;
    char *scratch; /* UTF-8-clean copy of the string being printed */
    size_t scratch_cap;
    int write_failed;
    const sse_parser_options *opt; /* to name the limits in errors */
};

int json_lines_on_event(sse_parser *p, const sse_event *ev, void *user);
int json_lines_on_retry(sse_parser *p, uint64_t ms, void *user);
int json_lines_on_comment(sse_parser *p, const char *text, size_t len,
                          void *user);
int json_lines_on_error(sse_parser *p, int code, void *user);
/* sse_parser_options.alloc on malloc/realloc/free. */
void *json_lines_alloc(void *ctx, void *ptr, size_t old_size, size_t new_size);
void json_lines_free(struct json_lines *d);

#endif
