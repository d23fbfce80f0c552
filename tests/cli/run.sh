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

# Exit statuses (examples/tools/tool_common.h): 0 read to the end, 2 bad usage,
# 3 unreadable input or unwritable output.
expect_status 0 "$dump" /dev/null
expect_status 0 "$dump" --help
expect_status 3 "$dump" "$out/does-not-exist"
expect_status 3 "$dump" "$out"            # a directory cannot be read
expect_status 2 "$dump" --chunk 0
expect_status 2 "$dump" --chunk x
expect_status 2 "$dump" --bogus
expect_status 2 "$dump" a b
expect_status 2 "$dump" --utf8 latin1
if [ -w /dev/full ]; then                   # output that cannot be written
  runs=$((runs + 1))
  printf 'data: x\n\n' | "$dump" > /dev/full 2> /dev/null
  got=$?
  [ "$got" -eq 3 ] || fail "exit $got, wanted 3 writing to /dev/full"
fi

echo "sse-dump: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
