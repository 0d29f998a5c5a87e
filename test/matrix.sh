#!/usr/bin/env bash
# make test-matrix: the newer toolchains and the other servers, from the
# Debian unstable roots of test/roots.sh (created on first use, cached):
#   1. in each root, a copy of the tree is built with -Werror: plain make
#      (MariaDB Connector/C 3.4, SQLite 3.53) in the MariaDB root, make
#      MYSQL_CLIENT=mysql (libmysqlclient 9.7) in the MySQL root, and the C
#      unit tests run there;
#   2. the live Tcl suite (test/run.sh) against MySQL 9.7 with gtid_mode=ON,
#      against MySQL 9.7 again with compressed transaction payloads and JSON
#      partial updates, and against MariaDB 11.8: each with the extension
#      built on this host (run by this host's tclsh) and with the
#      libmysqlclient one (run by the MySQL root's tclsh and sqlite3), the
#      two builds' passes side by side;
#   3. one "N passed, N failed" line per server and build, one overall.
# Exits non-zero on any failure.
#   MATRIX="mysql mysql-compressed mariadb"   the servers to run (default all)
#   BUILDS="host libmysqlclient"              the builds to run (default both)
#   TESTS="test/x.test ..."                   only these Tcl files
#   MATRIX_SERIAL=1                           the passes one after the other
set -u
cd "$(dirname "$0")/.."
top=$PWD
t0=$(date +%s)
test/roots.sh mysql mariadb || exit 1
rmysql=$(test/roots.sh path mysql)
rmaria=$(test/roots.sh path mariadb)
# the commit as the Makefile names it (host01.test compares)
commit=$(git describe --always --dirty --abbrev=7 2>/dev/null || echo unknown)
export MYSQL_VTAB_COMMIT=$commit

# /proc in both roots for the run's time (mysqld, tclsh's exec need it).
mounted=()
cleanup() {
  local r
  for r in "${mounted[@]}"; do umount "$r/proc" 2>/dev/null || true; done
}
trap cleanup EXIT
for r in "$rmysql" "$rmaria"; do
  if ! mountpoint -q "$r/proc"; then mount -t proc proc "$r/proc" && mounted+=("$r"); fi
done

# in_root ROOT CMD...: a command in a root's copy of the tree.
in_root() {
  local r=$1; shift
  chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /usr/bin/env -C /src/mysql_vtab "$@"
}

# The tree as committed plus what is changed and not ignored, at
# /src/mysql_vtab; the shared binlog fixtures the unit tests read
# (../../../shared/fixtures from test/unit) at /src/shared.
copy_tree() {
  local r=$1
  rm -rf "$r/src/mysql_vtab" "$r/src/shared"
  mkdir -p "$r/src/mysql_vtab"
  git ls-files -co --exclude-standard -z \
    | tar -c --null --ignore-failed-read -T - -f - 2>/dev/null | tar -x -f - -C "$r/src/mysql_vtab"
  if [ -d "$top/../shared/fixtures" ]; then
    mkdir -p "$r/src/shared" && cp -a "$top/../shared/fixtures" "$r/src/shared/"
  fi
}

lines=()
failures=()   # every failed test's name, repeated below the summary: CI shows only the tail
pass=0; fail=0
add() {   # add LABEL LOGFILE: take a log's last "N passed, N failed" line
  local l p f
  l=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
  if [ -z "$l" ]; then l="0 passed, 1 failed (did not finish: $2)"; fi
  read -r p f < <(echo "$l" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
  pass=$((pass+p)); fail=$((fail+f))
  lines+=("$(printf '%-44s %s' "$1:" "$(echo "$l" | sed -E 's/^([0-9]+ passed, [0-9]+ failed).*/\1/')")")
}

logdir=$top/build/matrix
rm -rf "$logdir"; mkdir -p "$logdir"

# 1: the builds and the unit tests inside the roots.
unit_in() {   # unit_in ROOT BUILDDIR LOG: run the unit tests, sum their lines
  local r=$1 b=$2 log=$3 t p f sp=0 sf=0 l
  for t in "$r/src/mysql_vtab/$b"/unit/*; do
    [ -x "$t" ] || continue
    chroot "$r" /usr/bin/env -C /src/mysql_vtab/test/unit "../../$b/unit/$(basename "$t")" \
      >"$log.$(basename "$t")" 2>&1
    l=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log.$(basename "$t")" | tail -n 1)
    if [ -z "$l" ]; then sf=$((sf+1)); echo "unit/$(basename "$t"): no result line" >>"$log"; continue; fi
    read -r p f < <(echo "$l" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
    sp=$((sp+p)); sf=$((sf+f))
    grep -E '^(!|FAIL)' "$log.$(basename "$t")" | head -n 10 >>"$log"
  done
  echo "$sp passed, $sf failed" >>"$log"
}
build_in() {   # build_in ROOT BUILDDIR LABEL MAKE-ARGS...
  local r=$1 b=$2 label=$3 key=${1##*/} s; shift 3
  s=$(date +%s)
  echo "== build: $label"
  copy_tree "$r"
  if in_root "$r" make -j2 COMMIT="$commit" BUILD="$b" "$@" all unit c-examples >"$logdir/build-$key.log" 2>&1; then
    unit_in "$r" "$b" "$logdir/unit-$key.log"
  else
    tail -n 20 "$logdir/build-$key.log"
    echo "0 passed, 1 failed (the build failed)" >"$logdir/unit-$key.log"
  fi
  grep -E '^!' "$logdir/unit-$key.log" | head -n 10
  add "build -Werror + unit tests, $label" "$logdir/unit-$key.log"
  echo "   $(tail -n 1 "$logdir/unit-$key.log") ($(( $(date +%s) - s ))s)"
}
build_in "$rmaria" build "Connector/C $(chroot "$rmaria" mariadb_config --cc_version), SQLite $(chroot "$rmaria" sqlite3 --version | cut -d' ' -f1)"
build_in "$rmysql" build/mysql "libmysqlclient $(chroot "$rmysql" mysql_config --version), SQLite $(chroot "$rmysql" sqlite3 --version | cut -d' ' -f1)" \
  MYSQL_CLIENT=mysql
# The host's own build (Debian 12), which make test-matrix made first.
[ -f build/mysql_vtab.so ] || make --no-print-directory all >/dev/null

# 2: the live suites: the host build's passes and the libmysqlclient
# build's run side by side, each server on its own port and data directory
# (a pass waits on its servers far more than it computes: two at once take
# about 0.6 of the time one after the other on 2 cores); MATRIX_SERIAL=1
# runs them one after the other. Each pass writes its log; the summary
# reads them in a fixed order once both are done.
gtid="--gtid-mode=ON --enforce-gtid-consistency=ON"
label_of() {   # label_of SERVER BUILD: the pass's name in the summary
  local l
  case "$1" in
    mysql) l="MySQL $(chroot "$rmysql" mysqld --version | awk '{print $3}') gtid_mode=ON" ;;
    mysql-compressed) l="MySQL 9.7 compressed, PARTIAL_JSON" ;;
    mariadb) l="MariaDB $(chroot "$rmaria" mariadbd --version | awk '{print $3}' | cut -d- -f1)" ;;
  esac
  case "$2" in host) echo "$l, host build" ;; *) echo "$l, libmysqlclient build" ;; esac
}
suite() {   # suite SERVER BUILD: one pass, into build/matrix/SERVER-BUILD.log
  local server=$1 build=$2 flavour root opts label s env=()
  case "$server" in
    mysql) flavour=mysql root=$rmysql opts=$gtid ;;
    mysql-compressed) flavour=mysql root=$rmysql
           opts="$gtid --binlog-transaction-compression=ON --binlog-row-value-options=PARTIAL_JSON" ;;
    mariadb) flavour=mariadb root=$rmaria opts= ;;
    *) echo "matrix: unknown server $server" >&2; return 1 ;;
  esac
  label=$(label_of "$server" "$build")
  case "$build" in
    host) ;;
    libmysqlclient)
      # run by the server's root, whose tclsh and tools the tests use
      # (a second server, its client): against MariaDB, a copy of the build
      # in the MariaDB root, which has libmysqlclient's runtime but not its
      # -dev package (host06's make install needs that: skipped there)
      env=(TCLSH_ROOT="$root" MYSQL_VTAB_EXT=/src/mysql_vtab/build/mysql/mysql_vtab.so
           MYSQL_VTAB_EXPECT_CLIENT=libmysqlclient)
      if [ "$root" = "$rmysql" ]; then
        env+=(MYSQL_VTAB_MAKE_ARGS="BUILD=build/mysql MYSQL_CLIENT=mysql COMMIT=$commit")
      else
        rm -rf "$root/src/mysql_vtab/build/mysql"
        cp -a "$rmysql/src/mysql_vtab/build/mysql" "$root/src/mysql_vtab/build/"
        # libmysqlclient 9 loads mysql_native_password (MariaDB's default
        # plugin) from a file of mysql-client-core, which conflicts with
        # MariaDB's client: the file alone, found by LIBMYSQL_PLUGIN_DIR
        mkdir -p "$root/src/mysql_vtab/build/mysql/plugin"
        cp "$rmysql/usr/lib/mysql/plugin/mysql_native_password.so" "$root/src/mysql_vtab/build/mysql/plugin/"
        env+=(MYSQL_VTAB_NO_MAKE="the MariaDB root has no libmysqlclient-dev"
              LIBMYSQL_PLUGIN_DIR=/src/mysql_vtab/build/mysql/plugin)
      fi ;;
  esac
  s=$(date +%s)
  echo "== $label: started"
  env MYSQL_VTAB_FLAVOUR=$flavour MYSQL_VTAB_SERVER_ROOT="$root" SERVER_OPTS="$opts" \
    NO_UNIT=1 NO_COMPRESSED=1 LABEL=" ($label)" "${env[@]}" test/run.sh \
    >"$logdir/$server-$build.log" 2>&1
  echo "$(( $(date +%s) - s ))" >"$logdir/$server-$build.secs"
  echo "== $label: $(tail -n 1 "$logdir/$server-$build.log") ($(cat "$logdir/$server-$build.secs")s)"
}
report() {   # report SERVER BUILD: a finished pass into the summary
  local log=$logdir/$1-$2.log label l
  label=$(label_of "$1" "$2")
  echo "== $label"
  grep -E '^(!|skipped:|cannot|did not)' "$log" | cut -c1-240 | head -n 60
  add "$label" "$log"
  while read -r l; do failures+=("$label: $l"); done \
    < <(grep -E '^(did not finish|failed: )' "$log" | cut -c1-200 | head -n 20)
  echo "   $(tail -n 1 "$log") ($(cat "$logdir/$1-$2.secs" 2>/dev/null || echo '?')s)"
}
servers_run=${MATRIX:-mysql mysql-compressed mariadb}
builds_run=${BUILDS:-host libmysqlclient}
lanes=()
for build in $builds_run; do
  if [ -n "${MATRIX_SERIAL:-}" ]; then
    for server in $servers_run; do suite "$server" "$build"; done
  else
    ( for server in $servers_run; do suite "$server" "$build"; done ) &
    lanes+=($!)
  fi
done
[ ${#lanes[@]} -gt 0 ] && wait "${lanes[@]}"
for server in $servers_run; do
  for build in $builds_run; do report "$server" "$build"; done
done

echo "== matrix summary (logs in build/matrix/)"
printf '%s\n' "${lines[@]}"
[ ${#failures[@]} -gt 0 ] && { echo "failed:"; printf '  %s\n' "${failures[@]}"; }
echo "$pass passed, $fail failed (matrix, $(( $(date +%s) - t0 ))s)"
[ "$fail" -eq 0 ]
