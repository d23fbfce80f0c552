# Shared by the CLI test scripts (sourced): failure counting and exit-status
# checks. The caller sets runs=0 fails=0 first.

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# expect_status WANT COMMAND...: runs COMMAND with no input and no output.
expect_status() {
  local want=$1; shift
  runs=$((runs + 1))
  "$@" < /dev/null > /dev/null 2>&1
  local got=$?
  [ "$got" -eq "$want" ] || fail "exit $got, wanted $want: $*"
}
