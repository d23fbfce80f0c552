/* The line-end searches in src/sse_scan.h. sse__find_eol (the encoder's):
 * the first CR or LF, or the end, for every length up to 300, every
 * position of the line end, both kinds, and every starting alignment;
 * sse__small_has_eol (the parser's small-feed test) likewise up to 64; the
 * parser's mask scans below. Each input sits in an exact-size heap block, so ASan catches
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

static void small_chunks(void **state)
{
    static const char kinds[] = {'\n', '\r'};
    size_t len, at, k;
    (void)state;
    for (len = 0; len <= 64; len++) {
        char *b = block(len, '\x8d');
        assert_false(sse__small_has_eol(b, len));
        for (at = 0; at < len; at++)
            for (k = 0; k < 2; k++) {
                b[at] = kinds[k];
                assert_true(sse__small_has_eol(b, len));
                b[at] = '\x8d';
            }
        free(b);
    }
}

/* Every way of computing line-end masks this build has (sse__find_for,
 * the parser's scan) against a byte loop: random bytes rich in CR, LF and
 * their bit-neighbours, every length to 200, every start; the found block
 * and mask must be exactly those of the first block holding a line end at
 * or after s. Ways this CPU cannot run are left out. */
static int way_runs(unsigned way)
{
#if SSE__X86_DISPATCH
    if (way == SSE__SCAN_AVX512)
        return __builtin_cpu_supports("avx512bw");
    if (way == SSE__SCAN_AVX2)
        return __builtin_cpu_supports("avx2");
    return way == SSE__SCAN_SSE2 || way == SSE__SCAN_PORTABLE;
#elif SSE__SSE2
    return way == SSE__SCAN_SSE2 || way == SSE__SCAN_PORTABLE;
#elif SSE__NEON
    return way == SSE__SCAN_NEON || way == SSE__SCAN_PORTABLE;
#else
    return way == SSE__SCAN_PORTABLE;
#endif
}

static void masks_every_way(void **state)
{
    static const char alphabet[] = {'\n', '\r', 'a', '\x8a', '\x8d',
                                    '\x0c', '\x0e', 0};
    unsigned way, tried = 0;
    size_t len, start, i;
    (void)state;
    for (way = SSE__SCAN_PORTABLE; way <= SSE__SCAN_NEON; way++) {
        if (!way_runs(way))
            continue;
        tried++;
        for (len = 0; len <= 200; len++) {
            char *b = block(len, 'x');
            for (i = 0; i < len; i++) /* sparse line ends, some runs */
                b[i] = test_rng(9) ? alphabet[2 + test_rng(6)]
                                   : alphabet[test_rng(2)];
            for (start = 0; start <= len && start < 64; start++) {
                const char *blk = b, *want_blk = NULL;
                uint64_t want = 0, got;
                size_t at;
                for (at = start; at < len; at++)
                    if (b[at] == '\n' || b[at] == '\r')
                        break;
                if (at < len) {
                    size_t j;
                    want_blk = b + at / 64 * 64;
                    for (j = at; j < len && j < (size_t)(want_blk - b) + 64; j++)
                        if (b[j] == '\n' || b[j] == '\r')
                            want |= (uint64_t)1 << (j % 64);
                }
                got = sse__find_for(way)(&blk, b + start, b + len);
                assert_true(got == want);
                if (want)
                    assert_ptr_equal(blk, want_blk);
            }
            free(b);
        }
    }
    assert_true(tried >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_line_end),
        cmocka_unit_test(every_position),
        cmocka_unit_test(first_of_many),
        cmocka_unit_test(small_chunks),
        cmocka_unit_test(masks_every_way),
    };
    return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
