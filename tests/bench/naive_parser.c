/* A hand-written event-stream parser of the usual kind, the baseline
 * sse-bench sets libsse against: a realloc-grown NUL-terminated buffer,
 * strchr for each line's LF (a CR before it stripped), strchr for the
 * colon, strcmp on field names, realloc to join data lines, strdup for
 * event and id, atoi for retry, and a memmove of the unparsed tail after
 * each chunk. It handles LF and CRLF streams without NUL bytes, which is
 * all the benchmark's workloads hold; it is not a conforming parser. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "naive_parser.h"

#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        abort();
    return q;
}

void naive_init(naive_parser *p)
{
    memset(p, 0, sizeof *p);
}

static void dispatch(naive_parser *p)
{
    if (p->data) {
        p->events++;
        p->data_bytes += p->data_len;
    }
    free(p->data);
    free(p->event);
    p->data = p->event = NULL;
    p->data_len = 0;
}

static void field(naive_parser *p, char *line)
{
    char *value = strchr(line, ':');
    if (value) {
        *value++ = '\0';
        if (*value == ' ')
            value++;
    } else {
        value = line + strlen(line);
    }
    if (strcmp(line, "data") == 0) {
        size_t n = strlen(value);
        if (p->data) {
            p->data = xrealloc(p->data, p->data_len + 1 + n + 1);
            p->data[p->data_len++] = '\n';
        } else {
            p->data = xrealloc(NULL, n + 1);
        }
        memcpy(p->data + p->data_len, value, n + 1);
        p->data_len += n;
    } else if (strcmp(line, "event") == 0) {
        free(p->event);
        p->event = strdup(value);
    } else if (strcmp(line, "id") == 0) {
        free(p->id);
        p->id = strdup(value);
    } else if (strcmp(line, "retry") == 0) {
        p->retry = atoi(value);
    }
}

void naive_feed(naive_parser *p, const char *chunk, size_t n)
{
    char *line, *lf;
    if (p->len + n + 1 > p->cap) {
        p->cap = (p->len + n + 1) * 2;
        p->buf = xrealloc(p->buf, p->cap);
    }
    memcpy(p->buf + p->len, chunk, n);
    p->len += n;
    p->buf[p->len] = '\0';
    line = p->buf;
    while ((lf = strchr(line, '\n')) != NULL) {
        *lf = '\0';
        if (lf > line && lf[-1] == '\r')
            lf[-1] = '\0';
        if (*line == '\0')
            dispatch(p);
        else if (*line != ':')
            field(p, line);
        line = lf + 1;
    }
    p->len -= (size_t)(line - p->buf);
    memmove(p->buf, line, p->len + 1);
}

void naive_free(naive_parser *p)
{
    free(p->buf);
    free(p->data);
    free(p->event);
    free(p->id);
    memset(p, 0, sizeof *p);
}
