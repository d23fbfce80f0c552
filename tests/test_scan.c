/* The line-end search the parser and encoder share (sse__find_eol, in
 * src/sse_scan.h): the first CR or LF, or the end, for every length up
 * to 300, every position of the line end, both kinds, and every starting
 * alignment. Each input sits in an exact-size heap block, so ASan catches
 * any read outside [s, end). Built once with SSE2 and, in CI's gcc build,
 * with SSE_NO_SIMD: the portable path gets the same checks. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "sse_internal.h"

static char *block(size_t n, char fill)
{
    char *b = malloc(n ? n : 1);
    assert_non_null(b);
    memset(b, fill, n);
    return b;
}

static void no_line_end(void **state)
{
    size_t len, start;
    (void)state;
    for (len = 0; len <= 300; len++) {
        /* Bytes that are neither CR nor LF but share bits with them. */
        char *b = block(len, '\x8d');
        for (start = 0; start <= len && start < 70; start++)
            assert_ptr_equal(sse__find_eol(b + start, b + len), b + len);
        free(b);
    }
}

static void every_position(void **state)
{
    static const char kinds[] = {'\n', '\r'};
    size_t len, at, start, k;
    (void)state;
    for (len = 1; len <= 300; len++) {
        char *b = block(len, 'x');
        for (at = 0; at < len; at++) {
            for (k = 0; k < 2; k++) {
                b[at] = kinds[k];
                for (start = 0; start <= at && start < 40; start++)
                    assert_ptr_equal(sse__find_eol(b + start, b + len),
                                     b + at);
                /* Past the line end: the end of the input. */
                if (at + 1 <= len)
                    assert_ptr_equal(sse__find_eol(b + at + 1, b + len),
                                     b + len);
                b[at] = 'x';
            }
        }
        free(b);
    }
}

/* The first of several wins, whatever lies after it. */
static void first_of_many(void **state)
{
    size_t len, a;
    (void)state;
    for (len = 2; len <= 200; len++) {
        char *b = block(len, 'y');
        for (a = 0; a + 1 < len; a++) {
            b[a] = '\r';
            b[len - 1] = '\n';
            assert_ptr_equal(sse__find_eol(b, b + len), b + a);
            b[a] = 'y';
        }
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_line_end),
        cmocka_unit_test(every_position),
        cmocka_unit_test(first_of_many),
    };
    return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
