/* Streaming delivery (SSE_PARSER_STREAM_DATA) and the encoder fed data in
 * pieces: what differs from buffered delivery. That the pieces, joined,
 * give every spec rule's events is checked by every test in test_parse
 * (trace.c runs each one streaming too, at every split). */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#define STREAM SSE_PARSER_STREAM_DATA
#define DISCARD(code, data) "discarded SSE_E_" code " data=" data "\n"

static test_opts streaming(size_t line, size_t event, size_t field)
{
    test_opts o;
    memset(&o, 0, sizeof o);
    o.flags = STREAM;
    o.max_line = line;
    o.max_event = event;
    o.max_field = field;
    o.discards = 1;
    return o;
}

/* Streaming keeps no data, so a data line needs no max_line and an event
 * no max_event; every other line still has its limit. */
static void data_has_no_size_limit(void **state)
{
    test_opts o = streaming(8, 4, 0);
    (void)state;
    CHECK_OPTS("data: 0123456789abcdef\ndata: more than four\n\n",
               EV("message", "0123456789abcdef\\nmore than four", ""), &o);
    CHECK_OPTS("data: ok\nunknown-field: longer than 8\n\ndata: b\n\n",
               ERR("LINE_TOO_LONG") DISCARD("LINE_TOO_LONG", "ok")
                   EV("message", "b", ""),
               &o);
    /* A name that is not "data" after all is measured from its start
     * (fuzz_pieces 297950ef...: it was not, once cut after "data"). */
    CHECK_OPTS("dataxyzw: v\n\ndata: c\n\n",
               ERR("LINE_TOO_LONG") EV("message", "c", ""), &o);
    o = streaming(1, 0, 0);
    CHECK_OPTS("data0 a\ndata:\n\n", ERR("LINE_TOO_LONG"), &o);
    /* A name cut by the end of input that may still be "data" is not
     * measured (fuzz_pieces aee277d0...): the same at every cut. */
    CHECK_OPTS("data\n\ndat", EV("message", "", ""), &o);
}

/* An event its blank line never ends is discarded with
 * SSE_E_EVENT_UNFINISHED, however much of it was delivered. */
static void unfinished_event_discarded(void **state)
{
    test_opts o = streaming(0, 0, 0);
    (void)state;
    CHECK_OPTS("data: abc\ndata: de", DISCARD("EVENT_UNFINISHED", "abc\\nde"),
               &o);
    CHECK_OPTS("data: abc\n", DISCARD("EVENT_UNFINISHED", "abc"), &o);
    CHECK_OPTS("data\n", DISCARD("EVENT_UNFINISHED", ""), &o);
    /* No data line: nothing started, nothing to discard. */
    CHECK_OPTS("event: x\nid: 1\n", "", &o);
}

/* A limit that drops an event already begun ends it at its blank line,
 * with the limit's code; the last event ID still applies. */
static void dropped_event_ends_discarded(void **state)
{
    test_opts o = streaming(0, 0, 4);
    (void)state;
    CHECK_OPTS("data: a\nevent: too-long\ndata: b\nid: 1\n\ndata: c\n\n",
               ERR("FIELD_TOO_LONG") DISCARD("FIELD_TOO_LONG", "a")
                   EV("message", "c", "1"),
               &o);
}

/* The type and the id may follow the data lines: the end carries them. */
static void end_carries_type_and_id(void **state)
{
    test_opts o = streaming(0, 0, 0);
    (void)state;
    CHECK_OPTS("data: x\nevent: late\nid: 7\n\n", EV("late", "x", "7"), &o);
}

/* UTF-8 replacement across pieces: a sequence cut by a chunk is completed
 * by the next; one cut by the line end is one U+FFFD. */
static void utf8_replacement_in_pieces(void **state)
{
    test_opts o = streaming(0, 0, 0);
    (void)state;
    o.flags |= SSE_PARSER_UTF8_REPLACE;
    CHECK_OPTS("data: \xE2\x82\xAC\xE2\x82\ndata: \xFF!\n\n",
               EV("message",
                  "\\xe2\\x82\\xac\\xef\\xbf\\xbd\\n\\xef\\xbf\\xbd!", ""),
               &o);
}

/* The raw pieces, for what the trace (pieces joined) cannot show. */
struct pieces {
    char log[512];
    int starts, ends, last_status;
    int pause_at_start, abort_in_data;
};

static void log_piece(struct pieces *r, const char *s, size_t n)
{
    size_t at = strlen(r->log);
    assert_true(at + n + 2 < sizeof r->log);
    memcpy(r->log + at, s, n);
    r->log[at + n] = '|';
    r->log[at + n + 1] = '\0';
}

static int raw_start(sse_parser *p, void *user)
{
    struct pieces *r = user;
    (void)p;
    r->starts++;
    log_piece(r, "<", 1);
    return r->pause_at_start ? SSE_PAUSE : 0;
}

static int raw_data(sse_parser *p, const char *s, size_t n, void *user)
{
    struct pieces *r = user;
    (void)p;
    assert_true(n > 0);
    log_piece(r, s, n);
    return r->abort_in_data ? -1 : 0;
}

static int raw_end(sse_parser *p, const sse_event *ev, int status,
                   void *user)
{
    struct pieces *r = user;
    (void)p;
    assert_null(ev->data);
    r->ends++;
    r->last_status = status;
    log_piece(r, ">", 1);
    return 0;
}

static int no_event(sse_parser *p, const sse_event *ev, void *user)
{
    (void)p;
    (void)ev;
    (void)user;
    fail_msg("on_event called while streaming");
    return 0;
}

static void raw_init(sse_parser *p, sse_callbacks *cb, struct pieces *r,
                     void *mem, size_t size)
{
    sse_parser_options opt;
    memset(r, 0, sizeof *r);
    sse_callbacks_init(cb);
    cb->on_event = no_event;
    cb->on_event_start = raw_start;
    cb->on_data = raw_data;
    cb->on_event_end = raw_end;
    memset(&opt, 0, sizeof opt);
    opt.flags = STREAM;
    opt.buffer = mem;
    opt.buffer_size = size;
    assert_int_equal(sse_parser_init(p, cb, r, &opt), SSE_OK);
}

/* Pieces lie where the bytes lie: a line whole in a chunk is one piece,
 * the joining LF comes before the next line, never after the last. */
static void pieces_as_they_arrive(void **state)
{
    static const char in[] = "data: hello\ndata: wor";
    char mem[256];
    sse_callbacks cb;
    struct pieces r;
    sse_parser p;
    (void)state;
    raw_init(&p, &cb, &r, mem, sizeof mem);
    assert_int_equal(sse_parser_feed(&p, in, sizeof in - 1), sizeof in - 1);
    assert_int_equal(sse_parser_feed(&p, "ld\n\n", 4), 4);
    assert_string_equal(r.log, "<|hello|\n|wor|ld|>|");
    assert_int_equal(r.last_status, SSE_OK);
    sse_parser_destroy(&p);
}

/* A pause in on_event_start stops the feed before the first piece; the
 * rest of the chunk, fed again, goes on exactly there. */
static void pause_between_pieces(void **state)
{
    static const char in[] = "data: ab\n\n";
    char mem[256];
    sse_callbacks cb;
    struct pieces r;
    sse_parser p;
    size_t used;
    (void)state;
    raw_init(&p, &cb, &r, mem, sizeof mem);
    r.pause_at_start = 1;
    used = sse_parser_feed(&p, in, sizeof in - 1);
    assert_int_equal(used, 6); /* "data: " */
    assert_int_equal(sse_parser_status(&p), SSE_PAUSE);
    assert_string_equal(r.log, "<|");
    assert_int_equal(sse_parser_feed(&p, in + used, sizeof in - 1 - used),
                     sizeof in - 1 - used);
    assert_string_equal(r.log, "<|ab|>|");
    sse_parser_destroy(&p);
}

/* Every start gets exactly one end: after an abort, finish delivers it;
 * reset does too; destroy calls nothing. */
static void every_start_gets_an_end(void **state)
{
    char mem[256];
    sse_callbacks cb;
    struct pieces r;
    sse_parser p;
    (void)state;
    raw_init(&p, &cb, &r, mem, sizeof mem);
    r.abort_in_data = 1;
    sse_parser_feed(&p, "data: x\n\n", 9);
    assert_int_equal(sse_parser_status(&p), SSE_E_CALLBACK);
    assert_int_equal(r.ends, 0);
    assert_int_equal(sse_parser_finish(&p), SSE_E_CALLBACK);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.last_status, SSE_E_EVENT_UNFINISHED);
    assert_int_equal(sse_parser_finish(&p), SSE_E_CALLBACK); /* no second */
    assert_int_equal(r.ends, 1);

    r.abort_in_data = 0;
    sse_parser_reset(&p);
    sse_parser_feed(&p, "data: y", 7);
    sse_parser_reset(&p);
    assert_int_equal(r.starts, 2);
    assert_int_equal(r.ends, 2);
    assert_int_equal(r.last_status, SSE_E_EVENT_UNFINISHED);
    sse_parser_feed(&p, "data: z", 7);
    sse_parser_destroy(&p);
    assert_int_equal(r.ends, 2);
}

/* A caller buffer far smaller than the event: streaming needs none of it
 * for data, and reports no event limit. */
static void big_event_small_buffer(void **state)
{
    char mem[64], chunk[1000];
    sse_callbacks cb;
    struct pieces r;
    sse_parser p;
    size_t event, i;
    (void)state;
    raw_init(&p, &cb, &r, mem, sizeof mem);
    sse_parser_limits(&p, NULL, &event, NULL);
    assert_true(event == SIZE_MAX);
    cb.on_data = NULL; /* the bytes are not wanted here, only the end */
    memset(chunk, 'x', sizeof chunk);
    sse_parser_feed(&p, "data: ", 6);
    for (i = 0; i < 1000; i++)
        assert_int_equal(sse_parser_feed(&p, chunk, sizeof chunk),
                         sizeof chunk);
    sse_parser_feed(&p, "\n\n", 2);
    assert_int_equal(r.ends, 1);
    assert_int_equal(r.last_status, SSE_OK);
    sse_parser_destroy(&p);
}

/* ---- Encoder, data in pieces ------------------------------------------- */

/* Encodes data cut at the given offsets; returns the output (caller frees)
 * and its length in *n, or NULL with *n the refusal. */
static char *encode_pieces(const sse_frame *f, const char *data, size_t len,
                           const size_t *cuts, size_t ncuts, sse_ssize *n)
{
    sse_encoder e;
    size_t cap = sse_encode_bound(f) + SSE_ENCODE_DATA_BOUND(len) +
                 SSE_ENCODE_END_BOUND * (ncuts + 1);
    char *out = malloc(cap);
    size_t at = 0, used = 0, i;
    sse_ssize rc;
    assert_non_null(out);
    rc = sse_encode_begin(&e, out, cap, f);
    for (i = 0; rc >= 0 && i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        used += (size_t)rc;
        rc = sse_encode_data(&e, out + used, cap - used, data + at, to - at);
        at = to;
    }
    if (rc >= 0) {
        used += (size_t)rc;
        rc = sse_encode_end(&e, out + used, cap - used);
    }
    if (rc < 0) {
        free(out);
        *n = rc;
        return NULL;
    }
    *n = (sse_ssize)(used + (size_t)rc);
    return out;
}

static void encoder_line_break_across_pieces(void **state)
{
    static const char data[] = "a\r\nb\rc\n";
    size_t cuts[2];
    sse_frame f;
    sse_ssize n;
    char *out;
    (void)state;
    memset(&f, 0, sizeof f);
    SET(f, type, "t");
    /* Every cut into two and three pieces: one CR LF, never two breaks. */
    for (cuts[0] = 0; cuts[0] <= sizeof data - 1; cuts[0]++)
        for (cuts[1] = cuts[0]; cuts[1] <= sizeof data - 1; cuts[1]++) {
            out = encode_pieces(&f, data, sizeof data - 1, cuts, 2, &n);
            assert_non_null(out);
            assert_int_equal(n, 40);
            assert_memory_equal(out,
                                "event: t\ndata: a\ndata: b\ndata: c\n"
                                "data:\n\n",
                                40);
            free(out);
        }
    /* One byte at a time: every CR and LF a piece of its own. */
    {
        size_t each[sizeof data - 2], k;
        for (k = 0; k < sizeof each / sizeof each[0]; k++)
            each[k] = k + 1;
        out = encode_pieces(&f, data, sizeof data - 1, each,
                            sizeof each / sizeof each[0], &n);
        assert_non_null(out);
        assert_int_equal(n, 40);
        assert_memory_equal(out,
                            "event: t\ndata: a\ndata: b\ndata: c\n"
                            "data:\n\n",
                            40);
        free(out);
    }
    /* No piece at all: empty data, which still dispatches. */
    memset(&f, 0, sizeof f);
    out = encode_pieces(&f, "", 0, NULL, 0, &n);
    assert_non_null(out);
    assert_int_equal(n, 7);
    assert_memory_equal(out, "data:\n\n", 7);
    free(out);
}

static void encoder_refusals_write_nothing(void **state)
{
    char out[64];
    sse_encoder e;
    sse_frame f;
    (void)state;
    memset(&f, 0, sizeof f);
    memset(out, '#', sizeof out);
    SET(f, type, "a\nb");
    assert_int_equal(sse_encode_begin(&e, out, sizeof out, &f),
                     SSE_E_TYPE_LINE_END);
    SET(f, type, "t");
    SET(f, id, "1\0002");
    assert_int_equal(sse_encode_begin(&e, out, sizeof out, &f), SSE_E_ID_NUL);
    assert_int_equal(out[0], '#');
    /* Data goes through sse_encode_data, not the frame. */
    memset(&f, 0, sizeof f);
    SET(f, data, "x");
    assert_int_equal(sse_encode_begin(&e, out, sizeof out, &f),
                     SSE_E_INVALID_ARGUMENT);
    /* Data or an end with no frame begun. */
    memset(&e, 0, sizeof e);
    assert_int_equal(sse_encode_data(&e, out, sizeof out, "x", 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_encode_end(&e, out, sizeof out),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(out[0], '#');
}

/* Too little room: the size needed, nothing written, nothing changed. */
static void encoder_piece_needs_room(void **state)
{
    char out[64];
    sse_encoder e;
    sse_frame f;
    (void)state;
    memset(&f, 0, sizeof f);
    memset(out, '#', sizeof out);
    assert_int_equal(sse_encode_begin(&e, out, sizeof out, &f), 0);
    assert_int_equal(sse_encode_data(&e, NULL, 0, NULL, 0), 0);
    assert_int_equal(sse_encode_data(&e, out, 3, "ab\r", 3), 8);
    assert_int_equal(out[0], '#');
    assert_int_equal(sse_encode_data(&e, out, 8, "ab\r", 3), 8);
    assert_int_equal(sse_encode_data(&e, out + 8, 0, "\n", 1), 0);
    /* An empty last line, "\ndata:", and the blank line: the bound. */
    assert_int_equal(sse_encode_end(&e, out + 8, 7), SSE_ENCODE_END_BOUND);
    assert_int_equal(sse_encode_end(&e, out + 8, 8), 8);
    assert_memory_equal(out, "data: ab\ndata:\n\n", 16);
}

/* Under SSE_FRAME_CHECK_UTF8 a sequence may be cut between pieces; an
 * ill-formed piece is refused alone, and an end inside a sequence too. */
static void encoder_utf8_across_pieces(void **state)
{
    char out[64];
    sse_encoder e;
    sse_frame f;
    sse_ssize a, b;
    (void)state;
    memset(&f, 0, sizeof f);
    f.flags = SSE_FRAME_CHECK_UTF8;
    assert_int_equal(sse_encode_begin(&e, out, sizeof out, &f), 0);
    a = sse_encode_data(&e, out, sizeof out, "\xE2\x82", 2);
    assert_int_equal(a, 8);
    assert_int_equal(sse_encode_end(&e, out + a, sizeof out - 8),
                     SSE_E_INVALID_UTF8);
    assert_int_equal(sse_encode_data(&e, out + a, sizeof out - 8, "A", 1),
                     SSE_E_INVALID_UTF8);
    b = sse_encode_data(&e, out + a, sizeof out - 8, "\xAC", 1);
    assert_int_equal(b, 1);
    assert_int_equal(sse_encode_end(&e, out + 9, sizeof out - 9), 2);
    assert_memory_equal(out, "data: \xE2\x82\xAC\n\n", 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_has_no_size_limit),
        cmocka_unit_test(unfinished_event_discarded),
        cmocka_unit_test(dropped_event_ends_discarded),
        cmocka_unit_test(end_carries_type_and_id),
        cmocka_unit_test(utf8_replacement_in_pieces),
        cmocka_unit_test(pieces_as_they_arrive),
        cmocka_unit_test(pause_between_pieces),
        cmocka_unit_test(every_start_gets_an_end),
        cmocka_unit_test(big_event_small_buffer),
        cmocka_unit_test(encoder_line_break_across_pieces),
        cmocka_unit_test(encoder_refusals_write_nothing),
        cmocka_unit_test(encoder_piece_needs_room),
        cmocka_unit_test(encoder_utf8_across_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
