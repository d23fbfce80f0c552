/* The parser's API contract: pause/resume with exact byte counts, aborting
 * from a callback, finish, reset for reconnect, accessors, argument
 * checking, error texts and version. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

struct rec {
    trace t;
    int event_rc; /* what on_event returns */
    uint64_t offset_at_event;
};

static int rec_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct rec *r = user;
    trace_bytes(&r->t, ev->data, ev->data_len);
    trace_add(&r->t, "@");
    trace_bytes(&r->t, ev->id, ev->id_len);
    trace_add(&r->t, ";");
    r->offset_at_event = sse_parser_offset(p);
    if (r->event_rc == SSE_E_CALLBACK)
        sse_parser_set_error_reason(p, "consumer gave up");
    return r->event_rc;
}

static char mem[4096];
static sse_callbacks rec_cb;

static void rec_init(sse_parser *p, struct rec *r)
{
    sse_parser_options opt;
    memset(r, 0, sizeof *r);
    trace_add(&r->t, "%s", "");
    sse_callbacks_init(&rec_cb);
    rec_cb.on_event = rec_event;
    memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    assert_int_equal(sse_parser_init(p, &rec_cb, r, &opt), SSE_OK);
}

/* A pause returns the count up to and including the byte that completed
 * the event; feeding the rest resumes exactly there. */
static void pause_resume(void **state)
{
    static const char s[] = "data: a\n\ndata: b\r\n\r\ndata: c\r\r";
    sse_parser p;
    struct rec r;
    size_t n;
    (void)state;
    rec_init(&p, &r);
    r.event_rc = SSE_PAUSE;
    n = sse_parser_feed(&p, s, sizeof s - 1);
    assert_int_equal(n, 9);
    assert_int_equal(r.offset_at_event, 9);
    assert_int_equal(sse_parser_status(&p), SSE_PAUSE);
    assert_string_equal(sse_parser_error_reason(&p), "paused by a callback");
    /* CRLF blank line: the LF is consumed with it. */
    n += sse_parser_feed(&p, s + n, sizeof s - 1 - n);
    assert_int_equal(n, 20);
    n += sse_parser_feed(&p, s + n, sizeof s - 1 - n);
    assert_int_equal(n, sizeof s - 1);
    assert_string_equal(r.t.text, "a@;b@;c@;");
    /* Resuming with nothing left is fine. */
    assert_int_equal(sse_parser_feed(&p, s, 0), 0);
    assert_int_equal(sse_parser_status(&p), SSE_OK);
    sse_parser_destroy(&p);
    free(r.t.text);
}

/* A CR that ends a chunk and dispatches, then a pause: the LF that opens the
 * next chunk still belongs to that CR. */
static void pause_after_trailing_cr(void **state)
{
    sse_parser p;
    struct rec r;
    (void)state;
    rec_init(&p, &r);
    r.event_rc = SSE_PAUSE;
    assert_int_equal(sse_parser_feed(&p, "data: a\r\r", 9), 9);
    assert_int_equal(sse_parser_status(&p), SSE_PAUSE);
    assert_int_equal(sse_parser_feed(&p, "\ndata: b\n\n", 10), 10);
    assert_string_equal(r.t.text, "a@;b@;");
    sse_parser_destroy(&p);
    free(r.t.text);
}

/* Any other return aborts: the error sticks until reset. */
static void abort_and_reset(void **state)
{
    static const char s[] = "id: 1\ndata: a\n\ndata: b\n\n";
    sse_parser p;
    struct rec r;
    (void)state;
    rec_init(&p, &r);
    r.event_rc = SSE_E_CALLBACK;
    assert_int_equal(sse_parser_feed(&p, s, sizeof s - 1), 15);
    assert_int_equal(sse_parser_status(&p), SSE_E_CALLBACK);
    assert_string_equal(sse_parser_error_reason(&p), "consumer gave up");
    assert_int_equal(sse_parser_feed(&p, s + 15, sizeof s - 16), 0);
    assert_int_equal(sse_parser_finish(&p), SSE_E_CALLBACK);
    sse_parser_reset(&p);
    assert_int_equal(sse_parser_status(&p), SSE_OK);
    r.event_rc = 0;
    assert_int_equal(sse_parser_feed(&p, s + 15, sizeof s - 16),
                     sizeof s - 16);
    assert_string_equal(r.t.text, "a@1;b@1;");
    sse_parser_destroy(&p);
    free(r.t.text);
}

static int return_7(sse_parser *p, const sse_event *ev, void *u)
{
    (void)p;
    (void)ev;
    (void)u;
    return 7;
}

static void abort_default_reason(void **state)
{
    sse_parser p;
    sse_callbacks cb;
    sse_parser_options opt;
    (void)state;
    sse_callbacks_init(&cb);
    cb.on_event = return_7;
    memset(&opt, 0, sizeof opt);
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    assert_int_equal(sse_parser_feed(&p, "data: x\n\n", 9), 9);
    assert_int_equal(sse_parser_status(&p), SSE_E_CALLBACK);
    assert_string_equal(sse_parser_error_reason(&p),
                        "a callback returned an error");
}

static void finish_then_feed(void **state)
{
    sse_parser p;
    struct rec r;
    (void)state;
    rec_init(&p, &r);
    assert_int_equal(sse_parser_feed(&p, "data: a\n\ndata: b\n", 17), 17);
    assert_int_equal(sse_parser_finish(&p), SSE_OK);
    assert_int_equal(sse_parser_finish(&p), SSE_OK);
    assert_int_equal(sse_parser_feed(&p, "\n", 1), 0);
    assert_int_equal(sse_parser_status(&p), SSE_E_FINISHED);
    assert_string_equal(r.t.text, "a@;");
    sse_parser_destroy(&p);
    free(r.t.text);
}

/* Reset for a reconnect: the committed last event ID and the retry time
 * survive; a half-read event and an uncommitted id do not; a BOM is
 * accepted again at the start of the new stream. */
static void reset_for_reconnect(void **state)
{
    static const char s[] =
        "id: 42\nretry: 10\ndata: x\n\nid: 43\nretry: 20\ndata: par";
    sse_parser p;
    struct rec r;
    uint64_t retry = 0;
    size_t len;
    const char *id;
    (void)state;
    rec_init(&p, &r);
    assert_int_equal(sse_parser_retry(&p, &retry), 0);
    assert_int_equal(sse_parser_feed(&p, s, sizeof s - 1), sizeof s - 1);
    id = sse_parser_last_event_id(&p, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(id, "42", 2);
    sse_parser_reset(&p);
    assert_int_equal(sse_parser_offset(&p), 0);
    id = sse_parser_last_event_id(&p, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(id, "42", 2);
    assert_int_equal(sse_parser_retry(&p, &retry), 1);
    assert_int_equal(retry, 20); /* retry applies at once, not at dispatch */
    assert_int_equal(sse_parser_feed(&p, "\xEF\xBB\xBF" "data: y\n\n", 12), 12);
    assert_string_equal(r.t.text, "x@42;y@42;");
    sse_parser_destroy(&p);
    free(r.t.text);
}

static void last_event_id_commit(void **state)
{
    sse_parser p;
    struct rec r;
    size_t len = 99;
    (void)state;
    rec_init(&p, &r);
    assert_string_equal(sse_parser_last_event_id(&p, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(sse_parser_feed(&p, "id: abc\n", 8), 8);
    sse_parser_last_event_id(&p, &len);
    assert_int_equal(len, 0); /* not committed before the blank line */
    assert_int_equal(sse_parser_feed(&p, "\n", 1), 1);
    assert_memory_equal(sse_parser_last_event_id(&p, &len), "abc", 3);
    assert_int_equal(len, 3);
    /* An id without colon empties it again. */
    assert_int_equal(sse_parser_feed(&p, "id\n\n", 4), 4);
    sse_parser_last_event_id(&p, &len);
    assert_int_equal(len, 0);
    sse_parser_destroy(&p);
    free(r.t.text);
}

static void set_last_event_id(void **state)
{
    sse_parser p;
    struct rec r;
    char big[1024];
    size_t len;
    (void)state;
    rec_init(&p, &r);
    assert_int_equal(sse_parser_set_last_event_id(&p, "77", 2), SSE_OK);
    assert_memory_equal(sse_parser_last_event_id(&p, &len), "77", 2);
    assert_int_equal(sse_parser_set_last_event_id(&p, "a\0b", 3),
                     SSE_E_INVALID_ARGUMENT);
    memset(big, 'x', sizeof big); /* slots are 4096 / 8 = 512 bytes here */
    assert_int_equal(sse_parser_set_last_event_id(&p, big, sizeof big),
                     SSE_E_FIELD_TOO_LONG);
    assert_int_equal(sse_parser_feed(&p, "data: a\n\n", 9), 9);
    assert_string_equal(r.t.text, "a@77;");
    sse_parser_destroy(&p);
    free(r.t.text);
}

static void *never_alloc(void *ctx, void *ptr, size_t old, size_t size)
{
    (void)ctx;
    (void)ptr;
    (void)old;
    (void)size;
    return NULL;
}

static void init_arguments(void **state)
{
    sse_parser p;
    sse_callbacks cb;
    sse_parser_options opt;
    (void)state;
    sse_callbacks_init(&cb);
    memset(&opt, 0, sizeof opt);
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt),
                     SSE_E_INVALID_ARGUMENT); /* no memory */
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    opt.alloc = never_alloc;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt),
                     SSE_E_INVALID_ARGUMENT); /* two kinds of memory */
    opt.alloc = NULL;
    opt.flags = 0x80; /* unknown: reserved for later releases */
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt),
                     SSE_E_INVALID_ARGUMENT);
    opt.flags = SSE_PARSER_UTF8_REPLACE;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    sse_parser_destroy(&p);
    opt.flags = 0;
    assert_int_equal(sse_parser_init(&p, NULL, NULL, &opt),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_parser_init(&p, &cb, NULL, NULL),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_parser_init(NULL, &cb, NULL, &opt),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_parser_init_(&p, &cb, NULL, &opt, SSE_VERSION_NUMBER,
                                      sizeof p - 8),
                     SSE_E_VERSION);
    assert_int_equal(sse_parser_init_(&p, &cb, NULL, &opt,
                                      SSE_VERSION_NUMBER + 0x10000, sizeof p),
                     SSE_E_VERSION);
    /* A failed init leaves a parser that is safe to destroy and refuses. */
    sse_parser_destroy(&p);
    assert_int_equal(sse_parser_feed(NULL, "x", 1), 0);
    assert_int_equal(sse_parser_finish(NULL), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    assert_int_equal(sse_parser_feed(&p, NULL, 0), 0);
    assert_int_equal(sse_parser_status(&p), SSE_OK);
}

static void error_texts(void **state)
{
    static const int codes[] = {
#define CODE(num, name, text) num,
        SSE_ERRNO_MAP(CODE)
#undef CODE
    };
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_string_not_equal(sse_strerror(codes[i]), "unknown error");
        assert_true(strncmp(sse_errname(codes[i]), "SSE_", 4) == 0);
        for (j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(sse_errname(codes[i]),
                                    sse_errname(codes[j]));
        }
    }
    assert_string_equal(sse_errname(SSE_E_LINE_TOO_LONG),
                        "SSE_E_LINE_TOO_LONG");
    assert_string_equal(sse_errname(SSE_OK), "SSE_OK");
    assert_string_equal(sse_strerror(-12345), "unknown error");
    assert_string_equal(sse_errname(12345), "SSE_E_UNKNOWN");
}

static void version_and_size(void **state)
{
    (void)state;
    assert_int_equal(sse_version(), SSE_VERSION_NUMBER);
    assert_string_equal(sse_version_string(), SSE_VERSION_STRING);
    assert_int_equal(sse_parser_size(), sizeof(sse_parser));
    /* The parser state stays small enough to embed per connection. */
    assert_true(sizeof(sse_parser) <= 256);
}

/* The outcomes of the history and the reconnect policy are typed, and
 * none of them equals a status code, so a caller cannot mistake one for
 * the other. */
static void outcomes_apart_from_status_codes(void **state)
{
#define SSE_TEST_CODE(num, name, text) num,
    static const int codes[] = {SSE_ERRNO_MAP(SSE_TEST_CODE)};
#undef SSE_TEST_CODE
    /* Every outcome of every kind, each kind's values in a row. */
    static const int outcomes[] = {
        SSE_HISTORY_RESUME, SSE_HISTORY_CURRENT,  SSE_HISTORY_UNKNOWN,
        SSE_CLIENT_STREAM,  SSE_CLIENT_RECONNECT, SSE_CLIENT_STOP,
        SSE_CLIENT_FAIL,    SSE_STREAM_NEW,       SSE_STREAM_RESUMED,
        SSE_STREAM_CURRENT, SSE_STREAM_UNKNOWN};
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
        for (j = 0; j < sizeof codes / sizeof codes[0]; j++)
            assert_int_not_equal(outcomes[i], codes[j]);
        for (j = i + 1; j < sizeof outcomes / sizeof outcomes[0]; j++)
            assert_int_not_equal(outcomes[i], outcomes[j]);
    }
    assert_int_equal(SSE_PAUSE, 1);
    assert_string_equal(sse_errname(SSE_PAUSE), "SSE_PAUSE");
}

static void version_at_least(void **state)
{
    (void)state;
    assert_true(SSE_VERSION_AT_LEAST(SSE_VERSION_MAJOR, SSE_VERSION_MINOR,
                                     SSE_VERSION_PATCH));
    assert_true(SSE_VERSION_AT_LEAST(0, 0, 0));
    assert_false(SSE_VERSION_AT_LEAST(SSE_VERSION_MAJOR, SSE_VERSION_MINOR,
                                      SSE_VERSION_PATCH + 1));
    assert_false(SSE_VERSION_AT_LEAST(SSE_VERSION_MAJOR,
                                      SSE_VERSION_MINOR + 1, 0));
    assert_false(SSE_VERSION_AT_LEAST(SSE_VERSION_MAJOR + 1, 0, 0));
#if !SSE_VERSION_AT_LEAST(0, 1, 0)
    fail_msg("usable in #if");
#endif
}

static void *limits_alloc(void *ctx, void *ptr, size_t old_size,
                          size_t new_size)
{
    (void)ctx;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

/* The limits in force: the documented defaults, the options as given, and
 * with a caller buffer what fits (one eighth per field slot, the rest for
 * data), as the header says. */
static void limits_in_force(void **state)
{
    static char buffer[8000];
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    size_t line = 1, event = 1, field = 1;
    (void)state;
    sse_callbacks_init(&cb);
    memset(&p, 0, sizeof p);
    sse_parser_limits(&p, &line, &event, &field);
    assert_true(line == 0 && event == 0 && field == 0);
    sse_parser_limits(NULL, NULL, NULL, NULL);

    memset(&opt, 0, sizeof opt);
    opt.alloc = limits_alloc;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    sse_parser_limits(&p, &line, &event, &field);
    assert_int_equal(line, SSE_DEFAULT_MAX_LINE);
    assert_int_equal(event, SSE_DEFAULT_MAX_EVENT);
    assert_int_equal(field, SSE_DEFAULT_MAX_FIELD);
    sse_parser_destroy(&p);

    opt.max_line = 100;
    opt.max_event = 200;
    opt.max_field = 30;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    sse_parser_limits(&p, &line, NULL, NULL);
    assert_int_equal(line, 100);
    sse_parser_limits(&p, NULL, &event, &field);
    assert_int_equal(event, 200);
    assert_int_equal(field, 30);
    sse_parser_destroy(&p);

    /* 8000 bytes: slots of min(30, 1000), data 8000 - 4 * 30, cut to 200;
     * then with no max_event, all of it. */
    memset(&opt, 0, sizeof opt);
    opt.buffer = buffer;
    opt.buffer_size = sizeof buffer;
    opt.max_field = 30;
    opt.max_event = 200;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    sse_parser_limits(&p, &line, &event, &field);
    assert_int_equal(line, SSE_DEFAULT_MAX_LINE);
    assert_int_equal(event, 200);
    assert_int_equal(field, 30);
    opt.max_event = 0;
    opt.max_field = 0;
    assert_int_equal(sse_parser_init(&p, &cb, NULL, &opt), SSE_OK);
    sse_parser_limits(&p, NULL, &event, &field);
    assert_int_equal(field, 1000);
    assert_int_equal(event, 8000 - 4 * 1000);
}

/* sse_callbacks_init clears every slot, the reserved ones too: later
 * releases read a callback added there only if it is non-NULL. */
static void callbacks_init_clears_all(void **state)
{
    sse_callbacks cb, zero;
    (void)state;
    memset(&cb, 0xA5, sizeof cb);
    memset(&zero, 0, sizeof zero);
    sse_callbacks_init(&cb);
    assert_memory_equal(&cb, &zero, sizeof cb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pause_resume),
        cmocka_unit_test(pause_after_trailing_cr),
        cmocka_unit_test(abort_and_reset),
        cmocka_unit_test(abort_default_reason),
        cmocka_unit_test(finish_then_feed),
        cmocka_unit_test(reset_for_reconnect),
        cmocka_unit_test(last_event_id_commit),
        cmocka_unit_test(set_last_event_id),
        cmocka_unit_test(init_arguments),
        cmocka_unit_test(error_texts),
        cmocka_unit_test(version_and_size),
        cmocka_unit_test(version_at_least),
        cmocka_unit_test(outcomes_apart_from_status_codes),
        cmocka_unit_test(limits_in_force),
        cmocka_unit_test(callbacks_init_clears_all),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
