/* Every SIMD intrinsic the library uses, in one place: the search for the
 * next CR or LF (the parser and the encoder spend nearly all their time in
 * it) and the encoder's short copies. Private; included by sse_internal.h.
 * SSE_NO_SIMD (the CMake option of the same name) selects the portable
 * paths. */
#ifndef SSE_SCAN_H
#define SSE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* memcpy for the short pieces (framing is 1 to 8 bytes), without a call:
 * two fixed-size moves that overlap in the middle. */
static inline void sse__copy(char *dst, const char *src, size_t n)
{
    if (n >= 4 && n <= 16) {
        if (n >= 8) {
            memcpy(dst, src, 8);
            memcpy(dst + n - 8, src + n - 8, 8);
        } else {
            memcpy(dst, src, 4);
            memcpy(dst + n - 4, src + n - 4, 4);
        }
    } else if (n < 4) {
        /* 1 to 3 bytes: first, middle and last cover them all. (A byte loop
         * here was miscompiled by clang 14 -O2 once inlined: it dropped the
         * second and third digits of a retry value.) */
        if (n) {
            dst[0] = src[0];
            dst[n / 2] = src[n / 2];
            dst[n - 1] = src[n - 1];
        }
#if SSE__SSE2
    } else if (n <= 256) {
        /* A typical data line: 16-byte moves, the last one overlapping. */
        size_t i;
        SSE__OPAQUE(dst);
        SSE__OPAQUE(src);
        for (i = 0; i + 16 < n; i += 16)
            _mm_storeu_si128((__m128i *)(void *)(dst + i),
                             _mm_loadu_si128((const __m128i *)(const void *)(src + i)));
        _mm_storeu_si128((__m128i *)(void *)(dst + n - 16),
                         _mm_loadu_si128((const __m128i *)(const void *)(src + n - 16)));
#endif
    } else {
        SSE__OPAQUE(dst);
        SSE__OPAQUE(src);
        memcpy(dst, src, n);
    }
}

#endif /* SSE_SCAN_H */
