/* Private declarations shared by the library's source files. Not installed. */
#ifndef SSE_INTERNAL_H
#define SSE_INTERNAL_H

#include "sse.h"
#include "sse_scan.h"

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

/* ---- UTF-8 (sse_utf8.c) ------------------------------------------------ */

/* Receives decoded output; a non-zero return stops decoding and is passed
 * back to the caller. */
typedef int (*sse__sink)(void *ctx, const char *s, size_t n);

SSE__INTERNAL void sse__utf8_reset(struct sse__utf8 *u);
/* Decodes n more bytes of a text, calling put with valid runs and U+FFFD.
 * A sequence cut at the end of src is held in *u for the next call. When
 * put returns non-zero, decoding stops and *done (if done is not NULL)
 * receives how many bytes of src the output so far accounts for: decoding
 * src + *done next goes on exactly where it stopped. */
SSE__INTERNAL int sse__utf8_decode(struct sse__utf8 *u, const char *src,
                                   size_t n, sse__sink put, void *ctx,
                                   size_t *done);
/* Checks n more bytes of a text: 0 once an ill-formed sequence is seen,
 * else 1 (u then says whether a sequence is still open: u->need). */
SSE__INTERNAL int sse__utf8_valid_more(struct sse__utf8 *u, const char *src,
                                       size_t n);
/* End of the text: a held incomplete sequence becomes one U+FFFD. */
SSE__INTERNAL int sse__utf8_flush(struct sse__utf8 *u, sse__sink put,
                                  void *ctx);

/* ---- History (sse_history.c) ------------------------------------------- */

/* A cursor at the newest stored frame; at the next one when empty. */
SSE__INTERNAL void sse__history_newest(const sse_history *h,
                                       sse_history_cursor *c);

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

/* The two ways bytes enter the parser's memory, both inline (they run for
 * nearly every line; growth does not), both enforcing the limits.
 *
 * sse__data_append: s[0..n) to the event data, then an LF when lf is set
 * (the end of a data line); every data byte goes through it.
 * sse__slot_put: s[0..n) to a field slot (type, an id, a comment). */
static inline int sse__data_append(sse_parser *p, const char *s, size_t n,
                                   int lf)
{
    size_t need = n + (lf ? 1u : 0u);
    if (need > p->data_cap_ - p->data_len_ ||
        need > p->data_limit_ - p->data_len_) {
        int rc = sse__data_reserve(p, need);
        if (rc != SSE_OK)
            return rc;
    }
    if (n) /* data_ may still be NULL */
        sse__copy(p->data_ + p->data_len_, s, n);
    p->data_len_ += n;
    if (lf)
        p->data_[p->data_len_++] = '\n';
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
    if (n) /* slots_ may still be NULL */
        sse__copy(sse__slot(p, slot) + len, s, n);
    p->slot_len_[slot] = len + n;
    return SSE_OK;
}

/* ---- Parser state shared by the state machine and the lifecycle ------ */

/* Where in a line the parser stands. */
enum {
    SSE__ST_LINE,  /* at the start of a line */
    SSE__ST_NAME,  /* reading a field name */
    SSE__ST_SPACE, /* just after the colon: one space is dropped */
    SSE__ST_VALUE, /* reading a field value (or comment text) */
    SSE__ST_SKIP   /* discarding the rest of a line that hit a limit */
};

/* What the current line's value is for. The last two have no max_line:
 * comments, and data delivered in pieces (SSE_PARSER_STREAM_DATA). */
enum {
    SSE__F_IGNORE,
    SSE__F_DATA,
    SSE__F_EVENT,
    SSE__F_ID,
    SSE__F_RETRY,
    SSE__F_COMMENT,
    SSE__F_STREAM
};

/* bits_ bits */
#define SSE__M_CR 0x01        /* a CR ended the last chunk: skip one LF next */
#define SSE__M_DROPPED 0x02   /* a limit was hit: the event will not dispatch */
#define SSE__M_FINISHED 0x04  /* sse_parser_finish() was called */
#define SSE__M_HAS_RETRY 0x08 /* retry_ holds a value the stream sent */
#define SSE__M_ID_NUL 0x10    /* the id value holds NUL: the field is ignored */
#define SSE__M_DIGITS 0x20    /* retry value has at least one digit */
#define SSE__M_PARTIAL 0x40   /* part of the value was stored by an earlier feed */
#define SSE__M_RETRY_INVALID 0x80 /* the retry value is not a u64 of digits */

/* stream_ (SSE_PARSER_STREAM_DATA): the low bits are flags; the high
 * nibble holds -code of the limit error that dropped the event, for its
 * on_event_end. */
#define SSE__S_STARTED 0x01 /* on_event_start was delivered, no end yet */
#define SSE__S_JOIN 0x02    /* a data line began: its event start or its
                               joining LF is still to be delivered */
#define SSE__S_CODE_SHIFT 4

static inline int sse__streaming(const sse_parser *p)
{
    return (p->flags_ & SSE_PARSER_STREAM_DATA) != 0;
}

/* The first slot not holding the last event ID string, the last event ID
 * buffer or the event type buffer: a place to read a new id or comment. */
static inline unsigned sse__free_slot(const sse_parser *p)
{
    unsigned i = 0;
    while (i == p->committed_id_slot_ || i == p->pending_id_slot_ ||
           i == p->type_slot_)
        i++;
    return i;
}

/* Forgets the event being built (data and type buffers); the last event ID
 * buffer is kept, as the spec resets only data and type on dispatch. */
static inline void sse__clear_event(sse_parser *p)
{
    p->data_len_ = 0;
    p->in_place_ = NULL;
    p->slot_len_[p->type_slot_] = 0;
    p->bits_ &= (unsigned char)~SSE__M_DROPPED;
}

/* Drops the event being built and reports code once (sse_parse.c). */
SSE__INTERNAL int sse__event_error(sse_parser *p, int code);
/* Streaming: the stream ends (finish, reset) inside an event whose start
 * was delivered: its on_event_end says it is discarded. A sticky error
 * stays, and a pause cannot delay the end. Returns the callback's status
 * (sse_parse.c). */
SSE__INTERNAL int sse__stream_discard(sse_parser *p);

#endif /* SSE_INTERNAL_H */
