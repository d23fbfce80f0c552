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

/* One call's result: checked against its bound, and, when tight, against
 * a first try one byte short that must change nothing. */
static sse_ssize take(struct out *o, sse_ssize rc, size_t bound,
                      sse_ssize short_rc, int short_tried)
{
    if (rc < 0)
        return rc;
    if ((size_t)rc > bound)
        fuzz_fail("a call wrote more than its documented bound");
    if (short_tried && short_rc != rc)
        fuzz_fail("one byte too few: not the size needed");
    o->len += (size_t)rc;
    return rc;
}

/* Runs call_with once measuring (dst NULL, cap 0: a call that needs no
 * room is then already done) and once with cap one byte short, when
 * tight; then with room enough. */
#define CALL(o, bound, call_with)                                             \
    do {                                                                      \
        sse_ssize short_rc = 0, rc_;                                          \
        int tried = 0;                                                        \
        char *dst_;                                                           \
        size_t cap_;                                                          \
        if ((o)->tight) {                                                     \
            sse_ssize need = 0;                                               \
            dst_ = NULL;                                                      \
            cap_ = 0;                                                         \
            need = (call_with);                                               \
            if (need <= 0) { /* refused, or done: nothing to write */        \
                if (need < 0) {                                               \
                    refused = need;                                           \
                    goto done;                                                \
                }                                                             \
                break;                                                        \
            }                                                                 \
            {                                                                 \
                dst_ = room((o), (size_t)need);                               \
                memset(dst_, 0x5A, (size_t)need);                             \
                cap_ = (size_t)need - 1;                                      \
                short_rc = (call_with);                                       \
                tried = 1;                                                    \
                if (dst_[need - 1] != 0x5A || dst_[0] != 0x5A)                \
                    fuzz_fail("a call given too little room wrote");         \
            }                                                                 \
        }                                                                     \
        dst_ = room((o), (bound));                                            \
        cap_ = (bound);                                                       \
        rc_ = take((o), (call_with), (bound), short_rc, tried);               \
        if (rc_ < 0) {                                                        \
            refused = rc_;                                                    \
            goto done;                                                        \
        }                                                                     \
    } while (0)

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
    char *one;
    sse_ssize want, refused = 0;

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

    CALL(&o, sse_encode_bound(&f), sse_encode_begin(&e, dst_, cap_, &f));
    ncuts = fuzz_cuts(seed, len, cuts, 16);
    cuts[ncuts++] = len;
    for (i = 0; i < ncuts; i++) {
        const char *piece = d + at;
        size_t n = cuts[i] - at;
        CALL(&o, SSE_ENCODE_DATA_BOUND(n),
             sse_encode_data(&e, dst_, cap_, n ? piece : NULL, n));
        at = cuts[i];
    }
    CALL(&o, SSE_ENCODE_END_BOUND, sse_encode_end(&e, dst_, cap_));
done:
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
