/* sse-dump --data-dir: each event's data to its own file (data_files.h). */
#include "data_files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Notes the first failure with its path; the parser then stops
 * (SSE_E_CALLBACK) and sse-dump reports it. */
static int failed(struct data_files *df, const char *path)
{
    if (!df->file_errno) {
        df->file_errno = errno ? errno : EIO;
        snprintf(df->failed_path, sizeof df->failed_path, "%s", path);
    }
    return SSE_E_CALLBACK;
}

static int event_path(const struct data_files *df, char *out, size_t cap,
                      const char *suffix)
{
    int n = snprintf(out, cap, "%s/%lu.data%s", df->dir, df->next, suffix);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int data_files_on_start(sse_parser *p, void *user)
{
    struct data_files *df = user;
    (void)p;
    errno = ENAMETOOLONG;
    if (event_path(df, df->part, sizeof df->part, ".part") != 0)
        return failed(df, df->dir);
    df->file = fopen(df->part, "wb");
    return df->file ? 0 : failed(df, df->part);
}

int data_files_on_data(sse_parser *p, const char *s, size_t n, void *user)
{
    struct data_files *df = user;
    (void)p;
    if (fwrite(s, 1, n, df->file) != n)
        return failed(df, df->part);
    return 0;
}

int data_files_on_end(sse_parser *p, const sse_event *ev, int status,
                      void *user)
{
    struct data_files *df = user;
    char final[PATH_MAX];
    int closed;
    (void)p;
    if (!df->file) /* its start failed, already reported */
        return SSE_E_CALLBACK;
    closed = fclose(df->file);
    df->file = NULL;
    if (status != SSE_OK) { /* discarded: so is what it wrote */
        remove(df->part);
        return 0;
    }
    if (closed != 0)
        return failed(df, df->part);
    errno = ENAMETOOLONG;
    if (event_path(df, final, sizeof final, "") != 0)
        return failed(df, df->dir);
    if (rename(df->part, final) != 0)
        return failed(df, final);
    df->next++;
    return json_lines_event_file(&df->lines, ev, final, ev->data_len);
}
