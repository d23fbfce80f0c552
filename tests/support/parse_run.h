/* Runs the library's parser over a stream cut at given offsets and records
 * every callback in the trace format. Each chunk is fed from its own
 * exact-size heap copy, freed right after, so ASan sees any read outside a
 * chunk or any pointer kept into one. Shared by the unit harness (trace.c)
 * and the fuzz targets; no cmocka, so a failed check aborts with a message. */
#ifndef SSE_TEST_PARSE_RUN_H
#define SSE_TEST_PARSE_RUN_H

#include <stddef.h>

#include "sse.h"
#include "trace_text.h"

typedef struct run_config {
    unsigned flags; /* SSE_PARSER_UTF8_REPLACE, SSE_PARSER_STREAM_DATA:
                       streaming delivery, the pieces joined again, so the
                       trace is the one buffered delivery gives */
    int discards;   /* streaming: trace discarded events too */
    int comments;   /* install on_comment */
    int pause;      /* every callback pauses; the feeder resumes */
    size_t max_line, max_event, max_field; /* 0: library defaults */
    size_t buffer_size;                    /* > 0: caller buffer, else hooks */
} run_config;

typedef struct run_result {
    trace t;
    size_t peak; /* most bytes the allocator hooks held at once */
} run_result;

/* Parses in[0..len) cut at ascending offsets, then finishes. Aborts on any
 * broken contract: a callback given NULL pointers or a non-limit error
 * code, feed consuming the wrong count, the offset not adding up, hook
 * memory not returned; when streaming, a piece outside an event or empty,
 * a start without its one end, an end whose length is not what the pieces
 * held, on_event called. The caller frees r->t.text. */
void run_parser(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                const run_config *c, run_result *r);

/* Prints what failed and aborts. */
void run_fail(const char *what);

#endif
