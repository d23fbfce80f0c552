#include "trace_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sse.h"

void trace_add(trace *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        n = vsnprintf(t->text ? t->text + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->text = realloc(t->text, t->cap);
        if (!t->text)
            abort();
    }
}

void trace_bytes(trace *t, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            trace_add(t, "\\n");
        else if (c == '\r')
            trace_add(t, "\\r");
        else if (c == '\\')
            trace_add(t, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            trace_add(t, "\\x%02x", c);
        else
            trace_add(t, "%c", c);
    }
}

void trace_event(trace *t, const char *type, size_t type_len,
                 const char *data, size_t data_len, const char *id,
                 size_t id_len)
{
    trace_add(t, "event type=");
    trace_bytes(t, type, type_len);
    trace_add(t, " data=");
    trace_bytes(t, data, data_len);
    trace_add(t, " id=");
    trace_bytes(t, id, id_len);
    trace_add(t, "\n");
}

void trace_retry(trace *t, uint64_t ms)
{
    trace_add(t, "retry %llu\n", (unsigned long long)ms);
}

void trace_comment(trace *t, const char *text, size_t len)
{
    trace_add(t, "comment ");
    trace_bytes(t, text, len);
    trace_add(t, "\n");
}

void trace_error(trace *t, int code)
{
    trace_add(t, "error %s\n", sse_errname(code));
}

void trace_discard(trace *t, int code, const char *data, size_t len)
{
    trace_add(t, "discarded %s data=", sse_errname(code));
    trace_bytes(t, data, len);
    trace_add(t, "\n");
}
