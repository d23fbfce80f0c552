/* UTF-8 checking and U+FFFD replacement, following the WHATWG Encoding
 * Standard's UTF-8 decoder step by step, so that every maximal subpart of an
 * ill-formed sequence becomes exactly one U+FFFD, as in a browser. */
#include "sse_internal.h"

static const char sse__repl[3] = {'\xEF', '\xBF', '\xBD'};

/* Classifies a non-ASCII lead byte: how many continuation bytes follow and
 * the range allowed for the first of them (which rules out overlongs,
 * surrogates and values above U+10FFFF). Returns 0 for a byte that cannot
 * start a sequence. */
static unsigned sse__lead(unsigned b, unsigned char *lower,
                          unsigned char *upper)
{
    *lower = 0x80;
    *upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
        return 1;
    if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0)
            *lower = 0xA0;
        if (b == 0xED)
            *upper = 0x9F;
        return 2;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0)
            *lower = 0x90;
        if (b == 0xF4)
            *upper = 0x8F;
        return 3;
    }
    return 0;
}

void sse__utf8_reset(struct sse__utf8 *u)
{
    u->need = u->seen = u->held = 0;
    u->lower = 0x80;
    u->upper = 0xBF;
}

/* Hands put one piece of output; when put asks to stop, *done says how
 * much of the input that output accounts for, and u is left as it must be
 * to go on decoding from there (reset: the bytes from *done on are read
 * again), so a caller that stops mid-text can resume exactly. */
#define SSE__EMIT(ptr, len, consumed)                                         \
    do {                                                                      \
        size_t n_ = (len);                                                    \
        if (n_) {                                                             \
            int rc_ = put(ctx, (const char *)(ptr), n_);                      \
            if (rc_) {                                                        \
                *done = (consumed);                                           \
                if (*done < n)                                                \
                    sse__utf8_reset(u);                                       \
                return rc_;                                                   \
            }                                                                 \
        }                                                                     \
    } while (0)

int sse__utf8_decode(struct sse__utf8 *u, const char *src, size_t n,
                     sse__sink put, void *ctx, size_t *done)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0;
    size_t run = 0; /* s[run, i) is valid and not yet emitted */
    /* Where the pending sequence began in s; SIZE_MAX while it began in an
     * earlier call (its first bytes are then held in u->pend). */
    size_t seq = SIZE_MAX;
    size_t ignored;

    if (!done)
        done = &ignored;
    *done = n;
    while (i < n) {
        unsigned b = s[i];
        if (u->need == 0) {
            if (b < 0x80) {
                i++;
                continue;
            }
            u->need = (unsigned char)sse__lead(b, &u->lower, &u->upper);
            if (u->need == 0) { /* not a lead byte: one U+FFFD for it */
                SSE__EMIT(s + run, i - run, i);
                SSE__EMIT(sse__repl, 3, i + 1);
                run = ++i;
                continue;
            }
            u->seen = 0;
            seq = i++;
            continue;
        }
        if (b < u->lower || b > u->upper) {
            /* The bytes so far are a maximal subpart: one U+FFFD, then b is
             * looked at again as a possible lead byte. */
            size_t from = seq == SIZE_MAX ? run : seq;
            SSE__EMIT(s + run, from - run, from);
            sse__utf8_reset(u);
            SSE__EMIT(sse__repl, 3, i);
            run = i;
            continue;
        }
        u->lower = 0x80;
        u->upper = 0xBF;
        i++;
        if (++u->seen == u->need) {
            u->need = 0;
            if (seq == SIZE_MAX) {
                /* Its first bytes came in an earlier call: the sequence
                 * goes out whole, from a copy. */
                char whole[4];
                size_t held = u->held;
                memcpy(whole, u->pend, held);
                memcpy(whole + held, s, i);
                u->held = 0;
                run = i;
                SSE__EMIT(whole, held + i, i);
            }
        }
    }
    if (u->need == 0) {
        SSE__EMIT(s + run, n - run, n);
    } else if (seq == SIZE_MAX) { /* still incomplete: hold its bytes */
        memcpy(u->pend + u->held, s, n);
        u->held = (unsigned char)(u->held + n);
    } else {
        SSE__EMIT(s + run, seq - run, seq);
        memcpy(u->pend, s + seq, n - seq);
        u->held = (unsigned char)(n - seq);
    }
    return 0;
}

int sse__utf8_flush(struct sse__utf8 *u, sse__sink put, void *ctx)
{
    if (u->need == 0)
        return 0;
    sse__utf8_reset(u);
    return put(ctx, sse__repl, 3);
}

/* One more byte of a text being checked: 0 if it makes the text
 * ill-formed. */
static int sse__utf8_step(struct sse__utf8 *u, unsigned b)
{
    if (u->need == 0) {
        if (b < 0x80)
            return 1;
        u->need = (unsigned char)sse__lead(b, &u->lower, &u->upper);
        u->seen = 0;
        return u->need != 0;
    }
    if (b < u->lower || b > u->upper)
        return 0;
    u->lower = 0x80;
    u->upper = 0xBF;
    if (++u->seen == u->need)
        u->need = 0;
    return 1;
}

int sse__utf8_valid_more(struct sse__utf8 *u, const char *src, size_t n)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0;
    if (n == 0) /* src may be NULL */
        return 1;
    /* Byte by byte only at the edges: the end of a sequence the last
     * piece cut, then whole sequences at sse_utf8_check's speed, then
     * what it stopped at (ill-formed, or a sequence this piece cuts). */
    while (i < n && u->need)
        if (!sse__utf8_step(u, s[i++]))
            return 0;
    for (i += sse_utf8_check(src + i, n - i); i < n; i++)
        if (!sse__utf8_step(u, s[i]))
            return 0;
    return 1;
}

size_t sse_utf8_check(const char *src, size_t len)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0;
    while (i < len) {
        unsigned char lower, upper;
        unsigned need, k;
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, s + i, 8), (w & SSE__HIGHS) == 0)) {
            i += 8; /* eight ASCII bytes */
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        need = sse__lead(s[i], &lower, &upper);
        if (need == 0 || need >= len - i)
            return i;
        for (k = 1; k <= need; k++) {
            if (s[i + k] < lower || s[i + k] > upper)
                return i;
            lower = 0x80;
            upper = 0xBF;
        }
        i += need + 1;
    }
    return len;
}

struct sse__outbuf {
    char *dst;
    size_t cap, len;
};

static int sse__outbuf_put(void *ctx, const char *s, size_t n)
{
    struct sse__outbuf *o = (struct sse__outbuf *)ctx;
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->dst + o->len, s, n < room ? n : room);
    }
    o->len += n;
    return 0;
}

size_t sse_utf8_replace(char *dst, size_t cap, const char *src, size_t len)
{
    struct sse__utf8 u;
    struct sse__outbuf o;
    o.dst = dst;
    o.cap = dst ? cap : 0;
    o.len = 0;
    sse__utf8_reset(&u);
    sse__utf8_decode(&u, src, len, sse__outbuf_put, &o, NULL);
    sse__utf8_flush(&u, sse__outbuf_put, &o);
    return o.len;
}
