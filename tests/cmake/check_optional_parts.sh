#!/usr/bin/env bash
# A machine with only a compiler and CMake builds the library: every part
# whose packages are missing is skipped with one configure line naming the
# package and the option that forces it on, and forcing it on is a clear
# configure error. "Missing" is made real by giving pkg-config an empty
# search path, so nothing it could find exists.
#   check_optional_parts.sh SOURCE_DIR CC
set -u
src=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty"
export PKG_CONFIG_LIBDIR=$tmp/empty PKG_CONFIG_PATH=
fails=0 runs=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. Defaults (AUTO): configures, says what it skips, builds the library.
runs=$((runs + 1))
if cmake -S "$src" -B "$tmp/auto" -DCMAKE_C_COMPILER="$cc" > "$tmp/auto.log" 2>&1 &&
   cmake --build "$tmp/auto" -j 2 > "$tmp/build.log" 2>&1; then
  for lib in libsse.a libsse.so; do
    [ -e "$tmp/auto/$lib" ] || fail "AUTO: $lib was not built"
  done
else
  fail "AUTO: configure or build failed"
  cat "$tmp/auto.log" "$tmp/build.log" 2> /dev/null | tail -30
fi
for want in \
  "Skipping the tests: cmocka (Debian package libcmocka-dev) not found (-DSSE_BUILD_TESTS=ON makes this an error)" \
  "Skipping sse-dump and sse-encode: json-c (Debian package libjson-c-dev) not found (-DSSE_BUILD_TOOLS=ON makes this an error)" \
  "Skipping sse-get: libcurl (Debian package libcurl4-openssl-dev) not found (-DSSE_BUILD_GET=ON makes this an error)" \
  "Skipping sse-server (the demo) and evhttp_server: libevent (Debian package libevent-dev) not found (-DSSE_BUILD_SERVER=ON makes this an error)" \
  "Skipping mhd_server (the libmicrohttpd example): libmicrohttpd (Debian package libmicrohttpd-dev) not found (-DSSE_BUILD_MHD_SERVER=ON makes this an error)" \
  "Skipping sse-server --redis (a history on Redis): hiredis (Debian package libhiredis-dev) not found (-DSSE_BUILD_REDIS=ON makes this an error)"; do
  runs=$((runs + 1))
  grep -qxF -- "-- $want" "$tmp/auto.log" || fail "AUTO: no line '$want'"
done

# 2. Each part forced on: a configure error that names the package.
for part in TESTS:libcmocka-dev TOOLS:libjson-c-dev GET:libcurl4-openssl-dev \
            SERVER:libevent-dev MHD_SERVER:libmicrohttpd-dev REDIS:libhiredis-dev; do
  option=SSE_BUILD_${part%%:*} package=${part#*:}
  runs=$((runs + 1))
  if cmake -S "$src" -B "$tmp/on-$option" -DCMAKE_C_COMPILER="$cc" \
       -D"$option"=ON > "$tmp/on.log" 2>&1; then
    fail "$option=ON configured without $package"
  elif ! tr -s ' \n' ' ' < "$tmp/on.log" |
         grep -q "$option=ON: .* needs .*(Debian package $package), which was not found"; then
    fail "$option=ON: the error does not name $package"
    tail -20 "$tmp/on.log"
  fi
done

# 3. OFF is quiet: no line about a part that was not asked for.
runs=$((runs + 1))
cmake -S "$src" -B "$tmp/off" -DCMAKE_C_COMPILER="$cc" -DSSE_BUILD_TESTS=OFF \
  -DSSE_BUILD_EXAMPLES=OFF > "$tmp/off.log" 2>&1 || fail "OFF: configure failed"
grep -q "Skipping" "$tmp/off.log" && fail "OFF: still reports skipped parts"

echo "optional parts: $((runs - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
