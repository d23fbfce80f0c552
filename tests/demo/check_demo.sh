#!/usr/bin/env bash
# The demo script (examples/demo/demo.sh, what ./.ci/demo runs after the
# build) tells the truth:
#   1. with its port taken by another listener it exits non-zero, naming
#      the port, instead of announcing a demo that is not running;
#   2. a bad option is reported, exit non-zero;
#   3. --help shows the server's options;
#   4. --port 0 prints the URL with the port actually bound, and the
#      stream from that URL.
#   check_demo.sh SOURCE_DIR SSE_SERVER
set -u
src=$1 server=$2
demo=$src/examples/demo/demo.sh
out=$(mktemp -d)
other=
trap '[ -n "$other" ] && kill "$other" 2> /dev/null; rm -rf "$out"' EXIT
fails=0 runs=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. Another listener holds the port (a second sse-server will do: what
#    matters is that the demo's own server cannot bind).
"$server" --port 0 > "$out/other" 2> /dev/null &
other=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/other")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: the other listener did not start"; exit 1; }
runs=$((runs + 1))
SSE_DEMO_SECONDS=1 timeout 30 "$demo" "$server" --port "$port" > "$out/taken" 2>&1
status=$?
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
  fail "port taken: exit $status, wanted a failure"
fi
grep -q "could not start on port $port" "$out/taken" ||
  fail "port taken: no message naming port $port"
grep -q "The demo is running" "$out/taken" &&
  fail "port taken: it still claimed to be running"
runs=$((runs + 1))
SSE_DEMO_SECONDS=1 timeout 30 "$demo" "$server" --port="$port" > "$out/taken2" 2>&1
[ $? -ne 0 ] && grep -q "port $port" "$out/taken2" ||
  fail "port taken, --port=N spelling: not reported"
kill "$other"; wait "$other" 2> /dev/null; other=

# 2. A bad option.
runs=$((runs + 1))
SSE_DEMO_SECONDS=1 timeout 30 "$demo" "$server" --no-such-option > "$out/bad" 2>&1
status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "bad option: exit $status"
grep -q "refused its options" "$out/bad" || fail "bad option: not reported"

# 3. --help is the server's, not a failure to start.
runs=$((runs + 1))
timeout 30 "$demo" "$server" --help > "$out/help" 2>&1 &&
  grep -q "^Usage: sse-server" "$out/help" || fail "--help: not the server's usage"

# 4. --port 0: the URL shows the bound port, and frames arrive from it.
runs=$((runs + 1))
SSE_DEMO_SECONDS=1 timeout 30 "$demo" "$server" --port 0 --interval-ms 50 \
  > "$out/any" 2>&1
status=$?
[ "$status" -eq 0 ] || fail "--port 0: exit $status"
url=$(sed -n 's|^   In a browser:  \(http://127.0.0.1:[0-9]*/\)$|\1|p' "$out/any")
case $url in
  http://127.0.0.1:0/ | "") fail "--port 0: no URL with a real port: '$url'" ;;
esac
grep -q "^data: " "$out/any" || fail "--port 0: no frames shown"
grep -q "^id: " "$out/any" || fail "--port 0: no event ids shown"

if [ "$fails" -ne 0 ]; then
  for f in "$out"/taken "$out"/bad "$out"/any; do echo "== $f"; cat "$f"; done
fi
echo "demo script: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
