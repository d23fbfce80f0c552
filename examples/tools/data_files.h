/* Each event's data to a file of its own, written as it arrives (streaming
 * delivery), never held in memory: sse-dump --data-dir DIR.
 *
 * An event's data goes to DIR/N.data.part while it arrives; when the event
 * dispatches, the file becomes DIR/N.data (N counts dispatched events from
 * 1) and one JSON line names it; a discarded event's file is removed, as
 * the spec discards the event. The callbacks take a struct data_files *
 * as their user pointer; its first member is the struct json_lines the
 * other JSON-lines callbacks use, so one pointer serves both. */
#ifndef SSE_EXAMPLE_DATA_FILES_H
#define SSE_EXAMPLE_DATA_FILES_H

#include <limits.h>
#include <stdio.h>

#include "json_lines.h"
#include "sse.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct data_files {
    struct json_lines lines; /* first: the JSON-lines callbacks' view */
    const char *dir;
    FILE *file;                /* the open event's data, or NULL */
    unsigned long next;        /* N of the next dispatched event */
    char part[PATH_MAX];
    int file_errno;            /* errno of the first failed file call */
    char failed_path[PATH_MAX];
};

int data_files_on_start(sse_parser *p, void *user);
int data_files_on_data(sse_parser *p, const char *s, size_t n, void *user);
int data_files_on_end(sse_parser *p, const sse_event *ev, int status,
                      void *user);

#endif
