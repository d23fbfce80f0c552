/* What the command-line tools share: Unix conventions, written once.
 *
 * Exit status, the same in every tool:
 *   0  done (including: the reader of our output went away, as in
 *      `sse-dump big.sse | head -1`; that is an ordinary end, not an error)
 *   1  the tool's own failure (sse-encode: a record was refused; sse-get:
 *      gave up on the server)
 *   2  usage: an unknown option or a bad option value
 *   3  input or output error (cannot open or read the input, cannot write) */
#ifndef SSE_EXAMPLE_TOOL_COMMON_H
#define SSE_EXAMPLE_TOOL_COMMON_H

#include <stdint.h>
#include <stdio.h>

enum { TOOL_OK = 0, TOOL_FAILED = 1, TOOL_USAGE = 2, TOOL_IO = 3 };

/* A write to a closed pipe returns EPIPE instead of killing the process
 * with SIGPIPE, so the tool can end cleanly. Call first thing in main. */
void tool_no_sigpipe(void);

/* Is errno (as left by a failed write) "the reader went away"? */
int tool_reader_gone(int err);

/* A decimal number from 0 to max: digits only (no sign, no spaces, no
 * locale). Returns 0, or -1. */
int tool_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* "PROG: --OPTION needs WHAT" (OPTION without its dashes, as in struct
 * option); returns TOOL_USAGE. */
int tool_bad_value(const char *prog, const char *option, const char *what);

/* The --version text: "PROG (libsse) X.Y.Z". */
void tool_print_version(const char *prog);

/* After getopt_long: "try 'PROG --help'" on stderr; returns TOOL_USAGE. */
int tool_usage_error(const char *prog);

/* The end of every tool's getopt_long table: --help and --version. */
#define TOOL_STANDARD_OPTIONS                                                 \
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},    \
    {NULL, 0, NULL, 0}

/* Every option the tool does not handle itself: -h prints usage, -V the
 * version (both: TOOL_OK, and the tool stops there); anything else is a
 * usage error that getopt_long has already named (TOOL_USAGE). */
int tool_standard_option(int c, const char *prog, void (*usage)(void));

/* The operands after the options: at most one FILE ("-" or none: stdin).
 * Returns TOOL_OK with *path (NULL for none), or TOOL_USAGE. */
int tool_file_operand(int argc, char **argv, int optind, const char *prog,
                      const char **path);

#endif
