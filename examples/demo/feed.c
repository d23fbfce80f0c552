/* The demo feed (see feed.h). */
#include "feed.h"

#include <stdio.h>
#include <string.h>

/* One answer, token by token. The odd ones are deliberate: each exercises a
 * different encoder rule end to end (line splitting, the space after the
 * colon, CRLF, text that looks like a field, 4-byte UTF-8). */
static const char *const answer[] = {
    "Server-Sent", " Events", " stream", " text", " over", " plain",
    " HTTP.", "\n\n", "Each", " event", " ends", " with", " a", " blank",
    " line;", " a", " multi-line", " payload", " becomes", " several",
    " data", " lines:", "\n", "    indented code", "\r\n", "data: not a",
    " field", "\n\n", "Reconnecting", " clients", " send", " Last-Event-ID",
    " \xe2\x86\x92", " nothing", " lost", " \xe2\x9c\x93", " \xf0\x9f\x99\x82",
    "\n\n",
};
#define ANSWER_TOKENS (sizeof answer / sizeof answer[0])

void feed_event(uint64_t n, sse_frame *f, char *scratch, size_t scratch_len)
{
    /* Events 5, 10, 15... report progress; the rest are tokens. */
    uint64_t tokens_before = n - 1 - (n - 1) / 5; /* tokens among 1..n-1 */
    if (n % 5 == 0) {
        int len = snprintf(scratch, scratch_len,
                           "{\"tokens\":%llu,\"answer\":%u,\"of\":%u}",
                           (unsigned long long)tokens_before,
                           (unsigned)(tokens_before % ANSWER_TOKENS),
                           (unsigned)ANSWER_TOKENS);
        f->type = "progress";
        f->type_len = 8;
        f->data = scratch;
        f->data_len = len > 0 ? (size_t)len : 0;
        return;
    }
    const char *tok = answer[tokens_before % ANSWER_TOKENS];
    f->type = "token";
    f->type_len = 5;
    f->data = tok;
    f->data_len = strlen(tok);
}
