/* Private declarations shared by the library's source files. Not installed. */
#ifndef SSE_INTERNAL_H
#define SSE_INTERNAL_H

#include "sse.h"

#include <stdint.h>
#include <string.h>

/* Functions shared between the library's files: hidden in the shared
 * library, and static like the public ones in a SSE_PRIVATE single-header
 * build. */
#if defined(SSE_PRIVATE)
#define SSE__INTERNAL SSE_API
#else
#define SSE__INTERNAL
#endif

/* ---- Line-end scanning -------------------------------------------------
 *
 * The parser and the encoder spend nearly all their time looking for the
 * next CR or LF. With SSE2 (every x86-64) they look at 64 bytes per step;
 * everywhere else, and when built with SSE_NO_SIMD (CI builds both), at 8
 * bytes per step in a plain 64-bit word. The word test flags a byte equal
 * to CR or LF; it can also flag a byte above a true match (borrow
 * propagation), never one below, so the first flagged word is exact and the
 * byte loop after it finds the first real match. Endianness does not
 * matter.
 */
#if !defined(SSE_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64))
#define SSE__SSE2 1
#include <emmintrin.h>
#else
#define SSE__SSE2 0
#endif

#define SSE__ONES ((uint64_t)0x0101010101010101u)
#define SSE__HIGHS ((uint64_t)0x8080808080808080u)

static inline int sse__word_has_eol(uint64_t w)
{
    uint64_t lf = w ^ (SSE__ONES * '\n');
    uint64_t cr = w ^ (SSE__ONES * '\r');
    return (((lf - SSE__ONES) & ~lf) | ((cr - SSE__ONES) & ~cr)) & SSE__HIGHS
               ? 1
               : 0;
}

/* Hides where a pointer came from (an empty asm). Once the encoder is
 * inlined into a caller that passes a small array (the single header with
 * SSE_PRIVATE, or LTO), gcc 12's -Warray-bounds checks its 16-byte moves
 * on paths that the length tests never take, and warns; it cannot reason
 * about an object it cannot see. Used once per encoder call, never in the
 * parser's loop, where it cost 2% more instructions (callgrind). */
#if defined(__GNUC__)
#define SSE__OPAQUE(p) __asm__("" : "+r"(p))
#else
#define SSE__OPAQUE(p) ((void)0)
#endif

#if SSE__SSE2
/* Index of the lowest set bit of m (m != 0). */
static inline unsigned sse__lowest_bit(unsigned m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(m);
#else
    unsigned i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* Bit i set when byte i of the 16 at s is CR or LF. */
static inline unsigned sse__eol_mask16(const char *s)
{
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
}
#endif

/* First CR or LF in [s, end), or end. */
static inline const char *sse__find_eol(const char *s, const char *end)
{
#if SSE__SSE2
    if ((size_t)(end - s) >= 16) {
        /* 64 bytes per step with one test, then 16, then the last partial
         * block as the 16 bytes ending at end, of which the ones already
         * seen are shifted out: no byte loop at all. */
        unsigned m;
        while ((size_t)(end - s) >= 64) {
            unsigned m0 = sse__eol_mask16(s), m1 = sse__eol_mask16(s + 16);
            unsigned m2 = sse__eol_mask16(s + 32), m3 = sse__eol_mask16(s + 48);
            if (m0 | m1 | m2 | m3) {
                unsigned low = m0 | m1 << 16; /* bytes 0..31 */
                if (low)
                    return s + sse__lowest_bit(low);
                return s + 32 + sse__lowest_bit(m2 | m3 << 16);
            }
            s += 64;
        }
        while ((size_t)(end - s) >= 16) {
            if ((m = sse__eol_mask16(s)) != 0)
                return s + sse__lowest_bit(m);
            s += 16;
        }
        if (s == end)
            return end;
        m = sse__eol_mask16(end - 16) >> (16 - (unsigned)(end - s));
        return m ? s + sse__lowest_bit(m) : end;
    }
#endif
    while ((size_t)(end - s) >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        if (sse__word_has_eol(w))
            break;
        s += 8;
    }
    while (s < end && *s != '\n' && *s != '\r')
        s++;
    return s;
}

/* ---- UTF-8 (sse_utf8.c) ------------------------------------------------ */

/* Receives decoded output; a non-zero return stops decoding and is passed
 * back to the caller. */
typedef int (*sse__sink)(void *ctx, const char *s, size_t n);

SSE__INTERNAL void sse__utf8_reset(struct sse__utf8 *u);
/* Decodes n more bytes of a text, calling put with valid runs and U+FFFD.
 * A sequence cut at the end of src is held in *u for the next call. */
SSE__INTERNAL int sse__utf8_decode(struct sse__utf8 *u, const char *src,
                                   size_t n, sse__sink put, void *ctx);
/* End of the text: a held incomplete sequence becomes one U+FFFD. */
SSE__INTERNAL int sse__utf8_flush(struct sse__utf8 *u, sse__sink put,
                                  void *ctx);

/* ---- Parser memory (sse_memory.c) -------------------------------------- */

#define SSE__SLOTS 4

static inline char *sse__slot(const sse_parser *p, unsigned i)
{
    return p->slots_ + (size_t)i * p->slot_cap_;
}

/* Sets up the data area and field slots from the options. */
SSE__INTERNAL int sse__memory_init(sse_parser *p,
                                   const sse_parser_options *o);
SSE__INTERNAL void sse__memory_free(sse_parser *p);
/* Makes room for n more bytes of event data without writing them; grows
 * every field slot to hold at least need bytes. Return SSE_OK,
 * SSE_E_EVENT_TOO_LARGE / SSE_E_FIELD_TOO_LONG, or SSE_E_NOMEM. */
SSE__INTERNAL int sse__data_reserve(sse_parser *p, size_t n);
SSE__INTERNAL int sse__slots_grow(sse_parser *p, size_t need);

/* Append to the event data / a field slot, enforcing the limits (same
 * returns). Inline: they run for nearly every line; growth does not. */
static inline int sse__data_put(sse_parser *p, const char *s, size_t n)
{
    if (n > p->data_cap_ - p->data_len_ || n > p->data_limit_ - p->data_len_) {
        int rc = sse__data_reserve(p, n);
        if (rc != SSE_OK)
            return rc;
    }
    if (n)
        memcpy(p->data_ + p->data_len_, s, n);
    p->data_len_ += n;
    return SSE_OK;
}

static inline int sse__slot_put(sse_parser *p, unsigned slot, const char *s,
                                size_t n)
{
    size_t len = p->slot_len_[slot];
    if (n > p->field_limit_ - len)
        return SSE_E_FIELD_TOO_LONG;
    if (n > p->slot_cap_ - len) {
        int rc;
        if (!p->alloc_) /* caller memory: the slot is all there is */
            return SSE_E_FIELD_TOO_LONG;
        rc = sse__slots_grow(p, len + n);
        if (rc != SSE_OK)
            return rc;
    }
    if (n)
        memcpy(sse__slot(p, slot) + len, s, n);
    p->slot_len_[slot] = len + n;
    return SSE_OK;
}

#endif /* SSE_INTERNAL_H */
