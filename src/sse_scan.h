/* Every SIMD intrinsic the library uses, in one place: finding CR and LF
 * (the parser and the encoder spend nearly all their time at it) and the
 * short copies. Private; included by sse_internal.h.
 * SSE_NO_SIMD (the CMake option of the same name) selects the portable
 * paths. */
#ifndef SSE_SCAN_H
#define SSE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- Line-end scanning -------------------------------------------------
 *
 * sse__find_eol, the first CR or LF from a point, is the encoder's search
 * (and the header checks'). With SSE2 (every x86-64) it looks at 64 bytes
 * per step; everywhere else, and when built with SSE_NO_SIMD (CI builds
 * both), at 8 bytes per step in a plain 64-bit word. The word test flags a byte equal
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

/* Index of the lowest set bit of m (m != 0). */
static inline unsigned sse__ctz64(uint64_t m)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(m);
#else
    unsigned i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

#if SSE__SSE2
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
                    return s + sse__ctz64(low);
                return s + 32 + sse__ctz64(m2 | m3 << 16);
            }
            s += 64;
        }
        while ((size_t)(end - s) >= 16) {
            if ((m = sse__eol_mask16(s)) != 0)
                return s + sse__ctz64(m);
            s += 16;
        }
        if (s == end)
            return end;
        m = sse__eol_mask16(end - 16) >> (16 - (unsigned)(end - s));
        return m ? s + sse__ctz64(m) : end;
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

/* ---- Line-end masks: the parser's scan ---------------------------------
 *
 * The parser finds line ends as a bit mask per 64-byte block: bit j of a
 * block's mask is set when byte j is CR or LF. Each step takes its next
 * line end from the mask with one count-trailing-zeros, so a block costs
 * one computation however many lines it holds, and no byte is scanned
 * twice. The widest way that pays is chosen when the parser is set up
 * (sse__scan_best): AVX2 where the CPU has it (x86-64 with gcc or clang;
 * compiled with target attributes, so the rest of the library needs no -m
 * flag), SSE2 on any other x86-64, NEON on aarch64, a portable 64-bit word
 * method elsewhere. AVX-512BW is built too, but only taken when forced.
 * SSE_NO_SIMD forces the portable way; SSE_SCAN_FORCE=<one of the names
 * below> forces one way (the tests run the suites once per way).
 */
enum {
    SSE__SCAN_PORTABLE,
    SSE__SCAN_SSE2,
    SSE__SCAN_AVX2,
    SSE__SCAN_AVX512,
    SSE__SCAN_NEON
};

#if !defined(SSE_NO_SIMD) && defined(__GNUC__) && defined(__x86_64__)
#define SSE__X86_DISPATCH 1
#include <immintrin.h>
#else
#define SSE__X86_DISPATCH 0
#endif
#if !defined(SSE_NO_SIMD) && (defined(__aarch64__) || defined(_M_ARM64)) &&    \
    defined(__ARM_NEON)
#define SSE__NEON 1
#include <arm_neon.h>
#else
#define SSE__NEON 0
#endif

/* Portable: 8 bytes at a time in a 64-bit word, read as little-endian
 * whatever the machine (so bit i is byte i on big-endian ones too). The
 * zero-byte test here is exact (no borrow between bytes). */
static inline uint64_t sse__mask64_portable(const unsigned char *s)
{
    const uint64_t low7 = SSE__ONES * 0x7F;
    uint64_t mask = 0;
    unsigned k, i;
    for (k = 0; k < 64; k += 8) {
        uint64_t w = 0, lf, cr, z;
        for (i = 0; i < 8; i++)
            w |= (uint64_t)s[k + i] << (8 * i);
        lf = w ^ (SSE__ONES * '\n');
        cr = w ^ (SSE__ONES * '\r');
        z = ~(((lf & low7) + low7) | lf | low7) |
            ~(((cr & low7) + low7) | cr | low7);
        /* The 0x80 of each matching byte, gathered into 8 bits. */
        mask |= (((z >> 7) * (uint64_t)0x0102040810204080u) >> 56) << k;
    }
    return mask;
}

#if SSE__SSE2
static inline uint64_t sse__mask64_sse2(const unsigned char *s)
{
    return (uint64_t)sse__eol_mask16((const char *)s) |
           (uint64_t)sse__eol_mask16((const char *)s + 16) << 16 |
           (uint64_t)sse__eol_mask16((const char *)s + 32) << 32 |
           (uint64_t)sse__eol_mask16((const char *)s + 48) << 48;
}
#endif

#if SSE__X86_DISPATCH
__attribute__((target("avx2"))) static inline uint64_t
sse__mask64_avx2(const unsigned char *s)
{
    const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + 32));
    uint32_t lo = (uint32_t)_mm256_movemask_epi8(
        _mm256_or_si256(_mm256_cmpeq_epi8(a, lf), _mm256_cmpeq_epi8(a, cr)));
    uint32_t hi = (uint32_t)_mm256_movemask_epi8(
        _mm256_or_si256(_mm256_cmpeq_epi8(b, lf), _mm256_cmpeq_epi8(b, cr)));
    return (uint64_t)lo | (uint64_t)hi << 32;
}

__attribute__((target("avx512bw"))) static inline uint64_t
sse__mask64_avx512(const unsigned char *s)
{
    __m512i v = _mm512_loadu_si512((const void *)s);
    return (uint64_t)(_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')) |
                      _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')));
}
#endif

#if SSE__NEON
static inline uint64_t sse__mask64_neon(const unsigned char *s)
{
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                        1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t w = vld1q_u8(weights);
    const uint8x16_t lf = vdupq_n_u8('\n'), cr = vdupq_n_u8('\r');
    uint8x16_t m[4], sum;
    int i;
    for (i = 0; i < 4; i++) {
        uint8x16_t v = vld1q_u8(s + 16 * i);
        m[i] = vandq_u8(vorrq_u8(vceqq_u8(v, lf), vceqq_u8(v, cr)), w);
    }
    /* Pairwise sums gather each byte's weight into bits in byte order. */
    sum = vpaddq_u8(vpaddq_u8(m[0], m[1]), vpaddq_u8(m[2], m[3]));
    sum = vpaddq_u8(sum, sum);
    return vgetq_lane_u64(vreinterpretq_u64_u8(sum), 0);
}
#endif

/* The way this build and this CPU do best, or the one forced. */
static inline unsigned char sse__scan_best(void)
{
#if defined(SSE_SCAN_FORCE)
    return (unsigned char)(SSE_SCAN_FORCE);
#elif SSE__X86_DISPATCH
    /* libgcc / compiler-rt fill in what __builtin_cpu_supports reads
     * before main, including whether the OS saves the wide registers.
     * AVX-512BW is not chosen: it did not pay (tokens, bulk and fields
     * within 1% of AVX2 in paired runs on Zen 4), and on some Intel CPUs
     * it lowers the clock. SSE_SCAN_FORCE=SSE__SCAN_AVX512 still picks it;
     * CI runs it. */
    if (__builtin_cpu_supports("avx2"))
        return SSE__SCAN_AVX2;
    return SSE__SCAN_SSE2;
#elif SSE__SSE2
    return SSE__SCAN_SSE2;
#elif SSE__NEON
    return SSE__SCAN_NEON;
#else
    return SSE__SCAN_PORTABLE;
#endif
}

/* The mask of the last, partial block [s, s + left), left <= 64: bits past
 * it are 0, and nothing past it is read. */
static inline uint64_t sse__tail_portable(const unsigned char *s, size_t left)
{
    uint64_t mask = 0;
    size_t i;
    for (i = 0; i < left; i++)
        if (s[i] == '\n' || s[i] == '\r')
            mask |= (uint64_t)1 << i;
    return mask;
}

#if SSE__SSE2
/* 16 bytes at a time; the last piece as the 16 ending at the end, shifted
 * to drop the bytes already seen; under 16 bytes in all, byte by byte. */
static inline uint64_t sse__tail_sse2(const unsigned char *s, size_t left)
{
    uint64_t mask = 0;
    size_t i = 0;
    if (left < 16)
        return sse__tail_portable(s, left);
    for (; i + 16 <= left; i += 16)
        mask |= (uint64_t)sse__eol_mask16((const char *)s + i) << i;
    if (i < left) {
        unsigned m = sse__eol_mask16((const char *)s + left - 16);
        mask |= (uint64_t)(m >> (16 - (left - i))) << i;
    }
    return mask;
}
#endif

#if SSE__NEON
static inline uint64_t sse__tail_neon(const unsigned char *s, size_t left)
{
    unsigned char copy[64] = {0}; /* 0 is neither CR nor LF */
    memcpy(copy, s, left);
    return sse__mask64_neon(copy);
}
#endif

/* From the 64-byte block at *block: the first block holding a CR or LF at
 * or after s (s <= *block + 1: the line ends before it are used up). Sets
 * *block to it and returns its mask less the bits before s; returns 0 when
 * there is none before end. One function per way, each compiled for its
 * instruction set, so the loop over blocks runs without calls. */
#define SSE__FIND_FUNCTION(name, attributes, mask64, tail)                    \
    attributes static uint64_t name(const char **block, const char *s,       \
                                    const char *end)                          \
    {                                                                         \
        const unsigned char *b = (const unsigned char *)*block;               \
        const unsigned char *e = (const unsigned char *)end;                  \
        size_t k = (const char *)b < s ? (size_t)(s - (const char *)b) : 0;   \
        uint64_t m;                                                           \
        /* The first block: the bits before s are used up. */                \
        if ((size_t)(e - b) < 64)                                             \
            m = b < e ? tail(b, (size_t)(e - b)) : 0;                         \
        else                                                                  \
            m = mask64(b);                                                    \
        m = k >= 64 ? 0 : m & (~(uint64_t)0 << k);                            \
        while (!m) {                                                          \
            if ((size_t)(e - b) <= 64)                                        \
                return 0;                                                     \
            b += 64;                                                          \
            if ((size_t)(e - b) >= 64)                                        \
                m = mask64(b);                                                \
            else                                                              \
                m = tail(b, (size_t)(e - b));                                 \
        }                                                                     \
        *block = (const char *)b;                                             \
        return m;                                                             \
    }

SSE__FIND_FUNCTION(sse__find_portable, , sse__mask64_portable,
                   sse__tail_portable)
#if SSE__SSE2
SSE__FIND_FUNCTION(sse__find_sse2, , sse__mask64_sse2, sse__tail_sse2)
#endif
#if SSE__X86_DISPATCH
SSE__FIND_FUNCTION(sse__find_avx2, __attribute__((target("avx2"))),
                   sse__mask64_avx2, sse__tail_sse2)
SSE__FIND_FUNCTION(sse__find_avx512, __attribute__((target("avx512bw"))),
                   sse__mask64_avx512, sse__tail_sse2)
#endif
#if SSE__NEON
SSE__FIND_FUNCTION(sse__find_neon, , sse__mask64_neon, sse__tail_neon)
#endif

typedef uint64_t (*sse__find_fn)(const char **block, const char *s,
                                 const char *end);

/* The SSE__FIND_FUNCTION of the given way. */
static inline sse__find_fn sse__find_for(unsigned way)
{
    switch (way) {
#if SSE__X86_DISPATCH
    case SSE__SCAN_AVX512:
        return sse__find_avx512;
    case SSE__SCAN_AVX2:
        return sse__find_avx2;
#endif
#if SSE__SSE2
    case SSE__SCAN_SSE2:
        return sse__find_sse2;
#endif
#if SSE__NEON
    case SSE__SCAN_NEON:
        return sse__find_neon;
#endif
    default:
        return sse__find_portable;
    }
}

/* Whether s[0..n) holds a CR or LF, for a small chunk (n <= 64): the
 * 16-byte pieces ORed, no mask to assemble (the small-feed path counts
 * every instruction). */
static inline int sse__small_has_eol(const char *s, size_t n)
{
#if SSE__SSE2
    if (n >= 16) {
        unsigned m = sse__eol_mask16(s + n - 16);
        size_t i;
        for (i = 0; i + 16 < n; i += 16)
            m |= sse__eol_mask16(s + i);
        return m != 0;
    }
#endif
    return sse__find_eol(s, s + n) != s + n;
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
    } else if (n <= 64) {
        /* 16-byte moves, the last one overlapping; longer copies go to
         * memcpy, whose wider moves win from there on (bulk data lines of
         * 80-200 bytes: 8% faster). */
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
