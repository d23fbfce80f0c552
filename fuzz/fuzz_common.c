#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t fz_byte(fz_reader *r)
{
    uint8_t b;
    if (r->n == 0)
        return 0;
    b = *r->p++;
    r->n--;
    return b;
}

void fz_fail(const char *what)
{
    run_fail(what);
}

void fz_same(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    fprintf(stderr, "fuzz mismatch: %s\n--- expected\n%s--- got\n%s---\n",
            what, want, got);
    abort();
}

size_t fz_cuts(uint32_t seed, size_t len, size_t *cuts, size_t max)
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
