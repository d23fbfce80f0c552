/* sse-server's shared history (--redis): events live in one Redis stream,
 * so any instance can resume any client and a restart loses nothing.
 *
 *   - Publishing: the instance started with --publish appends the feed
 *     with XADD (fields "event" and "data"; any other program may append
 *     the same way), trimming the stream to --history entries and, with
 *     --retention-ms, to entries that young (XTRIM MINID, measured from
 *     the new entry's id, that is on Redis's clock). Event n of the feed
 *     counts as published once Redis acknowledged it; a failed XADD is
 *     tried again, so nothing acknowledged is lost and nothing repeats.
 *   - Following: every instance loads the newest --history entries at
 *     start (XREVRANGE), then follows the stream (XREAD BLOCK) into its
 *     own sse_history, which its clients' streams read as in memory mode.
 *     The stream entry id is the SSE event id.
 *   - Outage: when the connection to Redis drops, every stream is ended
 *     after a `retry` (the client reconnects, perhaps to another instance)
 *     and a new stream gets the same until Redis is back; the instance
 *     reconnects with backoff (100 ms doubling to 5 s) and goes on from
 *     the last entry it has.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "feed.h"
#include "server.h"
#include "tool_common.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define READ_BATCH 512  /* entries per XREAD */
#define READ_BLOCK_MS 5000

/* One connection to Redis that reconnects by itself. */
struct link {
    struct redis_feed *feed;
    const char *name;       /* for the log: "follow" or "publish" */
    redisAsyncContext *ac;  /* NULL while disconnected */
    struct event *retry;    /* reconnect timer */
    uint64_t backoff_ms;
    int failed_logged;      /* one log line per outage */
    void (*ready)(struct link *); /* connected: send the first command */
};

struct redis_feed {
    struct server *srv;
    char host[256];
    int port;
    struct link follow, publish;
    int following;          /* loaded and following: streams are served */
    char last_id[48];       /* newest entry in the local history */
    int xadd_pending;       /* an XADD is waiting for its reply */
    int numbered;           /* the publisher knows the stream's last n */
};

static void link_connect(struct link *l);

static void on_link_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    link_connect(arg);
}

static void link_schedule(struct link *l)
{
    struct timeval tv;
    if (l->feed->srv->stopping)
        return;
    l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (l->backoff_ms > BACKOFF_MAX_MS)
        l->backoff_ms = BACKOFF_MAX_MS;
    tv = ms_to_timeval(l->backoff_ms);
    event_add(l->retry, &tv);
}

static void link_failed(struct link *l, const char *why)
{
    if (!l->failed_logged)
        fprintf(stderr, "sse-server: redis %s:%d (%s): %s; retrying\n",
                l->feed->host, l->feed->port, l->name, why);
    l->failed_logged = 1;
}

static void on_connected(const redisAsyncContext *ac, int status)
{
    struct link *l = ac->data;
    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback. */
        link_failed(l, ac->errstr);
        l->ac = NULL;
        link_schedule(l);
        return;
    }
    if (l->failed_logged)
        fprintf(stderr, "sse-server: redis %s: connected again\n", l->name);
    l->failed_logged = 0;
    l->backoff_ms = 0;
}

static void streams_end_for_outage(struct redis_feed *f);

static void on_disconnected(const redisAsyncContext *ac, int status)
{
    struct link *l = ac->data;
    (void)status;
    l->ac = NULL;
    if (l == &l->feed->publish)
        l->feed->xadd_pending = l->feed->numbered = 0;
    if (l == &l->feed->follow && l->feed->following) {
        l->feed->following = 0;
        streams_end_for_outage(l->feed);
    }
    if (!l->feed->srv->stopping) {
        link_failed(l, ac->errstr[0] ? ac->errstr : "connection lost");
        link_schedule(l);
    }
}

static void link_connect(struct link *l)
{
    redisAsyncContext *ac = redisAsyncConnect(l->feed->host, l->feed->port);
    if (!ac || ac->err) {
        link_failed(l, ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        link_schedule(l);
        return;
    }
    ac->data = l;
    l->ac = ac;
    redisLibeventAttach(ac, l->feed->srv->base);
    redisAsyncSetConnectCallback(ac, on_connected);
    redisAsyncSetDisconnectCallback(ac, on_disconnected);
    /* Commands queue until the connection is up. */
    if (l->ready)
        l->ready(l);
}

/* ---- following ---------------------------------------------------------- */

/* An entry ([id, [field, value, ...]]) into the local history. */
static void entry_add(struct redis_feed *f, const redisReply *e)
{
    struct server *s = f->srv;
    const redisReply *id, *fields;
    sse_frame fr = {0};
    char out[SSE_DEMO_MAX_FRAME];
    sse_ssize len;
    size_t i;
    int r;
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
        return;
    id = e->element[0];
    fields = e->element[1];
    if (id->type != REDIS_REPLY_STRING || id->len >= sizeof f->last_id)
        return;
    memcpy(f->last_id, id->str, id->len);
    f->last_id[id->len] = '\0';
    if (fields->type != REDIS_REPLY_ARRAY)
        return;
    for (i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, "event") == 0) {
            fr.type = v->str;
            fr.type_len = v->len;
        } else if (strcmp(k->str, "data") == 0) {
            fr.data = v->str;
            fr.data_len = v->len;
        }
    }
    fr.id = id->str;
    fr.id_len = id->len;
    fr.padding = s->cfg.pad;
    len = sse_encode(out, sizeof out, &fr);
    if (len < 0 || (size_t)len > sizeof out) {
        fprintf(stderr, "sse-server: redis entry %s skipped: %s\n", id->str,
                len < 0 ? sse_strerror((int)len) : "frame too large");
        return;
    }
    r = sse_history_add(&s->history, id->str, id->len, out, (size_t)len);
    if (r != SSE_OK)
        fprintf(stderr, "sse-server: history: %s\n", sse_strerror(r));
    else
        s->followed++;
}

static void follow_read(struct link *l);

/* A reply that is no reply: NULL while hiredis frees a connection that
 * went away (on_disconnected follows and reconnects), or an error from
 * Redis, after which the connection is dropped and made again. */
static int reply_failed(redisAsyncContext *ac, const redisReply *reply)
{
    struct link *l = ac->data;
    if (!reply)
        return 1;
    if (reply->type != REDIS_REPLY_ERROR)
        return 0;
    link_failed(l, reply->str);
    redisAsyncDisconnect(ac);
    return 1;
}

/* What to do with a good reply; passed to hiredis as the privdata of
 * on_reply (a function pointer cannot travel as a void pointer). */
struct handler {
    void (*fn)(struct link *l, const redisReply *reply);
};

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    const struct handler *h = privdata;
    if (!reply_failed(ac, r))
        h->fn(ac->data, r);
}

/* XREAD's answer: nil after READ_BLOCK_MS without news, or
 * [[key, [entry, ...]]]. */
static void read_entries(struct link *l, const redisReply *reply)
{
    size_t i;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
        reply->element[0]->type == REDIS_REPLY_ARRAY &&
        reply->element[0]->elements == 2) {
        const redisReply *entries = reply->element[0]->element[1];
        for (i = 0; i < entries->elements; i++)
            entry_add(l->feed, entries->element[i]);
        server_fan_out(l->feed->srv);
    }
    follow_read(l);
}

static void follow_read(struct link *l)
{
    static const struct handler read = {read_entries};
    redisAsyncCommand(l->ac, on_reply, (void *)&read,
                      "XREAD COUNT %d BLOCK %d STREAMS %s %s", READ_BATCH,
                      READ_BLOCK_MS, l->feed->srv->cfg.redis_key,
                      l->feed->last_id);
}

/* XREVRANGE's answer: the newest entries, newest first. */
static void load_entries(struct link *l, const redisReply *reply)
{
    size_t i;
    for (i = reply->elements; i > 0; i--)
        entry_add(l->feed, reply->element[i - 1]);
    fprintf(stderr, "sse-server: redis: following %s from %s (%zu loaded)\n",
            l->feed->srv->cfg.redis_key, l->feed->last_id, reply->elements);
    l->feed->following = 1;
    follow_read(l);
}

/* Connected (or queued before the connection is up): load what the
 * stream keeps if the local history is empty, else go on from the newest
 * entry this instance has. */
static void follow_start(struct link *l)
{
    struct server *s = l->feed->srv;
    static const struct handler load = {load_entries};
    if (sse_history_count(&s->history) == 0) {
        redisAsyncCommand(l->ac, on_reply, (void *)&load,
                          "XREVRANGE %s + - COUNT %" PRIu64, s->cfg.redis_key,
                          s->cfg.history_events);
        return;
    }
    fprintf(stderr, "sse-server: redis: following %s again from %s\n",
            s->cfg.redis_key, l->feed->last_id);
    l->feed->following = 1;
    follow_read(l);
}

/* ---- publishing ---------------------------------------------------------- */

static void on_added(redisAsyncContext *ac, void *r, void *privdata)
{
    struct link *l = ac->data;
    struct redis_feed *f = l->feed;
    redisReply *reply = r;
    (void)privdata;
    f->xadd_pending = 0;
    if (reply_failed(ac, reply) || reply->type != REDIS_REPLY_STRING)
        return;
    f->srv->newest++; /* acknowledged: the next one is next */
    if (f->srv->cfg.retention_ms) {
        /* The new entry's id is Redis's clock: trim what is older than the
         * retention by that clock. */
        uint64_t ms = strtoull(reply->str, NULL, 10);
        if (ms > f->srv->cfg.retention_ms)
            redisAsyncCommand(ac, NULL, NULL, "XTRIM %s MINID %" PRIu64,
                              f->srv->cfg.redis_key,
                              ms - f->srv->cfg.retention_ms);
    }
    redis_publish_due(f->srv); /* more may have come due meanwhile */
}

/* The newest entries, newest first: the feed goes on after the highest
 * event number ("n") among them. So an XADD that Redis carried out but
 * whose reply was lost with the connection is not sent again, and a
 * publisher that restarts continues the feed instead of starting over. */
static void resume_numbering(struct link *l, const redisReply *reply)
{
    struct server *s = l->feed->srv;
    size_t i, k;
    for (i = 0; i < reply->elements; i++) {
        const redisReply *e = reply->element[i], *fields;
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            (fields = e->element[1])->type != REDIS_REPLY_ARRAY)
            continue;
        for (k = 0; k + 1 < fields->elements; k += 2)
            if (fields->element[k]->type == REDIS_REPLY_STRING &&
                strcmp(fields->element[k]->str, "n") == 0 &&
                fields->element[k + 1]->type == REDIS_REPLY_STRING) {
                uint64_t n = strtoull(fields->element[k + 1]->str, NULL, 10);
                if (n > s->newest)
                    s->newest = n;
                i = reply->elements; /* the newest numbered entry decides */
                break;
            }
    }
    l->feed->numbered = 1;
    redis_publish_due(s);
}

/* Connected (or queued before the connection is up). */
static void publish_start(struct link *l)
{
    static const struct handler numbering = {resume_numbering};
    redisAsyncCommand(l->ac, on_reply, (void *)&numbering,
                      "XREVRANGE %s + - COUNT 100", l->feed->srv->cfg.redis_key);
}

void redis_publish_due(struct server *s)
{
    struct redis_feed *f = s->redis;
    char scratch[64], n[24];
    sse_frame fr = {0};
    uint64_t now = now_ms();
    if (!f->publish.ac || !f->numbered || f->xadd_pending ||
        now < s->next_due_ms ||
        (s->cfg.max_events && s->newest >= s->cfg.max_events))
        return;
    feed_event(s->newest + 1, &fr, scratch, sizeof scratch);
    snprintf(n, sizeof n, "%" PRIu64, s->newest + 1);
    f->xadd_pending = 1;
    s->next_due_ms += s->cfg.interval_ms;
    if (now > s->next_due_ms + 1000)
        s->next_due_ms = now; /* far behind (an outage): no burst */
    redisAsyncCommand(f->publish.ac, on_added, NULL,
                      "XADD %s MAXLEN %" PRIu64 " * event %b data %b n %s",
                      s->cfg.redis_key, s->cfg.history_events, fr.type,
                      fr.type_len, fr.data, fr.data_len, n);
}

/* ---- streams -------------------------------------------------------------- */

static void streams_end_for_outage(struct redis_feed *f)
{
    fprintf(stderr, "sse-server: redis: lost; ending every stream\n");
    for (struct client *c = f->srv->clients, *next; c; c = next) {
        next = c->next;
        client_end_now(c);
    }
}

int redis_following(const struct server *s)
{
    return s->redis == NULL || s->redis->following;
}

int redis_setup(struct server *s)
{
    struct redis_feed *f;
    const char *colon = strrchr(s->cfg.redis, ':');
    size_t host_len = colon ? (size_t)(colon - s->cfg.redis) : 0;
    uint64_t port;
    if (!colon || host_len == 0 || host_len >= sizeof f->host ||
        tool_parse_u64(colon + 1, 65535, &port) != 0 || port == 0) {
        fprintf(stderr, "sse-server: --redis needs HOST:PORT, not %s\n",
                s->cfg.redis);
        return -1;
    }
    f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    s->redis = f;
    f->srv = s;
    memcpy(f->host, s->cfg.redis, host_len);
    f->port = (int)port;
    strcpy(f->last_id, "0-0");
    f->follow = (struct link){f, "follow", NULL, NULL, 0, 0, follow_start};
    f->publish = (struct link){f, "publish", NULL, NULL, 0, 0, publish_start};
    f->follow.retry = event_new(s->base, -1, 0, on_link_retry, &f->follow);
    f->publish.retry = event_new(s->base, -1, 0, on_link_retry, &f->publish);
    if (!f->follow.retry || !f->publish.retry)
        return -1;
    link_connect(&f->follow);
    if (s->cfg.publish)
        link_connect(&f->publish);
    return 0;
}

void redis_teardown(struct server *s)
{
    struct redis_feed *f = s->redis;
    struct link *links[2];
    if (!f)
        return;
    links[0] = &f->follow;
    links[1] = &f->publish;
    s->stopping = 1;  /* no reconnecting */
    f->following = 0; /* no streams left to end */
    for (int i = 0; i < 2; i++) {
        redisAsyncContext *ac = links[i]->ac;
        links[i]->ac = NULL;
        if (ac)
            redisAsyncFree(ac); /* pending callbacks get NULL replies */
        if (links[i]->retry)
            event_free(links[i]->retry);
    }
    free(f);
    s->redis = NULL;
}

/* "ms-seq" into its two numbers; 0 if id is not a stream entry id. */
static int stream_id_parse(const char *id, size_t len, uint64_t *ms,
                           uint64_t *seq)
{
    size_t i = 0;
    uint64_t *part = ms;
    int digits = 0;
    *ms = *seq = 0;
    for (; i < len; i++) {
        if (id[i] == '-' && part == ms && digits) {
            part = seq;
            digits = 0;
        } else if (id[i] >= '0' && id[i] <= '9' && digits < 19) {
            *part = *part * 10 + (uint64_t)(id[i] - '0');
            digits++;
        } else {
            return 0;
        }
    }
    return part == seq && digits;
}

/* Whether Last-Event-ID names an entry newer than the newest this instance
 * has: the client got it from an instance that is a little ahead. */
int redis_ahead(const struct server *s, const char *id, size_t len)
{
    uint64_t ms, seq, newest_ms, newest_seq;
    const char *newest;
    if (!s->redis || !id || !stream_id_parse(id, len, &ms, &seq))
        return 0;
    newest = s->redis->last_id;
    if (!stream_id_parse(newest, strlen(newest), &newest_ms, &newest_seq))
        return 0;
    return ms > newest_ms || (ms == newest_ms && seq > newest_seq);
}

/* Whether Last-Event-ID names an entry older than --retention-ms, by the
 * clock in the stream's ids (millisecond-sequence): the newest entry's
 * time, not this machine's. Redis has trimmed such an entry, or will at the
 * next XADD, so it is treated as unknown even if this instance still has
 * it. */
int redis_expired(const struct server *s, const char *id, size_t len)
{
    uint64_t at, seq, newest, newest_seq;
    if (!s->redis || !s->cfg.retention_ms || !id ||
        !stream_id_parse(id, len, &at, &seq) ||
        !stream_id_parse(s->redis->last_id, strlen(s->redis->last_id),
                         &newest, &newest_seq))
        return 0; /* not a stream id: the history decides */
    return at + s->cfg.retention_ms < newest;
}
