/* sse-server's command line. */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "server.h"
#include "tool_common.h"

static void usage(void)
{
    fputs(
        "Usage: sse-server [OPTION]...\n"
        "Streams a simulated live feed (LLM tokens and a progress counter) as\n"
        "text/event-stream at /events, with the demo page at /.\n"
        "  --bind ADDR          address to listen on (default 127.0.0.1)\n"
        "  --port N             port (default 8080; 0 picks a free one)\n"
        "  --interval-ms MS     publish one event every MS (default 250)\n"
        "  --max-events N       stop publishing after N events (default: never)\n"
        "  --retry MS           reconnect delay sent to clients (default 2000)\n"
        "  --heartbeat-ms MS    comment after MS idle (default 15000; 0: off)\n"
        "  --history N          events kept for Last-Event-ID resume (default 4096)\n"
        "  --max-backlog BYTES  output queued per client (default 65536)\n"
        "  --max-lag N          disconnect a client more than N events behind\n"
        "                       (default: half of --history)\n"
        "  --allow-origin URL   let pages from this origin (or *) read /events\n"
        "                       (CORS; with credentials for a named origin)\n"
        "  --request-timeout-ms MS  close a connection whose request is not\n"
        "                       complete after MS, or whose writes make no\n"
        "                       progress for MS (default 10000)\n"
        "  --max-clients N      streams at once; more get 503 (default 10000)\n"
        "  --redis HOST:PORT    share the history on a Redis stream: every\n"
        "                       instance follows it and resumes any client\n"
        "  --redis-stream KEY   the stream's key (default sse:demo)\n"
        "  --publish            with --redis: this instance runs the feed\n"
        "                       (XADD); without it, it only serves\n"
        "  --retention-ms MS    with --redis: keep entries this young (and at\n"
        "                       most --history of them); older ids resync\n"
        "  --close-after N      fault injection: end every stream after N events\n"
        "  --close-random P     fault injection: break the connection after an\n"
        "                       event with probability P (0 to 1)\n"
        "  --seed N             seed for --close-random (default 1)\n"
        "  --pad BYTES          add a padding comment to every event\n"
        "  --sndbuf BYTES       kernel send buffer per stream (default 65536;\n"
        "                       0: the kernel's, which grows to megabytes)\n"
        "  --status CODE        tests of clients: answer /events with CODE and\n"
        "                       no stream (e.g. 204, 500)\n"
        "  -h, --help           show this help and exit\n"
        "  -V, --version        show the version and exit\n"
        "Options take their value as --opt VALUE or --opt=VALUE.\n"
        "Prints \"listening on http://ADDR:PORT/\" once it accepts connections.\n"
        "SIGINT or SIGTERM stops it cleanly.\n",
        stdout);
}

/* "0", "1", "0.25", ".5": a probability, parsed without the locale. */
static int parse_probability(const char *s, double *out)
{
    double v = 0, scale = 1;
    int digits = 0, dot = 0;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = 1;
        } else if (*s >= '0' && *s <= '9') {
            digits++;
            if (dot)
                v += (scale /= 10) * (*s - '0');
            else
                v = v * 10 + (*s - '0');
        } else {
            return -1;
        }
    }
    if (!digits || v > 1)
        return -1;
    *out = v;
    return 0;
}

/* Returns 0, 1 after --help or --version, or -1 after saying why not. */
int parse_args(int argc, char **argv, struct config *cfg)
{
    const struct {
        const char *name;
        uint64_t max;
        uint64_t *value;
    } numbers[] = {
        {"port", 65535, &cfg->port},
        {"interval-ms", 3600000, &cfg->interval_ms},
        {"max-events", UINT64_MAX, &cfg->max_events},
        {"retry", 86400000, &cfg->retry_ms},
        {"heartbeat-ms", 86400000, &cfg->heartbeat_ms},
        {"history", 1u << 24, &cfg->history_events},
        {"max-backlog", 1u << 30, &cfg->max_backlog},
        {"max-lag", UINT64_MAX, &cfg->max_lag},
        {"close-after", UINT64_MAX, &cfg->close_after},
        {"seed", UINT64_MAX, &cfg->seed},
        {"pad", 512, &cfg->pad},
        {"sndbuf", 1u << 26, &cfg->sndbuf},
        {"status", 599, &cfg->status},
        {"request-timeout-ms", 3600000, &cfg->request_timeout_ms},
        {"max-clients", 1u << 24, &cfg->max_clients},
        {"retention-ms", UINT64_MAX / 2, &cfg->retention_ms},
    };
    enum { N_NUMBERS = sizeof numbers / sizeof numbers[0],
           OPT_BIND = N_NUMBERS, OPT_CLOSE_RANDOM, OPT_ALLOW_ORIGIN,
           OPT_REDIS, OPT_REDIS_STREAM, OPT_PUBLISH };
    struct option longopts[N_NUMBERS + 9];
    size_t k;
    int c;
    for (k = 0; k < N_NUMBERS; k++) {
        longopts[k].name = numbers[k].name;
        longopts[k].has_arg = required_argument;
        longopts[k].flag = NULL;
        longopts[k].val = (int)k;
    }
    longopts[k++] = (struct option){"bind", required_argument, NULL, OPT_BIND};
    longopts[k++] = (struct option){"close-random", required_argument, NULL,
                                    OPT_CLOSE_RANDOM};
    longopts[k++] = (struct option){"allow-origin", required_argument, NULL,
                                    OPT_ALLOW_ORIGIN};
    longopts[k++] = (struct option){"redis", required_argument, NULL, OPT_REDIS};
    longopts[k++] = (struct option){"redis-stream", required_argument, NULL,
                                    OPT_REDIS_STREAM};
    longopts[k++] = (struct option){"publish", no_argument, NULL, OPT_PUBLISH};
    longopts[k++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[k++] = (struct option){"version", no_argument, NULL, 'V'};
    longopts[k] = (struct option){NULL, 0, NULL, 0};

    cfg->max_lag = UINT64_MAX; /* "not given": half of --history, below */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        if (c >= 0 && c < N_NUMBERS) {
            if (tool_parse_u64(optarg, numbers[c].max, numbers[c].value) != 0) {
                fprintf(stderr, "sse-server: --%s needs a number from 0 to %" PRIu64 "\n",
                        numbers[c].name, numbers[c].max);
                return -1;
            }
        } else if (c == OPT_BIND) {
            cfg->bind = optarg;
        } else if (c == OPT_ALLOW_ORIGIN) {
            cfg->allow_origin = optarg;
        } else if (c == OPT_REDIS) {
            cfg->redis = optarg;
        } else if (c == OPT_REDIS_STREAM) {
            cfg->redis_key = optarg;
        } else if (c == OPT_PUBLISH) {
            cfg->publish = 1;
        } else if (c == OPT_CLOSE_RANDOM) {
            if (parse_probability(optarg, &cfg->close_random) != 0) {
                tool_bad_value("sse-server", "close-random", "0 to 1");
                return -1;
            }
        } else {
            return tool_standard_option(c, "sse-server", usage) == TOOL_OK ? 1
                                                                           : -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sse-server: unexpected argument %s\n", argv[optind]);
        tool_usage_error("sse-server");
        return -1;
    }
    if (cfg->history_events < 2 || cfg->interval_ms == 0 ||
        cfg->max_backlog == 0) {
        fprintf(stderr, "sse-server: --history needs at least 2, "
                        "--interval-ms and --max-backlog at least 1\n");
        return -1;
    }
    if (!cfg->redis && (cfg->publish || cfg->retention_ms)) {
        fprintf(stderr, "sse-server: --publish and --retention-ms need --redis\n");
        return -1;
    }
    if (cfg->max_lag == UINT64_MAX)
        cfg->max_lag = cfg->history_events / 2;
    if (cfg->max_lag >= cfg->history_events) {
        fprintf(stderr, "sse-server: --max-lag must be below --history, or a "
                        "kicked client could not resume\n");
        return -1;
    }
    return 0;
}
