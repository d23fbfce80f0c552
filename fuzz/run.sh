#!/usr/bin/env bash
# Fuzzes one libFuzzer target for a bounded time and fails on any crash,
# leak, sanitizer report, differential mismatch (an abort) or hang.
#   run.sh FUZZER CORPUS_DIR DICT SECONDS [SUMMARY_FILE [ARTIFACT_DIR]]
# The committed corpus is read, never written: new inputs go to a temporary
# directory. A failing input is kept in ARTIFACT_DIR (turn it into a unit
# regression test and, once fixed, add it to the corpus).
set -u
fuzzer=$1 corpus=$2 dict=$3 secs=$4 summary=${5:-} artifacts=${6:-}
name=$(basename "$fuzzer")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$artifacts" ] || artifacts=$work/artifacts
mkdir -p "$work/new" "$artifacts"
"$fuzzer" -max_total_time="$secs" -timeout=10 -dict="$dict" \
  -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
  "$work/new" "$corpus" > "$work/log" 2>&1
status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
line="$name: ${runs:-?} executions in ${secs} s, $(ls "$corpus" | wc -l) seeds, $(ls "$work/new" | wc -l) new inputs, exit $status"
echo "$line"
[ -n "$summary" ] && echo "$line" >> "$summary"
if [ "$status" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "failing input kept in $artifacts:"
  ls -l "$artifacts"
fi
exit "$status"
