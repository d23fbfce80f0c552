/* Chunking invariance under any options (small limits, caller buffer,
 * UTF-8 replacement): fed whole, byte by byte, at input-chosen cuts, and
 * pausing at every callback, the library reports the same thing. */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t opts = fz_byte(&r), a = fz_byte(&r), b = fz_byte(&r);
    const char *in;
    size_t len, cuts[16], ncuts, i, *bytes;
    run_config c = {0};
    run_result whole, other;

    c.flags = (opts & 1) ? SSE_PARSER_UTF8_REPLACE : 0;
    c.comments = (opts >> 1) & 1;
    if (opts & 4) {
        c.max_line = 1 + a % 48;
        c.max_event = 1 + b % 96;
        c.max_field = 1 + (a ^ b) % 24;
    }
    if (opts & 8)
        c.buffer_size = 8 + (size_t)a * 2;
    in = (const char *)r.p;
    len = r.n;
    run_parser(in, len, NULL, 0, &c, &whole);

    bytes = malloc((len + 1) * sizeof *bytes);
    if (!bytes)
        abort();
    for (i = 0; i < len; i++)
        bytes[i] = i + 1;
    run_parser(in, len, bytes, len ? len - 1 : 0, &c, &other);
    fz_same("byte by byte", whole.t.text, other.t.text);
    free(other.t.text);
    free(bytes);

    ncuts = fz_cuts((uint32_t)a << 8 | b, len, cuts, 16);
    run_parser(in, len, cuts, ncuts, &c, &other);
    fz_same("input-chosen cuts", whole.t.text, other.t.text);
    free(other.t.text);

    c.pause = 1;
    run_parser(in, len, cuts, ncuts, &c, &other);
    fz_same("pausing at every callback", whole.t.text, other.t.text);
    free(other.t.text);
    free(whole.t.text);
    return 0;
}
