#include "frame_model.h"

#include <stdlib.h>
#include <string.h>

static int has(const char *s, size_t n, char c)
{
    return n && memchr(s, c, n) != NULL;
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Strict UTF-8 by the Unicode table of well-formed sequences (no
 * overlongs, surrogates or values past U+10FFFF). */
static int valid_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], lo = 0x80, hi = 0xBF, k, len;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        else
            return 0;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
        if (n - i < len)
            return 0;
        for (k = 1; k < len; k++) {
            if (s[i + k] < lo || s[i + k] > hi)
                return 0;
            lo = 0x80;
            hi = 0xBF;
        }
        i += len;
    }
    return 1;
}

int frame_refusal(const sse_frame *f)
{
    if (has(f->type, f->type_len, '\r') || has(f->type, f->type_len, '\n'))
        return SSE_E_TYPE_LINE_END;
    if (has(f->id, f->id_len, '\r') || has(f->id, f->id_len, '\n'))
        return SSE_E_ID_LINE_END;
    if (has(f->id, f->id_len, '\0'))
        return SSE_E_ID_NUL;
    if (f->id_len && (blank(f->id[0]) || blank(f->id[f->id_len - 1])))
        return SSE_E_ID_SPACE;
    if ((f->flags & SSE_FRAME_CHECK_UTF8) &&
        !(valid_utf8(f->type, f->type_len) && valid_utf8(f->id, f->id_len) &&
          valid_utf8(f->comment, f->comment_len) &&
          valid_utf8(f->data, f->data_len)))
        return SSE_E_INVALID_UTF8;
    return SSE_OK;
}

/* Line ends as the receiver sees them: every CRLF, CR and LF becomes LF.
 * Returns a malloc'd copy; *out_len its length. */
static char *normalise(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    size_t i, o = 0;
    if (!out)
        abort();
    for (i = 0; i < n; i++) {
        if (s[i] == '\r') {
            out[o++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else {
            out[o++] = s[i];
        }
    }
    *out_len = o;
    return out;
}

void frame_expect(trace *t, const sse_frame *f, frame_state *st)
{
    size_t n, i, start;
    char *norm;
    trace_add(t, "%s", "");
    if (f->comment) { /* one comment per line */
        norm = normalise(f->comment, f->comment_len, &n);
        for (start = 0, i = 0; i <= n; i++) {
            if (i == n || norm[i] == '\n') {
                trace_comment(t, norm + start, i - start);
                start = i + 1;
            }
        }
        free(norm);
    }
    if (f->padding) { /* ':' then spaces; the first space is a separator */
        size_t spaces = f->padding > 3 ? f->padding - 3 : 0;
        char *pad = malloc(spaces + 1);
        if (!pad)
            abort();
        memset(pad, ' ', spaces);
        trace_comment(t, pad, spaces);
        free(pad);
    }
    if (f->flags & SSE_FRAME_RETRY)
        trace_retry(t, f->retry_ms);
    if (f->id) { /* committed by the frame's blank line */
        free(st->last_id);
        st->last_id = malloc(f->id_len + 1);
        if (!st->last_id)
            abort();
        if (f->id_len)
            memcpy(st->last_id, f->id, f->id_len);
        st->last_id_len = f->id_len;
    }
    if (f->data) {
        norm = normalise(f->data, f->data_len, &n);
        trace_event(t, f->type_len ? f->type : "message",
                    f->type_len ? f->type_len : 7, norm, n,
                    st->last_id ? st->last_id : "", st->last_id_len);
        free(norm);
    }
}

void frame_state_free(frame_state *st)
{
    free(st->last_id);
    st->last_id = NULL;
    st->last_id_len = 0;
}
