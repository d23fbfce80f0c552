/* sse-server's HTTP side: routing, and the handlers - the stream at
 * /events (resume, resync, then live), the page, /stats and /drop. HEAD is
 * answered wherever GET is. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>

#include "server.h"

/* The demo page (generated from page.html by the build). */
extern const char sse_demo_page[];
extern const size_t sse_demo_page_len;

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
void send_text(struct evhttp_request *req, int code, const char *reason,
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

/* Starts a stream: the headers (with CORS for --allow-origin), then its
 * sse_stream decides the rest: retry, then the events after the client's
 * Last-Event-ID, or - for an ID the history no longer has - the resync
 * event and the newest event, then live. */
static void stream_open(struct server *s, struct evhttp_request *req)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *last = evhttp_find_header(in, "Last-Event-ID");
    const char *origin = evhttp_find_header(in, "Origin");
    sse_header h[SSE_STREAM_MAX_HEADERS];
    size_t nh = sse_stream_headers(&s->stream_options, origin,
                                   origin ? strlen(origin) : 0, h,
                                   SSE_STREAM_MAX_HEADERS);
    struct client *c;
    int start;

    for (size_t i = 0; i < nh; i++)
        evhttp_add_header(out, h[i].name, h[i].value);
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        /* What GET would answer, without starting a stream. */
        evhttp_send_reply(req, HTTP_OK, "OK", NULL);
        return;
    }
    if (fault_status_reply(s, req) || guard_full(s, req))
        return;
    if (!redis_following(s)) {
        /* Redis is out of reach: a stream here would get no events. End
         * at once after a retry, so the client comes back (perhaps to an
         * instance that reaches Redis); an error status would make a
         * browser give up for good. */
        char retry[40];
        int n = snprintf(retry, sizeof retry, "retry: %" PRIu64 "\n\n",
                         s->cfg.retry_ms);
        send_text(req, HTTP_OK, "OK", "text/event-stream", retry, (size_t)n);
        return;
    }
    if (last && redis_expired(s, last, strlen(last)))
        last = "expired"; /* older than --retention-ms: never an id here */
    c = calloc(1, sizeof *c);
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
    start = sse_stream_open(&c->stream, &s->history, &s->stream_options, last,
                            last ? strlen(last) : 0, now_ms());
    if (start == SSE_STREAM_RESUMED || start == SSE_STREAM_CURRENT)
        s->resumed++;
    else if (start == SSE_STREAM_UNKNOWN)
        s->resynced++; /* documented in docs/server.md */
    evhttp_send_reply_start(req, HTTP_OK, "OK");
    if (stream_take_over(c) != 0) {
        if (c->heartbeat)
            event_free(c->heartbeat);
        free(c);
        evhttp_send_reply_end(req);
        return;
    }
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->clients_now++;
    s->connections++;
    evhttp_connection_set_closecb(c->conn, on_connection_closed, c);
    client_pump(c);
}

/* --redis: a client resuming from an entry this instance has not
 * followed yet (it got it from an instance a little ahead) waits for it,
 * PARK_STEP_MS at a time for at most PARK_MAX_MS, rather than being told
 * that its id is unknown. */
#define PARK_STEP_MS 10
#define PARK_MAX_MS 2000

struct parked {
    struct server *s;
    struct evhttp_request *req;
    struct event *timer;
    uint64_t waited_ms;
};

static void parked_free(struct parked *p)
{
    event_free(p->timer);
    free(p);
}

/* The client left while waiting, or the server is shutting down. */
static void on_parked_closed(struct evhttp_connection *conn, void *arg)
{
    struct parked *p = arg;
    struct evhttp_request *req = p->req;
    (void)conn;
    parked_free(p);
    if (evhttp_request_get_connection(req) == NULL)
        evhttp_send_reply_end(req); /* evhttp left it to us: this frees it */
}

static int parked_ahead(struct parked *p)
{
    const char *last = evhttp_find_header(
        evhttp_request_get_input_headers(p->req), "Last-Event-ID");
    return last && redis_ahead(p->s, last, strlen(last));
}

static void on_parked_wake(evutil_socket_t fd, short what, void *arg)
{
    struct parked *p = arg;
    struct server *s = p->s;
    struct evhttp_request *req = p->req;
    struct timeval step = ms_to_timeval(PARK_STEP_MS);
    (void)fd;
    (void)what;
    p->waited_ms += PARK_STEP_MS;
    if (parked_ahead(p) && p->waited_ms < PARK_MAX_MS &&
        event_add(p->timer, &step) == 0)
        return;
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL,
                                  NULL);
    parked_free(p);
    stream_open(s, req); /* still unknown after the wait: a resync */
}

/* Returns 0 if the request now waits (on_parked_wake opens it later). */
static int park(struct server *s, struct evhttp_request *req)
{
    struct timeval step = ms_to_timeval(PARK_STEP_MS);
    struct parked *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->s = s;
    p->req = req;
    p->timer = event_new(s->base, -1, 0, on_parked_wake, p);
    if (!p->timer || event_add(p->timer, &step) != 0) {
        if (p->timer)
            event_free(p->timer);
        free(p);
        return -1;
    }
    evhttp_connection_set_closecb(evhttp_request_get_connection(req),
                                  on_parked_closed, p);
    return 0;
}

static void handle_events(struct server *s, struct evhttp_request *req)
{
    const char *last = evhttp_find_header(evhttp_request_get_input_headers(req),
                                          "Last-Event-ID");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_GET && last &&
        redis_ahead(s, last, strlen(last)) && park(s, req) == 0)
        return;
    stream_open(s, req);
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
                     ",\"events_sent\":%" PRIu64 ",\"refused_full\":%" PRIu64
                     ",\"followed\":%" PRIu64 ",\"following\":%d"
                     "}\n",
                     s->clients_now, s->connections, s->newest,
                     sse_history_count(&s->history), s->resumed, s->resynced,
                     s->kicked_slow, s->closed_by_fault, s->dropped_by_request,
                     s->events_sent, s->refused_full, s->followed,
                     redis_following(s));
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

void on_request(struct evhttp_request *req, void *arg)
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
    guard_accepted(s);
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
