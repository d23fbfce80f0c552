/* What an HTTP server needs around the encoder: the response headers of an
 * event stream, and the Last-Event-ID request header a reconnecting client
 * sends back. */
#include "sse_internal.h"

/* Must list exactly the lines of SSE_RESPONSE_HEADERS (a test compares). */
static const sse_header sse__response_headers[] = {
    {"Content-Type", "text/event-stream"},
    {"Cache-Control", "no-cache"},
    {"X-Accel-Buffering", "no"},
    {NULL, NULL}};

const sse_header *sse_response_headers(size_t *count)
{
    if (count)
        *count = sizeof sse__response_headers / sizeof *sse__response_headers - 1;
    return sse__response_headers;
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
