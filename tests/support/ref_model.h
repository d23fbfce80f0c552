/* A reference model of WHATWG HTML 9.2.6/9.2.7 ("Parsing an event stream",
 * "Interpreting an event stream"), written to be obviously right rather than
 * fast: the whole input at once, split into lines, each line handled by the
 * spec's steps. It shares no code with the library's parser; the fuzz
 * targets compare the two. Output is the trace format of trace_text.h. */
#ifndef SSE_TEST_REF_MODEL_H
#define SSE_TEST_REF_MODEL_H

#include <stddef.h>

#include "trace_text.h"

typedef struct ref_options {
    int utf8_replace; /* decode as a browser (U+FFFD); else bytes as-is */
    int comments;     /* report comment lines */
    /* Optional limits (0 = none), with the library's documented rules: an
     * event that meets a line over max_line, data over max_event (values
     * plus one LF per line), or a type, id or reported comment over
     * max_field is dropped and reported once; id and retry lines still
     * apply in a dropped event, except an over-long id. */
    size_t max_line, max_event, max_field;
    /* Streaming delivery (SSE_PARSER_STREAM_DATA): data lines have no
     * max_line and events no max_event. With discards, an event whose
     * data began and that does not dispatch gives a "discarded" line at
     * its blank line or at the end of input (the reason, and what its
     * pieces held: also the bytes of an unterminated last data line). */
    int stream, discards;
} ref_options;

void ref_parse(const char *in, size_t len, const ref_options *o, trace *out);

#endif
