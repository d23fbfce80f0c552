/* sse-server's parts, one concern per file:
 *   sse_server.c  main: setup, publishing the feed, shutdown
 *   clients.c     each stream: handing libevent what its sse_stream has
 *                 within the backlog, closing the slow, heartbeat timers
 *   http.c        routing and the handlers (/events, /, /stats, /drop)
 *   options.c     the command line
 *   guard.c       bounds on hostile clients: request timeout, accept
 *                 backoff when out of descriptors, --max-clients
 *   redis_feed.c  --redis: the history shared on a Redis stream (publish,
 *                 follow, reconnect); built when hiredis is found
 *   faults.c      test-only fault injection (--close-after, --close-random,
 *                 --status): nothing a server copied from here needs
 *   feed.c        the simulated feed; page.html the demo page
 */
#ifndef SSE_DEMO_SERVER_H
#define SSE_DEMO_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <event2/event.h>
#include <event2/http.h>

#include "sse.h"

struct config {
    const char *bind;
    const char *allow_origin; /* CORS (--allow-origin), or NULL */
    const char *redis;        /* --redis HOST:PORT, or NULL: in memory */
    const char *redis_key;    /* --redis-stream (default "sse:demo") */
    int publish;              /* --publish: this instance runs the feed */
    double close_random;    /* fault: abort after an event, probability */
    /* Numbers, all set from the option table in parse_args. */
    uint64_t port;
    uint64_t interval_ms;    /* publish period */
    uint64_t max_events;     /* stop publishing after this many (0: never) */
    uint64_t retry_ms;       /* sent when a stream starts */
    uint64_t heartbeat_ms;   /* comment after this long idle (0: off) */
    uint64_t history_events; /* frames kept for resume */
    uint64_t max_backlog;    /* bytes queued per client before it waits */
    uint64_t max_lag;        /* events behind before a kick */
    uint64_t close_after;    /* fault: end each stream after N events */
    uint64_t seed;
    uint64_t pad;            /* padding bytes per event (tests fill buffers) */
    uint64_t sndbuf;         /* SO_SNDBUF for streams (0: the kernel's) */
    uint64_t status;         /* tests of clients: answer /events with it */
    uint64_t request_timeout_ms; /* to finish a request, and per write */
    uint64_t max_clients;    /* streams at once */
    uint64_t retention_ms;   /* --retention-ms: Redis entries this young */
};

struct client;
struct redis_feed;

/* The largest frame this server encodes (a Redis entry may be big). */
#define SSE_DEMO_MAX_FRAME 65536

struct server {
    struct config cfg;
    struct event_base *base;
    struct evhttp *http;
    struct event *publish_timer;
    struct event *sig_int, *sig_term;
    struct evconnlistener *listener;
    struct event *accept_timer; /* resumes accepting after EMFILE */
    uint64_t accept_paused;     /* failed accepts in this episode */
    uint64_t accept_pause_ms;
    sse_history history;
    struct redis_feed *redis;   /* --redis, or NULL */
    void *history_mem;
    sse_stream_options stream_options; /* every client's */
    struct client *clients; /* doubly linked, unordered */
    uint64_t newest;        /* id of the newest event (ids are 1, 2, ...) */
    uint64_t next_due_ms;   /* when the feed's next event is due */
    int stopping;           /* after SIGINT or SIGTERM */
    uint64_t rng;
    /* Counters for /stats and the shutdown line. */
    uint64_t connections, clients_now, resumed, resynced, kicked_slow,
        closed_by_fault, dropped_by_request, events_sent, refused_full,
        followed;
};

struct client {
    struct server *srv;
    struct client *prev, *next;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    struct event *heartbeat; /* wakes the stream when a heartbeat is due */
    struct evbuffer_cb_entry *drained; /* on its output buffer */
    sse_stream stream;       /* where it is, what it gets next */
    char tag[33];      /* ?client=... from the page, for /drop */
    int chunked;       /* HTTP/1.1: each write goes out as one chunk */
    int closing;       /* aborted: waiting for libevent to notice */
    int abort_when_drained; /* fault: break once the queue is out */
};

/* Pieces of the stream (frames) sent with one writev. */
#define PUMP_PIECES 64


/* sse_server.c: hands every client what is new in the history. */
void server_fan_out(struct server *s);

/* options.c: fills cfg from the command line. Returns 0, 1 after --help or
 * --version, or -1 after saying what is wrong. */
int parse_args(int argc, char **argv, struct config *cfg);

/* clients.c */
void client_pump(struct client *c);  /* queue what it has not had */
void client_abort(struct client *c); /* drop the connection at once */
void client_end_now(struct client *c); /* end the response cleanly */
void on_connection_closed(struct evhttp_connection *conn, void *arg);
void on_heartbeat(evutil_socket_t fd, short what, void *arg);
struct timeval ms_to_timeval(uint64_t ms);
uint64_t now_ms(void); /* the streams' clock: monotonic milliseconds */
/* After evhttp_send_reply_start: the stream writes for itself (-1 when
 * out of memory). */
int stream_take_over(struct client *c);

/* http.c */
void on_request(struct evhttp_request *req, void *arg);
void send_text(struct evhttp_request *req, int code, const char *reason,
               const char *type, const char *body, size_t len);

/* guard.c */
int guard_setup(struct server *s, struct evhttp_bound_socket *bound);
void guard_accepted(struct server *s);
/* --max-clients reached: answers 503 itself and returns 1. */
int guard_full(struct server *s, struct evhttp_request *req);

/* redis_feed.c (stubs in no_redis.c when built without hiredis) */
int redis_setup(struct server *s);     /* -1 after saying why */
void redis_teardown(struct server *s);
void redis_publish_due(struct server *s); /* XADD the feed's next event */
int redis_following(const struct server *s); /* 1 in memory mode */
int redis_expired(const struct server *s, const char *id, size_t len);
int redis_ahead(const struct server *s, const char *id, size_t len);

/* faults.c: what a test fault does to a stream after an event. */
enum fault_after { FAULT_NONE, FAULT_END, FAULT_ABORT };
enum fault_after fault_after_event(struct server *s, struct client *c);
/* --status: answers /events itself; returns 1 if it did. */
int fault_status_reply(struct server *s, struct evhttp_request *req);

#endif
