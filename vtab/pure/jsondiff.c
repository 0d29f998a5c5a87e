/*
** jsondiff.c — a partial JSON diff list as {"json_diff":[...]}; see
** jsondiff.h. The list's layout is mysqljson.c's (Json_diff_vector):
** per diff an operation byte (0 REPLACE, 1 INSERT, 2 REMOVE), the path
** length (packed integer) and path, and for REPLACE/INSERT the value length
** (packed integer) and the binary JSON value. No SQLite.
*/
#include "jsondiff.h"
#include "bytes.h"
#include "encode.h"
#include "mysqljson.h"

#include <stdio.h>

int mvj_diff_to_json(const uint8_t *diff, size_t nDiff, mv_buf *out,
                     char *zErr, size_t nErr){
  static const char *const azOp[] = { "replace", "insert", "remove" };
  mv_reader r;
  size_t start = out->n;
  int iDiff = 0;
  char zE[160];

  mvr_init(&r, diff, nDiff);
  if( nDiff==0 ){
    snprintf(zErr, nErr, "empty JSON diff list");
    return 1;
  }
  mv_buf_str(out, "{\"json_diff\":[");
  while( mvr_left(&r)>0 ){
    size_t at = (size_t)(r.p - diff);
    int op = mvr_u8(&r);
    uint64_t nPath, nVal;
    const uint8_t *zPath, *pVal;
    iDiff++;
    if( op>2 ){
      snprintf(zErr, nErr, "diff %d at byte %zu: unknown operation %d",
               iDiff, at, op);
      goto fail;
    }
    nPath = mvr_lenenc(&r);
    zPath = mvr_ok(&r) && nPath<=mvr_left(&r) ? mvr_take(&r, (size_t)nPath) : 0;
    if( zPath==0 ){
      snprintf(zErr, nErr, "diff %d at byte %zu: path truncated", iDiff, at);
      goto fail;
    }
    if( nPath==0 || zPath[0]!='$' ){
      snprintf(zErr, nErr, "diff %d at byte %zu: path does not start with $",
               iDiff, at);
      goto fail;
    }
    if( iDiff>1 ) mv_buf_char(out, ',');
    mv_buf_str(out, "{\"op\":\"");
    mv_buf_str(out, azOp[op]);
    mv_buf_str(out, "\",\"path\":");
    mv_json_string(out, (const char*)zPath, (size_t)nPath);
    if( op!=2 ){
      nVal = mvr_lenenc(&r);
      pVal = mvr_ok(&r) && nVal>0 && nVal<=mvr_left(&r)
           ? mvr_take(&r, (size_t)nVal) : 0;
      if( pVal==0 ){
        snprintf(zErr, nErr, "diff %d at byte %zu: value truncated", iDiff, at);
        goto fail;
      }
      mv_buf_str(out, ",\"value\":");
      if( mvj_binary_to_text(pVal, (size_t)nVal, out, zE, sizeof zE) ){
        snprintf(zErr, nErr, "diff %d: bad value: %s", iDiff, zE);
        goto fail;
      }
    }
    mv_buf_char(out, '}');
  }
  mv_buf_str(out, "]}");
  if( out->oom ){
    snprintf(zErr, nErr, "out of memory");
    goto fail;
  }
  return 0;

fail:
  out->n = start;
  return 1;
}
