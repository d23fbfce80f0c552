#!/usr/bin/env bash
# The browser test. Installs what it needs when run as root: Debian's
# chromium (if missing) and playwright-core from npm (into the build
# directory; it never downloads a browser). Without them, and not root, it
# reports a skip (exit 77) saying what is missing.
#   run.sh SSE_SERVER SSE_DUMP BUILD_DIR [TEST_FILE]
# TEST_FILE defaults to demo.test.mjs; the production tests run theirs here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=$1 dump=$2 build=$3 test_file=${4:-$here/demo.test.mjs}
chromium=${CHROMIUM:-/usr/bin/chromium}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "browser test skipped: $1 (run as root to install it)" >&2
    exit 77
  fi
}

if [ ! -x "$chromium" ]; then
  need_root "no $chromium"
  command -v apt-get > /dev/null || { echo "no apt-get to install chromium" >&2; exit 1; }
  [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi
for tool in node npm curl; do
  command -v "$tool" > /dev/null || { echo "browser test needs $tool (.ci/deps installs it)" >&2; exit 1; }
done

# playwright-core, pinned by the committed lock file.
modules=$build/browser-node
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" ||
   [ ! -d "$modules/node_modules/playwright-core" ]; then
  rm -rf "$modules"
  mkdir -p "$modules"
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error)
fi

export SSE_SERVER=$server SSE_DUMP=$dump CHROMIUM=$chromium
export SSE_NODE_MODULES=$modules/node_modules
export SSE_SCREENSHOT=$build/browser/demo.png
node --test "$test_file"
[ -z "${4:-}" ] && echo "screenshot: $SSE_SCREENSHOT"
exit 0
