/* Chunking invariance under any options (small limits, caller buffer,
 * UTF-8 replacement): fed whole, byte by byte, at input-chosen cuts, and
 * pausing at every callback, the library reports the same thing. */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    size_t cuts[16], ncuts, i, *bytes;
    run_result whole, other;

    fuzz_read_input(data, size, 0, &in);
    in.config.pause = 0; /* the last run pauses, the others never */
    run_parser(in.stream, in.len, NULL, 0, &in.config, &whole);

    bytes = malloc((in.len + 1) * sizeof *bytes);
    if (!bytes)
        abort();
    for (i = 0; i < in.len; i++)
        bytes[i] = i + 1;
    run_parser(in.stream, in.len, bytes, in.len ? in.len - 1 : 0,
               &in.config, &other);
    fuzz_same("byte by byte", whole.t.text, other.t.text);
    free(other.t.text);
    free(bytes);

    ncuts = fuzz_cuts(in.cut_seed, in.len, cuts, 16);
    run_parser(in.stream, in.len, cuts, ncuts, &in.config, &other);
    fuzz_same("input-chosen cuts", whole.t.text, other.t.text);
    free(other.t.text);

    in.config.pause = 1;
    run_parser(in.stream, in.len, cuts, ncuts, &in.config, &other);
    fuzz_same("pausing at every callback", whole.t.text, other.t.text);
    free(other.t.text);
    free(whole.t.text);
    return 0;
}
