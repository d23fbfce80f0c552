/* Unix conventions shared by the command-line tools (tool_common.h). */
#define _POSIX_C_SOURCE 200809L

#include "tool_common.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sse.h"

void tool_no_sigpipe(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

int tool_reader_gone(int err)
{
    return err == EPIPE;
}

int tool_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        unsigned d = (unsigned)(unsigned char)*s - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int tool_bad_value(const char *prog, const char *option, const char *what)
{
    fprintf(stderr, "%s: --%s needs %s\n", prog, option, what);
    return TOOL_USAGE;
}

void tool_print_version(const char *prog)
{
    printf("%s (libsse) %s\n", prog, sse_version_string());
}

int tool_usage_error(const char *prog)
{
    fprintf(stderr, "Try '%s --help' for more information.\n", prog);
    return TOOL_USAGE;
}

int tool_standard_option(int c, const char *prog, void (*usage)(void))
{
    if (c == 'h') {
        usage();
        return TOOL_OK;
    }
    if (c == 'V') {
        tool_print_version(prog);
        return TOOL_OK;
    }
    return tool_usage_error(prog);
}

int tool_file_operand(int argc, char **argv, int optind, const char *prog,
                      const char **path)
{
    if (argc - optind > 1) {
        fprintf(stderr, "%s: one FILE at most\n", prog);
        return tool_usage_error(prog);
    }
    *path = optind < argc && strcmp(argv[optind], "-") != 0 ? argv[optind]
                                                           : NULL;
    return TOOL_OK;
}
