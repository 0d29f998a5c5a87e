#!/usr/bin/env bash
# Runs Tcl tests under valgrind (memcheck) against one throwaway server:
#
#   fuzz/valgrind.sh [test/foo.test ...]      (default: every test/*.test)
#
# Uses $BUILD/mysql_vtab.so (BUILD defaults to build; build it with
# CFLAGS='-O1 -g' for exact stacks). A test fails here on any memcheck
# error or definite leak (fuzz/valgrind.supp: Connector/C's one-time init),
# whatever its own results, which are reported beside (timing bounds may
# not hold under valgrind). Logs: $BUILD/valgrind/NAME.log.
# Prints "N passed, N failed" like the other runners.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
command -v valgrind >/dev/null || test/deps.sh valgrind
export MYSQL_VTAB_EXT="$PWD/$BUILD/mysql_vtab.so"
out="$BUILD/valgrind"; mkdir -p "$out"
srv=$(mktemp -d /tmp/mysql_vtab_srv.XXXXXX)
trap 'test/server.sh stop "$srv"' EXIT
test/server.sh start "$srv" >/dev/null || { echo "cannot start the throwaway server"; echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC1091
source "$srv/env"
pass=0; fail=0
tests=("$@"); [ ${#tests[@]} -eq 0 ] && tests=(test/*.test)
for t in "${tests[@]}"; do
  n=$(basename "$t" .test)
  start=$(date +%s)
  valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --suppressions=fuzz/valgrind.supp \
    --num-callers=40 --log-file="$out/$n.log" tclsh "$t" >"$out/$n.out" 2>&1
  rc=$?
  errs=$(grep -E 'ERROR SUMMARY' "$out/$n.log" | tail -n 1 | sed -E 's/.*ERROR SUMMARY: ([0-9]+) errors.*/\1/')
  lost=$(grep -E 'definitely lost:' "$out/$n.log" | tail -n 1 | sed -E 's/.*definitely lost: ([0-9,]+) bytes.*/\1/')
  res=$(grep -E '^##RESULT' "$out/$n.out" | tail -n 1 | awk '{print $2" passed, "$3" failed"}')
  echo "$n: ${errs:-?} memcheck errors, ${lost:-0} bytes definitely lost; the test: ${res:-no result} ($(( $(date +%s) - start ))s)"
  if [ "$rc" -eq 99 ] || [ "${errs:-1}" != 0 ]; then
    fail=$((fail+1)); grep -E -A12 'Invalid|uninitialised|definitely lost in' "$out/$n.log" | head -n 40
  else
    pass=$((pass+1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
