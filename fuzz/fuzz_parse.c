/* Robustness: any options (small limits, caller buffer or hooks, UTF-8
 * replacement, comments, pausing) and any split, taken from the input's
 * header (fuzz_common.h). run_parser checks every callback's pointers (ASan), exact byte
 * counts, the stream offset, and that hook memory is all returned. */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    run_result res;
    size_t cuts[16], ncuts;

    fuzz_read_input(data, size, 0, &in);
    ncuts = fuzz_cuts(in.cut_seed, in.len, cuts, 16);
    run_parser(in.stream, in.len, cuts, ncuts, &in.config, &res);
    free(res.t.text);
    return 0;
}
