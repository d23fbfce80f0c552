/* Status codes as text, and the library's version. Both tables come from
 * SSE_ERRNO_MAP in sse.h so names, numbers and messages cannot drift. */
#include "sse_internal.h"

const char *sse_strerror(int code)
{
    switch (code) {
#define SSE__TEXT(num, name, text)                                            \
    case num:                                                                 \
        return text;
        SSE_ERRNO_MAP(SSE__TEXT)
#undef SSE__TEXT
    default:
        return "unknown error";
    }
}

const char *sse_errname(int code)
{
    switch (code) {
#define SSE__NAME(num, name, text)                                            \
    case num:                                                                 \
        return "SSE_" #name;
        SSE_ERRNO_MAP(SSE__NAME)
#undef SSE__NAME
    default:
        return "SSE_E_UNKNOWN";
    }
}

unsigned sse_version(void) { return SSE_VERSION_NUMBER; }

const char *sse_version_string(void) { return SSE_VERSION_STRING; }
