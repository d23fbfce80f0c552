/* Differential: the library must report exactly what the reference model
 * (tests/support/ref_model.c, the spec's steps written plainly) reports, event for
 * event, in both pass-through and UTF-8 replacement modes, fed whole, byte
 * by byte, and at input-chosen cuts. Limits are set out of reach. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "ref_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void compare(const char *in, size_t len, const size_t *cuts,
                    size_t ncuts, const run_config *c, const char *want,
                    const char *how)
{
    run_result got;
    run_parser(in, len, cuts, ncuts, c, &got);
    fuzz_same(how, want, got.t.text);
    free(got.t.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input header;
    const char *in;
    size_t len, cuts[16], ncuts, i, *bytes;
    int mode;

    /* Only the cut seed: this target sets its own options, both modes. */
    fuzz_read_input(data, size, 0, &header);
    in = header.stream;
    len = header.len;
    ncuts = fuzz_cuts(header.cut_seed, len, cuts, 16);
    bytes = malloc((len + 1) * sizeof *bytes);
    if (!bytes)
        abort();
    for (i = 0; i < len; i++)
        bytes[i] = i + 1;
    for (mode = 0; mode < 2; mode++) {
        ref_options ro = {0};
        run_config c = {0};
        trace want = {0};
        ro.utf8_replace = mode;
        ro.comments = 1;
        ref_parse(in, len, &ro, &want);
        c.flags = mode ? SSE_PARSER_UTF8_REPLACE : 0;
        c.comments = 1;
        /* U+FFFD can triple a byte: limits beyond any this input reaches. */
        c.max_line = c.max_event = c.max_field = 3 * len + 16;
        compare(in, len, NULL, 0, &c, want.text,
                mode ? "whole, utf8 replace" : "whole");
        compare(in, len, bytes, len ? len - 1 : 0, &c, want.text,
                mode ? "byte by byte, utf8 replace" : "byte by byte");
        compare(in, len, cuts, ncuts, &c, want.text,
                mode ? "input-chosen cuts, utf8 replace"
                     : "input-chosen cuts");
        free(want.text);
    }
    free(bytes);
    return 0;
}
