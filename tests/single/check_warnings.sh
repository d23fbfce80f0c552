#!/usr/bin/env bash
# The single header compiles warning-free, inlined into a small program
# (inlined.c), at every optimisation level, with and without SSE_PRIVATE
# and with and without the SIMD path, as C99 and C11; and the program
# works each time.
#   check_warnings.sh CC SINGLE_HEADER_DIR
set -u
cc=$1 single=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 runs=0
for std in c99 c11; do
  for level in -O0 -O1 -O2 -O3 -Os; do
    for defs in "" -DSSE_PRIVATE -DSSE_NO_SIMD "-DSSE_PRIVATE -DSSE_NO_SIMD"; do
      runs=$((runs + 1))
      what="$cc -std=$std $level $defs"
      # shellcheck disable=SC2086
      if ! "$cc" -std="$std" $level $defs -Wall -Wextra -Wpedantic -Werror \
           -I"$single" -o "$tmp/inlined" "$here/inlined.c" 2> "$tmp/err"; then
        echo "FAIL: $what"
        head -40 "$tmp/err"
        fails=$((fails + 1))
      elif ! "$tmp/inlined" | grep -qx 'data: hello'; then
        echo "FAIL: $what: the program did not work"
        fails=$((fails + 1))
      fi
    done
  done
done
echo "single header warnings: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
