/* sse-server's fault injection, for tests of this server and of clients:
 * streams ended after N events (--close-after), connections broken at
 * random after an event (--close-random, seeded by --seed), and /events
 * answered with another status (--status). A server copied from this one
 * leaves this file out. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "server.h"

static double next_random(struct server *s)
{
    /* xorshift64*: reproducible fault injection from --seed. */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (double)((s->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

enum fault_after fault_after_event(struct server *s, struct client *c)
{
    if (s->cfg.close_after &&
        sse_stream_frames_sent(&c->stream) >= s->cfg.close_after)
        return FAULT_END;
    if (s->cfg.close_random > 0 && next_random(s) < s->cfg.close_random)
        return FAULT_ABORT;
    return FAULT_NONE;
}

int fault_status_reply(struct server *s, struct evhttp_request *req)
{
    char reason[64];
    int n;
    if (!s->cfg.status || s->cfg.status == 200)
        return 0;
    n = snprintf(reason, sizeof reason, "status %d from --status\n",
                 (int)s->cfg.status);
    send_text(req, (int)s->cfg.status, "Test Status", "text/plain", reason,
              s->cfg.status == 204 ? 0 : (size_t)n);
    return 1;
}
