/* The demo's simulated live feed: what the example server publishes.
 *
 * Event n (1, 2, 3, ...) is a pure function of n, so every client, every
 * reconnect and every test sees the same stream. Most events are "token"
 * events - an answer streamed word by word, as an LLM API does, including
 * the awkward bits real model output has (paragraph breaks, CRLF, leading
 * spaces, a "data: " look-alike, non-ASCII text) - and every fifth is a
 * "progress" event with a small JSON counter. */
#ifndef SSE_EXAMPLE_FEED_H
#define SSE_EXAMPLE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "sse.h"

/* Fills *f with event n's type and data. Strings point at static text or
 * into scratch (which must stay alive while f is used; 64 bytes is enough).
 * The caller sets the id. */
void feed_event(uint64_t n, sse_frame *f, char *scratch, size_t scratch_len);

#endif
