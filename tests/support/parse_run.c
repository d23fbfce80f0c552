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
    int streaming, discards;
    size_t live;
    /* Streaming delivery: the pieces of the open event, joined. */
    int open;
    char *data;
    size_t len, cap;
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
    if (run->streaming)
        run_fail("on_event called while streaming");
    if (!ev->type || !ev->data || !ev->id || ev->type_len == 0)
        run_fail("event with a NULL pointer or an empty type");
    trace_event(&run->r->t, ev->type, ev->type_len, ev->data, ev->data_len,
                ev->id, ev->id_len);
    return done(run);
}

static int on_event_start(sse_parser *p, void *user)
{
    struct run *run = user;
    (void)p;
    if (run->open)
        run_fail("event start inside an event");
    run->open = 1;
    run->len = 0;
    return done(run);
}

static int on_data(sse_parser *p, const char *piece, size_t n, void *user)
{
    struct run *run = user;
    (void)p;
    if (!run->open)
        run_fail("a piece outside an event");
    if (!piece || n == 0)
        run_fail("an empty piece, or a NULL one");
    if (n > run->cap - run->len) {
        run->cap = (run->len + n) * 2;
        run->data = realloc(run->data, run->cap);
        if (!run->data)
            abort();
    }
    memcpy(run->data + run->len, piece, n); /* every byte read: ASan */
    run->len += n;
    return done(run);
}

static int on_event_end(sse_parser *p, const sse_event *ev, int status,
                        void *user)
{
    struct run *run = user;
    (void)p;
    if (!run->open)
        run_fail("event end without a start");
    run->open = 0;
    if (ev->data || ev->data_len != run->len)
        run_fail("event end: data not NULL, or a length the pieces lack");
    if (!ev->type || !ev->id || ev->type_len == 0)
        run_fail("event end with a NULL pointer or an empty type");
    if (status == SSE_OK)
        trace_event(&run->r->t, ev->type, ev->type_len,
                    run->data ? run->data : "", run->len, ev->id, ev->id_len);
    else if (status != SSE_E_EVENT_UNFINISHED &&
             status != SSE_E_LINE_TOO_LONG && status != SSE_E_FIELD_TOO_LONG &&
             status != SSE_E_NOMEM)
        run_fail("event end with a status that is no reason to discard");
    else if (run->discards)
        trace_discard(&run->r->t, status, run->data ? run->data : "",
                      run->len);
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
    if (c->flags & SSE_PARSER_STREAM_DATA) {
        run.streaming = 1;
        run.discards = c->discards;
        cb.on_event_start = on_event_start;
        cb.on_data = on_data;
        cb.on_event_end = on_event_end;
    }
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
    if (run.open)
        run_fail("an event started and never ended");
    free(run.data);
    sse_parser_destroy(&p);
    if (run.live != 0)
        run_fail("parser memory not returned");
    free(buffer);
}
