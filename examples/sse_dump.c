/* sse-dump: reads a raw text/event-stream and prints what the parser
 * reports as JSON lines (the command-line contract in README.md).
 *
 *   sse-dump [--chunk N] [--utf8=replace] [--comments]
 *            [--max-line N] [--max-event N] [--max-field N] [FILE]
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sse.h"

struct dump {
    FILE *out;
    char *scratch; /* UTF-8-clean copy of the string being printed */
    size_t scratch_cap;
    int write_failed;
    const sse_parser_options *opt;
};

static void *std_alloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
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
static json_object *json_bytes(struct dump *d, const char *s, size_t n)
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
static int emit(struct dump *d, json_object *obj)
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

static int on_event(sse_parser *p, const sse_event *ev, void *user)
{
    struct dump *d = user;
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

static int on_retry(sse_parser *p, uint64_t ms, void *user)
{
    json_object *obj = json_object_new_object();
    (void)p;
    if (!obj || add(obj, "retry", json_object_new_uint64(ms))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(user, obj);
}

static int on_comment(sse_parser *p, const char *text, size_t len, void *user)
{
    struct dump *d = user;
    json_object *obj = json_object_new_object();
    (void)p;
    if (!obj || add(obj, "comment", json_bytes(d, text, len))) {
        json_object_put(obj);
        obj = NULL;
    }
    return emit(d, obj);
}

static size_t limit_of(const struct dump *d, int code)
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
static int on_error(sse_parser *p, int code, void *user)
{
    struct dump *d = user;
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

static void usage(FILE *f)
{
    fputs("usage: sse-dump [--chunk N] [--utf8=replace] [--comments]\n"
          "                [--max-line N] [--max-event N] [--max-field N] "
          "[FILE]\n"
          "Parses a text/event-stream from FILE (or stdin) and prints one "
          "JSON object per\nline: events, accepted retry values, comments "
          "(with --comments) and errors.\n",
          f);
}

/* Decimal size argument, > 0. Returns 0 on success. */
static int parse_size(const char *s, size_t *out)
{
    size_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned d = (unsigned)(unsigned char)*s - '0';
        if (d > 9 || v > (SIZE_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v == 0)
        return -1;
    *out = v;
    return 0;
}

/* Matches "--name VALUE" or "--name=VALUE"; advances *i past VALUE. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int main(int argc, char **argv)
{
    static char buf[1 << 16];
    sse_parser_options opt;
    sse_callbacks cb;
    sse_parser parser;
    struct dump d;
    size_t chunk = 4096;
    const char *path = NULL;
    int fd = 0, rc, i, status = 0;

    memset(&opt, 0, sizeof opt);
    sse_callbacks_init(&cb);
    cb.on_event = on_event;
    cb.on_retry = on_retry;
    cb.on_error = on_error;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        size_t *limit = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--comments") == 0) {
            cb.on_comment = on_comment;
        } else if (strcmp(a, "--utf8=replace") == 0) {
            opt.flags |= SSE_UTF8_REPLACE;
        } else if (strcmp(a, "--utf8=pass") == 0) {
            opt.flags &= ~SSE_UTF8_REPLACE;
        } else if ((v = opt_value(argc, argv, &i, "--chunk")) != NULL) {
            if (parse_size(v, &chunk) != 0) {
                fprintf(stderr, "sse-dump: --chunk needs a size > 0\n");
                return 2;
            }
        } else if ((v = opt_value(argc, argv, &i, "--max-line")) ||
                   (v = opt_value(argc, argv, &i, "--max-event")) ||
                   (v = opt_value(argc, argv, &i, "--max-field"))) {
            limit = strncmp(a, "--max-line", 10) == 0    ? &opt.max_line
                    : strncmp(a, "--max-event", 11) == 0 ? &opt.max_event
                                                         : &opt.max_field;
            if (parse_size(v, limit) != 0) {
                fprintf(stderr, "sse-dump: %s needs a size > 0\n", a);
                return 2;
            }
        } else if (strcmp(a, "-") == 0 || a[0] != '-') {
            if (path) {
                usage(stderr);
                return 2;
            }
            path = a;
        } else {
            fprintf(stderr, "sse-dump: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }

    if (path && strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "sse-dump: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }

    memset(&d, 0, sizeof d);
    d.out = stdout;
    d.opt = &opt;
    opt.alloc = std_alloc;
    rc = sse_parser_init(&parser, &cb, &d, &opt);
    if (rc != SSE_OK) {
        fprintf(stderr, "sse-dump: %s\n", sse_strerror(rc));
        return 1;
    }

    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        size_t off = 0;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "sse-dump: read: %s\n", strerror(errno));
            status = 1;
            break;
        }
        if (got == 0)
            break;
        while (off < (size_t)got) {
            size_t n = (size_t)got - off < chunk ? (size_t)got - off : chunk;
            if (sse_parser_feed(&parser, buf + off, n) != n)
                break;
            off += n;
        }
        if (sse_parser_status(&parser) != SSE_OK)
            break;
        /* Live streams: show what arrived before blocking on read again. */
        if (fflush(stdout) != 0)
            d.write_failed = 1;
    }
    if (status == 0 && sse_parser_status(&parser) == SSE_OK)
        sse_parser_finish(&parser);
    if (fflush(stdout) != 0 || d.write_failed) {
        fprintf(stderr, "sse-dump: cannot write output\n");
        status = 1;
    }
    sse_parser_destroy(&parser);
    free(d.scratch);
    if (fd > 0)
        close(fd);
    return status;
}
