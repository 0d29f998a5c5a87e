/*
** reader.c — mysql_snapshot's result reader: one prepared SELECT, read
** with the binary protocol (FLOAT and DOUBLE arrive as the stored bits),
** unbuffered and row by row (memory stays flat), each column bound as the
** type table (pure/types.h) says and each value turned into an mv_value,
** the form the binlog decoder produces too.
*/
#include "snapshot.h"

#include <string.h>

#define SNAP_PIECE (1u<<20)   /* large values are fetched in 1 MiB pieces */

/* ======================================================================
** The row reader: one prepared SELECT, unbuffered, row by row
** ==================================================================== */

void mv_reader_free(SnapReader *r){
  int i;
  if( r->stmt ) mysql_stmt_close(r->stmt);
  for(i=0; i<r->nCol; i++){
    sqlite3_free(r->aCol[i].zName);
    mv_buf_free(&r->aBuf[i]);
    mv_buf_free(&r->aBig[i]);
  }
  sqlite3_free(r->aCol);
  sqlite3_free(r->aBind);
  sqlite3_free(r->aLen);
  sqlite3_free(r->aNull);
  sqlite3_free(r->aErr);
  sqlite3_free(r->aNum);
  sqlite3_free(r->aBuf);
  sqlite3_free(r->aBig);
  sqlite3_free(r->aVal);
  mv_row_keys_free(&r->keys);
  memset(r, 0, sizeof *r);
}

/* Describe the result columns of r->stmt and bind them. */
int mv_reader_setup(SnapReader *r, const SnapTable *t, char **pzErr){
  MYSQL_RES *meta = mysql_stmt_result_metadata(r->stmt);
  MYSQL_FIELD *aF;
  int i, n;
  if( meta==0 ){
    *pzErr = mv_error(SNAP_FN, t->zDb, t->zTbl, 0,
                      "no result metadata: %s", mysql_stmt_error(r->stmt));
    return 1;
  }
  n = (int)mysql_num_fields(meta);
  aF = mysql_fetch_fields(meta);
  r->nCol = n;
#define ALLOC(p, k) (p = sqlite3_malloc64(sizeof(*(p))*(size_t)((k)?(k):1)), \
                     p ? memset(p, 0, sizeof(*(p))*(size_t)((k)?(k):1)) : 0)
  if( !ALLOC(r->aCol, n) || !ALLOC(r->aBind, n) || !ALLOC(r->aLen, n)
   || !ALLOC(r->aNull, n) || !ALLOC(r->aErr, n) || !ALLOC(r->aNum, n)
   || !ALLOC(r->aBuf, n) || !ALLOC(r->aBig, n) || !ALLOC(r->aVal, n) ){
    mysql_free_result(meta);
    r->nCol = 0;
    *pzErr = sqlite3_mprintf("out of memory");
    return 1;
  }
#undef ALLOC
  for(i=0; i<n; i++){
    SnapCol *col = &r->aCol[i];
    MYSQL_BIND *b = &r->aBind[i];
    MYSQL_FIELD *f = &aF[i];
    col->zName = mv_strndup(f->name, f->name_length);
    col->type = (int)f->type;
    col->charset = (int)f->charsetnr;
    col->flags = f->flags;
    col->decimals = f->decimals>6 ? 6 : (int)f->decimals;
    col->isJson = col->zName && mv_in_list(t->azJson, t->nJson, col->zName);
    mv_type_from_code(col->type,
        ((col->flags & UNSIGNED_FLAG) ? MV_TM_UNSIGNED : 0)
        | (col->charset==MV_CS_BINARY ? MV_TM_BINARY : 0)
        | ((col->flags & ENUM_FLAG) ? MV_TM_ENUM : 0)
        | ((col->flags & SET_FLAG) ? MV_TM_SET : 0)
        | (col->isJson ? MV_TM_JSON : 0)
        | (col->type==MVT_BIT && f->length>=64 ? MV_TM_BIT64 : 0), &col->ct);
    col->kind = col->ct.kind;
#if defined(MARIADB_PACKAGE_VERSION_ID) && MARIADB_PACKAGE_VERSION_ID<30400
    /* Connector/C before 3.4 knows no VECTOR (MySQL 9's type 242): its
    ** binary rows would read as empty values, this column's and the next. */
    if( col->type==MVT_VECTOR ){
      mysql_free_result(meta);
      *pzErr = mv_error(SNAP_FN, t->zDb, t->zTbl, 0,
          "column %s is a VECTOR,"
          " which this client library (MariaDB Connector/C %s) cannot read:"
          " build mysql_vtab with Connector/C 3.4+ or MySQL's libmysqlclient",
          col->zName ? col->zName : "?",
          mysql_get_client_info());
      return 1;
    }
#endif
    b->length = &r->aLen[i];
    b->is_null = &r->aNull[i];
    b->error = &r->aErr[i];
    switch( col->ct.family ){
      case MVF_INTEGER: case MVF_YEAR:
        col->rd = RD_INT;
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &r->aNum[i].i;
        b->is_unsigned = (col->flags & UNSIGNED_FLAG) ? 1 : 0;
        break;
      case MVF_FLOAT:
        col->rd = RD_FLOAT;
        b->buffer_type = MYSQL_TYPE_FLOAT;
        b->buffer = &r->aNum[i].f;
        break;
      case MVF_DOUBLE:
        col->rd = RD_DOUBLE;
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &r->aNum[i].d;
        break;
      case MVF_DATE: case MVF_DATETIME: case MVF_TIMESTAMP: case MVF_TIME:
        col->rd = RD_TIME;
        b->buffer_type = (enum enum_field_types)(col->type==MVT_NEWDATE ? MVT_DATE : col->type);
        b->buffer = &r->aNum[i].t;
        b->buffer_length = sizeof(MYSQL_TIME);
        break;
      default: {
        /* BIT (big-endian bytes), DECIMAL text, strings, JSON, ... */
        size_t cap = f->length < 64 ? 64 : f->length > 4096 ? 4096 : f->length;
        col->rd = RD_BYTES;
        if( mv_buf_reserve(&r->aBuf[i], cap) ){
          mysql_free_result(meta);
          *pzErr = sqlite3_mprintf("out of memory");
          return 1;
        }
        b->buffer_type = MYSQL_TYPE_BLOB;
        b->buffer = r->aBuf[i].z;
        b->buffer_length = (unsigned long)r->aBuf[i].cap;
        break;
      }
    }
  }
  mysql_free_result(meta);
  mv_row_keys_init(&r->keys);
  {
    const char **azName = sqlite3_malloc64(sizeof(char*)*(size_t)(n ? n : 1));
    int rc = azName==0;
    for(i=0; !rc && i<n; i++) azName[i] = r->aCol[i].zName;
    rc = rc || mv_row_keys_set(&r->keys, n, azName);
    sqlite3_free(azName);
    if( rc ){
      *pzErr = sqlite3_mprintf("out of memory");
      return 1;
    }
  }
  if( mysql_stmt_bind_result(r->stmt, r->aBind) ){
    *pzErr = mv_error(SNAP_FN, t->zDb, t->zTbl, 0, "%s",
          mysql_stmt_error(r->stmt));
    return 1;
  }
  return 0;
}

/* The error of a failed prepare or execute of a statement on table t:
** "interrupted" when sqlite3_interrupt() stopped it, else the server's,
** named when it is a missing table or privilege. */
char *mv_reader_stmt_error(mv_conn *c, MYSQL_STMT *stmt, const SnapTable *t){
  unsigned e = mysql_stmt_errno(stmt);
  if( c->interrupted ){
    return mv_error(SNAP_FN, t->zDb, t->zTbl, 0, "interrupted");
  }
  if( mv_error_class(e)==MV_ERR_NO_TABLE ){
    return mv_error(SNAP_FN, 0, 0, 0, "no such table: %s.%s",
          t->zDb, t->zTbl);
  }
  if( mv_error_class(e)==MV_ERR_ACCESS ){
    return mv_error(SNAP_FN, 0, 0, 0, "no privilege to read %s.%s"
        " as %s (the agent needs SELECT): %s", t->zDb, t->zTbl, c->zLabel,
        mysql_stmt_error(stmt));
  }
  return mv_error(SNAP_FN, t->zDb, t->zTbl, 0, "MySQL error %u on %s: %s",
          e, c->zLabel, mysql_stmt_error(stmt));
}

/* Prepare zSql, bind aParam (nParam of them), execute, describe and bind
** the result. */
int mv_reader_open(mv_ctx *ctx, mv_conn *c, SnapReader *r,
                      const SnapTable *t, const char *zSql,
                      MYSQL_BIND *aParam, int nParam, char **pzErr){
  memset(r, 0, sizeof *r);
  mv_log_query(ctx, zSql);
  r->conn = c;
  r->stmt = mysql_stmt_init(c->mysql);
  if( r->stmt==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  if( mv_stmt_prepare(c, r->stmt, zSql) ){
    *pzErr = mv_reader_stmt_error(c, r->stmt, t);
    return 1;
  }
  if( nParam>0 && mysql_stmt_bind_param(r->stmt, aParam) ){
    *pzErr = mv_error(SNAP_FN, t->zDb, t->zTbl, 0, "%s",
          mysql_stmt_error(r->stmt));
    return 1;
  }
  if( mv_stmt_execute(c, r->stmt) ){
    *pzErr = mv_reader_stmt_error(c, r->stmt, t);
    return 1;
  }
  return mv_reader_setup(r, t, pzErr);
}

/* A value longer than its bound buffer: fetch the whole of it into the
** column's overflow buffer, in pieces. */
static int readerFetchLong(SnapReader *r, int i, char **pzErr){
  mv_buf *big = &r->aBig[i];
  unsigned long total = r->aLen[i];
  unsigned long have = r->aBind[i].buffer_length;
  unsigned long off;
  mv_buf_reset(big);
  if( mv_buf_reserve(big, total) ){
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "out of memory for a %lu-byte"
                             " value of column %s", total, r->aCol[i].zName);
    return 1;
  }
  memcpy(big->z, r->aBuf[i].z, have);
  for(off=have; off<total; ){
    MYSQL_BIND b;
    unsigned long piece = total - off;
    unsigned long len = 0;
    mv_bool isNull = 0, err = 0;
    if( piece>SNAP_PIECE ) piece = SNAP_PIECE;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_BLOB;
    b.buffer = big->z + off;
    b.buffer_length = piece;
    b.length = &len;
    b.is_null = &isNull;
    b.error = &err;
    if( mysql_stmt_fetch_column(r->stmt, &b, (unsigned)i, off) ){
      *pzErr = mv_error(SNAP_FN, 0, 0, 0, "cannot fetch column %s: %s",
          r->aCol[i].zName, mysql_stmt_error(r->stmt));
      return 1;
    }
    off += piece;
  }
  big->n = total;
  return 0;
}

/* Next row into r->aVal. Returns SQLITE_ROW, SQLITE_DONE, or an error
** with *pzErr set. */
static void readerTrim(SnapReader *r);
int mv_reader_step(SnapReader *r, const char *zWhat, char **pzErr){
  int rc, i;
  readerTrim(r);     /* the previous row's values are no longer used */
  rc = mv_stmt_fetch(r->conn, r->stmt);
  if( rc==MYSQL_NO_DATA ) return SQLITE_DONE;
  if( rc==1 ){
    /* a broken connection (KILL, restart) leaves its error on the
    ** connection, not on the statement */
    unsigned e = mysql_stmt_errno(r->stmt);
    const char *zMsg = mysql_stmt_error(r->stmt);
    if( r->conn->interrupted ){
      *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s: interrupted", zWhat);
      return SQLITE_ERROR;
    }
    if( e==0 ){
      e = mysql_errno(r->conn->mysql);
      zMsg = mysql_error(r->conn->mysql);
    }
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s: reading a row: MySQL error"
        " %u: %s", zWhat, e, e ? zMsg : "the connection was lost");
    return SQLITE_ERROR;
  }
  for(i=0; i<r->nCol; i++){
    SnapCol *col = &r->aCol[i];
    mv_value *v = &r->aVal[i];
    memset(v, 0, sizeof *v);
    if( r->aNull[i] ){ v->kind = MV_NULL; continue; }
    v->kind = col->kind;
    switch( col->rd ){
      case RD_INT:
        if( col->kind==MV_UINT ) v->v.u = (uint64_t)r->aNum[i].i;
        else v->v.i = (int64_t)r->aNum[i].i;
        break;
      case RD_FLOAT: v->v.f = r->aNum[i].f; break;
      case RD_DOUBLE: v->v.d = r->aNum[i].d; break;
      case RD_TIME: {
        MYSQL_TIME *t = &r->aNum[i].t;
        v->fsp = col->decimals;
        v->v.t.year = t->year; v->v.t.month = t->month; v->v.t.day = t->day;
        v->v.t.hour = t->hour; v->v.t.minute = t->minute;
        v->v.t.second = t->second; v->v.t.usec = (unsigned)t->second_part;
        if( col->kind==MV_TIME ){
          v->v.t.neg = t->neg ? 1 : 0;
          v->v.t.hour = t->hour + 24*t->day;
          v->v.t.year = v->v.t.month = v->v.t.day = 0;
        }
        break;
      }
      default: {
        const char *p;
        size_t n = r->aLen[i];
        if( n > r->aBind[i].buffer_length ){
          if( readerFetchLong(r, i, pzErr) ) return SQLITE_ERROR;
          p = r->aBig[i].z;
        }else{
          p = r->aBuf[i].z;
        }
        if( col->kind==MV_UINT ){          /* BIT: big-endian bytes */
          uint64_t u = 0;
          size_t k;
          for(k=0; k<n && k<8; k++) u = (u<<8) | (unsigned char)p[k];
          v->v.u = u;
        }else{
          v->charset = col->charset;
          v->v.s.p = p;
          v->v.s.n = n;
        }
        break;
      }
    }
  }
  return SQLITE_ROW;
}

/* Release memory that one huge value made the overflow buffers grow to,
** so that a table with one big BLOB does not keep it for every row. */
static void readerTrim(SnapReader *r){
  int i;
  for(i=0; i<r->nCol; i++){
    if( r->aBig[i].cap > 4*SNAP_PIECE ) mv_buf_free(&r->aBig[i]);
  }
}
