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
    fuzz_input in;
    const run_config *c = &in.config;
    ref_options ro = {0};
    run_result got;
    trace want = {0};
    size_t cuts[16], ncuts;

    fuzz_read_input(data, size, FUZZ_LIMITS, &in);
    ro.utf8_replace = c->flags != 0;
    ro.comments = c->comments;
    ro.max_line = c->max_line;
    ro.max_event = c->max_event;
    ro.max_field = c->max_field;
    if (c->buffer_size) {
        /* A caller buffer of 8..1028 bytes: the documented split into four
         * slots and a data area can lower the limits further. */
        size_t slot = c->buffer_size / 8;
        if (ro.max_field > slot)
            ro.max_field = slot;
        if (ro.max_event > c->buffer_size - 4 * ro.max_field)
            ro.max_event = c->buffer_size - 4 * ro.max_field;
    }
    ref_parse(in.stream, in.len, &ro, &want);
    ncuts = fuzz_cuts(in.cut_seed, in.len, cuts, 16);
    run_parser(in.stream, in.len, cuts, ncuts, c, &got);
    fuzz_same("library vs model, same limits", want.text, got.t.text);
    if (!c->buffer_size && got.peak > c->max_event + 4 * c->max_field)
        fuzz_fail("parser memory above max_event + 4 * max_field");
    free(got.t.text);
    free(want.text);
    return 0;
}
