/* sse-server's bounds on what a hostile or broken client can cost:
 *   - a request that never finishes (slowloris) is closed after
 *     --request-timeout-ms, and a stream whose writes make no progress for
 *     as long (a reader that stopped) is closed too;
 *   - out of descriptors (EMFILE), accepting pauses and resumes with
 *     backoff, and the log gets one line per episode, not one per failed
 *     accept (libevent's default is a warning per attempt in a busy loop);
 *   - at most --max-clients streams at once (503 with Retry-After beyond);
 *   - a request with a NUL byte is refused (400) before evhttp parses it:
 *     evhttp would cut the header value at the NUL, and a Last-Event-ID
 *     of "3<NUL>9" would resume from 3.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "server.h"

#define ACCEPT_PAUSE_MIN_MS 50
#define ACCEPT_PAUSE_MAX_MS 1000

/* libevent passes the listener's error callback the argument evhttp gave
 * the listener (its struct evhttp), not one of ours; one server per
 * process, so it is found here. */
static struct server *guarded;

static void on_accept_again(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    evconnlistener_enable(s->listener);
}

static void on_accept_error(struct evconnlistener *lev, void *arg)
{
    struct server *s = guarded;
    int err = EVUTIL_SOCKET_ERROR();
    struct timeval tv;
    (void)arg;
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        /* Every descriptor is taken: the pending connection stays in the
         * kernel's queue. Stop asking until some are freed (a stream ends,
         * a slow request times out), backing off while it lasts. */
        if (!s->accept_paused)
            fprintf(stderr,
                    "sse-server: cannot accept (%s); pausing new connections "
                    "until descriptors free up\n",
                    strerror(err));
        s->accept_paused++;
        s->accept_pause_ms = s->accept_pause_ms
                                 ? s->accept_pause_ms * 2
                                 : ACCEPT_PAUSE_MIN_MS;
        if (s->accept_pause_ms > ACCEPT_PAUSE_MAX_MS)
            s->accept_pause_ms = ACCEPT_PAUSE_MAX_MS;
        evconnlistener_disable(lev);
        tv = ms_to_timeval(s->accept_pause_ms);
        event_add(s->accept_timer, &tv);
        return;
    }
    fprintf(stderr, "sse-server: accept: %s\n", strerror(err));
}

/* A connection was accepted: an episode of EMFILE, if any, is over. */
void guard_accepted(struct server *s)
{
    if (s->accept_paused) {
        fprintf(stderr,
                "sse-server: accepting again (paused %llu times)\n",
                (unsigned long long)s->accept_paused);
        s->accept_paused = 0;
        s->accept_pause_ms = 0;
    }
}

/* Sees every byte a connection reads, as it arrives and before evhttp
 * parses it. RFC 9110 (5.5) lets a recipient reject a field value with a
 * NUL or replace the NUL with SP; evhttp does neither, so the request is
 * refused here: the input is discarded so evhttp never sees it, a 400 goes
 * straight to the socket (unless a response is still queued, which it
 * would cut into), and the socket is shut down, which evhttp notices as
 * the end of the connection. */
static void on_input(struct evbuffer *in, const struct evbuffer_cb_info *info,
                     void *arg)
{
    static const char refusal[] =
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
        "Content-Type: text/plain\r\nContent-Length: 25\r\n\r\n"
        "NUL byte in the request.\n";
    struct bufferevent *bev = arg;
    evutil_socket_t fd = bufferevent_getfd(bev);
    struct evbuffer_ptr from;
    const char nul = '\0';
    if (info->n_added == 0 ||
        evbuffer_ptr_set(in, &from, info->orig_size, EVBUFFER_PTR_SET) != 0 ||
        evbuffer_search(in, &nul, 1, &from).pos < 0)
        return;
    evbuffer_drain(in, evbuffer_get_length(in));
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
        send(fd, refusal, sizeof refusal - 1, MSG_NOSIGNAL) < 0) {
        /* The shutdown below ends the connection either way. */
    }
    shutdown(fd, SHUT_RDWR);
}

/* evhttp asks for each accepted connection's bufferevent here. */
static struct bufferevent *on_new_connection(struct event_base *base,
                                             void *arg)
{
    struct bufferevent *bev =
        bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    (void)arg;
    if (bev && !evbuffer_add_cb(bufferevent_get_input(bev), on_input, bev)) {
        bufferevent_free(bev);
        return NULL;
    }
    return bev;
}

int guard_setup(struct server *s, struct evhttp_bound_socket *bound)
{
    struct timeval tv = ms_to_timeval(s->cfg.request_timeout_ms);
    /* evhttp applies it to reading a request and to each write. */
    evhttp_set_timeout_tv(s->http, &tv);
    evhttp_set_bevcb(s->http, on_new_connection, s);
    guarded = s;
    s->listener = evhttp_bound_socket_get_listener(bound);
    s->accept_timer = event_new(s->base, -1, 0, on_accept_again, s);
    if (!s->listener || !s->accept_timer)
        return -1;
    evconnlistener_set_error_cb(s->listener, on_accept_error);
    return 0;
}

int guard_full(struct server *s, struct evhttp_request *req)
{
    if (s->clients_now < s->cfg.max_clients)
        return 0;
    s->refused_full++;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
                      "5");
    send_text(req, 503, "Service Unavailable", "text/plain",
              "too many streams\n", 17);
    return 1;
}
