/* The client helper: the spec's response rules (WHATWG 9.2.3: a status
 * other than 200, or a Content-Type other than text/event-stream, fails the
 * connection; 204 stops), the request headers (Accept, Cache-Control,
 * Last-Event-ID from the parser, id-only frames included), and the
 * reconnect delays: the server's retry after a healthy connection,
 * doubling with jitter after failures, capped, reset by a healthy one. */
#include "trace.h"

#include <stdio.h>
#include <string.h>

struct stream {
    sse_parser p;
    sse_callbacks cb;
    char mem[4096];
};

static void stream_init(struct stream *s)
{
    sse_parser_options opt = {0};
    sse_callbacks_init(&s->cb);
    opt.buffer = s->mem;
    opt.buffer_size = sizeof s->mem;
    assert_int_equal(sse_parser_init(&s->p, &s->cb, NULL, &opt), SSE_OK);
}

static void feed(struct stream *s, const char *text)
{
    size_t n = strlen(text);
    /* One byte at a time: the helper reads only committed state. */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sse_parser_feed(&s->p, text + i, 1), 1);
}

static int response(int status, const char *type)
{
    sse_client c;
    assert_int_equal(sse_client_init(&c, NULL), SSE_OK);
    return sse_client_check_response(&c, status, type, type ? strlen(type) : 0);
}

static void response_rules(void **state)
{
    (void)state;
    assert_int_equal(response(200, "text/event-stream"), SSE_CLIENT_STREAM);
    /* MIME types compare without case, parameters and spaces allowed. */
    assert_int_equal(response(200, "Text/Event-Stream"), SSE_CLIENT_STREAM);
    assert_int_equal(response(200, "text/event-stream; charset=utf-8"),
                     SSE_CLIENT_STREAM);
    assert_int_equal(response(200, " text/event-stream ;x=y"), SSE_CLIENT_STREAM);
    /* Anything else fails the connection, for good. */
    assert_int_equal(response(200, NULL), SSE_CLIENT_FAIL);
    assert_int_equal(response(200, ""), SSE_CLIENT_FAIL);
    assert_int_equal(response(200, "text/plain"), SSE_CLIENT_FAIL);
    assert_int_equal(response(200, "text/event-streams"), SSE_CLIENT_FAIL);
    assert_int_equal(response(200, "text/event"), SSE_CLIENT_FAIL);
    assert_int_equal(response(200, "application/json"), SSE_CLIENT_FAIL);
    assert_int_equal(response(201, "text/event-stream"), SSE_CLIENT_FAIL);
    assert_int_equal(response(500, "text/event-stream"), SSE_CLIENT_FAIL);
    assert_int_equal(response(404, "text/html"), SSE_CLIENT_FAIL);
    assert_int_equal(response(301, "text/event-stream"), SSE_CLIENT_FAIL);
    /* 204 No Content: the server asks the client to stop. */
    assert_int_equal(response(204, NULL), SSE_CLIENT_STOP);
    assert_int_equal(response(204, "text/event-stream"), SSE_CLIENT_STOP);
}

static void stop_and_fail_are_final(void **state)
{
    sse_client c;
    uint64_t delay = 99;
    (void)state;
    assert_int_equal(sse_client_init(&c, NULL), SSE_OK);
    sse_client_check_response(&c, 500, "text/event-stream", 17);
    assert_int_equal(sse_client_next_attempt(&c, NULL, &delay), SSE_CLIENT_FAIL);
    assert_int_equal(delay, 0);
    assert_int_equal(sse_client_next_attempt(&c, NULL, &delay), SSE_CLIENT_FAIL);

    assert_int_equal(sse_client_init(&c, NULL), SSE_OK);
    sse_client_check_response(&c, 204, NULL, 0);
    assert_int_equal(sse_client_next_attempt(&c, NULL, &delay), SSE_CLIENT_STOP);
}

static void request_headers(void **state)
{
    char text[256] = "";
    size_t n;
    const sse_header *h = sse_request_headers(&n);
    (void)state;
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s: %s\r\n", h[i].name,
                 h[i].value);
    }
    assert_string_equal(text, SSE_REQUEST_HEADERS);
    assert_string_equal(text,
                        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n");
    assert_null(h[n].name);
    assert_non_null(sse_request_headers(NULL));
}

static void last_event_id_header(void **state)
{
    struct stream s;
    char buf[64];
    (void)state;
    memset(buf, 'x', sizeof buf);
    /* No parser, or no id yet: no header. */
    assert_int_equal(sse_last_event_id_write(NULL, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    stream_init(&s);
    assert_int_equal(sse_last_event_id_write(&s.p, buf, sizeof buf), 0);

    /* An id counts once its event is dispatched (the blank line). */
    feed(&s, "id: 41\ndata: a\n");
    assert_int_equal(sse_last_event_id_write(&s.p, buf, sizeof buf), 0);
    feed(&s, "\n");
    assert_int_equal(sse_last_event_id_write(&s.p, buf, sizeof buf), 17);
    assert_string_equal(buf, "Last-Event-ID: 41");

    /* An id-only frame sets it too: the spec commits the last event ID
     * before it checks for data. */
    feed(&s, "id: 42\n\n");
    sse_last_event_id_write(&s.p, buf, sizeof buf);
    assert_string_equal(buf, "Last-Event-ID: 42");

    /* A buffer too small gets nothing, and learns the size. */
    memset(buf, 'x', sizeof buf);
    assert_int_equal(sse_last_event_id_write(&s.p, buf, 17), 17);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(sse_last_event_id_write(&s.p, buf, 18), 17);
    assert_string_equal(buf, "Last-Event-ID: 42");
    assert_int_equal(sse_last_event_id_write(&s.p, NULL, 0), 17);

    /* "id:" with no value resets it: no header again. */
    feed(&s, "id\n\n");
    assert_int_equal(sse_last_event_id_write(&s.p, buf, sizeof buf), 0);

    /* It survives sse_parser_reset, i.e. a reconnect. */
    feed(&s, "id: 7\n\n");
    sse_parser_reset(&s.p);
    sse_last_event_id_write(&s.p, buf, sizeof buf);
    assert_string_equal(buf, "Last-Event-ID: 7");
    sse_parser_destroy(&s.p);
}

/* One healthy connection: accepted and an event dispatched. */
static int healthy_then_close(sse_client *c, const sse_parser *p,
                              uint64_t *delay)
{
    assert_int_equal(sse_client_check_response(c, 200, "text/event-stream", 17),
                     SSE_CLIENT_STREAM);
    sse_client_mark_healthy(c);
    return sse_client_next_attempt(c, p, delay);
}

static void healthy_reconnects_after_retry(void **state)
{
    struct stream s;
    sse_client c;
    sse_client_options opt = {0};
    uint64_t delay;
    (void)state;
    opt.initial_retry_ms = 1500;
    assert_int_equal(sse_client_init(&c, &opt), SSE_OK);
    stream_init(&s);
    /* Before the server says otherwise: the initial delay, exactly. */
    assert_int_equal(healthy_then_close(&c, &s.p, &delay), SSE_CLIENT_RECONNECT);
    assert_int_equal(delay, 1500);
    /* The server's retry replaces it, and keeps applying. */
    feed(&s, "retry: 250\n");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(healthy_then_close(&c, &s.p, &delay),
                         SSE_CLIENT_RECONNECT);
        assert_int_equal(delay, 250);
        assert_int_equal(sse_client_failures(&c), 0);
    }
    /* Defaults: 3 s, as browsers use. */
    assert_int_equal(sse_client_init(&c, NULL), SSE_OK);
    assert_int_equal(healthy_then_close(&c, NULL, &delay), SSE_CLIENT_RECONNECT);
    assert_int_equal(delay, 3000);
    sse_parser_destroy(&s.p);
}

/* Failed attempts: no response, or accepted but no event. */
static uint64_t fail_once(sse_client *c, const sse_parser *p, int accepted)
{
    uint64_t delay;
    if (accepted)
        sse_client_check_response(c, 200, "text/event-stream", 17);
    assert_int_equal(sse_client_next_attempt(c, p, &delay), SSE_CLIENT_RECONNECT);
    return delay;
}

static void backoff_doubles_with_jitter_up_to_the_cap(void **state)
{
    sse_client c;
    sse_client_options opt = {0};
    (void)state;
    opt.initial_retry_ms = 100;
    opt.max_delay_ms = 5000;
    opt.seed = 42;
    assert_int_equal(sse_client_init(&c, &opt), SSE_OK);
    /* Attempt k waits within [d/2, d], d = min(100 * 2^k, 5000), and never
     * less than the retry. */
    for (unsigned k = 1; k <= 12; k++) {
        uint64_t d = 100;
        for (unsigned i = 0; i < k && d < 5000; i++)
            d = d * 2 > 5000 ? 5000 : d * 2;
        uint64_t got = fail_once(&c, NULL, k % 2);
        assert_true(got >= d / 2 && got <= d);
        assert_true(got >= 100);
        assert_int_equal(sse_client_failures(&c), k);
    }
    /* A healthy connection resets it: exactly the retry, then doubling
     * from the start again. */
    uint64_t delay;
    assert_int_equal(healthy_then_close(&c, NULL, &delay), SSE_CLIENT_RECONNECT);
    assert_int_equal(delay, 100);
    assert_int_equal(sse_client_failures(&c), 0);
    uint64_t first = fail_once(&c, NULL, 0);
    assert_true(first >= 100 && first <= 200);
}

static void jitter_is_seeded(void **state)
{
    sse_client a, b, other;
    sse_client_options opt = {0};
    uint64_t seq_a[20], seq_b[20], seq_other[20];
    int differ = 0, spread = 0;
    (void)state;
    opt.initial_retry_ms = 1000;
    opt.max_delay_ms = 1u << 30;
    opt.seed = 7;
    sse_client_init(&a, &opt);
    sse_client_init(&b, &opt);
    opt.seed = 8;
    sse_client_init(&other, &opt);
    for (int i = 0; i < 20; i++) {
        seq_a[i] = fail_once(&a, NULL, 0);
        seq_b[i] = fail_once(&b, NULL, 0);
        seq_other[i] = fail_once(&other, NULL, 0);
        differ += seq_a[i] != seq_other[i];
    }
    /* Same seed, same delays (tests can rely on them); another seed,
     * other delays (clients dropped together spread out). */
    assert_memory_equal(seq_a, seq_b, sizeof seq_a);
    assert_true(differ >= 15);
    /* And the values use the range, not one end of it. */
    for (int i = 1; i < 20; i++) {
        uint64_t d = 1000ull << (i + 1);
        spread += seq_a[i] > d / 2 + d / 8 && seq_a[i] < d - d / 8;
    }
    assert_true(spread >= 5);
}

static void server_retry_above_the_cap_and_zero(void **state)
{
    struct stream s;
    sse_client c;
    sse_client_options opt = {0};
    uint64_t delay;
    (void)state;
    opt.max_delay_ms = 1000;
    sse_client_init(&c, &opt);
    stream_init(&s);
    feed(&s, "retry: 5000\n");
    /* The server's retry is a floor even past the cap. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(fail_once(&c, &s.p, 0), 5000);
    /* retry: 0 reconnects at once while healthy, but failures still back
     * off rather than spin. */
    feed(&s, "retry: 0\n");
    assert_int_equal(healthy_then_close(&c, &s.p, &delay), SSE_CLIENT_RECONNECT);
    assert_int_equal(delay, 0);
    uint64_t last = 0;
    for (int i = 0; i < 12; i++)
        last = fail_once(&c, &s.p, 0);
    assert_true(last >= 500 && last <= 1000);
    /* A huge retry does not overflow. */
    feed(&s, "retry: 18446744073709551615\n");
    assert_int_equal(fail_once(&c, &s.p, 0), UINT64_MAX);
    sse_parser_destroy(&s.p);
}

static void refusals(void **state)
{
    sse_client c;
    sse_client_options opt = {0};
    uint64_t delay;
    (void)state;
    assert_int_equal(sse_client_init(NULL, NULL), SSE_E_INVALID_ARGUMENT);
    opt.flags = 1;
    assert_int_equal(sse_client_init(&c, &opt), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_client_init(&c, NULL), SSE_OK);
    assert_int_equal(sse_client_next_attempt(&c, NULL, NULL), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_client_next_attempt(NULL, NULL, &delay),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_client_failures(NULL), 0);
    sse_client_mark_healthy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(response_rules),
        cmocka_unit_test(stop_and_fail_are_final),
        cmocka_unit_test(request_headers),
        cmocka_unit_test(last_event_id_header),
        cmocka_unit_test(healthy_reconnects_after_retry),
        cmocka_unit_test(backoff_doubles_with_jitter_up_to_the_cap),
        cmocka_unit_test(jitter_is_seeded),
        cmocka_unit_test(server_retry_above_the_cap_and_zero),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests_name("client", tests, NULL, NULL);
}
