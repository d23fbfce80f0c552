#include "trace.h"
#include "parse_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *run_split(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                const test_opts *o)
{
    static const test_opts dflt;
    run_config c;
    run_result r;
    if (!o)
        o = &dflt;
    memset(&c, 0, sizeof c);
    c.flags = o->flags;
    c.discards = o->discards;
    c.comments = !o->no_comments;
    c.pause = o->pause_every;
    c.max_line = o->max_line;
    c.max_event = o->max_event;
    c.max_field = o->max_field;
    c.buffer_size = o->buffer_size;
    run_parser(in, len, cuts, ncuts, &c, &r);
    return r.t.text;
}

static void expect_split(const char *in, size_t len, const size_t *cuts,
                         size_t ncuts, const char *expected,
                         const test_opts *o, const char *how)
{
    char *got = run_split(in, len, cuts, ncuts, o);
    if (strcmp(got, expected) != 0) {
        size_t i;
        print_error("split (%s):", how);
        for (i = 0; i < ncuts; i++)
            print_error(" %zu", cuts[i]);
        print_error("\n--- expected\n%s--- got\n%s---\n", expected, got);
        free(got);
        fail();
    }
    free(got);
}

static void expect_chunked(const char *in, size_t len, size_t step,
                           const char *expected, const test_opts *o)
{
    size_t n = len / step, i;
    size_t *cuts = calloc(n + 1, sizeof *cuts);
    char how[32];
    assert_non_null(cuts);
    for (i = 0; i < n; i++)
        cuts[i] = (i + 1) * step;
    if (n && cuts[n - 1] == len)
        n--;
    snprintf(how, sizeof how, "chunks of %zu", step);
    expect_split(in, len, cuts, n, expected, o, how);
    free(cuts);
}

static void check_config(const char *in, size_t len, const char *expected,
                         const test_opts *o)
{
    size_t a, b, cuts[2];
    expect_split(in, len, NULL, 0, expected, o, "whole");
    expect_chunked(in, len, 1, expected, o);
    expect_chunked(in, len, 2, expected, o);
    expect_chunked(in, len, 3, expected, o);
    for (a = 0; a <= len; a++) {
        cuts[0] = a;
        expect_split(in, len, cuts, 1, expected, o, "one cut");
    }
    if (len > 64)
        return;
    for (a = 0; a <= len; a++)
        for (b = a; b <= len; b++) {
            cuts[0] = a;
            cuts[1] = b;
            expect_split(in, len, cuts, 2, expected, o, "two cuts");
        }
}

/* With SSE_SEED_DIR set, every stream a test checks is also written there
 * (fuzz/make_seeds.sh turns them into the fuzz targets' seed corpora). */
static void save_seed(const char *in, size_t len)
{
    static unsigned long count;
    const char *dir = getenv("SSE_SEED_DIR");
    char path[4096];
    FILE *f;
    if (!dir)
        return;
    snprintf(path, sizeof path, "%s/seed-%lu", dir, count++);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(in, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void check_splits(const char *in, size_t len, const char *expected,
                  const test_opts *o)
{
    test_opts plain, buffered, pausing, streaming, streaming_pausing;
    save_seed(in, len);
    if (o) {
        check_config(in, len, expected, o);
        return;
    }
    /* Default: malloc'd memory, caller buffer, and pause at every callback
     * (the feeder resumes), which must all give the same trace. */
    memset(&plain, 0, sizeof plain);
    memset(&buffered, 0, sizeof buffered);
    buffered.buffer_size = 1 << 16;
    memset(&pausing, 0, sizeof pausing);
    pausing.pause_every = 1;
    /* Streaming delivery gives the same events, whatever the pieces. */
    memset(&streaming, 0, sizeof streaming);
    streaming.flags = SSE_PARSER_STREAM_DATA;
    streaming_pausing = streaming;
    streaming_pausing.pause_every = 1;
    check_config(in, len, expected, &buffered);
    check_config(in, len, expected, &pausing);
    check_config(in, len, expected, &plain);
    check_config(in, len, expected, &streaming);
    check_config(in, len, expected, &streaming_pausing);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

unsigned test_rng(unsigned n)
{
    rng_state ^= rng_state << 13; /* xorshift64: fixed seed, reproducible */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}
