/* Per-client streams: input-chosen publishes, writes of any size (short
 * writes too), clock steps, checks and reconnects, for four clients on one
 * history of input-chosen size, against a plain model: the list of every
 * frame published, and for each client what it has received, as a browser
 * would keep it (its last whole event's id across connections).
 *
 * Every byte a client receives must be the expected opening (padding and
 * retry as the encoder writes them, the resync event for an unknown id
 * under that policy), then the model's frames, whole and in order, from
 * where the model says the connection starts, with heartbeats only
 * between frames, only when none is waiting, and only once the client was
 * idle for the heartbeat time. A stream says SSE_E_EVICTED exactly when
 * the frame it must send next is gone, and, without max_lag, says
 * SSE_E_TOO_SLOW only while the client's last whole frame is still stored,
 * so that its reconnect resumes; after either it is reconnected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 512
#define CLIENTS 4
#define HEARTBEAT (sizeof SSE_STREAM_HEARTBEAT - 1)

struct frame {
    char id[12];
    size_t id_len;
    char bytes[96];
    size_t len;
};

struct client {
    int connected;
    sse_stream s;
    sse_stream_options o;
    /* What the current connection must still send. */
    char opening[400];
    size_t opening_len, at; /* at: opening bytes received */
    size_t next;            /* model index of the frame expected next */
    size_t offset;          /* bytes of it (or of a heartbeat) received */
    int in_heartbeat;
    int heartbeat_offered;  /* the stream committed to one not yet sent */
    uint64_t whole;         /* frames received whole on this connection */
    uint64_t last_sent;     /* when bytes last reached it */
    /* What a browser keeps across connections. */
    int has_id;
    size_t last_id; /* model index of the last whole frame received */
};

static struct frame frames[MAX_FRAMES];
static size_t published;

/* Index of the oldest stored frame, per the model: the history keeps a
 * contiguous run ending with the newest (fuzz_history checks that). */
static size_t oldest(const sse_history *h)
{
    return published - sse_history_count(h);
}

/* The opening as the contract spells it. */
static void expect_opening(struct client *c, int resync)
{
    size_t n = 0;
    if (c->o.padding) {
        size_t p = c->o.padding < 2 ? 2 : c->o.padding;
        c->opening[n++] = ':';
        memset(c->opening + n, ' ', p - 2);
        n += p - 2;
        c->opening[n++] = '\n';
    }
    if (c->o.retry_ms)
        n += (size_t)snprintf(c->opening + n, sizeof c->opening - n,
                              "retry: %llu\n",
                              (unsigned long long)c->o.retry_ms);
    if (n)
        c->opening[n++] = '\n';
    if (resync) {
        memcpy(c->opening + n, SSE_STREAM_RESYNC_EVENT,
               sizeof SSE_STREAM_RESYNC_EVENT - 1);
        n += sizeof SSE_STREAM_RESYNC_EVENT - 1;
    }
    c->opening_len = n;
    c->at = 0;
    c->offset = 0;
    c->in_heartbeat = 0;
    c->heartbeat_offered = 0;
    c->whole = 0;
}

/* Bytes arriving at client c: they must continue what it expects. */
static void receive(struct client *c, const char *p, size_t n)
{
    while (n > 0) {
        const char *want;
        size_t left, k;
        if (c->at < c->opening_len) {
            k = c->opening_len - c->at < n ? c->opening_len - c->at : n;
            if (memcmp(p, c->opening + c->at, k) != 0)
                fuzz_fail("the opening differs from the contract");
            c->at += k;
            p += k;
            n -= k;
            continue;
        }
        if (c->offset == 0 && !c->in_heartbeat && *p == ':')
            c->in_heartbeat = 1; /* frames start with "id: " */
        if (c->in_heartbeat) {
            want = SSE_STREAM_HEARTBEAT;
            left = HEARTBEAT - c->offset;
        } else {
            if (c->next >= published)
                fuzz_fail("bytes beyond the newest frame");
            want = frames[c->next].bytes;
            left = frames[c->next].len - c->offset;
        }
        k = left < n ? left : n;
        if (memcmp(p, want + c->offset, k) != 0)
            fuzz_fail(c->in_heartbeat ? "a torn heartbeat"
                                      : "not the next frame, or torn");
        c->offset += k;
        p += k;
        n -= k;
        if (k == left) {
            if (!c->in_heartbeat) {
                c->whole++;
                c->has_id = 1;
                c->last_id = c->next;
                c->next++;
            }
            if (c->in_heartbeat)
                c->heartbeat_offered = 0;
            c->offset = 0;
            c->in_heartbeat = 0;
        }
    }
}

static void reconnect(struct client *c, const sse_history *h, uint8_t how,
                    uint8_t opts, uint8_t pad, uint64_t now)
{
    char id[16];
    size_t id_len = 0, first = oldest(h), j = SIZE_MAX;
    const char *idp = id;
    int rc, want;

    memset(&c->o, 0, sizeof c->o);
    c->o.on_unknown = opts % 3;
    c->o.retry_ms = (opts & 4) ? 1000u + opts : 0;
    c->o.padding = (opts & 8) ? pad : 0;
    c->o.heartbeat_ms = (opts & 16) ? 50 : 0;
    c->o.max_lag = (opts & 32) ? 1u + (opts >> 6) : 0;
    switch (how % 4) {
    case 0: /* what a browser sends: its last whole event's id */
        if (c->has_id) {
            memcpy(id, frames[c->last_id].id, frames[c->last_id].id_len);
            id_len = frames[c->last_id].id_len;
            j = c->last_id;
        } else {
            idp = NULL;
        }
        break;
    case 1: /* any id once published */
        if (published) {
            j = how % published;
            memcpy(id, frames[j].id, frames[j].id_len);
            id_len = frames[j].id_len;
        } else {
            idp = NULL;
        }
        break;
    case 2: /* never published, or malformed: cut at NUL it would be "1" */
        id_len = (how & 4) ? 3 : 2;
        memcpy(id, (how & 4) ? "1\0002" : "x1", id_len);
        break;
    default:
        idp = NULL;
    }
    rc = sse_stream_open(&c->s, h, &c->o, idp, id_len, now);
    if (!idp) {
        want = SSE_STREAM_NEW;
        c->next = published;
    } else if (j != SIZE_MAX && j >= first) {
        want = j + 1 == published ? SSE_STREAM_CURRENT : SSE_STREAM_RESUMED;
        c->next = j + 1;
    } else {
        want = SSE_STREAM_UNKNOWN;
        if (c->o.on_unknown == SSE_STREAM_RESYNC)
            c->next = published ? published - 1 : 0;
        else if (c->o.on_unknown == SSE_STREAM_REPLAY)
            c->next = first;
        else
            c->next = published;
    }
    if (rc != want)
        fuzz_fail("open: not the start the model gives");
    expect_opening(c, want == SSE_STREAM_UNKNOWN &&
                          c->o.on_unknown == SSE_STREAM_RESYNC);
    c->connected = 1;
    c->last_sent = now;
}

/* A close outcome must be the one the model gives. */
static void closed(struct client *c, const sse_history *h, sse_ssize rc)
{
    size_t first = oldest(h);
    int gone = c->next < first && c->next < published;
    if (rc == SSE_E_EVICTED && !gone)
        fuzz_fail("SSE_E_EVICTED while the next frame is stored");
    if (rc == SSE_E_TOO_SLOW) {
        if (gone)
            fuzz_fail("SSE_E_TOO_SLOW for an evicted frame");
        if (!c->o.max_lag && c->has_id && c->last_id + 1 == c->next &&
            c->last_id < first)
            fuzz_fail("told to close after its resume point was evicted");
    }
    if (rc != SSE_E_EVICTED && rc != SSE_E_TOO_SLOW)
        fuzz_fail("an unexpected result from a stream");
    c->connected = 0;
}

/* Pending pieces at now, checked, then n of their bytes written. */
static void write_some(struct client *c, const sse_history *h, uint64_t now,
                       size_t budget, size_t iovcnt, uint8_t fraction)
{
    sse_iov iov[8];
    size_t total = 0, n, i;
    int waiting = c->next < published;
    sse_ssize got = sse_stream_pending(&c->s, h, now, budget, iov, iovcnt);
    if (got < 0) {
        closed(c, h, got);
        return;
    }
    if (c->next < oldest(h) && c->next < published)
        fuzz_fail("pieces for a client whose next frame is gone");
    for (i = 0; i < (size_t)got; i++) {
        if (iov[i].len == 0)
            fuzz_fail("an empty piece");
        total += iov[i].len;
    }
    if (total > budget)
        fuzz_fail("more than max_bytes");
    if (got > 0 && c->at == c->opening_len && c->offset == 0 &&
        !c->in_heartbeat && !c->heartbeat_offered &&
        *(const char *)iov[0].base == ':') {
        /* A heartbeat starts: due, and nothing else to send. The stream
         * then offers it until it is written. */
        if (!c->o.heartbeat_ms || now - c->last_sent < c->o.heartbeat_ms ||
            waiting)
            fuzz_fail("a heartbeat that was not due");
        c->heartbeat_offered = 1;
    }
    n = total * fraction / 255;
    if (sse_stream_sent(&c->s, h, n, now) != SSE_OK)
        fuzz_fail("sent refused a count within what was pending");
    for (i = 0; n > 0; i++) {
        size_t k = iov[i].len < n ? iov[i].len : n;
        receive(c, (const char *)iov[i].base, k);
        n -= k;
        c->last_sent = now;
    }
    if (sse_stream_frames_sent(&c->s) != c->whole)
        fuzz_fail("frames_sent is not the frames received whole");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct client clients[CLIENTS];
    fuzz_reader r = {data, size};
    size_t cap = 128 + (size_t)fuzz_byte(&r) * 16;
    size_t max_count = fuzz_byte(&r) % 12;
    char *mem = malloc(cap);
    sse_history h;
    uint64_t now = 0;
    size_t k;

    if (!mem)
        abort();
    published = 0;
    memset(clients, 0, sizeof clients);
    if (sse_history_init(&h, mem, cap, max_count) != SSE_OK)
        fuzz_fail("init");
    while (r.n > 0 && published < MAX_FRAMES) {
        uint8_t op = fuzz_byte(&r), arg = fuzz_byte(&r);
        struct client *c = &clients[arg % CLIENTS];
        if (op % 7 != 0 && op % 7 != 3 && !c->connected) {
            uint8_t how = fuzz_byte(&r), opts = fuzz_byte(&r),
                    pad = fuzz_byte(&r);
            reconnect(c, &h, how, opts, pad, now);
            continue;
        }
        switch (op % 7) {
        case 0: { /* publish */
            struct frame *f = &frames[published];
            size_t len = fuzz_byte(&r) % 64;
            f->id_len = (size_t)snprintf(f->id, sizeof f->id, "%zu",
                                         published + 1);
            f->len = (size_t)snprintf(f->bytes, sizeof f->bytes,
                                      "id: %zu\ndata: ", published + 1);
            memset(f->bytes + f->len, 'a' + (int)(published % 26), len);
            f->len += len;
            memcpy(f->bytes + f->len, "\n\n", 2);
            f->len += 2;
            if (sse_history_add(&h, f->id, f->id_len, f->bytes, f->len) ==
                SSE_OK)
                published++;
            break;
        }
        case 1:
        case 2: /* a write: any budget and piece count, perhaps short */
            write_some(c, &h, now, arg < 128 ? arg : 100000,
                       1 + fuzz_byte(&r) % 8, fuzz_byte(&r));
            break;
        case 3: /* time passes */
            now += (uint64_t)arg * 3;
            break;
        case 4: { /* the server checks a client it cannot write to */
            sse_ssize rc = sse_stream_pending(&c->s, &h, now, 0, NULL, 0);
            if (rc < 0)
                closed(c, &h, rc);
            else if (rc != 0)
                fuzz_fail("pieces with max_bytes 0");
            else if (c->next < oldest(&h) && c->next < published)
                fuzz_fail("no SSE_E_EVICTED for an evicted next frame");
            break;
        }
        case 5: { /* a transport that gives a buffer */
            char buf[256];
            sse_ssize n = sse_stream_copy(&c->s, &h, now, buf, arg);
            if (n < 0) {
                closed(c, &h, n);
            } else {
                if ((size_t)n > arg)
                    fuzz_fail("copy beyond cap");
                receive(c, buf, (size_t)n);
                if (n > 0)
                    c->last_sent = now;
            }
            break;
        }
        default: /* the connection drops; the client reconnects */
            c->connected = 0;
            break;
        }
    }
    for (k = 0; k < CLIENTS; k++) /* drain: everything pending arrives */
        if (clients[k].connected) {
            char buf[256];
            sse_ssize n;
            while ((n = sse_stream_copy(&clients[k].s, &h, now, buf,
                                        sizeof buf)) > 0)
                receive(&clients[k], buf, (size_t)n);
            if (n == 0 && (clients[k].next != published ||
                           clients[k].at != clients[k].opening_len))
                fuzz_fail("a client that could catch up did not");
        }
    free(mem);
    return 0;
}
