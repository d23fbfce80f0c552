/* Parser memory: the event data area and the four field slots, either carved
 * once from caller memory or grown through the caller's allocator, never
 * past the configured limits. */
#include "sse_internal.h"

/* Limits are clamped so that every size computed below fits in size_t. */
#define SSE__SIZE_CAP (SIZE_MAX / 16)

static size_t sse__pick(size_t v, size_t dflt)
{
    if (v == 0)
        v = dflt;
    return v > SSE__SIZE_CAP ? SSE__SIZE_CAP : v;
}

int sse__memory_init(sse_parser *p, const sse_parser_options *o)
{
    size_t max_event = sse__pick(o->max_event, SSE_DEFAULT_MAX_EVENT);
    size_t max_field = sse__pick(o->max_field, SSE_DEFAULT_MAX_FIELD);

    p->max_line_ = sse__pick(o->max_line, SSE_DEFAULT_MAX_LINE);
    if ((o->buffer != NULL) == (o->alloc != NULL))
        return SSE_E_INVALID_ARGUMENT;
    if (o->buffer) {
        /* Streaming keeps no data: the slots get the whole buffer. */
        int streaming = (o->flags & SSE_PARSER_STREAM_DATA) != 0;
        size_t slot = o->buffer_size / (streaming ? SSE__SLOTS : 8);
        if (slot > max_field)
            slot = max_field;
        p->alloc_ = NULL;
        p->slots_ = (char *)o->buffer;
        p->slot_cap_ = slot;
        p->field_limit_ = slot;
        p->data_ = p->slots_ + SSE__SLOTS * slot;
        p->data_cap_ = o->buffer_size - SSE__SLOTS * slot;
        p->data_limit_ = p->data_cap_ < max_event ? p->data_cap_ : max_event;
        if (streaming)
            p->data_limit_ = SIZE_MAX;
    } else {
        p->alloc_ = o->alloc;
        p->alloc_ctx_ = o->alloc_ctx;
        p->slots_ = NULL;
        p->slot_cap_ = 0;
        p->field_limit_ = max_field;
        p->data_ = NULL;
        p->data_cap_ = 0;
        p->data_limit_ = (o->flags & SSE_PARSER_STREAM_DATA) ? SIZE_MAX
                                                              : max_event;
    }
    return SSE_OK;
}

void sse__memory_free(sse_parser *p)
{
    if (!p->alloc_)
        return;
    if (p->data_)
        p->alloc_(p->alloc_ctx_, p->data_, p->data_cap_, 0);
    if (p->slots_)
        p->alloc_(p->alloc_ctx_, p->slots_, SSE__SLOTS * p->slot_cap_, 0);
    p->data_ = NULL;
    p->slots_ = NULL;
    p->data_cap_ = p->slot_cap_ = 0;
}

/* Doubling growth, at least `need`, at most `limit` (need <= limit). */
static size_t sse__grow(size_t cap, size_t need, size_t limit, size_t floor)
{
    size_t n = cap ? cap * 2 : floor;
    if (n < need)
        n = need;
    return n > limit ? limit : n;
}

int sse__data_reserve(sse_parser *p, size_t n)
{
    size_t cap;
    char *mem;

    if (n > p->data_limit_ - p->data_len_)
        return SSE_E_EVENT_TOO_LARGE;
    if (n <= p->data_cap_ - p->data_len_)
        return SSE_OK;
    if (!p->alloc_) /* a carved buffer is never larger than its limit */
        return SSE_E_EVENT_TOO_LARGE;
    cap = sse__grow(p->data_cap_, p->data_len_ + n, p->data_limit_, 256);
    mem = (char *)p->alloc_(p->alloc_ctx_, p->data_, p->data_cap_, cap);
    if (!mem)
        return SSE_E_NOMEM;
    p->data_ = mem;
    p->data_cap_ = cap;
    return SSE_OK;
}


/* All four slots share one capacity, so growing moves slots 1..3 up to their
 * new offsets; the highest moves first so nothing is overwritten. Growth is
 * geometric, so the copying stays linear in the bytes stored. */
int sse__slots_grow(sse_parser *p, size_t need)
{
    size_t old = p->slot_cap_;
    size_t cap = sse__grow(old, need, p->field_limit_, 64);
    unsigned i;
    char *mem = (char *)p->alloc_(p->alloc_ctx_, p->slots_, SSE__SLOTS * old,
                                  SSE__SLOTS * cap);
    if (!mem)
        return SSE_E_NOMEM;
    for (i = SSE__SLOTS - 1; i > 0; i--)
        if (p->slot_len_[i])
            memmove(mem + i * cap, mem + i * old, p->slot_len_[i]);
    p->slots_ = mem;
    p->slot_cap_ = cap;
    return SSE_OK;
}

