/* sse-dump: reads a raw text/event-stream and prints what the parser
 * reports as JSON lines (the command-line contract in docs/tools.md).
 *
 *   sse-dump [--chunk N] [--utf8 MODE] [--comments] [--pieces | --data-dir DIR]
 *            [--max-line N] [--max-event N] [--max-field N] [FILE]
 *
 * Memory: the parser's own buffers (at most max-event + 4 x max-field) and
 * a fixed 64 KiB read buffer plus 48 KiB for writing a string; an event is
 * never copied (json_lines.c). With --pieces or --data-dir the parser
 * streams (SSE_PARSER_STREAM_DATA) and keeps no data at all: an event of
 * any size costs 4 x max-field. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_files.h"
#include "json_lines.h"
#include "sse.h"
#include "tool_common.h"

static const char prog[] = "sse-dump";

static void usage(void)
{
    fputs("Usage: sse-dump [OPTION]... [FILE]\n"
          "Parse a text/event-stream from FILE (or standard input; '-' too)\n"
          "and print one JSON object per line: events, accepted retry values,\n"
          "comments (with --comments) and recoverable errors.\n"
          "\n"
          "  --chunk N          feed the parser N bytes at a time (default 4096;\n"
          "                     1: one byte at a time)\n"
          "  --utf8 MODE        'pass' (default): bytes as they are, invalid\n"
          "                     UTF-8 shown as U+FFFD; 'replace': the parser\n"
          "                     replaces invalid UTF-8 as a browser does\n"
          "  --comments         print comment lines too\n"
          "  --pieces           streaming delivery, shown as it happens: each\n"
          "                     event's start, the pieces of its data as they\n"
          "                     arrive, and its end (dispatched or discarded)\n"
          "  --data-dir DIR     write each event's data to DIR/N.data (N = 1, 2,\n"
          "                     ...) as it arrives, and print the file's name in\n"
          "                     place of the data; events of any size, in fixed\n"
          "                     memory (a discarded event's file is removed)\n"
          "  --max-line N       longest line, in bytes (default 4 MiB)\n"
          "  --max-event N      largest event data, in bytes (default 4 MiB)\n"
          "  --max-field N      longest event type, id or comment (default 64 KiB)\n"
          "  -h, --help         show this help and exit\n"
          "  -V, --version      show the version and exit\n"
          "\n"
          "An event over a limit is reported as {\"error\":...} and skipped;\n"
          "parsing goes on. Memory: at most max-event + 4 x max-field for the\n"
          "parser, plus a fixed 128 KiB; an event is never copied. With\n"
          "--pieces or --data-dir no data is kept: data lines have no max-line\n"
          "and events no max-event.\n"
          "Exit status: 0 input read to the end (or the reader of the output\n"
          "went away), 2 usage, 3 input or output error.\n",
          stdout);
}

enum { OPT_CHUNK = 256, OPT_UTF8, OPT_COMMENTS, OPT_MAX_LINE, OPT_MAX_EVENT,
       OPT_MAX_FIELD, OPT_PIECES, OPT_DATA_DIR };

/* Returns TOOL_OK, or TOOL_USAGE after saying why; *done for --help. */
static int parse_args(int argc, char **argv, size_t *chunk,
                      sse_parser_options *opt, sse_callbacks *cb,
                      const char **path, const char **data_dir, int *done)
{
    static const struct option longopts[] = {
        {"chunk", required_argument, NULL, OPT_CHUNK},
        {"utf8", required_argument, NULL, OPT_UTF8},
        {"comments", no_argument, NULL, OPT_COMMENTS},
        {"max-line", required_argument, NULL, OPT_MAX_LINE},
        {"max-event", required_argument, NULL, OPT_MAX_EVENT},
        {"max-field", required_argument, NULL, OPT_MAX_FIELD},
        {"pieces", no_argument, NULL, OPT_PIECES},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        TOOL_STANDARD_OPTIONS,
    };
    int c, idx = 0;
    while ((c = getopt_long(argc, argv, "hV", longopts, &idx)) != -1) {
        uint64_t v;
        switch (c) {
        case OPT_COMMENTS:
            cb->on_comment = json_lines_on_comment;
            break;
        case OPT_PIECES:
        case OPT_DATA_DIR:
            if (opt->flags & SSE_PARSER_STREAM_DATA) {
                fprintf(stderr, "%s: --pieces and --data-dir exclude each "
                                "other\n", prog);
                return tool_usage_error(prog);
            }
            opt->flags |= SSE_PARSER_STREAM_DATA;
            cb->on_event = NULL;
            if (c == OPT_PIECES) {
                cb->on_event_start = json_lines_on_start;
                cb->on_data = json_lines_on_piece;
                cb->on_event_end = json_lines_on_end;
            } else {
                *data_dir = optarg;
                cb->on_event_start = data_files_on_start;
                cb->on_data = data_files_on_data;
                cb->on_event_end = data_files_on_end;
            }
            break;
        case OPT_UTF8:
            if (strcmp(optarg, "replace") == 0)
                opt->flags |= SSE_PARSER_UTF8_REPLACE;
            else if (strcmp(optarg, "pass") == 0)
                opt->flags &= ~(unsigned)SSE_PARSER_UTF8_REPLACE;
            else
                return tool_bad_value(prog, "utf8", "'pass' or 'replace'");
            break;
        case OPT_CHUNK:
        case OPT_MAX_LINE:
        case OPT_MAX_EVENT:
        case OPT_MAX_FIELD:
            if (tool_parse_u64(optarg, SIZE_MAX, &v) != 0 || v == 0)
                return tool_bad_value(prog, longopts[idx].name,
                                      "a size in bytes, at least 1");
            if (c == OPT_CHUNK)
                *chunk = (size_t)v;
            else
                *(c == OPT_MAX_LINE    ? &opt->max_line
                  : c == OPT_MAX_EVENT ? &opt->max_event
                                       : &opt->max_field) = (size_t)v;
            break;
        default:
            *done = 1;
            return tool_standard_option(c, prog, usage);
        }
    }
    return tool_file_operand(argc, argv, optind, prog, path);
}

int main(int argc, char **argv)
{
    static char buf[1 << 16];
    sse_parser_options opt;
    sse_callbacks cb;
    sse_parser parser;
    struct data_files files; /* its first member: the JSON lines */
    struct json_lines *d = &files.lines;
    const char *data_dir = NULL;
    size_t chunk = 4096;
    const char *path = NULL;
    int fd = 0, rc, done = 0, status = TOOL_OK;

    tool_no_sigpipe();
    memset(&opt, 0, sizeof opt);
    sse_callbacks_init(&cb);
    cb.on_event = json_lines_on_event;
    cb.on_retry = json_lines_on_retry;
    cb.on_error = json_lines_on_error;
    rc = parse_args(argc, argv, &chunk, &opt, &cb, &path, &data_dir, &done);
    if (rc != TOOL_OK || done)
        return rc;

    if (data_dir && mkdir(data_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: %s\n", prog, data_dir, strerror(errno));
        return TOOL_IO;
    }
    if (path) {
        fd = open(path, O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
            return TOOL_IO;
        }
    }

    memset(&files, 0, sizeof files);
    d->out = stdout;
    files.dir = data_dir;
    files.next = 1;
    opt.alloc = json_lines_alloc;
    rc = sse_parser_init(&parser, &cb, &files, &opt);
    if (rc != SSE_OK) {
        fprintf(stderr, "%s: %s\n", prog, sse_strerror(rc));
        return rc == SSE_E_NOMEM ? TOOL_IO : TOOL_USAGE;
    }

    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        size_t off = 0;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: %s: %s\n", prog, path ? path : "stdin",
                    strerror(errno));
            status = TOOL_IO;
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
        /* Live streams: show what arrived before blocking on read again. */
        if (sse_parser_status(&parser) != SSE_OK || json_lines_flush(d) != 0)
            break;
    }
    /* Also after an error: an event left open ends (discarded), and with
     * --data-dir its partial file is removed. */
    sse_parser_finish(&parser);
    json_lines_flush(d);
    if (files.file_errno) {
        fprintf(stderr, "%s: %s: %s\n", prog, files.failed_path,
                strerror(files.file_errno));
        status = TOOL_IO;
    } else if (d->write_errno && !tool_reader_gone(d->write_errno)) {
        fprintf(stderr, "%s: cannot write output: %s\n", prog,
                strerror(d->write_errno));
        status = TOOL_IO;
    } else if (status == TOOL_OK && sse_parser_status(&parser) != SSE_OK &&
               !d->write_errno) {
        fprintf(stderr, "%s: %s\n", prog,
                sse_strerror(sse_parser_status(&parser)));
        status = TOOL_IO;
    }
    sse_parser_destroy(&parser);
    if (fd > 0)
        close(fd);
    return status;
}
