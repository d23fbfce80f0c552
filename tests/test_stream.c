/* The server's per-client stream (sse.h, "Stream"), from its contract:
 * where a client starts for each kind of Last-Event-ID, the exact bytes of
 * the opening, frames from the history written whole whatever the write
 * sizes (one byte at a time too), heartbeats from the caller's clock, the
 * falling-behind rules and the resume that must follow them, never a torn
 * frame, the CORS headers, and refusals. */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write sizes every byte-level test runs with: one byte at a time, an odd
 * size that cuts frames and pieces anywhere, and everything at once. */
static const size_t steps[] = {1, 7, 100000};
#define NSTEPS (sizeof steps / sizeof steps[0])

static char store[4096];

static void init_history(sse_history *h, size_t max_frames)
{
    assert_int_equal(sse_history_init(h, store, sizeof store, max_frames),
                     SSE_OK);
}

/* Frame n: "id: n\ndata: event n\n\n", stored under id "n". */
static void publish(sse_history *h, int n)
{
    char id[16], frame[64];
    int il = snprintf(id, sizeof id, "%d", n);
    int fl = snprintf(frame, sizeof frame, "id: %d\ndata: event %d\n\n", n, n);
    assert_int_equal(sse_history_add(h, id, (size_t)il, frame, (size_t)fl),
                     SSE_OK);
}

static void publish_range(sse_history *h, int from, int to)
{
    for (int n = from; n <= to; n++)
        publish(h, n);
}

/* The frames from..to as publish writes them. */
static const char *frames(int from, int to)
{
    static char out[4096];
    size_t at = 0;
    out[0] = '\0';
    for (int n = from; n <= to; n++)
        at += (size_t)snprintf(out + at, sizeof out - at,
                               "id: %d\ndata: event %d\n\n", n, n);
    return out;
}

struct wire {
    char text[16384];
    size_t len;
};

/* Writes everything pending at now, at most step bytes per write, into w
 * (each write reported with sse_stream_sent). Returns what the last
 * sse_stream_pending returned: 0 (nothing more) or a close code. */
static sse_ssize take(sse_stream *s, const sse_history *h, uint64_t now,
                      size_t step, struct wire *w)
{
    for (;;) {
        sse_iov iov[4];
        size_t got = 0;
        sse_ssize n = sse_stream_pending(s, h, now, step, iov, 4);
        if (n <= 0)
            return n;
        for (sse_ssize i = 0; i < n; i++) {
            assert_true(iov[i].len > 0);
            assert_true(w->len + iov[i].len < sizeof w->text);
            memcpy(w->text + w->len, iov[i].base, iov[i].len);
            w->len += iov[i].len;
            got += iov[i].len;
        }
        assert_true(got <= step);
        assert_int_equal(sse_stream_sent(s, h, got, now), SSE_OK);
    }
}

/* One write of at most budget bytes (a transport that takes that much). */
static sse_ssize write_once(sse_stream *s, const sse_history *h, uint64_t now,
                            size_t budget, struct wire *w)
{
    sse_iov iov[8];
    size_t got = 0;
    sse_ssize n = sse_stream_pending(s, h, now, budget, iov, 8);
    for (sse_ssize i = 0; i < n; i++) {
        assert_true(w->len + iov[i].len < sizeof w->text);
        memcpy(w->text + w->len, iov[i].base, iov[i].len);
        w->len += iov[i].len;
        got += iov[i].len;
    }
    assert_true(got <= budget);
    if (n > 0)
        assert_int_equal(sse_stream_sent(s, h, got, now), SSE_OK);
    return n < 0 ? n : 0;
}

static void expect_wire(const struct wire *w, const char *want)
{
    assert_int_equal(w->len, strlen(want));
    assert_memory_equal(w->text, want, w->len);
}

static int open_with(sse_stream *s, const sse_history *h,
                     const sse_stream_options *o, const char *id)
{
    return sse_stream_open(s, h, o, id, id ? strlen(id) : 0, 0);
}

static void new_client_gets_retry_then_live_frames(void **state)
{
    (void)state;
    for (size_t k = 0; k < NSTEPS; k++) {
        sse_history h;
        sse_stream s;
        sse_stream_options o = {0};
        struct wire w = {{0}, 0};
        init_history(&h, 0);
        publish_range(&h, 1, 3); /* before it connected: not sent */
        o.retry_ms = 2000;
        assert_int_equal(open_with(&s, &h, &o, NULL), SSE_STREAM_NEW);
        assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
        expect_wire(&w, "retry: 2000\n\n");
        publish_range(&h, 4, 5);
        assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
        char want[512];
        snprintf(want, sizeof want, "retry: 2000\n\n%s", frames(4, 5));
        expect_wire(&w, want);
    }
}

static void no_options_no_opening(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    assert_int_equal(sse_stream_open(&s, &h, NULL, NULL, 0, 0),
                     SSE_STREAM_NEW);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    assert_int_equal(w.len, 0);
    publish(&h, 1);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    expect_wire(&w, frames(1, 1));
}

static void resume_sends_exactly_the_frames_after_the_id(void **state)
{
    (void)state;
    for (size_t k = 0; k < NSTEPS; k++) {
        sse_history h;
        sse_stream s;
        struct wire w = {{0}, 0};
        init_history(&h, 0);
        publish_range(&h, 1, 5);
        assert_int_equal(open_with(&s, &h, NULL, "3"), SSE_STREAM_RESUMED);
        assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
        expect_wire(&w, frames(4, 5));
        publish(&h, 6);
        assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
        expect_wire(&w, frames(4, 6));
    }
}

static void the_newest_id_is_current(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    publish_range(&h, 1, 5);
    assert_int_equal(open_with(&s, &h, NULL, "5"), SSE_STREAM_CURRENT);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    assert_int_equal(w.len, 0);
    publish(&h, 6);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    expect_wire(&w, frames(6, 6));
}

/* An ID the history no longer holds, under each policy. */
static void unknown_id_policies(void **state)
{
    (void)state;
    for (size_t k = 0; k < NSTEPS; k++) {
        static const int policies[] = {SSE_STREAM_RESYNC, SSE_STREAM_REPLAY,
                                       SSE_STREAM_LIVE};
        for (size_t p = 0; p < 3; p++) {
            sse_history h;
            sse_stream s;
            sse_stream_options o = {0};
            struct wire w = {{0}, 0};
            char want[1024];
            init_history(&h, 3);
            publish_range(&h, 1, 5); /* 3, 4, 5 kept */
            o.on_unknown = policies[p];
            o.retry_ms = 10;
            assert_int_equal(open_with(&s, &h, &o, "1"), SSE_STREAM_UNKNOWN);
            assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
            if (policies[p] == SSE_STREAM_RESYNC)
                snprintf(want, sizeof want, "retry: 10\n\n%s%s",
                         SSE_STREAM_RESYNC_EVENT, frames(5, 5));
            else if (policies[p] == SSE_STREAM_REPLAY)
                snprintf(want, sizeof want, "retry: 10\n\n%s", frames(3, 5));
            else
                snprintf(want, sizeof want, "retry: 10\n\n");
            expect_wire(&w, want);
            publish(&h, 6);
            assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
            strcat(want, frames(6, 6));
            expect_wire(&w, want);
        }
    }
}

static void resync_on_an_empty_history(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    assert_int_equal(open_with(&s, &h, NULL, "41"), SSE_STREAM_UNKNOWN);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    expect_wire(&w, SSE_STREAM_RESYNC_EVENT);
    publish(&h, 1);
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    expect_wire(&w, SSE_STREAM_RESYNC_EVENT "id: 1\ndata: event 1\n\n");
}

/* Header values no browser sends are unknown IDs, never a shorter ID. */
static void malformed_and_long_ids_are_unknown(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    char longest[SSE_STREAM_DEFAULT_MAX_ID + 1];
    (void)state;
    init_history(&h, 0);
    publish_range(&h, 1, 5);
    /* "3" then NUL: an HTTP library that cuts at NUL would resume from 3. */
    assert_int_equal(sse_stream_open(&s, &h, NULL, "3\0003", 3, 0),
                     SSE_STREAM_UNKNOWN);
    assert_int_equal(sse_stream_open(&s, &h, NULL, "3\r", 2, 0),
                     SSE_STREAM_UNKNOWN);
    memset(longest, '3', sizeof longest);
    assert_int_equal(
        sse_stream_open(&s, &h, NULL, longest, SSE_STREAM_DEFAULT_MAX_ID + 1, 0),
        SSE_STREAM_UNKNOWN);
    o.max_id = 1;
    assert_int_equal(open_with(&s, &h, &o, "3"), SSE_STREAM_RESUMED);
    assert_int_equal(open_with(&s, &h, &o, "33"), SSE_STREAM_UNKNOWN);
    /* Surrounding spaces are not part of the value (HTTP). */
    assert_int_equal(open_with(&s, &h, NULL, " 3\t"), SSE_STREAM_RESUMED);
    /* No value at all is no ID. */
    assert_int_equal(open_with(&s, &h, NULL, ""), SSE_STREAM_NEW);
    assert_int_equal(open_with(&s, &h, NULL, "  "), SSE_STREAM_NEW);
}

/* The padding line is exactly `padding` bytes; a parser then reads the
 * retry that follows it. */
static void padding_opens_the_stream(void **state)
{
    (void)state;
    for (size_t k = 0; k < NSTEPS; k++) {
        sse_history h;
        sse_stream s;
        sse_stream_options o = {0};
        static struct wire w;
        w.len = 0;
        init_history(&h, 0);
        o.padding = 4096;
        o.retry_ms = 7;
        assert_int_equal(open_with(&s, &h, &o, NULL), SSE_STREAM_NEW);
        assert_int_equal(take(&s, &h, 0, steps[k], &w), 0);
        assert_int_equal(w.len, 4096 + strlen("retry: 7\n\n"));
        assert_int_equal(w.text[0], ':');
        for (size_t i = 1; i < 4095; i++)
            assert_int_equal(w.text[i], ' ');
        assert_memory_equal(w.text + 4095, "\nretry: 7\n\n", 11);
    }
}

/* Writes of any size, including writes the transport cut short. */
static void partial_writes_resume_mid_frame(void **state)
{
    sse_history h;
    sse_stream s;
    sse_iov iov[4];
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish_range(&h, 1, 2);
    /* Offered both frames; only 5 bytes were written. */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1000, iov, 4), 2);
    assert_int_equal(sse_stream_sent(&s, &h, 5, 0), SSE_OK);
    memcpy(w.text, iov[0].base, 5);
    w.len = 5;
    /* The next offer starts at byte 5 of frame 1. */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1000, iov, 4), 2);
    assert_int_equal(iov[0].len, strlen(frames(1, 1)) - 5);
    assert_memory_equal(iov[0].base, frames(1, 1) + 5, iov[0].len);
    assert_int_equal(sse_stream_frames_sent(&s), 0);
    assert_int_equal(take(&s, &h, 0, 3, &w), 0);
    expect_wire(&w, frames(1, 2));
    assert_int_equal(sse_stream_frames_sent(&s), 2);
}

static void reporting_more_than_pending_is_refused(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish(&h, 1);
    assert_int_equal(sse_stream_sent(&s, &h, strlen(frames(1, 1)) + 1, 0),
                     SSE_E_INVALID_ARGUMENT);
    /* Nothing moved. */
    assert_int_equal(take(&s, &h, 0, 100, &w), 0);
    expect_wire(&w, frames(1, 1));
    assert_int_equal(sse_stream_sent(&s, &h, 1, 0), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_sent(&s, &h, 0, 0), SSE_OK);
}

/* A frame evicted while partly written: the stream must close rather than
 * send the rest of another frame. */
static void never_a_torn_frame(void **state)
{
    sse_history h;
    sse_stream s;
    sse_iov iov[4];
    (void)state;
    init_history(&h, 2);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish(&h, 1);
    assert_true(sse_stream_pending(&s, &h, 0, 1000, iov, 4) > 0);
    assert_int_equal(sse_stream_sent(&s, &h, 4, 0), SSE_OK);
    publish_range(&h, 2, 3); /* frame 1 is gone */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1000, iov, 4),
                     SSE_E_EVICTED);
    /* Sticky, and nothing more is accepted. */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1000, iov, 4),
                     SSE_E_EVICTED);
    assert_int_equal(sse_stream_sent(&s, &h, 1, 0), SSE_E_EVICTED);
    assert_int_equal(sse_stream_heartbeat_due(&s), UINT64_MAX);
}

static void heartbeats_follow_the_callers_clock(void **state)
{
    (void)state;
    for (size_t k = 0; k < NSTEPS; k++) {
        sse_history h;
        sse_stream s;
        sse_stream_options o = {0};
        struct wire w = {{0}, 0};
        init_history(&h, 0);
        o.heartbeat_ms = 1000;
        assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 5000),
                         SSE_STREAM_NEW);
        assert_int_equal(sse_stream_heartbeat_due(&s), 6000);
        assert_int_equal(take(&s, &h, 5999, steps[k], &w), 0);
        assert_int_equal(w.len, 0);
        assert_int_equal(take(&s, &h, 6000, steps[k], &w), 0);
        expect_wire(&w, SSE_STREAM_HEARTBEAT);
        assert_int_equal(sse_stream_frames_sent(&s), 0); /* not a frame */
        assert_int_equal(sse_stream_heartbeat_due(&s), 7000);
        /* A frame sent at 6500 moves the next heartbeat to 7500. */
        publish(&h, 1);
        assert_int_equal(take(&s, &h, 6500, steps[k], &w), 0);
        assert_int_equal(sse_stream_heartbeat_due(&s), 7500);
        assert_int_equal(take(&s, &h, 7499, steps[k], &w), 0);
        expect_wire(&w, SSE_STREAM_HEARTBEAT "id: 1\ndata: event 1\n\n");
    }
}

/* A heartbeat cut short is finished before the next frame. */
static void a_partial_heartbeat_is_finished_first(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    sse_iov iov[4];
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    o.heartbeat_ms = 10;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0), SSE_STREAM_NEW);
    assert_int_equal(sse_stream_pending(&s, &h, 10, 100, iov, 4), 1);
    assert_int_equal(sse_stream_sent(&s, &h, 4, 10), SSE_OK);
    memcpy(w.text, SSE_STREAM_HEARTBEAT, 4);
    w.len = 4;
    publish(&h, 1);
    assert_int_equal(take(&s, &h, 11, 5, &w), 0);
    expect_wire(&w, SSE_STREAM_HEARTBEAT "id: 1\ndata: event 1\n\n");
}

static void no_heartbeat_when_off(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    assert_int_equal(sse_stream_heartbeat_due(&s), UINT64_MAX);
    assert_int_equal(take(&s, &h, UINT64_MAX, 100, &w), 0);
    assert_int_equal(w.len, 0);
}

/* The last frame a client got, of the id it would resume from, and what
 * the history still has after it. */
static void expect_resume(const sse_history *h, int last_got, int newest)
{
    sse_stream s;
    struct wire w = {{0}, 0};
    char id[16];
    snprintf(id, sizeof id, "%d", last_got);
    assert_int_equal(open_with(&s, h, NULL, id), SSE_STREAM_RESUMED);
    assert_int_equal(take(&s, h, 0, 100000, &w), 0);
    expect_wire(&w, frames(last_got + 1, newest));
}

/* The history rule: a client that stops reading is told to close while
 * the last frame it got is still stored, and its reconnect then resumes
 * with nothing lost. */
static void a_stalled_client_closes_while_it_can_resume(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    int n;
    (void)state;
    init_history(&h, 8);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish_range(&h, 1, 8);
    assert_int_equal(take(&s, &h, 0, 100000, &w), 0);
    expect_wire(&w, frames(1, 8)); /* it got 8 */
    /* It stops reading; the server checks it (max_bytes 0) after each
     * publish. A live client keeps a quarter of the store (2 frames)
     * between its last frame and the oldest: 8 stays while 7 and 8 do,
     * so the publish of 14 (evicting 6) closes it. */
    for (n = 9;; n++) {
        publish(&h, n);
        sse_ssize r = sse_stream_pending(&s, &h, 0, 0, NULL, 0);
        if (r != 0) {
            assert_int_equal(r, SSE_E_TOO_SLOW);
            break;
        }
    }
    assert_int_equal(n, 14);
    expect_resume(&h, 8, 14);
}

/* The same with the client reading now and then, too slowly. */
static void a_slow_reader_closes_while_it_can_resume(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    int n, got = 0;
    (void)state;
    init_history(&h, 8);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    for (n = 1; n < 100; n++) {
        sse_ssize r;
        publish(&h, n);
        /* About half a frame per publish. */
        r = write_once(&s, &h, 0, 10, &w);
        if (r != 0) {
            assert_int_equal(r, SSE_E_TOO_SLOW);
            break;
        }
    }
    assert_true(n < 100);
    /* Frames arrived in order, the last perhaps cut short (the receiver
     * drops it); the client resumes from the last whole one. */
    const char *p = w.text, *end = w.text + w.len;
    while ((size_t)(end - p) >= strlen(frames(got + 1, got + 1))) {
        size_t len = strlen(frames(got + 1, got + 1));
        assert_memory_equal(p, frames(got + 1, got + 1), len);
        p += len;
        got++;
    }
    assert_memory_equal(p, frames(got + 1, got + 1), (size_t)(end - p));
    assert_true(got > 0);
    expect_resume(&h, got, n);
}

/* A client whose last frame was evicted before any check (here: the
 * server did not check it while 8 frames were published) is not closed
 * for being near the oldest frame as it catches up - closing it then
 * would not save its resume point - and is held to the rule again once
 * caught up. (Found by fuzz_stream.) */
static void a_client_past_its_resume_point_may_catch_up(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    int n;
    (void)state;
    init_history(&h, 8);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish_range(&h, 1, 8);
    assert_int_equal(take(&s, &h, 0, 100000, &w), 0);
    publish_range(&h, 9, 16); /* 9..16 stored; 8 is gone */
    for (n = 9; n <= 16; n++)
        assert_int_equal(
            write_once(&s, &h, 0, strlen(frames(n, n)), &w), 0);
    expect_wire(&w, frames(1, 16));
    for (n = 17;; n++) {
        publish(&h, n);
        if (sse_stream_pending(&s, &h, 0, 0, NULL, 0) != 0)
            break;
    }
    assert_int_equal(n, 22); /* as a_stalled_client_closes_while_it_can_resume */
    expect_resume(&h, 16, 22);
}

/* A client far back that catches up in bursts, with publishes between
 * them, is not mistaken for one falling behind. */
static void a_client_catching_up_in_bursts_stays(void **state)
{
    sse_history h;
    sse_stream s;
    struct wire w = {{0}, 0};
    int n;
    (void)state;
    init_history(&h, 40);
    publish_range(&h, 1, 40);
    /* 14 frames from the oldest: it may lose 7 of them. */
    assert_int_equal(open_with(&s, &h, NULL, "15"), SSE_STREAM_RESUMED);
    for (n = 41; n <= 120; n++) {
        publish(&h, n);
        assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0), 0);
        if (n % 4 == 0) /* eight frames every fourth publish */
            assert_int_equal(write_once(&s, &h, 0, 8 * strlen(frames(n, n)), &w),
                             0);
    }
    assert_int_equal(take(&s, &h, 0, 100000, &w), 0);
    expect_wire(&w, frames(16, 120));
}

static void max_lag_closes_earlier(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    int n;
    (void)state;
    init_history(&h, 0);
    o.max_lag = 3;
    assert_int_equal(open_with(&s, &h, &o, NULL), SSE_STREAM_NEW);
    for (n = 1;; n++) {
        publish(&h, n);
        if (sse_stream_pending(&s, &h, 0, 0, NULL, 0) != 0)
            break;
    }
    assert_int_equal(n, 4); /* 4 frames waiting: more than 3 */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0),
                     SSE_E_TOO_SLOW);
}

/* A client that resumes from further back than max_lag may stay that far
 * back, as long as it does not drop further. */
static void a_client_from_far_back_may_catch_up(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    struct wire w = {{0}, 0};
    (void)state;
    init_history(&h, 0);
    publish_range(&h, 1, 10);
    o.max_lag = 2;
    assert_int_equal(open_with(&s, &h, &o, "1"), SSE_STREAM_RESUMED);
    /* 9 behind: allowed. It reads 4 frames (5 behind), one publish: 6. */
    assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0), 0);
    assert_int_equal(write_once(&s, &h, 0, strlen(frames(2, 5)), &w), 0);
    publish(&h, 11);
    assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0),
                     SSE_E_TOO_SLOW);
    /* Caught up instead, it is held to max_lag like any other. */
    assert_int_equal(open_with(&s, &h, &o, "1"), SSE_STREAM_RESUMED);
    w.len = 0;
    assert_int_equal(take(&s, &h, 0, 100000, &w), 0);
    expect_wire(&w, frames(2, 11));
    publish_range(&h, 12, 13);
    assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0), 0);
    publish(&h, 14);
    assert_int_equal(sse_stream_pending(&s, &h, 0, 0, NULL, 0),
                     SSE_E_TOO_SLOW);
}

/* One large publish can evict a client's next frame before any check:
 * it is told, and never sent a later frame in its place. */
static void a_client_whose_next_frame_is_evicted(void **state)
{
    static char small[128];
    sse_history h;
    sse_stream s;
    char big[80];
    sse_iov iov[4];
    (void)state;
    assert_int_equal(sse_history_init(&h, small, sizeof small, 0), SSE_OK);
    assert_int_equal(open_with(&s, &h, NULL, NULL), SSE_STREAM_NEW);
    publish(&h, 1);
    memset(big, 'b', sizeof big);
    assert_int_equal(sse_history_add(&h, "2", 1, big, sizeof big), SSE_OK);
    assert_int_equal(sse_history_count(&h), 1);
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1000, iov, 4),
                     SSE_E_EVICTED);
}

/* sse_stream_copy gives the bytes the pieces give, in any buffer size. */
static void copy_matches_the_pieces(void **state)
{
    (void)state;
    for (size_t cap = 1; cap < 40; cap += 6) {
        sse_history h;
        sse_stream s;
        sse_stream_options o = {0};
        char buf[64], got[1024], want[1024];
        size_t len = 0;
        sse_ssize n;
        init_history(&h, 0);
        publish_range(&h, 1, 4);
        o.retry_ms = 500;
        o.padding = 9;
        assert_int_equal(open_with(&s, &h, &o, "1"), SSE_STREAM_RESUMED);
        while ((n = sse_stream_copy(&s, &h, 0, buf, cap)) > 0) {
            assert_true((size_t)n <= cap);
            memcpy(got + len, buf, (size_t)n);
            len += (size_t)n;
        }
        assert_int_equal(n, 0);
        snprintf(want, sizeof want, ":       \nretry: 500\n\n%s", frames(2, 4));
        assert_int_equal(len, strlen(want));
        assert_memory_equal(got, want, len);
    }
}

/* Everything a stream sends parses, as a browser would, to exactly the
 * events published after the resume point. */
static void what_it_sends_parses_back(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    struct wire w = {{0}, 0};
    trace want = {0};
    test_opts po = {0};
    (void)state;
    init_history(&h, 0);
    publish_range(&h, 1, 3);
    o.retry_ms = 1500;
    o.padding = 300;
    o.heartbeat_ms = 1;
    assert_int_equal(open_with(&s, &h, &o, "1"), SSE_STREAM_RESUMED);
    assert_int_equal(take(&s, &h, 0, 13, &w), 0);
    assert_int_equal(take(&s, &h, 5, 13, &w), 0); /* a heartbeat */
    publish(&h, 4);
    assert_int_equal(take(&s, &h, 5, 13, &w), 0);
    trace_retry(&want, 1500);
    for (int n = 2; n <= 4; n++) {
        char data[16], id[16];
        int dl = snprintf(data, sizeof data, "event %d", n);
        int il = snprintf(id, sizeof id, "%d", n);
        trace_event(&want, "message", 7, data, (size_t)dl, id, (size_t)il);
    }
    po.no_comments = 1; /* the padding and the heartbeat are comments */
    check_splits(w.text, w.len, want.text, &po);
    free(want.text);
}

static void cors_headers(void **state)
{
    sse_stream_options o = {0};
    sse_header out[SSE_STREAM_MAX_HEADERS];
    size_t base, n;
    (void)state;
    sse_response_headers(&base);
    /* Same origin only: the plain headers. */
    assert_int_equal(sse_stream_headers(NULL, "https://a.example", 17, out,
                                        SSE_STREAM_MAX_HEADERS),
                     base);
    assert_int_equal(sse_stream_headers(&o, NULL, 0, out, base), base);
    assert_string_equal(out[0].name, "Content-Type");
    /* Any page, without credentials. */
    o.allow_origin = "*";
    n = sse_stream_headers(&o, "https://a.example", 17, out,
                           SSE_STREAM_MAX_HEADERS);
    assert_int_equal(n, base + 1);
    assert_string_equal(out[base].name, "Access-Control-Allow-Origin");
    assert_string_equal(out[base].value, "*");
    /* One named origin, with credentials, exactly matched. */
    o.allow_origin = "https://a.example";
    n = sse_stream_headers(&o, "https://a.example", 17, out,
                           SSE_STREAM_MAX_HEADERS);
    assert_int_equal(n, base + 3);
    assert_string_equal(out[base].name, "Access-Control-Allow-Origin");
    assert_string_equal(out[base].value, "https://a.example");
    assert_string_equal(out[base + 1].name,
                        "Access-Control-Allow-Credentials");
    assert_string_equal(out[base + 1].value, "true");
    assert_string_equal(out[base + 2].name, "Vary");
    assert_string_equal(out[base + 2].value, "Origin");
    assert_int_equal(n, SSE_STREAM_MAX_HEADERS);
    /* Another origin, a prefix of it, or none: no access, but Vary. */
    n = sse_stream_headers(&o, "https://b.example", 17, out,
                           SSE_STREAM_MAX_HEADERS);
    assert_int_equal(n, base + 1);
    assert_string_equal(out[base].name, "Vary");
    assert_int_equal(sse_stream_headers(&o, "https://a.exampl", 16, out,
                                        SSE_STREAM_MAX_HEADERS),
                     base + 1);
    assert_int_equal(sse_stream_headers(&o, "https://a.example.evil", 22,
                                        out, SSE_STREAM_MAX_HEADERS),
                     base + 1);
    assert_int_equal(
        sse_stream_headers(&o, NULL, 0, out, SSE_STREAM_MAX_HEADERS),
        base + 1);
    /* Too little room: the count needed, nothing written. */
    out[0].name = "untouched";
    assert_int_equal(sse_stream_headers(&o, "https://a.example", 17, out, 2),
                     base + 3);
    assert_string_equal(out[0].name, "untouched");
    assert_int_equal(sse_stream_headers(&o, "https://a.example", 17, NULL, 0),
                     base + 3);
}

static void refusals(void **state)
{
    sse_history h;
    sse_stream s;
    sse_stream_options o = {0};
    sse_iov iov[1];
    char buf[8];
    (void)state;
    init_history(&h, 0);
    assert_int_equal(sse_stream_open(NULL, &h, NULL, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_open(&s, NULL, NULL, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_open(&s, &h, NULL, NULL, 1, 0),
                     SSE_E_INVALID_ARGUMENT);
    o.flags = 1;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    o.flags = 0;
    o.on_unknown = SSE_STREAM_LIVE + 1;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    o.on_unknown = -1;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    o.on_unknown = SSE_STREAM_RESYNC;
    o.padding = SSE_STREAM_MAX_PADDING + 1;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0),
                     SSE_E_INVALID_ARGUMENT);
    o.padding = SSE_STREAM_MAX_PADDING;
    assert_int_equal(sse_stream_open(&s, &h, &o, NULL, 0, 0), SSE_STREAM_NEW);
    assert_int_equal(sse_stream_pending(&s, &h, 0, 1, NULL, 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_pending(NULL, &h, 0, 1, iov, 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_pending(&s, NULL, 0, 1, iov, 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_sent(NULL, &h, 1, 0), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_copy(&s, &h, 0, NULL, 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_stream_copy(&s, &h, 0, buf, 0), 0);
    assert_int_equal(sse_stream_heartbeat_due(NULL), UINT64_MAX);
    assert_int_equal(sse_stream_frames_sent(NULL), 0);
    assert_string_equal(sse_errname(SSE_E_TOO_SLOW), "SSE_E_TOO_SLOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_client_gets_retry_then_live_frames),
        cmocka_unit_test(no_options_no_opening),
        cmocka_unit_test(resume_sends_exactly_the_frames_after_the_id),
        cmocka_unit_test(the_newest_id_is_current),
        cmocka_unit_test(unknown_id_policies),
        cmocka_unit_test(resync_on_an_empty_history),
        cmocka_unit_test(malformed_and_long_ids_are_unknown),
        cmocka_unit_test(padding_opens_the_stream),
        cmocka_unit_test(partial_writes_resume_mid_frame),
        cmocka_unit_test(reporting_more_than_pending_is_refused),
        cmocka_unit_test(never_a_torn_frame),
        cmocka_unit_test(heartbeats_follow_the_callers_clock),
        cmocka_unit_test(a_partial_heartbeat_is_finished_first),
        cmocka_unit_test(no_heartbeat_when_off),
        cmocka_unit_test(a_stalled_client_closes_while_it_can_resume),
        cmocka_unit_test(a_slow_reader_closes_while_it_can_resume),
        cmocka_unit_test(a_client_past_its_resume_point_may_catch_up),
        cmocka_unit_test(a_client_catching_up_in_bursts_stays),
        cmocka_unit_test(max_lag_closes_earlier),
        cmocka_unit_test(a_client_from_far_back_may_catch_up),
        cmocka_unit_test(a_client_whose_next_frame_is_evicted),
        cmocka_unit_test(copy_matches_the_pieces),
        cmocka_unit_test(what_it_sends_parses_back),
        cmocka_unit_test(cors_headers),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
