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

#include "json_lines.h"
#include "sse.h"

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
    struct json_lines d;
    size_t chunk = 4096;
    const char *path = NULL;
    int fd = 0, rc, i, status = 0;

    memset(&opt, 0, sizeof opt);
    sse_callbacks_init(&cb);
    cb.on_event = json_lines_on_event;
    cb.on_retry = json_lines_on_retry;
    cb.on_error = json_lines_on_error;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        size_t *limit = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--comments") == 0) {
            cb.on_comment = json_lines_on_comment;
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
    opt.alloc = json_lines_alloc;
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
    json_lines_free(&d);
    if (fd > 0)
        close(fd);
    return status;
}
