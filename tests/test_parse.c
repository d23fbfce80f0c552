/* Conformance: every rule of WHATWG HTML 9.2.6 "Parsing an event stream"
 * and 9.2.7 "Interpreting an event stream". Each expected trace is written
 * from the spec text; each stream is checked whole, in 1/2/3-byte chunks,
 * at every cut (and every pair of cuts for short streams), with malloc'd
 * memory, with a caller buffer, and pausing at every callback. */
#include "trace.h"

#include <string.h>


/* "a blank line dispatches"; default type is "message" */
static void simple_event(void **state)
{
    (void)state;
    CHECK("data: hello\n\n", EV("message", "hello", ""));
    CHECK("data: a\n\ndata: b\n\n",
          EV("message", "a", "") EV("message", "b", ""));
}

/* "Lines must be separated by either a CRLF pair, a single LF, or a single
 * CR." A CR then LF is one line end, even across chunks. */
static void line_ends(void **state)
{
    (void)state;
    CHECK("data: a\r\n\r\n", EV("message", "a", ""));
    CHECK("data: a\r\r", EV("message", "a", ""));
    CHECK("data: a\n\n", EV("message", "a", ""));
    CHECK("data: a\r\ndata: b\rdata: c\n\r\n", EV("message", "a\\nb\\nc", ""));
    /* CR CR LF: the LF belongs to the second CR; one blank line. */
    CHECK("data: a\r\r\ndata: b\r\n\r\n",
          EV("message", "a", "") EV("message", "b", ""));
    /* LF CR: two line ends. */
    CHECK("data: a\n\rdata: b\n\n",
          EV("message", "a", "") EV("message", "b", ""));
    /* WPT format-newlines */
    CHECK("data:test\r\ndata\ndata:test\r\n\r",
          EV("message", "test\\n\\ntest", ""));
}

/* "a single U+FEFF BYTE ORDER MARK character must be ignored" at the start
 * of the stream, and only there. */
static void bom(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBF" "data: x\n\n", EV("message", "x", ""));
    /* WPT format-bom-2: the second BOM makes the first field unknown. */
    CHECK("\xEF\xBB\xBF\xEF\xBB\xBF" "data: 1\n\ndata: 2\n\n",
          EV("message", "2", ""));
    /* WPT format-bom: a BOM later in the stream is not stripped. */
    CHECK("data: 1\n\n\xEF\xBB\xBF" "data: 2\n\ndata: 3\n\n",
          EV("message", "1", "") EV("message", "3", ""));
    /* Bytes that only start like a BOM belong to the field name. */
    CHECK("\xEF\xBB" "data: x\n\ndata: y\n\n", EV("message", "y", ""));
    CHECK("\xEF" "data: x\n\ndata: y\n\n", EV("message", "y", ""));
    /* A cut-short BOM followed by a line end is a (nameless) field line. */
    CHECK("\xEF\ndata: y\n\n", EV("message", "y", ""));
    CHECK("\xEF\xBB\xBF\n" "data: y\n\n", EV("message", "y", ""));
}

/* "If the line starts with a U+003A COLON character (:): ignore the line." */
static void comments(void **state)
{
    test_opts quiet;
    (void)state;
    CHECK(": keepalive\ndata: x\n\n", "comment keepalive\n" EV("message", "x", ""));
    CHECK(":\n", "comment \n");
    CHECK(":no space\n", "comment no space\n");
    CHECK(":  two\n", "comment  two\n");
    CHECK(":data: x\n\n", "comment data: x\n");
    CHECK("data: a\n: between\ndata: b\n\n",
          "comment between\n" EV("message", "a\\nb", ""));
    /* Without a comment callback comments cost nothing and change nothing. */
    memset(&quiet, 0, sizeof quiet);
    quiet.no_comments = 1;
    CHECK_OPTS(": x\ndata: y\n\n:z", EV("message", "y", ""), &quiet);
}

/* "If the line contains a colon: collect the characters before it as the
 * field name; the characters after it are the value, without one leading
 * U+0020 SPACE if there is one." */
static void leading_space(void **state)
{
    (void)state;
    CHECK("data:x\n\n", EV("message", "x", ""));
    CHECK("data: x\n\n", EV("message", "x", ""));
    CHECK("data:  x\n\n", EV("message", " x", ""));
    CHECK("data:\tx\n\n", EV("message", "\\x09x", ""));
    CHECK("data: \n\n", EV("message", "", ""));
    CHECK("data:x:y: z\n\n", EV("message", "x:y: z", ""));
    CHECK("event:  sp\ndata\n\n", EV(" sp", "", ""));
}

/* "Otherwise, the string is not empty but does not contain a colon: the
 * whole line is the field name, and the value is the empty string." */
static void field_without_colon(void **state)
{
    (void)state;
    CHECK("data\n\n", EV("message", "", ""));
    CHECK("data\ndata\n\n", EV("message", "\\n", ""));
    CHECK("id: 1\ndata: a\n\nid\ndata: b\n\n",
          EV("message", "a", "1") EV("message", "b", ""));
    CHECK("event\ndata: a\n\n", EV("message", "a", ""));
}

/* data: "Append the field value to the data buffer, then append a single
 * U+000A LINE FEED"; at dispatch "if the data buffer's last character is a
 * LF, remove it". */
static void data_field(void **state)
{
    (void)state;
    CHECK("data: a\ndata: b\ndata: c\n\n", EV("message", "a\\nb\\nc", ""));
    CHECK("data:\n\n", EV("message", "", ""));
    CHECK("data: a\ndata:\n\n", EV("message", "a\\n", ""));
    CHECK("data:\ndata:\n\n", EV("message", "\\n", ""));
    CHECK("data: a\0b\n\n", EV("message", "a\\x00b", ""));
    /* WPT format-null-character */
    CHECK("data:\0\n\n", EV("message", "\\x00", ""));
}

/* event: "Set the event type buffer to the field value." It is reset after
 * every blank line, dispatched or not. */
static void event_field(void **state)
{
    (void)state;
    CHECK("event: add\ndata: x\n\n", EV("add", "x", ""));
    CHECK("event:\ndata: x\n\n", EV("message", "x", ""));
    CHECK("event: a\nevent: b\ndata: x\n\n", EV("b", "x", ""));
    CHECK("data: x\nevent: late\n\n", EV("late", "x", ""));
    CHECK("event: a\ndata: 1\n\ndata: 2\n\n",
          EV("a", "1", "") EV("message", "2", ""));
    CHECK("event: a\n\ndata: x\n\n", EV("message", "x", ""));
    CHECK("event: a\0b\ndata: x\n\n", EV("a\\x00b", "x", ""));
}

/* id: "If the field value does not contain U+0000 NULL, then set the last
 * event ID buffer to the field value." The last event ID string is set from
 * the buffer at every blank line, and is not reset between events. */
static void id_field(void **state)
{
    (void)state;
    CHECK("id: 1\ndata: x\n\n", EV("message", "x", "1"));
    CHECK("data: x\nid: 7\n\n", EV("message", "x", "7"));
    CHECK("id: 1\ndata: a\n\ndata: b\n\n",
          EV("message", "a", "1") EV("message", "b", "1"));
    CHECK("id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: c\n\n",
          EV("message", "a", "1") EV("message", "b", "2")
              EV("message", "c", "2"));
    /* An id without data is committed at the blank line all the same. */
    CHECK("id: 5\n\ndata: x\n\n", EV("message", "x", "5"));
    /* NUL: the field is ignored, the previous id stays. */
    CHECK("id: 1\n\nid: a\0b\ndata: x\n\n", EV("message", "x", "1"));
    CHECK("id: \0\ndata: x\n\n", EV("message", "x", ""));
    /* Empty value resets it (WPT format-field-id-3). */
    CHECK("id: 1\ndata: 1\n\nid:\ndata: 2\n\n",
          EV("message", "1", "1") EV("message", "2", ""));
    CHECK("id: x\nid: y\ndata: d\n\n", EV("message", "d", "y"));
    CHECK("id:  sp \ndata: d\n\n", EV("message", "d", " sp "));
}

/* retry: "If the field value consists of only ASCII digits, then interpret
 * the field value as an integer in base ten ... Otherwise, ignore the
 * field." Values beyond 64 bits are ignored as in Chromium; an empty value
 * is ignored (it names no integer). */
static void retry_field(void **state)
{
    (void)state;
    CHECK("retry: 1000\n", "retry 1000\n");
    CHECK("retry:0\n", "retry 0\n");
    CHECK("retry: 007\n", "retry 7\n");
    CHECK("retry: 18446744073709551615\n", "retry 18446744073709551615\n");
    CHECK("retry: 18446744073709551616\n", "");
    CHECK("retry: 99999999999999999999999\n", "");
    CHECK("retry: 10a\n", "");
    CHECK("retry: -1\n", "");
    CHECK("retry: 1 \n", "");
    CHECK("retry:  5\n", "");
    CHECK("retry: 1.5\n", "");
    CHECK("retry:\n", "");
    CHECK("retry\ndata: test\n\n", EV("message", "test", ""));
    /* retry takes effect at once; it is not part of the event. */
    CHECK("data: a\nretry: 5\n\n", "retry 5\n" EV("message", "a", ""));
    CHECK("retry: 5", "");
}

/* "Otherwise: The field is ignored." Names are compared exactly. */
static void unknown_and_case(void **state)
{
    (void)state;
    CHECK("foo: bar\ndata: x\n\n", EV("message", "x", ""));
    CHECK("Data: x\n\n", "");
    CHECK("DATA: x\n\n", "");
    CHECK("Event: a\ndata: x\n\n", EV("message", "x", ""));
    CHECK("ID: 1\ndata: x\n\n", EV("message", "x", ""));
    CHECK("Retry: 1\n", "");
    CHECK("data : x\n\n", "");
    CHECK(" data: x\n\n", "");
    CHECK("dataa: x\n\n", "");
    CHECK("dat: x\n\n", "");
    CHECK("retryy: 1\nevents: a\nidd: 3\ndata: x\n\n", EV("message", "x", ""));
}

/* "If the data buffer is an empty string, set the data buffer and the event
 * type buffer to the empty string and return." */
static void no_dispatch_without_data(void **state)
{
    (void)state;
    CHECK("\n\n\n", "");
    CHECK("\r\n\r\n", "");
    CHECK("event: a\n\n", "");
    CHECK("id: 1\n\n", "");
    CHECK("foo\n\n", "");
}

/* "Once the end of the file is reached, any pending data must be discarded.
 * (If the file ends in the middle of an event, before the final empty line,
 * the incomplete event is not dispatched.)" */
static void unterminated_discarded(void **state)
{
    (void)state;
    CHECK("data: x\n", "");
    CHECK("data: x", "");
    CHECK("data: x\r", "");
    CHECK("data: a\n\ndata: b", EV("message", "a", ""));
    CHECK("data: a\n\ndata: b\n", EV("message", "a", ""));
    CHECK("", "");
}

/* WPT format-field-parsing: NUL in names and values, leading spaces, case,
 * CR and CRLF mixed. */
static void wpt_field_parsing(void **state)
{
    static const char in[] =
        "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\r"
        "data_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n";
    (void)state;
    check_splits(in, sizeof in - 1,
                 EV("message", "\\x00\\n 2\\n1\\n3\\n\\n4", ""), NULL);
}

/* Everything together, to exercise interactions across many splits. */
static void mixed_stream(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBF: hi\r\nretry: 300\r\nid: 1\r\nevent: up\r\n"
          "data: a\r\ndata:  b\r\n\r\n"
          "data: c\rid\r\r"
          "event: x\ndata\n\n",
          "comment hi\nretry 300\n" EV("up", "a\\n b", "1")
              EV("message", "c", "") EV("x", "", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_event),
        cmocka_unit_test(line_ends),
        cmocka_unit_test(bom),
        cmocka_unit_test(comments),
        cmocka_unit_test(leading_space),
        cmocka_unit_test(field_without_colon),
        cmocka_unit_test(data_field),
        cmocka_unit_test(event_field),
        cmocka_unit_test(id_field),
        cmocka_unit_test(retry_field),
        cmocka_unit_test(unknown_and_case),
        cmocka_unit_test(no_dispatch_without_data),
        cmocka_unit_test(unterminated_discarded),
        cmocka_unit_test(wpt_field_parsing),
        cmocka_unit_test(mixed_stream),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
