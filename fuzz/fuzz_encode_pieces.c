/* The encoder fed data in pieces (sse_encode_begin / _data / _end): for
 * every data and every split of it, the output is byte for byte what
 * sse_encode writes for the whole data, or refused with the same code;
 * each call stays within its documented bound, and a call given too
 * little room returns the size it needs and writes nothing.
 *
 * Input: byte 0 option bits (1 SSE_FRAME_CHECK_UTF8, 2 a type, 4 an id,
 * 8 a comment, 16 every call first given one byte too few), bytes 1-2
 * the cut seed, then the data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SSE_SET_LIT(f, field, literal)                                        \
    ((f).field = (literal), (f).field##_len = sizeof(literal) - 1)

/* The output so far, grown as the calls need. */
struct out {
    char *p;
    size_t len, cap;
    int tight;
};

static char *room(struct out *o, size_t n)
{
    if (n > o->cap - o->len) {
        o->cap = (o->len + n) * 2 + 64;
        o->p = realloc(o->p, o->cap);
        if (!o->p)
            abort();
    }
    return o->p + o->len;
}

/* One call of the encoder in pieces, to be made with any destination. */
enum step { BEGIN, DATA, END };
struct call {
    enum step step;
    sse_encoder *e;
    const sse_frame *f;   /* BEGIN */
    const char *piece;    /* DATA */
    size_t n;
};

static sse_ssize invoke(const struct call *c, char *dst, size_t cap)
{
    switch (c->step) {
    case BEGIN:
        return sse_encode_begin(c->e, dst, cap, c->f);
    case DATA:
        return sse_encode_data(c->e, dst, cap, c->n ? c->piece : NULL, c->n);
    default:
        return sse_encode_end(c->e, dst, cap);
    }
}

/* Makes the call with bound bytes of room and appends what it wrote; when
 * tight, first measuring (dst NULL, cap 0: a call that needs no room is
 * then already made) and with one byte too few, which must write nothing
 * and return the size needed. Returns what the call returned. */
static sse_ssize run(struct out *o, const struct call *c, size_t bound)
{
    sse_ssize rc, need = -1;
    char *dst;
    if (o->tight) {
        need = invoke(c, NULL, 0);
        if (need <= 0) /* refused, or made: nothing to write */
            return need;
        dst = room(o, (size_t)need);
        memset(dst, 0x5A, (size_t)need);
        if (invoke(c, dst, (size_t)need - 1) != need)
            fuzz_fail("one byte too few: not the size needed");
        if (dst[need - 1] != 0x5A || dst[0] != 0x5A)
            fuzz_fail("a call given too little room wrote");
    }
    rc = invoke(c, room(o, bound), bound);
    if (rc < 0)
        return rc;
    if ((size_t)rc > bound)
        fuzz_fail("a call wrote more than its documented bound");
    if (need >= 0 && rc != need)
        fuzz_fail("a call wrote other than the size it asked for");
    o->len += (size_t)rc;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    unsigned options = fuzz_byte(&r);
    uint32_t seed = (uint32_t)fuzz_byte(&r) << 8 | fuzz_byte(&r);
    const char *d = (const char *)r.p;
    size_t len = r.n, cuts[17], ncuts, i, at = 0;
    sse_frame f;
    sse_encoder e;
    struct out o = {0};
    struct call c;
    char *one;
    sse_ssize want, refused = 0, rc;

    memset(&f, 0, sizeof f);
    if (options & 1)
        f.flags |= SSE_FRAME_CHECK_UTF8;
    if (options & 2)
        SSE_SET_LIT(f, type, "update");
    if (options & 4)
        SSE_SET_LIT(f, id, "42");
    if (options & 8)
        SSE_SET_LIT(f, comment, "note\nmore");
    o.tight = (options & 16) != 0;

    f.data = d;
    f.data_len = len;
    want = sse_encode(NULL, 0, &f);
    one = malloc(want > 0 ? (size_t)want : 1);
    if (!one)
        abort();
    if (want > 0 && sse_encode(one, (size_t)want, &f) != want)
        fuzz_fail("sse_encode: the size it asked for was not enough");
    f.data = NULL;
    f.data_len = 0;

    memset(&c, 0, sizeof c);
    c.e = &e;
    c.f = &f;
    c.step = BEGIN;
    rc = run(&o, &c, sse_encode_bound(&f));
    ncuts = fuzz_cuts(seed, len, cuts, 16);
    cuts[ncuts++] = len;
    c.step = DATA;
    for (i = 0; rc >= 0 && i < ncuts; i++) {
        c.piece = d + at;
        c.n = cuts[i] - at;
        rc = run(&o, &c, SSE_ENCODE_DATA_BOUND(c.n));
        at = cuts[i];
    }
    c.step = END;
    if (rc >= 0)
        rc = run(&o, &c, SSE_ENCODE_END_BOUND);
    if (rc < 0)
        refused = rc;
    if (want < 0) {
        if (refused != want)
            fuzz_fail("pieces not refused as the one-shot frame was");
    } else if (refused) {
        fuzz_fail("pieces refused what the one-shot frame took");
    } else if (o.len != (size_t)want ||
               (o.len && memcmp(o.p, one, o.len) != 0)) {
        fprintf(stderr, "one call:\n%.*s\npieces:\n%.*s\n", (int)want, one,
                (int)o.len, o.p ? o.p : "");
        fuzz_fail("pieces encode differently from one call");
    }
    free(one);
    free(o.p);
    return 0;
}
