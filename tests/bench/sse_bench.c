/* The benchmark (docs/performance.md): parser and encoder throughput on
 * generated workloads, each beside the others measured in the same run,
 * interleaved round by round so they all see the same machine weather:
 *
 *   ceiling  a 64-byte AVX2 scan that finds every CR and LF and visits each
 *            one (no conforming parser can do less; SSE2 where the CPU has
 *            no AVX2, and the table says so);
 *   naive    the parser people write by hand (naive_parser.c);
 *   esp      eventsource-parser from npm, run by node (tests/bench/js);
 *   memcpy   of the encoder's output bytes, for the encoder.
 *
 * Machines are noisy, so the ratios are the figures that matter. Never a
 * timed test.
 *
 *   sse-bench [--quick] [--node SCRIPT]
 *   sse-bench [--quick] --only WORKLOAD [--feed N|net] [--repeat N]
 *
 * --node: esp_bench.mjs with eventsource-parser installed beside it
 * (.ci/bench does that); without it the esp column is left out.
 * --only parses one workload (tokens, crlf, fields, bulk, huge) once in the
 * given feeds (default 64 KiB) inside parse_for_profile() (--repeat
 * times) and prints its byte count: what .ci/bench --instructions runs
 * under callgrind, and a loop for perf; --only encode runs the encoder
 * benchmark 5 times, --only streaming the streaming section (a 1 GiB
 * event against 1 MiB events). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naive_parser.h"
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

/* ---- Feeds ------------------------------------------------------------------ */

/* How a workload is cut into the chunks handed to a parser: a fixed size,
 * or network-shaped (sizes drawn from 1 to 1,500 bytes with a fixed seed,
 * as one read() of a TCP socket returns). */
typedef struct feeds {
    const char *name;
    size_t fixed;           /* 0: use sizes */
    const uint32_t *sizes;  /* enough to cover the largest workload */
} feeds;

static uint32_t *net_sizes(size_t total)
{
    size_t n = 0, at = 0, cap = total / 100 + 16;
    uint32_t *sizes = malloc(cap * sizeof *sizes);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    while (sizes && at < total) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        if (n == cap) {
            cap *= 2;
            sizes = realloc(sizes, cap * sizeof *sizes);
            if (!sizes)
                break;
        }
        sizes[n] = 1 + (uint32_t)(seed % 1500);
        at += sizes[n++];
    }
    if (!sizes) {
        perror("malloc");
        exit(1);
    }
    return sizes;
}

static size_t chunk_size(const feeds *f, size_t i, size_t left)
{
    size_t n = f->fixed ? f->fixed : f->sizes[i];
    return n < left ? n : left;
}

/* ---- The ceiling: every CR and LF found and visited --------------------- */

static volatile unsigned long sink;

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_CEILING 1

/* 64 bytes per step: compare with CR and LF, one 64-bit mask, and each set
 * bit visited with count-trailing-zeros (summing the positions, so no
 * compiler turns the visit into a popcount). */
__attribute__((target("avx2,bmi"))) static unsigned long
scan_avx2(const char *s, size_t len)
{
    const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
    unsigned long sum = 0;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + i + 32));
        uint64_t lo = (uint32_t)_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_cmpeq_epi8(a, lf), _mm256_cmpeq_epi8(a, cr)));
        uint64_t hi = (uint32_t)_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_cmpeq_epi8(b, lf), _mm256_cmpeq_epi8(b, cr)));
        uint64_t m = lo | hi << 32;
        while (m) {
            sum += i + (size_t)__builtin_ctzll(m);
            m &= m - 1;
        }
    }
    for (; i < len; i++)
        if (s[i] == '\n' || s[i] == '\r')
            sum += i;
    return sum;
}
#endif

/* The same visit with SSE2 / plain bytes: the ceiling where there is no
 * AVX2. */
static unsigned long scan_bytes(const char *s, size_t len)
{
    unsigned long sum = 0;
    size_t i;
    for (i = 0; i < len; i++)
        if (s[i] == '\n' || s[i] == '\r')
            sum += i;
    return sum;
}

static int have_avx2(void)
{
#ifdef HAVE_AVX2_CEILING
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static double time_scan(const workload *w)
{
    double t = now();
#ifdef HAVE_AVX2_CEILING
    if (have_avx2())
        sink += scan_avx2(w->bytes, w->len);
    else
#endif
        sink += scan_bytes(w->bytes, w->len);
    return now() - t;
}

/* ---- libsse ----------------------------------------------------------------- */

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

static void check(const workload *w, const char *who, unsigned long events,
                  unsigned long long data)
{
    if (events != w->events || data != w->data) {
        fprintf(stderr, "%s on %s: %lu events / %llu data bytes, generated "
                        "%lu / %llu\n",
                who, w->name, events, data, w->events, w->data);
        exit(1);
    }
}

/* Parses w in the given feeds; memory from allocator hooks, or from buffer
 * (buffer_size bytes) when given. */
static double time_parse_in(const workload *w, const feeds *f, char *buffer,
                            size_t buffer_size)
{
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    struct counts c = {0, 0};
    size_t off, i;
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
    for (off = 0, i = 0; off < w->len; i++) {
        size_t n = chunk_size(f, i, w->len - off);
        sse_parser_feed(&p, w->bytes + off, n);
        off += n;
    }
    sse_parser_finish(&p);
    t = now() - t;
    sse_parser_destroy(&p);
    check(w, "libsse", c.events, c.data);
    return t;
}

static double time_parse(const workload *w, const feeds *f)
{
    return time_parse_in(w, f, NULL, 0);
}

/* ---- The hand-written parser and eventsource-parser ------------------------- */

static double time_naive(const workload *w, const feeds *f)
{
    naive_parser p;
    size_t off, i;
    double t;
    naive_init(&p);
    t = now();
    for (off = 0, i = 0; off < w->len; i++) {
        size_t n = chunk_size(f, i, w->len - off);
        naive_feed(&p, w->bytes + off, n);
        off += n;
    }
    t = now() - t;
    check(w, "naive", p.events, p.data_bytes);
    naive_free(&p);
    return t;
}

static const char *node_script; /* --node */
static char workload_file[64], sizes_file[64];
static const workload *written; /* what workload_file holds */

static void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(bytes, 1, len, out) != len || fclose(out) != 0) {
        perror(path);
        exit(1);
    }
}

/* One warm-up and one timed run of eventsource-parser in node; the time
 * node measured around its feed loop. */
static double time_esp(const workload *w, const feeds *f)
{
    char cmd[512], feed[32];
    double secs = 0;
    unsigned long events = 0;
    unsigned long long data = 0;
    FILE *out;
    if (written != w) {
        write_file(workload_file, w->bytes, w->len);
        written = w;
    }
    if (f->fixed)
        snprintf(feed, sizeof feed, "%zu", f->fixed);
    else
        snprintf(feed, sizeof feed, "sizes");
    snprintf(cmd, sizeof cmd, "node %s %s %s %s", node_script, workload_file,
             feed, sizes_file);
    out = popen(cmd, "r");
    if (!out || fscanf(out, "%lf %lu %llu", &secs, &events, &data) != 3) {
        fprintf(stderr, "sse-bench: no result from: %s\n", cmd);
        exit(1);
    }
    if (pclose(out) != 0) {
        fprintf(stderr, "sse-bench: failed: %s\n", cmd);
        exit(1);
    }
    check(w, "eventsource-parser", events, data); /* ASCII: units = bytes */
    return secs;
}

/* ---- Reporting ------------------------------------------------------------ */

static int failures;

/* "ok"/"MISSED" for a ratio against its target, counting misses. */
static const char *verdict(double ratio, double target)
{
    if (target <= 0)
        return "";
    if (ratio >= target)
        return "ok";
    failures++;
    return "MISSED";
}

static int runs(size_t feed)
{
    if (quick)
        return 3;
    return feed && feed < 1024 ? 5 : 7;
}

typedef struct result {
    double scan, sse, naive, esp; /* median seconds; esp 0 without node */
} result;

/* Every contender on one workload and feed, interleaved run by run. */
static result measure(const workload *w, const feeds *f)
{
    double ts[9], tp[9], tn[9], te[9];
    int i, n = runs(f->fixed);
    result r;
    for (i = 0; i < n; i++) {
        ts[i] = time_scan(w);
        tp[i] = time_parse(w, f);
        tn[i] = time_naive(w, f);
        te[i] = node_script ? time_esp(w, f) : 0;
    }
    r.scan = median(ts, n);
    r.sse = median(tp, n);
    r.naive = median(tn, n);
    r.esp = median(te, n);
    return r;
}

static double gbs(const workload *w, double secs)
{
    return secs > 0 ? (double)w->len / secs / 1e9 : 0;
}

/* One table row: each contender's speed, and the ratios the targets are
 * set on. ceiling_target applies to 64 KiB feeds, naive_target to 16-byte
 * ones, esp_target to all; net rows compare with the 64 KiB figure. */
static void row(const workload *w, const feeds *f, const result *r,
                const result *r64, double ceiling_target, double esp_target)
{
    double vs_scan = r->scan / r->sse, vs_naive = r->naive / r->sse;
    char esp[48] = "        -", extra[64] = "";
    printf("%-7s %-6s %6.2f %6.2f %5.2fx %-6s %6.2f %6.2fx %-6s", w->name,
           f->name, gbs(w, r->scan), gbs(w, r->sse), vs_scan,
           f->fixed == 65536 ? verdict(vs_scan, ceiling_target) : "",
           gbs(w, r->naive), vs_naive,
           f->fixed == 16 ? verdict(vs_naive, 2.0) : "");
    if (r->esp > 0) {
        double vs_esp = r->esp / r->sse;
        snprintf(esp, sizeof esp, "%6.3f %6.1fx %s", gbs(w, r->esp), vs_esp,
                 verdict(vs_esp, esp_target));
    }
    if (!f->fixed && r64) {
        double vs64 = r64->sse / r->sse;
        snprintf(extra, sizeof extra, "  %.2fx of 64KiB %s", vs64,
                 verdict(vs64, 0.8));
    }
    printf(" %s%s\n", esp, extra);
}

/* Profiling entry point (--only): not inlined, so callgrind can count
 * exactly the instructions spent parsing (--toggle-collect). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void parse_for_profile(const workload *w, const feeds *f)
{
    time_parse(w, f);
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
    {
        double enc = median(te, n), mem = median(tm, n);
        printf("encode: token frames %.2f GB/s, %.0f M frames/s; memcpy of "
               "the same bytes %.2f GB/s: %.2fx (target >= %.2fx) %s\n",
               (double)total / enc / 1e9, (double)nframes / enc / 1e6,
               (double)total / mem / 1e9, mem / enc, target,
               verdict(mem / enc, target));
    }
    for (i = 0; i < nframes; i++)
        free(json[i]);
    free(json);
    free(ids);
    free(json_len);
    free(frame_len);
    free(out);
    free(encoded);
}

/* ---- Streaming delivery: events of any size ------------------------------ *
 *
 * A 1 GiB event against 1 MiB events, the same bytes in the same feeds,
 * through the parser's streaming delivery and the encoder's pieces: the
 * throughput must not depend on the event's size (target >= 0.8x). The
 * stream is a 64 KiB block fed over and over (so both sizes read it from
 * the same cache); two shapes: 76-byte data lines (base64 as it is sent),
 * and one single data line. */

typedef struct stream_shape {
    const char *name;
    char block[65536];
    size_t block_len;
    const char *head, *tail; /* around the blocks of one event */
    size_t data_per_block;   /* data bytes a block holds */
    int last_lf;             /* the blocks' count includes an LF that ends
                                the last line, which the spec removes */
} stream_shape;

static void shape_lines(stream_shape *sh)
{
    size_t at = 0, k;
    unsigned i = 0;
    sh->name = "lines";
    while (at + 6 + 76 + 1 <= sizeof sh->block) {
        memcpy(sh->block + at, "data: ", 6);
        for (k = 0; k < 76; k++)
            sh->block[at + 6 + k] = (char)('A' + (i++ % 26));
        sh->block[at + 82] = '\n';
        at += 83;
    }
    sh->block_len = at;
    sh->data_per_block = at / 83 * 77; /* each line's 76 bytes and its LF */
    sh->last_lf = 1;
    sh->head = "";
    sh->tail = "\n";
}

static void shape_one_line(stream_shape *sh)
{
    size_t k;
    sh->name = "1 line";
    for (k = 0; k < sizeof sh->block; k++)
        sh->block[k] = (char)('a' + k % 26);
    sh->block_len = sizeof sh->block;
    sh->data_per_block = sh->block_len;
    sh->last_lf = 0;
    sh->head = "data: ";
    sh->tail = "\n\n";
}

struct stream_count {
    unsigned long long bytes;
    unsigned long ends;
};

static int stream_data(sse_parser *p, const char *s, size_t n, void *user)
{
    struct stream_count *c = user;
    (void)p;
    c->bytes += n;
    sink += (unsigned char)s[n - 1]; /* the consumer looks at each piece */
    return 0;
}

static int stream_end(sse_parser *p, const sse_event *ev, int status,
                      void *user)
{
    struct stream_count *c = user;
    (void)p;
    (void)ev;
    if (status != SSE_OK) {
        fprintf(stderr, "sse-bench: a streamed event was discarded\n");
        exit(1);
    }
    c->ends++;
    return 0;
}

static void feed_all(sse_parser *p, const char *s, size_t len, size_t feed)
{
    while (len) {
        size_t n = len < feed ? len : feed;
        if (sse_parser_feed(p, s, n) != n) {
            fprintf(stderr, "sse-bench: feed stopped\n");
            exit(1);
        }
        s += n;
        len -= n;
    }
}

/* events events of blocks blocks each, fed in feed-byte chunks into a
 * parser with 4 KiB of caller memory; checks what was delivered. */
static double time_stream_parse(const stream_shape *sh, size_t blocks,
                                unsigned long events, size_t feed)
{
    static char mem[4096];
    sse_callbacks cb;
    sse_parser_options opt;
    sse_parser p;
    struct stream_count c = {0, 0};
    unsigned long e;
    size_t b;
    double t;
    sse_callbacks_init(&cb);
    cb.on_data = stream_data;
    cb.on_event_end = stream_end;
    memset(&opt, 0, sizeof opt);
    opt.flags = SSE_PARSER_STREAM_DATA;
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    if (sse_parser_init(&p, &cb, &c, &opt) != SSE_OK)
        exit(1);
    t = now();
    for (e = 0; e < events; e++) {
        feed_all(&p, sh->head, strlen(sh->head), feed);
        for (b = 0; b < blocks; b++)
            feed_all(&p, sh->block, sh->block_len, feed);
        feed_all(&p, sh->tail, strlen(sh->tail), feed);
    }
    t = now() - t;
    sse_parser_finish(&p);
    if (c.ends != events ||
        c.bytes != (unsigned long long)events *
                       (blocks * sh->data_per_block - (size_t)sh->last_lf)) {
        fprintf(stderr, "sse-bench: streaming delivered the wrong bytes\n");
        exit(1);
    }
    return t;
}

/* The encoder: events events, each blocks pieces of 64 KiB of text with a
 * line break every 77 bytes, into one reused output buffer. */
static double time_stream_encode(const char *piece, size_t blocks,
                                 unsigned long events, char *out)
{
    sse_frame f;
    sse_encoder e;
    unsigned long ev;
    size_t b, cap = SSE_ENCODE_DATA_BOUND(65536);
    double t;
    memset(&f, 0, sizeof f);
    t = now();
    for (ev = 0; ev < events; ev++) {
        if (sse_encode_begin(&e, out, cap, &f) < 0)
            exit(1);
        for (b = 0; b < blocks; b++) {
            sse_ssize n = sse_encode_data(&e, out, cap, piece, 65536);
            if (n < 0)
                exit(1);
            sink += (unsigned char)out[n - 1];
        }
        if (sse_encode_end(&e, out, cap) < 0)
            exit(1);
    }
    return now() - t;
}

static void stream_row(const char *what, size_t big, double t_big,
                       double t_small)
{
    double ratio = t_small / t_big; /* the same bytes either way */
    printf("%-26s %4zu MiB event %6.2f GB/s, 1 MiB events %6.2f GB/s: "
           "%.2fx (target >= 0.80x) %s\n",
           what, big / MiB, (double)big / t_big / 1e9,
           (double)big / t_small / 1e9, ratio, verdict(ratio, 0.8));
}

static void bench_streaming(size_t big)
{
    static stream_shape shapes[2];
    static const size_t feed_sizes[2] = {16, 65536};
    size_t blocks = big / 65536, per_mib = MiB / 65536, k;
    int s, fi, r, n = quick ? 3 : 5;
    char *piece = malloc(65536), *out = malloc(SSE_ENCODE_DATA_BOUND(65536));
    double tb[9], ts[9];
    if (!piece || !out) {
        perror("malloc");
        exit(1);
    }
    shape_lines(&shapes[0]);
    shape_one_line(&shapes[1]);
    printf("streaming delivery (SSE_PARSER_STREAM_DATA, 4 KiB of parser "
           "memory) and the encoder in 64 KiB pieces; medians of %d runs, "
           "interleaved\n", n);
    for (s = 0; s < 2; s++)
        for (fi = 0; fi < 2; fi++) {
            char what[48];
            for (r = 0; r < n; r++) {
                tb[r] = time_stream_parse(&shapes[s], blocks, 1,
                                          feed_sizes[fi]);
                ts[r] = time_stream_parse(&shapes[s], per_mib,
                                          (unsigned long)(blocks / per_mib),
                                          feed_sizes[fi]);
            }
            snprintf(what, sizeof what, "parse %s, %s feeds", shapes[s].name,
                     fi ? "64KiB" : "16B");
            stream_row(what, big, median(tb, n), median(ts, n));
        }
    for (k = 0; k < 65536; k++)
        piece[k] = k % 77 == 76 ? '\n' : (char)('A' + k % 26);
    for (r = 0; r < n; r++) {
        tb[r] = time_stream_encode(piece, blocks, 1, out);
        ts[r] = time_stream_encode(piece, per_mib,
                                   (unsigned long)(blocks / per_mib), out);
    }
    stream_row("encode, 64KiB pieces", big, median(tb, n), median(ts, n));
    free(piece);
    free(out);
}

static void usage(void)
{
    fprintf(stderr, "usage: sse-bench [--quick] [--node SCRIPT]\n"
                    "       sse-bench [--quick] --only WORKLOAD [--feed N|net] "
                    "[--repeat N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    workload tokens = {"tokens", 0, 0, 0, 0, 0};
    workload crlf = {"crlf", 0, 0, 0, 0, 0};
    workload fields = {"fields", 0, 0, 0, 0, 0};
    workload bulk = {"bulk", 0, 0, 0, 0, 0};
    workload huge = {"huge", 0, 0, 0, 0, 0};
    workload huge1 = {"huge-1M", 0, 0, 0, 0, 0};
    workload *all[] = {&tokens, &crlf, &fields, &bulk, &huge};
    size_t size = 64 * MiB, longest = 0;
    feeds f64 = {"64KiB", 65536, NULL}, f16 = {"16B", 16, NULL};
    feeds fnet = {"net", 0, NULL};
    const char *only = NULL, *only_feed = NULL;
    result r64[4];
    int i, repeat = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
            size = 16 * MiB;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--feed") == 0 && i + 1 < argc) {
            only_feed = argv[++i];
        } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--node") == 0 && i + 1 < argc) {
            node_script = argv[++i];
        } else {
            usage();
        }
    }
    /* --only generates just its workload, so a timed run is its parse. */
#define WANTS(name) (!only || strcmp(only, name) == 0)
    if (WANTS("tokens"))
        gen_tokens(&tokens, size, "\n");
    if (WANTS("crlf"))
        gen_tokens(&crlf, size, "\r\n");
    if (WANTS("fields"))
        gen_fields(&fields, size);
    if (WANTS("bulk"))
        gen_bulk(&bulk, size);
    if (WANTS("huge"))
        gen_huge(&huge, size);
    gen_huge(&huge1, MiB);
#undef WANTS
    for (i = 0; i < 5; i++)
        longest = all[i]->len > longest ? all[i]->len : longest;
    fnet.sizes = net_sizes(longest);
    if (only && strcmp(only, "encode") == 0) {
        for (i = 0; i < 5; i++)
            bench_encoder(size, 0.6);
        return 0;
    }
    if (only && strcmp(only, "streaming") == 0) {
        bench_streaming(quick ? 64 * MiB : 1024 * MiB);
        return 0;
    }
    if (only) {
        workload *w = NULL;
        feeds *f = &f64, fixed = {"fixed", 0, NULL};
        for (i = 0; i < 5; i++)
            if (strcmp(all[i]->name, only) == 0)
                w = all[i];
        if (!w) {
            fprintf(stderr, "sse-bench: no workload %s\n", only);
            return 2;
        }
        if (only_feed && strcmp(only_feed, "net") == 0) {
            f = &fnet;
        } else if (only_feed) {
            fixed.fixed = (size_t)strtoul(only_feed, NULL, 10);
            if (fixed.fixed == 0)
                usage();
            f = &fixed;
        }
        for (i = 0; i < repeat; i++)
            parse_for_profile(w, f);
        printf("%zu\n", w->len);
        return 0;
    }
    if (node_script) {
        snprintf(workload_file, sizeof workload_file, "/tmp/sse-bench-%ld.bin",
                 (long)time(NULL));
        snprintf(sizes_file, sizeof sizes_file, "/tmp/sse-bench-%ld.sizes",
                 (long)time(NULL));
        {
            size_t n = 0, at = 0;
            while (at < longest)
                at += fnet.sizes[n++];
            write_file(sizes_file, fnet.sizes, n * sizeof *fnet.sizes);
        }
    }

    printf("libsse %s, sse_parser %zu bytes (target <= 256: %s)\n",
           sse_version_string(), sizeof(sse_parser),
           sizeof(sse_parser) <= 256 ? "ok" : "MISSED");
    failures += sizeof(sse_parser) > 256;
    printf("workloads: %zu MiB each; medians of %d runs (%d for 16-byte "
           "feeds), interleaved; event and byte counts checked\n",
           size / MiB, runs(65536), runs(16));
    printf("ceiling: %s CR/LF scan visiting every hit; naive: hand-written C "
           "parser; esp: eventsource-parser 3.0.6 in node%s\n",
           have_avx2() ? "AVX2" : "byte-at-a-time (no AVX2 on this CPU)",
           node_script ? "" : " (left out: no --node)");
    printf("speeds in GB/s; net = feeds of 1-1500 bytes (seeded)\n");
    printf("%-7s %-6s %6s %6s %6s %-6s %6s %7s %-6s %6s %7s\n", "work",
           "feed", "ceil", "libsse", "/ceil", "", "naive", "/naive", "",
           "esp", "/esp");
    for (i = 0; i < 4; i++) {
        const workload *w = all[i];
        double esp_target = i < 2 ? 10.0 : 0.0; /* tokens and crlf */
        result r16, rn;
        r64[i] = measure(w, &f64);
        row(w, &f64, &r64[i], NULL, i == 2 ? 0.4 : 0.6, esp_target);
        r16 = measure(w, &f16);
        row(w, &f16, &r16, NULL, 0, esp_target);
        rn = measure(w, &fnet);
        row(w, &fnet, &rn, &r64[i], 0, esp_target);
    }
    /* Linear in bytes however small the feeds: a 64 MiB line costs per
     * byte what a 1 MiB one does. Both parse into one caller buffer,
     * faulted in beforehand and reused, so the comparison is the parser's
     * work per byte, not the kernel's first touch of fresh pages. */
    {
        size_t cap = huge.len + MiB;
        char *buffer = malloc(cap);
        double t[9], t64, t1, ratio;
        int r, n = runs(16);
        if (!buffer) {
            perror("malloc");
            return 1;
        }
        memset(buffer, 0, cap);
        for (r = 0; r < n; r++)
            t[r] = time_parse_in(&huge, &f16, buffer, cap);
        t64 = median(t, n);
        for (r = 0; r < n; r++)
            t[r] = time_parse_in(&huge1, &f16, buffer, cap);
        t1 = median(t, n);
        ratio = t1 * (double)huge.len / (double)huge1.len / t64;
        printf("huge: one %zu MiB line in 16-byte feeds %.2f GB/s, a 1 MiB "
               "line %.2f GB/s: %.2fx (target >= 0.80x, linear) %s\n",
               size / MiB, gbs(&huge, t64), gbs(&huge1, t1), ratio,
               verdict(ratio, 0.8));
        free(buffer);
    }
    bench_encoder(size, 0.6);
    bench_streaming(quick ? 64 * MiB : 1024 * MiB);

    printf("%s\n", failures ? "some targets MISSED" : "all targets met");
    if (node_script) {
        remove(workload_file);
        remove(sizes_file);
    }
    for (i = 0; i < 5; i++)
        free(all[i]->bytes);
    free(huge1.bytes);
    free((void *)fnet.sizes);
    return 0;
}
