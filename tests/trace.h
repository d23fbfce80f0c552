/* Test harness: record every parser callback as a line of text, and feed a
 * stream at many different splits, checking each gives the same trace. */
#ifndef SSE_TEST_TRACE_H
#define SSE_TEST_TRACE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "sse.h"
#include "trace_text.h"

/* Expected trace lines: an event, an on_error report. */
#define EV(type, data, id) "event type=" type " data=" data " id=" id "\n"
#define ERR(name) "error SSE_E_" name "\n"

/* How a test parser is configured. Zero = defaults with malloc'd memory. */
typedef struct test_opts {
    size_t max_line, max_event, max_field;
    unsigned flags;
    size_t buffer_size;  /* > 0: caller-buffer mode with this many bytes */
    int no_comments;     /* leave on_comment NULL */
    int pause_every;     /* callbacks return SSE_PAUSE; the feeder resumes */
    int discards;        /* with SSE_PARSER_STREAM_DATA: trace discards */
} test_opts;


/* Parses in[0..len) cut at the given ascending offsets, then finishes.
 * Returns the trace (caller frees). */
char *run_split(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                const test_opts *o);

/* Whole, 1/2/3-byte chunks, and every one- and (for short inputs) two-cut
 * split: each trace must equal expected. Without options, in each of these
 * configurations: malloc'd memory, a caller buffer, pausing at every
 * callback, and streaming delivery (pieces joined again), also pausing. */
void check_splits(const char *in, size_t len, const char *expected,
                  const test_opts *o);

/* Deterministic pseudo-random number in [0, n), n > 0 (fixed seed per
 * process, so a failure reproduces). */
unsigned test_rng(unsigned n);

/* Sets an sse_frame's string field and its length: SET(f, type, "x"). */
#define SET(f, field, literal)                                                \
    ((f).field = (literal), (f).field##_len = sizeof(literal) - 1)

/* check_splits for a C string literal (no embedded NUL). */
#define CHECK(in, expected) check_splits((in), sizeof(in) - 1, (expected), NULL)
#define CHECK_OPTS(in, expected, o)                                           \
    check_splits((in), sizeof(in) - 1, (expected), (o))

#endif
