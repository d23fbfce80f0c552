/* The resume history: frames in one caller buffer used as a ring. Each
 * record is a 24-byte header (sequence number, ID length, frame length),
 * the ID and the frame, never split across the buffer's end: the records
 * lie in [head, tail), or, once the tail has wrapped to offset 0, in
 * [head, wrap) and then [0, tail). Records never move, so a cursor's
 * offset stays right until its record is evicted, which its sequence
 * number shows. A cursor past the newest record holds the tail: the next
 * record is written there, or at offset 0 (when it wraps, or when the
 * store was emptied), and nowhere else. */
#include "sse_internal.h"

#define SSE__REC_HEAD SSE_HISTORY_FRAME_OVERHEAD

struct sse__rec {
    uint64_t seq, id_len, frame_len;
};
/* The public overhead is the record header: a compile error if not. */
typedef char sse__rec_head_is_public[sizeof(struct sse__rec) == SSE__REC_HEAD
                                         ? 1
                                         : -1];

static struct sse__rec sse__rec_at(const sse_history *h, size_t at)
{
    struct sse__rec r;
    memcpy(&r, h->mem_ + at, sizeof r);
    return r;
}

static size_t sse__rec_size(const struct sse__rec *r)
{
    return SSE__REC_HEAD + (size_t)r->id_len + (size_t)r->frame_len;
}

/* Offset of the record after the one at `at` (size bytes). */
static size_t sse__after(const sse_history *h, size_t at, size_t size)
{
    at += size;
    return h->wrapped_ && at == h->wrap_ ? 0 : at;
}

static void sse__evict_oldest(sse_history *h)
{
    struct sse__rec r = sse__rec_at(h, h->head_);
    h->head_ = sse__after(h, h->head_, sse__rec_size(&r));
    if (h->head_ == 0)
        h->wrapped_ = 0; /* the records before the end are all gone */
    h->first_seq_++;
    if (--h->count_ == 0)
        h->head_ = h->tail_ = 0, h->wrapped_ = 0;
}

int sse_history_init(sse_history *h, void *mem, size_t mem_size,
                     size_t max_frames)
{
    if (!h)
        return SSE_E_INVALID_ARGUMENT;
    memset(h, 0, sizeof *h);
    if (!mem || mem_size < 64)
        return SSE_E_INVALID_ARGUMENT;
    h->mem_ = (char *)mem;
    h->cap_ = mem_size;
    h->max_count_ = max_frames;
    return SSE_OK;
}

int sse_history_add(sse_history *h, const char *id, size_t id_len,
                    const char *frame, size_t frame_len)
{
    struct sse__rec r;
    size_t need;
    if (!h || !h->mem_ || (!id && id_len) || (!frame && frame_len))
        return SSE_E_INVALID_ARGUMENT;
    if (id_len > h->cap_ || frame_len > h->cap_ - id_len ||
        SSE__REC_HEAD > h->cap_ - id_len - frame_len)
        return SSE_E_HISTORY_TOO_SMALL;
    need = SSE__REC_HEAD + id_len + frame_len;
    /* Evict the oldest until the count allows one more and a contiguous
     * place of `need` bytes is free: after the tail, or (wrapping) before
     * the head. An empty store always has room: need <= cap. */
    for (;;) {
        if (h->max_count_ && h->count_ >= h->max_count_) {
            sse__evict_oldest(h);
            continue;
        }
        if (h->count_ == 0)
            break;
        if (!h->wrapped_) {
            if (h->cap_ - h->tail_ >= need)
                break;
            if (h->head_ >= need) {
                h->wrap_ = h->tail_;
                h->wrapped_ = 1;
                h->tail_ = 0;
                break;
            }
        } else if (h->head_ - h->tail_ >= need) {
            break;
        }
        sse__evict_oldest(h);
    }
    r.seq = h->next_seq_++;
    r.id_len = id_len;
    r.frame_len = frame_len;
    memcpy(h->mem_ + h->tail_, &r, sizeof r);
    if (id_len)
        memcpy(h->mem_ + h->tail_ + SSE__REC_HEAD, id, id_len);
    if (frame_len)
        memcpy(h->mem_ + h->tail_ + SSE__REC_HEAD + id_len, frame, frame_len);
    h->last_ = h->tail_;
    h->tail_ += need;
    h->count_++;
    return SSE_OK;
}

int sse_history_find(const sse_history *h, const char *id, size_t id_len,
                     sse_history_cursor *c)
{
    size_t at, i;
    int found = 0;
    if (!h || !c || (!id && id_len))
        return SSE_E_INVALID_ARGUMENT;
    if (id_len == 0 || h->count_ == 0)
        return SSE_HISTORY_UNKNOWN;
    /* Oldest to newest; the newest match wins. Lookups happen once per
     * reconnect, so a walk is fine. */
    for (at = h->head_, i = 0; i < h->count_; i++) {
        struct sse__rec r = sse__rec_at(h, at);
        size_t size = sse__rec_size(&r);
        if (r.id_len == id_len &&
            memcmp(h->mem_ + at + SSE__REC_HEAD, id, id_len) == 0) {
            found = 1;
            c->seq_ = r.seq + 1;
            c->at_ = c->seq_ == h->next_seq_ ? h->tail_
                                             : sse__after(h, at, size);
        }
        at = sse__after(h, at, size);
    }
    if (!found)
        return SSE_HISTORY_UNKNOWN;
    return c->seq_ == h->next_seq_ ? SSE_HISTORY_CURRENT : SSE_HISTORY_RESUME;
}

void sse_history_now(const sse_history *h, sse_history_cursor *c)
{
    if (!h || !c)
        return;
    c->seq_ = h->next_seq_;
    c->at_ = h->tail_;
}

void sse__history_newest(const sse_history *h, sse_history_cursor *c)
{
    if (h->count_ == 0) {
        sse_history_now(h, c);
        return;
    }
    c->seq_ = h->next_seq_ - 1;
    c->at_ = h->last_;
}

void sse_history_oldest(const sse_history *h, sse_history_cursor *c)
{
    if (!h || !c)
        return;
    c->seq_ = h->first_seq_;
    c->at_ = h->count_ ? h->head_ : h->tail_;
}

int sse_history_next(const sse_history *h, sse_history_cursor *c,
                     const char **frame, size_t *len, const char **id,
                     size_t *id_len)
{
    struct sse__rec r;
    size_t at;
    if (!h || !c || !frame || !len || (!id) != (!id_len))
        return SSE_E_INVALID_ARGUMENT;
    if (c->seq_ >= h->next_seq_)
        return 0;
    if (c->seq_ < h->first_seq_)
        return SSE_E_EVICTED;
    /* Where the cursor points, unless its record was written after it got
     * there and went to offset 0 instead; never a walk. (Offset 0 is
     * checked first: the first record ever went there, so it is never
     * memory the store has not written.) */
    at = sse__rec_at(h, 0).seq == c->seq_ ? 0 : c->at_;
    if (at > h->cap_ - SSE__REC_HEAD)
        return SSE_E_INVALID_ARGUMENT; /* a cursor of another store */
    r = sse__rec_at(h, at);
    if (r.seq != c->seq_)
        return SSE_E_INVALID_ARGUMENT;
    *frame = h->mem_ + at + SSE__REC_HEAD + r.id_len;
    *len = (size_t)r.frame_len;
    if (id) {
        *id = h->mem_ + at + SSE__REC_HEAD;
        *id_len = (size_t)r.id_len;
    }
    c->seq_++;
    c->at_ = c->seq_ == h->next_seq_ ? h->tail_
                                     : sse__after(h, at, sse__rec_size(&r));
    return 1;
}

size_t sse_history_count(const sse_history *h)
{
    return h ? h->count_ : 0;
}
