/* JSON lines for what a parser reports: the output format of sse-dump,
 * which sse-get shares (the command-line contract in README.md). */
#include "json_lines.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

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

/* JSON text is UTF-8, so bytes that are not valid UTF-8 are written as
 * U+FFFD, exactly as a browser (or --utf8=replace) would decode them. */
static json_object *json_bytes(struct json_lines *d, const char *s, size_t n)
{
    size_t need = sse_utf8_replace(NULL, 0, s, n);
    if (need > (size_t)INT_MAX)
        return NULL;
    if (need > d->scratch_cap) {
        char *mem = realloc(d->scratch, need);
        if (!mem)
            return NULL;
        d->scratch = mem;
        d->scratch_cap = need;
    }
    sse_utf8_replace(d->scratch, d->scratch_cap, s, n);
    return json_object_new_string_len(need ? d->scratch : "", (int)need);
}

/* Prints one JSON line and frees obj. Returns 0, or -1 if it failed. */
static int emit(struct json_lines *d, json_object *obj)
{
    const char *text;
    int rc = -1;
    if (obj) {
        text = json_object_to_json_string_ext(
            obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (text && fputs(text, d->out) != EOF && putc('\n', d->out) != EOF)
            rc = 0;
        json_object_put(obj);
    }
    if (rc != 0) {
        d->write_failed = 1;
        return SSE_E_CALLBACK;
    }
    return 0;
}

static int add(json_object *obj, const char *key, json_object *val)
{
    return val && json_object_object_add(obj, key, val) == 0 ? 0 : -1;
}

int json_lines_on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct json_lines *d = user;
    json_object *obj = json_object_new_object();
    (void)p;
    if (!obj || add(obj, "type", json_bytes(d, ev->type, ev->type_len)) ||
        add(obj, "data", json_bytes(d, ev->data, ev->data_len)) ||
        add(obj, "id", json_bytes(d, ev->id, ev->id_len))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(d, obj);
}

int json_lines_on_retry(sse_parser *p, uint64_t ms, void *user)
{
    json_object *obj = json_object_new_object();
    (void)p;
    if (!obj || add(obj, "retry", json_object_new_uint64(ms))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(user, obj);
}

int json_lines_on_comment(sse_parser *p, const char *text, size_t len, void *user)
{
    struct json_lines *d = user;
    json_object *obj = json_object_new_object();
    (void)p;
    if (!obj || add(obj, "comment", json_bytes(d, text, len))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(d, obj);
}

static size_t limit_of(const struct json_lines *d, int code)
{
    switch (code) {
    case SSE_E_LINE_TOO_LONG:
        return d->opt->max_line ? d->opt->max_line : SSE_DEFAULT_MAX_LINE;
    case SSE_E_EVENT_TOO_LARGE:
        return d->opt->max_event ? d->opt->max_event : SSE_DEFAULT_MAX_EVENT;
    case SSE_E_FIELD_TOO_LONG:
        return d->opt->max_field ? d->opt->max_field : SSE_DEFAULT_MAX_FIELD;
    default:
        return 0;
    }
}

/* The message names the limit but not the stream offset: where a limit is
 * noticed inside a line depends on the chunking, and the output must not. */
int json_lines_on_error(sse_parser *p, int code, void *user)
{
    struct json_lines *d = user;
    char msg[256];
    json_object *obj = json_object_new_object();
    size_t limit = limit_of(d, code);
    (void)p;
    if (limit)
        snprintf(msg, sizeof msg, "%s (%zu bytes); event dropped",
                 sse_strerror(code), limit);
    else
        snprintf(msg, sizeof msg, "%s; event dropped", sse_strerror(code));
    if (!obj || add(obj, "error", json_object_new_string(sse_errname(code))) ||
        add(obj, "message", json_object_new_string(msg))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(d, obj);
}

void json_lines_free(struct json_lines *d)
{
    free(d->scratch);
    d->scratch = NULL;
    d->scratch_cap = 0;
}
