#!/usr/bin/env bash
# The demo, once sse-server is built (.ci/demo builds it, then runs this):
# starts the server, waits for the line in which it says where it listens,
# prints the URL and the first seconds of the stream as curl -N shows them,
# and serves until Ctrl-C.
#   demo.sh SSE_SERVER [sse-server options...]
# SSE_DEMO_SECONDS=N stops it after N seconds (unattended runs, tests).
# If the server cannot start (port taken, bad option) it says so and exits
# non-zero: readiness is the server's own "listening on" line, never a
# probe that another program on the port could answer.
set -uo pipefail
server=$1; shift
for tool in curl "$server"; do
  command -v "$tool" > /dev/null || { echo "demo: $tool not found" >&2; exit 1; }
done

for arg in "$@"; do
  case $arg in -h | --help | -V | --version) exec "$server" "$arg" ;; esac
done

ready=$(mktemp)
"$server" "$@" > "$ready" &
pid=$!
cleanup() {
  kill -INT "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  rm -f "$ready"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

url=
for _ in $(seq 100); do
  url=$(sed -n 's|^sse-server: listening on \(http://[^ ]*/\).*|\1|p' "$ready")
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2> /dev/null; then
    wait "$pid"; status=$?
    port=8080
    while [ $# -gt 0 ]; do
      case $1 in --port) port=${2:-?}; shift ;; --port=*) port=${1#--port=} ;; esac
      shift
    done
    echo >&2
    if [ "$status" -eq 2 ]; then
      echo "demo: sse-server refused its options (above); see $server --help" >&2
    else
      echo "demo: sse-server could not start on port $port (above)." >&2
      echo "      Is another program listening there? Try --port 9000, or" \
           "--port 0 for any free port." >&2
    fi
    exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: sse-server did not say it was listening within 10 s" >&2; exit 1; }

cat << MSG

== The demo is running.
   In a browser:  $url
                  (the button drops the connection: watch it resume, no gap)
   Raw frames:    curl -N ${url}events
   Resume:        curl -N -H 'Last-Event-ID: 10' ${url}events
   Stop it with Ctrl-C.

== The first seconds of the stream, as curl -N shows them:
MSG
curl -sN --max-time 3 "${url}events"
echo
echo "== (curl stopped after 3 s; the stream goes on)"
if [ -n "${SSE_DEMO_SECONDS:-}" ]; then
  sleep "$SSE_DEMO_SECONDS"
else
  wait "$pid"
fi
