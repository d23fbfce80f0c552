/* The incremental event-stream parser: WHATWG HTML 9.2.6 "Parsing an event
 * stream" and 9.2.7 "Interpreting an event stream", one state machine that
 * can stop at any byte and pick up again with the next fed chunk. */
#include "sse_internal.h"

#define SSE__NAME_UNKNOWN 6 /* name_len_ of a name longer than any known field */

static const char sse__message[] = "message";

/* ---- Small helpers ------------------------------------------------------ */

static int sse__utf8_mode(const sse_parser *p)
{
    return (p->flags_ & SSE_PARSER_UTF8_REPLACE) != 0;
}

/* Folds a callback's return value into the parser status and returns it:
 * SSE_OK to go on, SSE_PAUSE or SSE_E_CALLBACK to stop. `before` is the
 * reason text before the call, to tell whether the callback set its own. */
static int sse__after_callback(sse_parser *p, int rc, const char *before)
{
    if (rc == 0)
        return SSE_OK;
    if (rc == SSE_PAUSE) {
        p->status_ = SSE_PAUSE;
        if (p->error_reason_ == before)
            p->error_reason_ = "paused by a callback";
        return SSE_PAUSE;
    }
    p->status_ = SSE_E_CALLBACK;
    if (p->error_reason_ == before)
        p->error_reason_ = "a callback returned an error";
    return SSE_E_CALLBACK;
}

/* Reports a recoverable error through on_error. */
static int sse__report(sse_parser *p, int code)
{
    const char *before;
    p->error_reason_ = sse_strerror(code);
    if (!p->callbacks_->on_error)
        return SSE_OK;
    before = p->error_reason_;
    return sse__after_callback(
        p, p->callbacks_->on_error(p, code, p->user_), before);
}

/* A limit or allocation failure hit the event being built: drop it and
 * report it once. Returns the parser status after the error callback. */
SSE__INTERNAL int sse__event_error(sse_parser *p, int code)
{
    if (p->bits_ & SSE__M_DROPPED)
        return SSE_OK;
    if (p->stream_ & SSE__S_STARTED) /* for its on_event_end */
        p->stream_ |= (unsigned char)(-code << SSE__S_CODE_SHIFT);
    sse__clear_event(p);
    p->bits_ |= SSE__M_DROPPED;
    return sse__report(p, code);
}

/* The error that ends a line's value: an over-long comment costs only
 * itself (a comment must never cost an event); anything else drops the
 * event. */
static int sse__value_error(sse_parser *p, int code)
{
    if (p->field_ == SSE__F_COMMENT)
        return sse__report(p, SSE_E_COMMENT_TOO_LONG);
    return sse__event_error(p, code);
}

/* A single data line kept in place inside the fed chunk is copied into the
 * data buffer (with its LF) before the chunk goes away or more data joins. */
static int sse__materialize(sse_parser *p)
{
    const char *line = p->in_place_;
    if (!line)
        return SSE_OK;
    p->in_place_ = NULL;
    return sse__data_append(p, line, p->in_place_len_, 1);
}

/* Whether s[0..n) holds a NUL: ids are short, so a loop beats a call. */
static inline int sse__has_nul(const char *s, size_t n)
{
    size_t i;
    if (n >= 32)
        return memchr(s, '\0', n) != NULL;
    for (i = 0; i < n; i++)
        if (s[i] == '\0')
            return 1;
    return 0;
}


/* ---- Streaming delivery (SSE_PARSER_STREAM_DATA) ------------------------ */

/* Hands one piece of data to on_data (a sse__sink, for UTF-8 decoding). */
static int sse__deliver(void *ctx, const char *s, size_t n)
{
    sse_parser *p = (sse_parser *)ctx;
    const char *before;
    /* Nothing is kept: in_place_len_, unused when streaming, counts what
     * was delivered, and data_len_ stays 0. */
    size_t had = p->in_place_len_;
    p->in_place_len_ = n > SIZE_MAX - had ? SIZE_MAX : had + n;
    if (!p->callbacks_->on_data)
        return SSE_OK;
    before = p->error_reason_;
    return sse__after_callback(
        p, p->callbacks_->on_data(p, s, n, p->user_), before);
}

/* The event's first data line has begun. */
static int sse__event_start(sse_parser *p)
{
    const char *before = p->error_reason_;
    p->stream_ |= SSE__S_STARTED;
    p->in_place_len_ = 0;
    if (!p->callbacks_->on_event_start)
        return SSE_OK;
    return sse__after_callback(p, p->callbacks_->on_event_start(p, p->user_),
                               before);
}

/* An event's type ("message" when the stream named none) and the last
 * event ID, as on_event and on_event_end get them. */
static void sse__event_names(const sse_parser *p, sse_event *ev)
{
    ev->type_len = p->slot_len_[p->type_slot_];
    ev->type = ev->type_len ? sse__slot(p, p->type_slot_) : sse__message;
    if (ev->type_len == 0)
        ev->type_len = sizeof sse__message - 1;
    ev->id_len = p->slot_len_[p->committed_id_slot_];
    ev->id = ev->id_len ? sse__slot(p, p->committed_id_slot_) : "";
}

/* Ends the event on_event_start began, with status (SSE_OK: dispatched),
 * and runs on_event_end. */
static int sse__stream_end(sse_parser *p, int status)
{
    sse_event ev;
    const char *before = p->error_reason_;
    sse__event_names(p, &ev);
    ev.data = NULL;
    ev.data_len = p->in_place_len_;
    p->in_place_len_ = 0;
    p->stream_ = 0;
    if (!p->callbacks_->on_event_end)
        return SSE_OK;
    return sse__after_callback(
        p, p->callbacks_->on_event_end(p, &ev, status, p->user_), before);
}

SSE__INTERNAL int sse__stream_discard(sse_parser *p)
{
    int sticky = p->status_;
    int code = (p->bits_ & SSE__M_DROPPED)
                   ? -(int)(p->stream_ >> SSE__S_CODE_SHIFT)
                   : SSE_E_EVENT_UNFINISHED;
    int rc = sse__stream_end(p, code);
    if (sticky != SSE_OK || rc == SSE_PAUSE)
        p->status_ = sticky;
    return rc;
}

/* ---- Field values ------------------------------------------------------- */

/* Whether comments are wanted: without on_comment they are never stored. */
static inline int sse__wants_comments(const sse_parser *p)
{
    return p->callbacks_->on_comment != NULL;
}

/* Stores decoded value bytes where the current field keeps them. */
static int sse__store(void *ctx, const char *s, size_t n)
{
    sse_parser *p = (sse_parser *)ctx;
    switch (p->field_) {
    case SSE__F_DATA:
        return sse__data_append(p, s, n, 0);
    case SSE__F_EVENT:
        return sse__slot_put(p, p->type_slot_, s, n);
    default: /* SSE__F_ID, SSE__F_COMMENT */
        return sse__slot_put(p, p->value_slot_, s, n);
    }
}

/* Accumulates retry digits; anything else, or a value beyond 64 bits,
 * makes the field invalid (Chromium ignores such values too). */
static void sse__retry_digits(sse_parser *p, const char *s, size_t n)
{
    size_t i;
    uint64_t v = p->retry_reading_;
    if (p->bits_ & SSE__M_RETRY_INVALID)
        return;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10) {
            p->bits_ |= SSE__M_RETRY_INVALID;
            return;
        }
        v = v * 10 + d;
    }
    if (n)
        p->bits_ |= SSE__M_DIGITS;
    p->retry_reading_ = v;
}

/* Stores value bytes, through the UTF-8 decoder in replacement mode. */
static int sse__decode_store(sse_parser *p, const char *s, size_t n)
{
    if (sse__utf8_mode(p))
        return sse__utf8_decode(&p->utf8_, s, n, sse__store, p, NULL);
    return sse__store(p, s, n);
}

/* Takes in a piece of the current value. Returns SSE_OK or a limit error. */
static int sse__value_bytes(sse_parser *p, const char *s, size_t n)
{
    switch (p->field_) {
    case SSE__F_IGNORE:
        return SSE_OK;
    case SSE__F_RETRY:
        sse__retry_digits(p, s, n);
        return SSE_OK;
    case SSE__F_COMMENT:
        if (!sse__wants_comments(p))
            return SSE_OK;
        break;
    case SSE__F_ID: {
        /* An id containing NUL is ignored whole (9.2.7), so stop storing;
         * and an id too long to store is only an error if no NUL follows
         * on its line, so it keeps being scanned (pending_error_ holds
         * the error). */
        int rc;
        if (p->bits_ & SSE__M_ID_NUL)
            return SSE_OK;
        if (sse__has_nul(s, n)) {
            p->bits_ |= SSE__M_ID_NUL;
            p->pending_error_ = 0;
            sse__utf8_reset(&p->utf8_);
            return SSE_OK;
        }
        if (p->pending_error_)
            return SSE_OK;
        rc = sse__decode_store(p, s, n);
        if (rc != SSE_OK)
            p->pending_error_ = (unsigned char)-rc;
        return SSE_OK;
    }
    case SSE__F_DATA: {
        int rc = sse__materialize(p);
        if (rc != SSE_OK)
            return rc;
        break;
    }
    default:
        break;
    }
    return sse__decode_store(p, s, n);
}

/* Decides what the line's value feeds, once its field name is known. */
static inline void sse__value_begin(sse_parser *p, unsigned field)
{
    p->bits_ &= (unsigned char)~(SSE__M_ID_NUL | SSE__M_RETRY_INVALID |
                                 SSE__M_DIGITS | SSE__M_PARTIAL);
    if (sse__utf8_mode(p))
        sse__utf8_reset(&p->utf8_);
    switch (field) {
    case SSE__F_DATA:
        /* Data of an event already dropped is of no use. */
        if (p->bits_ & SSE__M_DROPPED) {
            field = SSE__F_IGNORE;
        } else if (sse__streaming(p)) {
            field = SSE__F_STREAM;
            p->stream_ |= SSE__S_JOIN;
        }
        break;
    case SSE__F_EVENT:
        if (p->bits_ & SSE__M_DROPPED)
            field = SSE__F_IGNORE;
        else
            p->slot_len_[p->type_slot_] = 0;
        break;
    case SSE__F_COMMENT:
        if (!sse__wants_comments(p))
            break; /* never stored */
        /* fall through */
    case SSE__F_ID:
        p->value_slot_ = (unsigned char)sse__free_slot(p);
        p->slot_len_[p->value_slot_] = 0;
        break;
    case SSE__F_RETRY:
        p->retry_reading_ = 0;
        break;
    default:
        break;
    }
    p->field_ = (unsigned char)field;
}

static inline unsigned sse__field_of(const char *name, size_t len)
{
    /* Field names are compared literally: case matters (9.2.6). */
    switch (len) {
    case 2:
        return memcmp(name, "id", 2) == 0 ? SSE__F_ID : SSE__F_IGNORE;
    case 4:
        return memcmp(name, "data", 4) == 0 ? SSE__F_DATA : SSE__F_IGNORE;
    case 5:
        if (memcmp(name, "event", 5) == 0)
            return SSE__F_EVENT;
        return memcmp(name, "retry", 5) == 0 ? SSE__F_RETRY : SSE__F_IGNORE;
    default:
        return SSE__F_IGNORE;
    }
}

/* Hands a finished comment to on_comment. */
static int sse__comment(sse_parser *p, const char *s, size_t n)
{
    const char *before = p->error_reason_;
    return sse__after_callback(
        p, p->callbacks_->on_comment(p, s, n, p->user_), before);
}

/* A retry field has ended (9.2.7): a value of digits only that fits in
 * 64 bits becomes the reconnection time; anything else is ignored. */
static int sse__retry(sse_parser *p)
{
    const char *before = p->error_reason_;
    if ((p->bits_ & (SSE__M_RETRY_INVALID | SSE__M_DIGITS)) != SSE__M_DIGITS)
        return SSE_OK;
    p->retry_ = p->retry_reading_;
    p->bits_ |= SSE__M_HAS_RETRY;
    if (!p->callbacks_->on_retry)
        return SSE_OK;
    return sse__after_callback(
        p, p->callbacks_->on_retry(p, p->retry_, p->user_), before);
}

/* A data value lying whole in the fed chunk (see sse__whole_value).
 * Returns SSE_OK, or the limit or memory error for the caller to report. */
static inline int sse__whole_data(sse_parser *p, const char *s, size_t n)
{
    int rc;
    if (p->bits_ & SSE__M_DROPPED)
        return SSE_OK;
    if (p->data_len_ == 0 && !p->in_place_) { /* a one-line event */
        if (n >= p->data_limit_)
            return SSE_E_EVENT_TOO_LARGE;
        p->in_place_ = s;
        p->in_place_len_ = n;
        return SSE_OK;
    }
    rc = sse__materialize(p);
    return rc == SSE_OK ? sse__data_append(p, s, n, 1) : rc;
}

/* A value lying whole in the fed chunk, whose bytes are the value as they
 * are (no UTF-8 replacement to make), after sse__value_begin: applied where
 * it lies (9.2.7), no copy unless data joins earlier lines. Returns the
 * parser status. */
static inline int sse__whole_value(sse_parser *p, const char *s, size_t n)
{
    int rc;
    switch (p->field_) {
    case SSE__F_DATA:
        rc = sse__whole_data(p, s, n);
        return rc == SSE_OK ? SSE_OK : sse__event_error(p, rc);
    case SSE__F_EVENT:
        rc = sse__slot_put(p, p->type_slot_, s, n);
        return rc == SSE_OK ? SSE_OK : sse__event_error(p, rc);
    case SSE__F_ID:
        if (sse__has_nul(s, n))
            return SSE_OK; /* ignored whole */
        rc = sse__slot_put(p, p->value_slot_, s, n);
        if (rc != SSE_OK)
            return sse__event_error(p, rc);
        p->pending_id_slot_ = p->value_slot_;
        return SSE_OK;
    case SSE__F_RETRY:
        sse__retry_digits(p, s, n);
        return sse__retry(p);
    case SSE__F_COMMENT:
        if (!sse__wants_comments(p))
            return SSE_OK;
        if (n > p->field_limit_) /* as for one that had to be stored */
            return sse__report(p, SSE_E_COMMENT_TOO_LONG);
        return sse__comment(p, s, n);
    default:
        return SSE_OK;
    }
}

/* Whether s[0..n) needs no UTF-8 replacement: always in the default mode. */
static inline int sse__plain(const sse_parser *p, const char *s, size_t n)
{
    return !sse__utf8_mode(p) || sse_utf8_check(s, n) == n;
}

/* The line holding the value has ended and [s, s + n) is the value's last
 * piece, earlier ones having been taken in by sse__value_bytes (or the
 * value needs UTF-8 replacement). Applies the field (9.2.7) and runs
 * callbacks. Returns the parser status. */
static int sse__value_end(sse_parser *p, const char *s, size_t n)
{
    int rc;
    if (p->field_ == SSE__F_DATA && !sse__utf8_mode(p)) {
        /* A data line joining others: its last bytes and its LF at once. */
        rc = sse__materialize(p);
        if (rc == SSE_OK)
            rc = sse__data_append(p, s, n, 1);
        return rc == SSE_OK ? SSE_OK : sse__event_error(p, rc);
    }
    rc = sse__value_bytes(p, s, n);
    switch (p->field_) {
    case SSE__F_IGNORE:
        return SSE_OK;
    case SSE__F_RETRY:
        return sse__retry(p);
    case SSE__F_COMMENT:
        if (!sse__wants_comments(p))
            return SSE_OK;
        break;
    case SSE__F_ID:
        if (p->bits_ & SSE__M_ID_NUL)
            return SSE_OK; /* held NUL: ignored whole */
        if (p->pending_error_) {
            rc = -(int)p->pending_error_;
            p->pending_error_ = 0;
        }
        break;
    default:
        break;
    }
    if (rc == SSE_OK && sse__utf8_mode(p))
        rc = sse__utf8_flush(&p->utf8_, sse__store, p);
    if (rc == SSE_OK && p->field_ == SSE__F_DATA)
        rc = sse__data_append(p, NULL, 0, 1);
    if (rc != SSE_OK)
        return sse__value_error(p, rc);

    switch (p->field_) {
    case SSE__F_ID:
        /* The id just read becomes the pending last event ID. */
        p->pending_id_slot_ = p->value_slot_;
        return SSE_OK;
    case SSE__F_COMMENT:
        return sse__comment(p, sse__slot(p, p->value_slot_),
                            p->slot_len_[p->value_slot_]);
    default:
        return SSE_OK;
    }
}

/* A blank line (9.2.7 "dispatch the event"). */
static int sse__dispatch(sse_parser *p)
{
    sse_event ev;
    const char *before;
    int dropped = (p->bits_ & SSE__M_DROPPED) != 0;

    /* The last event ID string takes the buffer's value even when nothing
     * is dispatched. */
    p->committed_id_slot_ = p->pending_id_slot_;
    if (dropped || (!p->in_place_ && p->data_len_ == 0)) {
        /* Nothing buffered: always so when streaming (data_len_ stays 0),
         * where an event whose data began ends here. */
        int rc = SSE_OK;
        if (p->stream_ & SSE__S_STARTED)
            rc = sse__stream_end(p, dropped ? -(int)(p->stream_ >>
                                                    SSE__S_CODE_SHIFT)
                                            : SSE_OK);
        sse__clear_event(p);
        return rc;
    }
    if (p->in_place_) {
        ev.data = p->in_place_;
        ev.data_len = p->in_place_len_;
    } else {
        ev.data = p->data_;
        ev.data_len = p->data_len_ - 1; /* drop the final LF */
    }
    sse__event_names(p, &ev);
    /* Lengths only: the bytes stay valid for the callback. */
    sse__clear_event(p);
    if (!p->callbacks_->on_event)
        return SSE_OK;
    before = p->error_reason_;
    return sse__after_callback(p, p->callbacks_->on_event(p, &ev, p->user_),
                               before);
}

/* ---- The state machine ----------------------------------------------------
 *
 * One step function per state, each reading from the chunk being fed and
 * returning the parser status: SSE_OK to go on (perhaps in another state),
 * anything else to stop the feed. A line lying whole in the chunk is
 * handled in one step; the other states exist for lines cut by a chunk's
 * end. Every byte is scanned once: the line end found by one step is kept
 * in the feed for the next.
 */

typedef struct sse__feed {
    const char *s;     /* the next byte to read */
    const char *end;   /* the end of the chunk */
    const char *buf;   /* the chunk, and its offset in the stream */
    uint64_t base;
    /* Line ends found so far: mask holds those of the 64 bytes at block
     * that lie at or after s; from is where the search goes on once they
     * are used up. */
    const char *block;
    const char *from;
    uint64_t mask;
    sse__find_fn find; /* how blocks are scanned (src/sse_scan.h) */
} sse__feed;

/* Scans on from f->from for the next block holding a line end. */
static inline const char *sse__scan_on(sse__feed *f)
{
    const char *block = f->from;
    if (block == f->end)
        return f->end;
    f->mask = f->find(&block, f->s, f->end);
    if (!f->mask) {
        f->from = f->end;
        return f->end;
    }
    f->block = block;
    f->from = f->end - block > 64 ? block + 64 : f->end;
    return block + sse__ctz64(f->mask);
}

/* The first CR or LF at or after s, or end. */
static inline const char *sse__next_eol(sse__feed *f)
{
    if (f->mask)
        return f->block + sse__ctz64(f->mask);
    return sse__scan_on(f);
}

/* Keeps the stream offset current for callbacks (sse_parser_offset). */
static inline void sse__mark(sse_parser *p, const sse__feed *f)
{
    p->stream_offset_ = f->base + (uint64_t)(f->s - f->buf);
}

/* Consumes the line end at eol: CR, LF or CR LF, whose LF may come in the
 * next chunk. */
static inline void sse__end_line(sse_parser *p, sse__feed *f, const char *eol)
{
    const char *s = eol + 1;
    f->mask &= f->mask - 1; /* eol's own bit: the lowest */
    if (*eol == '\r') {
        if (s == f->end) {
            p->bits_ |= SSE__M_CR;
        } else if (*s == '\n') {
            s++;
            /* The LF's bit: the next one, or in the next block, where the
             * scan drops what lies before s. */
            f->mask &= f->mask - 1;
        }
    }
    f->s = s;
    p->state_ = SSE__ST_LINE;
}

/* Whether n more bytes take the line past max_line. Comment lines have no
 * line limit: nothing of them is kept beyond max_field, and a comment must
 * never cost an event. */
static inline int sse__over_max_line(const sse_parser *p, size_t n)
{
    return n > p->max_line_ - p->line_len_ && p->field_ < SSE__F_COMMENT;
}

/* Whether a line is a data line ("data" alone, or "data:..."). */
static inline int sse__is_data_line(const char *line, size_t n)
{
    return n >= 4 && memcmp(line, "data", 4) == 0 && (n == 4 || line[4] == ':');
}

/* Reports a line over max_line: the event is dropped. */
static int sse__report_line_too_long(sse_parser *p)
{
    p->line_len_ = p->max_line_ + 1; /* nothing more to measure */
    p->state_ = SSE__ST_SKIP;
    p->pending_error_ = 0; /* the line's own error outranks a pending one */
    return sse__event_error(p, SSE_E_LINE_TOO_LONG);
}

/* The bytes from s made the line too long: the rest of the line is
 * skipped. Reported just past the byte that crossed the limit, however
 * the line was cut. */
static inline int sse__line_too_long(sse_parser *p, sse__feed *f,
                                     const char *s)
{
    /* Already past it: a name that was not "data" after all. */
    if (p->line_len_ <= p->max_line_)
        f->s = s + (p->max_line_ - p->line_len_) + 1;
    else
        f->s = s;
    sse__mark(p, f);
    return sse__report_line_too_long(p);
}

/* The first ':' in [s, end), or NULL. Field names are short: a byte loop
 * first, memchr for what is left of a long one. */
static inline const char *sse__find_colon(const char *s, const char *end)
{
    const char *stop = end - s > 16 ? s + 16 : end;
    for (; s < stop; s++)
        if (*s == ':')
            return s;
    return s < end ? (const char *)memchr(s, ':', (size_t)(end - s)) : NULL;
}

/* One leading space is not part of the value (9.2.6). */
static inline const char *sse__skip_space(const char *value, const char *eol)
{
    return value < eol && *value == ' ' ? value + 1 : value;
}

/* SSE__ST_LINE, with the whole line [f->s, f->s + n) in the chunk. */
static int sse__whole_line(sse_parser *p, sse__feed *f, const char *eol)
{
    const char *line = f->s, *value;
    size_t n = (size_t)(eol - line);
    size_t vn;
    unsigned field;

    if (line[0] == ':') { /* a comment (9.2.6) */
        field = SSE__F_COMMENT;
        value = line + 1;
    } else if (n > p->max_line_ &&
               !(sse__streaming(p) && sse__is_data_line(line, n))) {
        p->field_ = SSE__F_IGNORE;
        p->line_len_ = 0;
        return sse__line_too_long(p, f, line);
    } else if (n >= 5 && memcmp(line, "data:", 5) == 0) {
        field = SSE__F_DATA;
        value = line + 5;
    } else {
        const char *q = sse__find_colon(line, eol);
        if (!q)
            q = eol;
        field = sse__field_of(line, (size_t)(q - line));
        value = q + (q < eol);
    }
    if (field == SSE__F_DATA &&
        !(p->flags_ & (SSE_PARSER_UTF8_REPLACE | SSE_PARSER_STREAM_DATA))) {
        /* The commonest line: no callback unless a limit is hit, so the
         * offset is kept current only then. */
        int rc;
        value = sse__skip_space(value, eol);
        sse__end_line(p, f, eol);
        rc = sse__whole_data(p, value, (size_t)(eol - value));
        if (rc == SSE_OK)
            return SSE_OK;
        sse__mark(p, f);
        return sse__event_error(p, rc);
    }
    if (field == SSE__F_DATA && sse__streaming(p)) {
        /* Delivered by the value steps, which can stop between pieces. */
        f->s = value;
        p->line_len_ = (size_t)(value - line);
        sse__value_begin(p, field);
        p->state_ = SSE__ST_SPACE;
        return SSE_OK;
    }
    value = sse__skip_space(value, eol);
    vn = (size_t)(eol - value);
    sse__end_line(p, f, eol);
    sse__mark(p, f);
    sse__value_begin(p, field);
    if (sse__plain(p, value, vn))
        return sse__whole_value(p, value, vn);
    return sse__value_end(p, value, vn);
}

/* SSE__ST_LINE: the start of a line. Whole lines follow one another here
 * without a trip through the state switch. */
static int sse__step_line(sse_parser *p, sse__feed *f)
{
    const char *eol;
    while ((eol = sse__next_eol(f)) < f->end) {
        int rc;
        if (eol == f->s) { /* a blank line */
            sse__end_line(p, f, eol);
            sse__mark(p, f);
            rc = sse__dispatch(p);
        } else {
            rc = sse__whole_line(p, f, eol);
        }
        if (rc != SSE_OK || p->state_ != SSE__ST_LINE || f->s == f->end)
            return rc;
    }
    /* The line goes on in the next chunk. */
    p->line_len_ = 0;
    if (*f->s == ':') {
        f->s++;
        sse__value_begin(p, SSE__F_COMMENT);
        p->state_ = SSE__ST_SPACE;
    } else if (f->end - f->s >= 6 && memcmp(f->s, "data: ", 6) == 0 &&
               p->max_line_ >= 6) {
        /* The usual cut line, straight to its value. */
        f->s += 6;
        p->line_len_ = 6;
        sse__value_begin(p, SSE__F_DATA);
        p->state_ = SSE__ST_VALUE;
    } else {
        p->field_ = SSE__F_IGNORE; /* until the name is known */
        p->name_len_ = 0;
        p->state_ = SSE__ST_NAME;
    }
    return SSE_OK;
}

/* Streaming exempts data lines from max_line, so a name that may still
 * turn out to be "data" is not measured against it either: the same
 * verdict however the line is cut. */
static int sse__may_be_data(const sse_parser *p, int fresh, const char *s,
                            size_t n)
{
    static const char data[] = "data";
    size_t have = fresh ? 0 : p->name_len_; /* bytes collected before */
    return sse__streaming(p) && have + n <= 4 &&
           memcmp(p->name_, data, have) == 0 &&
           memcmp(s, &data[have], n) == 0;
}

/* SSE__ST_NAME: a field name, perhaps begun in an earlier chunk. */
static int sse__step_name(sse_parser *p, sse__feed *f)
{
    const char *s = f->s, *eol = sse__next_eol(f);
    const char *colon = sse__find_colon(s, eol);
    const char *q = colon ? colon : eol;
    size_t n = (size_t)(q - s);
    int fresh = p->line_len_ == 0; /* the name starts in this chunk */
    unsigned field;

    /* line_len_ is past the limit only after a name that might have been
     * "data" was let through (sse__may_be_data). */
    if ((sse__over_max_line(p, n) || p->line_len_ > p->max_line_) &&
        !sse__may_be_data(p, fresh, s, n))
        return sse__line_too_long(p, f, s);
    p->line_len_ += n;
    if (!fresh || q == f->end) { /* collected: cut names are short */
        if (p->name_len_ + n <= sizeof p->name_) {
            memcpy(p->name_ + p->name_len_, s, n);
            p->name_len_ = (unsigned char)(p->name_len_ + n);
        } else {
            p->name_len_ = SSE__NAME_UNKNOWN;
        }
    }
    f->s = q;
    if (q == f->end)
        return SSE_OK;
    field = fresh ? sse__field_of(s, n) : sse__field_of(p->name_, p->name_len_);
    sse__value_begin(p, field);
    if (p->line_len_ > p->max_line_ && p->field_ != SSE__F_STREAM)
        return sse__line_too_long(p, f, q); /* it was not "data" after all */
    if (!colon) { /* the whole line names a field, value "" */
        p->state_ = SSE__ST_VALUE;
        return SSE_OK;
    }
    /* Counted now: the stream may end right after the colon, and an
     * over-long line is reported however it is cut. */
    if (sse__over_max_line(p, 1))
        return sse__line_too_long(p, f, q);
    p->line_len_++;
    f->s = q + 1;
    p->state_ = SSE__ST_SPACE;
    return SSE_OK;
}

/* SSE__ST_SPACE: one space after the colon is not part of the value. */
static int sse__step_space(sse_parser *p, sse__feed *f)
{
    p->state_ = SSE__ST_VALUE;
    if (*f->s != ' ')
        return SSE_OK;
    if (sse__over_max_line(p, 1))
        return sse__line_too_long(p, f, f->s);
    p->line_len_++;
    f->s++;
    return SSE_OK;
}

/* SSE__ST_VALUE, for a data line when streaming: the event's start or
 * the LF joining it to the line before, then its bytes as they lie in the
 * chunk. One callback at a time, each leaving f->s where the next begins,
 * so that a pause or abort between any two is resumed exactly. */
static int sse__step_stream(sse_parser *p, sse__feed *f)
{
    const char *s = f->s, *eol;
    size_t n;
    int rc;

    if (p->stream_ & SSE__S_JOIN) {
        p->stream_ &= (unsigned char)~SSE__S_JOIN;
        sse__mark(p, f);
        rc = (p->stream_ & SSE__S_STARTED) ? sse__deliver(p, "\n", 1)
                                           : sse__event_start(p);
        if (rc != SSE_OK)
            return rc;
    }
    eol = sse__next_eol(f);
    n = (size_t)(eol - s);
    if (n) {
        f->s = eol;
        sse__mark(p, f);
        if (!sse__utf8_mode(p)) {
            rc = sse__deliver(p, s, n);
        } else {
            size_t done;
            rc = sse__utf8_decode(&p->utf8_, s, n, sse__deliver, p, &done);
            f->s = s + done; /* where a stop left the decoder */
        }
        if (rc != SSE_OK)
            return rc;
    }
    if (eol == f->end)
        return SSE_OK; /* the line goes on in the next chunk */
    if (sse__utf8_mode(p)) {
        /* A sequence cut by the line end: one U+FFFD, then the line end
         * (the decoder is reset first, so a resume does not repeat it). */
        rc = sse__utf8_flush(&p->utf8_, sse__deliver, p);
        if (rc != SSE_OK)
            return rc;
    }
    sse__end_line(p, f, eol);
    return SSE_OK;
}

/* SSE__ST_VALUE: a value (or comment text) up to its line end. */
static int sse__step_value(sse_parser *p, sse__feed *f)
{
    const char *s = f->s, *eol;
    size_t n;
    int rc;

    if (p->field_ == SSE__F_STREAM)
        return sse__step_stream(p, f);
    eol = sse__next_eol(f);
    n = (size_t)(eol - s);

    if (sse__over_max_line(p, n))
        return sse__line_too_long(p, f, s);
    p->line_len_ += n;
    if (eol < f->end) {
        int whole = !(p->bits_ & SSE__M_PARTIAL);
        sse__end_line(p, f, eol);
        sse__mark(p, f);
        if (whole && sse__plain(p, s, n))
            return sse__whole_value(p, s, n);
        return sse__value_end(p, s, n);
    }
    /* The value goes on in the next chunk: a scan and one append. */
    f->s = eol;
    p->bits_ |= SSE__M_PARTIAL;
    if (p->field_ == SSE__F_DATA && !p->in_place_ && !sse__utf8_mode(p))
        rc = sse__data_append(p, s, n, 0);
    else
        rc = sse__value_bytes(p, s, n);
    if (rc != SSE_OK) {
        /* Reported when the line ends, unless the line turns out too
         * long: the same report for every chunking. */
        p->pending_error_ = (unsigned char)-rc;
        p->state_ = SSE__ST_SKIP;
    }
    return SSE_OK;
}

/* SSE__ST_SKIP: the rest of a line that hit a limit. A limit error still
 * pending is reported at the line end, unless the line proves too long. */
static int sse__step_skip(sse_parser *p, sse__feed *f)
{
    const char *s = f->s, *eol = sse__next_eol(f);
    if (p->line_len_ <= p->max_line_) { /* still measuring it */
        size_t n = (size_t)(eol - s);
        if (sse__over_max_line(p, n))
            return sse__line_too_long(p, f, s);
        p->line_len_ += n;
    }
    if (eol == f->end) {
        f->s = eol;
        return SSE_OK;
    }
    sse__end_line(p, f, eol);
    if (p->pending_error_) {
        int code = -(int)p->pending_error_;
        p->pending_error_ = 0;
        sse__mark(p, f);
        return sse__value_error(p, code);
    }
    return SSE_OK;
}

/* ---- Feeding ------------------------------------------------------------- */

/* Only a BOM at offset 0 of the stream is dropped (9.2.6); bytes that merely
 * begin like one are the start of a field name. */
static const char *sse__bom(sse_parser *p, const char *s, const char *end)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    while (p->bom_seen_ < 3 && s < end) {
        if ((unsigned char)*s == bom[p->bom_seen_]) {
            s++;
            p->bom_seen_++;
            continue;
        }
        if (p->bom_seen_ > 0) { /* EF or EF BB: a name no field has */
            p->state_ = SSE__ST_NAME;
            p->field_ = SSE__F_IGNORE;
            p->name_len_ = SSE__NAME_UNKNOWN;
            p->line_len_ = p->bom_seen_;
        }
        p->bom_seen_ = 3;
    }
    return s;
}

/* What a feed does before its first step, rarely: the start of the
 * stream (a BOM), or an LF that belongs to a CR ending the last chunk.
 * Returns where the steps begin; *rc the status. */
static const char *sse__feed_start(sse_parser *p, const char *s,
                                   const char *end, uint64_t base,
                                   const char *buf, int *rc)
{
    *rc = SSE_OK;
    if (p->bom_seen_ < 3) {
        s = sse__bom(p, s, end);
        /* EF or EF BB that turned out not to be a BOM starts a line. */
        if (p->state_ == SSE__ST_NAME && p->line_len_ > p->max_line_) {
            p->state_ = SSE__ST_SKIP;
            p->stream_offset_ = base + (uint64_t)(s - buf);
            *rc = sse__event_error(p, SSE_E_LINE_TOO_LONG);
            return s;
        }
    }
    if ((p->bits_ & SSE__M_CR) && s < end) {
        p->bits_ &= (unsigned char)~SSE__M_CR;
        if (*s == '\n')
            s++;
    }
    return s;
}

/* The commonest small feed, more of a data line with no line end in it,
 * costs a scan and one append. Returns 0 to leave the chunk to the steps
 * (anything else, or a limit to report). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int sse__more_piece(sse_parser *p, const char *buf, size_t len)
{
    if (p->state_ != SSE__ST_VALUE || p->field_ != SSE__F_STREAM || len > 64 ||
        (p->bits_ & SSE__M_CR) || (p->flags_ & SSE_PARSER_UTF8_REPLACE) ||
        (p->stream_ & SSE__S_JOIN) || sse__small_has_eol(buf, len))
        return 0;
    p->stream_offset_ += len; /* past the piece, for its callback */
    sse__deliver(p, buf, len);
    return 1;
}

static inline int sse__more_data(sse_parser *p, const char *buf, size_t len)
{
    if (p->state_ != SSE__ST_VALUE || p->field_ != SSE__F_DATA || len > 64 ||
        (p->bits_ & SSE__M_CR) || sse__utf8_mode(p) ||
        len > p->max_line_ - p->line_len_ ||
        sse__small_has_eol(buf, len) ||
        sse__data_append(p, buf, len, 0) != SSE_OK)
        /* Streaming has a fast path of its own, kept off this one. */
        return p->field_ == SSE__F_STREAM ? sse__more_piece(p, buf, len) : 0;
    p->line_len_ += len;
    p->stream_offset_ += len;
    p->bits_ |= SSE__M_PARTIAL;
    return 1;
}

/* Why a feed does nothing: a sticky error, or the parser is finished. */
static size_t sse__feed_refused(sse_parser *p)
{
    if (p->status_ == SSE_OK && (p->bits_ & SSE__M_FINISHED)) {
        p->status_ = SSE_E_FINISHED;
        p->error_reason_ = sse_strerror(SSE_E_FINISHED);
    }
    return 0;
}

/* The steps over one chunk. Kept out of sse_parser_feed so that the small
 * feeds it answers alone do not pay for this function's registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static size_t sse__feed_steps(sse_parser *p, const char *buf, size_t len)
{
    sse__feed f;
    int rc = SSE_OK;

    f.s = f.buf = f.block = f.from = buf;
    f.end = buf + len;
    f.base = p->stream_offset_;
    f.mask = 0;
    f.find = sse__find_for(p->scan_);
    if (p->bom_seen_ < 3 || (p->bits_ & SSE__M_CR))
        f.s = sse__feed_start(p, f.s, f.end, f.base, buf, &rc);

    while (rc == SSE_OK && f.s < f.end) {
        switch (p->state_) {
        case SSE__ST_LINE:
            rc = sse__step_line(p, &f);
            break;
        case SSE__ST_NAME:
            rc = sse__step_name(p, &f);
            break;
        case SSE__ST_SPACE:
            rc = sse__step_space(p, &f);
            break;
        case SSE__ST_VALUE:
            rc = sse__step_value(p, &f);
            break;
        default:
            rc = sse__step_skip(p, &f);
            break;
        }
    }
    sse__mark(p, &f);
    /* The caller may reuse its chunk once we return. */
    if (p->in_place_) {
        int err = sse__materialize(p);
        if (err != SSE_OK && p->status_ >= SSE_OK)
            sse__event_error(p, err);
    }
    return (size_t)(f.s - buf);
}

size_t sse_parser_feed(sse_parser *p, const char *buf, size_t len)
{
    if (!p)
        return 0;
    if (p->status_ == SSE_PAUSE)
        p->status_ = SSE_OK;
    if (p->status_ != SSE_OK || (p->bits_ & SSE__M_FINISHED))
        return sse__feed_refused(p);
    if (!buf || len == 0)
        return 0;
    if (sse__more_data(p, buf, len))
        return len;
    return sse__feed_steps(p, buf, len);
}
