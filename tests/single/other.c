/* The second file (see main.c). */
#ifdef SSE_PRIVATE
#define SSE_IMPLEMENTATION
#endif
#include "sse.h"

#include <string.h>

sse_ssize other_encode(char *out, size_t cap);

sse_ssize other_encode(char *out, size_t cap)
{
    sse_frame f;
    memset(&f, 0, sizeof f);
    f.data = "two\r\nfiles";
    f.data_len = 10;
    return sse_encode(out, cap, &f);
}
