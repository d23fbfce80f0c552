/* Shared by the fuzz targets: the option header the parser targets read
 * first, cut offsets, and failing loudly on a difference. The runner that
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
typedef struct fuzz_reader {
    const uint8_t *p;
    size_t n;
} fuzz_reader;

uint8_t fuzz_byte(fuzz_reader *r);

/* The four parser targets (parse, differential, chunking, limits) start
 * their input with the same header, so one seed serves them all:
 *   byte 0     option bits (below);
 *   bytes 1-3  a, b, d: with FUZZ_LIMITS, max_line 1 + a % 64, max_event
 *              1 + b % 128, max_field 1 + d % 32; with FUZZ_BUFFER, a
 *              caller buffer of 8 + 4 * (a ^ d) bytes; always the seed
 *              a << 16 | b << 8 | d of the cut offsets.
 * The rest of the input is the stream. A target uses what it tests:
 * differential reads only the seed, limits always sets FUZZ_LIMITS. */
#define FUZZ_HEADER_LEN 4
enum fuzz_option {
    FUZZ_UTF8_REPLACE = 1,
    FUZZ_COMMENTS = 2,
    FUZZ_PAUSE = 4, /* pause at every callback */
    FUZZ_LIMITS = 8,
    FUZZ_BUFFER = 16
};

typedef struct fuzz_input {
    unsigned options; /* enum fuzz_option bits, after `forced` */
    run_config config;
    uint32_t cut_seed;
    const char *stream;
    size_t len;
} fuzz_input;

/* Decodes the header, OR-ing `forced` into its option bits. */
void fuzz_read_input(const uint8_t *data, size_t size, unsigned forced,
                     fuzz_input *in);

/* Up to max ascending cut offsets in [0, len], from seed. */
size_t fuzz_cuts(uint32_t seed, size_t len, size_t *cuts, size_t max);

/* Aborts (a crash libFuzzer keeps) unless the two traces are equal. */
void fuzz_same(const char *what, const char *want, const char *got);
/* Aborts with a message. */
void fuzz_fail(const char *what);

#endif
