/* The reconnect policy, what EventSource does between connections (see
 * "Client" in sse.h): which responses to stream, and how long to wait
 * before the next attempt. No I/O, no clock. */
#include "sse_internal.h"

#define SSE__CLIENT_DEFAULT_RETRY 3000u  /* what Chromium and Firefox use */
#define SSE__CLIENT_DEFAULT_CAP 60000u
#define SSE__CLIENT_NO_VERDICT (-1)

int sse_client_init(sse_client *c, const sse_client_options *opt)
{
    if (!c || (opt && opt->flags))
        return SSE_E_INVALID_ARGUMENT;
    memset(c, 0, sizeof *c);
    c->initial_retry_ = opt && opt->initial_retry_ms ? opt->initial_retry_ms
                                                     : SSE__CLIENT_DEFAULT_RETRY;
    c->max_delay_ = opt && opt->max_delay_ms ? opt->max_delay_ms
                                             : SSE__CLIENT_DEFAULT_CAP;
    c->rng_ = opt ? opt->seed : 0;
    c->verdict_ = SSE__CLIENT_NO_VERDICT;
    return SSE_OK;
}

static int sse__ascii_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* Is the MIME type essence of value text/event-stream? Spaces and tabs
 * around it and parameters after ';' are allowed; case does not matter. */
static int sse__is_event_stream(const char *v, size_t len)
{
    static const char want[] = "text/event-stream";
    const size_t n = sizeof want - 1;
    size_t i = 0, k;
    if (!v)
        return 0;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (len - i < n)
        return 0;
    for (k = 0; k < n; k++)
        if (sse__ascii_lower((unsigned char)v[i + k]) != want[k])
            return 0;
    for (i += n; i < len && (v[i] == ' ' || v[i] == '\t'); i++)
        ;
    return i == len || v[i] == ';';
}

int sse_client_check_response(sse_client *c, int status,
                              const char *content_type, size_t len)
{
    int verdict;
    if (status == 204)
        verdict = SSE_CLIENT_STOP;
    else if (status == 200 && sse__is_event_stream(content_type, len))
        verdict = SSE_CLIENT_STREAM;
    else
        verdict = SSE_CLIENT_FAIL;
    if (c) {
        c->verdict_ = verdict;
        c->healthy_ = 0;
    }
    return verdict;
}

void sse_client_mark_healthy(sse_client *c)
{
    if (c)
        c->healthy_ = 1;
}

/* splitmix64: any seed, 0 included, gives a full-period sequence. */
static uint64_t sse__client_random(sse_client *c)
{
    uint64_t z = (c->rng_ += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int sse_client_next_attempt(sse_client *c, const sse_parser *p,
                            uint64_t *delay_ms)
{
    uint64_t base, cap, d;
    unsigned k;
    if (delay_ms)
        *delay_ms = 0;
    if (!c || !delay_ms)
        return SSE_E_INVALID_ARGUMENT;
    if (c->verdict_ == SSE_CLIENT_STOP || c->verdict_ == SSE_CLIENT_FAIL)
        return c->verdict_;
    c->verdict_ = SSE__CLIENT_NO_VERDICT;
    if (!p || !sse_parser_retry(p, &base))
        base = c->initial_retry_;
    if (c->healthy_) {
        c->healthy_ = 0;
        c->failures_ = 0;
        *delay_ms = base;
        return SSE_CLIENT_RECONNECT;
    }
    if (c->failures_ < (unsigned)-1)
        c->failures_++;
    /* d = base * 2^failures, capped (a server retry above the cap wins).
     * From at least 1 ms, so that even "retry: 0" backs off. */
    cap = c->max_delay_ > base ? c->max_delay_ : base;
    d = base ? base : 1;
    for (k = 0; k < c->failures_ && d < cap; k++)
        d = d > cap / 2 ? cap : d * 2;
    if (d > cap)
        d = cap;
    /* Equal jitter: uniform in [d/2, d], but never below the retry. */
    d = d / 2 + sse__client_random(c) % (d - d / 2 + 1);
    *delay_ms = d < base ? base : d;
    return SSE_CLIENT_RECONNECT;
}

unsigned sse_client_failures(const sse_client *c)
{
    return c ? c->failures_ : 0;
}
