#!/usr/bin/env bash
# bench/data.sh — prints the SQL of the benchmark's data and workload, for
# `mariadb` as root in schema vt. Everything is generated server-side from
# MariaDB's Sequence engine (seq_1_to_N), so loading a million rows takes
# seconds and no data crosses the client connection.
#
#   bench/data.sh load NARROW_ROWS WIDE_ROWS TEN_ROWS    schema + initial rows
#                                                        (not binlogged)
#   bench/data.sh narrow_tx K BASE     transaction K (0-based) on narrow
#   bench/data.sh wide_tx K BASE       transaction K on wide
#   bench/data.sh ten_tx K BASE        transaction K spread over t0..t9
#   bench/data.sh mem_tx ROWS          ONE transaction of ROWS inserts (table mem)
#
# Every workload transaction has exactly 1,000 row changes: 800 updates,
# 100 deletes, 100 inserts (ten_tx: 80/10/10 in each of the ten tables).
# Transaction K updates ids K*1000+1..+800, deletes K*1000+801..+900 and
# inserts BASE+K*100+1..+100 (BASE = the initial row count), so K must stay
# below ROWS/1000 for the updates to hit existing rows.
set -eu

# The wide table: ~25 columns, every type family the encoder knows, NULLs
# in some columns of every tenth row, multi-byte UTF-8, quotes to escape.
wide_schema() {
  cat <<'SQL'
CREATE TABLE wide (
  id   INT UNSIGNED PRIMARY KEY,
  ti   TINYINT,            tu TINYINT UNSIGNED,
  si   SMALLINT,           su SMALLINT UNSIGNED,
  mi   MEDIUMINT,          mu MEDIUMINT UNSIGNED,
  ii   INT,                bi BIGINT,            bu BIGINT UNSIGNED,
  yr   YEAR,
  dc   DECIMAL(14,4),      dbl DOUBLE,           flt FLOAT,
  vc   VARCHAR(100),       txt TEXT,
  dt   DATETIME(6),        ts TIMESTAMP(3) NULL, d DATE,    tm TIME(3),
  e    ENUM('red','green','blue'),               st SET('a','b','c','d'),
  bt   BIT(12),            js JSON,              bl BLOB
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SQL
}

# SELECT list producing wide rows for ids seq (from seq_LO_to_HI).
wide_select() {   # wide_select LO HI
  cat <<SQL
SELECT seq,
  CAST(seq % 256 AS SIGNED) - 128, seq % 256,
  CAST(seq % 65536 AS SIGNED) - 32768, seq % 65536,
  CAST(seq % 16777216 AS SIGNED) - 8388608, seq % 16777216,
  CAST((seq * 2654435761) % 4294967296 AS SIGNED) - 2147483648,
  IF(seq % 10 = 0, NULL, CAST(seq AS SIGNED) * -9000000000007),
  18446744073709551615 - seq,
  1901 + seq % 255,
  (seq * 7919 % 100000000) / 10000 - 5000,
  IF(seq % 10 = 1, NULL, IF(seq % 2 = 0, seq / 4e0, seq / 7e0)),
  seq / 3e0,
  CONCAT('név-', seq, ' "ü€" ', REPEAT('x', seq % 20)),
  IF(seq % 10 = 2, NULL, REPEAT(CONCAT('lorem ipsum ', seq, ' dolor\t'), 1 + seq % 6)),
  TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq * 37 SECOND + INTERVAL seq % 1000000 MICROSECOND,
  IF(seq % 10 = 3, NULL, FROM_UNIXTIME(1600000000 + seq * 13 + (seq % 1000) / 1000)),
  DATE'2000-01-01' + INTERVAL seq % 10000 DAY,
  SEC_TO_TIME(CAST(seq % 3000000 AS SIGNED) - 1500000 + (seq % 1000) / 1000),
  ELT(1 + seq % 3, 'red', 'green', 'blue'),
  seq % 16,
  seq % 4096,
  IF(seq % 10 = 4, NULL, JSON_OBJECT('id', seq, 'tags', JSON_ARRAY('a', seq % 10), 'ok', seq % 2 = 0)),
  IF(seq % 10 = 5, NULL, CONCAT(UNHEX(SHA1(seq)), UNHEX(MD5(seq))))
FROM seq_${1}_to_${2}
SQL
}

ten_select() {   # ten_select LO HI
  echo "SELECT seq, seq * 3, CONCAT('row ', seq, ' of ten'),
  TIMESTAMP'2021-06-01 00:00:00' + INTERVAL seq SECOND + INTERVAL seq % 999 MICROSECOND,
  seq / 9 FROM seq_${1}_to_${2}"
}

load() {   # load NARROW WIDE TEN
  local n=$1 w=$2 t=$3 i
  echo "SET SESSION sql_log_bin = 0;"
  echo "CREATE TABLE narrow (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;"
  echo "INSERT INTO narrow SELECT seq, seq FROM seq_1_to_$n;"
  wide_schema
  echo "INSERT INTO wide $(wide_select 1 "$w");"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "CREATE TABLE t$i (id INT PRIMARY KEY, a INT, b VARCHAR(64), c DATETIME(6), d DOUBLE) ENGINE=InnoDB;"
    echo "INSERT INTO t$i $(ten_select 1 "$t");"
  done
  echo "CREATE TABLE mem (id INT PRIMARY KEY, v INT, s VARCHAR(64)) ENGINE=InnoDB;"
}

narrow_tx() {   # narrow_tx K BASE
  local a=$(( $1 * 1000 )) b=$(( $2 + $1 * 100 ))
  echo "BEGIN;
UPDATE narrow SET v = v + 1 WHERE id BETWEEN $((a+1)) AND $((a+800));
DELETE FROM narrow WHERE id BETWEEN $((a+801)) AND $((a+900));
INSERT INTO narrow SELECT seq, seq FROM seq_$((b+1))_to_$((b+100));
COMMIT;"
}

wide_tx() {   # wide_tx K BASE
  local a=$(( $1 * 1000 )) b=$(( $2 + $1 * 100 ))
  echo "BEGIN;
UPDATE wide SET dbl = dbl + 0.5, e = 'blue', ts = ts + INTERVAL 1 SECOND WHERE id BETWEEN $((a+1)) AND $((a+800));
DELETE FROM wide WHERE id BETWEEN $((a+801)) AND $((a+900));
INSERT INTO wide $(wide_select $((b+1)) $((b+100)));
COMMIT;"
}

ten_tx() {   # ten_tx K BASE: 100 changes in each of t0..t9
  local a=$(( $1 * 100 )) b=$(( $2 + $1 * 10 )) i
  echo "BEGIN;"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "UPDATE t$i SET a = a + 1, b = CONCAT(b, '+') WHERE id BETWEEN $((a+1)) AND $((a+80));
DELETE FROM t$i WHERE id BETWEEN $((a+81)) AND $((a+90));
INSERT INTO t$i $(ten_select $((b+1)) $((b+10)));"
  done
  echo "COMMIT;"
}

mem_tx() {   # mem_tx ROWS
  echo "BEGIN;
INSERT INTO mem SELECT seq, seq * 7, CONCAT('one big transaction, row ', seq) FROM seq_1_to_$1;
COMMIT;"
}

cmd=${1:-}
case "$cmd" in
  load|narrow_tx|wide_tx|ten_tx|mem_tx) shift; "$cmd" "$@" ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
