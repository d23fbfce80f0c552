/* The parser's lifecycle and accessors: init, reset for a new connection,
 * finish at the end of a stream, destroy, and what a caller may read back
 * (status, last event ID, retry). The state machine is in sse_parse.c. */
#include "sse_internal.h"

size_t sse_parser_size(void) { return sizeof(sse_parser); }

void sse_callbacks_init(sse_callbacks *cb)
{
    if (cb)
        memset(cb, 0, sizeof *cb);
}

int sse_parser_init_(sse_parser *p, const sse_callbacks *callbacks,
                     void *user, const sse_parser_options *options,
                     unsigned header_version, size_t parser_size)
{
    int rc;
    if (!p)
        return SSE_E_INVALID_ARGUMENT;
    if (parser_size != sizeof(sse_parser) ||
        (header_version >> 16) != SSE_VERSION_MAJOR) {
        memset(p, 0, parser_size < sizeof *p ? parser_size : sizeof *p);
        return SSE_E_VERSION;
    }
    memset(p, 0, sizeof *p);
    /* Unknown flags are refused: a later release may give them meaning
     * (and fields read only under them). */
    if (!callbacks || !options ||
        (options->flags & ~(SSE_PARSER_UTF8_REPLACE | SSE_PARSER_STREAM_DATA)))
        return SSE_E_INVALID_ARGUMENT;
    rc = sse__memory_init(p, options);
    if (rc != SSE_OK) {
        memset(p, 0, sizeof *p);
        return rc;
    }
    p->callbacks_ = callbacks;
    p->user_ = user;
    p->flags_ = options->flags;
    p->committed_id_slot_ = p->pending_id_slot_ = 0;
    p->type_slot_ = 1;
    p->scan_ = sse__scan_best();
    sse_parser_reset(p);
    return SSE_OK;
}

void sse_parser_destroy(sse_parser *p)
{
    if (!p)
        return;
    sse__memory_free(p);
    memset(p, 0, sizeof *p);
}

void sse_parser_reset(sse_parser *p)
{
    if (!p || !p->callbacks_)
        return;
    if (p->stream_ & SSE__S_STARTED)
        sse__stream_discard(p);
    p->stream_ = 0;
    sse__clear_event(p);
    /* An id read after the last blank line is forgotten. */
    p->pending_id_slot_ = p->committed_id_slot_;
    p->state_ = SSE__ST_LINE;
    p->bom_seen_ = 0;
    p->bits_ &= SSE__M_HAS_RETRY;
    p->line_len_ = 0;
    p->pending_error_ = 0;
    p->stream_offset_ = 0;
    p->status_ = SSE_OK;
    p->error_reason_ = NULL;
    sse__utf8_reset(&p->utf8_);
}

int sse_parser_finish(sse_parser *p)
{
    if (!p || !p->callbacks_)
        return SSE_E_INVALID_ARGUMENT;
    if (p->status_ == SSE_PAUSE)
        p->status_ = SSE_OK;
    /* Even after an abort: every delivered start gets its end. */
    if (p->stream_ & SSE__S_STARTED)
        sse__stream_discard(p);
    if (p->status_ != SSE_OK)
        return p->status_;
    /* A stream that ends inside "EF BB" ends with a two-byte line: report
     * it if that is over max_line, as for any other line. */
    if (p->bom_seen_ > 0 && p->bom_seen_ < 3 && p->bom_seen_ > p->max_line_) {
        sse__event_error(p, SSE_E_LINE_TOO_LONG);
        if (p->status_ < SSE_OK)
            return p->status_;
        p->status_ = SSE_OK; /* a pause cannot delay the end */
    }
    /* 9.2.6: at end of stream any pending data is discarded. */
    sse__clear_event(p);
    p->stream_ = 0;
    p->pending_id_slot_ = p->committed_id_slot_;
    p->state_ = SSE__ST_LINE;
    p->pending_error_ = 0;
    p->bits_ = (unsigned char)((p->bits_ & SSE__M_HAS_RETRY) | SSE__M_FINISHED);
    return SSE_OK;
}

int sse_parser_status(const sse_parser *p)
{
    return p ? p->status_ : SSE_E_INVALID_ARGUMENT;
}

const char *sse_parser_error_reason(const sse_parser *p)
{
    if (!p)
        return sse_strerror(SSE_E_INVALID_ARGUMENT);
    if (p->error_reason_)
        return p->error_reason_;
    return sse_strerror(p->status_);
}

void sse_parser_set_error_reason(sse_parser *p, const char *text)
{
    if (p)
        p->error_reason_ = text;
}

uint64_t sse_parser_offset(const sse_parser *p)
{
    return p ? p->stream_offset_ : 0;
}

const char *sse_parser_last_event_id(const sse_parser *p, size_t *len)
{
    size_t n = (p && p->slots_) ? p->slot_len_[p->committed_id_slot_] : 0;
    if (len)
        *len = n;
    return n ? sse__slot(p, p->committed_id_slot_) : "";
}

int sse_parser_set_last_event_id(sse_parser *p, const char *id, size_t len)
{
    unsigned slot;
    int rc;
    if (!p || !p->callbacks_ || (!id && len))
        return SSE_E_INVALID_ARGUMENT;
    if (len && memchr(id, '\0', len))
        return SSE_E_INVALID_ARGUMENT;
    slot = sse__free_slot(p);
    p->slot_len_[slot] = 0;
    rc = sse__slot_put(p, slot, id, len);
    if (rc != SSE_OK)
        return rc;
    p->committed_id_slot_ = p->pending_id_slot_ = (unsigned char)slot;
    return SSE_OK;
}

int sse_parser_retry(const sse_parser *p, uint64_t *retry_ms)
{
    if (!p || !(p->bits_ & SSE__M_HAS_RETRY))
        return 0;
    if (retry_ms)
        *retry_ms = p->retry_;
    return 1;
}

void sse_parser_limits(const sse_parser *p, size_t *max_line,
                       size_t *max_event, size_t *max_field)
{
    int ready = p && p->callbacks_;
    if (max_line)
        *max_line = ready ? p->max_line_ : 0;
    if (max_event)
        *max_event = ready ? p->data_limit_ : 0;
    if (max_field)
        *max_field = ready ? p->field_limit_ : 0;
}
