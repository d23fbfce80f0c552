/* Limits: with small limits the library drops exactly the events the
 * reference model (given the same limits and the documented drop rules)
 * drops, reports each once, and gets everything after them right; with
 * allocator hooks it never holds more than max_event + 4 * max_field. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "ref_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t opts = fz_byte(&r), a = fz_byte(&r), b = fz_byte(&r),
            d = fz_byte(&r);
    run_config c = {0};
    ref_options ro = {0};
    run_result got;
    trace want = {0};
    size_t cuts[16], ncuts;

    c.flags = (opts & 1) ? SSE_PARSER_UTF8_REPLACE : 0;
    c.comments = (opts >> 1) & 1;
    c.pause = (opts >> 2) & 1;
    c.max_line = 1 + a % 64;
    c.max_event = 1 + b % 128;
    c.max_field = 1 + d % 32;
    ro.utf8_replace = c.flags != 0;
    ro.comments = c.comments;
    ro.max_line = c.max_line;
    ro.max_event = c.max_event;
    ro.max_field = c.max_field;
    if (opts & 8) {
        /* A caller buffer of 8..1028 bytes: the documented split into four
         * slots and a data area can lower the limits further. */
        size_t slot;
        c.buffer_size = 8 + (size_t)(a ^ d) * 4;
        slot = c.buffer_size / 8;
        if (ro.max_field > slot)
            ro.max_field = slot;
        if (ro.max_event > c.buffer_size - 4 * ro.max_field)
            ro.max_event = c.buffer_size - 4 * ro.max_field;
    }
    ref_parse((const char *)r.p, r.n, &ro, &want);
    ncuts = fz_cuts((uint32_t)a << 16 | (uint32_t)b << 8 | d, r.n, cuts, 16);
    run_parser((const char *)r.p, r.n, cuts, ncuts, &c, &got);
    fz_same("library vs model, same limits", want.text, got.t.text);
    if (!c.buffer_size && got.peak > c.max_event + 4 * c.max_field)
        fz_fail("parser memory above max_event + 4 * max_field");
    free(got.t.text);
    free(want.text);
    return 0;
}
