/* Streaming delivery (SSE_PARSER_STREAM_DATA): for every input, whole,
 * byte by byte, at input-chosen cuts and pausing at every callback, the
 * pieces joined give the events, types, ids, errors and discards of the
 * reference model with streaming's rules; and without limits, the very
 * events buffered delivery gives. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "ref_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_run(const fuzz_input *in, const run_config *c,
                     const size_t *cuts, size_t ncuts, const char *want,
                     const char *what)
{
    run_result got;
    run_parser(in->stream, in->len, cuts, ncuts, c, &got);
    fuzz_same(what, want, got.t.text);
    free(got.t.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    run_config c;
    ref_options ro = {0};
    trace want = {0};
    size_t cuts[16], ncuts, i, *bytes;

    fuzz_read_input(data, size, 0, &in);
    c = in.config;
    c.flags |= SSE_PARSER_STREAM_DATA;
    c.discards = 1;
    c.pause = 0;
    ro.utf8_replace = (c.flags & SSE_PARSER_UTF8_REPLACE) != 0;
    ro.comments = c.comments;
    ro.max_line = c.max_line;
    ro.max_field = c.max_field;
    ro.stream = ro.discards = 1;
    if (c.buffer_size) {
        /* Streaming keeps no data: four slots share the caller buffer. */
        size_t slot = c.buffer_size / 4;
        if (ro.max_field == 0 || ro.max_field > slot)
            ro.max_field = slot;
    }
    ref_parse(in.stream, in.len, &ro, &want);

    same_run(&in, &c, NULL, 0, want.text, "streaming, whole, vs model");
    bytes = malloc((in.len + 1) * sizeof *bytes);
    if (!bytes)
        abort();
    for (i = 0; i < in.len; i++)
        bytes[i] = i + 1;
    same_run(&in, &c, bytes, in.len ? in.len - 1 : 0, want.text,
             "streaming, byte by byte, vs model");
    free(bytes);
    ncuts = fuzz_cuts(in.cut_seed, in.len, cuts, 16);
    same_run(&in, &c, cuts, ncuts, want.text,
             "streaming, input-chosen cuts, vs model");
    c.pause = 1;
    same_run(&in, &c, cuts, ncuts, want.text,
             "streaming, pausing at every callback, vs model");
    free(want.text);

    if (!(in.options & (FUZZ_LIMITS | FUZZ_BUFFER))) {
        /* No limit in reach: the buffered events, whatever the pieces. */
        run_result buffered;
        run_config b = in.config;
        b.pause = 0;
        run_parser(in.stream, in.len, NULL, 0, &b, &buffered);
        c.discards = 0;
        c.pause = 0;
        same_run(&in, &c, cuts, ncuts, buffered.t.text,
                 "streaming vs buffered delivery");
        free(buffered.t.text);
    }
    return 0;
}
