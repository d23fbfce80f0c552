/* The trace format shared by the unit harness, the reference model and the
 * fuzz targets: one line per parser report, bytes escaped, so two runs are
 * compared with strcmp. No cmocka here (the fuzz targets link it too). */
#ifndef SSE_TEST_TRACE_TEXT_H
#define SSE_TEST_TRACE_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct trace {
    char *text; /* NUL-terminated once anything was added; malloc'd */
    size_t len, cap;
} trace;

/* printf-style append; aborts if memory runs out. */
void trace_add(trace *t, const char *fmt, ...);
/* Appends bytes with \n, \r, \\ and \xHH escapes. */
void trace_bytes(trace *t, const char *s, size_t n);

/* The kinds of line:
 *   event type=T data=D id=I
 *   retry N
 *   comment C
 *   error SSE_E_...
 *   discarded SSE_E_... data=D   streaming delivery only, when asked for:
 *                                an event ended discarded, D what its
 *                                pieces held */
void trace_event(trace *t, const char *type, size_t type_len,
                 const char *data, size_t data_len, const char *id,
                 size_t id_len);
void trace_retry(trace *t, uint64_t ms);
void trace_comment(trace *t, const char *text, size_t len);
void trace_error(trace *t, int code);
void trace_discard(trace *t, int code, const char *data, size_t len);

#endif
