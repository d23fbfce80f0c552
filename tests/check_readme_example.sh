#!/usr/bin/env bash
# Compiles the README's first C example against the build tree and runs it
# on the bundled sample stream, so the documentation cannot rot.
# Usage: check_readme_example.sh SOURCE_DIR CC LIBSSE_A "EXTRA_FLAGS"
set -eu
src=$1 cc=$2 lib=$3 extra=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ {on=1; next} on && /^```$/ {exit} on {print}' "$src/README.md" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "no C example in README.md"; exit 1; }
# shellcheck disable=SC2086
"$cc" $extra -Wall -Wextra -Werror -I"$src/include" -o "$tmp/example" "$tmp/example.c" "$lib"
"$tmp/example" < "$src/examples/sample.sse" > "$tmp/out"
grep -q '^token: {"delta":"Hel"} (id 1)$' "$tmp/out"
grep -q '^done: \[DONE\] (id 5)$' "$tmp/out"
cat "$tmp/out"
