#!/usr/bin/env bash
# Builds fuzz/fuzz_args.c (the DSN and table-argument parsers) with clang,
# libFuzzer, ASan and UBSan, and runs it for SECONDS:
#
#   fuzz/args.sh SECONDS
#
# Seeds are written here (valid and broken DSNs and table arguments); the
# corpus grows in build/fuzz-args/corpus, findings go to
# build/fuzz-args/crashes/. Prints "N executions ... clean" and
# "1 passed, 0 failed", or the finding and "0 passed, 1 failed".
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
dir=build/fuzz-args
mkdir -p "$dir/corpus" "$dir/crashes" "$dir/seeds"
command -v clang >/dev/null || test/deps.sh clang libclang-rt-dev
bin="$dir/fuzz_args"
if [ ! -x "$bin" ] || [ -n "$(find fuzz/fuzz_args.c vtab/pure/dsnparse.c vtab/pure/dsnparse.h vtab/tblarg.c vtab/mysqlvtab.h -newer "$bin" 2>/dev/null)" ]; then
  # shellcheck disable=SC2046
  clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer -Ivtab $(mariadb_config --cflags) -o "$bin" \
    fuzz/fuzz_args.c vtab/pure/dsnparse.c vtab/pure/buf.c vtab/tblarg.c $(mariadb_config --libs) -lsqlite3 \
    || { echo "0 passed, 1 failed"; exit 1; }
fi
i=0
while IFS= read -r line; do
  printf '%s' "$line" >"$dir/seeds/s$i"; i=$((i+1))
done <<'SEEDS'
 host=127.0.0.1 port=3306 user=agent password=agentpw database=vt
 host=h user=u password='it''s a secret' ssl_mode=VERIFY_IDENTITY ssl_ca=/x/ca.pem
 socket=/run/mysqld/mysqld.sock user=root password='a\'b\\c' option_file=/etc/my.cnf option_group=vtab
 port=99999 connect_timeout=0 server_id=4294967296
 password=abc Zq9_s3cr3t database=vt
 password='unterminated
 colour=red
 =x host
1vt.orders
1`we``ird"t'b\l`.`x`
1shop.%, vt.t1 ,`a`.`b%`
1a.b.c
1`unterminated
1db.
1 , ,
SEEDS
log="$dir/run.$$.log"
trap 'rm -f "$log"' EXIT
"$bin" -max_total_time="$secs" -timeout=10 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$dir/crashes/" "$dir/corpus" "$dir/seeds" >"$log" 2>&1
rc=$?
cp "$log" "$dir/last.log"
execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{s+=$2} END{print s+0}')
if [ $rc -eq 0 ]; then
  echo "fuzz args: $execs executions in ${secs}s, clean"
  echo "1 passed, 0 failed"
  exit 0
fi
grep -E 'fuzz_args:|  input:|  error:|ERROR|SUMMARY|runtime error|Test unit written|#[0-9]+ 0x' "$log" | head -n 40
echo "fuzz args: a finding after $execs executions (exit $rc); full log $dir/last.log"
echo "0 passed, 1 failed"
exit 1
