#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then compiles and runs a
# program using only `pkg-config --cflags --libs sse`, as a user would.
# Usage: check_install.sh BUILD_DIR CC "EXTRA_CFLAGS"
set -eu
build=$1 cc=$2 extra=${3:-}
src=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" > /dev/null
pc=$(find "$prefix" -name sse.pc)
[ -n "$pc" ] || { echo "sse.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir sse)
case "$libdir" in "$prefix"/*) ;; *) echo "libdir $libdir outside prefix"; exit 1;; esac
[ -f "$(pkg-config --variable=includedir sse)/sse.h" ]

# shellcheck disable=SC2046,SC2086
"$cc" $extra -Wall -Wextra -Werror -o "$prefix/consumer" "$src/consumer.c" \
  $(pkg-config --cflags --libs sse)
# It must have linked the installed shared library, SONAME and all.
LD_LIBRARY_PATH=$libdir ldd "$prefix/consumer" | grep -q "libsse.so.0 => $libdir/"
LD_LIBRARY_PATH=$libdir "$prefix/consumer"
