#!/usr/bin/env bash
# 32-bit build (size_t and pointers of 4 bytes): compiles the library, the
# reference model and the fuzz replay programs with -m32 -Werror, replays
# every fuzz corpus through them (library against the model, encoder round
# trips, chunking), and builds and runs the single-header two-file program.
# cmocka has no i386 package here, so the cmocka suites are not part of it.
# Usage: check_m32.sh SOURCE_DIR CC
set -eu
src=$1 cc=$2
# Debian's i686 cross compiler where installed (.ci/deps: gcc-multilib
# conflicts with the aarch64 and s390x cross compilers the qemu check uses).
command -v i686-linux-gnu-gcc > /dev/null && cc=i686-linux-gnu-gcc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-m32 -std=c99 -pedantic -Wall -Wextra -Wconversion -Wno-sign-conversion -Werror -O1"
lib=(src/sse_parse.c src/sse_parser.c src/sse_memory.c src/sse_utf8.c
     src/sse_encode.c src/sse_history.c src/sse_http.c src/sse_reconnect.c
     src/sse_error.c)
support=(tests/support/trace_text.c tests/support/parse_run.c
         tests/support/ref_model.c tests/support/frame_model.c
         fuzz/fuzz_common.c fuzz/fuzz_main.c)
cd "$src"
# No 32-bit toolchain: skipped, exit 77.
# shellcheck disable=SC2086
if ! echo 'int main(void) { return sizeof(void *) == 4 ? 0 : 1; }' |
  "$cc" $flags -x c -o "$tmp/probe" - 2> /dev/null || ! "$tmp/probe"; then
  echo "no working -m32 toolchain: skipped"
  exit 77
fi
for t in parse differential chunking limits roundtrip pieces encode_pieces; do
  # shellcheck disable=SC2086
  "$cc" $flags -D_POSIX_C_SOURCE=200809L -Iinclude -Itests/support -Ifuzz \
    -o "$tmp/replay_$t" "${lib[@]}" "${support[@]}" "fuzz/fuzz_$t.c"
  "$tmp/replay_$t" "fuzz/corpus/$t"
done
# shellcheck disable=SC2086
"$cc" $flags -Iinclude/single -o "$tmp/two_files" tests/single/main.c \
  tests/single/other.c
"$tmp/two_files"
