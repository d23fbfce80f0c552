/* sse-get: an EventSource for the command line, on libcurl.
 *
 *   sse-get [-H 'Name: value']... [--last-event-id ID] [--idle-timeout S]
 *           [--max-reconnects N] [--max-events N] [--retry MS]
 *           [--max-delay MS] [--seed N] [--comments] URL
 *
 * Prints what arrives as JSON lines, in sse-dump's format; follows
 * redirects; reconnects as sse_client says (the server's retry, backoff
 * after failures), resuming with Last-Event-ID; treats a connection silent
 * for longer than --idle-timeout as dead; gives up for good on a status
 * other than 200 or a wrong content type, and stops on 204. Exit status: 0
 * on 204, SIGINT/SIGTERM or --max-events reached; 1 on a failed
 * connection, --max-reconnects exceeded or an output error; 2 on usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "json_lines.h"
#include "sse.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

struct get {
    struct json_lines out; /* first: the parser's user pointer is &out */
    sse_parser parser;
    sse_client client;
    CURL *curl;
    int verdict;          /* SSE_CLIENT_* of this response, -1 before */
    uint64_t events, max_events;
    uint64_t idle_ms;     /* 0: no idle timeout */
    uint64_t last_byte_ms;
    int idle_expired, output_failed;
    char content_type[128];
    long status;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct get *g = user; /* &g->out, its first member */
    int rc = json_lines_on_event(p, ev, &g->out);
    sse_client_on_event(&g->client);
    g->events++;
    return rc;
}

/* The response, judged once, at its first body byte or at its end. */
static void judge(struct get *g)
{
    char *type = NULL;
    if (g->verdict >= 0)
        return;
    curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &g->status);
    curl_easy_getinfo(g->curl, CURLINFO_CONTENT_TYPE, &type);
    snprintf(g->content_type, sizeof g->content_type, "%s", type ? type : "");
    g->verdict = g->status == 0 ? -1
                                : sse_client_on_response(&g->client, (int)g->status,
                                                         type, type ? strlen(type) : 0);
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    struct get *g = user;
    size_t len = size * n;
    g->last_byte_ms = now_ms();
    judge(g);
    if (g->verdict != SSE_CLIENT_STREAM)
        return 0; /* not a stream: stop reading it */
    if (sse_parser_feed(&g->parser, data, len) != len ||
        sse_parser_status(&g->parser) == SSE_E_CALLBACK) {
        g->output_failed = 1;
        return 0;
    }
    if (fflush(stdout) != 0) {
        g->output_failed = 1;
        return 0;
    }
    if (g->max_events && g->events >= g->max_events)
        return 0;
    return len;
}

/* Called by libcurl about once a second, and often while data flows. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct get *g = user;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (interrupted)
        return 1;
    if (g->idle_ms && now_ms() - g->last_byte_ms > g->idle_ms) {
        g->idle_expired = 1;
        return 1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: sse-get [-H 'Name: value']... [--last-event-id ID]\n"
          "               [--idle-timeout S] [--max-reconnects N] "
          "[--max-events N]\n"
          "               [--retry MS] [--max-delay MS] [--seed N] "
          "[--comments] URL\n"
          "Reads an event stream like a browser's EventSource and prints one "
          "JSON object\nper line (the format of sse-dump), reconnecting with "
          "Last-Event-ID.\n"
          "  --idle-timeout S    reconnect after S seconds without a byte "
          "(default: never)\n"
          "  --max-reconnects N  give up after N reconnects "
          "(default: never)\n"
          "  --max-events N      exit after N events\n"
          "  --retry MS          delay before the server sends retry "
          "(default 3000)\n"
          "  --max-delay MS      backoff cap (default 60000)\n"
          "  --seed N            jitter seed (default: from time and pid)\n",
          f);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Does the user's header list already name this header? */
static int user_sets(const struct curl_slist *user, const char *name)
{
    size_t n = strlen(name);
    for (; user; user = user->next)
        if (strncasecmp(user->data, name, n) == 0 && user->data[n] == ':')
            return 1;
    return 0;
}

/* The request headers for the next attempt: the user's, then the event
 * stream's own unless the user set them, then Last-Event-ID. */
static struct curl_slist *request_headers(const struct curl_slist *user,
                                          const sse_parser *p)
{
    struct curl_slist *list = NULL, *next;
    size_t count;
    const sse_header *h = sse_request_headers(&count);
    char line[4096];
    for (const struct curl_slist *u = user; u; u = u->next)
        if (!(next = curl_slist_append(list, u->data)))
            goto fail;
        else
            list = next;
    for (size_t i = 0; i < count; i++) {
        if (user_sets(user, h[i].name))
            continue;
        snprintf(line, sizeof line, "%s: %s", h[i].name, h[i].value);
        if (!(next = curl_slist_append(list, line)))
            goto fail;
        list = next;
    }
    size_t id_line = sse_client_last_event_id_header(p, line, sizeof line);
    if (!user_sets(user, "Last-Event-ID") && id_line > 0 &&
        id_line < sizeof line) {
        if (!(next = curl_slist_append(list, line)))
            goto fail;
        list = next;
    }
    return list;
fail:
    curl_slist_free_all(list);
    return NULL;
}

/* Sleeps ms, waking early on SIGINT/SIGTERM. */
static void pause_ms(uint64_t ms)
{
    uint64_t end = now_ms() + ms;
    while (!interrupted) {
        uint64_t now = now_ms();
        if (now >= end)
            return;
        uint64_t step = end - now < 100 ? end - now : 100;
        struct timespec ts = {(time_t)(step / 1000), (long)(step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    static struct get g;
    struct curl_slist *user_headers = NULL, *next;
    sse_parser_options opt;
    sse_client_options copt;
    sse_callbacks cb;
    const char *url = NULL, *last_id = NULL;
    uint64_t max_reconnects = UINT64_MAX, idle_s = 0, seed = 0;
    int seeded = 0, status = 1;
    char errbuf[CURL_ERROR_SIZE];

    memset(&opt, 0, sizeof opt);
    memset(&copt, 0, sizeof copt);
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    cb.on_retry = json_lines_on_retry;
    cb.on_error = json_lines_on_error;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t *num = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--comments") == 0) {
            cb.on_comment = json_lines_on_comment;
            continue;
        } else if (strcmp(a, "-H") == 0 && val) {
            if (!strchr(val, ':')) {
                fprintf(stderr, "sse-get: -H needs 'Name: value'\n");
                return 2;
            }
            if (!(next = curl_slist_append(user_headers, val)))
                return 1;
            user_headers = next;
        } else if (strcmp(a, "--last-event-id") == 0 && val) {
            last_id = val;
        } else if (strcmp(a, "--idle-timeout") == 0) {
            num = &idle_s;
        } else if (strcmp(a, "--max-reconnects") == 0) {
            num = &max_reconnects;
        } else if (strcmp(a, "--max-events") == 0) {
            num = &g.max_events;
        } else if (strcmp(a, "--retry") == 0) {
            num = &copt.initial_retry_ms;
        } else if (strcmp(a, "--max-delay") == 0) {
            num = &copt.max_delay_ms;
        } else if (strcmp(a, "--seed") == 0) {
            num = &seed;
            seeded = 1;
        } else if (a[0] != '-' && !url) {
            url = a;
            continue;
        } else {
            fprintf(stderr, "sse-get: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
        if (num && parse_u64(val, num) != 0) {
            fprintf(stderr, "sse-get: %s needs a number\n", a);
            return 2;
        }
        i++;
    }
    if (!url) {
        usage(stderr);
        return 2;
    }
    if (idle_s > UINT64_MAX / 1000) {
        fprintf(stderr, "sse-get: --idle-timeout is too large\n");
        return 2;
    }
    g.idle_ms = idle_s * 1000;
    copt.seed = seeded ? seed : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    g.out.out = stdout;
    g.out.opt = &opt;
    opt.alloc = json_lines_alloc;
    if (sse_parser_init(&g.parser, &cb, &g.out, &opt) != SSE_OK ||
        sse_client_init(&g.client, &copt) != SSE_OK)
        return 1;
    if (last_id && sse_parser_set_last_event_id(&g.parser, last_id,
                                                strlen(last_id)) != SSE_OK) {
        fprintf(stderr, "sse-get: --last-event-id: not a valid event id\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    CURL *curl = g.curl = curl_easy_init();
    if (!curl)
        return 1;

    uint64_t reconnects = 0;
    for (;;) {
        struct curl_slist *headers = request_headers(user_headers, &g.parser);
        uint64_t delay;
        g.verdict = -1;
        g.status = 0;
        g.idle_expired = 0;
        g.last_byte_ms = now_ms();
        errbuf[0] = '\0';
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &g);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &g);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        CURLcode res = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        judge(&g);
        /* An event cut off by the end of the connection is dropped, as
         * the spec says; the last event ID and retry carry over. */
        sse_parser_reset(&g.parser);
        fflush(stdout);

        if (interrupted) {
            status = 0;
            break;
        }
        if (g.output_failed) {
            fprintf(stderr, "sse-get: cannot write output\n");
            break;
        }
        if (g.max_events && g.events >= g.max_events) {
            status = 0;
            break;
        }
        int next_step = sse_client_on_close(&g.client, &g.parser, &delay);
        if (next_step == SSE_CLIENT_STOP) {
            fprintf(stderr, "sse-get: %s: 204 No Content: the server says stop\n", url);
            status = 0;
            break;
        }
        if (next_step == SSE_CLIENT_FAIL) {
            if (g.status != 200)
                fprintf(stderr, "sse-get: %s: HTTP status %ld, not 200: giving up\n",
                        url, g.status);
            else
                fprintf(stderr,
                        "sse-get: %s: content type \"%s\", not text/event-stream: "
                        "giving up\n", url, g.content_type);
            break;
        }
        const char *why = g.idle_expired ? "no data within --idle-timeout"
                          : res == CURLE_OK ? "the server closed the stream"
                          : res == CURLE_COULDNT_RESOLVE_HOST ? "cannot resolve the host (DNS)"
                          : res == CURLE_COULDNT_CONNECT ? "connection refused or unreachable"
                          : *errbuf ? errbuf : curl_easy_strerror(res);
        if (reconnects >= max_reconnects) {
            fprintf(stderr, "sse-get: %s: %s; giving up after %" PRIu64
                            " reconnects\n", url, why, reconnects);
            break;
        }
        reconnects++;
        fprintf(stderr, "sse-get: %s: %s; reconnecting in %" PRIu64 " ms\n",
                url, why, delay);
        pause_ms(delay);
        if (interrupted) {
            status = 0;
            break;
        }
    }
    curl_easy_cleanup(curl);
    curl_slist_free_all(user_headers);
    curl_global_cleanup();
    sse_parser_destroy(&g.parser);
    json_lines_free(&g.out);
    return status;
}
