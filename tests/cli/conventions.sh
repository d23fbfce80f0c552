#!/usr/bin/env bash
# What every command-line tool shares (examples/tools/tool_common.h): --help and
# --version, "--opt value" and "--opt=value" alike, usage errors (exit 2),
# a reader that goes away (`tool | head -1`) as an ordinary end (exit 0,
# not death by SIGPIPE), and sse-dump's bounded memory and windowed UTF-8
# output.
#   conventions.sh VERSION SSE_DUMP SSE_ENCODE [SSE_GET]
# SSE_SANITIZED=1 skips the memory bound (sanitizers reserve terabytes of
# address space).
set -u
version=$1 dump=$2 encode=$3 get=${4:-}
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0 runs=0
# shellcheck source=lib.sh
. "$dir/lib.sh"

check() { # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  runs=$((runs + 1))
  "$@" || fail "$what"
}

tools=("$dump" "$encode")
[ -n "$get" ] && tools+=("$get")
for tool in "${tools[@]}"; do
  name=$(basename "$tool")
  "$tool" --help > "$out/help" 2> "$out/err"
  check "$name --help: exit 0, usage on stdout" \
    grep -q "^Usage: $name " "$out/help"
  check "$name --help: nothing on stderr" test ! -s "$out/err"
  check "$name -h is --help" cmp -s "$out/help" <("$tool" -h)
  check "$name --version" test "$("$tool" --version)" = "$name (libsse) $version"
  check "$name -V is --version" test "$("$tool" -V)" = "$name (libsse) $version"
  "$tool" --no-such-option < /dev/null > "$out/got" 2> "$out/err"
  status=$?
  check "$name --no-such-option: exit 2 (got $status)" test "$status" -eq 2
  check "$name --no-such-option: points to --help" \
    grep -q "Try '$name --help'" "$out/err"
  check "$name --no-such-option: nothing on stdout" test ! -s "$out/got"
done

# Both spellings of an option with a value, and abbreviations getopt_long
# takes as long as they are unambiguous.
sample=$dir/bytes.sse
"$dump" --chunk 3 --utf8 replace "$sample" > "$out/spaced"
"$dump" --chunk=3 --utf8=replace "$sample" > "$out/joined"
check "sse-dump: --opt value and --opt=value agree" cmp -s "$out/spaced" "$out/joined"
check "sse-dump: --utf8=replace is applied" cmp -s "$out/joined" "$dir/bytes_replace.jsonl"
"$dump" --comm "$dir/comments.sse" > "$out/abbrev"
check "sse-dump: --comm is --comments (unambiguous abbreviation)" \
  cmp -s "$out/abbrev" "$dir/comments.jsonl"
expect_status 2 "$dump" --max 5        # ambiguous: --max-line, --max-event...
expect_status 2 "$dump" --max-event=0
expect_status 2 "$dump" --max-event -5
expect_status 2 "$dump" --chunk
if [ -n "$get" ]; then
  expect_status 2 "$get" --max-events=x http://127.0.0.1:1/
  expect_status 2 "$get" --max-events x http://127.0.0.1:1/
  expect_status 2 "$get"                          # no URL
  expect_status 2 "$get" http://127.0.0.1:1/ http://127.0.0.1:2/
  expect_status 2 "$get" -H no-colon http://127.0.0.1:1/
fi

# The reader goes away after one line: exit 0 and no complaint, for a
# stream far bigger than a pipe's buffer.
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "id: %d\ndata: event %d\n\n", i, i }' \
  > "$out/many.sse"
awk 'BEGIN { for (i = 0; i < 50000; i++) printf "{\"data\":\"event %d\"}\n", i }' \
  > "$out/many.jsonl"
"$dump" "$out/many.sse" 2> "$out/err" | head -n 1 > "$out/first"
status=${PIPESTATUS[0]}
check "sse-dump | head -1: exit 0 (got $status)" test "$status" -eq 0
check "sse-dump | head -1: quiet" test ! -s "$out/err"
check "sse-dump | head -1: the first event" \
  grep -qx '{"type":"message","data":"event 0","id":"0"}' "$out/first"
"$encode" "$out/many.jsonl" 2> "$out/err" | head -n 1 > "$out/first"
status=${PIPESTATUS[0]}
check "sse-encode | head -1: exit 0 (got $status)" test "$status" -eq 0
check "sse-encode | head -1: quiet" test ! -s "$out/err"
check "sse-encode | head -1: the first frame" grep -qx 'data: event 0' "$out/first"

# sse-dump writes strings in 16 KiB windows, replacing invalid UTF-8 in
# each: the windows must give exactly what the parser's own streaming
# decoder (--utf8=replace) gives for the whole event, wherever a sequence,
# valid or not, is cut. 70 KiB of data whose bytes cycle through lead,
# continuation and ASCII bytes with a period prime to the window size.
awk 'BEGIN {
  split("226 130 172 128 128 128 65 240 159 152 128 194 191 237 160 128 " \
        "244 144 128 128 195 40 0 239 191 189 192 175 248 136", b, " ")
  printf "data: "
  for (i = 0; i < 71680; i++) printf "%c", b[i % 31 + 1] + 0
  printf "\n\n"
}' LC_ALL=C > "$out/mixed.sse"
"$dump" --max-line 100000 "$out/mixed.sse" > "$out/window"
"$dump" --max-line 100000 --utf8=replace "$out/mixed.sse" > "$out/decoder"
check "windowed UTF-8 replacement equals the streaming decoder" \
  cmp -s "$out/window" "$out/decoder"
check "the mixed event is printed as one line" test "$(wc -l < "$out/window")" -eq 1

# Memory: one 48 MiB event with the limits raised to fit it. The tool may
# hold the parser's copy (and a little over while it grows), not more:
# under a 96 MiB address-space limit beside what the program needs anyway.
if [ -z "${SSE_SANITIZED:-}" ]; then
  awk 'BEGIN { printf "data: "; for (i = 0; i < 786432; i++)
               printf "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
               printf "\n\n" }' > "$out/big.sse"
  size=$((48 * 1024 * 1024 + 64))
  bytes=$( (ulimit -v $((96 * 1024 + 32 * 1024)) &&
            "$dump" --max-line "$size" --max-event "$size" "$out/big.sse") | wc -c)
  check "a 48 MiB event passes under ulimit -v 128 MiB (printed $bytes bytes)" \
    test "$bytes" -eq $((48 * 1024 * 1024 + 37))
fi

echo "cli conventions: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
