/* sse-encode: reads JSON lines {"type","data","id","retry","comment"} and
 * writes each as one text/event-stream frame (the command-line contract in
 * README.md).
 *
 *   sse-encode [--keep-going] [FILE]
 *
 * A record the encoder refuses, or that is not a valid record, is reported on
 * stderr with its line number; nothing of it is written. Without
 * --keep-going the run stops there (earlier frames are already written).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sse.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

struct record {
    sse_frame frame;
    char why[160]; /* set when the record is not valid */
};

static int write_stdout(void *user, const char *buf, size_t len)
{
    (void)user;
    return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
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
    sse_ssize n;

    if (blank(line, len))
        return 0;
    if (len > INT32_MAX) {
        fprintf(stderr, "sse-encode: line %lu: line too long\n", lineno);
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
        fprintf(stderr, "sse-encode: line %lu: invalid JSON: %s\n", lineno,
                obj ? "text after the record"
                    : jerr == json_tokener_continue
                          ? "unexpected end of line"
                          : json_tokener_error_desc(jerr));
        json_object_put(obj);
        return EXIT_REFUSED;
    }
    r.frame.flags = SSE_FRAME_CHECK_UTF8;
    if (to_frame(&r, obj, range_error) != 0) {
        fprintf(stderr, "sse-encode: line %lu: %s\n", lineno, r.why);
        rc = EXIT_REFUSED;
    } else if ((n = sse_encode_to(write_stdout, NULL, &r.frame)) < 0) {
        if (n == SSE_E_CALLBACK) {
            rc = EXIT_IO;
        } else {
            fprintf(stderr, "sse-encode: line %lu: %s: %s; event not written\n",
                    lineno, sse_errname((int)n), sse_strerror((int)n));
            rc = EXIT_REFUSED;
        }
    } else if (fflush(stdout) != 0) { /* live input: show each frame now */
        rc = EXIT_IO;
    }
    json_object_put(obj);
    return rc;
}

static void usage(FILE *f)
{
    fputs("usage: sse-encode [--keep-going] [FILE]\n"
          "Reads JSON lines {\"type\",\"data\",\"id\",\"retry\",\"comment\"} "
          "from FILE (or stdin)\nand writes one text/event-stream frame per "
          "line. A refused record is reported\nwith its line number and stops "
          "the run (--keep-going: skip it and go on).\n"
          "Exit status: 0 all written, 1 a record was refused, 2 usage, "
          "3 read/write error.\n",
          f);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    FILE *in = stdin;
    json_tokener *tok;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long lineno = 0;
    int keep_going = 0, status = 0, i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--keep-going") == 0) {
            keep_going = 1;
        } else if ((strcmp(a, "-") == 0 || a[0] != '-') && !path) {
            path = a;
        } else {
            fprintf(stderr, "sse-encode: unexpected argument %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (path && strcmp(path, "-") != 0 && !(in = fopen(path, "r"))) {
        fprintf(stderr, "sse-encode: %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    tok = json_tokener_new();
    if (!tok) {
        fprintf(stderr, "sse-encode: out of memory\n");
        return EXIT_IO;
    }
    /* Strict JSON, and UTF-8 only: JSON text is UTF-8 (RFC 8259). */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                    JSON_TOKENER_VALIDATE_UTF8);

    while ((got = getline(&line, &cap, in)) >= 0) {
        int rc = encode_line(tok, line, (size_t)got, ++lineno);
        if (rc == EXIT_IO) {
            fprintf(stderr, "sse-encode: cannot write output\n");
            status = EXIT_IO;
            break;
        }
        if (rc != 0) {
            status = rc;
            if (!keep_going)
                break;
        }
    }
    if (status != EXIT_IO && ferror(in)) {
        fprintf(stderr, "sse-encode: read: %s\n", strerror(errno));
        status = EXIT_IO;
    }
    if (fflush(stdout) != 0 && status != EXIT_IO) {
        fprintf(stderr, "sse-encode: cannot write output\n");
        status = EXIT_IO;
    }
    free(line);
    json_tokener_free(tok);
    if (in != stdin)
        fclose(in);
    return status;
}
