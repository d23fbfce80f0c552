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
/* Streaming delivery shown as it happens (sse-dump --pieces):
 *   {"start":true}                              an event's data began
 *   {"piece":"hel","length":3}                  the next piece of its data
 *   {"end":"dispatched","type":"message","id":"","length":5}
 *   {"end":"discarded","reason":"SSE_E_...","type":...,"id":...,"length":N}
 * Piece boundaries depend on how the input was cut; the pieces joined do
 * not. A piece cut inside a UTF-8 sequence shows U+FFFD for its part of
 * it (JSON text is UTF-8); length is the piece's true size in bytes. */
int json_lines_on_start(sse_parser *p, void *user);
int json_lines_on_piece(sse_parser *p, const char *s, size_t n, void *user);
int json_lines_on_end(sse_parser *p, const sse_event *ev, int status,
                      void *user);
/* An event whose data went to a file (sse-dump --data-dir):
 *   {"data_file":"DIR/1.data","type":"message","id":"","length":N} */
int json_lines_event_file(struct json_lines *d, const sse_event *ev,
                          const char *path, size_t length);
/* Ends a line of output for a live stream: flushes, notes a failure. */
int json_lines_flush(struct json_lines *d);
/* sse_parser_options.alloc on malloc/realloc/free. */
void *json_lines_alloc(void *ctx, void *ptr, size_t old_size, size_t new_size);

#endif
