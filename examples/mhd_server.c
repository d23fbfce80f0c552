/* An event-stream server on libmicrohttpd with a thread per connection,
 * small enough to copy. A publisher thread adds a tick every INTERVAL_MS
 * to the history under the write lock; each connection's thread copies
 * its client's next bytes out under the read lock (sse.h, "Stream":
 * threads) and sleeps on a condition variable until the next publish or
 * heartbeat. sse_stream does the rest: resume from Last-Event-ID (or a
 * resync event), retry, heartbeats, and closing a client that falls behind.
 * A client that stops reading is closed by libmicrohttpd's idle timeout
 * (twice the heartbeat time) with at most its buffer and SO_SNDBUF queued.
 * (MHD_USE_ITC: without it, a finished connection's socket is closed only
 * when the next client connects.)
 *
 *   mhd_server [PORT [INTERVAL_MS [HEARTBEAT_MS [PAD]]]]     (PORT 0: any)
 * PAD spaces after each tick's JSON try bigger events (at most 60000).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <sse.h>

static sse_history history;
static char history_mem[1 << 20];
static pthread_rwlock_t history_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* a publish */
static uint64_t generation;                             /* publishes so far */
static int stopping;
static sse_stream_options opt;
static long interval_ms;
static size_t pad;

static uint64_t now_ms(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* libmicrohttpd asks for the next bytes of c's stream; this thread is the
 * connection's own, so it may wait. */
static ssize_t next_bytes(void *cls, uint64_t pos, char *buf, size_t max)
{
    sse_stream *s = cls;
    (void)pos;
    for (;;) {
        uint64_t seen, now = now_ms(CLOCK_MONOTONIC), wait;
        sse_ssize n;
        pthread_mutex_lock(&wake_lock);
        seen = generation;
        pthread_mutex_unlock(&wake_lock);
        pthread_rwlock_rdlock(&history_lock);
        n = sse_stream_copy(s, &history, now, buf, max);
        pthread_rwlock_unlock(&history_lock);
        if (n < 0) /* too far behind: close; it reconnects and resumes */
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (n > 0)
            return n;
        /* Nothing to send: sleep until a publish or the heartbeat. */
        wait = sse_stream_heartbeat_due(s) - now;
        wait = wait < 1000 ? wait : 1000;
        pthread_mutex_lock(&wake_lock);
        if (generation == seen && !stopping) {
            uint64_t at = now_ms(CLOCK_REALTIME) + wait;
            struct timespec ts = {(time_t)(at / 1000), (long)(at % 1000) * 1000000};
            pthread_cond_timedwait(&wake, &wake_lock, &ts);
        }
        n = stopping;
        pthread_mutex_unlock(&wake_lock);
        if (n)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    const char *last = NULL, *origin = NULL;
    size_t last_len = 0, origin_len = 0, i, nh;
    sse_header h[SSE_STREAM_MAX_HEADERS];
    struct MHD_Response *r;
    sse_stream *s;
    enum MHD_Result ret;
    (void)cls, (void)version, (void)upload, (void)upload_size, (void)state;
    if (strcmp(url, "/events") != 0 ||
        (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
        static char not_found[] = "not found\n";
        r = MHD_create_response_from_buffer(sizeof not_found - 1, not_found,
                                            MHD_RESPMEM_PERSISTENT);
        ret = MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, r);
        MHD_destroy_response(r);
        return ret;
    }
    /* With their lengths: a NUL inside a header value makes it unknown
     * rather than a shorter ID. */
    MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND, "Last-Event-ID", 13,
                                  &last, &last_len);
    MHD_lookup_connection_value_n(conn, MHD_HEADER_KIND, "Origin", 6, &origin,
                                  &origin_len);
    if (strcmp(method, "HEAD") == 0) { /* the headers alone */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        int size = 65536; /* the kernel's share of the backlog */
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (fd)
            setsockopt(fd->connect_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        if (!(s = malloc(sizeof *s)))
            return MHD_NO;
        pthread_rwlock_rdlock(&history_lock);
        sse_stream_open(s, &history, &opt, last, last_len,
                        now_ms(CLOCK_MONOTONIC));
        pthread_rwlock_unlock(&history_lock);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
                                              next_bytes, s, free);
        if (!r)
            free(s);
    }
    if (!r)
        return MHD_NO;
    nh = sse_stream_headers(&opt, origin, origin_len, h, SSE_STREAM_MAX_HEADERS);
    for (i = 0; i < nh; i++)
        MHD_add_response_header(r, h[i].name, h[i].value);
    ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static void *publisher(void *arg)
{
    struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
    uint64_t id = 0;
    (void)arg;
    for (;;) { /* until the process exits */
        static char data[61000], frame[62000];
        char ids[24];
        sse_frame f = {0};
        nanosleep(&pause, NULL);
        f.id = ids;
        f.id_len = (size_t)snprintf(ids, sizeof ids, "%" PRIu64, ++id);
        f.data = data;
        f.data_len = (size_t)snprintf(data, sizeof data, "{\"tick\":%s}", ids);
        memset(data + f.data_len, ' ', pad);
        f.data_len += pad;
        pthread_rwlock_wrlock(&history_lock);
        sse_history_add(&history, ids, f.id_len, frame,
                        (size_t)sse_encode(frame, sizeof frame, &f));
        pthread_rwlock_unlock(&history_lock);
        pthread_mutex_lock(&wake_lock);
        generation++;
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&wake_lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr = {0};
    struct MHD_Daemon *d;
    pthread_t pub;
    sigset_t stop;
    int sig;
    unsigned timeout;

    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)(argc > 1 ? strtol(argv[1], NULL, 10) : 8080));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    interval_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
    opt.retry_ms = 2000;
    opt.heartbeat_ms = argc > 3 ? strtoull(argv[3], NULL, 10) : 15000;
    pad = argc > 4 ? strtoul(argv[4], NULL, 10) % 60001 : 0;
    timeout = (unsigned)((2 * opt.heartbeat_ms + 999) / 1000);
    sse_history_init(&history, history_mem, sizeof history_mem, 4096);
    /* Signals go to sigwait below, never to the server's threads. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
                             MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                         0, NULL, NULL, on_request, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_CONNECTION_TIMEOUT, timeout,
                         MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "mhd_server: cannot listen on port %u\n",
                ntohs(addr.sin_port));
        return 1;
    }
    printf("listening on http://127.0.0.1:%u/events\n",
           MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fflush(stdout);
    pthread_create(&pub, NULL, publisher, NULL);
    do
        sigwait(&stop, &sig);
    while (sig == SIGPIPE);
    pthread_mutex_lock(&wake_lock);
    stopping = 1; /* every stream ends at its next wake-up */
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&wake_lock);
    MHD_stop_daemon(d);
    return 0;
}
