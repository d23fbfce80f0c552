/* Robustness: any options (small limits, caller buffer or hooks, UTF-8
 * replacement, comments, pausing) and any split, taken from the input's
 * first bytes. run_parser checks every callback's pointers (ASan), exact byte
 * counts, the stream offset, and that hook memory is all returned. */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t opts = fz_byte(&r), a = fz_byte(&r), b = fz_byte(&r);
    run_config c = {0};
    run_result res;
    size_t cuts[16], ncuts;

    c.flags = (opts & 1) ? SSE_PARSER_UTF8_REPLACE : 0;
    c.comments = (opts >> 1) & 1;
    c.pause = (opts >> 2) & 1;
    if (opts & 8) {
        c.max_line = 1 + a % 64;
        c.max_event = 1 + b % 128;
        c.max_field = 1 + (a ^ b) % 32;
    }
    if (opts & 16)
        c.buffer_size = 8 + (size_t)b * 4;
    ncuts = fz_cuts((uint32_t)a << 8 | b, r.n, cuts, 16);
    run_parser((const char *)r.p, r.n, cuts, ncuts, &c, &res);
    free(res.t.text);
    return 0;
}
