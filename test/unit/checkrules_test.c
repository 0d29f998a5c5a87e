/*
** checkrules_test.c — the requirements' server-free decisions
** (vtab/pure/checkrules.c): binlog_row_value_options, log_bin,
** binlog_format, the table's type and engine, its primary key.
*/
#include "checkrules.h"
#include "unit.h"

static char zD[600];

int main(void){
  /* MariaDB (no variable) and MySQL's default '' */
  CHECK(mv_check_row_value_options(0, "FULL", zD, sizeof zD)==1);
  CHECK(strstr(zD, "no binlog_row_value_options")!=0);
  CHECK(mv_check_row_value_options(0, "MINIMAL", zD, sizeof zD)==1);
  CHECK(mv_check_row_value_options("", "FULL", zD, sizeof zD)==1);
  CHECK_STR(zD, "'': JSON updates are logged whole");
  CHECK(mv_check_row_value_options("", "MINIMAL", zD, sizeof zD)==1);
  /* PARTIAL_JSON: a warning under FULL, a failure under MINIMAL/NOBLOB */
  CHECK(mv_check_row_value_options("PARTIAL_JSON", "FULL", zD, sizeof zD)==-1);
  CHECK(strncmp(zD, "PARTIAL_JSON (a warning)", 24)==0);
  CHECK(mv_check_row_value_options("partial_json", "full", zD, sizeof zD)==-1);
  CHECK(mv_check_row_value_options("PARTIAL_JSON", "MINIMAL", zD, sizeof zD)==0);
  CHECK(strstr(zD, "binlog_row_image=MINIMAL")!=0 && strstr(zD, "json_diff=1")!=0);
  CHECK(mv_check_row_value_options("PARTIAL_JSON", "NOBLOB", zD, sizeof zD)==0);
  CHECK(mv_check_row_value_options("PARTIAL_JSON", 0, zD, sizeof zD)==0);
  CHECK(strstr(zD, "(unset)")!=0);
  /* a set value: the member counts, a look-alike does not */
  CHECK(mv_check_row_value_options("X, PARTIAL_JSON", "MINIMAL", zD, sizeof zD)==0);
  CHECK(mv_check_row_value_options("PARTIAL_JSONX", "MINIMAL", zD, sizeof zD)==1);
  /* a short buffer is cut, not overrun */
  {
    char zS[8];
    zS[7] = 'x';
    mv_check_row_value_options("PARTIAL_JSON", "MINIMAL", zS, 7);
    CHECK(zS[6]==0 && zS[7]=='x');
  }
  /* log_bin: the server says 1/0 (MariaDB) or ON/OFF (MySQL) */
  CHECK(mv_check_log_bin("1", zD, sizeof zD)==1);
  CHECK_STR(zD, "ON");
  CHECK(mv_check_log_bin("on", zD, sizeof zD)==1);
  CHECK(mv_check_log_bin("0", zD, sizeof zD)==0);
  CHECK_STR(zD, "binary logging is off: add log_bin=mysql-bin to the [mysqld]"
            " section of my.cnf and restart the server");
  CHECK(mv_check_log_bin("OFF", zD, sizeof zD)==0);
  CHECK(mv_check_log_bin(0, zD, sizeof zD)==0);
  /* binlog_format */
  CHECK(mv_check_binlog_format("row", zD, sizeof zD)==1);
  CHECK(mv_check_binlog_format("MIXED", zD, sizeof zD)==0);
  CHECK_STR(zD, "binlog_format is MIXED: add binlog_format=ROW to [mysqld] in"
            " my.cnf (or SET GLOBAL binlog_format=ROW; sessions already open"
            " keep their format)");
  CHECK(mv_check_binlog_format(0, zD, sizeof zD)==0);
  CHECK(strstr(zD, "(unset)")!=0);
  /* the table: base (or system-versioned) InnoDB tables only */
  CHECK(mv_check_table("vt", "t", "BASE TABLE", "InnoDB", zD, sizeof zD)==1);
  CHECK_STR(zD, "InnoDB");
  CHECK(mv_check_table("vt", "t", "SYSTEM VERSIONED", "innodb", zD, sizeof zD)==1);
  CHECK(mv_check_table("vt", "t", 0, "InnoDB", zD, sizeof zD)==1);
  CHECK(mv_check_table("vt", "m", "BASE TABLE", "MyISAM", zD, sizeof zD)==0);
  CHECK_STR(zD, "vt.m is MyISAM: a consistent snapshot needs InnoDB; run"
            " ALTER TABLE `vt`.`m` ENGINE=InnoDB");
  CHECK(mv_check_table("vt", "m", "BASE TABLE", 0, zD, sizeof zD)==0);
  CHECK(strstr(zD, "(no engine)")!=0);
  CHECK(mv_check_table("vt", "v", "VIEW", 0, zD, sizeof zD)==0);
  CHECK_STR(zD, "vt.v is a view, not a table: a snapshot reads base tables,"
            " and only they have row events in the binlog");
  CHECK(mv_check_table("information_schema", "x", "SYSTEM VIEW", "MEMORY",
                       zD, sizeof zD)==0);
  CHECK(strstr(zD, "is a SYSTEM VIEW, not a table")!=0);
  /* the primary key */
  CHECK(mv_check_primary_key("vt", "t", 1, zD, sizeof zD)==1);
  CHECK_STR(zD, "present");
  CHECK(mv_check_primary_key("vt", "n", 0, zD, sizeof zD)==0);
  CHECK_STR(zD, "vt.n has no primary key: changes cannot be matched to rows;"
            " run ALTER TABLE `vt`.`n` ADD PRIMARY KEY (...)");
  UNIT_DONE();
}
