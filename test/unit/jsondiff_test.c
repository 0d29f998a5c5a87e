/*
** jsondiff_test.c — mvj_diff_to_json (vtab/pure/jsondiff.c): the diff list
** of a partial JSON update as {"json_diff":[...]}, over byte-exact lists
** and malformed ones.
*/
#include "jsondiff.h"
#include "unit.h"

#include <stdlib.h>

static mv_buf out;

/* The JSON for the diff list given in hex (spaces ignored), or
** "ERROR: message". */
static const char *diffText(const char *zHex){
  static char zRes[4096];
  uint8_t a[1024];
  size_t n = 0;
  char zErr[200];
  while( *zHex ){
    unsigned v;
    if( *zHex==' ' ){ zHex++; continue; }
    sscanf(zHex, "%2x", &v);
    a[n++] = (uint8_t)v;
    zHex += 2;
  }
  mv_buf_reset(&out);
  mv_buf_str(&out, "kept:");
  if( mvj_diff_to_json(a, n, &out, zErr, sizeof zErr) ){
    snprintf(zRes, sizeof zRes, "ERROR: %s [%.*s]", zErr, (int)out.n, out.z);
  }else{
    snprintf(zRes, sizeof zRes, "%.*s", (int)out.n - 5, out.z + 5);
  }
  return zRes;
}

int main(void){
  mv_buf_init(&out);
  /* REPLACE $.age 26 (int16) */
  CHECK_STR(diffText("00 05 242e616765 03 051a00"),
            "{\"json_diff\":[{\"op\":\"replace\",\"path\":\"$.age\",\"value\":26}]}");
  /* INSERT $.b "x", REMOVE $[0], REPLACE $.o {"k": true} */
  CHECK_STR(diffText("01 03 242e62 03 0c0178  02 04 245b305d"
                     "  00 03 242e6f 0d 00 0100 0c00 0b00 0100 04 0100 6b"),
            "{\"json_diff\":[{\"op\":\"insert\",\"path\":\"$.b\",\"value\":\"x\"},"
            "{\"op\":\"remove\",\"path\":\"$[0]\"},"
            "{\"op\":\"replace\",\"path\":\"$.o\",\"value\":{\"k\": true}}]}");
  /* a path with a quote and a backslash is escaped */
  CHECK_STR(diffText("02 06 242e2261225c"),
            "{\"json_diff\":[{\"op\":\"remove\",\"path\":\"$.\\\"a\\\"\\\\\"}]}");
  /* malformed: nothing appended, the message names the diff and byte */
  CHECK_STR(diffText(""), "ERROR: empty JSON diff list [kept:]");
  CHECK_STR(diffText("03 01 24"),
            "ERROR: diff 1 at byte 0: unknown operation 3 [kept:]");
  CHECK_STR(diffText("00 05 242e61"),
            "ERROR: diff 1 at byte 0: path truncated [kept:]");
  CHECK_STR(diffText("02 01 24  00 03 242e61 05 0501"),
            "ERROR: diff 2 at byte 3: value truncated [kept:]");
  CHECK_STR(diffText("00 03 242e61 00"),
            "ERROR: diff 1 at byte 0: value truncated [kept:]");
  CHECK_STR(diffText("02 02 2e61"),
            "ERROR: diff 1 at byte 0: path does not start with $ [kept:]");
  CHECK_STR(diffText("00 03 242e61 02 0d00"),
            "ERROR: diff 1: bad value: unknown value type 0x0d at offset 0 [kept:]");
  mv_buf_free(&out);
  UNIT_DONE();
}
