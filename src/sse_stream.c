/* The server's side of one client: where it starts, which bytes it gets
 * next, when it is too far behind, and when it needs a heartbeat. Its
 * bytes come in parts sent in order: the opening (padding, retry, resync),
 * then history frames, with a heartbeat between two frames when the
 * stream was idle. offset_ counts the bytes of the current part already
 * written, so a partial write resumes inside a part, and a frame is always
 * finished before anything else goes out. Nothing is copied: pieces point
 * into the history or at static text (the encoder's, for the opening). */
#include "sse_internal.h"

enum { SSE__PART_OPENING, SSE__PART_HEARTBEAT, SSE__PART_FRAMES };

static const char sse__heartbeat[] = SSE_STREAM_HEARTBEAT;
static const char sse__resync[] = SSE_STREAM_RESYNC_EVENT;
/* Enough pieces for the opening frame with the largest padding (spaces
 * come in pieces of up to 1 KiB, retry digits one piece each). */
#define SSE__OPENING_PIECES 96

/* Pieces being gathered: at most `room` bytes in all, after skipping the
 * `skip` bytes of the current part that were already written. */
struct sse__pieces {
    sse_iov *iov;
    size_t n, cap;
    size_t room, skip;
};

/* Adds len bytes at p (minus what is skipped). Returns 0 once no more
 * pieces fit, so the caller stops. */
static int sse__piece(struct sse__pieces *o, const char *p, size_t len)
{
    if (o->skip >= len) {
        o->skip -= len;
        return 1;
    }
    p += o->skip;
    len -= o->skip;
    o->skip = 0;
    if (o->room == 0 || o->n == o->cap)
        return 0;
    if (len > o->room)
        len = o->room;
    o->iov[o->n].base = p;
    o->iov[o->n].len = len;
    o->n++;
    o->room -= len;
    return o->room > 0 && o->n < o->cap;
}

/* The opening frame: padding and retry, as the encoder writes them. */
static void sse__opening_frame(const sse_stream *s, sse_frame *f)
{
    memset(f, 0, sizeof *f);
    f->padding = s->padding_;
    if (s->retry_ms_) {
        f->flags = SSE_FRAME_RETRY;
        f->retry_ms = s->retry_ms_;
    }
}

/* The opening: that frame, then the resync event. Returns 0 when the
 * pieces are full. */
static int sse__opening(const sse_stream *s, struct sse__pieces *o)
{
    sse_iov frame[SSE__OPENING_PIECES];
    sse_frame f;
    sse_ssize n, i;
    sse__opening_frame(s, &f);
    n = sse_encode_iov(frame, SSE__OPENING_PIECES, &f);
    if (n < 0 || n > SSE__OPENING_PIECES)
        return 0; /* cannot happen: padding is bounded at open */
    for (i = 0; i < n; i++)
        if (!sse__piece(o, (const char *)frame[i].base, frame[i].len))
            return 0;
    if (s->resync_ && !sse__piece(o, sse__resync, sizeof sse__resync - 1))
        return 0;
    return 1;
}

static size_t sse__opening_len(const sse_stream *s)
{
    sse_frame f;
    sse__opening_frame(s, &f);
    return (size_t)sse_encode(NULL, 0, &f) +
           (s->resync_ ? sizeof sse__resync - 1 : 0);
}

/* Frames the last frame sent keeps from the oldest stored one; -1 when it
 * is not stored (never was, or already evicted). */
static long long sse__margin(const sse_stream *s, const sse_history *h)
{
    uint64_t next = s->cursor_.seq_;
    if (next == 0 || next - 1 < h->first_seq_)
        return -1;
    return (long long)(next - 1 - h->first_seq_);
}

/* The margin a client must keep from the oldest stored frame (sse.h,
 * "Falling behind"): a quarter of the stored frames once it has been in
 * the newer half; half of what it had when it started further back (a
 * resume, a replay, or its last frame evicted), so that catching up in
 * bursts is not mistaken for falling behind. */
static size_t sse__margin_start(const sse_history *h, long long margin)
{
    size_t quarter = h->count_ / 4;
    if (margin < 0)
        return 0;
    return (size_t)margin >= 2 * quarter ? quarter : (size_t)margin / 2;
}

/* After each check and write: the reach only shrinks; the margin kept
 * becomes a quarter once the client is in the newer half of the store,
 * and nothing once its last frame is gone. */
static void sse__note_progress(sse_stream *s, const sse_history *h)
{
    uint64_t lag = h->next_seq_ - s->cursor_.seq_;
    long long margin = sse__margin(s, h);
    size_t quarter = h->count_ / 4;
    if (lag < s->reach_)
        s->reach_ = lag;
    if (margin < 0) /* its last frame is gone: it starts over from here */
        s->margin_kept_ = 0;
    else if ((size_t)margin >= 2 * quarter)
        s->margin_kept_ = quarter;
}

/* The falling-behind rules. */
static int sse__check_behind(sse_stream *s, const sse_history *h)
{
    uint64_t next = s->cursor_.seq_;
    uint64_t lag = h->next_seq_ - next;
    long long margin = sse__margin(s, h);
    size_t quarter = h->count_ / 4;
    if (next < h->first_seq_ && next < h->next_seq_)
        return SSE_E_EVICTED;
    if (s->max_lag_ && lag > s->max_lag_ && lag > s->reach_)
        return SSE_E_TOO_SLOW;
    if (margin >= 0 &&
        (size_t)margin < (s->margin_kept_ < quarter ? s->margin_kept_ : quarter))
        return SSE_E_TOO_SLOW;
    sse__note_progress(s, h);
    return SSE_OK;
}

static int sse__heartbeat_due(const sse_stream *s, uint64_t now_ms)
{
    return s->heartbeat_ms_ && now_ms >= s->last_sent_ms_ &&
           now_ms - s->last_sent_ms_ >= s->heartbeat_ms_;
}

int sse_stream_open(sse_stream *s, const sse_history *h,
                    const sse_stream_options *opt, const char *last_event_id,
                    size_t len, uint64_t now_ms)
{
    sse_stream_options o;
    const char *id;
    size_t id_len;
    int start = SSE_STREAM_NEW;

    if (opt)
        o = *opt;
    else
        memset(&o, 0, sizeof o);
    if (!s || !h || (!last_event_id && len) || o.flags ||
        o.on_unknown < SSE_STREAM_RESYNC || o.on_unknown > SSE_STREAM_LIVE ||
        o.padding > SSE_STREAM_MAX_PADDING)
        return SSE_E_INVALID_ARGUMENT;
    memset(s, 0, sizeof *s);
    s->heartbeat_ms_ = o.heartbeat_ms;
    s->last_sent_ms_ = now_ms;
    s->max_lag_ = o.max_lag;
    s->padding_ = o.padding;
    s->retry_ms_ = o.retry_ms;

    if (last_event_id &&
        sse_last_event_id_read(last_event_id, len,
                               o.max_id ? o.max_id : SSE_STREAM_DEFAULT_MAX_ID,
                               &id, &id_len) != SSE_OK) {
        start = SSE_STREAM_UNKNOWN;
    } else if (last_event_id && id_len > 0) {
        switch (sse_history_find(h, id, id_len, &s->cursor_)) {
        case SSE_HISTORY_RESUME:
            start = SSE_STREAM_RESUMED;
            break;
        case SSE_HISTORY_CURRENT:
            start = SSE_STREAM_CURRENT;
            break;
        default:
            start = SSE_STREAM_UNKNOWN;
        }
    }
    if (start == SSE_STREAM_NEW) {
        sse_history_now(h, &s->cursor_);
    } else if (start == SSE_STREAM_UNKNOWN) {
        if (o.on_unknown == SSE_STREAM_RESYNC) {
            s->resync_ = 1;
            sse__history_newest(h, &s->cursor_);
        } else if (o.on_unknown == SSE_STREAM_REPLAY) {
            sse_history_oldest(h, &s->cursor_);
        } else {
            sse_history_now(h, &s->cursor_);
        }
    }
    /* A client that starts behind may stay that far behind. */
    s->reach_ = h->next_seq_ - s->cursor_.seq_;
    s->margin_kept_ = sse__margin_start(h, sse__margin(s, h));
    s->part_ = sse__opening_len(s) ? SSE__PART_OPENING : SSE__PART_FRAMES;
    return start;
}

sse_ssize sse_stream_pending(sse_stream *s, const sse_history *h,
                             uint64_t now_ms, size_t max_bytes, sse_iov *iov,
                             size_t iovcnt)
{
    struct sse__pieces o;
    sse_history_cursor c;
    int rc;

    if (!s || !h || (!iov && iovcnt))
        return SSE_E_INVALID_ARGUMENT;
    if (s->status_ != SSE_OK)
        return s->status_;
    rc = sse__check_behind(s, h);
    if (rc != SSE_OK) {
        s->status_ = rc;
        return rc;
    }
    o.iov = iov;
    o.n = 0;
    o.cap = iovcnt;
    o.room = max_bytes;
    o.skip = s->offset_;
    if (o.room == 0 || o.cap == 0)
        return 0;
    if (s->part_ == SSE__PART_OPENING && !sse__opening(s, &o))
        return (sse_ssize)o.n;
    if (s->part_ == SSE__PART_HEARTBEAT &&
        !sse__piece(&o, sse__heartbeat, sizeof sse__heartbeat - 1))
        return (sse_ssize)o.n;
    for (c = s->cursor_;;) {
        const char *frame;
        size_t len;
        rc = sse_history_next(h, &c, &frame, &len, NULL, NULL);
        if (rc == 0)
            break;
        if (rc < 0) {
            s->status_ = rc;
            return rc;
        }
        if (!sse__piece(&o, frame, len))
            return (sse_ssize)o.n;
    }
    if (o.n == 0 && sse__heartbeat_due(s, now_ms)) {
        /* Idle: the heartbeat becomes the current part, so that it goes
         * out whole even if a frame arrives before it is written. */
        s->part_ = SSE__PART_HEARTBEAT;
        s->offset_ = 0;
        sse__piece(&o, sse__heartbeat, sizeof sse__heartbeat - 1);
    }
    return (sse_ssize)o.n;
}

int sse_stream_sent(sse_stream *s, const sse_history *h, size_t n,
                    uint64_t now_ms)
{
    unsigned char part;
    size_t offset;
    sse_history_cursor cursor;
    uint64_t frames = 0;

    if (!s || !h)
        return SSE_E_INVALID_ARGUMENT;
    if (s->status_ != SSE_OK)
        return s->status_;
    if (n == 0)
        return SSE_OK;
    /* Walk a copy, so that a count beyond what is pending changes nothing. */
    part = s->part_;
    offset = s->offset_;
    cursor = s->cursor_;
    while (n > 0) {
        sse_history_cursor after = cursor;
        size_t len, take;
        if (part == SSE__PART_OPENING) {
            len = sse__opening_len(s);
        } else if (part == SSE__PART_HEARTBEAT) {
            len = sizeof sse__heartbeat - 1;
        } else {
            const char *frame;
            int rc = sse_history_next(h, &after, &frame, &len, NULL, NULL);
            if (rc == 0)
                return SSE_E_INVALID_ARGUMENT;
            if (rc < 0) {
                s->status_ = rc;
                return rc;
            }
        }
        take = n < len - offset ? n : len - offset;
        offset += take;
        n -= take;
        if (offset == len) {
            if (part == SSE__PART_FRAMES)
                frames++;
            cursor = after; /* only a frame moves the cursor */
            part = SSE__PART_FRAMES;
            offset = 0;
        }
    }
    s->part_ = part;
    s->offset_ = offset;
    s->cursor_ = cursor;
    s->frames_sent_ += frames;
    s->last_sent_ms_ = now_ms;
    sse__note_progress(s, h);
    return SSE_OK;
}

sse_ssize sse_stream_copy(sse_stream *s, const sse_history *h,
                          uint64_t now_ms, char *buf, size_t cap)
{
    size_t total = 0;
    if (!s || !h || (!buf && cap))
        return SSE_E_INVALID_ARGUMENT;
    for (;;) {
        sse_iov iov[16];
        size_t chunk = 0;
        sse_ssize i, n =
            sse_stream_pending(s, h, now_ms, cap - total, iov, 16);
        int rc;
        if (n == 0 || (n < 0 && total > 0))
            return (sse_ssize)total; /* a close code comes next call */
        if (n < 0)
            return n;
        for (i = 0; i < n; i++) {
            memcpy(buf + total + chunk, iov[i].base, iov[i].len);
            chunk += iov[i].len;
        }
        rc = sse_stream_sent(s, h, chunk, now_ms);
        if (rc != SSE_OK) /* as above: what was sent before comes first */
            return total > 0 ? (sse_ssize)total : rc;
        total += chunk;
    }
}

uint64_t sse_stream_frames_sent(const sse_stream *s)
{
    return s ? s->frames_sent_ : 0;
}

uint64_t sse_stream_heartbeat_due(const sse_stream *s)
{
    if (!s || !s->heartbeat_ms_ || s->status_ != SSE_OK)
        return UINT64_MAX;
    if (s->last_sent_ms_ > UINT64_MAX - s->heartbeat_ms_)
        return UINT64_MAX;
    return s->last_sent_ms_ + s->heartbeat_ms_;
}
