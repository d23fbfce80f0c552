/* sse-server, each stream: its sse_stream hands frames from the shared
 * history to the client's buffer only as it drains (a slow client holds a
 * position, not a queue of copies), says when a client is too far behind
 * to keep (while it can still resume), and when a heartbeat is due. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

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

/* evhttp enables reading with every write, to notice a close; but a
 * client that shut down only its sending side (half-close) is still a
 * reader, and its end of input must not end the stream. With reading off,
 * a client that is gone shows as a failed write instead, and the request
 * timeout only bounds writes that make no progress. */
void stream_only_writes(struct client *c)
{
    bufferevent_disable(evhttp_connection_get_bufferevent(c->conn), EV_READ);
}

uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Hands libevent what this client's stream has, up to --max-backlog queued
 * bytes; the rest waits for the buffer to drain. The stream decides
 * everything else: the opening, frames from the history, a heartbeat when
 * one is due, and when a client has fallen too far behind to keep. It is
 * asked one piece at a time, so that a test fault can strike right after
 * any event. */
void client_pump(struct client *c)
{
    struct server *s = c->srv;
    enum fault_after after = FAULT_NONE;
    size_t queued = client_queued(c);
    uint64_t now = now_ms(), due;
    sse_ssize n;

    if (c->closing)
        return;
    for (;;) {
        size_t held = queued + evbuffer_get_length(s->batch);
        uint64_t before = sse_stream_frames_sent(&c->stream);
        sse_iov piece;
        /* A full queue still asks (for 0 bytes): that is when a client
         * that stopped reading is told to go. */
        n = sse_stream_pending(&c->stream, &s->history, now,
                               held < s->cfg.max_backlog
                                   ? s->cfg.max_backlog - held
                                   : 0,
                               &piece, 1);
        if (n <= 0)
            break;
        evbuffer_add(s->batch, piece.base, piece.len);
        sse_stream_sent(&c->stream, &s->history, piece.len, now);
        if (sse_stream_frames_sent(&c->stream) > before) {
            s->events_sent++;
            after = fault_after_event(s, c);
            if (after != FAULT_NONE)
                break;
        }
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
        stream_only_writes(c);
    }
    if (after == FAULT_END) {
        s->closed_by_fault++;
        client_end(c);
        return;
    }
    if (n < 0) {
        /* Too far behind (SSE_E_TOO_SLOW: its last event is still in the
         * history, so its reconnect resumes with nothing lost) or past
         * saving (SSE_E_EVICTED: it will resync). */
        s->kicked_slow++;
        client_abort(c);
        return;
    }
    /* Idle: wake up when the heartbeat is due. A full queue wakes it
     * through on_drained instead. */
    due = sse_stream_heartbeat_due(&c->stream);
    if (c->heartbeat && due != UINT64_MAX &&
        client_queued(c) < s->cfg.max_backlog) {
        struct timeval tv = ms_to_timeval(due > now ? due - now : 0);
        event_add(c->heartbeat, &tv);
    }
}

void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client_pump(arg);
}
