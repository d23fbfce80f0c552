/* Runs a test program built with one forced line-end scan (SSE_SCAN_FORCE),
 * or reports a skip (exit 77, ctest's SKIP_RETURN_CODE) when this CPU
 * lacks that scan's instructions:
 *
 *   scan_way WAY PROGRAM [ARGS...]      WAY: portable sse2 avx2 avx512 neon
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int cpu_has(const char *way)
{
#if defined(__GNUC__) && defined(__x86_64__)
    if (strcmp(way, "avx2") == 0)
        return __builtin_cpu_supports("avx2");
    if (strcmp(way, "avx512") == 0)
        return __builtin_cpu_supports("avx512bw");
#endif
    (void)way;
    return 1; /* the build only makes the ways its target has */
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: scan_way WAY PROGRAM [ARGS...]\n");
        return 2;
    }
    if (!cpu_has(argv[1])) {
        printf("skipped: this CPU has no %s\n", argv[1]);
        return 77;
    }
    execv(argv[2], argv + 2);
    perror(argv[2]);
    return 1;
}
