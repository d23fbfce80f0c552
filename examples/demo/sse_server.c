/* sse-server: an event-stream server on libevent's evhttp, and the demo.
 *
 * It publishes the simulated feed (feed.c) to every client at /events,
 * keeps recent frames in an sse_history so a client that reconnects with
 * Last-Event-ID gets exactly what it missed, sends heartbeat comments on
 * idle streams, and bounds what each client can cost: a client that stops
 * reading is disconnected before its resume point leaves the history. The
 * page at / shows the stream in a browser (EventSource). Options: --help.
 * The parts are listed in server.h.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "feed.h"
#include "server.h"

/* Encodes event number newest + 1 into the history. */
static int publish_one(struct server *s)
{
    char scratch[64], idbuf[24], out[1024];
    sse_frame f = {0};
    uint64_t n = s->newest + 1;
    feed_event(n, &f, scratch, sizeof scratch);
    int id_len = snprintf(idbuf, sizeof idbuf, "%" PRIu64, n);
    f.id = idbuf;
    f.id_len = (size_t)id_len;
    f.padding = s->cfg.pad;
    sse_ssize len = sse_encode(out, sizeof out, &f);
    if (len < 0 || (size_t)len > sizeof out) {
        fprintf(stderr, "sse-server: event %" PRIu64 ": %s\n", n,
                len < 0 ? sse_strerror((int)len) : "frame too large");
        return -1;
    }
    int r = sse_history_add(&s->history, idbuf, (size_t)id_len, out,
                            (size_t)len);
    if (r != SSE_OK) {
        fprintf(stderr, "sse-server: history: %s\n", sse_strerror(r));
        return -1;
    }
    s->newest = n;
    return 0;
}

/* The feed keeps its pace (one event per --interval-ms) even when a pass
 * over many clients takes longer than that: each tick publishes every
 * event that has come due since the last, and one pass then hands all of
 * them to each client in one write. Batching is what lets one thread serve
 * thousands of clients; a burst is capped at an eighth of the history, so
 * that a client that was current stays well inside it. */
static void on_publish(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    uint64_t now = now_ms(), burst = 0;
    uint64_t cap = s->cfg.history_events / 8 ? s->cfg.history_events / 8 : 1;
    (void)fd;
    (void)what;
    if (s->next_due_ms == 0)
        s->next_due_ms = now;
    if (s->redis) {
        /* Published once Redis has it; every instance then follows it. */
        redis_publish_due(s);
        return;
    }
    while (now >= s->next_due_ms && burst < cap &&
           !(s->cfg.max_events && s->newest >= s->cfg.max_events)) {
        if (publish_one(s) != 0) {
            event_del(s->publish_timer);
            break;
        }
        s->next_due_ms += s->cfg.interval_ms;
        burst++;
    }
    if (now >= s->next_due_ms)
        s->next_due_ms = now + s->cfg.interval_ms; /* too far behind: skip */
    if (s->cfg.max_events && s->newest >= s->cfg.max_events)
        event_del(s->publish_timer);
    if (burst)
        server_fan_out(s);
}

void server_fan_out(struct server *s)
{
    /* A client may free itself while being pumped: take next first. */
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        client_pump(c);
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;
    (void)what;
    fprintf(stderr, "sse-server: %s, shutting down\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    s->stopping = 1;
    event_base_loopexit(s->base, NULL);
}

static int bound_port(struct evhttp_bound_socket *bs)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    evutil_socket_t fd = evhttp_bound_socket_get_fd(bs);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

static int setup(struct server *s)
{
    struct config *cfg = &s->cfg;
    sse_stream_options *o = &s->stream_options;
    o->retry_ms = cfg->retry_ms;
    o->heartbeat_ms = cfg->heartbeat_ms;
    o->max_lag = cfg->max_lag;
    o->max_id = 64; /* longer: no such id here, so a resync */
    o->allow_origin = cfg->allow_origin;

    /* Room for every kept event at the largest frame the feed makes: an id
     * of up to 20 digits (24), a frame of up to 256 bytes before padding,
     * the padding comment (pad) and 32 bytes of slack. */
    size_t per_event = SSE_HISTORY_FRAME_OVERHEAD + 24 + 256 + 32 + cfg->pad;
    size_t mem = cfg->history_events * per_event;
    s->history_mem = malloc(mem);
    if (!s->history_mem ||
        sse_history_init(&s->history, s->history_mem, mem,
                         cfg->history_events) != SSE_OK) {
        fprintf(stderr, "sse-server: cannot allocate %zu bytes of history\n",
                mem);
        return -1;
    }
    s->rng = cfg->seed ? cfg->seed : 1;

    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    if (!s->http)
        return -1;
    /* Every common method reaches on_request, which answers 405 itself. */
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS |
                                            EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(s->http, 16384);
    evhttp_set_max_body_size(s->http, 4096);
    evhttp_set_gencb(s->http, on_request, s);

    struct evhttp_bound_socket *bs =
        evhttp_bind_socket_with_handle(s->http, cfg->bind, (ev_uint16_t)cfg->port);
    if (!bs) {
        fprintf(stderr, "sse-server: cannot listen on %s:%" PRIu64 ": %s\n", cfg->bind,
                cfg->port, strerror(errno));
        return -1;
    }
    if (guard_setup(s, bs) != 0)
        return -1;

    if (cfg->redis && redis_setup(s) != 0)
        return -1;

    /* In Redis mode only the --publish instance runs the feed. */
    struct timeval tv = ms_to_timeval(cfg->interval_ms);
    s->publish_timer = event_new(s->base, -1, EV_PERSIST, on_publish, s);
    s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s);
    if (!s->publish_timer || !s->sig_int || !s->sig_term ||
        ((!cfg->redis || cfg->publish) && event_add(s->publish_timer, &tv)) ||
        event_add(s->sig_int, NULL) || event_add(s->sig_term, NULL))
        return -1;

    printf("sse-server: listening on http://%s:%d/ (stream at /events)\n",
           strchr(cfg->bind, ':') ? "[::1]" : cfg->bind, bound_port(bs));
    fflush(stdout);
    return 0;
}

static void teardown(struct server *s)
{
    /* evhttp_free closes every connection; on_connection_closed frees
     * each streaming client on the way. */
    if (s->http)
        evhttp_free(s->http);
    redis_teardown(s);
    if (s->publish_timer)
        event_free(s->publish_timer);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->accept_timer)
        event_free(s->accept_timer);
    if (s->base)
        event_base_free(s->base);
    free(s->history_mem);
}

int main(int argc, char **argv)
{
    struct server s;
    memset(&s, 0, sizeof s);
    s.cfg.bind = "127.0.0.1";
    s.cfg.redis_key = "sse:demo";
    s.cfg.port = 8080;
    s.cfg.interval_ms = 250;
    s.cfg.retry_ms = 2000;
    s.cfg.heartbeat_ms = 15000;
    s.cfg.request_timeout_ms = 10000;
    s.cfg.max_clients = 10000;
    s.cfg.sndbuf = 65536; /* the kernel's share of a stalled client */
    s.cfg.history_events = 4096;
    s.cfg.max_backlog = 65536;
    s.cfg.seed = 1;
    int parsed = parse_args(argc, argv, &s.cfg);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;
    /* A write to a client that has gone must be an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);

    int status = 0;
    if (setup(&s) != 0)
        status = 1;
    else if (event_base_dispatch(s.base) < 0)
        status = 1;
    if (s.base)
        fprintf(stderr,
                "sse-server: %" PRIu64 " events published, %" PRIu64
                " connections (%" PRIu64 " resumed, %" PRIu64
                " resynced), %" PRIu64 " slow clients disconnected, %" PRIu64
                " faults injected\n",
                s.newest, s.connections, s.resumed, s.resynced, s.kicked_slow,
                s.closed_by_fault);
    teardown(&s);
    return status;
}
