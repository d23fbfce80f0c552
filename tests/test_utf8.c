/* UTF-8: the helpers and the parser's replacement mode must decode exactly
 * like the WHATWG Encoding Standard's UTF-8 decoder: one U+FFFD per maximal
 * subpart of an ill-formed sequence. */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R "\xEF\xBF\xBD" /* U+FFFD */
#define TR "\\xef\\xbf\\xbd" /* U+FFFD as the trace prints it */

struct replace_case {
    const char *in;
    size_t in_len;
    const char *out;
};

#define CASE(in, out) {in, sizeof(in) - 1, out}

/* Expected outputs follow the Encoding Standard's decoder steps. */
static const struct replace_case cases[] = {
    CASE("", ""),
    CASE("plain ascii", "plain ascii"),
    CASE("\xC2\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\xC2\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
    CASE("\x80", R),
    CASE("\xBF\xBF", R R),
    CASE("\xFF", R),
    CASE("\xFE\xFF", R R),
    CASE("\xC0\x80", R R),          /* C0 is never a lead byte */
    CASE("\xC1\xBF", R R),
    CASE("\xE0\x80\x80", R R R),    /* overlong: 80 below E0's range */
    CASE("\xE0\x9F\xBF", R R R),
    CASE("\xE0\xA0\x80", "\xE0\xA0\x80"),
    CASE("\xED\xA0\x80", R R R),    /* surrogate */
    CASE("\xED\x9F\xBF", "\xED\x9F\xBF"),
    CASE("\xF0\x80\x80\x80", R R R R),
    CASE("\xF4\x90\x80\x80", R R R R), /* above U+10FFFF */
    CASE("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"),
    CASE("\xF5\x80\x80\x80", R R R R),
    CASE("\xC2", R),                /* cut short at the end */
    CASE("\xE2\x82", R),
    CASE("\xF0\x9F\x98", R),
    CASE("\xF0\x9F\x98" "A", R "A"),
    CASE("\xE2\x82" "\xE2\x82\xAC", R "\xE2\x82\xAC"),
    CASE("\xE2" "\n", R "\n"),
    /* The Unicode Standard's maximal-subpart example (ch. 3, U+FFFD). */
    CASE("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
         "a" R R R "b" R "c" R R "d"),
};

static void replace_table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct replace_case *c = &cases[i];
        size_t want = strlen(c->out), cut;
        char buf[64];
        assert_int_equal(sse_utf8_replace(NULL, 0, c->in, c->in_len), want);
        memset(buf, '#', sizeof buf);
        assert_int_equal(sse_utf8_replace(buf, sizeof buf, c->in, c->in_len),
                         want);
        assert_memory_equal(buf, c->out, want);
        assert_int_equal(buf[want], '#');
        /* snprintf-like truncation: never past cap, length still right. */
        for (cut = 0; cut < want; cut++) {
            memset(buf, '#', sizeof buf);
            assert_int_equal(sse_utf8_replace(buf, cut, c->in, c->in_len),
                             want);
            assert_memory_equal(buf, c->out, cut);
            assert_int_equal(buf[cut], '#');
        }
        /* Valid input is exactly the input that needs no replacing. */
        assert_int_equal(sse_utf8_check(c->in, c->in_len) == c->in_len,
                         want == c->in_len &&
                             memcmp(c->out, c->in, want) == 0);
    }
}

static void check_offsets(void **state)
{
    (void)state;
    assert_int_equal(sse_utf8_check(NULL, 0), 0);
    assert_int_equal(sse_utf8_check("abc", 3), 3);
    assert_int_equal(sse_utf8_check("ab\xFF", 3), 2);
    assert_int_equal(sse_utf8_check("a\xE2\x82", 3), 1);
    assert_int_equal(sse_utf8_check("a\xE2\x82\xAC", 4), 4);
    assert_int_equal(sse_utf8_check("a\xED\xA0\x80", 4), 1);
}

/* Replacement mode: type, data, id and comments as a browser decodes them,
 * at every split of the stream (sequences cut across chunks included). */
static void parser_replace_mode(void **state)
{
    test_opts o;
    (void)state;
    memset(&o, 0, sizeof o);
    o.flags = SSE_PARSER_UTF8_REPLACE;
    CHECK_OPTS("data: a\xFF" "b\n\n", EV("message", "a" TR "b", ""), &o);
    CHECK_OPTS("data: \xF0\x9F\x98\x80\n\n",
               EV("message", "\\xf0\\x9f\\x98\\x80", ""), &o);
    CHECK_OPTS("data: \xE2\x82\n\n", EV("message", TR, ""), &o);
    /* A line end ends a cut-short sequence: one U+FFFD per line. */
    CHECK_OPTS("data: \xE2\ndata: \x82\n\n", EV("message", TR "\\n" TR, ""),
               &o);
    CHECK_OPTS("event: \xC0t\nid: \xED\xA0\x80\ndata: x\n\n",
               EV(TR "t", "x", TR TR TR), &o);
    CHECK_OPTS(": \xF0\x9F\n", "comment " TR "\n", &o);
    /* Names with invalid bytes match no field either way. */
    CHECK_OPTS("da\xFFta: x\n\ndata: \xC3\xA9\n\n",
               EV("message", "\\xc3\\xa9", ""), &o);
    /* A NUL in an id still voids it. */
    CHECK_OPTS("id: \xFF\0\ndata: x\n\n", EV("message", "x", ""), &o);
    /* Limits count the decoded bytes (U+FFFD is 3 bytes). */
    o.max_event = 4;
    CHECK_OPTS("data: \xFF\n\ndata: \xFF\xFF\n\ndata: ok\n\n",
               EV("message", TR, "") "error SSE_E_EVENT_TOO_LARGE\n"
                   EV("message", "ok", ""),
               &o);
}

/* Default mode passes every byte through unchanged. */
static void parser_pass_through(void **state)
{
    (void)state;
    CHECK("data: a\xFF" "b\xE2\x82\n\n", EV("message", "a\\xffb\\xe2\\x82", ""));
    CHECK("event: \xC0\nid: \xED\xA0\x80\ndata: x\n\n",
          EV("\\xc0", "x", "\\xed\\xa0\\x80"));
}

/* Every byte value as a one-byte data value in replacement mode. */
static void every_byte(void **state)
{
    unsigned b;
    (void)state;
    for (b = 0; b < 256; b++) {
        char in[16], want[64];
        test_opts o;
        char *got;
        size_t n = 0;
        int line_end = (b == '\n' || b == '\r');
        memcpy(in, "data: ", 6);
        n = 6;
        in[n++] = (char)b;
        in[n++] = '\n';
        in[n++] = '\n';
        memset(&o, 0, sizeof o);
        o.flags = SSE_PARSER_UTF8_REPLACE;
        got = run_split(in, n, NULL, 0, &o);
        if (line_end) {
            /* CR LF or LF LF: an empty data line, then the blank line. */
            assert_string_equal(got, "event type=message data= id=\n");
        } else if (b < 0x80) {
            trace t = {0};
            trace_add(&t, "event type=message data=");
            trace_bytes(&t, in + 6, 1);
            trace_add(&t, " id=\n");
            assert_string_equal(got, t.text);
            free(t.text);
        } else {
            snprintf(want, sizeof want, "event type=message data=%s id=\n", TR);
            assert_string_equal(got, want);
        }
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replace_table),
        cmocka_unit_test(check_offsets),
        cmocka_unit_test(parser_replace_mode),
        cmocka_unit_test(parser_pass_through),
        cmocka_unit_test(every_byte),
    };
    return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
