/* An event-stream server on libevent's evhttp, small enough to copy. It
 * publishes a tick every INTERVAL_MS at /events; libsse's sse_stream does
 * the rest for each client: resume from Last-Event-ID (or a resync event),
 * retry and heartbeats, a bounded backlog, and closing a client that falls
 * behind while it can still resume. One thread, so no locks. Memory per
 * client: the stream, and at most QUEUE_MAX in libevent and the kernel each.
 *
 *   evhttp_server [PORT [INTERVAL_MS [HEARTBEAT_MS [PAD]]]]   (PORT 0: any)
 * PAD spaces after each tick's JSON try bigger events (at most 60000).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sse.h>

#define QUEUE_MAX 65536

struct client {
    struct client *prev, *next;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    sse_stream stream;
};

static struct {
    sse_history history;
    char mem[1 << 20]; /* the history's frames */
    sse_stream_options opt;
    struct client *clients;
    struct evbuffer *batch;
    uint64_t last_id;
    size_t pad;
} srv;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void pump(struct client *c);
static void on_drained(struct evhttp_connection *x, void *c) { (void)x; pump(c); }

/* Hands libevent what the stream has for c, up to QUEUE_MAX queued. A
 * full queue still asks (for 0 bytes): that is when a client that stopped
 * reading is told to go. */
static void pump(struct client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    size_t queued = evbuffer_get_length(bufferevent_get_output(bev)), len;
    uint64_t now = now_ms();
    sse_iov iov[16];
    sse_ssize n, i;
    while ((n = sse_stream_pending(&c->stream, &srv.history, now,
                                   queued < QUEUE_MAX ? QUEUE_MAX - queued : 0,
                                   iov, 16)) > 0) {
        for (i = 0, len = 0; i < n; len += iov[i++].len)
            evbuffer_add(srv.batch, iov[i].base, iov[i].len);
        sse_stream_sent(&c->stream, &srv.history, len, now);
        queued += len;
    }
    if (evbuffer_get_length(srv.batch))
        evhttp_send_reply_chunk_with_cb(c->req, srv.batch, on_drained, c);
    /* evhttp reads with every write to notice a close; a client that only
     * half-closed is still a reader (one gone shows as a failed write). */
    bufferevent_disable(bev, EV_READ);
    if (n < 0) { /* too far behind: drop it; it reconnects and resumes */
        shutdown(bufferevent_getfd(bev), SHUT_RDWR);
        bufferevent_enable(bev, EV_READ); /* its end frees the connection */
    }
}

static void pump_all(void)
{
    for (struct client *c = srv.clients; c; c = c->next)
        pump(c);
}

static void on_closed(struct evhttp_connection *conn, void *arg)
{
    struct client *c = arg;
    (void)conn;
    *(c->prev ? &c->prev->next : &srv.clients) = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (evhttp_request_get_connection(c->req) == NULL)
        evhttp_send_reply_end(c->req); /* the peer left: the request is ours */
    free(c);
}

static void on_events(struct evhttp_request *req, void *arg)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *origin = evhttp_find_header(in, "Origin");
    const char *last = evhttp_find_header(in, "Last-Event-ID");
    sse_header h[SSE_STREAM_MAX_HEADERS];
    size_t i, nh = sse_stream_headers(&srv.opt, origin,
                                      origin ? strlen(origin) : 0, h,
                                      SSE_STREAM_MAX_HEADERS);
    struct client *c;
    int size = QUEUE_MAX; /* the kernel's share of the backlog */
    (void)arg;
    for (i = 0; i < nh; i++)
        evhttp_add_header(evhttp_request_get_output_headers(req), h[i].name,
                          h[i].value);
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        evhttp_send_reply(req, HTTP_OK, "OK", NULL); /* the headers alone */
        return;
    }
    if (!(c = calloc(1, sizeof *c))) {
        evhttp_send_error(req, HTTP_SERVUNAVAIL, NULL);
        return;
    }
    c->req = req;
    c->conn = conn;
    setsockopt(bufferevent_getfd(evhttp_connection_get_bufferevent(conn)),
               SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    sse_stream_open(&c->stream, &srv.history, &srv.opt, last,
                    last ? strlen(last) : 0, now_ms());
    evhttp_send_reply_start(req, HTTP_OK, "OK");
    if ((c->next = srv.clients) != NULL)
        c->next->prev = c;
    srv.clients = c;
    evhttp_connection_set_closecb(conn, on_closed, c);
    pump(c);
}

static void on_publish(evutil_socket_t x, short y, void *arg)
{
    static char data[61000], frame[62000];
    char id[24];
    sse_frame f = {0};
    (void)x, (void)y, (void)arg;
    f.id = id;
    f.id_len = (size_t)snprintf(id, sizeof id, "%" PRIu64, ++srv.last_id);
    f.data = data;
    f.data_len = (size_t)snprintf(data, sizeof data, "{\"tick\":%s}", id);
    memset(data + f.data_len, ' ', srv.pad);
    f.data_len += srv.pad;
    sse_history_add(&srv.history, id, f.id_len, frame,
                    (size_t)sse_encode(frame, sizeof frame, &f));
    pump_all();
}

/* Every 250 ms, each stream gets what is due: a heartbeat on an idle one. */
static void on_sweep(evutil_socket_t x, short y, void *arg)
{
    (void)x, (void)y, (void)arg;
    pump_all();
}

static void on_signal(evutil_socket_t x, short y, void *base)
{
    (void)x, (void)y;
    event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
    long port = argc > 1 ? strtol(argv[1], NULL, 10) : 8080;
    long every = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
    struct timeval tick = {every / 1000, (every % 1000) * 1000};
    struct timeval sweep = {0, 250000};
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    struct event *ev[4] = {event_new(base, -1, EV_PERSIST, on_publish, NULL),
                           event_new(base, -1, EV_PERSIST, on_sweep, NULL),
                           evsignal_new(base, SIGINT, on_signal, base),
                           evsignal_new(base, SIGTERM, on_signal, base)};
    struct evhttp_bound_socket *bound;
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;

    signal(SIGPIPE, SIG_IGN);
    sse_history_init(&srv.history, srv.mem, sizeof srv.mem, 4096);
    srv.opt.retry_ms = 2000;
    srv.opt.heartbeat_ms = argc > 3 ? strtoull(argv[3], NULL, 10) : 15000;
    srv.pad = argc > 4 ? strtoul(argv[4], NULL, 10) % 60001 : 0;
    srv.batch = evbuffer_new();
    evhttp_set_timeout(http, 10); /* to send a request; per stalled write */
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_cb(http, "/events", on_events, NULL);
    bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)port);
    if (!bound) {
        fprintf(stderr, "evhttp_server: cannot listen on port %ld\n", port);
        return 1;
    }
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&addr, &alen);
    printf("listening on http://127.0.0.1:%u/events\n", ntohs(addr.sin_port));
    fflush(stdout);
    event_add(ev[0], &tick);
    event_add(ev[1], &sweep);
    event_add(ev[2], NULL);
    event_add(ev[3], NULL);
    event_base_dispatch(base);
    evhttp_free(http); /* closes every stream; on_closed frees each client */
    for (int i = 0; i < 4; i++)
        event_free(ev[i]);
    evbuffer_free(srv.batch);
    event_base_free(base);
    return 0;
}
