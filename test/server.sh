#!/usr/bin/env bash
# The throwaway server the tests, the demo and the benchmark share: MariaDB
# (the default) or MySQL.
#
#   test/server.sh start DIR [server options...]   start one, write DIR/env
#   test/server.sh stop DIR                        stop it by its pid, remove DIR
#   test/server.sh restart DIR                     stop it (data kept), start it
#                                                  again, same port and options
#   test/server.sh replicate DIR PRIMARY_DIR [from-start]
#                                                  make DIR's server a replica of
#                                                  PRIMARY_DIR's (GTID replication
#                                                  from the primary's position now;
#                                                  from-start: from its oldest
#                                                  binlog's start)
#   test/server.sh promote DIR                     stop replicating: DIR's server
#                                                  is a primary of its own
#
# For replication, start both with the same options plus, for the replica,
# another --server-id; both log what they apply (--log-slave-updates on
# MariaDB, log_replica_updates, MySQL's default) and, on MySQL, with
# --gtid-mode=ON --enforce-gtid-consistency=ON. replicate gives the replica
# the primary's GTID history (its binlog starts at the primary's GTID
# state: the two servers' setup statements are the same), then follows the
# primary through the agent user, from the primary's position at that
# moment, and waits until both replication threads run. With from-start
# the history given is where the primary's binlogs begin, and the replica
# gets every transaction in them (a primary that was itself a replica made
# by replicate: its binlogs begin after the same setup).
#
# Which server, from the environment:
#   MYSQL_VTAB_FLAVOUR=mariadb|mysql   mariadbd (default) or MySQL's mysqld
#   MYSQL_VTAB_SERVER_ROOT=DIR         run the server binaries chrooted in DIR
#                                      (a root of test/roots.sh); DIR is then
#                                      bind-mounted at its own path inside it,
#                                      so that its files (socket, binlogs)
#                                      have the same names inside and out
#
# The server gets a fresh data directory under DIR, listens on 127.0.0.1 at a
# free port and on DIR/sock, writes a ROW binlog (server_id 1), and runs in a
# time zone away from UTC (-07:00) so that TIMESTAMP handling is tested.
# DIR/env holds, for `source`:
#   MYSQL_VTAB_DSN        the agent user's DSN (what every test uses)
#   MYSQL_VTAB_ROOT       arguments for the mariadb/mysql client as root (setup only)
#   MYSQL_VTAB_PORT, MYSQL_VTAB_SOCKET, MYSQL_VTAB_DATADIR, MYSQL_VTAB_FLAVOUR
# The agent user has exactly REPLICATION SLAVE, REPLICATION CLIENT, SELECT.
set -eu
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|restart|replicate|promote DIR [options]" >&2; exit 2; }
shift 2
flavour=${MYSQL_VTAB_FLAVOUR:-mariadb}
case "$flavour" in mariadb|mysql) ;; *)
  echo "server.sh: MYSQL_VTAB_FLAVOUR must be mariadb or mysql, not '$flavour'" >&2; exit 2 ;;
esac
# The clients run here, against the socket: whichever is installed
# (MariaDB's speaks to MySQL too; a MySQL root has only MySQL's).
client=$(command -v mariadb || command -v mysql || echo mariadb)
admin=$(command -v mariadb-admin || command -v mysqladmin || echo mariadb-admin)

# in_root ARGS...: run a server binary, chrooted when the server lives in a
# root. DIR/server_root remembers the root for stop and restart; a restart
# issued from inside that root (a test run by the root's tclsh) finds no
# such directory there and runs the binary directly, which is the same.
in_root() {
  local r=""
  [ -f "$dir/server_root" ] && r=$(cat "$dir/server_root")
  if [ -n "$r" ] && [ -d "$r/usr" ]; then chroot "$r" "$@"; else "$@"; fi
}

# bind PATH: make a host path visible at the same name inside the root,
# for an option that names one (--tmpdir=, --ssl-cert=): its directory is
# bind-mounted, and listed in DIR/binds for unbind.
bind() {
  local r p=$1
  r=$(cat "$dir/server_root")
  [ -d "$p" ] || p=$(dirname "$p")
  case "$p" in "$dir"|"$dir"/*) return 0 ;; esac
  mountpoint -q "$r$p" && return 0
  mkdir -p "$r$p"
  mount --bind "$p" "$r$p" && echo "$p" >>"$dir/binds"
}

unbind() {   # undo start's bind mounts into the root
  local r p
  [ -f "$dir/server_root" ] || return 0
  r=$(cat "$dir/server_root")
  [ -d "$r/usr" ] || return 0
  if [ -f "$dir/binds" ]; then
    while read -r p; do
      if mountpoint -q "$r$p"; then umount "$r$p"; fi
      rmdir "$r$p" 2>/dev/null || true
    done <"$dir/binds"
    rm -f "$dir/binds"
  fi
  if mountpoint -q "$r$dir"; then umount "$r$dir"; fi
  rmdir "$r$dir" 2>/dev/null || true
}

stop() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pid" ]; then
    local pid; pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  unbind
  rm -rf "$dir"
}

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "server.sh: no free port found" >&2; return 1
}

ping_server() {
  "$admin" --no-defaults --socket="$dir/sock" -uroot ping >/dev/null 2>&1
}

start() {
  local server user_opt=() extra=() port i r=${MYSQL_VTAB_SERVER_ROOT:-}
  [ "$(id -u)" -eq 0 ] && user_opt=(--user=root)
  mkdir -p "$dir/tmp"
  dir=$(cd "$dir" && pwd)
  if [ -n "$r" ]; then
    r=$(cd "$r" && pwd)
    [ -d "$r/proc/self" ] || { echo "server.sh: $r/proc is not mounted (test/matrix.sh mounts it)" >&2; exit 1; }
    echo "$r" >"$dir/server_root"
    mkdir -p "$r$dir"
    mount --bind "$dir" "$r$dir"
    for a in "$@"; do
      case "$a" in --*=/*) [ -e "${a#*=}" ] && bind "${a#*=}" ;; esac
    done
  fi
  [ "$flavour" = mysql ] && server=/usr/sbin/mysqld || server=/usr/sbin/mariadbd
  [ -x "$r$server" ] || { echo "server.sh: $r$server not found (test/deps.sh, or test/roots.sh for a root)" >&2; unbind; exit 1; }
  if [ "$flavour" = mysql ] && in_root "$server" --version | grep -q MariaDB; then
    echo "server.sh: $r$server is MariaDB's (set MYSQL_VTAB_SERVER_ROOT to a MySQL root: test/roots.sh)" >&2; unbind; exit 1
  fi
  # Its own tmpdir: nothing another process does to /tmp can break it.
  if [ "$flavour" = mysql ]; then
    in_root "$server" --no-defaults "${user_opt[@]}" --initialize-insecure \
      --datadir="$dir/data" --tmpdir="$dir/tmp" >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; unbind; exit 1; }
    # The default secure_file_priv directory and X Protocol socket do not
    # exist in a minimal root; neither is needed.
    extra=(--secure-file-priv= --mysqlx=OFF)
  else
    in_root mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/data" \
      --tmpdir="$dir/tmp" \
      --auth-root-authentication-method=normal --skip-test-db \
      >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; unbind; exit 1; }
  fi
  for attempt in 1 2 3; do
    port=$(free_port)
    cmdline=("$server" --no-defaults "${user_opt[@]}" --datadir="$dir/data" \
      --socket="$dir/sock" --port="$port" --bind-address=127.0.0.1 \
      --tmpdir="$dir/tmp" \
      --pid-file="$dir/pid" --log-error="$dir/error.log" \
      --log-bin="$dir/data/mysql-bin" --binlog-format=ROW --server-id=1 \
      --default-time-zone=-07:00 --skip-name-resolve \
      --innodb-buffer-pool-size=256M \
      --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 \
      --max-allowed-packet=64M "${extra[@]}" "$@")
    printf '%s\0' "${cmdline[@]}" >"$dir/cmdline"   # for restart
    in_root "${cmdline[@]}" >/dev/null 2>&1 &
    for i in $(seq 1 300); do
      if ping_server; then
        break 2
      fi
      kill -0 $! 2>/dev/null || break
      sleep 0.1
    done
    echo "server.sh: attempt $attempt failed; error log:" >&2
    tail -n 5 "$dir/error.log" >&2 || true
    kill $! 2>/dev/null || true
    [ "$attempt" = 3 ] && { unbind; exit 1; }
  done
  # mariadb-install-db creates anonymous users; on local connections they
  # shadow a '%' user, so drop them before creating the agent.
  "$client" --no-defaults --socket="$dir/sock" -uroot -N -B -e \
    "SELECT CONCAT('DROP USER ''''@''', host, ''';') FROM mysql.user WHERE user=''" \
    | "$client" --no-defaults --socket="$dir/sock" -uroot
  # MySQL's root is root@localhost alone; MariaDB's install also makes
  # root@127.0.0.1 (tests reach it over TCP: mysql_setup's admin DSN).
  if [ "$flavour" = mysql ]; then
    "$client" --no-defaults --socket="$dir/sock" -uroot -e \
      "CREATE USER 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
  fi
  "$client" --no-defaults --socket="$dir/sock" -uroot <<SQL
CREATE USER 'agent'@'%' IDENTIFIED BY 'agentpw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'agent'@'%';
CREATE DATABASE vt;
SQL
  cat >"$dir/env" <<ENV
export MYSQL_VTAB_DSN='host=127.0.0.1 port=$port user=agent password=agentpw database=vt'
export MYSQL_VTAB_ROOT='--no-defaults --socket=$dir/sock -uroot'
export MYSQL_VTAB_PORT=$port
export MYSQL_VTAB_SOCKET='$dir/sock'
export MYSQL_VTAB_DATADIR='$dir/data'
export MYSQL_VTAB_SERVER_DIR='$dir'
export MYSQL_VTAB_FLAVOUR=$flavour
export MYSQL_VTAB_SERVER_ROOT='$r'
ENV
}

# Stop the server by its pid and start it again with the command line start
# used (same data, port and options): for tests of a server restarted
# under a reader (faults01.test). Waits until it answers.
restart() {
  local pid cmdline=() i
  [ -f "$dir/cmdline" ] || { echo "server.sh: no server in $dir" >&2; exit 1; }
  mapfile -d '' cmdline <"$dir/cmdline"
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  in_root "${cmdline[@]}" >/dev/null 2>&1 &
  for i in $(seq 1 300); do
    if ping_server; then
      return 0
    fi
    kill -0 $! 2>/dev/null || break
    sleep 0.1
  done
  echo "server.sh: restart failed; error log:" >&2
  tail -n 5 "$dir/error.log" >&2 || true
  exit 1
}

# sql DIR SQL: run SQL as root on DIR's server, tab-separated, no headers.
sql() {
  "$client" --no-defaults --socket="$1/sock" -uroot -N -B -e "$2"
}

replicate() {
  local primary=${1:-} whence=${2:-now} port state pos i running first status
  [ -n "$primary" ] && [ -f "$primary/env" ] && [ -f "$dir/env" ] \
    || { echo "usage: $0 replicate DIR PRIMARY_DIR (two started servers)" >&2; exit 2; }
  dir=$(cd "$dir" && pwd); primary=$(cd "$primary" && pwd)
  port=$(sed -n 's/^export MYSQL_VTAB_PORT=//p' "$primary/env")
  if [ "$flavour" = mysql ]; then
    if [ "$whence" = from-start ]; then
      state=$(sql "$primary" "SELECT @@GLOBAL.gtid_purged" | tr -d '\n')
    else
      state=$(sql "$primary" "SELECT @@GLOBAL.gtid_executed" | tr -d '\n')
    fi
    sql "$dir" "RESET BINARY LOGS AND GTIDS" 2>/dev/null || sql "$dir" "RESET MASTER"
    sql "$dir" "SET GLOBAL gtid_purged='$state';
      CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=$port,
        SOURCE_USER='agent', SOURCE_PASSWORD='agentpw', SOURCE_AUTO_POSITION=1,
        GET_SOURCE_PUBLIC_KEY=1;
      START REPLICA"
  else
    if [ "$whence" = from-start ]; then
      first=$(sql "$primary" "SHOW BINARY LOGS" | head -n 1 | cut -f 1)
      pos=$(sql "$primary" "SELECT BINLOG_GTID_POS('$first', 4)")
      state=$pos
    else
      state=$(sql "$primary" "SELECT @@GLOBAL.gtid_binlog_state")
      pos=$(sql "$primary" "SELECT @@GLOBAL.gtid_binlog_pos")
    fi
    sql "$dir" "RESET MASTER; SET GLOBAL gtid_binlog_state='$state';
      SET GLOBAL gtid_slave_pos='$pos';
      CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$port,
        MASTER_USER='agent', MASTER_PASSWORD='agentpw', MASTER_USE_GTID=slave_pos;
      START SLAVE"
  fi
  # Up to 2 min, for a loaded machine. Vertical output by -E: MySQL 9.7's
  # client refuses a "\G" in -e text ("Unknown command '\G'": every wait
  # timed out in the matrix's libmysqlclient passes, which run this
  # script in the MySQL root).
  status=$([ "$flavour" = mysql ] && echo 'SHOW REPLICA STATUS' || echo 'SHOW SLAVE STATUS')
  for i in $(seq 1 1200); do
    running=$("$client" --no-defaults --socket="$dir/sock" -uroot -E -e "$status" \
      | grep -cE '(Slave|Replica)_(IO|SQL)_Running: Yes')
    [ "$running" = 2 ] && return 0
    sleep 0.1
  done
  echo "server.sh: replication did not start in 2 min; status:" >&2
  "$client" --no-defaults --socket="$dir/sock" -uroot -E -e "$status" >&2 || true
  exit 1
}

promote() {
  if [ "$flavour" = mysql ]; then
    sql "$dir" "STOP REPLICA; RESET REPLICA ALL"
  else
    sql "$dir" "STOP SLAVE; RESET SLAVE ALL"
  fi
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  restart) restart ;;
  replicate) replicate "$@" ;;
  promote) promote ;;
  *) echo "usage: $0 start|stop|restart|replicate|promote DIR [options]" >&2; exit 2 ;;
esac
