/* The resume history: lookups (resume, up to date, unknown), eviction by
 * count and by bytes with the ring wrapping around, cursors that fall
 * behind, cursors waiting for frames not added yet, and refusals. */
#include "trace.h"

#include <stdio.h>
#include <string.h>

static void add(sse_history *h, const char *id, const char *frame)
{
    assert_int_equal(sse_history_add(h, id, strlen(id), frame, strlen(frame)),
                     SSE_OK);
}

static void add_sized(sse_history *h, const char *id, const char *frame,
                      size_t len)
{
    assert_int_equal(sse_history_add(h, id, strlen(id), frame, len), SSE_OK);
}

static void add_n(sse_history *h, int n, size_t frame_len)
{
    char id[16], frame[256];
    assert_true(frame_len < sizeof frame);
    memset(frame, 'f', frame_len);
    snprintf(id, sizeof id, "%d", n);
    frame[0] = (char)('0' + n % 10);
    assert_int_equal(sse_history_add(h, id, strlen(id), frame, frame_len),
                     SSE_OK);
}

/* The frames a cursor yields, as "f1 f2 ", up to 0, or "EVICTED". */
static void expect_walk(const sse_history *h, sse_history_cursor c,
                        const char *want)
{
    char got[1024] = "";
    const char *frame, *id;
    size_t len, id_len;
    int rc;
    while ((rc = sse_history_next(h, &c, &frame, &len, &id, &id_len)) == 1) {
        size_t at = strlen(got);
        assert_true(at + len + 2 < sizeof got);
        memcpy(got + at, frame, len);
        got[at + len] = ' ';
        got[at + len + 1] = '\0';
    }
    if (rc == SSE_E_EVICTED)
        strcat(got, "EVICTED");
    else
        assert_int_equal(rc, 0);
    assert_string_equal(got, want);
}

static void empty_store(void **state)
{
    static char mem[256];
    sse_history h;
    sse_history_cursor c;
    (void)state;
    assert_int_equal(sse_history_init(&h, mem, sizeof mem, 0), SSE_OK);
    assert_int_equal(sse_history_count(&h), 0);
    assert_int_equal(sse_history_find(&h, "1", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "", 0, &c), SSE_HISTORY_UNKNOWN);
    sse_history_now(&h, &c);
    expect_walk(&h, c, "");
    sse_history_oldest(&h, &c);
    expect_walk(&h, c, "");
    /* A live cursor made on the empty store gets what is added later. */
    add(&h, "1", "f1");
    expect_walk(&h, c, "f1 ");
}

static void resume_current_unknown(void **state)
{
    static char mem[1024];
    sse_history h;
    sse_history_cursor c, live;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    add(&h, "1", "f1");
    add(&h, "2", "f2");
    add(&h, "3", "f3");
    assert_int_equal(sse_history_find(&h, "1", 1, &c), SSE_HISTORY_RESUME);
    expect_walk(&h, c, "f2 f3 ");
    assert_int_equal(sse_history_find(&h, "3", 1, &c), SSE_HISTORY_CURRENT);
    expect_walk(&h, c, "");
    sse_history_now(&h, &live);
    assert_int_equal(sse_history_find(&h, "4", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "", 0, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "11", 2, &c), SSE_HISTORY_UNKNOWN);
    /* The up-to-date cursor and the live one get the frames added next. */
    assert_int_equal(sse_history_find(&h, "3", 1, &c), SSE_HISTORY_CURRENT);
    add(&h, "4", "f4");
    add(&h, "5", "f5");
    expect_walk(&h, c, "f4 f5 ");
    expect_walk(&h, live, "f4 f5 ");
    sse_history_oldest(&h, &c);
    expect_walk(&h, c, "f1 f2 f3 f4 f5 ");
    assert_int_equal(sse_history_count(&h), 5);
}

/* IDs are matched byte for byte; a repeated ID matches its newest frame. */
static void ids(void **state)
{
    static char mem[1024];
    sse_history h;
    sse_history_cursor c;
    const char *frame, *id;
    size_t len, id_len;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    add(&h, "a", "f1");
    add(&h, "b", "f2");
    add(&h, "a", "f3");
    add(&h, "c", "f4");
    assert_int_equal(sse_history_find(&h, "a", 1, &c), SSE_HISTORY_RESUME);
    expect_walk(&h, c, "f4 ");
    assert_int_equal(sse_history_find(&h, "A", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_add(&h, "x\0y", 3, "f5", 2), SSE_OK);
    assert_int_equal(sse_history_find(&h, "x", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "x\0y", 3, &c), SSE_HISTORY_CURRENT);
    /* next gives the frame's ID too. */
    assert_int_equal(sse_history_find(&h, "b", 1, &c), SSE_HISTORY_RESUME);
    assert_int_equal(sse_history_next(&h, &c, &frame, &len, &id, &id_len), 1);
    assert_int_equal(id_len, 1);
    assert_memory_equal(id, "a", 1);
    assert_memory_equal(frame, "f3", 2);
}

static void evict_by_count(void **state)
{
    static char mem[1024];
    sse_history h;
    sse_history_cursor c, slow;
    int i;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 3);
    add(&h, "1", "f1");
    sse_history_oldest(&h, &slow);
    for (i = 2; i <= 5; i++) {
        char id[4], frame[4];
        snprintf(id, sizeof id, "%d", i);
        snprintf(frame, sizeof frame, "f%d", i);
        add(&h, id, frame);
    }
    assert_int_equal(sse_history_count(&h), 3);
    assert_int_equal(sse_history_find(&h, "1", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "2", 1, &c), SSE_HISTORY_UNKNOWN);
    assert_int_equal(sse_history_find(&h, "3", 1, &c), SSE_HISTORY_RESUME);
    expect_walk(&h, c, "f4 f5 ");
    /* A cursor whose next frame was evicted: the client fell behind. */
    expect_walk(&h, slow, "EVICTED");
    /* Behind by exactly one frame. */
    assert_int_equal(sse_history_find(&h, "3", 1, &c), SSE_HISTORY_RESUME);
    add(&h, "6", "f6"); /* evicts f3; c wants f4: still there */
    expect_walk(&h, c, "f4 f5 f6 ");
    assert_int_equal(sse_history_find(&h, "4", 1, &c), SSE_HISTORY_RESUME);
    add(&h, "7", "f7"); /* evicts f4 */
    add(&h, "8", "f8"); /* evicts f5, the frame c wants */
    expect_walk(&h, c, "EVICTED");
}

/* Frames of 1 to 150 bytes in a 256-byte store, many thousands of them:
 * after every add, the store holds exactly the newest frames (a contiguous
 * run ending with the one just added), byte for byte, and the sizes add up
 * to no more than the store. */
static void random_sizes_keep_the_newest(void **state)
{
    static char mem[256];
    static char frames[4000][151];
    static size_t lens[4000];
    sse_history h;
    size_t n, i;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    for (n = 0; n < 4000; n++) {
        sse_history_cursor c;
        const char *frame, *id;
        size_t len, id_len, count, bytes = 0;
        char idtext[16];
        lens[n] = 1 + test_rng(150);
        for (i = 0; i < lens[n]; i++)
            frames[n][i] = (char)test_rng(256);
        snprintf(idtext, sizeof idtext, "%zu", n);
        assert_int_equal(sse_history_add(&h, idtext, strlen(idtext), frames[n],
                                         lens[n]),
                         SSE_OK);
        count = sse_history_count(&h);
        assert_true(count >= 1 && count <= n + 1);
        sse_history_oldest(&h, &c);
        for (i = n + 1 - count; i <= n; i++) {
            char want_id[16];
            snprintf(want_id, sizeof want_id, "%zu", i);
            assert_int_equal(
                sse_history_next(&h, &c, &frame, &len, &id, &id_len), 1);
            assert_int_equal(len, lens[i]);
            assert_memory_equal(frame, frames[i], len);
            assert_int_equal(id_len, strlen(want_id));
            assert_memory_equal(id, want_id, id_len);
            bytes += 24 + id_len + len;
        }
        assert_int_equal(sse_history_next(&h, &c, &frame, &len, &id, &id_len),
                         0);
        assert_true(bytes <= sizeof mem);
    }
}

/* Frames of 40 bytes plus ID in 256 bytes: the ring wraps again and again;
 * after every add the newest frames are kept, in order, oldest first
 * evicted, and every stored ID resumes correctly. */
static void evict_by_bytes_and_wrap(void **state)
{
    static char mem[256];
    sse_history h;
    int n;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    for (n = 1; n <= 60; n++) {
        size_t count, k;
        sse_history_cursor c;
        char want[512] = "", piece[64];
        add_n(&h, n, 40 + (size_t)(n % 7) * 3);
        count = sse_history_count(&h);
        assert_true(count >= 1);
        /* Each record: 24 + id + frame bytes; the store holds at most
         * what fits, and at least the newest two (they fit in 256). */
        assert_true(count * (24 + 1 + 40) <= sizeof mem);
        if (n >= 2)
            assert_true(count >= 2);
        for (k = (size_t)n - count + 1; k <= (size_t)n; k++) {
            memset(piece, 'f', sizeof piece);
            piece[0] = (char)('0' + k % 10);
            piece[40 + (k % 7) * 3] = '\0';
            strcat(want, piece);
            strcat(want, " ");
        }
        sse_history_oldest(&h, &c);
        expect_walk(&h, c, want);
        /* Resuming from the oldest stored ID gives all but the first. */
        {
            char id[16];
            snprintf(id, sizeof id, "%d", n - (int)count + 1);
            assert_int_equal(sse_history_find(&h, id, strlen(id), &c),
                             count == 1 ? SSE_HISTORY_CURRENT
                                        : SSE_HISTORY_RESUME);
            expect_walk(&h, c, strchr(want, ' ') + 1);
            snprintf(id, sizeof id, "%d", n - (int)count);
            assert_int_equal(sse_history_find(&h, id, strlen(id), &c),
                             SSE_HISTORY_UNKNOWN);
        }
    }
}

/* A cursor waiting for the next frame must find it wherever the ring puts
 * it: right after the tail, or wrapped to the start. */
static void pending_cursor_across_wrap(void **state)
{
    static char mem[200];
    sse_history h;
    int n;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    for (n = 1; n <= 40; n++) {
        sse_history_cursor live;
        char want[8];
        sse_history_now(&h, &live);
        add_n(&h, n, 30 + (size_t)(n % 5) * 11);
        snprintf(want, sizeof want, "%c", '0' + n % 10);
        {
            const char *frame;
            size_t len;
            assert_int_equal(
                sse_history_next(&h, &live, &frame, &len, NULL, NULL), 1);
            assert_int_equal(len, 30 + (size_t)(n % 5) * 11);
            assert_int_equal(frame[0], want[0]);
            assert_int_equal(
                sse_history_next(&h, &live, &frame, &len, NULL, NULL), 0);
        }
    }
}

/* A cursor that caught up, then finds several frames added at once (a
 * server publishing a batch between two passes over its clients): it gets
 * each of them in order, whether the batch started at the old tail, wrapped
 * to offset 0 part way, or began in a store emptied by one frame that
 * needed all of it. */
static void caught_up_cursor_reads_batches(void **state)
{
    static char mem[600];
    sse_history h;
    sse_history_cursor live;
    int n = 0, round, k;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    sse_history_now(&h, &live);
    for (round = 1; round <= 60; round++) {
        int first = n + 1, batch = 1 + round % 4;
        for (k = 0; k < batch; k++) {
            /* Every ninth round one frame takes the whole store. */
            size_t len = round % 9 == 0 && k == 0
                             ? sizeof mem - SSE_HISTORY_FRAME_OVERHEAD - 3
                             : 20 + (size_t)((round * 7 + k * 13) % 90);
            if (len >= 256) {
                static char big[sizeof mem];
                char id[16];
                memset(big, 'f', len);
                snprintf(id, sizeof id, "%d", ++n);
                big[0] = (char)('0' + n % 10);
                assert_int_equal(sse_history_add(&h, id, strlen(id), big, len),
                                 SSE_OK);
            } else {
                add_n(&h, ++n, len);
            }
        }
        /* Only what is still stored can be read: a batch may evict its own
         * first frames, and then the cursor reports it. */
        for (k = first; k <= n; k++) {
            const char *frame;
            size_t len;
            int r = sse_history_next(&h, &live, &frame, &len, NULL, NULL);
            if (r == SSE_E_EVICTED) {
                sse_history_oldest(&h, &live);
                k = n - (int)sse_history_count(&h);
                continue;
            }
            assert_int_equal(r, 1);
            assert_int_equal(frame[0], '0' + k % 10);
        }
        {
            const char *frame;
            size_t len;
            assert_int_equal(
                sse_history_next(&h, &live, &frame, &len, NULL, NULL), 0);
        }
    }
}

/* fuzz_history's one failing input, kept in its corpus (14e08249...): a
 * 392-byte store that also keeps at most 5 frames, frames of 25 to 166
 * bytes with a repeated ID ("c", five times), lookups, and cursors made
 * live, from the oldest frame and from a lookup, stepping while the ring
 * wraps and both limits evict. Replayed step by step against the list of
 * everything published: after every add the store holds exactly the newest
 * frames within both limits; every cursor gets the next frame it is owed,
 * nothing once it is current, and SSE_E_EVICTED once its frame is gone. */
static void fuzz_case_count_and_bytes_limits(void **state)
{
    enum { ADD, FIND, NOW, OLDEST, NEXT };
    static const struct {
        int op, cursor;
        const char *id;
        size_t len;
    } steps[] = {
        {NOW, 2, NULL, 0},    {ADD, 0, "0", 75},    {FIND, 0, "0", 0},
        {NEXT, 0, NULL, 0},   {ADD, 0, "1", 68},    {ADD, 0, "2", 24},
        {NEXT, 0, NULL, 0},   {ADD, 0, "b", 47},    {ADD, 0, "3", 1},
        {NEXT, 2, NULL, 0},   {ADD, 0, "4", 47},    {ADD, 0, "5", 29},
        {OLDEST, 1, NULL, 0}, {NOW, 3, NULL, 0},    {ADD, 0, "6", 47},
        {OLDEST, 2, NULL, 0}, {ADD, 0, "c", 0},     {ADD, 0, "7", 61},
        {OLDEST, 1, NULL, 0}, {NEXT, 1, NULL, 0},   {NEXT, 0, NULL, 0},
        {NEXT, 3, NULL, 0},   {ADD, 0, "c", 55},    {ADD, 0, "a", 32},
        {NEXT, 1, NULL, 0},   {ADD, 0, "8", 46},    {OLDEST, 1, NULL, 0},
        {OLDEST, 2, NULL, 0}, {NOW, 1, NULL, 0},    {NEXT, 0, NULL, 0},
        {ADD, 0, "c", 69},    {ADD, 0, "c", 27},    {NEXT, 0, NULL, 0},
        {ADD, 0, "c", 62},    {NEXT, 0, NULL, 0},   {ADD, 0, "9", 42},
        {FIND, 0, "x168", 0}, {ADD, 0, "10", 140},  {NEXT, 3, NULL, 0},
        {OLDEST, 2, NULL, 0}, {NEXT, 0, NULL, 0},   {NEXT, 2, NULL, 0},
        {NEXT, 1, NULL, 0},   {NEXT, 3, NULL, 0},
    };
    static char mem[392];
    static char frames[32][160];
    const char *ids[32];
    size_t lens[32], published = 0, want[4] = {0, 0, 0, 0}, i, n;
    int live[4] = {0, 0, 0, 0};
    sse_history h;
    sse_history_cursor cur[4];
    (void)state;
    assert_int_equal(sse_history_init(&h, mem, sizeof mem, 5), SSE_OK);
    for (n = 0; n < sizeof steps / sizeof steps[0]; n++) {
        size_t count = sse_history_count(&h), first = published - count;
        int k = steps[n].cursor;
        const char *frame, *id;
        size_t len, id_len, bytes = 0;
        sse_history_cursor c;
        int rc;
        switch (steps[n].op) {
        case ADD:
            ids[published] = steps[n].id;
            lens[published] = steps[n].len;
            memset(frames[published], 'a' + (int)(published % 26),
                   steps[n].len);
            add_sized(&h, steps[n].id, frames[published], steps[n].len);
            published++;
            count = sse_history_count(&h);
            assert_true(count >= 1 && count <= 5);
            sse_history_oldest(&h, &c);
            for (i = published - count; i < published; i++) {
                assert_int_equal(sse_history_next(&h, &c, &frame, &len, &id,
                                                  &id_len), 1);
                assert_int_equal(len, lens[i]);
                assert_memory_equal(frame, frames[i], len);
                assert_int_equal(id_len, strlen(ids[i]));
                assert_memory_equal(id, ids[i], id_len);
                bytes += 24 + id_len + len;
            }
            assert_int_equal(sse_history_next(&h, &c, &frame, &len, &id,
                                              &id_len), 0);
            assert_true(bytes <= sizeof mem);
            break;
        case FIND: {
            size_t match = SIZE_MAX;
            for (i = first; i < published; i++)
                if (strcmp(ids[i], steps[n].id) == 0)
                    match = i; /* the newest stored match */
            rc = sse_history_find(&h, steps[n].id, strlen(steps[n].id), &c);
            if (match == SIZE_MAX) {
                assert_int_equal(rc, SSE_HISTORY_UNKNOWN);
                break;
            }
            assert_int_equal(rc, match + 1 == published ? SSE_HISTORY_CURRENT
                                                        : SSE_HISTORY_RESUME);
            cur[k] = c;
            want[k] = match + 1;
            live[k] = 1;
            break;
        }
        case NOW:
        case OLDEST:
            if (steps[n].op == NOW)
                sse_history_now(&h, &cur[k]);
            else
                sse_history_oldest(&h, &cur[k]);
            want[k] = steps[n].op == NOW ? published : first;
            live[k] = 1;
            break;
        default:
            if (!live[k])
                break;
            rc = sse_history_next(&h, &cur[k], &frame, &len, &id, &id_len);
            if (want[k] < first) {
                assert_int_equal(rc, SSE_E_EVICTED);
                live[k] = 0;
            } else if (want[k] == published) {
                assert_int_equal(rc, 0);
            } else {
                assert_int_equal(rc, 1);
                assert_int_equal(len, lens[want[k]]);
                assert_memory_equal(frame, frames[want[k]], len);
                assert_int_equal(id_len, strlen(ids[want[k]]));
                want[k]++;
            }
        }
    }
}

/* The documented cost of a frame: a store of exactly N * (overhead + id +
 * frame) bytes holds N such frames, and one byte less holds N - 1. */
static void frame_overhead_is_exact(void **state)
{
    static char mem[3 * (SSE_HISTORY_FRAME_OVERHEAD + 1 + 30)];
    sse_history h;
    (void)state;
    sse_history_init(&h, mem, sizeof mem, 0);
    add_n(&h, 1, 30);
    add_n(&h, 2, 30);
    add_n(&h, 3, 30);
    assert_int_equal(sse_history_count(&h), 3);
    sse_history_init(&h, mem, sizeof mem - 1, 0);
    add_n(&h, 1, 30);
    add_n(&h, 2, 30);
    add_n(&h, 3, 30);
    assert_int_equal(sse_history_count(&h), 2);
}

static void refusals(void **state)
{
    static char mem[128];
    static char big[200];
    sse_history h;
    sse_history_cursor c;
    const char *frame;
    size_t len;
    (void)state;
    assert_int_equal(sse_history_init(&h, mem, 63, 0), SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_init(&h, NULL, 128, 0),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_init(NULL, mem, 128, 0),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_init(&h, mem, sizeof mem, 0), SSE_OK);
    add(&h, "1", "f1");
    /* Larger than the whole store: refused, and nothing is evicted. */
    assert_int_equal(sse_history_add(&h, "2", 1, big, sizeof big),
                     SSE_E_HISTORY_TOO_SMALL);
    assert_int_equal(sse_history_add(&h, "2", 1, big, 128 - 24),
                     SSE_E_HISTORY_TOO_SMALL);
    assert_int_equal(sse_history_count(&h), 1);
    /* Exactly the whole store fits (alone). */
    assert_int_equal(sse_history_add(&h, "2", 1, big, 128 - 24 - 1), SSE_OK);
    assert_int_equal(sse_history_count(&h), 1);
    assert_int_equal(sse_history_add(&h, NULL, 1, "x", 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_add(&h, "1", 1, NULL, 1),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_find(&h, "2", 1, NULL),
                     SSE_E_INVALID_ARGUMENT);
    sse_history_oldest(&h, &c);
    assert_int_equal(sse_history_next(&h, &c, NULL, &len, NULL, NULL),
                     SSE_E_INVALID_ARGUMENT);
    assert_int_equal(sse_history_next(&h, &c, &frame, &len, &frame, NULL),
                     SSE_E_INVALID_ARGUMENT);
    assert_string_equal(sse_errname(SSE_E_EVICTED), "SSE_E_EVICTED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_store),
        cmocka_unit_test(resume_current_unknown),
        cmocka_unit_test(ids),
        cmocka_unit_test(evict_by_count),
        cmocka_unit_test(evict_by_bytes_and_wrap),
        cmocka_unit_test(random_sizes_keep_the_newest),
        cmocka_unit_test(pending_cursor_across_wrap),
        cmocka_unit_test(caught_up_cursor_reads_batches),
        cmocka_unit_test(refusals),
        cmocka_unit_test(frame_overhead_is_exact),
        cmocka_unit_test(fuzz_case_count_and_bytes_limits),
    };
    return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
