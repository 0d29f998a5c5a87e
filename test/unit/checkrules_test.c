/*
** checkrules_test.c — mysql_check's server-free decisions
** (vtab/pure/checkrules.c): binlog_row_value_options.
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
  UNIT_DONE();
}
