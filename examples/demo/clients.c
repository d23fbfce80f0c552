/* sse-server, each stream: frames move from the shared history into the
 * client's buffer only as it drains (a slow client holds a cursor, not a
 * queue of copies), a client too far behind is disconnected while it can
 * still resume, and an idle stream gets heartbeats. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "server.h"

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
void on_connection_closed(struct evhttp_connection *conn, void *arg)
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
void client_abort(struct client *c)
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

static void on_drained(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    client_pump(arg);
}

struct timeval ms_to_timeval(uint64_t ms)
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
void heartbeat_rearm(struct client *c)
{
    if (c->heartbeat) {
        struct timeval tv = ms_to_timeval(c->srv->cfg.heartbeat_ms);
        event_add(c->heartbeat, &tv);
    }
}

/* Moves the frames this client has not had from the history into its
 * buffer, up to --max-backlog queued bytes; the rest waits for the buffer
 * to drain. Kicks the client if it has fallen too far behind. */
void client_pump(struct client *c)
{
    struct server *s = c->srv;
    enum fault_after after = FAULT_NONE;
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
        after = fault_after_event(s, c);
        if (after != FAULT_NONE)
            break;
    }
    if (after == FAULT_ABORT) {
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
    if (after == FAULT_END) {
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

void on_heartbeat(evutil_socket_t fd, short what, void *arg)
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
