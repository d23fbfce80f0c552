#!/usr/bin/env bash
# sse-dump's streaming modes (docs/tools.md):
#   --pieces      at many chunk sizes: the piece records of each event,
#                 joined, and every other record equal the hand-written
#                 pieces/pieces.jsonl (piece boundaries follow the chunks;
#                 their sum may not);
#   --data-dir    the same stream: the JSON lines of pieces/data_dir.jsonl,
#                 each dispatched event's data in its file, no file for a
#                 discarded one, nothing left half-written; and a 16 MiB
#                 one-line event through a pipe, four times the default
#                 max-event, arriving whole.
set -u
dump=$1
dir=$(cd "$(dirname "$0")" && pwd)/pieces
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=0 fails=0
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Consecutive {"piece":...} records become one {"pieces":...} record with
# their texts joined and their lengths summed.
join_pieces() {
  awk '
    /^\{"piece":"/ {
      s = $0; n = $0
      sub(/^\{"piece":"/, "", s); sub(/","length":[0-9]+\}$/, "", s)
      sub(/^.*","length":/, "", n); sub(/\}$/, "", n)
      text = text s; len += n; open = 1; next
    }
    { flush(); print }
    END { flush() }
    function flush() {
      if (open) printf "{\"pieces\":\"%s\",\"length\":%d}\n", text, len
      text = ""; len = 0; open = 0
    }'
}

for chunk in 1 2 3 5 4096; do
  runs=$((runs + 1))
  "$dump" --pieces --max-field 8 --chunk "$chunk" "$dir/stream.sse" \
    > "$work/raw" 2> "$work/err" || fail "--pieces --chunk $chunk: exit $?"
  join_pieces < "$work/raw" > "$work/got"
  if ! cmp -s "$work/got" "$dir/pieces.jsonl"; then
    fail "--pieces --chunk $chunk"
    diff -u "$dir/pieces.jsonl" "$work/got" | head -20
    cat "$work/err"
  fi
done

for chunk in 1 7 4096; do
  runs=$((runs + 1))
  rm -rf "$work/out"
  (cd "$work" && "$dump" --data-dir out --max-field 8 --chunk "$chunk" \
    < "$dir/stream.sse" > got 2> err) || fail "--data-dir --chunk $chunk: exit $?"
  if ! cmp -s "$work/got" "$dir/data_dir.jsonl"; then
    fail "--data-dir --chunk $chunk: output"
    diff -u "$dir/data_dir.jsonl" "$work/got" | head -20
    cat "$work/err"
  fi
  printf 'hello\nworld' | cmp -s - "$work/out/1.data" ||
    fail "--data-dir --chunk $chunk: out/1.data"
  [ -f "$work/out/2.data" ] && [ ! -s "$work/out/2.data" ] ||
    fail "--data-dir --chunk $chunk: out/2.data should be empty"
  files=$(cd "$work/out" && echo *)
  [ "$files" = "1.data 2.data" ] ||
    fail "--data-dir --chunk $chunk: files left: $files"
done

# 16 MiB in one data line, from a pipe: buffered, it would be dropped at
# the default 4 MiB max-event; streamed, it arrives whole.
runs=$((runs + 1))
rm -rf "$work/out"
big=$((16 << 20))
{ printf 'data: '; head -c "$big" /dev/zero | tr '\0' 'x'; printf '\n\n'; } |
  (cd "$work" && "$dump" --data-dir out > got 2> err) || fail "big: exit $?"
printf '{"data_file":"out/1.data","type":"message","id":"","length":%d}\n' \
  "$big" | cmp -s - "$work/got" || { fail "big: output"; cat "$work/got"; }
head -c "$big" /dev/zero | tr '\0' 'x' | cmp -s - "$work/out/1.data" ||
  fail "big: out/1.data is not the event's data"

# Usage: the two modes exclude each other; an unusable directory is an
# I/O error.
expect_status 2 "$dump" --pieces --data-dir "$work/x"
expect_status 3 "$dump" --data-dir /dev/null/x "$dir/stream.sse"

echo "$runs runs, $fails failures"
[ "$fails" -eq 0 ]
