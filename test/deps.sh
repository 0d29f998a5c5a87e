#!/usr/bin/env bash
# Installs, from Debian's packages, whatever the build, the tests and the demo
# need and the machine lacks; does nothing when all is there. Extra package
# names on the command line are added (e.g. clang for `make fuzz`).
set -eu
pkgs=(gcc make pkg-config mariadb-server mariadb-client libmariadb-dev
      libsqlite3-dev sqlite3 tcl libsqlite3-tcl zlib1g-dev libzstd-dev
      openssl python3 "$@")
need=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "deps: installing ${need[*]}"
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
