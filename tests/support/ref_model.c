#include "ref_model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

/* A growable byte string. */
typedef struct str {
    char *p;
    size_t len, cap;
} str;

static void str_put(str *s, const char *b, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 16;
        s->p = realloc(s->p, s->cap);
        if (!s->p)
            abort();
    }
    if (n)
        memcpy(s->p + s->len, b, n);
    s->len += n;
}

static void str_set(str *s, const char *b, size_t n)
{
    s->len = 0;
    str_put(s, b, n);
}

static void put_code_point(str *s, uint32_t cp)
{
    char b[4];
    if (cp < 0x80) {
        b[0] = (char)cp;
        str_put(s, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        str_put(s, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        str_put(s, b, 3);
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        str_put(s, b, 4);
    }
}

/* The WHATWG Encoding Standard's UTF-8 decoder, step by step, on code
 * points. Lines can be decoded one at a time: CR and LF are never part of
 * a multi-byte sequence, so they end any sequence the same way in the
 * whole stream. */
static void utf8_decode(str *out, const unsigned char *b, size_t n,
                        int cut)
{
    uint32_t cp = 0;
    unsigned needed = 0, seen = 0, lower = 0x80, upper = 0xBF;
    size_t i;
    out->len = 0;
    for (i = 0; i < n; i++) {
        unsigned c = b[i];
        if (needed == 0) {
            if (c <= 0x7F) {
                put_code_point(out, c);
            } else if (c >= 0xC2 && c <= 0xDF) {
                needed = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                if (c == 0xE0)
                    lower = 0xA0;
                if (c == 0xED)
                    upper = 0x9F;
                needed = 2;
                cp = c & 0xF;
            } else if (c >= 0xF0 && c <= 0xF4) {
                if (c == 0xF0)
                    lower = 0x90;
                if (c == 0xF4)
                    upper = 0x8F;
                needed = 3;
                cp = c & 0x7;
            } else {
                put_code_point(out, 0xFFFD);
            }
            continue;
        }
        if (c < lower || c > upper) {
            cp = needed = seen = 0;
            lower = 0x80;
            upper = 0xBF;
            put_code_point(out, 0xFFFD);
            i--; /* "prepend byte to stream": look at it again */
            continue;
        }
        lower = 0x80;
        upper = 0xBF;
        cp = (cp << 6) | (c & 0x3F);
        if (++seen == needed) {
            put_code_point(out, cp);
            cp = needed = seen = 0;
        }
    }
    if (needed && !cut) /* a cut text may still complete it */
        put_code_point(out, 0xFFFD);
}

struct model {
    const ref_options *o;
    trace *out;
    str data, type, id_buffer, last_id;
    int dropped; /* a limit was hit in the event being read */
    /* Streaming: a data line of this event was read (its start was
     * delivered), and the limit error that dropped it. */
    int started, drop_code;
};

static int over(size_t len, size_t limit)
{
    return limit && len > limit;
}

static void drop_event(struct model *m, int code)
{
    if (!m->dropped) {
        trace_error(m->out, code);
        m->drop_code = code;
    }
    m->dropped = 1;
    m->type.len = 0;
    if (!m->started) /* delivered data stays, for its discard */
        m->data.len = 0;
}

/* Streaming: the event whose data began ends without dispatching. data
 * holds what its pieces gave. */
static void discard(struct model *m, int code, const char *data, size_t len)
{
    if (m->o->discards)
        trace_discard(m->out, code, data, len);
    m->started = 0;
}

/* "dispatch the event" */
static void dispatch(struct model *m)
{
    str_set(&m->last_id, m->id_buffer.p, m->id_buffer.len);
    if (m->started && m->dropped) /* the LF ending its data is not given */
        discard(m, m->drop_code, m->data.p, m->data.len - 1);
    m->started = 0;
    if (m->dropped || m->data.len == 0) {
        m->dropped = 0;
        m->data.len = m->type.len = 0;
        return;
    }
    m->data.len--; /* the buffer's last character is always an LF */
    if (m->type.len)
        trace_event(m->out, m->type.p, m->type.len, m->data.p, m->data.len,
                    m->last_id.p, m->last_id.len);
    else
        trace_event(m->out, "message", 7, m->data.p, m->data.len,
                    m->last_id.p, m->last_id.len);
    m->data.len = m->type.len = 0;
}

static int equals(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* "process the field" */
static void field(struct model *m, const char *name, size_t name_len,
                  const char *value, size_t len)
{
    const ref_options *o = m->o;
    if (equals(name, name_len, "event")) {
        if (m->dropped)
            return;
        if (over(len, o->max_field))
            drop_event(m, SSE_E_FIELD_TOO_LONG);
        else
            str_set(&m->type, value, len);
    } else if (equals(name, name_len, "data")) {
        if (m->dropped)
            return;
        m->started = o->stream;
        if (!o->stream && over(m->data.len + len + 1, o->max_event)) {
            drop_event(m, SSE_E_EVENT_TOO_LARGE);
        } else {
            str_put(&m->data, value, len);
            str_put(&m->data, "\n", 1);
        }
    } else if (equals(name, name_len, "id")) {
        if (len && memchr(value, '\0', len))
            return; /* ignored */
        if (over(len, o->max_field))
            drop_event(m, SSE_E_FIELD_TOO_LONG);
        else
            str_set(&m->id_buffer, value, len);
    } else if (equals(name, name_len, "retry")) {
        uint64_t v = 0;
        size_t i;
        if (len == 0)
            return;
        for (i = 0; i < len; i++) {
            unsigned d = (unsigned char)value[i];
            if (d < '0' || d > '9')
                return;
            d -= '0';
            if (v > (UINT64_MAX - d) / 10)
                return; /* beyond 64 bits: ignored */
            v = v * 10 + d;
        }
        trace_retry(m->out, v);
    }
    /* anything else: ignored */
}

static void line(struct model *m, const char *s, size_t n)
{
    const char *colon;
    size_t name_len;
    if (n == 0) {
        dispatch(m);
        return;
    }
    if (s[0] == ':') {
        s++;
        n--;
        if (n && s[0] == ' ') {
            s++;
            n--;
        }
        if (!m->o->comments)
            return;
        /* An over-long comment costs only itself, never the event. */
        if (over(n, m->o->max_field))
            trace_error(m->out, SSE_E_COMMENT_TOO_LONG);
        else
            trace_comment(m->out, s, n);
        return;
    }
    colon = memchr(s, ':', n);
    if (!colon) {
        field(m, s, n, "", 0);
        return;
    }
    name_len = (size_t)(colon - s);
    s = colon + 1;
    n -= name_len + 1;
    if (n && s[0] == ' ') {
        s++;
        n--;
    }
    field(m, colon - name_len, name_len, s, n);
}

static int is_data_line(const char *s, size_t n)
{
    return n >= 4 && memcmp(s, "data", 4) == 0 && (n == 4 || s[4] == ':');
}

/* Streaming, the start of a line cut by the end of input: a name that
 * might have become "data" is not measured against max_line. */
static int may_be_data(const char *s, size_t n)
{
    return n <= 4 && memcmp(s, "data", n) == 0;
}

/* Streaming, an unterminated last line: if it is a data line of an event
 * not dropped with a value begun, that value's bytes were delivered (in
 * UTF-8 mode, but for a sequence the line's end might still complete),
 * after the start or the LF joining it to the line before. They are
 * appended to data, whose last LF then counts. */
static void cut_data_line(struct model *m, const char *s, size_t n,
                          str *decoded)
{
    if (m->dropped || n < 5 || memcmp(s, "data:", 5) != 0)
        return;
    s += 5;
    n -= 5;
    if (n && s[0] == ' ') {
        s++;
        n--;
    }
    if (n == 0)
        return;
    m->started = 1; /* if no line began it, this one does */
    if (m->o->utf8_replace) {
        utf8_decode(decoded, (const unsigned char *)s, n, 1);
        s = decoded->p;
        n = decoded->len;
    }
    str_put(&m->data, s, n);
    str_put(&m->data, "\n", 1); /* dropped again by the discard */
}

void ref_parse(const char *in, size_t len, const ref_options *o, trace *out)
{
    struct model m;
    str decoded = {0};
    size_t pos = 0;
    memset(&m, 0, sizeof m);
    m.o = o;
    m.out = out;
    trace_add(out, "%s", "");
    if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* one leading BOM */
    while (pos < len) {
        size_t start = pos, raw;
        int ended = 0;
        while (pos < len && in[pos] != '\r' && in[pos] != '\n')
            pos++;
        raw = pos - start;
        if (pos < len) {
            ended = 1;
            if (in[pos] == '\r' && pos + 1 < len && in[pos + 1] == '\n')
                pos++;
            pos++;
        }
        /* Comment lines have no line limit: only max_field bounds what
         * of them is kept; nor have data lines when streaming. */
        if (over(raw, o->max_line) && !(raw && in[start] == ':') &&
            !(o->stream && (is_data_line(in + start, raw) ||
                            (!ended && may_be_data(in + start, raw))))) {
            drop_event(&m, SSE_E_LINE_TOO_LONG);
            continue;
        }
        if (!ended) {
            /* An unterminated last line is never processed; but when
             * streaming, what of a data line arrived was delivered. */
            if (o->stream)
                cut_data_line(&m, in + start, raw, &decoded);
            break;
        }
        if (o->utf8_replace) {
            utf8_decode(&decoded, (const unsigned char *)in + start, raw, 0);
            line(&m, decoded.p, decoded.len);
        } else {
            line(&m, in + start, raw);
        }
    }
    /* End of stream: an event without its blank line is discarded. */
    if (m.started)
        discard(&m, m.dropped ? m.drop_code : SSE_E_EVENT_UNFINISHED,
                m.data.p, m.data.len - 1);
    free(decoded.p);
    free(m.data.p);
    free(m.type.p);
    free(m.id_buffer.p);
    free(m.last_id.p);
}
