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

/* Maps a callback's return value onto the parser status. `before` is the
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

/* Runs a callback expression and folds its result into the status. */
#define SSE__CALL(p, call)                                                    \
    do {                                                                      \
        const char *before_ = (p)->error_reason_;                             \
        return sse__after_callback((p), (call), before_);                     \
    } while (0)

/* A limit or allocation failure hit the event being built: drop it and
 * report it once. Returns the parser status after the error callback. */
SSE__INTERNAL int sse__event_error(sse_parser *p, int code)
{
    if (p->bits_ & SSE__M_DROPPED)
        return SSE_OK;
    sse__clear_event(p);
    p->bits_ |= SSE__M_DROPPED;
    p->error_reason_ = sse_strerror(code);
    if (!p->callbacks_->on_error)
        return SSE_OK;
    SSE__CALL(p, p->callbacks_->on_error(p, code, p->user_));
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


/* ---- Field values ------------------------------------------------------- */

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
        return sse__utf8_decode(&p->utf8_, s, n, sse__store, p);
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
    int dropped = (p->bits_ & SSE__M_DROPPED) != 0;
    p->bits_ &= (unsigned char)~(SSE__M_ID_NUL | SSE__M_RETRY_INVALID |
                                 SSE__M_DIGITS | SSE__M_PARTIAL);
    if (sse__utf8_mode(p))
        sse__utf8_reset(&p->utf8_);
    /* Data and type of an event already dropped are of no use. */
    if ((field == SSE__F_DATA || field == SSE__F_EVENT) && dropped)
        field = SSE__F_IGNORE;
    if (field == SSE__F_COMMENT && !p->callbacks_->on_comment)
        field = SSE__F_IGNORE;
    if (field == SSE__F_EVENT)
        p->slot_len_[p->type_slot_] = 0;
    if (field == SSE__F_ID || field == SSE__F_COMMENT) {
        p->value_slot_ = (unsigned char)sse__free_slot(p);
        p->slot_len_[p->value_slot_] = 0;
    }
    if (field == SSE__F_RETRY)
        p->retry_reading_ = 0;
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

/* The line holding the value has ended; `whole` says the value lies entirely
 * in [s, s + n) of the current chunk, otherwise [s, s + n) is its last piece.
 * Applies the field (9.2.7) and runs callbacks. Returns the parser status. */
static int sse__value_end(sse_parser *p, const char *s, size_t n, int whole)
{
    int rc;
    int utf8 = sse__utf8_mode(p);

    if (p->field_ == SSE__F_DATA && whole && p->data_len_ == 0 && !p->in_place_ &&
        (!utf8 || sse_utf8_check(s, n) == n)) {
        /* The usual one-line event: keep it where it lies, no copy. */
        if (n >= p->data_limit_)
            return sse__event_error(p, SSE_E_EVENT_TOO_LARGE);
        p->in_place_ = s;
        p->in_place_len_ = n;
        return SSE_OK;
    }
    if (p->field_ == SSE__F_COMMENT && whole && (!utf8 || sse_utf8_check(s, n) == n)) {
        /* Same limit as a comment that had to be stored. */
        if (n > p->field_limit_)
            return sse__event_error(p, SSE_E_FIELD_TOO_LONG);
        SSE__CALL(p, p->callbacks_->on_comment(p, s, n, p->user_));
    }
    if (p->field_ == SSE__F_DATA && !utf8) {
        /* A data line joining others: its last bytes and its LF at once. */
        rc = sse__materialize(p);
        if (rc == SSE_OK)
            rc = sse__data_append(p, s, n, 1);
        return rc == SSE_OK ? SSE_OK : sse__event_error(p, rc);
    }
    rc = sse__value_bytes(p, s, n);
    if (p->field_ == SSE__F_ID) {
        if (p->bits_ & SSE__M_ID_NUL)
            return SSE_OK; /* held NUL: ignored whole */
        if (p->pending_error_) {
            rc = -(int)p->pending_error_;
            p->pending_error_ = 0;
        }
    }
    if (rc == SSE_OK && utf8 && p->field_ != SSE__F_RETRY)
        rc = sse__utf8_flush(&p->utf8_, sse__store, p);
    if (rc == SSE_OK && p->field_ == SSE__F_DATA)
        rc = sse__data_append(p, NULL, 0, 1);
    if (rc != SSE_OK)
        return sse__event_error(p, rc);

    switch (p->field_) {
    case SSE__F_ID:
        /* The id just read becomes the pending last event ID. */
        p->pending_id_slot_ = p->value_slot_;
        return SSE_OK;
    case SSE__F_RETRY:
        if ((p->bits_ & (SSE__M_RETRY_INVALID | SSE__M_DIGITS)) !=
            SSE__M_DIGITS)
            return SSE_OK; /* empty, non-digit or too large: ignored */
        p->retry_ = p->retry_reading_;
        p->bits_ |= SSE__M_HAS_RETRY;
        if (!p->callbacks_->on_retry)
            return SSE_OK;
        SSE__CALL(p, p->callbacks_->on_retry(p, p->retry_, p->user_));
    case SSE__F_COMMENT:
        SSE__CALL(p, p->callbacks_->on_comment(
                         p, sse__slot(p, p->value_slot_),
                         p->slot_len_[p->value_slot_], p->user_));
    default:
        return SSE_OK;
    }
}

/* A blank line (9.2.7 "dispatch the event"). */
static int sse__dispatch(sse_parser *p)
{
    sse_event ev;
    int dropped = (p->bits_ & SSE__M_DROPPED) != 0;

    /* The last event ID string takes the buffer's value even when nothing
     * is dispatched. */
    p->committed_id_slot_ = p->pending_id_slot_;
    if (dropped || (!p->in_place_ && p->data_len_ == 0)) {
        sse__clear_event(p);
        return SSE_OK;
    }
    if (p->in_place_) {
        ev.data = p->in_place_;
        ev.data_len = p->in_place_len_;
    } else {
        ev.data = p->data_;
        ev.data_len = p->data_len_ - 1; /* drop the final LF */
    }
    ev.type_len = p->slot_len_[p->type_slot_];
    ev.type = ev.type_len ? sse__slot(p, p->type_slot_) : sse__message;
    if (ev.type_len == 0)
        ev.type_len = sizeof sse__message - 1;
    ev.id_len = p->slot_len_[p->committed_id_slot_];
    ev.id = ev.id_len ? sse__slot(p, p->committed_id_slot_) : "";
    /* Lengths only: the bytes stay valid for the callback. */
    sse__clear_event(p);
    if (!p->callbacks_->on_event)
        return SSE_OK;
    SSE__CALL(p, p->callbacks_->on_event(p, &ev, p->user_));
}

/* ---- The byte loop ------------------------------------------------------ */

/* Consumes a line terminator whose first byte c was just read; s points past
 * it. A CR may be followed by an LF, perhaps in the next chunk. */
static const char *sse__line_end(sse_parser *p, const char *s,
                                 const char *end, char c)
{
    p->state_ = SSE__ST_LINE;
    if (c == '\r') {
        if (s == end)
            p->bits_ |= SSE__M_CR;
        else if (*s == '\n')
            s++;
    }
    return s;
}

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
            p->name_len_ = SSE__NAME_UNKNOWN;
            p->line_len_ = p->bom_seen_;
        }
        p->bom_seen_ = 3;
    }
    return s;
}

static int sse__line_too_long(sse_parser *p)
{
    p->state_ = SSE__ST_SKIP;
    p->pending_error_ = 0; /* the line's own error outranks a pending one */
    return sse__event_error(p, SSE_E_LINE_TOO_LONG);
}

size_t sse_parser_feed(sse_parser *p, const char *buf, size_t len)
{
    const char *s = buf, *end;
    uint64_t base;

    if (!p)
        return 0;
    if (p->status_ == SSE_PAUSE)
        p->status_ = SSE_OK;
    if (p->status_ != SSE_OK)
        return 0;
    if (p->bits_ & SSE__M_FINISHED) {
        p->status_ = SSE_E_FINISHED;
        p->error_reason_ = sse_strerror(SSE_E_FINISHED);
        return 0;
    }
    if (!buf || len == 0)
        return 0;
    end = buf + len;
    base = p->stream_offset_;
#define SSE__AT(ptr) (p->stream_offset_ = base + (uint64_t)((ptr)-buf))

    if (p->bom_seen_ < 3) {
        s = sse__bom(p, s, end);
        /* EF or EF BB that turned out not to be a BOM starts a line. */
        if (p->state_ == SSE__ST_NAME && p->line_len_ > p->max_line_) {
            SSE__AT(s);
            if (sse__line_too_long(p) != SSE_OK)
                goto out;
        }
    }
    if ((p->bits_ & SSE__M_CR) && s < end) {
        p->bits_ &= (unsigned char)~SSE__M_CR;
        if (*s == '\n')
            s++;
    }

    while (s < end) {
        switch (p->state_) {
        case SSE__ST_LINE:
            if (*s == '\n' || *s == '\r') {
                char c = *s;
                s = sse__line_end(p, s + 1, end, c);
                SSE__AT(s);
                if (sse__dispatch(p) != SSE_OK)
                    goto out;
                continue;
            }
            if (*s == ':') { /* comment (9.2.6) */
                s++;
                p->line_len_ = 1;
                sse__value_begin(p, SSE__F_COMMENT);
                p->state_ = SSE__ST_SPACE;
                if (s < end)
                    goto space; /* no trip round the loop per state */
                continue;
            }
            p->line_len_ = 0;
            p->name_len_ = 0;
            p->state_ = SSE__ST_NAME;
            /* fall through */
        case SSE__ST_NAME: {
            const char *q = s;
            size_t n;
            unsigned field = SSE__F_IGNORE;
            int in_place;
            while (q < end && *q != ':' && *q != '\n' && *q != '\r')
                q++;
            n = (size_t)(q - s);
            /* The usual case, a name lying whole in this chunk, is looked
             * at where it lies; one cut by the chunk's end is collected. */
            in_place = p->name_len_ == 0 && q < end;
            if (in_place) {
                field = sse__field_of(s, n);
            } else if (p->name_len_ + n <= sizeof p->name_) {
                memcpy(p->name_ + p->name_len_, s, n);
                p->name_len_ = (unsigned char)(p->name_len_ + n);
            } else {
                p->name_len_ = SSE__NAME_UNKNOWN;
            }
            p->line_len_ += n;
            s = q;
            if (p->line_len_ > p->max_line_) {
                SSE__AT(s);
                if (sse__line_too_long(p) != SSE_OK)
                    goto out;
                continue;
            }
            if (s == end)
                goto out;
            if (!in_place)
                field = sse__field_of(p->name_, p->name_len_);
            sse__value_begin(p, field);
            if (*s == ':') {
                s++;
                p->state_ = SSE__ST_SPACE;
                /* Checked now: the stream may end right after the colon,
                 * and an over-long line is reported however it is cut. */
                if (++p->line_len_ > p->max_line_) {
                    SSE__AT(s);
                    if (sse__line_too_long(p) != SSE_OK)
                        goto out;
                    continue;
                }
                if (s < end)
                    goto space;
            } else { /* no colon: the whole line names a field, value "" */
                p->state_ = SSE__ST_VALUE;
            }
            continue;
        }
        case SSE__ST_SPACE:
        space:
            p->state_ = SSE__ST_VALUE;
            if (*s == ' ') {
                s++;
                if (++p->line_len_ > p->max_line_) {
                    SSE__AT(s);
                    if (sse__line_too_long(p) != SSE_OK)
                        goto out;
                    continue;
                }
            }
            if (s == end)
                continue;
            /* fall through */
        case SSE__ST_VALUE: {
            const char *q = sse__find_eol(s, end);
            size_t n = (size_t)(q - s);
            int whole = !(p->bits_ & SSE__M_PARTIAL);
            p->line_len_ += n;
            if (p->line_len_ > p->max_line_) {
                s = q;
                SSE__AT(s);
                if (sse__line_too_long(p) != SSE_OK)
                    goto out;
                continue;
            }
            if (q == end) { /* the value goes on in the next chunk */
                int rc = sse__value_bytes(p, s, n);
                p->bits_ |= SSE__M_PARTIAL;
                s = end;
                if (rc != SSE_OK) {
                    /* Reported when the line ends, unless the line turns
                     * out too long: the same report for every chunking. */
                    p->pending_error_ = (unsigned char)-rc;
                    p->state_ = SSE__ST_SKIP;
                }
                continue;
            }
            s = sse__line_end(p, q + 1, end, *q);
            SSE__AT(s);
            if (sse__value_end(p, q - n, n, whole) != SSE_OK)
                goto out;
            continue;
        }
        default: { /* SSE__ST_SKIP */
            const char *q = sse__find_eol(s, end);
            if (p->line_len_ <= p->max_line_) { /* still measuring it */
                p->line_len_ += (size_t)(q - s);
                if (p->line_len_ > p->max_line_) {
                    p->pending_error_ = 0;
                    s = q;
                    SSE__AT(s);
                    if (sse__event_error(p, SSE_E_LINE_TOO_LONG) != SSE_OK)
                        goto out;
                }
            }
            if (q == end) {
                s = end;
                continue;
            }
            s = sse__line_end(p, q + 1, end, *q);
            if (p->pending_error_) {
                int code = -(int)p->pending_error_;
                p->pending_error_ = 0;
                SSE__AT(s);
                if (sse__event_error(p, code) != SSE_OK)
                    goto out;
            }
            continue;
        }
        }
    }
out:
    SSE__AT(s);
#undef SSE__AT
    /* The caller may reuse its chunk once we return. */
    if (p->in_place_) {
        int rc = sse__materialize(p);
        if (rc != SSE_OK && p->status_ >= SSE_OK)
            sse__event_error(p, rc);
    }
    return (size_t)(s - buf);
}
