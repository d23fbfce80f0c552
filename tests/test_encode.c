/* Encoder: the exact bytes of each field, written from the format in
 * WHATWG HTML 9.2 (not from the encoder's output); the snprintf, iovec and
 * callback contracts at every buffer size; refusals that write nothing; and
 * the round-trip property: whatever is accepted parses back unchanged. */
#include "trace.h"
#include "frame_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 16
#define POISON 0xA5

static sse_frame frame_data(const char *data, size_t len)
{
    sse_frame f;
    memset(&f, 0, sizeof f);
    f.data = data;
    f.data_len = len;
    return f;
}

static int all_poison(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != POISON)
            return 0;
    return 1;
}

/* Collects what sse_encode_to hands over. */
struct sink {
    char *buf;
    size_t len, cap;
    unsigned calls, fail_at; /* fail_at > 0: that call returns -1 */
};

static int sink_write(void *user, const char *p, size_t n)
{
    struct sink *s = user;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at)
        return -1;
    assert_true(n > 0);
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->buf = realloc(s->buf, s->cap);
        assert_non_null(s->buf);
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* Buffer form at every capacity around the exact size (guard bytes after the
 * capacity must survive; a too-small buffer stays untouched). */
static void check_buffer_form(const sse_frame *f, const char *want,
                              size_t want_len)
{
    size_t caps[64], ncaps = 0, k;
    unsigned char *mem = malloc(want_len + 64 + GUARD);
    assert_non_null(mem);
    assert_int_equal(sse_encode(NULL, 0, f), (sse_ssize)want_len);
    for (k = 0; k <= 16 && k <= want_len; k++) {
        caps[ncaps++] = k;
        caps[ncaps++] = want_len - k;
    }
    caps[ncaps++] = want_len + 1;
    caps[ncaps++] = want_len + 64;
    caps[ncaps++] = want_len / 2;
    for (k = 0; k < ncaps; k++) {
        size_t cap = caps[k];
        memset(mem, POISON, cap + GUARD);
        assert_int_equal(sse_encode((char *)mem, cap, f), (sse_ssize)want_len);
        if (cap < want_len) {
            assert_true(all_poison(mem, cap + GUARD));
        } else {
            assert_memory_equal(mem, want, want_len);
            assert_true(all_poison(mem + want_len, cap - want_len + GUARD));
        }
    }
    assert_true(sse_encode_bound(f) >= want_len);
    free(mem);
}

/* iovec form: the same bytes, any array size either fits all or is left
 * untouched. Returns the number of entries. */
static size_t check_iov_form(const sse_frame *f, const char *want,
                             size_t want_len)
{
    sse_ssize need = sse_encode_iov(NULL, 0, f);
    size_t n, i, total;
    sse_iov *iov;
    assert_true(need >= 0);
    iov = malloc(((size_t)need + 2) * sizeof *iov);
    assert_non_null(iov);
    for (n = 0; n <= (size_t)need + 1; n++) {
        memset(iov, POISON, ((size_t)need + 2) * sizeof *iov);
        assert_int_equal(sse_encode_iov(iov, n, f), need);
        if (n < (size_t)need) {
            assert_true(all_poison((unsigned char *)iov,
                                   ((size_t)need + 2) * sizeof *iov));
            continue;
        }
        for (i = 0, total = 0; i < (size_t)need; i++) {
            assert_true(iov[i].len > 0);
            assert_true(total + iov[i].len <= want_len);
            assert_memory_equal(iov[i].base, want + total, iov[i].len);
            total += iov[i].len;
        }
        assert_int_equal(total, want_len);
        assert_true(all_poison((unsigned char *)(iov + need), 2 * sizeof *iov));
    }
    free(iov);
    return (size_t)need;
}

static void check_write_form(const sse_frame *f, const char *want,
                             size_t want_len)
{
    struct sink s;
    memset(&s, 0, sizeof s);
    assert_int_equal(sse_encode_to(sink_write, &s, f), (sse_ssize)want_len);
    assert_int_equal(s.len, want_len);
    if (want_len)
        assert_memory_equal(s.buf, want, want_len);
    free(s.buf);
}

/* f must encode to exactly want in all three forms. */
static void check_frame_n(const sse_frame *f, const char *want,
                          size_t want_len)
{
    check_buffer_form(f, want, want_len);
    check_iov_form(f, want, want_len);
    check_write_form(f, want, want_len);
}
#define CHECK_FRAME(f, want) check_frame_n((f), (want), sizeof(want) - 1)

/* f must be refused with code by every form, writing nothing. */
static void check_refused(const sse_frame *f, int code)
{
    unsigned char mem[256 + GUARD];
    sse_iov iov[64];
    struct sink s;
    memset(mem, POISON, sizeof mem);
    memset(iov, POISON, sizeof iov);
    memset(&s, 0, sizeof s);
    assert_int_equal(sse_encode(NULL, 0, f), code);
    assert_int_equal(sse_encode((char *)mem, 3, f), code);
    assert_int_equal(sse_encode((char *)mem, 256, f), code);
    assert_true(all_poison(mem, sizeof mem));
    assert_int_equal(sse_encode_iov(NULL, 0, f), code);
    assert_int_equal(sse_encode_iov(iov, 64, f), code);
    assert_true(all_poison((unsigned char *)iov, sizeof iov));
    assert_int_equal(sse_encode_to(sink_write, &s, f), code);
    assert_int_equal(s.calls, 0);
}

/* ---- Data -------------------------------------------------------------- */

/* Each of CRLF, CR and LF ends a line; each line becomes one data line, so
 * the receiver joins them with LF. */
static void data_line_ends(void **state)
{
    static const struct {
        const char *data, *want;
    } cases[] = {
        {"hello", "data: hello\n\n"},
        {"a\nb", "data: a\ndata: b\n\n"},
        {"a\rb", "data: a\ndata: b\n\n"},
        {"a\r\nb", "data: a\ndata: b\n\n"},
        /* mixed and consecutive: CRLF is one line end, LF CR is two */
        {"a\r\n\r\nb", "data: a\ndata:\ndata: b\n\n"},
        {"a\n\rb", "data: a\ndata:\ndata: b\n\n"},
        {"a\r\rb", "data: a\ndata:\ndata: b\n\n"},
        {"a\n\nb", "data: a\ndata:\ndata: b\n\n"},
        {"1\r2\n3\r\n4", "data: 1\ndata: 2\ndata: 3\ndata: 4\n\n"},
        /* a trailing line end leaves a last, empty line */
        {"a\r", "data: a\ndata:\n\n"},
        {"a\n", "data: a\ndata:\n\n"},
        {"a\r\n", "data: a\ndata:\n\n"},
        /* data that is only line ends */
        {"\n", "data:\ndata:\n\n"},
        {"\r", "data:\ndata:\n\n"},
        {"\r\n", "data:\ndata:\n\n"},
        {"\r\n\r\n", "data:\ndata:\ndata:\n\n"},
        {"\n\r", "data:\ndata:\ndata:\n\n"},
        {"\n\n\n", "data:\ndata:\ndata:\ndata:\n\n"},
        /* leading line end */
        {"\nx", "data:\ndata: x\n\n"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sse_frame f = frame_data(cases[i].data, strlen(cases[i].data));
        check_frame_n(&f, cases[i].want, strlen(cases[i].want));
    }
}

/* The receiver strips exactly one space after the colon, so a value that
 * starts with spaces keeps them; colons in a value are plain bytes. */
static void data_leading_space(void **state)
{
    sse_frame f = frame_data(" x", 2);
    (void)state;
    CHECK_FRAME(&f, "data:  x\n\n");
    f = frame_data("  two", 5);
    CHECK_FRAME(&f, "data:   two\n\n");
    f = frame_data("a\n b\r\n  c", 9);
    CHECK_FRAME(&f, "data: a\ndata:  b\ndata:   c\n\n");
    f = frame_data(" ", 1);
    CHECK_FRAME(&f, "data:  \n\n");
    f = frame_data(": not a comment", 15);
    CHECK_FRAME(&f, "data: : not a comment\n\n");
    f = frame_data("\t", 1);
    CHECK_FRAME(&f, "data: \t\n\n");
}

/* Empty data still dispatches (one empty data line); no data, no line. NUL
 * bytes are ordinary data. */
static void data_empty_and_nul(void **state)
{
    sse_frame f = frame_data("", 0);
    (void)state;
    CHECK_FRAME(&f, "data:\n\n");
    f = frame_data("a\0b", 3);
    check_frame_n(&f, "data: a\0b\n\n", 11);
    f = frame_data("\0", 1);
    check_frame_n(&f, "data: \0\n\n", 9);
    memset(&f, 0, sizeof f);
    CHECK_FRAME(&f, ""); /* an all-zero frame encodes to nothing */
}

/* One data line of every length up to 300 (the copy and scan paths change
 * at 4, 8, 16, 64 and 256 bytes). */
static void data_line_lengths(void **state)
{
    char data[300], want[310];
    size_t n;
    (void)state;
    for (n = 0; n < sizeof data; n++)
        data[n] = (char)('a' + n % 26);
    for (n = 0; n <= sizeof data; n++) {
        sse_frame f = frame_data(data, n);
        size_t w = 0;
        memcpy(want, n ? "data: " : "data:", n ? 6 : 5);
        w = n ? 6 : 5;
        memcpy(want + w, data, n);
        w += n;
        memcpy(want + w, "\n\n", 2);
        check_frame_n(&f, want, w + 2);
    }
}

/* ---- Other fields ------------------------------------------------------ */

static void event_type(void **state)
{
    sse_frame f = frame_data("x", 1);
    (void)state;
    SET(f, type, "update");
    CHECK_FRAME(&f, "event: update\ndata: x\n\n");
    SET(f, type, " spaced :type");
    CHECK_FRAME(&f, "event:  spaced :type\ndata: x\n\n");
    /* Empty type: no line; the receiver reports "message". */
    SET(f, type, "");
    CHECK_FRAME(&f, "data: x\n\n");
    /* A type without data is written (the receiver discards it). */
    f = frame_data(NULL, 0);
    SET(f, type, "t");
    CHECK_FRAME(&f, "event: t\n\n");
}

static void event_id(void **state)
{
    sse_frame f = frame_data("x", 1);
    (void)state;
    SET(f, id, "42");
    CHECK_FRAME(&f, "id: 42\ndata: x\n\n");
    SET(f, id, "a b:c");
    CHECK_FRAME(&f, "id: a b:c\ndata: x\n\n");
    /* "" is written: it clears the receiver's last event ID. */
    SET(f, id, "");
    CHECK_FRAME(&f, "id:\ndata: x\n\n");
    /* An id-only frame: the blank line commits it without an event. */
    f = frame_data(NULL, 0);
    SET(f, id, "7");
    CHECK_FRAME(&f, "id: 7\n\n");
}

static void retry_field(void **state)
{
    sse_frame f = frame_data(NULL, 0);
    (void)state;
    f.flags = SSE_FRAME_RETRY;
    f.retry_ms = 3000;
    CHECK_FRAME(&f, "retry: 3000\n\n");
    f.retry_ms = 0;
    CHECK_FRAME(&f, "retry: 0\n\n");
    f.retry_ms = UINT64_MAX;
    CHECK_FRAME(&f, "retry: 18446744073709551615\n\n");
    f.retry_ms = 1234567890;
    CHECK_FRAME(&f, "retry: 1234567890\n\n");
    /* Every number of digits, 1 to 20, at both ends of its range. */
    {
        uint64_t low = 1;
        int digits;
        for (digits = 1; digits <= 20; digits++) {
            uint64_t values[2];
            int k;
            values[0] = digits == 1 ? 0 : low;
            values[1] = digits == 20 ? UINT64_MAX : low * 10 - 1;
            for (k = 0; k < 2; k++) {
                char want[64];
                int n = snprintf(want, sizeof want, "retry: %llu\n\n",
                                 (unsigned long long)values[k]);
                f.retry_ms = values[k];
                check_frame_n(&f, want, (size_t)n);
            }
            if (digits < 20)
                low *= 10;
        }
    }
    /* retry_ms alone, without the flag, writes nothing. */
    f.flags = 0;
    CHECK_FRAME(&f, "");
}

static void comments_and_heartbeat(void **state)
{
    sse_frame f = frame_data(NULL, 0);
    (void)state;
    SET(f, comment, "keepalive");
    CHECK_FRAME(&f, ": keepalive\n\n");
    /* The heartbeat: an empty comment. */
    SET(f, comment, "");
    CHECK_FRAME(&f, ":\n\n");
    /* Multi-line comments are split like data, whatever the line end. */
    SET(f, comment, "one\ntwo\r\nthree\rfour");
    CHECK_FRAME(&f, ": one\n: two\n: three\n: four\n\n");
    SET(f, comment, "a\n\nb\n");
    CHECK_FRAME(&f, ": a\n:\n: b\n:\n\n");
    SET(f, comment, " lead");
    CHECK_FRAME(&f, ":  lead\n\n");
}

/* Padding: one comment line of exactly max(padding, 2) bytes. */
static void padding_comment(void **state)
{
    sse_frame f = frame_data(NULL, 0);
    size_t sizes[] = {1, 2, 3, 10, 1023, 1024, 1025, 1026, 2048, 4099};
    size_t i;
    (void)state;
    f.padding = 1;
    CHECK_FRAME(&f, ":\n\n");
    f.padding = 2;
    CHECK_FRAME(&f, ":\n\n");
    f.padding = 3;
    CHECK_FRAME(&f, ": \n\n");
    f.padding = 6;
    CHECK_FRAME(&f, ":    \n\n");
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t line = sizes[i] < 2 ? 2 : sizes[i];
        char *want = malloc(line + 1);
        assert_non_null(want);
        memset(want, ' ', line);
        want[0] = ':';
        want[line - 1] = '\n';
        want[line] = '\n';
        f.padding = sizes[i];
        check_buffer_form(&f, want, line + 1);
        check_write_form(&f, want, line + 1);
        /* Pieces of at most 1 KiB of static spaces, plus ':' and the end. */
        assert_true(check_iov_form(&f, want, line + 1) <=
                    2 + (line + 1023) / 1024);
        free(want);
    }
}

/* A comment never costs an event: a frame whose comment and padding are
 * each longer than the parser's default max_field parses back, with
 * on_comment registered and default limits, to its event, the two
 * comment lines reported as too long on their own; whole, cut in a few
 * places, and one byte at a time. */
static void long_comment_round_trip(void **state)
{
    size_t big = SSE_DEFAULT_MAX_FIELD + 100, len, i, *every;
    size_t cuts[] = {1, 700, SSE_DEFAULT_MAX_FIELD, SSE_DEFAULT_MAX_FIELD * 2};
    char *comment = malloc(big), *stream, *got;
    sse_frame f = frame_data("x", 1);
    test_opts o;
    sse_ssize n;
    (void)state;
    assert_non_null(comment);
    memset(comment, 'c', big);
    f.comment = comment;
    f.comment_len = big;
    f.padding = big;
    n = sse_encode(NULL, 0, &f);
    assert_true(n > (sse_ssize)(2 * big));
    len = (size_t)n;
    stream = malloc(len);
    assert_non_null(stream);
    assert_int_equal(sse_encode(stream, len, &f), n);
    memset(&o, 0, sizeof o);
    got = run_split(stream, len, cuts, 4, &o);
    assert_string_equal(got, ERR("COMMENT_TOO_LONG") ERR("COMMENT_TOO_LONG")
                                 EV("message", "x", ""));
    free(got);
    got = run_split(stream, len, NULL, 0, &o);
    assert_string_equal(got, ERR("COMMENT_TOO_LONG") ERR("COMMENT_TOO_LONG")
                                 EV("message", "x", ""));
    free(got);
    /* One byte at a time. */
    every = malloc((len - 1) * sizeof *every);
    assert_non_null(every);
    for (i = 0; i < len - 1; i++)
        every[i] = i + 1;
    got = run_split(stream, len, every, len - 1, &o);
    assert_string_equal(got, ERR("COMMENT_TOO_LONG") ERR("COMMENT_TOO_LONG")
                                 EV("message", "x", ""));
    free(got);
    free(every);
    free(stream);
    free(comment);
}

/* Every field at once, in the documented order. */
static void field_order(void **state)
{
    sse_frame f = frame_data("line1\nline2", 11);
    (void)state;
    SET(f, type, "t");
    SET(f, id, "9");
    SET(f, comment, "c");
    f.flags = SSE_FRAME_RETRY;
    f.retry_ms = 15000;
    f.padding = 4;
    CHECK_FRAME(&f, ": c\n:  \nretry: 15000\nevent: t\nid: 9\n"
                    "data: line1\ndata: line2\n\n");
}

/* ---- Refusals ---------------------------------------------------------- */

static void refusals(void **state)
{
    sse_frame f = frame_data("ok", 2);
    (void)state;
    SET(f, type, "a\nb");
    check_refused(&f, SSE_E_TYPE_LINE_END);
    f.type = "ab\r";
    check_refused(&f, SSE_E_TYPE_LINE_END);
    SET(f, type, "\r\nab");
    check_refused(&f, SSE_E_TYPE_LINE_END);

    f = frame_data("ok", 2);
    SET(f, id, "1\n2");
    check_refused(&f, SSE_E_ID_LINE_END);
    f.id = "12\r";
    check_refused(&f, SSE_E_ID_LINE_END);
    f.id = "1\0002";
    check_refused(&f, SSE_E_ID_NUL);
    SET(f, id, "\0");
    check_refused(&f, SSE_E_ID_NUL);
    /* HTTP drops these from Last-Event-ID, so the id could not come back. */
    SET(f, id, " 12");
    check_refused(&f, SSE_E_ID_SPACE);
    f.id = "12 ";
    check_refused(&f, SSE_E_ID_SPACE);
    f.id = "\t12";
    check_refused(&f, SSE_E_ID_SPACE);
    SET(f, id, " ");
    check_refused(&f, SSE_E_ID_SPACE);
    /* A space inside is fine. */
    SET(f, id, "1 2");
    CHECK_FRAME(&f, "id: 1 2\ndata: ok\n\n");

    /* A refusal anywhere refuses the whole frame, even with big data. */
    {
        size_t n = 100000;
        char *big = malloc(n);
        assert_non_null(big);
        memset(big, 'x', n);
        f = frame_data(big, n);
        SET(f, comment, "c");
        SET(f, type, "bad\n");
        check_refused(&f, SSE_E_TYPE_LINE_END);
        free(big);
    }
    assert_string_equal(sse_errname(SSE_E_ID_SPACE), "SSE_E_ID_SPACE");
    assert_string_equal(sse_strerror(SSE_E_TYPE_LINE_END),
                        "event type contains CR or LF");
}

static void utf8_check(void **state)
{
    static const char bad[] = "ok\xC3"; /* truncated sequence */
    sse_frame f = frame_data("h\xC3\xA9llo \xF0\x9F\x98\x80", 11);
    (void)state;
    f.flags = SSE_FRAME_CHECK_UTF8;
    CHECK_FRAME(&f, "data: h\xC3\xA9llo \xF0\x9F\x98\x80\n\n");
    f = frame_data(bad, 3);
    f.flags = SSE_FRAME_CHECK_UTF8;
    check_refused(&f, SSE_E_INVALID_UTF8);
    /* Without the flag the bytes pass unchanged. */
    f.flags = 0;
    CHECK_FRAME(&f, "data: ok\xC3\n\n");
    /* Every text field is checked. */
    f = frame_data("x", 1);
    f.flags = SSE_FRAME_CHECK_UTF8;
    SET(f, type, "\xFF");
    check_refused(&f, SSE_E_INVALID_UTF8);
    f.type = NULL;
    f.type_len = 0;
    f.id = "\xED\xA0\x80"; /* a surrogate */
    f.id_len = 3;
    check_refused(&f, SSE_E_INVALID_UTF8);
    f.id = NULL;
    f.id_len = 0;
    f.comment = "\xC0\x80"; /* overlong NUL */
    f.comment_len = 2;
    check_refused(&f, SSE_E_INVALID_UTF8);
    /* Invalid bytes deep in long ASCII data (past the word-at-a-time
     * skip) are still found. */
    {
        char data[100];
        memset(data, 'a', sizeof data);
        data[77] = '\x80';
        f = frame_data(data, sizeof data);
        f.flags = SSE_FRAME_CHECK_UTF8;
        check_refused(&f, SSE_E_INVALID_UTF8);
    }
}

static void invalid_arguments(void **state)
{
    sse_frame f = frame_data(NULL, 3); /* length without a pointer */
    char buf[8];
    sse_iov iov[4];
    (void)state;
    check_refused(&f, SSE_E_INVALID_ARGUMENT);
    f = frame_data("x", 1);
    f.type_len = 1;
    check_refused(&f, SSE_E_INVALID_ARGUMENT);
    f = frame_data("x", 1);
    f.id_len = 1;
    check_refused(&f, SSE_E_INVALID_ARGUMENT);
    f = frame_data("x", 1);
    f.comment_len = 1;
    check_refused(&f, SSE_E_INVALID_ARGUMENT);
    f = frame_data("x", 1);
    f.flags = 0x80; /* unknown flag: refused, so new flags can be added */
    check_refused(&f, SSE_E_INVALID_ARGUMENT);
    f = frame_data("x", 1);
    assert_int_equal(sse_encode(buf, sizeof buf, NULL), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode(NULL, 8, &f), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_iov(iov, 4, NULL), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_iov(NULL, 4, &f), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_to(NULL, NULL, &f), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_to(sink_write, NULL, NULL),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_bound(NULL), 0);
}

/* A frame whose size does not fit sse_ssize is refused at once, without
 * touching memory the caller could not have (padding is the only field
 * that can be that large without a real buffer behind it). */
static void frame_too_large(void **state)
{
    sse_frame f = frame_data(NULL, 0);
    (void)state;
    f.padding = SIZE_MAX;
    assert_int_equal(sse_encode_bound(&f), SIZE_MAX);
    check_refused(&f, SSE_E_FRAME_TOO_LARGE);
    f.padding = (size_t)PTRDIFF_MAX;
    check_refused(&f, SSE_E_FRAME_TOO_LARGE);
    /* Just under the limit: measurable, and reported as not fitting. */
    f.padding = (size_t)PTRDIFF_MAX - 1;
    assert_int_equal(sse_encode(NULL, 0, &f), PTRDIFF_MAX);
}

/* A failing writer stops the encoder at once. */
static void writer_failure(void **state)
{
    sse_frame f = frame_data("a\nb\nc", 5);
    unsigned k;
    (void)state;
    SET(f, type, "t");
    for (k = 1; k <= 4; k++) {
        struct sink s;
        memset(&s, 0, sizeof s);
        s.fail_at = k;
        assert_int_equal(sse_encode_to(sink_write, &s, &f), SSE_E_CALLBACK);
        assert_int_equal(s.calls, k);
        free(s.buf);
    }
}

/* Large data with many lines: the measuring and single-pass paths agree,
 * and the iovec pieces point into the caller's data (zero copy). */
static void large_frame(void **state)
{
    size_t n = 300000, i, lines = 0;
    char *data = malloc(n);
    char *want, *got;
    sse_frame f;
    sse_iov *iov;
    sse_ssize len, need, k, in_data = 0;
    (void)state;
    assert_non_null(data);
    for (i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    for (i = 97; i < n - 1; i += 97 + i % 13) { /* lines of varying length */
        data[i] = (i % 3 == 0) ? '\r' : '\n';
        lines++;
    }
    f = frame_data(data, n);
    len = sse_encode(NULL, 0, &f);
    assert_true(len > (sse_ssize)n);
    want = malloc((size_t)len);
    got = malloc(sse_encode_bound(&f));
    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(sse_encode(want, (size_t)len, &f), len);         /* measured */
    assert_int_equal(sse_encode(got, sse_encode_bound(&f), &f), len); /* single pass */
    assert_memory_equal(want, got, (size_t)len);
    need = sse_encode_iov(NULL, 0, &f);
    assert_int_equal(need, 2 * (sse_ssize)(lines + 1) + 1);
    iov = malloc((size_t)need * sizeof *iov);
    assert_non_null(iov);
    assert_int_equal(sse_encode_iov(iov, (size_t)need, &f), need);
    for (k = 0; k < need; k++) {
        const char *b = iov[k].base;
        if (b >= data && b < data + n)
            in_data += (sse_ssize)iov[k].len;
    }
    assert_int_equal(in_data, (sse_ssize)(n - lines)); /* all but line ends */
    check_write_form(&f, want, (size_t)len);
    free(iov);
    free(got);
    free(want);
    free(data);
}

/* ---- Round trip -------------------------------------------------------- */

/* Random text from pieces that stress the format: line ends of every kind,
 * spaces, colons, NUL, multi-byte UTF-8 (and, unless utf8_only, bytes that
 * are not UTF-8). */
static size_t random_text(char *out, size_t cap, int utf8_only, int no_eol)
{
    static const char *const pieces[] = {
        "a", "xyz", " ", "  ", ":", "\n", "\r", "\r\n", "\n\r", "\t",
        "data: ", "id", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "\xEF\xBB\xBF", "0", "", "\xFF", "\xC3", "\x80\x80"};
    size_t npieces = sizeof pieces / sizeof pieces[0];
    size_t len = 0;
    unsigned count = test_rng(12);
    while (count--) {
        const char *p = pieces[test_rng((unsigned)npieces)];
        size_t n = strlen(p);
        if (utf8_only && sse_utf8_check(p, n) != n)
            continue;
        if (no_eol && strpbrk(p, "\r\n"))
            continue;
        if (len + n + 1 > cap)
            break;
        memcpy(out + len, p, n);
        len += n;
        if (!utf8_only && test_rng(20) == 0)
            out[len++] = '\0';
    }
    return len;
}

struct gen_frame {
    sse_frame f;
    char data[128], type[128], id[128], comment[128];
};

static void random_frame(struct gen_frame *g, int utf8_only)
{
    sse_frame *f = &g->f;
    memset(f, 0, sizeof *f);
    if (test_rng(8)) {
        f->data = g->data;
        f->data_len = random_text(g->data, sizeof g->data, utf8_only, 0);
    }
    if (test_rng(3) == 0) {
        f->type = g->type;
        f->type_len = random_text(g->type, sizeof g->type, utf8_only, 1);
    }
    if (test_rng(3) == 0) {
        f->id = g->id;
        f->id_len = random_text(g->id, sizeof g->id, utf8_only, 1);
    }
    if (test_rng(4) == 0) {
        f->comment = g->comment;
        f->comment_len =
            random_text(g->comment, sizeof g->comment, utf8_only, 0);
    }
    if (test_rng(6) == 0) {
        f->flags |= SSE_FRAME_RETRY;
        f->retry_ms = test_rng(3) ? test_rng(100000) : UINT64_MAX - test_rng(9);
    }
    if (test_rng(10) == 0)
        f->padding = test_rng(40);
    if (utf8_only)
        f->flags |= SSE_FRAME_CHECK_UTF8;
}

/* Many generated frames, encoded one after another into a stream that is
 * parsed back at random cuts: every accepted frame's fields come back, and
 * every refused frame leaves no trace. With SSE_FRAME_CHECK_UTF8 the stream
 * is also parsed in UTF-8 replacement mode (what a browser does) with the
 * same result. */
static void round_trip_run(int utf8_only)
{
    enum { FRAMES = 40, ROUNDS = 400 };
    int round;
    for (round = 0; round < ROUNDS; round++) {
        trace expect = {0};
        frame_state st = {0};
        char *stream = NULL;
        size_t len = 0, cuts[6], ncuts, i;
        int k;
        test_opts o;
        for (k = 0; k < FRAMES; k++) {
            struct gen_frame g;
            sse_ssize n;
            random_frame(&g, utf8_only);
            if (!utf8_only && test_rng(5) == 0) /* a line end in the type */
                SET(g.f, type, "bad\ntype");
            n = sse_encode(NULL, 0, &g.f);
            if (frame_refusal(&g.f) != SSE_OK) {
                assert_int_equal(n, frame_refusal(&g.f));
                continue;
            }
            assert_true(n >= 0);
            assert_true((size_t)n <= sse_encode_bound(&g.f));
            stream = realloc(stream, len + (size_t)n + 1);
            assert_non_null(stream);
            assert_int_equal(sse_encode(stream + len, (size_t)n, &g.f), n);
            check_iov_form(&g.f, stream + len, (size_t)n);
            check_write_form(&g.f, stream + len, (size_t)n);
            len += (size_t)n;
            frame_expect(&expect, &g.f, &st);
        }
        trace_add(&expect, "%s", "");
        ncuts = len ? 1 + test_rng(6) : 0;
        for (i = 0, k = 0; i < ncuts; i++) { /* ascending, within len */
            k += (int)test_rng((unsigned)(len / ncuts) + 1);
            cuts[i] = (size_t)k;
        }
        memset(&o, 0, sizeof o);
        o.pause_every = (int)test_rng(2);
        {
            char *got = run_split(stream, len, cuts, ncuts, &o);
            assert_string_equal(got, expect.text);
            free(got);
            if (utf8_only) {
                o.flags = SSE_PARSER_UTF8_REPLACE;
                got = run_split(stream, len, cuts, ncuts, &o);
                assert_string_equal(got, expect.text);
                free(got);
            }
        }
        frame_state_free(&st);
        free(expect.text);
        free(stream);
    }
}

static void round_trip_bytes(void **state)
{
    (void)state;
    round_trip_run(0);
}

static void round_trip_utf8_as_browser(void **state)
{
    (void)state;
    round_trip_run(1);
}

/* ---- Server helpers ---------------------------------------------------- */

static void response_headers(void **state)
{
    size_t n, i;
    const sse_header *h = sse_response_headers(&n);
    trace block = {0};
    (void)state;
    assert_int_equal(n, 3);
    assert_string_equal(h[0].name, "Content-Type");
    assert_string_equal(h[0].value, "text/event-stream");
    assert_string_equal(h[1].name, "Cache-Control");
    assert_string_equal(h[1].value, "no-cache");
    assert_string_equal(h[2].name, "X-Accel-Buffering");
    assert_string_equal(h[2].value, "no");
    assert_null(h[3].name);
    assert_null(h[3].value);
    assert_ptr_equal(sse_response_headers(NULL), h);
    /* The table and the macro block say the same thing. */
    for (i = 0; i < n; i++)
        trace_add(&block, "%s: %s\r\n", h[i].name, h[i].value);
    assert_string_equal(block.text, SSE_RESPONSE_HEADERS);
    free(block.text);
}

static void last_event_id(void **state)
{
    const char *id = NULL;
    size_t len = 99;
    (void)state;
    assert_int_equal(sse_last_event_id_read("42", 2, 0, &id, &len), SSE_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(id, "42", 2);
    /* Absent or empty header: no ID. */
    assert_int_equal(sse_last_event_id_read(NULL, 0, 0, &id, &len), SSE_OK);
    assert_int_equal(len, 0);
    assert_non_null(id);
    assert_int_equal(sse_last_event_id_read("", 0, 0, &id, &len), SSE_OK);
    assert_int_equal(len, 0);
    /* Optional whitespace around the value is not part of it. */
    assert_int_equal(sse_last_event_id_read(" \t a b \t", 8, 0, &id, &len),
                     SSE_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(id, "a b", 3);
    assert_int_equal(sse_last_event_id_read("  ", 2, 0, &id, &len), SSE_OK);
    assert_int_equal(len, 0);
    /* Bytes no browser sends. */
    assert_int_equal(sse_last_event_id_read("1\0002", 3, 0, &id, &len),
                     SSE_E_ID_NUL);
    assert_int_equal(len, 0);
    assert_int_equal(sse_last_event_id_read("1\r\n2", 4, 0, &id, &len),
                     SSE_E_ID_LINE_END);
    assert_int_equal(sse_last_event_id_read("12\n", 3, 0, &id, &len),
                     SSE_E_ID_LINE_END);
    /* The length cap, and its default. */
    assert_int_equal(sse_last_event_id_read("12345", 5, 4, &id, &len),
                     SSE_E_FIELD_TOO_LONG);
    assert_int_equal(len, 0);
    assert_int_equal(sse_last_event_id_read(" 1234 ", 6, 4, &id, &len),
                     SSE_OK);
    {
        size_t n = SSE_DEFAULT_MAX_FIELD + 1;
        char *big = malloc(n);
        assert_non_null(big);
        memset(big, '7', n);
        assert_int_equal(sse_last_event_id_read(big, n, 0, &id, &len),
                         SSE_E_FIELD_TOO_LONG);
        assert_int_equal(sse_last_event_id_read(big, n - 1, 0, &id, &len),
                         SSE_OK);
        assert_int_equal(len, n - 1);
        free(big);
    }
    assert_int_equal(sse_last_event_id_read("1", 1, 0, NULL, &len),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_last_event_id_read(NULL, 1, 0, &id, &len),
                     SSE_E_INVALID_ARGUMENT);
}

/* Every ID the encoder accepts comes back unchanged through the header. */
static void id_survives_last_event_id(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < 2000; i++) {
        struct gen_frame g;
        const char *id;
        size_t len;
        char buf[512];
        random_frame(&g, 0);
        g.f.id = g.id;
        g.f.id_len = random_text(g.id, sizeof g.id, 0, 1);
        if (sse_encode(buf, sizeof buf, &g.f) < 0)
            continue;
        assert_int_equal(sse_last_event_id_read(g.f.id, g.f.id_len, 0, &id,
                                                &len),
                         SSE_OK);
        assert_int_equal(len, g.f.id_len);
        assert_memory_equal(id, g.f.id, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_line_ends),
        cmocka_unit_test(data_leading_space),
        cmocka_unit_test(data_empty_and_nul),
        cmocka_unit_test(data_line_lengths),
        cmocka_unit_test(event_type),
        cmocka_unit_test(event_id),
        cmocka_unit_test(retry_field),
        cmocka_unit_test(comments_and_heartbeat),
        cmocka_unit_test(padding_comment),
        cmocka_unit_test(field_order),
        cmocka_unit_test(refusals),
        cmocka_unit_test(utf8_check),
        cmocka_unit_test(invalid_arguments),
        cmocka_unit_test(frame_too_large),
        cmocka_unit_test(writer_failure),
        cmocka_unit_test(large_frame),
        cmocka_unit_test(long_comment_round_trip),
        cmocka_unit_test(round_trip_bytes),
        cmocka_unit_test(round_trip_utf8_as_browser),
        cmocka_unit_test(response_headers),
        cmocka_unit_test(last_event_id),
        cmocka_unit_test(id_survives_last_event_id),
    };
    return cmocka_run_group_tests_name("encode", tests, NULL, NULL);
}
