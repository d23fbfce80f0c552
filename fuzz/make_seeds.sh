#!/usr/bin/env bash
# Regenerates fuzz/corpus/ from the unit suites' streams:
#   fuzz/make_seeds.sh BUILD_DIR
# Runs test_parse and test_limits with SSE_SEED_DIR set (every stream they
# check is written out), then gives each target those streams behind the
# option bytes it reads first (one plain variant, one with its options
# byte set), named by SHA-256 so identical inputs collapse. The round-trip
# target gets a few hand-made frames instead.
set -eu
build=$1
src=$(cd "$(dirname "$0")" && pwd)
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
SSE_SEED_DIR=$raw "$build/tests/test_parse" > /dev/null
SSE_SEED_DIR=$raw "$build/tests/test_limits" > /dev/null

add() { # add TARGET FILE: store FILE under its hash
  local sum
  sum=$(sha256sum "$2" | cut -c1-64)
  cp "$2" "$src/corpus/$1/$sum"
}

for t in parse differential chunking limits roundtrip; do
  rm -rf "${src:?}/corpus/$t"
  mkdir -p "$src/corpus/$t"
done
for f in "$raw"/seed-*; do
  # header bytes: parse 3, differential 1, chunking 3, limits 4
  { printf '\000\000\000'; cat "$f"; } > "$raw/x"; add parse "$raw/x"
  { printf '\003\021\007'; cat "$f"; } > "$raw/x"; add parse "$raw/x"
  { printf '\000'; cat "$f"; } > "$raw/x"; add differential "$raw/x"
  { printf '\007'; cat "$f"; } > "$raw/x"; add differential "$raw/x"
  { printf '\000\000\000'; cat "$f"; } > "$raw/x"; add chunking "$raw/x"
  { printf '\017\041\013'; cat "$f"; } > "$raw/x"; add chunking "$raw/x"
  { printf '\002\010\020\006'; cat "$f"; } > "$raw/x"; add limits "$raw/x"
  { printf '\013\005\040\003'; cat "$f"; } > "$raw/x"; add limits "$raw/x"
done
# Round trip: seed byte, then per frame a header byte (1 data, 2 type,
# 4 id, 8 comment, 16 retry + 8 bytes, 32 check UTF-8, 64 padding + 1 byte)
# and a length byte before each text field.
rt() { printf "$1" > "$raw/x"; add roundtrip "$raw/x"; }
rt '\003\001\005hello'
rt '\001\007\011a\r\n\r\nb\r\005token\0021 '
rt '\002\045\002\303\251\001\000\003c\nd'
rt '\004\120\000\000\000\000\000\000\013\270\010'
rt '\005\005\003 \n \002\0027\001\002\004x\0002'
rt '\006\001\000\004\002id\001\001\001\000'
echo "corpus: $(for t in parse differential chunking limits roundtrip; do printf '%s %s  ' "$t" "$(ls "$src/corpus/$t" | wc -l)"; done)"
