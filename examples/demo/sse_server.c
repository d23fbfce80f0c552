/* sse-server: an event-stream server on libevent's evhttp, and the demo.
 *
 * It publishes the simulated feed (feed.c) to every client at /events,
 * keeps recent frames in an sse_history so a client that reconnects with
 * Last-Event-ID gets exactly what it missed, sends heartbeat comments on
 * idle streams, and bounds what each client can cost: a client that stops
 * reading is disconnected before its resume point leaves the history. The
 * page at / shows the stream in a browser (EventSource). Options: --help.
 *
 * Every client is served from the history through its own cursor: a frame
 * is encoded once, stored once, and copied into each client's socket
 * buffer only as that buffer drains, so a slow client holds a cursor, not
 * a queue of copies.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "feed.h"
#include "sse.h"
#include "tool_common.h"

/* The demo page (generated from page.html by the build). */
extern const char sse_demo_page[];
extern const size_t sse_demo_page_len;

struct config {
    const char *bind;
    double close_random;    /* fault: abort after an event, probability */
    /* Numbers, all set from the option table in parse_args. */
    uint64_t port;
    uint64_t interval_ms;    /* publish period */
    uint64_t max_events;     /* stop publishing after this many (0: never) */
    uint64_t retry_ms;       /* sent when a stream starts */
    uint64_t heartbeat_ms;   /* comment after this long idle (0: off) */
    uint64_t history_events; /* frames kept for resume */
    uint64_t max_backlog;    /* bytes queued per client before it waits */
    uint64_t max_lag;        /* events behind (queue full) before a kick */
    uint64_t close_after;    /* fault: end each stream after N events */
    uint64_t seed;
    uint64_t pad;            /* padding bytes per event (tests fill buffers) */
    uint64_t sndbuf;         /* SO_SNDBUF for streams (0: the kernel's) */
    uint64_t status;         /* tests of clients: answer /events with it */
};

struct client;

struct server {
    struct config cfg;
    struct event_base *base;
    struct evhttp *http;
    struct event *publish_timer;
    struct event *sig_int, *sig_term;
    sse_history history;
    void *history_mem;
    struct evbuffer *batch; /* frames on their way into one client's buffer */
    struct client *clients; /* doubly linked, unordered */
    uint64_t newest;        /* id of the newest event (ids are 1, 2, ...) */
    uint64_t rng;
    char hello[64];         /* the frame every stream starts with */
    size_t hello_len;
    char beat[16];          /* the heartbeat comment */
    size_t beat_len;
    /* Counters for /stats and the shutdown line. */
    uint64_t connections, clients_now, resumed, resynced, kicked_slow,
        closed_by_fault, dropped_by_request, events_sent;
};

struct client {
    struct server *srv;
    struct client *prev, *next;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    struct event *heartbeat;
    sse_history_cursor cursor;
    uint64_t sent_id;  /* id of the last event queued to this client */
    uint64_t sent;     /* events queued on this connection */
    uint64_t allowed_lag; /* events behind the newest before a kick */
    char tag[33];      /* ?client=... from the page, for /drop */
    int closing;       /* aborted: waiting for libevent to notice */
};

/* ---- clients ----------------------------------------------------------- */

static void client_unlink_and_free(struct client *c)
{
    struct server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->clients_now--;
    if (c->heartbeat)
        event_free(c->heartbeat);
    free(c);
}

/* The peer went away, or evhttp is freeing the connection. */
static void on_connection_closed(struct evhttp_connection *conn, void *arg)
{
    struct client *c = arg;
    struct evhttp_request *req = c->req;
    (void)conn;
    client_unlink_and_free(c);
    /* When the peer closed, evhttp has already detached the unfinished
     * request from the connection and leaves it to us; ending it frees it.
     * (When we free the connection ourselves, the request is still
     * attached and evhttp frees it right after this callback.) */
    if (evhttp_request_get_connection(req) == NULL)
        evhttp_send_reply_end(req);
}

/* Drops the TCP connection, discarding what is still queued in the server:
 * what a crash or a network failure looks like to the client. The socket
 * is shut down rather than freed here: libevent then sees the connection
 * fail and frees it through on_connection_closed, in its own time.
 * (Freeing it from here makes libevent 2.1 touch the closed descriptor.) */
static void client_abort(struct client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    c->closing = 1;
    evbuffer_drain(bufferevent_get_output(bev),
                   evbuffer_get_length(bufferevent_get_output(bev)));
    shutdown(bufferevent_getfd(bev), SHUT_RDWR);
    if (c->heartbeat)
        event_del(c->heartbeat);
}

/* Ends the response cleanly (the browser reconnects after `retry`). */
static void client_end(struct client *c)
{
    struct evhttp_request *req = c->req;
    evhttp_connection_set_closecb(c->conn, NULL, NULL);
    client_unlink_and_free(c);
    evhttp_send_reply_end(req);
}

static size_t client_queued(const struct client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    return evbuffer_get_length(bufferevent_get_output(bev));
}

static uint64_t parse_id(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

static double next_random(struct server *s)
{
    /* xorshift64*: reproducible fault injection from --seed. */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (double)((s->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static void client_pump(struct client *c);

static void on_drained(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    client_pump(arg);
}

static struct timeval ms_to_timeval(uint64_t ms)
{
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    return tv;
}

static void on_flushed_abort(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    client_abort(arg);
}

/* (Re)starts the idle timer: a heartbeat goes out only after a quiet
 * --heartbeat-ms, so a busy stream carries none. */
static void heartbeat_rearm(struct client *c)
{
    if (c->heartbeat) {
        struct timeval tv = ms_to_timeval(c->srv->cfg.heartbeat_ms);
        event_add(c->heartbeat, &tv);
    }
}

/* Moves the frames this client has not had from the history into its
 * buffer, up to --max-backlog queued bytes; the rest waits for the buffer
 * to drain. Kicks the client if it has fallen too far behind. */
static void client_pump(struct client *c)
{
    struct server *s = c->srv;
    enum { MORE, END, ABORT } after = MORE;
    size_t queued = client_queued(c);
    int behind = 0;

    if (c->closing)
        return;
    while (queued + evbuffer_get_length(s->batch) < s->cfg.max_backlog) {
        const char *frame;
        size_t len;
        int r = sse_history_next(&s->history, &c->cursor, &frame, &len, NULL,
                                 NULL);
        if (r == 0)
            break;
        if (r == SSE_E_EVICTED) {
            /* A safety net: the history's bytes are sized so that its
             * event count, above --max-lag, evicts first. */
            behind = 1;
            break;
        }
        evbuffer_add(s->batch, frame, len);
        c->sent_id++; /* the history holds ids 1, 2, 3... in order */
        c->sent++;
        s->events_sent++;
        if (s->cfg.close_after && c->sent >= s->cfg.close_after) {
            after = END;
            break;
        }
        if (s->cfg.close_random > 0 && next_random(s) < s->cfg.close_random) {
            after = ABORT;
            break;
        }
    }
    if (after == ABORT) {
        /* The connection breaks right after this event: what was handed
         * to the connection gets out, the rest of the stream never does.
         * (Dropping the queue too would make long replays after a
         * reconnect ever likelier to die before their first byte.) */
        s->closed_by_fault++;
        c->closing = 1;
        evhttp_send_reply_chunk_with_cb(c->req, s->batch, on_flushed_abort, c);
        return;
    }
    if (evbuffer_get_length(s->batch)) {
        evhttp_send_reply_chunk_with_cb(c->req, s->batch, on_drained, c);
        heartbeat_rearm(c);
    }
    if (after == END) {
        s->closed_by_fault++;
        client_end(c);
        return;
    }
    /* The lag a client may have only shrinks: --max-lag, or more for a
     * client that resumed from further back, as long as it catches up. A
     * client whose lag grows past it with a full queue is not reading fast
     * enough, and goes while its last event is still in the history, so
     * its reconnect resumes with nothing lost. */
    uint64_t lag = s->newest - c->sent_id;
    if (lag < c->allowed_lag)
        c->allowed_lag = lag > s->cfg.max_lag ? lag : s->cfg.max_lag;
    if (behind || (lag > c->allowed_lag &&
                   client_queued(c) >= s->cfg.max_backlog)) {
        s->kicked_slow++;
        client_abort(c);
    }
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;
    (void)fd;
    (void)what;
    if (c->closing)
        return;
    if (client_queued(c) == 0) {
        evbuffer_add(c->srv->batch, c->srv->beat, c->srv->beat_len);
        evhttp_send_reply_chunk_with_cb(c->req, c->srv->batch, on_drained, c);
    }
    heartbeat_rearm(c);
}

/* ---- publishing -------------------------------------------------------- */

static int publish(struct server *s)
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
    /* A client may free itself while being pumped: take next first. */
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        client_pump(c);
    }
    return 0;
}

static void on_publish(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    if (publish(s) != 0 || (s->cfg.max_events && s->newest >= s->cfg.max_events))
        event_del(s->publish_timer);
}

/* ---- HTTP handlers ----------------------------------------------------- */

static void query_value(struct evhttp_request *req, const char *name,
                        char *out, size_t cap)
{
    struct evkeyvalq q;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    out[0] = '\0';
    if (!query || evhttp_parse_query_str(query, &q) != 0)
        return;
    const char *v = evhttp_find_header(&q, name);
    if (v)
        snprintf(out, cap, "%s", v);
    evhttp_clear_headers(&q);
}

/* A whole response. For HEAD, the same status and headers with no body:
 * evhttp would send the body after a HEAD's headers (and leave out the
 * Content-Length), so the length is set here and the body held back. */
static void send_text(struct evhttp_request *req, int code, const char *reason,
                      const char *type, const char *body, size_t len)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    struct evbuffer *buf;
    evhttp_add_header(headers, "Content-Type", type);
    evhttp_add_header(headers, "Cache-Control", "no-cache");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        char length[24];
        snprintf(length, sizeof length, "%zu", len);
        evhttp_add_header(headers, "Content-Length", length);
        evhttp_send_reply(req, code, reason, NULL);
        return;
    }
    buf = evbuffer_new();
    if (!buf) {
        evhttp_send_error(req, HTTP_INTERNAL, NULL);
        return;
    }
    evbuffer_add(buf, body, len);
    evhttp_send_reply(req, code, reason, buf);
    evbuffer_free(buf);
}

/* Starts a stream: headers, the hello frame (retry), then either the
 * frames after the client's Last-Event-ID, or - for an ID the history no
 * longer has - a resync event, then live. */
static void handle_events(struct server *s, struct evhttp_request *req)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *last = evhttp_find_header(in, "Last-Event-ID");
    const char *id = "";
    size_t id_len = 0;
    int have_id = last != NULL && last[0] != '\0';

    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        /* What GET would answer, without starting a stream. */
        size_t nh;
        const sse_header *h = sse_response_headers(&nh);
        for (size_t i = 0; i < nh; i++)
            evhttp_add_header(out, h[i].name, h[i].value);
        evhttp_send_reply(req, HTTP_OK, "OK", NULL);
        return;
    }
    if (s->cfg.status && s->cfg.status != 200) {
        char reason[64];
        int n = snprintf(reason, sizeof reason, "status %d from --status\n",
                         (int)s->cfg.status);
        send_text(req, (int)s->cfg.status, "Test Status", "text/plain", reason,
                  s->cfg.status == 204 ? 0 : (size_t)n);
        return;
    }
    struct client *c = calloc(1, sizeof *c);
    if (!c) {
        evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
        return;
    }
    c->srv = s;
    c->req = req;
    c->conn = evhttp_request_get_connection(req);
    if (s->cfg.sndbuf) {
        /* The kernel's buffer is per-client memory too, and by default it
         * grows to megabytes before a slow client shows any backlog. */
        int size = (int)s->cfg.sndbuf;
        evutil_socket_t fd =
            bufferevent_getfd(evhttp_connection_get_bufferevent(c->conn));
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    query_value(req, "client", c->tag, sizeof c->tag);
    if (s->cfg.heartbeat_ms) {
        c->heartbeat = event_new(s->base, -1, 0, on_heartbeat, c);
        if (!c->heartbeat) {
            free(c);
            evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
            return;
        }
    }

    size_t nh;
    const sse_header *h = sse_response_headers(&nh);
    for (size_t i = 0; i < nh; i++)
        evhttp_add_header(out, h[i].name, h[i].value);
    evhttp_send_reply_start(req, HTTP_OK, "OK");
    evbuffer_add(s->batch, s->hello, s->hello_len);

    int found = SSE_HISTORY_UNKNOWN;
    if (have_id &&
        sse_last_event_id_read(last, strlen(last), 64, &id, &id_len) == SSE_OK &&
        id_len > 0)
        found = sse_history_find(&s->history, id, id_len, &c->cursor);
    if (found == SSE_HISTORY_RESUME || found == SSE_HISTORY_CURRENT) {
        s->resumed++;
        c->sent_id = parse_id(id, id_len);
    } else {
        sse_history_now(&s->history, &c->cursor);
        c->sent_id = s->newest;
        if (have_id) {
            /* Documented in docs/server.md: the client's ID is not (or no
             * longer) in the history, so it missed an unknown number of
             * events. The resync event carries the newest ID, so the
             * client's next reconnect resumes from here. */
            char data[96], idbuf[24], frame[256];
            sse_frame f = {0};
            int dl = snprintf(data, sizeof data, "{\"newest\":%" PRIu64 "}",
                              s->newest);
            int il = snprintf(idbuf, sizeof idbuf, "%" PRIu64, s->newest);
            f.type = "resync";
            f.type_len = 6;
            f.data = data;
            f.data_len = (size_t)dl;
            if (s->newest) {
                f.id = idbuf;
                f.id_len = (size_t)il;
            }
            sse_ssize n = sse_encode(frame, sizeof frame, &f);
            if (n > 0 && (size_t)n <= sizeof frame)
                evbuffer_add(s->batch, frame, (size_t)n);
            s->resynced++;
        }
    }
    evhttp_send_reply_chunk(req, s->batch);

    c->allowed_lag = s->newest - c->sent_id;
    if (c->allowed_lag < s->cfg.max_lag)
        c->allowed_lag = s->cfg.max_lag;
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->clients_now++;
    s->connections++;
    evhttp_connection_set_closecb(c->conn, on_connection_closed, c);
    heartbeat_rearm(c);
    client_pump(c);
}

/* POST /drop?client=TAG drops that page's streams (every stream without a
 * tag), so a person can watch the browser reconnect and resume. */
static void handle_drop(struct server *s, struct evhttp_request *req)
{
    char tag[33], body[64];
    unsigned dropped = 0;
    query_value(req, "client", tag, sizeof tag);
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (!c->closing && (tag[0] == '\0' || strcmp(tag, c->tag) == 0)) {
            client_abort(c);
            dropped++;
        }
    }
    s->dropped_by_request += dropped;
    int n = snprintf(body, sizeof body, "{\"dropped\":%u}\n", dropped);
    send_text(req, HTTP_OK, "OK", "application/json", body, (size_t)n);
}

static void handle_stats(struct server *s, struct evhttp_request *req)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "{\"clients\":%" PRIu64 ",\"connections\":%" PRIu64
                     ",\"newest\":%" PRIu64 ",\"history\":%zu"
                     ",\"resumed\":%" PRIu64 ",\"resynced\":%" PRIu64
                     ",\"kicked_slow\":%" PRIu64 ",\"closed_by_fault\":%" PRIu64
                     ",\"dropped_by_request\":%" PRIu64
                     ",\"events_sent\":%" PRIu64 "}\n",
                     s->clients_now, s->connections, s->newest,
                     sse_history_count(&s->history), s->resumed, s->resynced,
                     s->kicked_slow, s->closed_by_fault, s->dropped_by_request,
                     s->events_sent);
    send_text(req, HTTP_OK, "OK", "application/json", body, (size_t)n);
}

static void handle_page(struct server *s, struct evhttp_request *req)
{
    (void)s;
    send_text(req, HTTP_OK, "OK", "text/html; charset=utf-8", sse_demo_page,
              sse_demo_page_len);
}

/* The page's icon, so a browser's automatic request finds one: an SVG
 * (a bar of the progress the page shows). */
static void handle_favicon(struct server *s, struct evhttp_request *req)
{
    static const char icon[] =
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
        "<rect width='16' height='16' rx='3' fill='#1f6feb'/>"
        "<rect x='3' y='7' width='10' height='2' fill='#fff'/></svg>";
    (void)s;
    send_text(req, HTTP_OK, "OK", "image/svg+xml", icon, sizeof icon - 1);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    static const struct {
        const char *path;
        enum evhttp_cmd_type method;
        const char *allow;
        void (*handle)(struct server *, struct evhttp_request *);
    } routes[] = {
        {"/", EVHTTP_REQ_GET, "GET, HEAD", handle_page},
        {"/favicon.ico", EVHTTP_REQ_GET, "GET, HEAD", handle_favicon},
        {"/events", EVHTTP_REQ_GET, "GET, HEAD", handle_events},
        {"/stats", EVHTTP_REQ_GET, "GET, HEAD", handle_stats},
        {"/drop", EVHTTP_REQ_POST, "POST", handle_drop},
    };
    struct server *s = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (!path || !*path)
        path = "/";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(path, routes[i].path) != 0)
            continue;
        enum evhttp_cmd_type method = evhttp_request_get_command(req);
        /* HEAD wherever GET: the same status and headers, no body. */
        if (method == routes[i].method ||
            (method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET)) {
            routes[i].handle(s, req);
        } else {
            evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                              routes[i].allow);
            send_text(req, 405, "Method Not Allowed", "text/plain",
                      "method not allowed\n", 19);
        }
        return;
    }
    send_text(req, HTTP_NOTFOUND, "Not Found", "text/plain", "not found\n", 10);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;
    (void)what;
    fprintf(stderr, "sse-server: %s, shutting down\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopexit(s->base, NULL);
}

/* ---- options ----------------------------------------------------------- */

static void usage(void)
{
    fputs(
        "Usage: sse-server [OPTION]...\n"
        "Streams a simulated live feed (LLM tokens and a progress counter) as\n"
        "text/event-stream at /events, with the demo page at /.\n"
        "  --bind ADDR          address to listen on (default 127.0.0.1)\n"
        "  --port N             port (default 8080; 0 picks a free one)\n"
        "  --interval-ms MS     publish one event every MS (default 250)\n"
        "  --max-events N       stop publishing after N events (default: never)\n"
        "  --retry MS           reconnect delay sent to clients (default 2000)\n"
        "  --heartbeat-ms MS    comment after MS idle (default 15000; 0: off)\n"
        "  --history N          events kept for Last-Event-ID resume (default 4096)\n"
        "  --max-backlog BYTES  output queued per client (default 65536)\n"
        "  --max-lag N          disconnect a client N events behind whose queue\n"
        "                       is full (default: half of --history)\n"
        "  --close-after N      fault injection: end every stream after N events\n"
        "  --close-random P     fault injection: break the connection after an\n"
        "                       event with probability P (0 to 1)\n"
        "  --seed N             seed for --close-random (default 1)\n"
        "  --pad BYTES          add a padding comment to every event\n"
        "  --sndbuf BYTES       kernel send buffer per stream (default: the\n"
        "                       kernel's, which grows to megabytes)\n"
        "  --status CODE        tests of clients: answer /events with CODE and\n"
        "                       no stream (e.g. 204, 500)\n"
        "  -h, --help           show this help and exit\n"
        "  -V, --version        show the version and exit\n"
        "Options take their value as --opt VALUE or --opt=VALUE.\n"
        "Prints \"listening on http://ADDR:PORT/\" once it accepts connections.\n"
        "SIGINT or SIGTERM stops it cleanly.\n",
        stdout);
}

/* "0", "1", "0.25", ".5": a probability, parsed without the locale. */
static int parse_probability(const char *s, double *out)
{
    double v = 0, scale = 1;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = 1;
        } else if (*s >= '0' && *s <= '9') {
            digits++;
            if (dot)
                v += (scale /= 10) * (*s - '0');
            else
                v = v * 10 + (*s - '0');
        } else {
            return -1;
        }
    }
    if (!digits || v > 1)
        return -1;
    *out = v;
    return 0;
}

/* Returns 0, 1 after --help or --version, or -1 after saying why not. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
    const struct {
        const char *name;
        uint64_t max;
        uint64_t *value;
    } numbers[] = {
        {"port", 65535, &cfg->port},
        {"interval-ms", 3600000, &cfg->interval_ms},
        {"max-events", UINT64_MAX, &cfg->max_events},
        {"retry", 86400000, &cfg->retry_ms},
        {"heartbeat-ms", 86400000, &cfg->heartbeat_ms},
        {"history", 1u << 24, &cfg->history_events},
        {"max-backlog", 1u << 30, &cfg->max_backlog},
        {"max-lag", UINT64_MAX, &cfg->max_lag},
        {"close-after", UINT64_MAX, &cfg->close_after},
        {"seed", UINT64_MAX, &cfg->seed},
        {"pad", 512, &cfg->pad},
        {"sndbuf", 1u << 26, &cfg->sndbuf},
        {"status", 599, &cfg->status},
    };
    enum { N_NUMBERS = sizeof numbers / sizeof numbers[0],
           OPT_BIND = N_NUMBERS, OPT_CLOSE_RANDOM };
    struct option longopts[N_NUMBERS + 5];
    size_t k;
    int c;
    for (k = 0; k < N_NUMBERS; k++) {
        longopts[k].name = numbers[k].name;
        longopts[k].has_arg = required_argument;
        longopts[k].flag = NULL;
        longopts[k].val = (int)k;
    }
    longopts[k++] = (struct option){"bind", required_argument, NULL, OPT_BIND};
    longopts[k++] = (struct option){"close-random", required_argument, NULL,
                                    OPT_CLOSE_RANDOM};
    longopts[k++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[k++] = (struct option){"version", no_argument, NULL, 'V'};
    longopts[k] = (struct option){NULL, 0, NULL, 0};

    cfg->max_lag = UINT64_MAX; /* "not given": half of --history, below */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        if (c >= 0 && c < N_NUMBERS) {
            if (tool_parse_u64(optarg, numbers[c].max, numbers[c].value) != 0) {
                fprintf(stderr, "sse-server: --%s needs a number from 0 to %" PRIu64 "\n",
                        numbers[c].name, numbers[c].max);
                return -1;
            }
        } else if (c == OPT_BIND) {
            cfg->bind = optarg;
        } else if (c == OPT_CLOSE_RANDOM) {
            if (parse_probability(optarg, &cfg->close_random) != 0) {
                tool_bad_value("sse-server", "close-random", "0 to 1");
                return -1;
            }
        } else {
            return tool_standard_option(c, "sse-server", usage) == TOOL_OK ? 1
                                                                           : -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sse-server: unexpected argument %s\n", argv[optind]);
        tool_usage_error("sse-server");
        return -1;
    }
    if (cfg->history_events < 2 || cfg->interval_ms == 0 ||
        cfg->max_backlog == 0) {
        fprintf(stderr, "sse-server: --history needs at least 2, "
                        "--interval-ms and --max-backlog at least 1\n");
        return -1;
    }
    if (cfg->max_lag == UINT64_MAX)
        cfg->max_lag = cfg->history_events / 2;
    if (cfg->max_lag >= cfg->history_events) {
        fprintf(stderr, "sse-server: --max-lag must be below --history, or a "
                        "kicked client could not resume\n");
        return -1;
    }
    return 0;
}

/* ---- main -------------------------------------------------------------- */

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
    sse_frame hello = {0};
    hello.flags = SSE_FRAME_RETRY;
    hello.retry_ms = cfg->retry_ms;
    hello.comment = "libsse demo";
    hello.comment_len = 11;
    sse_frame beat = {0};
    beat.comment = "heartbeat";
    beat.comment_len = 9;
    sse_ssize n = sse_encode(s->hello, sizeof s->hello, &hello);
    sse_ssize m = sse_encode(s->beat, sizeof s->beat, &beat);
    if (n < 0 || (size_t)n > sizeof s->hello || m < 0 ||
        (size_t)m > sizeof s->beat)
        return -1;
    s->hello_len = (size_t)n;
    s->beat_len = (size_t)m;

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
    s->batch = evbuffer_new();
    if (!s->http || !s->batch)
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

    struct timeval tv = ms_to_timeval(cfg->interval_ms);
    s->publish_timer = event_new(s->base, -1, EV_PERSIST, on_publish, s);
    s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s);
    if (!s->publish_timer || !s->sig_int || !s->sig_term ||
        event_add(s->publish_timer, &tv) || event_add(s->sig_int, NULL) ||
        event_add(s->sig_term, NULL))
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
    if (s->publish_timer)
        event_free(s->publish_timer);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->batch)
        evbuffer_free(s->batch);
    if (s->base)
        event_base_free(s->base);
    free(s->history_mem);
}

int main(int argc, char **argv)
{
    struct server s;
    memset(&s, 0, sizeof s);
    s.cfg.bind = "127.0.0.1";
    s.cfg.port = 8080;
    s.cfg.interval_ms = 250;
    s.cfg.retry_ms = 2000;
    s.cfg.heartbeat_ms = 15000;
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
