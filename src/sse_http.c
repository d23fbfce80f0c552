/* The HTTP around an event stream, both sides: the response headers a
 * server sends (with CORS for a stream) and the Last-Event-ID header it
 * reads back; the request headers a client sends and its Last-Event-ID
 * line. */
#include "sse_internal.h"

/* Must list exactly the lines of SSE_RESPONSE_HEADERS (a test compares). */
static const sse_header sse__response_headers[] = {
    {"Content-Type", "text/event-stream"},
    {"Cache-Control", "no-cache"},
    {"X-Accel-Buffering", "no"},
    {NULL, NULL}};

/* A NULL-terminated table and the number of headers in it. */
static const sse_header *sse__header_table(const sse_header *table,
                                           size_t *count)
{
    size_t n = 0;
    while (table[n].name)
        n++;
    if (count)
        *count = n;
    return table;
}

const sse_header *sse_response_headers(size_t *count)
{
    return sse__header_table(sse__response_headers, count);
}

int sse_last_event_id_read(const char *value, size_t len, size_t max_len,
                           const char **id, size_t *id_len)
{
    const char *end;
    if (!id || !id_len || (!value && len))
        return SSE_E_INVALID_ARGUMENT;
    *id = "";
    *id_len = 0;
    if (!value)
        return SSE_OK;
    if (max_len == 0)
        max_len = SSE_DEFAULT_MAX_FIELD;
    /* Optional whitespace around a field value is not part of it (RFC 9110
     * section 5.5); servers that hand over the raw value get it trimmed. */
    end = value + len;
    while (value < end && (*value == ' ' || *value == '\t'))
        value++;
    while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    len = (size_t)(end - value);
    if (sse__find_eol(value, end) != end)
        return SSE_E_ID_LINE_END;
    if (len && memchr(value, '\0', len))
        return SSE_E_ID_NUL;
    if (len > max_len)
        return SSE_E_FIELD_TOO_LONG;
    *id = value;
    *id_len = len;
    return SSE_OK;
}

/* Must list exactly the lines of SSE_REQUEST_HEADERS (a test compares). */
static const sse_header sse__request_headers[] = {
    {"Accept", "text/event-stream"},
    {"Cache-Control", "no-cache"},
    {NULL, NULL}};

const sse_header *sse_request_headers(size_t *count)
{
    return sse__header_table(sse__request_headers, count);
}

size_t sse_last_event_id_write(const sse_parser *p, char *buf, size_t cap)
{
    static const char name[] = "Last-Event-ID: ";
    size_t id_len = 0, need;
    const char *id = p ? sse_parser_last_event_id(p, &id_len) : NULL;
    if (!id || id_len == 0) {
        if (buf && cap)
            buf[0] = '\0';
        return 0;
    }
    need = sizeof name - 1 + id_len;
    if (buf && need < cap) {
        memcpy(buf, name, sizeof name - 1);
        memcpy(buf + sizeof name - 1, id, id_len);
        buf[need] = '\0';
    }
    return need;
}

size_t sse_stream_headers(const sse_stream_options *opt, const char *origin,
                          size_t origin_len, sse_header *out, size_t cap)
{
    const char *allow = opt ? opt->allow_origin : NULL;
    int any = allow && strcmp(allow, "*") == 0;
    int named = allow && !any;
    int match = named && origin && strlen(allow) == origin_len &&
                memcmp(allow, origin, origin_len) == 0;
    size_t base, n;
    sse__header_table(sse__response_headers, &base);
    /* The answer depends on Origin whenever one origin is named, so caches
     * must key on it even when this request's does not match. */
    n = base + (any ? 1u : 0u) + (match ? 2u : 0u) + (named ? 1u : 0u);
    if (n > cap || !out)
        return n;
    memcpy(out, sse__response_headers, base * sizeof *out);
    out += base;
    if (any || match) {
        out->name = "Access-Control-Allow-Origin";
        out->value = allow;
        out++;
    }
    if (match) {
        out->name = "Access-Control-Allow-Credentials";
        out->value = "true";
        out++;
    }
    if (named) {
        out->name = "Vary";
        out->value = "Origin";
    }
    return n;
}
