/* A 1 GiB event end to end in bounded memory: its data is generated in
 * 64 KiB pieces (bytes of every value but CR and LF, and line breaks of
 * every kind, a quarter of it one single line, pieces cut anywhere, CR LF
 * included), encoded piece by piece (sse_encode_data), and the stream fed
 * to a streaming parser in 16-byte chunks with 4 KiB of caller memory.
 * What the parser delivers must hash to what the data is, line breaks
 * normalised to LF as a receiver sees them; and the process's peak RSS
 * may not grow past its baseline by more than 256 KiB, whatever the size.
 *
 * SSE_HUGE_MIB sets the size (CTest: 1024; 128 in sanitizer builds). */
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE 65536
#define FEED 16
#define RSS_GROWTH_LIMIT_KIB 256

/* FNV-1a, 64 bits: order-sensitive, so a lost, doubled or moved byte
 * changes it. */
#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

/* The data, generated piece by piece, with its expected hash and length
 * as a receiver sees it (CR LF, CR and LF each one LF). */
struct source {
    uint64_t rng, left;    /* bytes still to generate */
    uint64_t line_left;    /* bytes left in the current line */
    int first_line, cr;    /* the long first line; a CR just ended a line */
    uint64_t want_hash, want_len;
};

static uint64_t next_rng(struct source *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

/* Fills up to PIECE bytes; returns how many (0 at the end). */
static size_t source_piece(struct source *g, char *out)
{
    size_t n = 0, cap = g->left < PIECE ? (size_t)g->left : PIECE;
    while (n < cap) {
        if (g->line_left == 0) { /* a line break of any kind */
            uint64_t r = next_rng(g) % 3;
            if (r == 2 && n + 2 > cap)
                r = 0; /* no room for CR LF at the very end: LF */
            if (r == 0 || r == 2) {
                if (r == 2)
                    out[n++] = '\r';
                out[n++] = '\n';
            } else {
                out[n++] = '\r';
            }
            g->want_hash = fnv(g->want_hash, "\n", 1);
            g->want_len++;
            g->line_left = g->first_line ? g->left / 4 : 1 + next_rng(g) % 300;
            g->first_line = 0;
            continue;
        }
        while (n < cap && g->line_left) {
            char c = (char)(next_rng(g) >> 24);
            if (c == '\r' || c == '\n')
                c = ' ';
            out[n++] = c;
            g->want_hash = (g->want_hash ^ (unsigned char)c) * FNV_PRIME;
            g->want_len++;
            g->line_left--;
        }
    }
    g->left -= n;
    return n;
}

struct sink {
    uint64_t hash, len;
    int starts, ends, status;
};

static int on_start(sse_parser *p, void *user)
{
    (void)p;
    ((struct sink *)user)->starts++;
    return 0;
}

static int on_piece(sse_parser *p, const char *s, size_t n, void *user)
{
    struct sink *k = user;
    (void)p;
    k->hash = fnv(k->hash, s, n);
    k->len += n;
    return 0;
}

static int on_end(sse_parser *p, const sse_event *ev, int status, void *user)
{
    struct sink *k = user;
    (void)p;
    (void)ev;
    k->ends++;
    k->status = status;
    return 0;
}

/* Peak resident memory of the process so far, in KiB (VmHWM). */
static long peak_rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Feeds n bytes of encoded stream in FEED-byte chunks. */
static void feed_all(sse_parser *p, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i += FEED) {
        size_t m = n - i < FEED ? n - i : FEED;
        assert_int_equal(sse_parser_feed(p, s + i, m), m);
    }
}

/* Generates, encodes and parses one event of `size` data bytes. */
static void one_event(uint64_t size, char *piece, char *out, struct sink *k,
                      struct source *g)
{
    static char mem[4096];
    sse_parser_options opt;
    sse_callbacks cb;
    sse_parser p;
    sse_encoder e;
    sse_frame f;
    sse_ssize n;
    size_t got;

    memset(g, 0, sizeof *g);
    g->rng = 0x9E3779B97F4A7C15u ^ size;
    g->left = size;
    g->first_line = 1;
    g->want_hash = FNV_OFFSET;
    memset(k, 0, sizeof *k);
    k->hash = FNV_OFFSET;

    sse_callbacks_init(&cb);
    cb.on_event_start = on_start;
    cb.on_data = on_piece;
    cb.on_event_end = on_end;
    memset(&opt, 0, sizeof opt);
    opt.flags = SSE_PARSER_STREAM_DATA;
    opt.buffer = mem;
    opt.buffer_size = sizeof mem;
    assert_int_equal(sse_parser_init(&p, &cb, k, &opt), SSE_OK);

    memset(&f, 0, sizeof f);
    f.type = "blob";
    f.type_len = 4;
    n = sse_encode_begin(&e, out, SSE_ENCODE_DATA_BOUND(PIECE), &f);
    assert_true(n > 0);
    feed_all(&p, out, (size_t)n);
    while ((got = source_piece(g, piece)) > 0) {
        n = sse_encode_data(&e, out, SSE_ENCODE_DATA_BOUND(PIECE), piece, got);
        assert_true(n >= 0);
        feed_all(&p, out, (size_t)n);
    }
    n = sse_encode_end(&e, out, SSE_ENCODE_END_BOUND);
    assert_true(n > 0);
    feed_all(&p, out, (size_t)n);
    assert_int_equal(sse_parser_finish(&p), SSE_OK);
    sse_parser_destroy(&p);
}

static void huge_event(void **state)
{
    const char *env = getenv("SSE_HUGE_MIB");
    uint64_t size = (uint64_t)(env ? strtoul(env, NULL, 10) : 1024) << 20;
    char *piece = malloc(PIECE), *out = malloc(SSE_ENCODE_DATA_BOUND(PIECE));
    struct source g;
    struct sink k;
    long base, peak;
    (void)state;
    assert_non_null(piece);
    assert_non_null(out);
    /* Everything the run uses, touched once first: a small event. */
    memset(piece, 0, PIECE);
    memset(out, 0, SSE_ENCODE_DATA_BOUND(PIECE));
    one_event(1 << 20, piece, out, &k, &g);
    assert_int_equal(k.status, SSE_OK);
    base = peak_rss_kib();
    assert_true(base > 0); /* /proc/self/status read */

    one_event(size, piece, out, &k, &g);
    peak = peak_rss_kib();
    print_message("huge_event: %llu MiB of data, %llu bytes delivered in "
                  "16-byte feeds; peak RSS %ld KiB, %ld KiB above the "
                  "baseline (limit %d)\n",
                  (unsigned long long)(size >> 20),
                  (unsigned long long)k.len, peak, peak - base,
                  RSS_GROWTH_LIMIT_KIB);
    assert_int_equal(k.starts, 1);
    assert_int_equal(k.ends, 1);
    assert_int_equal(k.status, SSE_OK);
    assert_true(k.len == g.want_len);
    assert_true(k.hash == g.want_hash);
    assert_true(peak - base <= RSS_GROWTH_LIMIT_KIB);
    free(piece);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(huge_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
