#!/usr/bin/env bash
# Runs sse-dump on every tests/cli/<case>.sse (extra arguments from
# <case>.args) at several chunk sizes, from a file and from stdin, and
# compares the JSON lines with the hand-written <case>.jsonl. Then checks the
# exit statuses of the command-line contract.
set -u
dump=$1
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0 runs=0
# shellcheck source=lib.sh
. "$dir/lib.sh"

for input in "$dir"/*.sse; do
  name=$(basename "$input" .sse)
  args=()
  [ -f "$dir/$name.args" ] && read -r -a args < "$dir/$name.args"
  for chunk in 1 2 3 7 4096; do
    for how in file stdin; do
      runs=$((runs + 1))
      if [ "$how" = file ]; then
        "$dump" --chunk "$chunk" "${args[@]}" "$input" > "$out/got" 2> "$out/err"
      else
        "$dump" --chunk="$chunk" "${args[@]}" < "$input" > "$out/got" 2> "$out/err"
      fi
      status=$?
      if [ $status -ne 0 ] || ! cmp -s "$out/got" "$dir/$name.jsonl"; then
        echo "FAIL: $name (--chunk $chunk, $how, exit $status)"
        diff -u "$dir/$name.jsonl" "$out/got" | head -20
        cat "$out/err"
        fails=$((fails + 1))
      fi
    done
  done
done

# Exit statuses: 0 read to the end, 1 unreadable input, 2 bad usage.
expect_status 0 "$dump" /dev/null
expect_status 0 "$dump" --help
expect_status 1 "$dump" "$out/does-not-exist"
expect_status 1 "$dump" "$out"            # a directory cannot be read
expect_status 2 "$dump" --chunk 0
expect_status 2 "$dump" --chunk x
expect_status 2 "$dump" --bogus
expect_status 2 "$dump" a b

echo "sse-dump: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
