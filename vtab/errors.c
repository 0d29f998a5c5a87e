/*
** errors.c — the one shape of an error message:
**
**   mysql_snapshot: vt.orders: interrupted
**   mysql_changes: mysql-bin.000003:1234: checksum mismatch
**
** what failed (the function or module), then the table and the position
** when there is one, then the cause (DESIGN.md "Errors").
*/
#include "mysqlvtab.h"

#include <stdarg.h>

char *mv_error(const char *zFunc, const char *zDb, const char *zTbl,
               const char *zPos, const char *zFmt, ...){
  sqlite3_str *s = sqlite3_str_new(0);
  va_list ap;
  sqlite3_str_appendf(s, "%s: ", zFunc);
  if( zTbl ){
    if( zDb ) sqlite3_str_appendf(s, "%s.", zDb);
    sqlite3_str_appendf(s, "%s: ", zTbl);
  }
  if( zPos ) sqlite3_str_appendf(s, "%s: ", zPos);
  va_start(ap, zFmt);
  sqlite3_str_vappendf(s, zFmt, ap);
  va_end(ap);
  return sqlite3_str_finish(s);
}
