/*
** watermark_test.c — MySQL's @@GLOBAL.gtid_owned as a GTID set
** (vtab/pure/watermark.c), as Owned_gtids::to_string writes it.
*/
#include "watermark.h"
#include "unit.h"

static const char *set(const char *z){
  static mv_buf b;
  mv_buf_reset(&b);
  mv_gtid_owned_to_set(&b, z);
  return mv_buf_cstr(&b);
}

int main(void){
  CHECK_STR(set(""), "");
  CHECK_STR(set(0), "");
  CHECK_STR(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:5#12"),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:5");
  CHECK_STR(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:5#12:6#13"),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:5:6");
  /* the next UUID straight after a thread number, digits both */
  CHECK_STR(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:5#12:6#1312345678-aaaa-bbbb-cccc-dddddddddddd:7#9"),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:5:6,12345678-aaaa-bbbb-cccc-dddddddddddd:7");
  CHECK_STR(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:5#7abcdef01-aaaa-bbbb-cccc-dddddddddddd:8#120"),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:5,abcdef01-aaaa-bbbb-cccc-dddddddddddd:8");
  /* a tagged GTID (MySQL 8.3+): uuid:tag:gno */
  CHECK_STR(set("3e11fa47-71ca-11e1-9e33-c80aa9429562:blue:3#44"),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:blue:3");
  UNIT_DONE();
}
