/*
** watermark.c — see watermark.h.
*/
#include "watermark.h"

#include <string.h>

void mv_gtid_owned_to_set(mv_buf *b, const char *z){
  while( z && *z ){
    const char *zColon, *zDash;
    if( *z!='#' ){
      mv_buf_char(b, *z++);
      continue;
    }
    /* "#thread": it ends at the next ':' (another GTID of this source),
    ** or where the next source's UUID begins, 8 hex digits before its
    ** first '-' (a thread number is digits only, a UUID's first part 8
    ** hex digits, so the two can run together) */
    z++;
    zColon = strchr(z, ':');
    zDash = strchr(z, '-');
    if( zDash && (zColon==0 || zDash<zColon) && zDash - z >= 8 ){
      z = zDash - 8;
      mv_buf_char(b, ',');
    }else if( zColon ){
      z = zColon;
    }else{
      break;
    }
  }
}
