#!/usr/bin/env bash
# Compiles every C program in README.md and docs/guide.md against the build
# tree and runs them, so the documentation cannot rot.
#   README.md:
#     1. the parser, on the bundled sample stream;
#     2. the encoder: the exact frame it prints;
#     3. the server: a stream, then a resume with Last-Event-ID;
#     4. the client, against that server (when libcurl is there);
#     5. the single-header program, built against include/single/sse.h only.
#   docs/guide.md:
#     1. the buffer-form encoder: its HTTP head, and its events as read back
#        by README 1;
#     2. the writev-form encoder: its padding and retry lines, and its
#        events as read back by README 1;
#     3. the libcurl client with reconnects: compiled and linked (sse-get,
#        built on the same calls, is run end to end by client_e2e).
#   docs/streaming.md:
#     1. saving each event's data to a file: two events (one of 3 MiB, in
#        CR LF lines) saved whole, an unfinished one removed;
#     2. sending a file as one event: 3 MiB of random bytes, read back by
#        streaming 1 byte for byte.
# Usage: check_readme_example.sh SOURCE_DIR CC LIBSSE_A "EXTRA_FLAGS"
set -eu
src=$1 cc=$2 lib=$3 extra=${4:-}
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$tmp"' EXIT

extract() { # FILE PREFIX EXPECTED-COUNT
  awk -v out="$tmp/$2" '/^```c$/ {on=1; n++; next}
                        on && /^```$/ {on=0; next}
                        on {print > (out n ".c")}' "$1"
  local count
  count=$(ls "$tmp/$2"*.c 2>/dev/null | wc -l)
  [ "$count" -eq "$3" ] || { echo "expected $3 C programs in $1, found $count"; exit 1; }
}
extract "$src/README.md" readme 5
extract "$src/docs/guide.md" guide 3
extract "$src/docs/streaming.md" streaming 2

build() { # NAME [EXTRA LINK ARGS...]
  local name=$1; shift
  # shellcheck disable=SC2086
  "$cc" $extra -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
    -I"$src/include" -o "$tmp/$name" "$tmp/$name.c" "$lib" "$@"
}
have_curl=
pkg-config --exists libcurl 2> /dev/null && have_curl=1

# README 1. Parser.
build readme1
"$tmp/readme1" < "$src/examples/sample.sse" > "$tmp/out1"
grep -qx 'token: {"delta":"Hel"} (id 1)' "$tmp/out1"
grep -qx 'done: \[DONE\] (id 5)' "$tmp/out1"

# README 2. Encoder.
build readme2
"$tmp/readme2" > "$tmp/out2"
printf 'event: token\nid: 1\ndata: two\ndata: lines\n\n' | cmp - "$tmp/out2"

# README 3 and 4. The server streams; a reconnect with Last-Event-ID: 1
# starts at event 2 (what it missed), whatever came after; the client
# prints what the server sends.
build readme3
"$tmp/readme3" > "$tmp/url" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
url=$(cat "$tmp/url")
curl -sN --max-time 2.5 "$url" > "$tmp/live" || true
head -n 2 "$tmp/live" | tr '\n' ' ' | grep -qx 'id: 1 data: tick 1 '
sleep 2 # the server finds the first client gone at its next write
curl -sN --max-time 4 -H 'Last-Event-ID: 1' "$url" > "$tmp/resumed" || true
head -n 2 "$tmp/resumed" | tr '\n' ' ' | grep -qx 'id: 2 data: tick 2 '
if [ -n "$have_curl" ]; then
  # shellcheck disable=SC2046
  build readme4 $(pkg-config --cflags --libs libcurl)
  sleep 2
  timeout 4 "$tmp/readme4" "$url" > "$tmp/client" || [ $? -eq 124 ]
  grep -qE '^message: tick [0-9]+$' "$tmp/client"
else
  echo "README 4 (the libcurl client): skipped, no libcurl"
fi
kill "$server"; wait "$server" 2> /dev/null || true; server=

# README 5. Single header: no library, only the one file.
# shellcheck disable=SC2086
"$cc" $extra -std=c99 -pedantic -Wall -Wextra -Werror \
  -I"$src/include/single" -o "$tmp/readme5" "$tmp/readme5.c"
"$tmp/readme5" > "$tmp/out5"
printf 'data: hello\n\n' | cmp - "$tmp/out5"

# guide 1. Buffer form: the head, then frames that parse back.
build guide1
"$tmp/guide1" > "$tmp/g1"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n\r\n' > "$tmp/head"
cmp -n "$(wc -c < "$tmp/head")" "$tmp/head" "$tmp/g1"
tail -c +"$(( $(wc -c < "$tmp/head") + 1 ))" "$tmp/g1" | "$tmp/readme1" > "$tmp/events1"
printf '%s\n' 'token: {"delta":"Hel"} (id 1)' 'message: two' 'lines (id 2)' > "$tmp/want1"
cmp "$tmp/want1" "$tmp/events1"

# guide 2. writev form: a 2048-byte padding line, retry, an event, a heartbeat.
build guide2
"$tmp/guide2" > "$tmp/g2"
[ "$(head -n 1 "$tmp/g2" | wc -c)" -eq 2048 ]
sed -n 2p "$tmp/g2" | grep -qx 'retry: 2000'
tail -n 2 "$tmp/g2" | head -n 1 | grep -qx ':'
"$tmp/readme1" < "$tmp/g2" > "$tmp/events2"
echo 'token: {"delta":"Hel"} (id 1)' | cmp - "$tmp/events2"

# guide 3. The reconnecting libcurl client: compiled and linked.
if [ -n "$have_curl" ]; then
  # shellcheck disable=SC2046
  build guide3 $(pkg-config --cflags --libs libcurl)
fi
# streaming 1. Each event's data to a file; an unfinished event leaves none.
build streaming1
mkdir "$tmp/s1"
{ printf 'data: a\r\ndata: b\n\nevent: big\n'
  for _ in $(seq 3); do
    printf 'data: '; head -c 1048574 /dev/zero | tr '\0' 'z'; printf '\r\n'
  done
  printf '\ndata: unfinished'; } |
  (cd "$tmp/s1" && "$tmp/streaming1" > out)
printf 'a\nb' | cmp - "$tmp/s1/event-1.data"
[ "$(wc -c < "$tmp/s1/event-2.data")" -eq $((3 * 1048575 - 1)) ]
printf '%s\n' 'event-1.data: message, 3 bytes' \
  'event-2.data: big, 3145724 bytes' | cmp - "$tmp/s1/out"
[ ! -e "$tmp/s1/event-3.data" ]

# streaming 2. A file as one event, read back whole by streaming 1.
build streaming2
mkdir "$tmp/s2"
head -c 3145728 /dev/urandom | tr -d '\r' > "$tmp/s2/file"
"$tmp/streaming2" < "$tmp/s2/file" > "$tmp/s2/stream"
(cd "$tmp/s2" && "$tmp/streaming1" < stream > out)
cmp "$tmp/s2/file" "$tmp/s2/event-1.data"
grep -q '^event-1.data: file, ' "$tmp/s2/out"

cat "$tmp/out1" "$tmp/out2" "$tmp/resumed" "$tmp/out5" "$tmp/events1" "$tmp/events2"
echo "README, guide and streaming programs: ok"
