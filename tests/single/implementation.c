/* The library, built from the single header: the unit suites link this
 * instead of the normal library. */
#define SSE_IMPLEMENTATION
#include "sse.h"
