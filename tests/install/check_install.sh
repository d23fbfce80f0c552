#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and builds a consumer
# (consumer.c) every way a user would, then runs each:
#   - pkg-config, shared (it must load the installed libsse.so.0) and static;
#   - find_package(sse) with the README's CMake example, shared and static;
#   - add_subdirectory() of the source tree, same example.
# Usage: check_install.sh SOURCE_DIR BUILD_DIR CC "EXTRA_CFLAGS"
set -eu
srcdir=$1 build=$2 cc=$3 extra=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$(cd "$tmp" && pwd -P)/prefix

cmake --install "$build" --prefix "$prefix" > /dev/null
pc=$(find "$prefix" -name sse.pc)
[ -n "$pc" ] || { echo "sse.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(cd "$(pkg-config --variable=libdir sse)" && pwd -P)
case "$libdir" in "$prefix"/*) ;; *) echo "libdir $libdir outside prefix"; exit 1;; esac
[ -f "$(pkg-config --variable=includedir sse)/sse.h" ]
[ -f "$libdir/libsse.a" ] && [ -L "$libdir/libsse.so.0" ]

# pkg-config, shared: it must have linked the installed SONAME.
# shellcheck disable=SC2046,SC2086
"$cc" $extra -Wall -Wextra -Werror -o "$tmp/pc_shared" "$here/consumer.c" \
  $(pkg-config --cflags --libs sse)
LD_LIBRARY_PATH=$libdir ldd "$tmp/pc_shared" | grep -q "libsse.so.0 => $libdir/"
LD_LIBRARY_PATH=$libdir "$tmp/pc_shared"
# pkg-config, static: no libsse.so needed at run time.
# shellcheck disable=SC2046,SC2086
"$cc" $extra -Wall -Wextra -Werror -o "$tmp/pc_static" "$here/consumer.c" \
  $(pkg-config --cflags sse) -Wl,-Bstatic $(pkg-config --libs sse) -Wl,-Bdynamic
no_libsse() { # set -e ignores a failing "! pipeline", so test explicitly
  if ldd "$1" | grep -q libsse; then echo "$1 needs libsse.so"; exit 1; fi
}
no_libsse "$tmp/pc_static"
"$tmp/pc_static"

# The README's CMake example, as written (find_package), then with the
# static target, then with add_subdirectory() instead of find_package.
awk '/^```cmake$/ {on=1; next} on && /^```$/ {exit} on {print}' \
  "$srcdir/README.md" > "$tmp/CMakeLists.txt.in"
grep -q 'find_package(sse' "$tmp/CMakeLists.txt.in" \
  || { echo "no find_package example in README.md"; exit 1; }
cmake_consumer() { # NAME SED-EXPRESSION [CMAKE ARGS...]
  local name=$1 edit=$2; shift 2
  mkdir -p "$tmp/$name"
  sed "$edit" "$tmp/CMakeLists.txt.in" > "$tmp/$name/CMakeLists.txt"
  cp "$here/consumer.c" "$tmp/$name/app.c"
  cmake -S "$tmp/$name" -B "$tmp/$name/build" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_C_FLAGS="$extra" "$@" > "$tmp/$name.log" 2>&1 \
    || { cat "$tmp/$name.log"; exit 1; }
  cmake --build "$tmp/$name/build" > "$tmp/$name.log" 2>&1 \
    || { cat "$tmp/$name.log"; exit 1; }
  "$tmp/$name/build/app"
}
cmake_consumer find_shared 's/sse::sse_static/sse::sse/' \
  -DCMAKE_PREFIX_PATH="$prefix"
ldd "$tmp/find_shared/build/app" | grep -q "libsse.so.0 => $libdir/"
cmake_consumer find_static 's/sse::sse)/sse::sse_static)/' \
  -DCMAKE_PREFIX_PATH="$prefix"
no_libsse "$tmp/find_static/build/app"
cmake_consumer subdirectory \
  "s|^find_package(sse.*|add_subdirectory($srcdir libsse)|"
# A subproject installs nothing into its parent's prefix unless asked.
cmake --install "$tmp/subdirectory/build" --prefix "$tmp/parent" > /dev/null
if [ -n "$(find "$tmp/parent" -type f 2> /dev/null)" ]; then
  echo "add_subdirectory installed into the parent's prefix:"
  find "$tmp/parent" -type f
  exit 1
fi
# BUILD_SHARED_LIBS=OFF: no shared library, sse::sse is the static one,
# both as a subproject and installed.
cmake_consumer subdirectory_static \
  "s|^find_package(sse.*|add_subdirectory($srcdir libsse)|" \
  -DBUILD_SHARED_LIBS=OFF
no_libsse "$tmp/subdirectory_static/build/app"
[ -z "$(find "$tmp/subdirectory_static/build" -name 'libsse.so*')" ] ||
  { echo "BUILD_SHARED_LIBS=OFF still built libsse.so"; exit 1; }
cmake -S "$srcdir" -B "$tmp/static_only" -DCMAKE_C_COMPILER="$cc" \
  -DBUILD_SHARED_LIBS=OFF -DSSE_BUILD_TESTS=OFF -DSSE_BUILD_EXAMPLES=OFF \
  > "$tmp/static_only.log" 2>&1 || { cat "$tmp/static_only.log"; exit 1; }
cmake --build "$tmp/static_only" > "$tmp/static_only.log" 2>&1 ||
  { cat "$tmp/static_only.log"; exit 1; }
cmake --install "$tmp/static_only" --prefix "$tmp/static_prefix" > /dev/null
[ -z "$(find "$tmp/static_prefix" -name 'libsse.so*')" ] ||
  { echo "BUILD_SHARED_LIBS=OFF installed libsse.so"; exit 1; }
cmake_consumer find_static_only 's/sse::sse_static/sse::sse/' \
  -DCMAKE_PREFIX_PATH="$tmp/static_prefix"
no_libsse "$tmp/find_static_only/build/app"
echo "consumers: pkg-config shared+static, find_package shared+static," \
  "add_subdirectory (installs nothing), BUILD_SHARED_LIBS=OFF: ok"
