/*
** checkrules.c — mysql_check's server-free decisions; see checkrules.h.
*/
#include "checkrules.h"

#include <stdio.h>
#include <strings.h>
#include <string.h>

/* Does the comma-separated set zSet hold zWord (case-insensitive)? */
static int setHas(const char *zSet, const char *zWord){
  size_t n = strlen(zWord);
  const char *z = zSet;
  while( *z ){
    const char *e = strchr(z, ',');
    size_t k = e ? (size_t)(e - z) : strlen(z);
    while( k && z[0]==' ' ){ z++; k--; }
    while( k && z[k-1]==' ' ) k--;
    if( k==n && strncasecmp(z, zWord, n)==0 ) return 1;
    if( e==0 ) break;
    z = e + 1;
  }
  return 0;
}

int mv_check_row_value_options(const char *zOpts, const char *zImage,
                               char *zDetail, size_t nDetail){
  if( zOpts==0 ){
    snprintf(zDetail, nDetail, "this server has no binlog_row_value_options"
             " (MySQL 8.0.3+ has it): JSON updates are logged whole");
    return 1;
  }
  if( !setHas(zOpts, "PARTIAL_JSON") ){
    snprintf(zDetail, nDetail, "'%s': JSON updates are logged whole", zOpts);
    return 1;
  }
  if( zImage && strcasecmp(zImage, "FULL")==0 ){
    snprintf(zDetail, nDetail, "PARTIAL_JSON (a warning): JSON updates are"
             " logged as diffs; with binlog_row_image=FULL mysql_changes"
             " applies them to the before image, but a session that also"
             " sets binlog_row_image=MINIMAL writes updates it cannot rebuild;"
             " SET GLOBAL binlog_row_value_options='' logs them whole");
    return -1;
  }
  snprintf(zDetail, nDetail, "PARTIAL_JSON with binlog_row_image=%s: a JSON"
           " update is logged as a diff with no document to apply it to, and"
           " ends a mysql_changes scan (json_diff=1 delivers the diff"
           " instead); SET GLOBAL binlog_row_value_options='' and"
           " binlog_row_image=FULL log them whole", zImage ? zImage : "(unset)");
  return 0;
}
