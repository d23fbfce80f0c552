/* Shared by the fuzz targets: reading options from the input's first
 * bytes, cut offsets, and failing loudly on a difference. The runner that
 * feeds the library a stream cut at given offsets is run_parser
 * (tests/support/parse_run.c), shared with the unit harness. */
#ifndef SSE_FUZZ_COMMON_H
#define SSE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "sse.h"
#include "parse_run.h"
#include "trace_text.h"

/* Consumes bytes from the front of the fuzz input; 0 once it is empty. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

uint8_t fz_byte(fz_reader *r);

/* Up to max ascending cut offsets in [0, len], from seed. */
size_t fz_cuts(uint32_t seed, size_t len, size_t *cuts, size_t max);

/* Aborts (a crash libFuzzer keeps) unless the two traces are equal. */
void fz_same(const char *what, const char *want, const char *got);
/* Aborts with a message. */
void fz_fail(const char *what);

#endif
