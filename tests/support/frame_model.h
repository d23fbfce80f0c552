/* What a receiver must get back from an encoded frame, worked out from the
 * frame's fields and the rules in sse.h, independently of the encoder:
 * shared by test_encode and the round-trip fuzz target. */
#ifndef SSE_TEST_FRAME_MODEL_H
#define SSE_TEST_FRAME_MODEL_H

#include <stddef.h>

#include "sse.h"
#include "trace_text.h"

/* The receiver's last event ID across frames. */
typedef struct frame_state {
    char *last_id; /* malloc'd */
    size_t last_id_len;
} frame_state;

/* The code the encoder must refuse f with, or SSE_OK. */
int frame_refusal(const sse_frame *f);

/* Appends to t what a parser reports for an accepted frame f (comments
 * reported), updating st. */
void frame_expect(trace *t, const sse_frame *f, frame_state *st);

void frame_state_free(frame_state *st);

#endif
