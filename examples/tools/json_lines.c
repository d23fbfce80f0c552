/* JSON lines for what a parser reports: the output format of sse-dump,
 * which sse-get shares (docs/tools.md).
 *
 * The JSON is written here rather than by json-c: json-c builds a whole
 * document in memory (the string object, then its printed form), which
 * for a 100 MiB event meant three more copies of it. Written in windows,
 * an event of any size costs a fixed 48 KiB window here. */
#include "json_lines.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void *json_lines_alloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    (void)ctx;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

enum { WINDOW = 16384 };

static int is_continuation(unsigned char b)
{
    return b >= 0x80 && b <= 0xBF;
}

/* Where to end a window of at most `max` bytes so that decoding the
 * pieces apart gives what decoding them together would (max < n, max > 3).
 * Either cut before a byte that is not a continuation byte (a sequence
 * left open before it is an error either way, one U+FFFD), or after three
 * continuation bytes in a row (no sequence is longer, so the decoder is
 * between sequences there). */
static size_t window_end(const unsigned char *s, size_t max)
{
    size_t c = max;
    while (c > max - 3 && is_continuation(s[c]) &&
           !(is_continuation(s[c - 1]) && is_continuation(s[c - 2]) &&
             is_continuation(s[c - 3])))
        c--;
    return c;
}

/* Writes valid UTF-8 as the inside of a JSON string. Besides what JSON
 * requires, U+0085, U+2028 and U+2029 are escaped: line-oriented readers
 * (Python's str.splitlines, many log tools) would split a record there. */
static void put_escaped(FILE *f, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned char b = s[i];
        const char *esc = NULL;
        char u[7];
        size_t len = 1;
        if (b == '"')
            esc = "\\\"";
        else if (b == '\\')
            esc = "\\\\";
        else if (b == '\n')
            esc = "\\n";
        else if (b == '\r')
            esc = "\\r";
        else if (b == '\t')
            esc = "\\t";
        else if (b == '\b')
            esc = "\\b";
        else if (b == '\f')
            esc = "\\f";
        else if (b < 0x20) {
            memcpy(u, "\\u00", 4);
            u[4] = hex[b >> 4];
            u[5] = hex[b & 15];
            u[6] = '\0';
            esc = u;
        } else if (b == 0xC2 && i + 1 < n && s[i + 1] == 0x85) {
            esc = "\\u0085";
            len = 2;
        } else if (b == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            esc = s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            len = 3;
        }
        if (!esc) {
            i++;
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        fputs(esc, f);
        i += len;
        run = i;
    }
    fwrite(s + run, 1, n - run, f);
}

/* A JSON string from any bytes: invalid UTF-8 becomes U+FFFD, exactly as
 * a browser (or --utf8=replace) decodes it, since JSON text is UTF-8. */
static void put_string(FILE *f, const char *text, size_t n)
{
    unsigned char buf[3 * WINDOW]; /* one U+FFFD (3 bytes) per input byte */
    const unsigned char *s = (const unsigned char *)text;
    putc('"', f);
    while (n > 0) {
        size_t take = n <= WINDOW ? n : window_end(s, WINDOW);
        size_t m = sse_utf8_replace((char *)buf, sizeof buf,
                                    (const char *)s, take);
        put_escaped(f, buf, m);
        s += take;
        n -= take;
    }
    putc('"', f);
}

/* Ends a record. The parser stops at the first failed write (the reader
 * may be gone: the caller decides from write_errno). */
static int end_record(struct json_lines *d)
{
    if (putc('\n', d->out) == EOF || ferror(d->out)) {
        if (!d->write_errno)
            d->write_errno = errno ? errno : EIO;
        return SSE_E_CALLBACK;
    }
    return 0;
}

int json_lines_flush(struct json_lines *d)
{
    if (fflush(d->out) != 0) {
        if (!d->write_errno)
            d->write_errno = errno ? errno : EIO;
        return -1;
    }
    return d->write_errno ? -1 : 0;
}

int json_lines_on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct json_lines *d = user;
    (void)p;
    fputs("{\"type\":", d->out);
    put_string(d->out, ev->type, ev->type_len);
    fputs(",\"data\":", d->out);
    put_string(d->out, ev->data, ev->data_len);
    fputs(",\"id\":", d->out);
    put_string(d->out, ev->id, ev->id_len);
    putc('}', d->out);
    return end_record(d);
}

int json_lines_on_start(sse_parser *p, void *user)
{
    struct json_lines *d = user;
    (void)p;
    fputs("{\"start\":true}", d->out);
    return end_record(d);
}

int json_lines_on_piece(sse_parser *p, const char *s, size_t n, void *user)
{
    struct json_lines *d = user;
    (void)p;
    fputs("{\"piece\":", d->out);
    put_string(d->out, s, n);
    fprintf(d->out, ",\"length\":%zu}", n);
    return end_record(d);
}

/* ,"type":...,"id":...,"length":N} */
static void put_type_id_length(FILE *f, const sse_event *ev, size_t length)
{
    fputs(",\"type\":", f);
    put_string(f, ev->type, ev->type_len);
    fputs(",\"id\":", f);
    put_string(f, ev->id, ev->id_len);
    fprintf(f, ",\"length\":%zu}", length);
}

int json_lines_on_end(sse_parser *p, const sse_event *ev, int status,
                      void *user)
{
    struct json_lines *d = user;
    (void)p;
    if (status == SSE_OK) {
        fputs("{\"end\":\"dispatched\"", d->out);
    } else {
        fputs("{\"end\":\"discarded\",\"reason\":", d->out);
        put_string(d->out, sse_errname(status), strlen(sse_errname(status)));
    }
    put_type_id_length(d->out, ev, ev->data_len);
    return end_record(d);
}

int json_lines_event_file(struct json_lines *d, const sse_event *ev,
                          const char *path, size_t length)
{
    fputs("{\"data_file\":", d->out);
    put_string(d->out, path, strlen(path));
    put_type_id_length(d->out, ev, length);
    return end_record(d);
}

int json_lines_on_retry(sse_parser *p, uint64_t ms, void *user)
{
    struct json_lines *d = user;
    (void)p;
    fprintf(d->out, "{\"retry\":%" PRIu64 "}", ms);
    return end_record(d);
}

int json_lines_on_comment(sse_parser *p, const char *text, size_t len,
                          void *user)
{
    struct json_lines *d = user;
    (void)p;
    fputs("{\"comment\":", d->out);
    put_string(d->out, text, len);
    putc('}', d->out);
    return end_record(d);
}

/* The limit an error code refers to, as the parser applies it. */
static size_t limit_of(const sse_parser *p, int code)
{
    size_t line, event, field;
    sse_parser_limits(p, &line, &event, &field);
    return code == SSE_E_LINE_TOO_LONG      ? line
           : code == SSE_E_EVENT_TOO_LARGE ? event
           : code == SSE_E_FIELD_TOO_LONG ||
                   code == SSE_E_COMMENT_TOO_LONG
               ? field
               : 0;
}

/* The message names the limit but not the stream offset: where a limit is
 * noticed inside a line depends on the chunking, and the output must not. */
int json_lines_on_error(sse_parser *p, int code, void *user)
{
    struct json_lines *d = user;
    char msg[256];
    size_t limit = limit_of(p, code);
    /* An over-long comment costs only itself. */
    const char *lost = code == SSE_E_COMMENT_TOO_LONG ? "comment skipped"
                                                      : "event dropped";
    if (limit)
        snprintf(msg, sizeof msg, "%s (%zu bytes); %s", sse_strerror(code),
                 limit, lost);
    else
        snprintf(msg, sizeof msg, "%s; %s", sse_strerror(code), lost);
    fputs("{\"error\":", d->out);
    put_string(d->out, sse_errname(code), strlen(sse_errname(code)));
    fputs(",\"message\":", d->out);
    put_string(d->out, msg, strlen(msg));
    putc('}', d->out);
    return end_record(d);
}
