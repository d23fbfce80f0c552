/* The benchmark (README, "Speed"): parser and encoder throughput on
 * generated workloads, each beside the ceiling measured in the same run:
 * a plain scan that finds every CR and LF in the same bytes (no conforming
 * parser can do less), and memcpy of the encoder's output. Machines are
 * noisy, so the ratios are the figures that matter. Never a timed test.
 *
 *   sse-bench [--quick] [--only WORKLOAD]
 *
 * --only parses one workload (tokens, crlf, fields, bulk, huge) in 64 KiB
 * feeds 50 times and prints nothing else, or (encode) runs the encoder
 * benchmark 5 times: loops to run under perf.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sse.h"

#define MiB ((size_t)1 << 20)

static int quick;

/* ---- Workloads ---------------------------------------------------------- */

typedef struct workload {
    const char *name;
    char *bytes;
    size_t len, cap;
    unsigned long events;   /* events the stream dispatches */
    unsigned long long data; /* their data bytes */
} workload;

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static unsigned rng(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void put(workload *w, const char *s, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->bytes = realloc(w->bytes, w->cap);
        if (!w->bytes) {
            perror("realloc");
            exit(1);
        }
    }
    memcpy(w->bytes + w->len, s, n);
    w->len += n;
}

static void puts_(workload *w, const char *s)
{
    put(w, s, strlen(s));
}

/* One LLM token chunk as OpenAI-style JSON (~230-260 bytes). */
static size_t token_json(char *out, size_t cap, unsigned long i)
{
    static const char *const words[] = {" the", " model", " token", ",",
                                        " stream", " of", " events", "\\n",
                                        " a", " server"};
    int n = snprintf(out, cap,
                     "{\"id\":\"chatcmpl-%012lx\",\"object\":\"chat.completion."
                     "chunk\",\"created\":1732406400,\"model\":\"gpt-4o-mini\","
                     "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},"
                     "\"finish_reason\":null}]}",
                     i * 2654435761u, words[rng(10)]);
    return (size_t)n;
}

static void gen_tokens(workload *w, size_t size, const char *eol)
{
    char json[512], line[64];
    unsigned long i = 0;
    while (w->len < size) {
        size_t n = token_json(json, sizeof json, i);
        if (rng(50) == 0) {
            snprintf(line, sizeof line, ": keepalive%s%s", eol, eol);
            puts_(w, line);
        }
        if (rng(20) == 0) {
            snprintf(line, sizeof line, "event: token%s", eol);
            puts_(w, line);
        }
        if (rng(10) == 0) {
            snprintf(line, sizeof line, "id: %lu%s", i, eol);
            puts_(w, line);
        }
        puts_(w, "data: ");
        put(w, json, n);
        puts_(w, eol);
        puts_(w, eol);
        w->events++;
        w->data += n;
        i++;
    }
}

static void gen_fields(workload *w, size_t size)
{
    char buf[128];
    unsigned long i = 0;
    while (w->len < size) {
        unsigned lines = 1 + rng(3), k;
        snprintf(buf, sizeof buf, ": c%lu\nid: %lu\nevent: update\nretry: %u\n",
                 i, i, 1000 + rng(1000));
        puts_(w, buf);
        for (k = 0; k < lines; k++) {
            int n = snprintf(buf, sizeof buf, "data: value %u\n", rng(100000));
            puts_(w, buf);
            w->data += (size_t)n - 7 + 1; /* value + LF */
        }
        w->data -= 1; /* the last LF is removed */
        puts_(w, "\n");
        w->events++;
        i++;
    }
}

static void gen_bulk(workload *w, size_t size)
{
    char line[256];
    while (w->len < size) {
        size_t ev = 0;
        while (ev < 64 * 1024) {
            size_t n = 80 + rng(121), k;
            for (k = 0; k < n; k++)
                line[k] = (char)('a' + rng(26));
            puts_(w, "data: ");
            put(w, line, n);
            puts_(w, "\n");
            ev += n + 1;
        }
        puts_(w, "\n");
        w->events++;
        w->data += ev - 1;
    }
}

static void gen_huge(workload *w, size_t line_len)
{
    size_t k;
    puts_(w, "data: ");
    if (w->len + line_len + 2 > w->cap) {
        w->cap = w->len + line_len + 2;
        w->bytes = realloc(w->bytes, w->cap);
        if (!w->bytes) {
            perror("realloc");
            exit(1);
        }
    }
    for (k = 0; k < line_len; k++)
        w->bytes[w->len + k] = (char)('a' + k % 26);
    w->len += line_len;
    puts_(w, "\n\n");
    w->events = 1;
    w->data = line_len;
}

/* ---- Timing ------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- The ceiling: every CR and LF found ---------------------------------- */

/* Two memchr cursors merged: each finds its next byte once and is reused
 * until passed, so the whole scan is linear and runs at memchr speed. */
static unsigned long scan_eol(const char *s, size_t len)
{
    const char *end = s + len, *p = s;
    const char *lf = memchr(p, '\n', len), *cr = memchr(p, '\r', len);
    unsigned long count = 0;
    for (;;) {
        const char *next;
        if (!lf && !cr)
            break;
        next = !cr || (lf && lf < cr) ? lf : cr;
        count++;
        p = next + 1;
        if (next == lf)
            lf = memchr(p, '\n', (size_t)(end - p));
        else
            cr = memchr(p, '\r', (size_t)(end - p));
    }
    return count;
}

static volatile unsigned long sink;

static double time_scan(const workload *w)
{
    double t = now();
    sink += scan_eol(w->bytes, w->len);
    return now() - t;
}

/* ---- The parser ----------------------------------------------------------- */

struct counts {
    unsigned long events;
    unsigned long long data;
};

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct counts *c = user;
    (void)p;
    c->events++;
    c->data += ev->data_len;
    return 0;
}

static void *std_alloc(void *ctx, void *ptr, size_t old, size_t size)
{
    (void)ctx;
    (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Parses w in feeds of `feed` bytes; memory from allocator hooks, or from
 * buffer (buffer_size bytes) when given. */
static double time_parse_in(const workload *w, size_t feed, char *buffer,
                            size_t buffer_size)
{
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    struct counts c = {0, 0};
    size_t off;
    double t;

    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    memset(&opt, 0, sizeof opt);
    if (buffer) {
        opt.buffer = buffer;
        opt.buffer_size = buffer_size;
    } else {
        opt.alloc = std_alloc;
    }
    opt.max_line = opt.max_event = w->len + 1; /* huge has a 64 MiB line */
    if (sse_parser_init(&p, &cb, &c, &opt) != SSE_OK) {
        fprintf(stderr, "init failed\n");
        exit(1);
    }
    t = now();
    for (off = 0; off < w->len; off += feed) {
        size_t n = w->len - off < feed ? w->len - off : feed;
        sse_parser_feed(&p, w->bytes + off, n);
    }
    sse_parser_finish(&p);
    t = now() - t;
    sse_parser_destroy(&p);
    if (c.events != w->events || c.data != w->data) {
        fprintf(stderr, "%s: parsed %lu events / %llu data bytes, generated "
                        "%lu / %llu\n",
                w->name, c.events, c.data, w->events, w->data);
        exit(1);
    }
    return t;
}

static double time_parse(const workload *w, size_t feed)
{
    return time_parse_in(w, feed, NULL, 0);
}

/* ---- Reporting ------------------------------------------------------------ */

static int failures;

static void report(const char *what, const char *feed, double bytes,
                   double secs, unsigned long events, const char *vs,
                   double ceiling_secs, double target)
{
    double mbs = bytes / secs / 1e6, ratio = ceiling_secs / secs;
    int ok = ratio >= target;
    char goal[32] = "(no target)";
    failures += !ok;
    if (target > 0)
        snprintf(goal, sizeof goal, "(target >= %.2fx) %s", target,
                 ok ? "ok" : "MISSED");
    printf("%-8s %-7s %9.0f MB/s %11.0f ev/s   %-8s %9.0f MB/s   %5.2fx  %s\n",
           what, feed, mbs, (double)events / secs, vs,
           bytes / ceiling_secs / 1e6, ratio, goal);
}

static int runs(size_t feed)
{
    if (quick)
        return 3;
    return feed < 1024 ? 5 : 9;
}

/* Median parse time and median scan time, interleaved so both see the same
 * machine weather. */
static void measure(const workload *w, size_t feed, double *parse,
                    double *scan)
{
    double tp[9], ts[9];
    int i, n = runs(feed);
    for (i = 0; i < n; i++) {
        ts[i] = time_scan(w);
        tp[i] = time_parse(w, feed);
    }
    *parse = median(tp, n);
    *scan = median(ts, n);
}

static void bench_parser(const workload *w, size_t feed, double target)
{
    double parse, scan;
    measure(w, feed, &parse, &scan);
    report(w->name, feed >= 1024 ? "64KiB" : "16B", (double)w->len, parse,
           w->events, "crlf-scan", scan, target);
}

/* ---- The encoder ---------------------------------------------------------- */

/* Encodes the token events (data, with an id on every tenth and a type on
 * every twentieth, as in the tokens workload) into one output buffer, and
 * copies the same frames with memcpy from a pre-encoded copy. */
static void bench_encoder(size_t size, double target)
{
    size_t nframes = 0, cap = 0, total = 0, i;
    char **json;
    size_t *json_len;
    char *out, *encoded, (*ids)[24];
    size_t *frame_len;
    double te[9], tm[9];
    int r, n = runs(1 << 16);

    for (i = 0; total < size; i++) {
        total += 260;
        nframes++;
    }
    json = malloc(nframes * sizeof *json);
    json_len = malloc(nframes * sizeof *json_len);
    frame_len = malloc(nframes * sizeof *frame_len);
    ids = malloc(nframes * sizeof *ids);
    for (i = 0; i < nframes; i++) {
        snprintf(ids[i], sizeof ids[i], "%zu", i);
        char buf[512];
        json_len[i] = token_json(buf, sizeof buf, i);
        json[i] = malloc(json_len[i]);
        memcpy(json[i], buf, json_len[i]);
    }
    cap = size * 2;
    out = malloc(cap);
    encoded = malloc(cap);

    total = 0;
    for (r = 0; r < n; r++) {
        size_t at = 0;
        double t = now();
        for (i = 0; i < nframes; i++) {
            sse_frame f;
            sse_ssize k;
            memset(&f, 0, sizeof f);
            f.data = json[i];
            f.data_len = json_len[i];
            if (i % 10 == 0) { /* ids formatted beforehand */
                f.id = ids[i];
                f.id_len = strlen(ids[i]);
            }
            if (i % 20 == 0) {
                f.type = "token";
                f.type_len = 5;
            }
            k = sse_encode(out + at, cap - at, &f);
            if (k < 0 || (size_t)k > cap - at) {
                fprintf(stderr, "encode failed\n");
                exit(1);
            }
            frame_len[i] = (size_t)k;
            at += (size_t)k;
        }
        te[r] = now() - t;
        total = at;
    }
    memcpy(encoded, out, total);
    for (r = 0; r < n; r++) {
        size_t at = 0;
        double t = now();
        for (i = 0; i < nframes; i++) {
            memcpy(out + at, encoded + at, frame_len[i]);
            at += frame_len[i];
        }
        tm[r] = now() - t;
        sink += (unsigned char)out[at / 2];
    }
    report("encode", "frames", (double)total, median(te, n), nframes,
           "memcpy", median(tm, n), target);
    for (i = 0; i < nframes; i++)
        free(json[i]);
    free(json);
    free(ids);
    free(json_len);
    free(frame_len);
    free(out);
    free(encoded);
}

int main(int argc, char **argv)
{
    workload tokens = {"tokens", 0, 0, 0, 0, 0};
    workload crlf = {"crlf", 0, 0, 0, 0, 0};
    workload fields = {"fields", 0, 0, 0, 0, 0};
    workload bulk = {"bulk", 0, 0, 0, 0, 0};
    workload huge = {"huge", 0, 0, 0, 0, 0};
    workload huge1 = {"huge-1M", 0, 0, 0, 0, 0};
    size_t size = 64 * MiB;
    double t64, t1, scan;

    const char *only = NULL;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
            size = 16 * MiB;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            fprintf(stderr, "usage: sse-bench [--quick] [--only WORKLOAD]\n");
            return 2;
        }
    }
    gen_tokens(&tokens, size, "\n");
    gen_tokens(&crlf, size, "\r\n");
    gen_fields(&fields, size);
    gen_bulk(&bulk, size);
    gen_huge(&huge, size);
    gen_huge(&huge1, MiB);
    if (only && strcmp(only, "encode") == 0) {
        for (i = 0; i < 5; i++)
            bench_encoder(size, 0.6);
        return 0;
    }
    if (only) {
        workload *all[] = {&tokens, &crlf, &fields, &bulk, &huge};
        workload *w = NULL;
        for (i = 0; i < 5; i++)
            if (strcmp(all[i]->name, only) == 0)
                w = all[i];
        if (!w) {
            fprintf(stderr, "sse-bench: no workload %s\n", only);
            return 2;
        }
        for (i = 0; i < 50; i++)
            time_parse(w, 1 << 16);
        return 0;
    }

    printf("libsse %s, sse_parser %zu bytes (target <= 256: %s)\n",
           sse_version_string(), sizeof(sse_parser),
           sizeof(sse_parser) <= 256 ? "ok" : "MISSED");
    failures += sizeof(sse_parser) > 256;
    printf("workloads: %zu MiB each; medians of %d runs (%d for 16-byte "
           "feeds); event and byte counts checked\n",
           size / MiB, runs(1 << 16), runs(16));
    printf("%-8s %-7s %14s %14s   %-8s %14s   %6s\n", "workload", "feed",
           "speed", "events", "ceiling", "speed", "ratio");

    bench_parser(&tokens, 1 << 16, 0.6);
    bench_parser(&crlf, 1 << 16, 0.6);
    bench_parser(&fields, 1 << 16, 0.4);
    bench_parser(&bulk, 1 << 16, 0.6);
    bench_parser(&huge, 1 << 16, 0.0); /* no target: all of it is copied */
    {
        double parse;
        measure(&tokens, 16, &parse, &scan);
        report("tokens", "16B", (double)tokens.len, parse, tokens.events,
               "1 GB/s", (double)tokens.len / 1e9,
               1.0); /* ratio to 1 GB/s */
    }
    /* Linear in bytes however small the feeds: a 64 MiB line costs per
     * byte what a 1 MiB one does. Both parse into one caller buffer,
     * faulted in beforehand and reused, so the comparison is the parser's
     * work per byte, not the kernel's first touch of fresh pages (shown
     * after it: the same line with allocator hooks, fresh memory each
     * run). */
    {
        size_t cap = huge.len + MiB;
        char *buffer = malloc(cap);
        double t[9];
        int r, n = runs(16);
        if (!buffer) {
            perror("malloc");
            return 1;
        }
        memset(buffer, 0, cap);
        for (r = 0; r < n; r++)
            t[r] = time_parse_in(&huge, 16, buffer, cap);
        t64 = median(t, n);
        for (r = 0; r < n; r++)
            t[r] = time_parse_in(&huge1, 16, buffer, cap);
        t1 = median(t, n);
        report("huge", "16B", (double)huge.len, t64, 1, "same@1MiB",
               t1 * (double)huge.len / (double)huge1.len, 0.8);
        free(buffer);
        measure(&huge, 16, &t64, &scan);
        printf("%-8s %-7s %9.0f MB/s   (allocator hooks: fresh pages every "
               "run; no target)\n",
               "huge", "16B", (double)huge.len / t64 / 1e6);
    }
    bench_encoder(size, 0.6);

    printf("%s\n", failures ? "some targets MISSED" : "all targets met");
    free(tokens.bytes);
    free(crlf.bytes);
    free(fields.bytes);
    free(bulk.bytes);
    free(huge.bytes);
    free(huge1.bytes);
    return 0;
}
