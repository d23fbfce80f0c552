/* Resume history: input-chosen sequences of publishes, lookups and cursor
 * steps on stores of input-chosen size and frame limit, checked against a
 * plain model, the list of every frame published. After every publish the
 * store must hold exactly the newest frames, a contiguous run ending with
 * the one just added, byte for byte, within its bytes and count; lookups
 * must give the newest matching stored frame (or unknown); cursors must
 * step through the model's frames and report eviction exactly when their
 * frame is gone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 512
#define CURSORS 4

struct frame {
    char id[8];
    size_t id_len;
    const uint8_t *bytes;
    size_t len;
};

struct model {
    struct frame f[MAX_FRAMES];
    size_t published;
};

/* The newest `count` frames, oldest first, through a cursor from the
 * oldest: they must be the model's last `count`. */
static void check_contents(const sse_history *h, const struct model *m,
                           size_t cap, size_t max_count)
{
    size_t count = sse_history_count(h), i, bytes = 0;
    sse_history_cursor c;
    const char *frame, *id;
    size_t len, id_len;
    if (count < 1 || count > m->published)
        fuzz_fail("count out of range after a publish");
    if (max_count && count > max_count)
        fuzz_fail("more frames than max_frames");
    sse_history_oldest(h, &c);
    for (i = m->published - count; i < m->published; i++) {
        const struct frame *f = &m->f[i];
        if (sse_history_next(h, &c, &frame, &len, &id, &id_len) != 1 ||
            len != f->len || (len && memcmp(frame, f->bytes, len) != 0) ||
            id_len != f->id_len || memcmp(id, f->id, id_len) != 0)
            fuzz_fail("stored frames are not the newest published ones");
        bytes += 24 + id_len + len;
    }
    if (sse_history_next(h, &c, &frame, &len, &id, &id_len) != 0)
        fuzz_fail("frames after the newest");
    if (bytes > cap)
        fuzz_fail("stored bytes exceed the store");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    fuzz_reader r = {data, size};
    size_t cap = 64 + (size_t)fuzz_byte(&r) * 8;
    size_t max_count = fuzz_byte(&r) % 9;
    char *mem = malloc(cap);
    sse_history h;
    sse_history_cursor cur[CURSORS];
    size_t want[CURSORS]; /* model index of each cursor's next frame */
    int live[CURSORS] = {0, 0, 0, 0};
    unsigned long unique = 0;

    if (!mem)
        abort();
    m.published = 0;
    if (sse_history_init(&h, mem, cap, max_count) != SSE_OK)
        fuzz_fail("init");
    while (r.n > 0 && m.published < MAX_FRAMES) {
        uint8_t op = fuzz_byte(&r), arg = fuzz_byte(&r);
        size_t k = arg % CURSORS, count = sse_history_count(&h);
        size_t first = m.published - count; /* model index of the oldest */
        switch (op % 6) {
        case 0:
        case 1: { /* publish: a repeated ID or a fresh one */
            struct frame *f = &m.f[m.published];
            size_t len = fuzz_byte(&r);
            int rc;
            if (arg % 4 == 0)
                f->id_len = (size_t)snprintf(f->id, sizeof f->id, "%c",
                                             'a' + arg % 3);
            else
                f->id_len = (size_t)snprintf(f->id, sizeof f->id, "%lu",
                                             unique++ % 1000000);
            if (len > r.n)
                len = r.n;
            f->bytes = r.p;
            f->len = len;
            r.p += len;
            r.n -= len;
            rc = sse_history_add(&h, f->id, f->id_len, (const char *)f->bytes,
                                 f->len);
            if (24 + f->id_len + f->len > cap) {
                if (rc != SSE_E_HISTORY_TOO_SMALL ||
                    sse_history_count(&h) != count)
                    fuzz_fail("a frame too large for the store was not refused "
                            "cleanly");
                break;
            }
            if (rc != SSE_OK)
                fuzz_fail("add refused a frame that fits");
            m.published++;
            check_contents(&h, &m, cap, max_count);
            break;
        }
        case 2: { /* look up an ID: published, repeated, or never seen */
            char id[8];
            size_t id_len, i, j = SIZE_MAX;
            sse_history_cursor c;
            int rc;
            if (m.published && arg % 3) {
                const struct frame *f = &m.f[fuzz_byte(&r) % m.published];
                memcpy(id, f->id, f->id_len);
                id_len = f->id_len;
            } else {
                id_len = (size_t)snprintf(id, sizeof id, "x%u", arg);
            }
            for (i = first; i < m.published; i++)
                if (m.f[i].id_len == id_len &&
                    memcmp(m.f[i].id, id, id_len) == 0)
                    j = i; /* the newest stored match */
            rc = sse_history_find(&h, id, id_len, &c);
            if (j == SIZE_MAX) {
                if (rc != SSE_HISTORY_UNKNOWN)
                    fuzz_fail("found an ID that is not stored");
                break;
            }
            if (rc != (j + 1 == m.published ? SSE_HISTORY_CURRENT
                                            : SSE_HISTORY_RESUME))
                fuzz_fail("wrong lookup outcome");
            cur[k] = c;
            want[k] = j + 1;
            live[k] = 1;
            break;
        }
        case 3: /* a cursor starting live */
            sse_history_now(&h, &cur[k]);
            want[k] = m.published;
            live[k] = 1;
            break;
        case 4: /* a cursor replaying everything kept */
            sse_history_oldest(&h, &cur[k]);
            want[k] = first;
            live[k] = 1;
            break;
        default: { /* a cursor steps */
            const char *frame, *id;
            size_t len, id_len;
            int rc;
            if (!live[k])
                break;
            rc = sse_history_next(&h, &cur[k], &frame, &len, &id, &id_len);
            if (want[k] < first) {
                if (rc != SSE_E_EVICTED)
                    fuzz_fail("a cursor behind the oldest frame was not told");
                live[k] = 0;
            } else if (want[k] == m.published) {
                if (rc != 0)
                    fuzz_fail("a cursor past the newest frame got one");
            } else {
                const struct frame *f = &m.f[want[k]];
                if (rc != 1 || len != f->len ||
                    (len && memcmp(frame, f->bytes, len) != 0) ||
                    id_len != f->id_len || memcmp(id, f->id, id_len) != 0)
                    fuzz_fail("a cursor gave the wrong frame");
                want[k]++;
            }
            break;
        }
        }
    }
    free(mem);
    return 0;
}
