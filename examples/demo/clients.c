/* sse-server, each stream: its sse_stream hands frames from the shared
 * history to the client's buffer only as it drains (a slow client holds a
 * position, not a queue of copies), says when a client is too far behind
 * to keep (while it can still resume), and when a heartbeat is due. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
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
    if (c->drained)
        evbuffer_remove_cb_entry(
            bufferevent_get_output(evhttp_connection_get_bufferevent(c->conn)),
            c->drained);
    free(c);
}

/* The peer went away, or evhttp is freeing the connection (after a
 * failed or timed-out write, client_abort, or at shutdown). */
void on_connection_closed(struct evhttp_connection *conn, void *arg)
{
    struct client *c = arg;
    struct evhttp_request *req = c->req;
    if (!c->srv->stopping) {
        /* An abortive close (RST): what the client has not read yet it
         * gets again when it resumes, and the kernel frees the send queue
         * at once. A plain close would leave it to an orphaned socket for
         * as long as a client that does not read keeps its window shut
         * (and that client would never learn the stream is gone). */
        struct linger now = {1, 0};
        setsockopt(bufferevent_getfd(evhttp_connection_get_bufferevent(conn)),
                   SOL_SOCKET, SO_LINGER, &now, sizeof now);
    }
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
 * is shut down rather than freed here: reading is turned back on, so
 * libevent sees the end of input at once and frees the connection through
 * on_connection_closed, in its own time. (Freeing it from here makes
 * libevent 2.1 touch the closed descriptor.) */
void client_abort(struct client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    c->closing = 1;
    evbuffer_drain(bufferevent_get_output(bev),
                   evbuffer_get_length(bufferevent_get_output(bev)));
    shutdown(bufferevent_getfd(bev), SHUT_RDWR);
    bufferevent_enable(bev, EV_READ);
    if (c->heartbeat)
        event_del(c->heartbeat);
}

/* Ends the response cleanly (the browser reconnects after `retry`). */
void client_end_now(struct client *c)
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

struct timeval ms_to_timeval(uint64_t ms)
{
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    return tv;
}

/* libevent wrote out the last of what this client had queued: the stream
 * may go on (or, after an injected fault, break). Called by libevent from
 * its write callback, right after the write that emptied the buffer (our
 * own writes only add to it, which this ignores). */
static void on_output(struct evbuffer *out, const struct evbuffer_cb_info *info,
                      void *arg)
{
    struct client *c = arg;
    if (info->n_deleted == 0 || evbuffer_get_length(out) != 0)
        return;
    if (c->abort_when_drained)
        client_abort(c);
    else
        client_pump(c);
}

/* Takes over the stream's writes once evhttp has queued the headers.
 * evhttp enables reading with every write of its own, to notice a close;
 * but a client that shut down only its sending side (half-close) is still
 * a reader, and its end of input must not end the stream. With reading
 * off, a client that is gone shows as a failed write instead, and the
 * request timeout only bounds writes that make no progress. */
int stream_take_over(struct client *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    const char *te = evhttp_find_header(
        evhttp_request_get_output_headers(c->req), "Transfer-Encoding");
    c->chunked = te != NULL; /* HTTP/1.1: each write is one chunk */
    bufferevent_disable(bev, EV_READ);
    c->drained = evbuffer_add_cb(bufferevent_get_output(bev), on_output, c);
    return c->drained ? 0 : -1;
}

uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Sends one piece of the stream (as one HTTP chunk). While nothing is
 * queued it goes straight to the socket: one writev, no buffer copy and
 * no trip through the event loop, which is what makes fan-out to many
 * clients cheap. What the socket does not take is copied to libevent's
 * buffer, which writes it as the socket drains. Returns -1 if the client
 * is gone. */
static int client_send(struct client *c, const sse_iov *piece, size_t count,
                       size_t len)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
    struct evbuffer *out = bufferevent_get_output(bev);
    struct iovec v[PUMP_PIECES + 2];
    char head[24];
    size_t k = 0, i;
    ssize_t done = 0;

    if (c->chunked) {
        int n = snprintf(head, sizeof head, "%zx\r\n", len);
        v[k].iov_base = head;
        v[k++].iov_len = (size_t)n;
    }
    for (i = 0; i < count; i++) {
        v[k].iov_base = (void *)piece[i].base;
        v[k++].iov_len = piece[i].len;
    }
    if (c->chunked) {
        v[k].iov_base = (void *)"\r\n";
        v[k++].iov_len = 2;
    }
    if (evbuffer_get_length(out) == 0) {
        done = writev(bufferevent_getfd(bev), v, (int)k);
        if (done < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
            errno != EINTR)
            return -1;
        if (done < 0)
            done = 0;
    }
    for (i = 0; i < k; i++) {
        if ((size_t)done >= v[i].iov_len) {
            done -= (ssize_t)v[i].iov_len;
            continue;
        }
        evbuffer_add(out, (char *)v[i].iov_base + done,
                     v[i].iov_len - (size_t)done);
        done = 0;
    }
    return 0;
}

/* Sends what this client's stream has, up to --max-backlog queued bytes;
 * the rest waits for the buffer to drain. The stream decides everything
 * else: the opening, frames from the history, a heartbeat when one is due,
 * and when a client has fallen too far behind to keep. With a test fault
 * configured it is asked one event at a time, so that the fault can strike
 * right after any event. */
void client_pump(struct client *c)
{
    struct server *s = c->srv;
    enum fault_after after = FAULT_NONE;
    size_t at_once = s->cfg.close_after || s->cfg.close_random > 0
                         ? 1 : PUMP_PIECES;
    uint64_t now = now_ms(), due;
    sse_ssize n;

    if (c->closing)
        return;
    for (;;) {
        size_t queued = client_queued(c), len = 0;
        uint64_t before = sse_stream_frames_sent(&c->stream);
        sse_iov piece[PUMP_PIECES];
        /* A full queue still asks (for 0 bytes): that is when a client
         * that stopped reading is told to go. */
        n = sse_stream_pending(&c->stream, &s->history, now,
                               queued < s->cfg.max_backlog
                                   ? s->cfg.max_backlog - queued
                                   : 0,
                               piece, at_once);
        if (n <= 0)
            break;
        for (sse_ssize i = 0; i < n; i++)
            len += piece[i].len;
        if (client_send(c, piece, (size_t)n, len) != 0) {
            client_abort(c); /* gone: nothing to resume from here */
            return;
        }
        sse_stream_sent(&c->stream, &s->history, len, now);
        s->events_sent += sse_stream_frames_sent(&c->stream) - before;
        if (at_once == 1 && sse_stream_frames_sent(&c->stream) > before) {
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
        if (client_queued(c) == 0) {
            client_abort(c);
            return;
        }
        c->abort_when_drained = 1;
        c->closing = 1;
        return;
    }
    if (after == FAULT_END) {
        s->closed_by_fault++;
        client_end_now(c);
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
     * through on_output instead. */
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
