/*
** sqvalue.c — an mv_value as the result of a typed column: the type
** table's mapping (mv_sq_value, pure/types.h), for the typed mysql_snapshot
** and the typed mysql_changes table alike.
*/
#include "mysqlvtab.h"
#include "pure/types.h"

#include <string.h>

void mv_result_value(sqlite3_context *ctx, const mv_value *v, mv_buf *b){
  mv_sqval q;
  mv_sq_value(v, b, &q);
  if( b->oom ){ sqlite3_result_error_nomem(ctx); return; }
  switch( q.type ){
    case MV_SQV_NULL: return;
    case MV_SQV_INT: sqlite3_result_int64(ctx, q.i); return;
    case MV_SQV_REAL: sqlite3_result_double(ctx, q.d); return;
    case MV_SQV_BLOB:
      sqlite3_result_blob64(ctx, q.p, q.n, SQLITE_TRANSIENT);
      return;
    case MV_SQV_TEXT: {
      /* with no NUL byte inside, length -1 lets SQLite copy the terminator
      ** too (an explicit length costs a reallocation on the first
      ** sqlite3_value_text(): bench/README.md) */
      const char *z = b->n ? mv_buf_cstr(b) : "";
      if( b->oom ){ sqlite3_result_error_nomem(ctx); return; }
      if( memchr(z, 0, b->n)==0 ){
        sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
      }else{
        sqlite3_result_text64(ctx, z, b->n, SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      return;
    }
  }
}
