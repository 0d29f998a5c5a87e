#!/usr/bin/env bash
# examples/demo.sh — the quickstart behind `make demo`.
#
# Starts a throwaway MariaDB (test/server.sh) in a temporary directory,
# loads the sample shop (examples/sample.sql) as root, then runs example
# queries through shell/mysql-sqlite as the read-only agent user, printing
# each query and its output. Some shop activity (examples/activity.sql)
# happens half-way, so the change stream has something to show. The server
# is stopped and every file removed on exit, also on error or Ctrl-C.
#
#   BUILD=build/x examples/demo.sh   use another build directory
#   DEMO_KEEP=1 examples/demo.sh     leave the server running at the end and
#                                    print how to connect and how to stop it
set -u
cd "$(dirname "$0")/.."
root=$PWD
export BUILD=${BUILD:-build}
shell=$root/shell/mysql-sqlite

for tool in sqlite3 mariadb mariadbd mariadb-install-db; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] \
    || { echo "demo: $tool is missing: run \`make demo\` (it installs what is missing)" >&2; exit 1; }
done
[ -f "$root/$BUILD/mysql_vtab.so" ] || { echo "demo: $BUILD/mysql_vtab.so is missing: run \`make demo\`" >&2; exit 1; }

tmp=$(mktemp -d /tmp/mysql_vtab_demo.XXXXXX)
srv=$tmp/server
cleanup() {
  if [ -n "${DEMO_KEEP:-}" ] && [ -f "$srv/env" ]; then
    echo
    echo "The demo server is still running. To use it:"
    echo "  source $srv/env && shell/mysql-sqlite"
    echo "To stop it:  test/server.sh stop $srv && rm -rf $tmp"
    return
  fi
  test/server.sh stop "$srv" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bold=; plain=
[ -t 1 ] && { bold=$(printf '\033[1m'); plain=$(printf '\033[0m'); }
step() { printf '\n%s==== %s ====%s\n\n' "$bold" "$*" "$plain"; }

# run FILE [DB [again]]: an example file through the shell wrapper, echoing
# each statement (with its comments) before its output; with `again`, a
# file shown before: only its output.
run() {
  local file=$1 db=${2:-:memory:} echo=on
  [ "${3:-}" = again ] && echo=off
  step "shell/mysql-sqlite $( [ "$db" = ":memory:" ] || echo "${db#"$tmp"/} " )< $file${3:+ (again: output only)}"
  "$shell" -cmd '.mode box --wrap 60' -cmd ".echo $echo" "$db" <"$file" 2>&1
}

step "starting a throwaway MariaDB server"
# A private tmpdir: a mariadbd starting elsewhere on the machine (tests)
# deletes the temp-table files of a server sharing its tmpdir.
mkdir -p "$srv/tmp"
test/server.sh start "$srv" --tmpdir="$srv/tmp" >/dev/null \
  || { echo "demo: the server did not start" >&2; exit 1; }
# shellcheck disable=SC1091
source "$srv/env"
echo "MariaDB $(mariadb $MYSQL_VTAB_ROOT -N -B -e 'SELECT VERSION()') on 127.0.0.1:$MYSQL_VTAB_PORT, binlog_format=ROW"
echo "MYSQL_VTAB_DSN='$(echo "$MYSQL_VTAB_DSN" | sed "s/password=[^ ]*/password=.../")'"
echo "(the agent user has only REPLICATION SLAVE, REPLICATION CLIENT, SELECT)"

step "loading examples/sample.sql as root: the shop schema"
mariadb $MYSQL_VTAB_ROOT <examples/sample.sql || { echo "demo: loading sample.sql failed" >&2; exit 1; }
mariadb $MYSQL_VTAB_ROOT -t shop -e \
  "SELECT 'customers' AS \`table\`, count(*) AS \`rows\` FROM customers UNION ALL
   SELECT 'products', count(*) FROM products UNION ALL
   SELECT 'orders', count(*) FROM orders UNION ALL
   SELECT 'order_items', count(*) FROM order_items"

run examples/snapshot.sql
run examples/two_phase.sql "$tmp/replica.db"
run examples/mirror.sql "$tmp/replica.db"

step "shop activity as root: examples/activity.sql (orders, payments, a price change, deletions)"
sed -n 's/^-- \([0-9]\.\)/  \1/p' examples/activity.sql
mariadb $MYSQL_VTAB_ROOT <examples/activity.sql || { echo "demo: activity.sql failed" >&2; exit 1; }

run examples/changes.sql
run examples/two_phase.sql "$tmp/replica.db" again
run examples/mirror.sql "$tmp/replica.db" again

step "done"
echo "Try it yourself: start a server (or use yours, see README \"MySQL server requirements\"),"
echo "set MYSQL_VTAB_DSN, and run shell/mysql-sqlite; the examples are in examples/*.sql."
