/*
** checkrules.c — the requirements' server-free decisions; see checkrules.h.
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

int mv_check_log_bin(const char *zLogBin, char *zDetail, size_t nDetail){
  if( zLogBin && (strcmp(zLogBin, "1")==0 || strcasecmp(zLogBin, "ON")==0) ){
    snprintf(zDetail, nDetail, "ON");
    return 1;
  }
  snprintf(zDetail, nDetail, "binary logging is off: " MV_LOG_BIN_ADVICE);
  return 0;
}

int mv_check_binlog_format(const char *zFmt, char *zDetail, size_t nDetail){
  if( zFmt && strcasecmp(zFmt, "ROW")==0 ){
    snprintf(zDetail, nDetail, "ROW");
    return 1;
  }
  snprintf(zDetail, nDetail, "binlog_format is %s: add binlog_format=ROW to"
           " [mysqld] in my.cnf (or SET GLOBAL binlog_format=ROW; sessions"
           " already open keep their format)", zFmt ? zFmt : "(unset)");
  return 0;
}

int mv_check_table(const char *zDb, const char *zTbl, const char *zType,
                   const char *zEngine, char *zDetail, size_t nDetail){
  if( zType && strcmp(zType, "BASE TABLE")!=0
   && strcmp(zType, "SYSTEM VERSIONED")!=0 ){
    snprintf(zDetail, nDetail, "%s.%s is a %s, not a table: a snapshot reads"
             " base tables, and only they have row events in the binlog",
             zDb, zTbl, strcasecmp(zType, "VIEW")==0 ? "view" : zType);
    return 0;
  }
  if( zEngine && strcasecmp(zEngine, "InnoDB")==0 ){
    snprintf(zDetail, nDetail, "InnoDB");
    return 1;
  }
  snprintf(zDetail, nDetail, "%s.%s is %s: a consistent snapshot needs"
           " InnoDB; run ALTER TABLE `%s`.`%s` ENGINE=InnoDB", zDb, zTbl,
           zEngine && zEngine[0] ? zEngine : "(no engine)", zDb, zTbl);
  return 0;
}

int mv_check_primary_key(const char *zDb, const char *zTbl, int hasPk,
                         char *zDetail, size_t nDetail){
  if( hasPk ){
    snprintf(zDetail, nDetail, "present");
    return 1;
  }
  snprintf(zDetail, nDetail, "%s.%s has no primary key: changes cannot be"
           " matched to rows; run ALTER TABLE `%s`.`%s` ADD PRIMARY KEY (...)",
           zDb, zTbl, zDb, zTbl);
  return 0;
}
