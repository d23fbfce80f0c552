/* sse-get: an EventSource for the command line, on libcurl.
 *
 *   sse-get [OPTION]... URL        (sse-get --help lists the options)
 *
 * Prints what arrives as JSON lines, in sse-dump's format; follows
 * redirects; reconnects as sse_client says (the server's retry, backoff
 * after failures), resuming with Last-Event-ID; treats a connection silent
 * for longer than --idle-timeout as dead; gives up for good on a status
 * other than 200, a wrong content type or a TLS certificate that cannot be
 * trusted (not a network blip: retrying cannot fix it), and stops on 204.
 * Exit status (tool_common.h): 0 on 204, SIGINT/SIGTERM, --max-events
 * reached or the reader of the output gone; 1 when it gave up; 2 usage;
 * 3 output error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
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
#include "tool_common.h"

static const char prog[] = "sse-get";

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
    int idle_expired;
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
    sse_client_mark_healthy(&g->client);
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
                     : sse_client_check_response(&g->client, (int)g->status,
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
        sse_parser_status(&g->parser) == SSE_E_CALLBACK ||
        json_lines_flush(&g->out) != 0)
        return 0; /* g->out.write_errno says why */
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

static void usage(void)
{
    fputs("Usage: sse-get [OPTION]... URL\n"
          "Read an event stream like a browser's EventSource and print one "
          "JSON object\nper line (the format of sse-dump), reconnecting "
          "with Last-Event-ID.\n"
          "\n"
          "  -H, --header 'NAME: VALUE'  add a request header (repeatable)\n"
          "      --last-event-id ID      resume from ID on the first "
          "connection\n"
          "      --comments              print comment lines too\n"
          "      --idle-timeout S        reconnect after S seconds without a "
          "byte\n"
          "                              (default: never)\n"
          "      --max-reconnects N      give up after N reconnects "
          "(default: never)\n"
          "      --max-events N          exit after N events\n"
          "      --retry MS              delay before the server sends retry "
          "(default 3000)\n"
          "      --max-delay MS          backoff cap (default 60000)\n"
          "      --seed N                jitter seed (default: from time and "
          "pid)\n"
          "      --cacert FILE           trust the CA certificates in FILE "
          "(PEM)\n"
          "  -k, --insecure              do not verify the server's "
          "certificate\n"
          "  -h, --help                  show this help and exit\n"
          "  -V, --version               show the version and exit\n"
          "\n"
          "Gives up on a status other than 200, a content type other than\n"
          "text/event-stream, or a certificate it cannot verify; stops on "
          "204.\n"
          "Exit status: 0 stopped (204, Ctrl-C, --max-events, or the reader "
          "of the\noutput went away), 1 gave up, 2 usage, 3 output error.\n",
          stdout);
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
    size_t id_line = sse_last_event_id_write(p, line, sizeof line);
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

enum { OPT_LAST_EVENT_ID = 256, OPT_COMMENTS, OPT_IDLE_TIMEOUT,
       OPT_MAX_RECONNECTS, OPT_MAX_EVENTS, OPT_RETRY, OPT_MAX_DELAY, OPT_SEED,
       OPT_CACERT };

struct get_args {
    struct curl_slist *headers;
    const char *url, *last_id, *cacert;
    uint64_t max_reconnects, max_events, idle_s, seed;
    int seeded, insecure, done;
};

/* Returns TOOL_OK (a->done after --help or --version), or TOOL_USAGE
 * after saying why. */
static int parse_args(int argc, char **argv, struct get_args *a,
                      sse_client_options *copt, sse_callbacks *cb)
{
    static const struct option longopts[] = {
        {"header", required_argument, NULL, 'H'},
        {"last-event-id", required_argument, NULL, OPT_LAST_EVENT_ID},
        {"comments", no_argument, NULL, OPT_COMMENTS},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"max-reconnects", required_argument, NULL, OPT_MAX_RECONNECTS},
        {"max-events", required_argument, NULL, OPT_MAX_EVENTS},
        {"retry", required_argument, NULL, OPT_RETRY},
        {"max-delay", required_argument, NULL, OPT_MAX_DELAY},
        {"seed", required_argument, NULL, OPT_SEED},
        {"cacert", required_argument, NULL, OPT_CACERT},
        {"insecure", no_argument, NULL, 'k'},
        TOOL_STANDARD_OPTIONS,
    };
    struct curl_slist *next;
    int c, idx = 0;
    a->max_reconnects = UINT64_MAX;
    while ((c = getopt_long(argc, argv, "H:khV", longopts, &idx)) != -1) {
        uint64_t *num = NULL, max = UINT64_MAX;
        switch (c) {
        case 'H':
            if (!strchr(optarg, ':'))
                return tool_bad_value(prog, "header", "'Name: value'");
            if (!(next = curl_slist_append(a->headers, optarg))) {
                fprintf(stderr, "%s: out of memory\n", prog);
                return TOOL_FAILED;
            }
            a->headers = next;
            break;
        case 'k':
            a->insecure = 1;
            break;
        case OPT_CACERT:
            a->cacert = optarg;
            break;
        case OPT_LAST_EVENT_ID:
            a->last_id = optarg;
            break;
        case OPT_COMMENTS:
            cb->on_comment = json_lines_on_comment;
            break;
        case OPT_IDLE_TIMEOUT:
            num = &a->idle_s;
            max = UINT64_MAX / 1000;
            break;
        case OPT_MAX_RECONNECTS:
            num = &a->max_reconnects;
            break;
        case OPT_MAX_EVENTS:
            num = &a->max_events;
            break;
        case OPT_RETRY:
            num = &copt->initial_retry_ms;
            break;
        case OPT_MAX_DELAY:
            num = &copt->max_delay_ms;
            break;
        case OPT_SEED:
            num = &a->seed;
            a->seeded = 1;
            break;
        default:
            a->done = 1;
            return tool_standard_option(c, prog, usage);
        }
        if (num && tool_parse_u64(optarg, max, num) != 0)
            return tool_bad_value(prog, longopts[idx].name, "a number");
    }
    if (argc - optind != 1) {
        fprintf(stderr, "%s: %s\n", prog,
                optind < argc ? "one URL only" : "no URL given");
        return tool_usage_error(prog);
    }
    a->url = argv[optind];
    return TOOL_OK;
}

/* A certificate that cannot be trusted does not get better by retrying. */
static int tls_verdict_is_final(CURLcode res)
{
    return res == CURLE_PEER_FAILED_VERIFICATION ||
           res == CURLE_SSL_CACERT_BADFILE || res == CURLE_SSL_CERTPROBLEM ||
           res == CURLE_SSL_ISSUER_ERROR || res == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

int main(int argc, char **argv)
{
    static struct get g;
    static struct get_args args;
    sse_parser_options opt;
    sse_client_options copt;
    sse_callbacks cb;
    int status = TOOL_FAILED, rc;
    char errbuf[CURL_ERROR_SIZE];

    tool_no_sigpipe();
    memset(&opt, 0, sizeof opt);
    memset(&copt, 0, sizeof copt);
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    cb.on_retry = json_lines_on_retry;
    cb.on_error = json_lines_on_error;
    rc = parse_args(argc, argv, &args, &copt, &cb);
    if (rc != TOOL_OK || args.done) {
        curl_slist_free_all(args.headers);
        return rc;
    }
    const char *url = args.url, *last_id = args.last_id;
    struct curl_slist *user_headers = args.headers;
    uint64_t max_reconnects = args.max_reconnects, idle_s = args.idle_s;
    g.idle_ms = idle_s * 1000;
    g.max_events = args.max_events;
    copt.seed = args.seeded ? args.seed
                            : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    g.out.out = stdout;
    opt.alloc = json_lines_alloc;
    if (sse_parser_init(&g.parser, &cb, &g.out, &opt) != SSE_OK ||
        sse_client_init(&g.client, &copt) != SSE_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return TOOL_FAILED;
    }
    if (last_id && sse_parser_set_last_event_id(&g.parser, last_id,
                                                strlen(last_id)) != SSE_OK) {
        sse_parser_destroy(&g.parser);
        return tool_bad_value(prog, "last-event-id",
                              "a valid event id (no NUL, CR or LF)");
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return TOOL_FAILED;
    CURL *curl = g.curl = curl_easy_init();
    if (!curl)
        return TOOL_FAILED;

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
        if (args.cacert)
            curl_easy_setopt(curl, CURLOPT_CAINFO, args.cacert);
        if (args.insecure) {
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        CURLcode res = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        judge(&g);
        /* An event cut off by the end of the connection is dropped, as
         * the spec says; the last event ID and retry carry over. */
        sse_parser_reset(&g.parser);
        fflush(stdout);

        if (interrupted) {
            status = TOOL_OK;
            break;
        }
        if (g.out.write_errno) {
            if (tool_reader_gone(g.out.write_errno)) {
                status = TOOL_OK;
            } else {
                fprintf(stderr, "%s: cannot write output: %s\n", prog,
                        strerror(g.out.write_errno));
                status = TOOL_IO;
            }
            break;
        }
        if (tls_verdict_is_final(res)) {
            fprintf(stderr, "%s: %s: %s; giving up (a certificate error is "
                            "not fixed by retrying: see --cacert, -k)\n",
                    prog, url, *errbuf ? errbuf : curl_easy_strerror(res));
            break;
        }
        if (g.max_events && g.events >= g.max_events) {
            status = TOOL_OK;
            break;
        }
        int next_step = sse_client_next_attempt(&g.client, &g.parser, &delay);
        if (next_step == SSE_CLIENT_STOP) {
            fprintf(stderr, "%s: %s: 204 No Content: the server says stop\n", prog, url);
            status = TOOL_OK;
            break;
        }
        if (next_step == SSE_CLIENT_FAIL) {
            if (g.status != 200)
                fprintf(stderr, "%s: %s: HTTP status %ld, not 200: giving up\n",
                        prog, url, g.status);
            else
                fprintf(stderr,
                        "%s: %s: content type \"%s\", not text/event-stream: "
                        "giving up\n", prog, url, g.content_type);
            break;
        }
        const char *why = g.idle_expired ? "no data within --idle-timeout"
                          : res == CURLE_OK ? "the server closed the stream"
                          : res == CURLE_COULDNT_RESOLVE_HOST ? "cannot resolve the host (DNS)"
                          : res == CURLE_COULDNT_CONNECT ? "connection refused or unreachable"
                          : *errbuf ? errbuf : curl_easy_strerror(res);
        if (reconnects >= max_reconnects) {
            fprintf(stderr, "%s: %s: %s; giving up after %" PRIu64
                            " reconnects\n", prog, url, why, reconnects);
            break;
        }
        reconnects++;
        fprintf(stderr, "%s: %s: %s; reconnecting in %" PRIu64 " ms\n",
                prog, url, why, delay);
        pause_ms(delay);
        if (interrupted) {
            status = TOOL_OK;
            break;
        }
    }
    curl_easy_cleanup(curl);
    curl_slist_free_all(user_headers);
    curl_global_cleanup();
    sse_parser_destroy(&g.parser);
    return status;
}
