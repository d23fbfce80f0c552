#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t fuzz_byte(fuzz_reader *r)
{
    uint8_t b;
    if (r->n == 0)
        return 0;
    b = *r->p++;
    r->n--;
    return b;
}

void fuzz_read_input(const uint8_t *data, size_t size, unsigned forced,
                     fuzz_input *in)
{
    fuzz_reader r = {data, size};
    unsigned options = fuzz_byte(&r) | forced;
    uint8_t a = fuzz_byte(&r), b = fuzz_byte(&r), d = fuzz_byte(&r);
    run_config c = {0};

    c.flags = (options & FUZZ_UTF8_REPLACE) ? SSE_PARSER_UTF8_REPLACE : 0;
    c.comments = (options & FUZZ_COMMENTS) != 0;
    c.pause = (options & FUZZ_PAUSE) != 0;
    if (options & FUZZ_LIMITS) {
        c.max_line = 1 + a % 64;
        c.max_event = 1 + b % 128;
        c.max_field = 1 + d % 32;
    }
    if (options & FUZZ_BUFFER)
        c.buffer_size = 8 + (size_t)(a ^ d) * 4;
    in->options = options;
    in->config = c;
    in->cut_seed = (uint32_t)a << 16 | (uint32_t)b << 8 | d;
    in->stream = (const char *)r.p;
    in->len = r.n;
}

void fuzz_fail(const char *what)
{
    run_fail(what);
}

void fuzz_same(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    fprintf(stderr, "fuzz mismatch: %s\n--- expected\n%s--- got\n%s---\n",
            what, want, got);
    abort();
}

size_t fuzz_cuts(uint32_t seed, size_t len, size_t *cuts, size_t max)
{
    size_t n, i;
    uint32_t x = seed * 2654435761u + 1;
    if (len == 0 || max == 0)
        return 0;
    n = 1 + seed % max;
    for (i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        cuts[i] = x % (len + 1);
    }
    for (i = 1; i < n; i++) { /* insertion sort */
        size_t v = cuts[i], j = i;
        while (j > 0 && cuts[j - 1] > v) {
            cuts[j] = cuts[j - 1];
            j--;
        }
        cuts[j] = v;
    }
    return n;
}
