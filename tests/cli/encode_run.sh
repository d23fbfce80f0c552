#!/usr/bin/env bash
# Runs sse-encode on every tests/cli/encode/<case>.in.jsonl (extra arguments
# from <case>.args), from a file and from stdin, and compares stdout with the
# hand-written <case>.sse, stderr with <case>.err (default: empty) and the
# exit status with <case>.status (default: 0). Then pipes the stream through
# sse-dump --comments at several chunk sizes: the events must be
# <case>.dump.jsonl (the round trip). Last, the exit statuses of the contract.
set -u
encode=$1 dump=$2
dir=$(cd "$(dirname "$0")" && pwd)/encode
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0 runs=0

# shellcheck source=lib.sh
. "$(dirname "$dir")/lib.sh"

for input in "$dir"/*.in.jsonl; do
  name=$(basename "$input" .in.jsonl)
  args=()
  [ -f "$dir/$name.args" ] && read -r -a args < "$dir/$name.args"
  want_status=0
  [ -f "$dir/$name.status" ] && want_status=$(cat "$dir/$name.status")
  want_err=/dev/null
  [ -f "$dir/$name.err" ] && want_err=$dir/$name.err
  for how in file stdin; do
    runs=$((runs + 1))
    if [ "$how" = file ]; then
      "$encode" "${args[@]}" "$input" > "$out/got" 2> "$out/err"
    else
      "$encode" "${args[@]}" < "$input" > "$out/got" 2> "$out/err"
    fi
    status=$?
    if [ "$status" -ne "$want_status" ]; then
      fail "$name ($how): exit $status, wanted $want_status"
    fi
    if ! cmp -s "$out/got" "$dir/$name.sse"; then
      fail "$name ($how): stream differs"
      diff -u <(cat -A "$dir/$name.sse") <(cat -A "$out/got") | head -20
    fi
    if ! cmp -s "$out/err" "$want_err"; then
      fail "$name ($how): stderr differs"
      diff -u "$want_err" "$out/err" | head -20
    fi
  done
  [ -f "$dir/$name.dump.jsonl" ] || continue
  for chunk in 1 3 4096; do
    runs=$((runs + 1))
    "$encode" "${args[@]}" < "$input" 2> /dev/null |
      "$dump" --comments --chunk "$chunk" > "$out/dumped"
    if ! cmp -s "$out/dumped" "$dir/$name.dump.jsonl"; then
      fail "$name: sse-encode | sse-dump --chunk $chunk"
      diff -u "$dir/$name.dump.jsonl" "$out/dumped" | head -20
    fi
  done
done

# Exit statuses: 0 all written, 1 refused, 2 usage, 3 read/write error.
expect_status 0 "$encode" /dev/null
expect_status 0 "$encode" --help
expect_status 2 "$encode" --bogus
expect_status 2 "$encode" a b
expect_status 3 "$encode" "$out/does-not-exist"
expect_status 3 "$encode" "$out"           # a directory cannot be read
if [ -w /dev/full ]; then                  # output that cannot be written
  runs=$((runs + 1))
  echo '{"data":"x"}' | "$encode" > /dev/full 2> /dev/null
  got=$?
  [ "$got" -eq 3 ] || fail "exit $got, wanted 3 writing to /dev/full"
fi

echo "sse-encode: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
