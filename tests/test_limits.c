/* Limits: an over-long line, event or field is reported once, the event it
 * belongs to is dropped, and everything after it parses as if it had not
 * been there. Memory never grows past the limits. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>


static test_opts limits(size_t line, size_t event, size_t field)
{
    test_opts o;
    memset(&o, 0, sizeof o);
    o.max_line = line;
    o.max_event = event;
    o.max_field = field;
    return o;
}

/* max_line counts the bytes of a line without its line end. */
static void line_limit(void **state)
{
    test_opts o = limits(10, 0, 0);
    (void)state;
    CHECK_OPTS("data: 1234\n\n", EV("message", "1234", ""), &o);
    CHECK_OPTS("data: 12345\n\ndata: ok\n\n",
               ERR("LINE_TOO_LONG") EV("message", "ok", ""), &o);
    /* The whole event goes, including lines before and after. */
    CHECK_OPTS("data: a\ndata: 12345678\ndata: b\n\ndata: ok\n\n",
               ERR("LINE_TOO_LONG") EV("message", "ok", ""), &o);
    /* Any kind of field line: unknown field, name without colon. */
    CHECK_OPTS("abcdefghijk\ndata: x\n\ndata: y\n\n",
               ERR("LINE_TOO_LONG") EV("message", "y", ""), &o);
    CHECK_OPTS("abcdefghij: k\ndata: y\n\n", ERR("LINE_TOO_LONG"), &o);
    /* Reported once per event. */
    CHECK_OPTS("data: 123456789\ndata: 123456789\n\ndata: z\n\n",
               ERR("LINE_TOO_LONG") EV("message", "z", ""), &o);
    /* A long line that is cut by CR still ends there. */
    CHECK_OPTS("data: 123456789\rdata: a\r\rdata: b\r\r",
               ERR("LINE_TOO_LONG") EV("message", "b", ""), &o);
}

/* max_event counts the data buffer: values plus one LF per data line. */
static void event_limit(void **state)
{
    test_opts o = limits(0, 8, 0);
    (void)state;
    CHECK_OPTS("data: 1234567\n\n", EV("message", "1234567", ""), &o);
    CHECK_OPTS("data: 12345678\n\ndata: ok\n\n",
               ERR("EVENT_TOO_LARGE") EV("message", "ok", ""), &o);
    CHECK_OPTS("data: 123\ndata: 123\n\n", EV("message", "123\\n123", ""), &o);
    CHECK_OPTS("data: 123\ndata: 1234\ndata: 1\n\ndata: ok\n\n",
               ERR("EVENT_TOO_LARGE") EV("message", "ok", ""), &o);
    CHECK_OPTS("data\ndata\ndata\ndata\ndata\ndata\ndata\ndata\n\n"
               "data\ndata\ndata\ndata\ndata\ndata\ndata\ndata\ndata\n\n"
               "data: ok\n\n",
               EV("message", "\\n\\n\\n\\n\\n\\n\\n", "")
                   ERR("EVENT_TOO_LARGE") EV("message", "ok", ""),
               &o);
    /* Fields outside the data still apply: the id and retry read in a
     * dropped event are kept, so only the event itself is lost. */
    CHECK_OPTS("data: 123456789\nid: 9\nretry: 5\nevent: t\n\ndata: ok\n\n",
               ERR("EVENT_TOO_LARGE") "retry 5\n" EV("message", "ok", "9"),
               &o);
}

/* max_field bounds the event type, an id and a stored comment. */
static void field_limit(void **state)
{
    test_opts o = limits(0, 0, 4);
    test_opts quiet = o;
    (void)state;
    CHECK_OPTS("event: abcd\nid: 1234\ndata: x\n\n", EV("abcd", "x", "1234"),
               &o);
    CHECK_OPTS("event: abcde\ndata: x\n\ndata: y\n\n",
               ERR("FIELD_TOO_LONG") EV("message", "y", ""), &o);
    /* The over-long id is not applied. */
    CHECK_OPTS("id: 1\n\nid: 12345\ndata: x\n\ndata: y\n\n",
               ERR("FIELD_TOO_LONG") EV("message", "y", "1"), &o);
    /* A comment over the limit is reported and skipped on its own: a
     * comment never costs an event. */
    CHECK_OPTS(": 12345\ndata: x\n\ndata: y\n\n",
               ERR("COMMENT_TOO_LONG") EV("message", "x", "")
                   EV("message", "y", ""),
               &o);
    CHECK_OPTS("data: a\n:123456\n: 1234\n: 12345\ndata: b\n\n",
               ERR("COMMENT_TOO_LONG") "comment 1234\n" ERR("COMMENT_TOO_LONG")
                   EV("message", "a\\nb", ""),
               &o);
    /* An id is ignored whole when it holds a NUL, even one that comes
     * after the limit was passed: no error then (found by the random
     * split test: the error used to depend on the chunking). */
    CHECK_OPTS("id: 123456\0x\ndata: y\n\n", EV("message", "y", ""), &o);
    CHECK_OPTS("id: 123456x\ndata: y\n\ndata: z\n\n",
               ERR("FIELD_TOO_LONG") EV("message", "z", ""), &o);
    /* Without a comment callback comments are never stored. */
    quiet.no_comments = 1;
    CHECK_OPTS(": 12345\ndata: x\n\n", EV("message", "x", ""), &quiet);
    CHECK_OPTS("data: a\n:123456\ndata: b\n\n", EV("message", "a\\nb", ""),
               &quiet);
}

/* Comment lines have no line limit: nothing of them is kept beyond
 * max_field, and a comment must never cost an event (an encoder frame
 * with a long comment or a lot of padding comes back whole). */
static void comment_has_no_line_limit(void **state)
{
    test_opts o = limits(10, 0, 0), tight = limits(10, 0, 4);
    test_opts quiet = o;
    (void)state;
    quiet.no_comments = 1;
    CHECK_OPTS(":1234567890abc\ndata: x\n\ndata: y\n\n",
               "comment 1234567890abc\n" EV("message", "x", "")
                   EV("message", "y", ""),
               &o);
    CHECK_OPTS("data: a\n:1234567890abc\ndata: b\n\n",
               "comment 1234567890abc\n" EV("message", "a\\nb", ""), &o);
    CHECK_OPTS("data: a\n:1234567890abc\ndata: b\n\n",
               ERR("COMMENT_TOO_LONG") EV("message", "a\\nb", ""), &tight);
    CHECK_OPTS("data: a\n:1234567890abc\ndata: b\n\n",
               EV("message", "a\\nb", ""), &quiet);
    /* Cut by CR, and by CR LF, as any line. */
    CHECK_OPTS(":1234567890abc\rdata: x\r\n\r\n", "comment 1234567890abc\n"
               EV("message", "x", ""), &o);
}

/* A line over max_line reports SSE_E_LINE_TOO_LONG even when it also
 * overflows a field or the event earlier in the line; otherwise the other
 * limit is reported at the end of the line. Same for every chunking. */
static void line_limit_takes_precedence(void **state)
{
    test_opts o = limits(16, 8, 12);
    (void)state;
    CHECK_OPTS("id: 0123456789abcdef\ndata: x\n\nid:0123456789abc\n\n"
               "data: 12345678901\n\ndata: 12345678\n\ndata: ok\n\n",
               ERR("LINE_TOO_LONG") ERR("FIELD_TOO_LONG") ERR("LINE_TOO_LONG")
                   ERR("EVENT_TOO_LARGE") EV("message", "ok", ""),
               &o);
}

/* Caller-buffer mode: 64 bytes = four 8-byte field slots + 32 data bytes. */
static void buffer_mode_limits(void **state)
{
    test_opts o;
    char data31[] = "data: 1234567890123456789012345678901\n\n";
    char data32[] = "data: 12345678901234567890123456789012\n\ndata: ok\n\n";
    (void)state;
    memset(&o, 0, sizeof o);
    o.buffer_size = 64;
    check_splits(data31, sizeof data31 - 1,
                 EV("message", "1234567890123456789012345678901", ""), &o);
    check_splits(data32, sizeof data32 - 1,
                 ERR("EVENT_TOO_LARGE") EV("message", "ok", ""), &o);
    CHECK_OPTS("event: 12345678\ndata: x\n\n", EV("12345678", "x", ""), &o);
    CHECK_OPTS("event: 123456789\ndata: x\n\ndata: y\n\n",
               ERR("FIELD_TOO_LONG") EV("message", "y", ""), &o);
    /* Smaller than any useful size: every event is too large, no crash. */
    o.buffer_size = 1;
    CHECK_OPTS("data: x\n\nid: 1\n\n",
               ERR("EVENT_TOO_LARGE") ERR("FIELD_TOO_LONG"), &o);
}

/* Pausing in the error callback resumes cleanly. */
static void pause_on_error(void **state)
{
    test_opts o = limits(10, 8, 4);
    (void)state;
    o.pause_every = 1;
    CHECK_OPTS("data: 12345\n\nid:12345\n\ndata: 123\ndata: 1234\n\n"
               "data: ok\n\n",
               ERR("LINE_TOO_LONG") ERR("FIELD_TOO_LONG")
                   ERR("EVENT_TOO_LARGE") EV("message", "ok", ""),
               &o);
}

/* ---- Memory stays bounded on hostile input ----------------------------- */

struct counting {
    size_t live, peak, calls;
};

static void *count_alloc(void *ctx, void *ptr, size_t old, size_t size)
{
    struct counting *c = ctx;
    void *mem = NULL;
    c->calls++;
    if (size) {
        mem = realloc(ptr, size);
        if (!mem)
            return NULL;
    } else {
        free(ptr);
    }
    c->live = c->live - old + size;
    if (c->live > c->peak)
        c->peak = c->live;
    return mem;
}

static int ignore_event(sse_parser *p, const sse_event *ev, void *u)
{
    (void)p;
    (void)ev;
    (void)u;
    return 0;
}

static int count_error(sse_parser *p, int code, void *u)
{
    (void)p;
    (void)code;
    ++*(size_t *)u;
    return 0;
}

static int ignore_comment(sse_parser *p, const char *s, size_t n, void *u)
{
    (void)p;
    (void)s;
    (void)n;
    (void)u;
    return 0;
}

static void feed_pattern(sse_parser *p, const char *prefix, char fill,
                         size_t total, size_t chunk)
{
    char *buf = malloc(chunk);
    size_t sent = strlen(prefix);
    assert_non_null(buf);
    assert_int_equal(sse_parser_feed(p, prefix, sent), sent);
    memset(buf, fill, chunk);
    while (sent < total) {
        assert_int_equal(sse_parser_feed(p, buf, chunk), chunk);
        sent += chunk;
    }
    assert_int_equal(sse_parser_feed(p, "\n\n", 2), 2);
    free(buf);
}

static void memory_bounded(void **state)
{
    struct counting c;
    size_t errors = 0;
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    const size_t max_event = 64 << 10, max_field = 1 << 10;
    (void)state;

    memset(&c, 0, sizeof c);
    sse_callbacks_init(&cb);
    cb.on_event = ignore_event;
    cb.on_error = count_error;
    cb.on_comment = ignore_comment;
    memset(&opt, 0, sizeof opt);
    opt.alloc = count_alloc;
    opt.alloc_ctx = &c;
    opt.max_event = max_event;
    opt.max_field = max_field;
    opt.max_line = 1 << 20;
    assert_int_equal(sse_parser_init(&p, &cb, &errors, &opt), SSE_OK);

    /* 8 MiB of one data line, of one comment, of one id, of one type, of
     * a line without colon, in 4 KiB chunks. */
    feed_pattern(&p, "data: ", 'x', 8 << 20, 4096);
    feed_pattern(&p, ":", 'c', 8 << 20, 4096);
    feed_pattern(&p, "id: ", '1', 8 << 20, 4096);
    feed_pattern(&p, "event: ", 'e', 8 << 20, 4096);
    feed_pattern(&p, "", 'n', 8 << 20, 4096);
    /* Many data lines that each fit but add up. */
    {
        int i;
        for (i = 0; i < 100000; i++)
            assert_int_equal(sse_parser_feed(&p, "data: 0123456789\n", 17), 17);
        assert_int_equal(sse_parser_feed(&p, "\n", 1), 1);
    }
    assert_int_equal(errors, 6);
    assert_int_equal(sse_parser_status(&p), SSE_OK);
    assert_true(c.peak <= max_event + 4 * max_field);
    sse_parser_destroy(&p);
    assert_int_equal(c.live, 0);
}

/* Found by fuzz_limits (the reference model disagreed): a line that goes
 * over max_line on its colon, or on the bytes of a BOM that was not one,
 * is reported even when the stream ends right there. */
static void line_limit_at_end_of_stream(void **state)
{
    test_opts o = limits(9, 17, 7);
    (void)state;
    CHECK_OPTS("\x91" "DATevent:", ERR("LINE_TOO_LONG"), &o);
    CHECK_OPTS("123456789:", ERR("LINE_TOO_LONG"), &o);
    CHECK_OPTS("12345678:", "", &o); /* 9 bytes: within the limit */
    o = limits(1, 0, 0);
    CHECK_OPTS("\xEF\xBB", ERR("LINE_TOO_LONG"), &o);
    CHECK_OPTS("\xEF\xBB\n", ERR("LINE_TOO_LONG"), &o);
    CHECK_OPTS("\xEF", "", &o);
    CHECK_OPTS("\xEF\xBB\xBF", "", &o); /* a real BOM is no line */
    o = limits(2, 0, 0);
    CHECK_OPTS("\xEF\xBB", "", &o);
}

/* Generated streams of the format's tokens, with small limits, both UTF-8
 * modes, both kinds of memory and pausing: whichever way the bytes are cut,
 * the trace (events, retries, comments and errors) must be the same. */

/* On a mismatch, shows what to paste into a regression test. */
static void same_trace(const char *whole, const char *other, const char *in,
                       size_t len, const test_opts *o)
{
    if (strcmp(whole, other) != 0) {
        trace t = {0};
        trace_bytes(&t, in, len);
        print_error("stream \"%s\" line=%zu event=%zu field=%zu flags=%u "
                    "buffer=%zu no_comments=%d pause=%d\n",
                    t.text, o->max_line, o->max_event, o->max_field, o->flags,
                    o->buffer_size, o->no_comments, o->pause_every);
        free(t.text);
    }
    assert_string_equal(whole, other);
}

static void random_split_invariance(void **state)
{
    static const char *const tokens[] = {
        "data", "event", "id", "retry", ":", " ", "\r", "\n", "\r\n",
        "\n\n", "\xEF\xBB\xBF", "\xEF", "x", "12", "\xFF", "\xE2\x82",
        "\xAC", "\xF0\x9F\x98\x80", "data: ", "id: 7", "retry: 99"};
    static const size_t limit_choice[] = {0, 3, 6, 12, 40};
    int iter;
    (void)state;
    for (iter = 0; iter < 3000; iter++) {
        char in[256];
        size_t len = 0, cuts[8], ncuts, i;
        test_opts o;
        char *whole, *other;
        unsigned ntok = 1 + test_rng(40);
        while (ntok--) {
            const char *t = tokens[test_rng(sizeof tokens / sizeof tokens[0])];
            size_t n = strlen(t);
            if (len + n + 1 > sizeof in)
                break;
            memcpy(in + len, t, n);
            len += n;
            if (test_rng(16) == 0)
                in[len++] = '\0';
        }
        memset(&o, 0, sizeof o);
        o.max_line = limit_choice[test_rng(5)];
        o.max_event = limit_choice[test_rng(5)];
        o.max_field = limit_choice[test_rng(5)];
        o.flags = test_rng(2) ? SSE_PARSER_UTF8_REPLACE : 0;
        o.buffer_size = test_rng(3) == 0 ? 16 + test_rng(200) : 0;
        o.no_comments = (int)test_rng(2);
        whole = run_split(in, len, NULL, 0, &o);
        o.pause_every = (int)test_rng(2);
        ncuts = len ? test_rng(8) : 0;
        for (i = 0; i < ncuts; i++)
            cuts[i] = test_rng((unsigned)len + 1);
        for (i = 1; i < ncuts; i++) { /* insertion sort: cuts ascend */
            size_t v = cuts[i], j = i;
            while (j > 0 && cuts[j - 1] > v) {
                cuts[j] = cuts[j - 1];
                j--;
            }
            cuts[j] = v;
        }
        other = run_split(in, len, cuts, ncuts, &o);
        same_trace(whole, other, in, len, &o);
        free(other);
        {
            size_t *bytes = malloc((len + 1) * sizeof *bytes);
            assert_non_null(bytes);
            for (i = 0; i < len; i++)
                bytes[i] = i + 1;
            other = run_split(in, len, bytes, len ? len - 1 : 0, &o);
            same_trace(whole, other, in, len, &o);
            free(other);
            free(bytes);
        }
        free(whole);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_limit),
        cmocka_unit_test(event_limit),
        cmocka_unit_test(field_limit),
        cmocka_unit_test(comment_has_no_line_limit),
        cmocka_unit_test(line_limit_takes_precedence),
        cmocka_unit_test(buffer_mode_limits),
        cmocka_unit_test(pause_on_error),
        cmocka_unit_test(memory_bounded),
        cmocka_unit_test(line_limit_at_end_of_stream),
        cmocka_unit_test(random_split_invariance),
    };
    return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
