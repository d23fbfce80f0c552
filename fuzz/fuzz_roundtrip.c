/* Encoder round trip: up to four frames with input-chosen fields. Each is
 * encoded by the buffer, iovec and callback forms, which must agree byte
 * for byte; a refused frame must be refused with the code the rules give
 * (tests/support/frame_model.c) and write nothing. The accepted frames, as one
 * stream, must parse back (library at input-chosen cuts, and the reference
 * model) to exactly the fields that went in; and registering on_comment,
 * with a max_field some comments exceed, may change nothing but the
 * comments reported (a comment never costs an event). */
#include <stdlib.h>
#include <string.h>

#include "frame_model.h"
#include "fuzz_common.h"
#include "ref_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POISON 0xA5

static const char *take(fuzz_reader *r, size_t *len)
{
    const char *s = (const char *)r->p;
    size_t n = fuzz_byte(r);
    if (n > r->n)
        n = r->n;
    r->p += n;
    r->n -= n;
    *len = n;
    return s;
}

struct sink {
    char *buf;
    size_t len, cap;
    unsigned calls;
};

static int sink_write(void *user, const char *p, size_t n)
{
    struct sink *s = user;
    s->calls++;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf)
            abort();
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

static int poisoned(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != POISON)
            return 0;
    return 1;
}

/* Encodes f all three ways and checks them; returns the exact-size bytes
 * (malloc'd, *len set) or NULL if f was refused. */
static char *encode_all(const sse_frame *f, size_t *len)
{
    unsigned char guard[64];
    sse_iov iov_guard[8];
    struct sink s = {0};
    sse_ssize n = sse_encode(NULL, 0, f), k, i;
    int refusal = frame_refusal(f);
    char *out;
    sse_iov *iov;
    size_t at;

    if (refusal != SSE_OK) {
        if (n != refusal)
            fuzz_fail("refused with another code than the rules give");
        memset(guard, POISON, sizeof guard);
        memset(iov_guard, POISON, sizeof iov_guard);
        if (sse_encode((char *)guard, sizeof guard, f) != refusal ||
            !poisoned(guard, sizeof guard) ||
            sse_encode_iov(iov_guard, 8, f) != refusal ||
            !poisoned((unsigned char *)iov_guard, sizeof iov_guard) ||
            sse_encode_to(sink_write, &s, f) != refusal || s.calls != 0)
            fuzz_fail("a refused frame wrote something");
        return NULL;
    }
    if (n < 0)
        fuzz_fail("refused a frame the rules accept");
    if ((size_t)n > sse_encode_bound(f))
        fuzz_fail("frame larger than sse_encode_bound");
    /* Exact size: ASan catches one byte too many. */
    out = malloc((size_t)n + 1);
    if (!out || sse_encode(out, (size_t)n, f) != n)
        fuzz_fail("buffer form");
    if (n > 0 && sse_encode(out, (size_t)n - 1, f) != n)
        fuzz_fail("one byte short must report the size");

    k = sse_encode_iov(NULL, 0, f);
    iov = malloc(((size_t)k + 1) * sizeof *iov);
    if (k < 0 || !iov || sse_encode_iov(iov, (size_t)k, f) != k)
        fuzz_fail("iovec form");
    for (i = 0, at = 0; i < k; i++) {
        if (iov[i].len == 0 || at + iov[i].len > (size_t)n ||
            memcmp(iov[i].base, out + at, iov[i].len) != 0)
            fuzz_fail("iovec pieces differ from the buffer form");
        at += iov[i].len;
    }
    if (at != (size_t)n)
        fuzz_fail("iovec pieces do not add up to the frame");
    free(iov);

    if (sse_encode_to(sink_write, &s, f) != n || s.len != (size_t)n ||
        (n && memcmp(s.buf, out, (size_t)n) != 0))
        fuzz_fail("callback form differs from the buffer form");
    free(s.buf);
    *len = (size_t)n;
    return out;
}

/* The trace without its comments and SSE_E_COMMENT_TOO_LONG reports. */
static void strip_comments(char *text)
{
    char *in = text, *out = text;
    while (*in) {
        char *eol = strchr(in, '\n');
        size_t n = eol ? (size_t)(eol - in) + 1 : strlen(in);
        if (strncmp(in, "comment ", 8) != 0 &&
            strncmp(in, "error SSE_E_COMMENT_TOO_LONG\n", 29) != 0) {
            memmove(out, in, n);
            out += n;
        }
        in += n;
    }
    *out = '\0';
}

/* Parses the stream with and without on_comment, max_field from seed. */
static void comments_cost_no_event(const char *stream, size_t len,
                                   const size_t *cuts, size_t ncuts,
                                   uint8_t seed)
{
    run_config c = {0};
    run_result with, without;
    c.max_line = c.max_event = len + 16;
    c.max_field = 1 + seed % 48u;
    c.comments = 1;
    run_parser(stream, len, cuts, ncuts, &c, &with);
    c.comments = 0;
    run_parser(stream, len, cuts, ncuts, &c, &without);
    strip_comments(with.t.text);
    fuzz_same("with on_comment, less the comments", without.t.text,
              with.t.text);
    free(with.t.text);
    free(without.t.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    trace want = {0}, model = {0};
    frame_state st = {0};
    char *stream = NULL;
    size_t len = 0, cuts[16], ncuts;
    int frames, all_utf8 = 1;
    uint8_t seed = fuzz_byte(&r);

    trace_add(&want, "%s", "");
    for (frames = 0; frames < 4 && r.n > 0; frames++) {
        uint8_t h = fuzz_byte(&r);
        sse_frame f;
        char *bytes;
        size_t n, i;
        memset(&f, 0, sizeof f);
        if (h & 1)
            f.data = take(&r, &f.data_len);
        if (h & 2)
            f.type = take(&r, &f.type_len);
        if (h & 4)
            f.id = take(&r, &f.id_len);
        if (h & 8)
            f.comment = take(&r, &f.comment_len);
        if (h & 16) {
            f.flags |= SSE_FRAME_RETRY;
            for (i = 0; i < 8; i++)
                f.retry_ms = f.retry_ms << 8 | fuzz_byte(&r);
        }
        if (h & 32)
            f.flags |= SSE_FRAME_CHECK_UTF8;
        if (h & 64)
            f.padding = fuzz_byte(&r);
        bytes = encode_all(&f, &n);
        if (!bytes)
            continue;
        if (!(f.flags & SSE_FRAME_CHECK_UTF8))
            all_utf8 = 0;
        stream = realloc(stream, len + n + 1);
        if (!stream)
            abort();
        memcpy(stream + len, bytes, n);
        len += n;
        free(bytes);
        frame_expect(&want, &f, &st);
    }

    {
        run_config c = {0};
        run_result got;
        ref_options ro = {0};
        c.comments = 1;
        c.max_line = c.max_event = c.max_field = len + 16;
        ncuts = fuzz_cuts(seed, len, cuts, 16);
        run_parser(stream, len, cuts, ncuts, &c, &got);
        fuzz_same("encoded frames parsed back", want.text, got.t.text);
        free(got.t.text);
        if (all_utf8) { /* as a browser decodes it: nothing replaced */
            c.flags = SSE_PARSER_UTF8_REPLACE;
            run_parser(stream, len, cuts, ncuts, &c, &got);
            fuzz_same("parsed back in UTF-8 replacement mode", want.text,
                    got.t.text);
            free(got.t.text);
        }
        comments_cost_no_event(stream ? stream : "", len, cuts, ncuts, seed);
        ro.comments = 1;
        ref_parse(stream ? stream : "", len, &ro, &model);
        fuzz_same("encoded frames through the reference model", want.text,
                model.text);
    }
    frame_state_free(&st);
    free(model.text);
    free(want.text);
    free(stream);
    return 0;
}
