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
 * The parser spends nearly all its time looking for the next CR or LF, so it
 * looks at 8 bytes per step. The word test below flags a byte equal to CR or
 * LF; it can also flag a byte above a true match (borrow propagation), never
 * one below, so the first flagged word is exact and the byte loop that
 * follows finds the first real match. Endianness does not matter.
 */
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

/* First CR or LF in [s, end), or end. */
static inline const char *sse__find_eol(const char *s, const char *end)
{
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
/* Append to the event data / a field slot, enforcing the limits. Return
 * SSE_OK, SSE_E_EVENT_TOO_LARGE / SSE_E_FIELD_TOO_LONG, or SSE_E_NOMEM. */
SSE__INTERNAL int sse__data_put(sse_parser *p, const char *s, size_t n);
SSE__INTERNAL int sse__slot_put(sse_parser *p, unsigned slot, const char *s,
                                size_t n);
/* Makes room for n more bytes of event data without writing them. */
SSE__INTERNAL int sse__data_reserve(sse_parser *p, size_t n);

#endif /* SSE_INTERNAL_H */
