#!/usr/bin/env bash
# Another CPU under Debian's qemu-user-static: aarch64 (NEON scan) or s390x
# (big-endian, portable scan). Configures a build tree of its own with the
# Debian cross compiler and the target's cmocka (multiarch package), builds
# the library, the unit suites and the fuzz replays, and runs them with
# ctest through qemu (CMAKE_CROSSCOMPILING_EMULATOR). Skipped (exit 77)
# where the toolchain is missing; .ci/deps installs it for the test job.
# Usage: check_cross.sh ARCH SOURCE_DIR WORK_DIR
set -eu
arch=$1 src=$2 work=$3
cc=$arch-linux-gnu-gcc
qemu=qemu-$arch-static
pc=/usr/lib/$arch-linux-gnu/pkgconfig
if ! command -v "$cc" > /dev/null || ! command -v "$qemu" > /dev/null ||
  [ ! -f "$pc/cmocka.pc" ]; then
  echo "no $arch cross toolchain, qemu or cmocka: skipped"
  exit 77
fi
rm -rf "$work"
PKG_CONFIG_LIBDIR=$pc:/usr/share/pkgconfig cmake -S "$src" -B "$work" \
  -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$arch" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CROSSCOMPILING_EMULATOR="$qemu" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSE_WERROR=ON -DSSE_BUILD_TESTS=ON \
  -DSSE_BUILD_EXAMPLES=OFF -DSSE_BUILD_TOOLS=OFF > "$work.configure.log" 2>&1 ||
  { cat "$work.configure.log"; exit 1; }
suites=(parse limits api utf8 alloc encode history stream client pieces)
fuzz=(parse differential chunking limits roundtrip history stream pieces
  encode_pieces)
targets=(test_scan)
for s in "${suites[@]}"; do targets+=("test_$s"); done
for f in "${fuzz[@]}"; do targets+=("fuzz_${f}_replay"); done
cmake --build "$work" -j 2 --target "${targets[@]}" > "$work.build.log" 2>&1 ||
  { tail -50 "$work.build.log"; exit 1; }
"$qemu" "$work/tests/test_scan" > /dev/null # the emulator itself runs
regex="^($(IFS='|'; echo "${suites[*]}")|scan|fuzz_replay_.*)$"
ctest --test-dir "$work" -R "$regex" --output-on-failure
