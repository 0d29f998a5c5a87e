#!/usr/bin/env bash
# The Debian unstable (sid) roots of make test-matrix, created on first use
# and cached under build/roots/ (rebuilt when missing):
#   build/roots/mysql     MySQL 9.7 server and client, libmysqlclient-dev
#   build/roots/mariadb   MariaDB 11.8 server and client, libmariadb-dev,
#                         libmysqlclient's runtime library
# Both carry SQLite 3.53, tclsh with its sqlite3 package, gcc and make.
# (libmysqlclient-dev and libmariadb-dev conflict, hence two roots.)
#
#   test/roots.sh [mysql|mariadb]...   create what is missing (default both)
#   test/roots.sh path mysql           print the root's directory
#
# The mirror is the host's own (its apt configuration), read at run time.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
base=$top/build/roots

common=(libsqlite3-dev sqlite3 tcl libsqlite3-tcl gcc make pkg-config
        zlib1g-dev libzstd-dev openssl ca-certificates python3 procps)
pkgs_mysql=(mysql-server-core mysql-client-core libmysqlclient-dev)
# (libmysqlclient24: the runtime library only, which does not conflict, so
# that the libmysqlclient build runs against MariaDB in this root)
pkgs_mariadb=(mariadb-server mariadb-client libmariadb-dev libmysqlclient24)

mirror() {
  local u
  u=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
  [ -n "$u" ] || u=$(awk '$1=="deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$u" ] || { echo "roots.sh: no Debian mirror in the host's apt configuration" >&2; exit 1; }
  echo "$u"
}

in_root() {   # in_root DIR CMD...: with /proc mounted for the command's time
  local r=$1 rc=0; shift
  mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
  chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
  umount "$r/proc" 2>/dev/null || true
  return $rc
}

# A minimal root has no /etc/hosts: mariadb-install-db then cannot resolve
# localhost and refuses to run.
hosts() {
  [ -f "$1/etc/hosts" ] || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$1/etc/hosts"
}

create() {
  local flavour=$1 r=$base/$1 tmp pkgs
  eval "pkgs=(\"\${pkgs_$flavour[@]}\")"
  if [ -f "$r/.complete" ]; then
    hosts "$r"
    # a cached root made from an older package list: add what is new
    if [ "$(cat "$r/.packages" 2>/dev/null)" != "${common[*]} ${pkgs[*]}" ]; then
      echo "roots: updating the packages of $r" >&2
      { in_root "$r" apt-get update -qq &&
        in_root "$r" apt-get install -y -qq --no-install-recommends "${common[@]}" "${pkgs[@]}" &&
        in_root "$r" apt-get clean; } >>"$base/$flavour.log" 2>&1 \
        || { tail -n 20 "$base/$flavour.log" >&2; exit 1; }
      echo "${common[*]} ${pkgs[*]}" >"$r/.packages"
    fi
    return 0
  fi
  command -v debootstrap >/dev/null || test/deps.sh debootstrap
  [ -d /usr/share/debootstrap ] || test/deps.sh debootstrap
  tmp=$r.tmp; rm -rf "$tmp"; mkdir -p "$base"
  echo "roots: creating $r (debootstrap sid)" >&2
  debootstrap --variant=minbase sid "$tmp" "$(mirror)" >"$base/$flavour.log" 2>&1 \
    || { tail -n 20 "$base/$flavour.log" >&2; exit 1; }
  # sid's Release file is often past its Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99matrix"
  in_root "$tmp" apt-get update -qq >>"$base/$flavour.log" 2>&1
  in_root "$tmp" apt-get install -y -qq --no-install-recommends "${common[@]}" "${pkgs[@]}" \
    >>"$base/$flavour.log" 2>&1 || { tail -n 20 "$base/$flavour.log" >&2; exit 1; }
  in_root "$tmp" apt-get clean
  hosts "$tmp"
  mkdir -p "$tmp/src"
  echo "${common[*]} ${pkgs[*]}" >"$tmp/.packages"
  date -u +%FT%TZ >"$tmp/.complete"
  mv "$tmp" "$r"
}

case "${1:-}" in
  path) echo "$base/$2" ;;
  "") create mysql; create mariadb ;;
  *) for f in "$@"; do create "$f"; done ;;
esac
