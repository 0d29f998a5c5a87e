#!/usr/bin/env bash
# Runs the whole suite: the C unit tests (no server), then every test/*.test
# against a throwaway MariaDB (test/server.sh), and prints one closing line
# "N passed, N failed". Exits non-zero on any failure.
#   TESTS="test/snapshot01.test ..."   run only these Tcl files
#   BUILD=build/san SANITIZE=1         the sanitizer build (make test SANITIZE=1)
#   FUZZ_TIME=20                       seconds of fuzzing in the full run (0: none)
#   NO_COMPRESSED=1                    skip the second pass against compressed events
#   NO_UNIT=1                          skip the unit tests and the fuzzing
#   MYSQL_VTAB_FLAVOUR=mysql MYSQL_VTAB_SERVER_ROOT=DIR   the server: see
#                                      test/server.sh (test/matrix.sh sets them)
#   SERVER_OPTS="..."                  more server options for every pass
#   TCLSH_ROOT=DIR                     the Tcl files run by DIR's tclsh, chrooted,
#                                      from DIR's copy of the tree at /src/mysql_vtab,
#                                      with MYSQL_VTAB_EXT as the root sees it
#   LABEL=" (x)"                       appended to each file's name and the last line
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export MYSQL_VTAB_EXT="${MYSQL_VTAB_EXT:-$PWD/$BUILD/mysql_vtab.so}"
LABEL=${LABEL:-}
pass=0; fail=0; broken=(); failed_tests=()

# The sanitizer runtime must be the first library loaded into tclsh.
san_env=()
if [ -n "${SANITIZE:-}" ]; then
  san_env=(LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
           ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:quarantine_size_mb=16 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
fi

count() {   # count LOGFILE NAME: add a runner's "N passed, N failed" line
  local line p f
  line=$(grep -E '^(##RESULT [0-9]+ [0-9]+|[0-9]+ passed, [0-9]+ failed)' "$1" | tail -n 1)
  if [ -z "$line" ]; then
    broken+=("$2"); fail=$((fail+1))
    echo "   $2 gave no result line; its output ends:"; tail -n 15 "$1" | cut -c1-300 | sed 's/^/   | /'
    return
  fi
  read -r p f < <(echo "$line" | sed -E 's/^##RESULT ([0-9]+) ([0-9]+)/\1 \2/; s/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
  pass=$((pass+p)); fail=$((fail+f))
}

log=$(mktemp -d /tmp/mysql_vtab_log.XXXXXX)
if [ -z "${TESTS:-}" ] && [ -z "${NO_UNIT:-}" ]; then
  for t in "$BUILD"/unit/*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    echo "== unit/$name"
    (cd test/unit && "../../$t") >"$log/$name.log" 2>&1
    rc=$?
    grep -E '^(!|FAIL)' "$log/$name.log" | head -n 20
    tail -n 1 "$log/$name.log"
    count "$log/$name.log" "unit/$name"
    [ $rc -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$log/$name.log" && { broken+=("unit/$name (exit $rc)"); fail=$((fail+1)); }
  done
fi

# A short libFuzzer run on the decoder (make fuzz runs long ones).
if [ -z "${TESTS:-}" ] && [ -z "${NO_UNIT:-}" ] && [ "${FUZZ_TIME:-20}" -gt 0 ] && [ -x build/fuzz/fuzz_binlog ]; then
  echo "== fuzz (${FUZZ_TIME:-20}s)"
  fuzz/run.sh "${FUZZ_TIME:-20}" >"$log/fuzz.log" 2>&1
  grep -E '^fuzz:|ERROR|SUMMARY' "$log/fuzz.log" | head -n 20
  count "$log/fuzz.log" fuzz
fi

servers=()
trap 'for d in "${servers[@]}"; do test/server.sh stop "$d"; done; rm -rf "$log"' EXIT

# A test file runs by the host's tclsh, or chrooted by a root's, where the
# tree is /src/mysql_vtab (test/matrix.sh copies it there) and a server
# started by the test is that root's.
tcl() {
  if [ -n "${TCLSH_ROOT:-}" ]; then
    env -u MYSQL_VTAB_SERVER_ROOT chroot "$TCLSH_ROOT" /usr/bin/env -C /src/mysql_vtab tclsh "$1"
  else
    env "${san_env[@]}" tclsh "$1"
  fi
}

# run_suite LABEL "SERVER OPTIONS" FILES...: one throwaway server, the files.
run_suite() {
  local label=$1$LABEL opts="$2 ${SERVER_OPTS:-}" srv f name start rc; shift 2
  srv=$(mktemp -d /tmp/mysql_vtab_srv.XXXXXX); servers+=("$srv")
  # shellcheck disable=SC2086
  if ! test/server.sh start "$srv" $opts; then
    echo "cannot start the throwaway server ($label)"; broken+=("server $label"); fail=$((fail+1)); return
  fi
  for f in "$@"; do
    name=$(basename "$f")$label
    echo "== $name"
    start=$(date +%s)
    ( set -a; source "$srv/env"; tcl "$f" ) >"$log/$name.log" 2>&1
    rc=$?
    grep -E '^!|ERROR|Sanitizer|runtime error' "$log/$name.log" | cut -c1-300 | head -n 40
    failed_tests+=($(sed -nE 's/^! ([^ ]+) failed.*/\1/p' "$log/$name.log" | head -n 20))
    echo "   $(grep -E 'errors out of' "$log/$name.log" | tail -n 1) ($(( $(date +%s) - start ))s)"
    count "$log/$name.log" "$name"
    if [ $rc -gt 1 ] || grep -q 'Sanitizer\|runtime error' "$log/$name.log"; then
      broken+=("$name (exit $rc)"); fail=$((fail+1)); tail -n 20 "$log/$name.log" | cut -c1-300
    fi
    # the servers a test started and, ended by an error, did not stop
    if [ -f "$srv/extra_servers" ]; then
      while read -r d; do
        if [ -n "${TCLSH_ROOT:-}" ]; then
          chroot "$TCLSH_ROOT" /src/mysql_vtab/test/server.sh stop "$d"
        else
          test/server.sh stop "$d"
        fi
      done <"$srv/extra_servers"
      rm -f "$srv/extra_servers"
    fi
  done
  test/server.sh stop "$srv"
}

shopt -s nullglob
# shellcheck disable=SC2086
run_suite "" "" ${TESTS:-test/*.test}
# The change-stream tests again against a MariaDB writing compressed events
# (log_bin_compress), which peers decode as nothing. (MySQL's compressed
# transaction payloads: test/matrix.sh's second MySQL pass.)
if [ -z "${TESTS:-}" ] && [ -z "${NO_COMPRESSED:-}" ] && [ "${MYSQL_VTAB_FLAVOUR:-mariadb}" = mariadb ]; then
  run_suite " (log_bin_compress)" "--log-bin-compress=ON --log-bin-compress-min-len=10" \
    test/changes*.test test/binlog*.test
fi

[ ${#broken[@]} -gt 0 ] && echo "did not finish cleanly: ${broken[*]}"
# the names again at the end, where a CI log's tail shows them
[ ${#failed_tests[@]} -gt 0 ] && echo "failed: ${failed_tests[*]}"
echo "$pass passed, $fail failed$LABEL"
[ "$fail" -eq 0 ]
