#!/usr/bin/env bash
# Adds seeds to fuzz/corpus/ from the unit suites' streams:
#   fuzz/make_seeds.sh BUILD_DIR
# Runs test_parse and test_limits with SSE_SEED_DIR set (every stream they
# check is written out), then gives each parser target those streams behind
# the option header they all read (fuzz/fuzz_common.h): one plain, one with
# UTF-8 replacement, comments, pausing and small limits, one with comments
# and a caller buffer. Files are named by SHA-256, so identical inputs
# collapse. Nothing is removed: the corpus also keeps inputs the fuzzers
# once failed on, and seeds from streams the suites no longer check still
# cover what they covered. The round-trip
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

parsers="parse differential chunking limits pieces"
for t in $parsers roundtrip; do
  mkdir -p "$src/corpus/$t"
done
for f in "$raw"/seed-*; do
  # header: options, a, b, d (1 UTF-8 replacement, 2 comments, 4 pause,
  # 8 limits from a, b, d, 16 caller buffer from a ^ d)
  for header in '\000\000\000\000' '\017\041\013\007' '\022\005\040\003'; do
    { printf "$header"; cat "$f"; } > "$raw/x"
    for t in $parsers; do add "$t" "$raw/x"; done
  done
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
