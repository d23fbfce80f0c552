/* The encoder: one routine walks a frame and emits it as pieces (static
 * framing text and slices of the caller's strings); the buffer, iovec and
 * callback front ends differ only in what they do with a piece. Frames are
 * validated in full before the first piece, so a refusal writes nothing. */
#include "sse_internal.h"

/* ---- Framing text ------------------------------------------------------
 *
 * Each line prefix starts with the LF that ends the previous line, so that
 * framing between two values is a single piece ("\ndata: "). The first line
 * of a frame skips that LF; an empty value drops the trailing space. */
static const char sse__lit_comment[] = "\n: ";
static const char sse__lit_padding[] = "\n:";
static const char sse__lit_retry[] = "\nretry: ";
static const char sse__lit_event[] = "\nevent: ";
static const char sse__lit_id[] = "\nid: ";
static const char sse__lit_data[] = "\ndata: ";
static const char sse__lit_end[] = "\n\n"; /* ends the last line, then blank */
static const char sse__digits[] = "0123456789";

#define SSE__S16 "                "
#define SSE__S64 SSE__S16 SSE__S16 SSE__S16 SSE__S16
#define SSE__S256 SSE__S64 SSE__S64 SSE__S64 SSE__S64
/* Padding pieces point here, so the iovec form needs no scratch memory. */
static const char sse__spaces[] = SSE__S256 SSE__S256 SSE__S256 SSE__S256;
#define SSE__SPACES (sizeof sse__spaces - 1)

#define SSE__KNOWN_FLAGS (SSE_FRAME_RETRY | SSE_FRAME_CHECK_UTF8)

/* ---- Output ------------------------------------------------------------ */

/* The emitter below is force-inlined into each front end, where the output
 * mode is a constant: the compiler then keeps only that mode's code, so one
 * core serves all three forms at the speed of a hand-written one. */
#if defined(__GNUC__)
#define SSE__EMITTER static inline __attribute__((always_inline))
#else
#define SSE__EMITTER static inline
#endif

/* Saturating size arithmetic: a saturated count is always "too large". */
static size_t sse__add(size_t a, size_t b)
{
    return b > SIZE_MAX - a ? SIZE_MAX : a + b;
}

static size_t sse__mul(size_t a, size_t k)
{
    return a > SIZE_MAX / k ? SIZE_MAX : a * k;
}

enum sse__mode {
    SSE__MEASURE, /* count bytes and iovec entries only */
    SSE__BUFFER,  /* copy into buf (known to fit) */
    SSE__IOV,     /* fill iov (known to fit) */
    SSE__WRITE    /* hand each piece to fn */
};

struct sse__out {
    enum sse__mode mode;
    char *buf;
    sse_iov *iov;
    sse_write_fn fn;
    void *user;
    size_t bytes;         /* saturates at SIZE_MAX while measuring */
    size_t entries;       /* iovec entries so far */
    const char *last_end; /* end of the last piece: a piece starting there
                             extends the last entry instead of adding one */
    int failed;           /* fn returned non-zero */
    int continued;        /* data in pieces: the frame had bytes before
                             this call */
};

SSE__EMITTER void sse__out_init(struct sse__out *o, enum sse__mode mode)
{
    o->mode = mode;
    o->buf = NULL;
    o->iov = NULL;
    o->fn = NULL;
    o->user = NULL;
    o->bytes = o->entries = 0;
    o->last_end = NULL;
    o->failed = 0;
    o->continued = 0;
}

SSE__EMITTER void sse__put(struct sse__out *o, const char *s, size_t n)
{
    if (n == 0)
        return;
    switch (o->mode) {
    case SSE__BUFFER:
        sse__copy(o->buf + o->bytes, s, n);
        o->bytes += n;
        return;
    case SSE__WRITE:
        if (o->failed)
            return;
        if (o->fn(o->user, s, n) != 0)
            o->failed = 1;
        else
            o->bytes += n;
        return;
    case SSE__MEASURE:
        o->bytes = sse__add(o->bytes, n);
        break;
    case SSE__IOV:
        if (s == o->last_end) {
            o->iov[o->entries - 1].len += n;
        } else {
            o->iov[o->entries].base = s;
            o->iov[o->entries].len = n;
        }
        o->bytes += n;
        break;
    }
    /* Entries, for the iovec form and for measuring it. */
    if (s != o->last_end)
        o->entries++;
    o->last_end = s + n;
}

/* Puts the framing before a value. lit is one of the sse__lit_* strings. */
SSE__EMITTER void sse__put_prefix(struct sse__out *o, const char *lit,
                                  size_t lit_size, int empty_value)
{
    /* The frame's first line has no line before it to end. */
    size_t skip = o->bytes == 0 && !o->continued ? 1 : 0;
    size_t len = lit_size - 1 - skip;
    if (empty_value && lit[lit_size - 2] == ' ')
        len--;
    sse__put(o, lit + skip, len);
}
#define SSE__PREFIX(o, lit, empty) sse__put_prefix((o), (lit), sizeof(lit), (empty))

/* One line per line of s: CRLF, CR and LF each end a line, so k line ends
 * make k + 1 lines (a trailing line end gives a last, empty line). */
SSE__EMITTER void sse__put_lines(struct sse__out *o, const char *lit,
                                 size_t lit_size, const char *s, size_t len)
{
    const char *end;
    SSE__OPAQUE(s);
    end = s + len;
    for (;;) {
        const char *eol = sse__find_eol(s, end);
        sse__put_prefix(o, lit, lit_size, eol == s);
        sse__put(o, s, (size_t)(eol - s));
        if (eol == end)
            return;
        s = eol + 1;
        if (*eol == '\r' && s < end && *s == '\n')
            s++;
    }
}

SSE__EMITTER void sse__put_decimal(struct sse__out *o, uint64_t v)
{
    char text[20];
    size_t i = sizeof text;
    do {
        text[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (o->mode == SSE__MEASURE || o->mode == SSE__IOV) {
        /* The iovec form cannot point at this stack copy: one piece per
         * digit from the static digit string instead (retry is rare). */
        for (; i < sizeof text; i++)
            sse__put(o, sse__digits + (text[i] - '0'), 1);
    } else {
        sse__put(o, text + i, sizeof text - i);
    }
}

/* n spaces, as pieces of sse__spaces. Measuring counts them without a loop,
 * so that even an absurd padding is refused at once (too large) rather than
 * counted for hours; the pieces never merge (each starts at sse__spaces). */
SSE__EMITTER void sse__put_spaces(struct sse__out *o, size_t n)
{
    if (n && o->mode == SSE__MEASURE) {
        size_t last = n % SSE__SPACES ? n % SSE__SPACES : SSE__SPACES;
        o->bytes = sse__add(o->bytes, n);
        o->entries += (n - last) / SSE__SPACES + 1;
        o->last_end = sse__spaces + last;
        return;
    }
    while (n) {
        size_t k = n < SSE__SPACES ? n : SSE__SPACES;
        sse__put(o, sse__spaces, k);
        n -= k;
    }
}

/* Every field but data, in frame order. */
SSE__EMITTER void sse__put_fields(struct sse__out *o, const sse_frame *f)
{
    if (f->comment)
        sse__put_lines(o, sse__lit_comment, sizeof sse__lit_comment,
                       f->comment, f->comment_len);
    if (f->padding) {
        SSE__PREFIX(o, sse__lit_padding, 0);
        sse__put_spaces(o, f->padding > 2 ? f->padding - 2 : 0);
    }
    if (f->flags & SSE_FRAME_RETRY) {
        SSE__PREFIX(o, sse__lit_retry, 0);
        sse__put_decimal(o, f->retry_ms);
    }
    if (f->type && f->type_len) {
        SSE__PREFIX(o, sse__lit_event, 0);
        sse__put(o, f->type, f->type_len);
    }
    if (f->id) {
        SSE__PREFIX(o, sse__lit_id, f->id_len == 0);
        sse__put(o, f->id, f->id_len);
    }
}

SSE__EMITTER void sse__put_frame(struct sse__out *o, const sse_frame *f)
{
    sse__put_fields(o, f);
    if (f->data)
        sse__put_lines(o, sse__lit_data, sizeof sse__lit_data, f->data,
                       f->data_len);
    if (o->bytes)
        sse__put(o, sse__lit_end, sizeof sse__lit_end - 1);
}

/* ---- Validation -------------------------------------------------------- */

static int sse__is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int sse__has_eol(const char *s, size_t len)
{
    SSE__OPAQUE(s);
    return len && sse__find_eol(s, s + len) != s + len;
}

static int sse__check_utf8(const char *s, size_t len)
{
    return s && sse_utf8_check(s, len) != len ? SSE_E_INVALID_UTF8 : SSE_OK;
}

/* Everything that can refuse a frame, checked before anything is emitted. */
SSE__EMITTER int sse__validate(const sse_frame *f)
{
    int rc;
    if (!f || (f->flags & ~SSE__KNOWN_FLAGS) || (!f->data && f->data_len) ||
        (!f->type && f->type_len) || (!f->id && f->id_len) ||
        (!f->comment && f->comment_len))
        return SSE_E_INVALID_ARGUMENT;
    if (sse__has_eol(f->type, f->type_len))
        return SSE_E_TYPE_LINE_END;
    if (sse__has_eol(f->id, f->id_len))
        return SSE_E_ID_LINE_END;
    if (f->id_len && memchr(f->id, '\0', f->id_len))
        return SSE_E_ID_NUL;
    if (f->id_len &&
        (sse__is_blank(f->id[0]) || sse__is_blank(f->id[f->id_len - 1])))
        return SSE_E_ID_SPACE;
    if (f->flags & SSE_FRAME_CHECK_UTF8) {
        if ((rc = sse__check_utf8(f->type, f->type_len)) != SSE_OK ||
            (rc = sse__check_utf8(f->id, f->id_len)) != SSE_OK ||
            (rc = sse__check_utf8(f->comment, f->comment_len)) != SSE_OK ||
            (rc = sse__check_utf8(f->data, f->data_len)) != SSE_OK)
            return rc;
    }
    return SSE_OK;
}

/* ---- Sizes ------------------------------------------------------------- */

/* Upper bounds from lengths alone. A text of len bytes with j line ends has
 * j + 1 lines, each costing its prefix plus content, and the line ends
 * themselves are dropped: at most (prefix + 1) * len + prefix bytes, and
 * 2 * (len + 1) entries. */
SSE__EMITTER size_t sse__bound(const sse_frame *f)
{
    size_t b = 0;
    /* Every length below SIZE_MAX / 16: the sum below is under 13/16 of
     * SIZE_MAX plus a constant, so plain arithmetic cannot overflow (the
     * usual case, kept cheap: sse_encode calls this for every frame). */
    if ((f->data_len | f->comment_len | f->type_len | f->id_len |
         f->padding) < SIZE_MAX / 16)
        return 7 * f->data_len + 7 + 3 * f->comment_len + 3 + f->type_len +
               sizeof sse__lit_event + f->id_len + sizeof sse__lit_id +
               sizeof sse__lit_retry + 20 + f->padding + 2 +
               sizeof sse__lit_end;
    b = sse__add(b, sse__add(sse__mul(f->data_len, 7), 7));
    b = sse__add(b, sse__add(sse__mul(f->comment_len, 3), 3));
    b = sse__add(b, sse__add(f->type_len, sizeof sse__lit_event));
    b = sse__add(b, sse__add(f->id_len, sizeof sse__lit_id));
    b = sse__add(b, sizeof sse__lit_retry + 20);
    b = sse__add(b, sse__add(f->padding, 2));
    return sse__add(b, sizeof sse__lit_end);
}

size_t sse_encode_bound(const sse_frame *f)
{
    return f ? sse__bound(f) : 0;
}

static size_t sse__entries_bound(const sse_frame *f)
{
    size_t b = sse__mul(sse__add(f->data_len, 1), 2);
    b = sse__add(b, sse__mul(sse__add(f->comment_len, 1), 2));
    b = sse__add(b, f->padding / SSE__SPACES + 2);
    b = sse__add(b, 1 + 20); /* retry: prefix and one entry per digit */
    return sse__add(b, 2 + 2 + 1); /* type, id, end */
}

/* Validates f and sees whether it fits room bytes (or iovec entries, with
 * iov): from the O(1) bounds when they suffice, else by measuring. Returns
 * SSE_OK when the caller should write the frame; otherwise what to return:
 * an error, or the size needed when it does not fit. */
SSE__EMITTER sse_ssize sse__fits(const sse_frame *f, size_t room, int iov)
{
    struct sse__out m;
    size_t bound, need;
    int rc = sse__validate(f);
    if (rc != SSE_OK)
        return rc;
    bound = sse__bound(f);
    if (bound <= (size_t)PTRDIFF_MAX &&
        room >= (iov ? sse__entries_bound(f) : bound))
        return SSE_OK;
    sse__out_init(&m, SSE__MEASURE);
    sse__put_frame(&m, f);
    if (m.bytes > (size_t)PTRDIFF_MAX)
        return SSE_E_FRAME_TOO_LARGE;
    need = iov ? m.entries : m.bytes;
    return need > room ? (sse_ssize)need : SSE_OK;
}

/* ---- Front ends -------------------------------------------------------- */

/* The buffer and iovec forms: check the destination (dst_ok), validate
 * and size the frame (room is bytes or entries), then write it where o
 * says, or return what sse__fits says. Inlined into each form, so the
 * emitter stays specialised per form. */
SSE__EMITTER sse_ssize sse__encode_sized(struct sse__out *o, int dst_ok,
                                         const sse_frame *f, size_t room)
{
    int iov = o->mode == SSE__IOV;
    sse_ssize rc;
    if (!dst_ok)
        return SSE_E_INVALID_ARGUMENT;
    if ((rc = sse__fits(f, room, iov)) != SSE_OK)
        return rc;
    sse__put_frame(o, f);
    return (sse_ssize)(iov ? o->entries : o->bytes);
}

sse_ssize sse_encode(char *dst, size_t cap, const sse_frame *f)
{
    struct sse__out o;
    sse__out_init(&o, SSE__BUFFER);
    o.buf = dst;
    return sse__encode_sized(&o, dst || !cap, f, cap);
}

sse_ssize sse_encode_iov(sse_iov *iov, size_t n, const sse_frame *f)
{
    struct sse__out o;
    sse__out_init(&o, SSE__IOV);
    o.iov = iov;
    return sse__encode_sized(&o, iov || !n, f, n);
}

sse_ssize sse_encode_to(sse_write_fn write, void *user, const sse_frame *f)
{
    struct sse__out o;
    sse_ssize rc;
    if (!write)
        return SSE_E_INVALID_ARGUMENT;
    /* Room without limit: only validation and the size limit apply. */
    if ((rc = sse__fits(f, SIZE_MAX, 0)) != SSE_OK)
        return rc;
    sse__out_init(&o, SSE__WRITE);
    o.fn = write;
    o.user = user;
    sse__put_frame(&o, f);
    return o.failed ? SSE_E_CALLBACK : (sse_ssize)o.bytes;
}

/* ---- Data in pieces ----------------------------------------------------
 *
 * The one-shot form writes each data line's prefix, then its bytes; the
 * LF ending it comes with the next prefix or the end. Pieces do the same
 * with the line that is open kept in the encoder: its prefix goes out
 * with its first byte, or, for an empty line, when it ends. */

/* Where a piece leaves the frame: a copy of the encoder's, committed only
 * once the output was written. */
struct sse__lines {
    int written, open, cr;
};

static void sse__lines_of(const sse_encoder *e, struct sse__lines *l)
{
    l->written = e->written_;
    l->open = e->open_;
    l->cr = e->cr_;
}

static void sse__lines_keep(sse_encoder *e, const struct sse__lines *l)
{
    e->written_ = (unsigned char)l->written;
    e->open_ = (unsigned char)l->open;
    e->cr_ = (unsigned char)l->cr;
}

SSE__EMITTER void sse__put_piece(struct sse__out *o, struct sse__lines *l,
                                 const char *s, size_t len)
{
    const char *end;
    if (len == 0) /* s may be NULL */
        return;
    end = s + len;
    o->continued = l->written;
    if (l->cr && *s == '\n')
        s++; /* the LF of a CR LF cut between pieces */
    l->cr = 0;
    while (s < end) {
        const char *eol = sse__find_eol(s, end);
        if (eol > s) {
            if (!l->open) {
                SSE__PREFIX(o, sse__lit_data, 0);
                l->open = 1;
            }
            sse__put(o, s, (size_t)(eol - s));
        }
        if (eol == end)
            break;
        if (!l->open) /* an empty line */
            SSE__PREFIX(o, sse__lit_data, 1);
        l->open = 0;
        s = eol + 1;
        if (*eol == '\r') {
            if (s == end)
                l->cr = 1;
            else if (*s == '\n')
                s++;
        }
    }
    if (o->bytes) /* not when it was only the LF of a CR LF */
        l->written = 1;
}

SSE__EMITTER void sse__put_piece_end(struct sse__out *o,
                                     const struct sse__lines *l)
{
    o->continued = l->written;
    if (!l->open) /* the last line is empty (or there was no data) */
        SSE__PREFIX(o, sse__lit_data, 1);
    sse__put(o, sse__lit_end, sizeof sse__lit_end - 1);
}

/* After measuring need bytes: SSE_OK when they fit in cap, else what the
 * call returns (the size needed, or SSE_E_FRAME_TOO_LARGE). */
static sse_ssize sse__room_for(size_t need, size_t cap)
{
    if (need > (size_t)PTRDIFF_MAX)
        return SSE_E_FRAME_TOO_LARGE;
    return need > cap ? (sse_ssize)need : SSE_OK;
}

/* Whether dst/cap is a usable destination (NULL only with cap 0). */
static int sse__dst_ok(const char *dst, size_t cap)
{
    return dst || !cap;
}

sse_ssize sse_encode_begin(sse_encoder *e, char *dst, size_t cap,
                           const sse_frame *f)
{
    struct sse__out o;
    sse_ssize rc;
    if (!e || !sse__dst_ok(dst, cap) || !f || f->data || f->data_len)
        return SSE_E_INVALID_ARGUMENT;
    if ((rc = sse__validate(f)) != SSE_OK)
        return rc;
    if (sse__bound(f) > cap || sse__bound(f) > (size_t)PTRDIFF_MAX) {
        sse__out_init(&o, SSE__MEASURE);
        sse__put_fields(&o, f);
        if ((rc = sse__room_for(o.bytes, cap)) != SSE_OK)
            return rc;
    }
    sse__out_init(&o, SSE__BUFFER);
    o.buf = dst;
    sse__put_fields(&o, f);
    memset(e, 0, sizeof *e);
    sse__utf8_reset(&e->utf8_);
    e->flags_ = f->flags;
    e->phase_ = 1;
    e->written_ = o.bytes != 0;
    return (sse_ssize)o.bytes;
}

sse_ssize sse_encode_data(sse_encoder *e, char *dst, size_t cap,
                          const char *data, size_t len)
{
    struct sse__out o;
    struct sse__lines l;
    struct sse__utf8 u;
    if (!e || e->phase_ != 1 || !sse__dst_ok(dst, cap) || (!data && len))
        return SSE_E_INVALID_ARGUMENT;
    u = e->utf8_;
    if ((e->flags_ & SSE_FRAME_CHECK_UTF8) &&
        !sse__utf8_valid_more(&u, data, len))
        return SSE_E_INVALID_UTF8;
    sse__lines_of(e, &l);
    if (len > ((size_t)PTRDIFF_MAX - 2) / 6 ||
        cap < SSE_ENCODE_DATA_BOUND(len)) {
        struct sse__lines m = l;
        sse_ssize rc;
        sse__out_init(&o, SSE__MEASURE);
        sse__put_piece(&o, &m, data, len);
        if ((rc = sse__room_for(o.bytes, cap)) != SSE_OK)
            return rc;
    }
    sse__out_init(&o, SSE__BUFFER);
    o.buf = dst;
    sse__put_piece(&o, &l, data, len);
    sse__lines_keep(e, &l);
    e->utf8_ = u;
    return (sse_ssize)o.bytes;
}

sse_ssize sse_encode_end(sse_encoder *e, char *dst, size_t cap)
{
    struct sse__out o;
    struct sse__lines l;
    if (!e || e->phase_ != 1 || !sse__dst_ok(dst, cap))
        return SSE_E_INVALID_ARGUMENT;
    if ((e->flags_ & SSE_FRAME_CHECK_UTF8) && e->utf8_.need)
        return SSE_E_INVALID_UTF8; /* the data ends inside a sequence */
    sse__lines_of(e, &l);
    sse__out_init(&o, SSE__MEASURE);
    sse__put_piece_end(&o, &l);
    if (o.bytes > cap) /* at most SSE_ENCODE_END_BOUND */
        return (sse_ssize)o.bytes;
    sse__out_init(&o, SSE__BUFFER);
    o.buf = dst;
    sse__put_piece_end(&o, &l);
    e->phase_ = 0;
    return (sse_ssize)o.bytes;
}
