/* sse-encode: reads JSON lines {"type","data","id","retry","comment"} and
 * writes each as one text/event-stream frame (the command-line contract in
 * docs/tools.md).
 *
 *   sse-encode [--keep-going] [FILE]
 *
 * A record the encoder refuses, or that is not a valid record, is reported on
 * stderr with its line number; nothing of it is written. Without
 * --keep-going the run stops there (earlier frames are already written).
 * Malformed JSON is refused rather than guessed at: json-c would turn a
 * lone surrogate escape into U+FFFD and keep the last of two equal keys,
 * so both are checked on the raw text first.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sse.h"
#include "tool_common.h"

enum { EXIT_REFUSED = TOOL_FAILED, EXIT_USAGE = TOOL_USAGE, EXIT_IO = TOOL_IO };
static const char prog[] = "sse-encode";

struct record {
    sse_frame frame;
    char why[160]; /* set when the record is not valid */
};

/* errno of the first failed write to stdout; 0 while none failed. */
static int out_errno;

static int out_failed(void)
{
    if (!out_errno)
        out_errno = errno ? errno : EIO;
    return -1;
}

static int write_stdout(void *user, const char *buf, size_t len)
{
    (void)user;
    return fwrite(buf, 1, len, stdout) == len ? 0 : out_failed();
}

/* A string member (or null, meaning absent) into *s / *len. */
static int get_text(struct record *r, json_object *v, const char *key,
                    const char **s, size_t *len)
{
    if (json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(r->why, sizeof r->why, "\"%s\" must be a string", key);
        return -1;
    }
    *s = json_object_get_string(v);
    *len = (size_t)json_object_get_string_len(v);
    return 0;
}

/* "retry": an integer from 0 to 2^64-1 (or null). json-c saturates larger
 * integers at UINT64_MAX and reports ERANGE while parsing, which is the only
 * way to tell 2^64 from 2^64-1 (range_error). */
static int get_retry(struct record *r, json_object *v, int range_error)
{
    if (json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) < 0) {
        snprintf(r->why, sizeof r->why,
                 "\"retry\" must be a non-negative integer");
        return -1;
    }
    r->frame.retry_ms = json_object_get_uint64(v);
    if (r->frame.retry_ms == UINT64_MAX && range_error) {
        snprintf(r->why, sizeof r->why, "\"retry\" does not fit in 64 bits");
        return -1;
    }
    r->frame.flags |= SSE_FRAME_RETRY;
    return 0;
}

/* Fills r from one JSON object. Returns 0, or -1 with r->why set. */
static int to_frame(struct record *r, json_object *obj, int range_error)
{
    struct json_object_iterator it, end;
    if (!json_object_is_type(obj, json_type_object)) {
        snprintf(r->why, sizeof r->why, "a record must be a JSON object");
        return -1;
    }
    it = json_object_iter_begin(obj);
    end = json_object_iter_end(obj);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *key = json_object_iter_peek_name(&it);
        json_object *v = json_object_iter_peek_value(&it);
        sse_frame *f = &r->frame;
        int rc;
        if (strcmp(key, "data") == 0)
            rc = get_text(r, v, key, &f->data, &f->data_len);
        else if (strcmp(key, "type") == 0)
            rc = get_text(r, v, key, &f->type, &f->type_len);
        else if (strcmp(key, "id") == 0)
            rc = get_text(r, v, key, &f->id, &f->id_len);
        else if (strcmp(key, "comment") == 0)
            rc = get_text(r, v, key, &f->comment, &f->comment_len);
        else if (strcmp(key, "retry") == 0)
            rc = get_retry(r, v, range_error);
        else {
            snprintf(r->why, sizeof r->why,
                     "unknown key \"%.60s\" (expected type, data, id, retry, "
                     "comment)",
                     key);
            rc = -1;
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int hex4(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    size_t i;
    if (n < 4)
        return -1;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d > 15)
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* What json-c accepts but forgives, found on the raw text of a record that
 * json-c parsed: a \u escape of a surrogate that is not half of a pair,
 * and the number of keys of the outer object (more than json-c kept means
 * a key was repeated). Returns 0, or -1 with r->why set. */
static int check_raw(struct record *r, const char *s, size_t n,
                     size_t *outer_keys)
{
    size_t i = 0, depth = 0;
    int in_string = 0, expect_key = 0;
    *outer_keys = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (!in_string) {
            if (c == '"') {
                in_string = 1;
                if (depth == 1 && expect_key)
                    ++*outer_keys;
                expect_key = 0;
            } else if (c == '{' || c == '[') {
                depth++;
                expect_key = c == '{' && depth == 1;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 1) {
                expect_key = 1;
            }
            continue;
        }
        if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < n) {
            unsigned u, low;
            i++;
            if (s[i] != 'u' || hex4(s + i + 1, n - i - 1, &u) != 0)
                continue;
            i += 4;
            if (u < 0xD800 || u > 0xDFFF)
                continue;
            if (u <= 0xDBFF && i + 2 < n && s[i + 1] == '\\' &&
                s[i + 2] == 'u' && hex4(s + i + 3, n - i - 3, &low) == 0 &&
                low >= 0xDC00 && low <= 0xDFFF) {
                i += 6;
                continue;
            }
            snprintf(r->why, sizeof r->why,
                     "invalid JSON: \\u%04X is half of a surrogate pair "
                     "(not a character)", u);
            return -1;
        }
    }
    return 0;
}

static int blank(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Encodes one input line. Returns 0 (written or blank), EXIT_REFUSED after
 * reporting why, or EXIT_IO. */
static int encode_line(json_tokener *tok, const char *line, size_t len,
                       unsigned long lineno)
{
    struct record r;
    json_object *obj;
    enum json_tokener_error jerr;
    int range_error, rc = 0;
    size_t outer_keys;
    sse_ssize n;

    if (blank(line, len))
        return 0;
    if (len > INT32_MAX) {
        fprintf(stderr, "%s: line %lu: line too long\n", prog, lineno);
        return EXIT_REFUSED;
    }
    memset(&r, 0, sizeof r);
    json_tokener_reset(tok);
    errno = 0;
    obj = json_tokener_parse_ex(tok, line, (int)len);
    range_error = errno == ERANGE;
    jerr = json_tokener_get_error(tok);
    if (!obj || jerr != json_tokener_success ||
        !blank(line + json_tokener_get_parse_end(tok),
               len - json_tokener_get_parse_end(tok))) {
        fprintf(stderr, "%s: line %lu: invalid JSON: %s\n", prog, lineno,
                obj ? "text after the record"
                    : jerr == json_tokener_continue
                          ? "unexpected end of line"
                          : json_tokener_error_desc(jerr));
        json_object_put(obj);
        return EXIT_REFUSED;
    }
    r.frame.flags = SSE_FRAME_CHECK_UTF8;
    if (check_raw(&r, line, len, &outer_keys) != 0) {
        fprintf(stderr, "%s: line %lu: %s\n", prog, lineno, r.why);
        rc = EXIT_REFUSED;
    } else if (json_object_is_type(obj, json_type_object) &&
               outer_keys > (size_t)json_object_object_length(obj)) {
        fprintf(stderr, "%s: line %lu: a key appears twice in the record\n",
                prog, lineno);
        rc = EXIT_REFUSED;
    } else if (to_frame(&r, obj, range_error) != 0) {
        fprintf(stderr, "%s: line %lu: %s\n", prog, lineno, r.why);
        rc = EXIT_REFUSED;
    } else if ((n = sse_encode_to(write_stdout, NULL, &r.frame)) < 0) {
        if (n == SSE_E_CALLBACK) {
            rc = EXIT_IO;
        } else {
            fprintf(stderr, "%s: line %lu: %s: %s; event not written\n",
                    prog, lineno, sse_errname((int)n), sse_strerror((int)n));
            rc = EXIT_REFUSED;
        }
    } else if (fflush(stdout) != 0) { /* live input: show each frame now */
        out_failed();
        rc = EXIT_IO;
    }
    json_object_put(obj);
    return rc;
}

static void usage(void)
{
    fputs("Usage: sse-encode [OPTION]... [FILE]\n"
          "Read JSON lines {\"type\",\"data\",\"id\",\"retry\",\"comment\"} "
          "from FILE (or\nstandard input; '-' too) and write one "
          "text/event-stream frame for each.\n"
          "\n"
          "  -k, --keep-going   skip a refused record and go on (default: stop "
          "there)\n"
          "  -h, --help         show this help and exit\n"
          "  -V, --version      show the version and exit\n"
          "\n"
          "A refused record is reported on stderr with its line number; "
          "nothing of it\nis written, the frames before it are.\n"
          "Exit status: 0 all written (or the reader of the output went "
          "away),\n1 a record was refused, 2 usage, 3 input or output "
          "error.\n",
          stdout);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"keep-going", no_argument, NULL, 'k'},
        TOOL_STANDARD_OPTIONS,
    };
    const char *path = NULL;
    FILE *in = stdin;
    json_tokener *tok;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    int keep_going = 0, status = 0, c;

    tool_no_sigpipe();
    while ((c = getopt_long(argc, argv, "khV", longopts, NULL)) != -1) {
        if (c == 'k')
            keep_going = 1;
        else
            return tool_standard_option(c, prog, usage);
    }
    if (tool_file_operand(argc, argv, optind, prog, &path) != TOOL_OK)
        return TOOL_USAGE;
    if (path && !(in = fopen(path, "r"))) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return EXIT_IO;
    }
    tok = json_tokener_new();
    if (!tok) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EXIT_IO;
    }
    /* Strict JSON, and UTF-8 only: JSON text is UTF-8 (RFC 8259). */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                    JSON_TOKENER_VALIDATE_UTF8);

    while ((got = getline(&line, &cap, in)) >= 0) {
        int rc = encode_line(tok, line, (size_t)got, ++lineno);
        if (rc == EXIT_IO)
            break;
        if (rc != 0) {
            status = rc;
            if (!keep_going)
                break;
        }
    }
    if (!out_errno && ferror(in)) {
        fprintf(stderr, "%s: %s: %s\n", prog, path ? path : "stdin",
                strerror(errno));
        status = EXIT_IO;
    }
    if (!out_errno && fflush(stdout) != 0)
        out_failed();
    if (out_errno && !tool_reader_gone(out_errno)) {
        fprintf(stderr, "%s: cannot write output: %s\n", prog,
                strerror(out_errno));
        status = EXIT_IO;
    }
    free(line);
    json_tokener_free(tok);
    if (in != stdin)
        fclose(in);
    return status;
}
