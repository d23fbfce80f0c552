/* Shared by the fuzz targets: reading options from the input's first
 * bytes, running the library over a stream cut at given offsets (each chunk
 * from its own exact-size heap copy, so ASan sees any read outside it or
 * any pointer kept into it), and failing loudly on a difference. */
#ifndef SSE_FUZZ_COMMON_H
#define SSE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "sse.h"
#include "trace_text.h"

/* Consumes bytes from the front of the fuzz input; 0 once it is empty. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

uint8_t fz_byte(fz_reader *r);

typedef struct fz_config {
    unsigned flags; /* SSE_UTF8_REPLACE */
    int comments;   /* install on_comment */
    int pause;      /* every callback pauses; the feeder resumes */
    size_t max_line, max_event, max_field; /* 0: library defaults */
    size_t buffer_size;                    /* > 0: caller buffer, else hooks */
} fz_config;

typedef struct fz_result {
    trace t;
    size_t peak; /* most bytes the hooks held at once */
} fz_result;

/* Parses in[0..len) cut at ascending offsets, then finishes; every check
 * failure aborts. The caller frees r->t.text. */
void fz_run(const char *in, size_t len, const size_t *cuts, size_t ncuts,
            const fz_config *c, fz_result *r);

/* Up to max ascending cut offsets in [0, len], from seed. */
size_t fz_cuts(uint32_t seed, size_t len, size_t *cuts, size_t max);

/* Aborts (a crash libFuzzer keeps) unless the two traces are equal. */
void fz_same(const char *what, const char *want, const char *got);
/* Aborts with a message. */
void fz_fail(const char *what);

#endif
