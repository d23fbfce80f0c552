/* Allocation: with a caller buffer the parser makes no allocator call at
 * all, and neither does any encoder front end, server helper, the history
 * or a stream (malloc and friends are wrapped at link time to prove it);
 * with hooks every byte is returned on destroy, and a failing allocator
 * costs only the event that needed the memory. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

/* Link-time wrappers (-Wl,--wrap=...): every call the library or this test
 * makes goes through here and is counted while `watching` is set. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static int watching;
static unsigned long libc_calls;

void *__wrap_malloc(size_t n)
{
    libc_calls += watching;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
    libc_calls += watching;
    return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
    libc_calls += watching;
    return __real_realloc(p, n);
}
void __wrap_free(void *p)
{
    libc_calls += watching;
    __real_free(p);
}

static unsigned long events, hook_calls;
static char last_data[64];

static int on_event(sse_parser *p, const sse_event *ev, void *u)
{
    (void)p;
    (void)u;
    events++;
    memcpy(last_data, ev->data,
           ev->data_len < sizeof last_data ? ev->data_len : sizeof last_data);
    return 0;
}
static int on_quiet(sse_parser *p, const char *s, size_t n, void *u)
{
    (void)p;
    (void)s;
    (void)n;
    (void)u;
    return 0;
}

static void *counting_hook(void *ctx, void *ptr, size_t old, size_t size)
{
    (void)ctx;
    (void)old;
    hook_calls++;
    if (size == 0) {
        __real_free(ptr);
        return NULL;
    }
    return __real_realloc(ptr, size);
}

/* A stream touching every buffer: multi-line data cut across chunks, ids,
 * types, comments, retry, UTF-8 replacement, an over-long event. */
static const char stream[] =
    "\xEF\xBB\xBF: hello\nretry: 1000\nid: 1\nevent: a\ndata: one\ndata: two\n\n"
    "data: \xFF\xFE long value that will be cut into pieces\n\n"
    "id: 2\n: another comment\ndata: x\n\n";

static void feed_in_pieces(sse_parser *p, size_t step)
{
    size_t off;
    for (off = 0; off < sizeof stream - 1; off += step) {
        size_t n = sizeof stream - 1 - off < step ? sizeof stream - 1 - off
                                                  : step;
        assert_int_equal(sse_parser_feed(p, stream + off, n), n);
    }
    assert_int_equal(sse_parser_finish(p), SSE_OK);
}

/* Callbacks for events and comments; options still without memory. */
static void setup(sse_callbacks *cb, sse_parser_options *opt)
{
    sse_callbacks_init(cb);
    cb->on_event = on_event;
    cb->on_comment = on_quiet;
    memset(opt, 0, sizeof *opt);
}

static void caller_buffer_never_allocates(void **state)
{
    static char mem[1024];
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    size_t step;
    (void)state;
    setup(&cb, &opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    opt.flags = SSE_PARSER_UTF8_REPLACE;
    for (step = 1; step <= 7; step++) {
        events = 0;
        libc_calls = 0;
        watching = 1;
        assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
        feed_in_pieces(&p, step);
        sse_parser_reset(&p);
        sse_parser_destroy(&p);
        watching = 0;
        assert_int_equal(events, 3);
        assert_int_equal(libc_calls, 0);
    }
    /* The wrappers do see calls: the check above can fail. */
    watching = 1;
    __real_free(__wrap_malloc(1));
    watching = 0;
    assert_int_equal(libc_calls, 1);
}

static void hooks_balance(void **state)
{
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    (void)state;
    setup(&cb, &opt);
    opt.alloc = counting_hook;
    hook_calls = libc_calls = 0;
    watching = 1;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    feed_in_pieces(&p, 3);
    sse_parser_destroy(&p);
    watching = 0;
    assert_true(hook_calls >= 2); /* data and slots were grown... */
    assert_int_equal(libc_calls, 0); /* ...only through the hook */
}

static int count_bytes(void *user, const char *buf, size_t len)
{
    (void)buf;
    *(size_t *)user += len;
    return 0;
}

static void encoder_never_allocates(void **state)
{
    static char out[4096];
    static sse_iov iov[64];
    sse_frame f;
    size_t written = 0, n;
    const char *id;
    (void)state;
    memset(&f, 0, sizeof f);
    f.data = "one\r\ntwo\rthree\n\xC3\xA9";
    f.data_len = strlen(f.data);
    SET(f, type, "t");
    SET(f, id, "7");
    SET(f, comment, "c\nd");
    f.flags = SSE_FRAME_RETRY | SSE_FRAME_CHECK_UTF8;
    f.retry_ms = 2500;
    f.padding = 2000;
    libc_calls = 0;
    watching = 1;
    /* Measuring, too small, fitting; refused; every front end. */
    n = (size_t)sse_encode(NULL, 0, &f);
    assert_int_equal(sse_encode(out, 10, &f), (sse_ssize)n);
    assert_int_equal(sse_encode(out, sizeof out, &f), (sse_ssize)n);
    assert_true(sse_encode_iov(iov, 64, &f) > 0);
    assert_int_equal(sse_encode_to(count_bytes, &written, &f), (sse_ssize)n);
    f.id = "\n";
    assert_int_equal(sse_encode(out, sizeof out, &f), SSE_E_ID_LINE_END);
    assert_int_equal(sse_last_event_id_read(" 42 ", 4, 0, &id, &n), SSE_OK);
    assert_non_null(sse_response_headers(NULL));
    watching = 0;
    assert_int_equal(libc_calls, 0);
}

static void history_never_allocates(void **state)
{
    static char mem[512];
    sse_history h;
    sse_history_cursor c;
    const char *frame;
    size_t len;
    int i;
    (void)state;
    libc_calls = 0;
    watching = 1;
    assert_int_equal(sse_history_init(&h, mem, sizeof mem, 4), SSE_OK);
    for (i = 0; i < 50; i++)
        assert_int_equal(sse_history_add(&h, "7", 1, "data: x\n\n", 9),
                         SSE_OK);
    assert_int_equal(sse_history_find(&h, "7", 1, &c), SSE_HISTORY_CURRENT);
    sse_history_oldest(&h, &c);
    assert_int_equal(sse_history_next(&h, &c, &frame, &len, NULL, NULL), 1);
    watching = 0;
    assert_int_equal(libc_calls, 0);
}

static void stream_never_allocates(void **state)
{
    static char mem[512];
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    sse_header headers[SSE_STREAM_MAX_HEADERS];
    sse_iov iov[8];
    char buf[64];
    int i;
    (void)state;
    o.retry_ms = 1000;
    o.padding = 100;
    o.heartbeat_ms = 10;
    o.allow_origin = "https://a.example";
    libc_calls = 0;
    watching = 1;
    assert_int_equal(sse_history_init(&h, mem, sizeof mem, 4), SSE_OK);
    assert_int_equal(sse_stream_headers(&o, "https://a.example", 17, headers,
                                        SSE_STREAM_MAX_HEADERS),
                     SSE_STREAM_MAX_HEADERS);
    assert_int_equal(sse_stream_open(&s, &h, &o, "9", 1, 0),
                     SSE_STREAM_UNKNOWN);
    for (i = 0; i < 50; i++) {
        sse_ssize n;
        assert_int_equal(sse_history_add(&h, "7", 1, "data: x\n\n", 9),
                         SSE_OK);
        n = sse_stream_pending(&s, &h, (uint64_t)i * 20, 100, iov, 8);
        assert_true(n > 0);
        assert_int_equal(sse_stream_sent(&s, &h, iov[0].len, (uint64_t)i * 20),
                         SSE_OK);
        do
            n = sse_stream_copy(&s, &h, (uint64_t)i * 20, buf, sizeof buf);
        while (n > 0);
        assert_int_equal(n, 0);
    }
    assert_true(sse_stream_heartbeat_due(&s) < UINT64_MAX);
    watching = 0;
    assert_int_equal(libc_calls, 0);
}

static int fail_after; /* allocations left before the hook fails */

static void *failing_hook(void *ctx, void *ptr, size_t old, size_t size)
{
    (void)ctx;
    (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (fail_after-- <= 0)
        return NULL;
    return realloc(ptr, size);
}

static void allocation_failure_drops_one_event(void **state)
{
    static const char s[] = "data: a\ndata: b\n\ndata: c\n\nevent: t\ndata: d\n\n";
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    (void)state;
    setup(&cb, &opt);
    opt.alloc = failing_hook;
    fail_after = 0;
    events = 0;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    /* Two data lines need the data buffer: no memory, event dropped. The
     * one-line event c needs none (it is delivered in place). d needs a
     * type slot: dropped too. */
    assert_int_equal(sse_parser_feed(&p, s, sizeof s - 1), sizeof s - 1);
    assert_int_equal(events, 1);
    assert_memory_equal(last_data, "c", 1);
    assert_int_equal(sse_parser_status(&p), SSE_OK);
    /* Memory comes back: parsing goes on normally. */
    fail_after = 100;
    assert_int_equal(sse_parser_feed(&p, s, sizeof s - 1), sizeof s - 1);
    assert_int_equal(events, 4);
    sse_parser_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caller_buffer_never_allocates),
        cmocka_unit_test(hooks_balance),
        cmocka_unit_test(encoder_never_allocates),
        cmocka_unit_test(history_never_allocates),
        cmocka_unit_test(stream_never_allocates),
        cmocka_unit_test(allocation_failure_drops_one_event),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
