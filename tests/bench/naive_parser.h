/* The parser people write by hand, for sse-bench to compare against (see
 * naive_parser.c). Not part of the library. */
#ifndef NAIVE_PARSER_H
#define NAIVE_PARSER_H

#include <stddef.h>

typedef struct naive_parser {
    char *buf; /* unparsed bytes, NUL-terminated */
    size_t len, cap;
    char *data, *event, *id;
    size_t data_len;
    long retry;
    unsigned long events;
    unsigned long long data_bytes;
} naive_parser;

void naive_init(naive_parser *p);
void naive_feed(naive_parser *p, const char *chunk, size_t n);
void naive_free(naive_parser *p);

#endif
