#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run {
    trace t;
    int pause_every;
};

static int paused(struct run *r) { return r->pause_every ? SSE_PAUSE : 0; }

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct run *r = user;
    (void)p;
    trace_event(&r->t, ev->type, ev->type_len, ev->data, ev->data_len, ev->id,
                ev->id_len);
    return paused(r);
}

static int on_retry(sse_parser *p, uint64_t ms, void *user)
{
    struct run *r = user;
    (void)p;
    trace_retry(&r->t, ms);
    return paused(r);
}

static int on_comment(sse_parser *p, const char *s, size_t n, void *user)
{
    struct run *r = user;
    (void)p;
    trace_comment(&r->t, s, n);
    return paused(r);
}

static int on_error(sse_parser *p, int code, void *user)
{
    struct run *r = user;
    (void)p;
    trace_error(&r->t, code);
    return paused(r);
}

static void *test_alloc(void *ctx, void *ptr, size_t old, size_t size)
{
    (void)ctx;
    (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Feeds one chunk from its own exact-size heap copy, freed afterwards: a
 * read past the chunk or a pointer kept into it shows up under ASan. */
static void feed_chunk(sse_parser *p, const char *s, size_t n, int pausing)
{
    char *copy = malloc(n ? n : 1);
    size_t off = 0;
    assert_non_null(copy);
    if (n)
        memcpy(copy, s, n);
    while (off < n) {
        size_t used = sse_parser_feed(p, copy + off, n - off);
        int st = sse_parser_status(p);
        off += used;
        if (st == SSE_PAUSED) {
            assert_true(pausing);
            continue;
        }
        assert_int_equal(st, SSE_OK);
        assert_int_equal(off, n);
    }
    free(copy);
}

char *run_split(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                const test_opts *o)
{
    static const test_opts dflt;
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    struct run r;
    char *buffer = NULL;
    size_t i, at = 0;

    if (!o)
        o = &dflt;
    memset(&r, 0, sizeof r);
    r.pause_every = o->pause_every;
    trace_add(&r.t, "%s", "");
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    cb.on_retry = on_retry;
    cb.on_error = on_error;
    if (!o->no_comments)
        cb.on_comment = on_comment;
    memset(&opt, 0, sizeof opt);
    opt.max_line = o->max_line;
    opt.max_event = o->max_event;
    opt.max_field = o->max_field;
    opt.flags = o->flags;
    if (o->buffer_size) {
        buffer = malloc(o->buffer_size);
        opt.buffer = buffer;
        opt.buffer_size = o->buffer_size;
    } else {
        opt.alloc = test_alloc;
    }
    assert_int_equal(sse_parser_init(&p, &cb, &r, &opt), SSE_OK);
    for (i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        feed_chunk(&p, in + at, to - at, o->pause_every);
        at = to;
    }
    assert_int_equal(sse_parser_finish(&p), SSE_OK);
    sse_parser_destroy(&p);
    free(buffer);
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
    test_opts plain, buffered, pausing;
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
    check_config(in, len, expected, &buffered);
    check_config(in, len, expected, &pausing);
    check_config(in, len, expected, &plain);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

unsigned test_rng(unsigned n)
{
    rng_state ^= rng_state << 13; /* xorshift64: fixed seed, reproducible */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}
