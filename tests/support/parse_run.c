#include "parse_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_fail(const char *what)
{
    fprintf(stderr, "check failed: %s\n", what);
    abort();
}

struct run {
    run_result *r;
    int pause;
    size_t live;
};

static int done(struct run *run)
{
    return run->pause ? SSE_PAUSE : 0;
}

/* Recording reads every byte the callback was given, so ASan checks that
 * each pointer and length describes memory that is really there. */
static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct run *run = user;
    (void)p;
    if (!ev->type || !ev->data || !ev->id || ev->type_len == 0)
        run_fail("event with a NULL pointer or an empty type");
    trace_event(&run->r->t, ev->type, ev->type_len, ev->data, ev->data_len,
                ev->id, ev->id_len);
    return done(run);
}

static int on_retry(sse_parser *p, uint64_t ms, void *user)
{
    struct run *run = user;
    (void)p;
    trace_retry(&run->r->t, ms);
    return done(run);
}

static int on_comment(sse_parser *p, const char *s, size_t n, void *user)
{
    struct run *run = user;
    (void)p;
    if (!s && n)
        run_fail("comment with a NULL pointer");
    trace_comment(&run->r->t, s, n);
    return done(run);
}

static int on_error(sse_parser *p, int code, void *user)
{
    struct run *run = user;
    (void)p;
    if (code != SSE_E_LINE_TOO_LONG && code != SSE_E_EVENT_TOO_LARGE &&
        code != SSE_E_FIELD_TOO_LONG && code != SSE_E_COMMENT_TOO_LONG)
        run_fail("on_error with a code that is not a limit");
    trace_error(&run->r->t, code);
    return done(run);
}

/* Allocator hook that tracks how much the parser holds. */
static void *hook(void *ctx, void *ptr, size_t old, size_t size)
{
    struct run *run = ctx;
    void *mem;
    if (size == 0) {
        run->live -= old;
        free(ptr);
        return NULL;
    }
    mem = realloc(ptr, size);
    if (mem) {
        run->live = run->live - old + size;
        if (run->live > run->r->peak)
            run->r->peak = run->live;
    }
    return mem;
}

static void feed(sse_parser *p, const char *s, size_t n, int pausing)
{
    char *copy = malloc(n ? n : 1);
    size_t off = 0;
    if (!copy)
        abort();
    if (n)
        memcpy(copy, s, n);
    while (off < n) {
        size_t used = sse_parser_feed(p, copy + off, n - off);
        int st = sse_parser_status(p);
        if (used > n - off)
            run_fail("feed consumed more than it was given");
        off += used;
        if (st == SSE_PAUSE && pausing)
            continue;
        if (st != SSE_OK || off != n)
            run_fail("feed stopped without a pause");
    }
    free(copy);
}

void run_parser(const char *in, size_t len, const size_t *cuts, size_t ncuts,
            const run_config *c, run_result *r)
{
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    struct run run;
    char *buffer = NULL;
    size_t i, at = 0;

    if (!in)
        in = ""; /* an empty stream */
    memset(r, 0, sizeof *r);
    memset(&run, 0, sizeof run);
    run.r = r;
    run.pause = c->pause;
    trace_add(&r->t, "%s", "");
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    cb.on_retry = on_retry;
    cb.on_error = on_error;
    if (c->comments)
        cb.on_comment = on_comment;
    memset(&opt, 0, sizeof opt);
    opt.max_line = c->max_line;
    opt.max_event = c->max_event;
    opt.max_field = c->max_field;
    opt.flags = c->flags;
    if (c->buffer_size) {
        buffer = malloc(c->buffer_size);
        opt.buffer = buffer;
        opt.buffer_size = c->buffer_size;
    } else {
        opt.alloc = hook;
        opt.alloc_ctx = &run;
    }
    if (sse_parser_init(&p, &cb, &run, &opt) != SSE_OK)
        run_fail("init");
    for (i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        if (to < at || to > len)
            run_fail("cuts out of order");
        feed(&p, in + at, to - at, c->pause);
        at = to;
    }
    if (sse_parser_offset(&p) != len)
        run_fail("offset differs from the bytes fed");
    if (sse_parser_finish(&p) != SSE_OK)
        run_fail("finish");
    sse_parser_destroy(&p);
    if (run.live != 0)
        run_fail("parser memory not returned");
    free(buffer);
}
