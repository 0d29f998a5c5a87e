/*
** mirror.c — mysql_mirror(src [, local [, dsn]]): keep local SQLite tables
** equal to MySQL tables.
**
**   SELECT mysql_mirror('shop.orders', 'orders');   -- one table
**   SELECT mysql_mirror('shop.%');                  -- every table of shop,
**                                                   -- same names in main
**   SELECT mysql_mirror('shop.orders, shop.items', 'shop_%');
**
** src is anything mysql_snapshot takes (a table, a list, `db.%`); local a
** table name or, with a `%`, a template in which `%` stands for the source
** table's name (default '%'). The tables of one call are one mirror set:
**
** The first call creates the local tables in the main database with the
** sources' columns (SQLite types as the typed mysql_snapshot has them) and
** primary keys, and fills them from ONE consistent snapshot of all of them
** (START TRANSACTION WITH CONSISTENT SNAPSHOT), whose binlog position
** becomes the set's position. Each later call reads the binlog once, from
** the set's position to the end of the log as it stands, and applies the
** rows of the set's tables in binlog order (insert and update as "delete
** the before-image's key if it changed, then INSERT OR REPLACE the
** after-image", delete as delete). Values go from the decoder straight to
** sqlite3_bind_* with the type table's mapping (mv_sq_value), as the typed
** mysql_snapshot returns them (a JSON column's JSON null is SQL NULL): no
** JSON text in between.
**
** Transactions: each MySQL transaction is applied whole or not at all,
** inside a savepoint. Outside a user transaction the call commits whole
** MySQL transactions in batches (MIRROR_BATCH_ROWS changes or
** MIRROR_BATCH_MS), each commit recording the set's position (the
** next_pos of its last commit, and its GTID) with the data: a reader of
** the file never sees part of a MySQL transaction, and a killed call
** resumes from the last batch. Inside a user transaction everything is the
** user's (a ROLLBACK undoes data and position together). A transaction
** still open at the end of the log is left for the next call. The result is
** the number of row changes applied (on the first call, rows copied).
**
** State (README "Keep a local replica"):
**   main.mysql_mirror_sets   one row per set: name, src, local, pos, gtid,
**                            snapshot_pos, applied, last_ts, lag_s, updated
**   main.mysql_mirror_state  one row per table: local_tbl, src, pos (the
**                            set's, written in the same commit),
**                            snapshot_pos, columns, pk, applied, updated,
**                            set_name, resync_pos
** A set is named by its local argument when that is one table name, else
** "src -> local". A state table of the one-table mirror (no set_name) is
** migrated on first use: each row becomes a set of its own.
**
** Schema changes: a DDL statement on a table of the set (ALTER, TRUNCATE,
** DROP and CREATE, ...) is followed by copying that table afresh from a
** snapshot of its own, after the changes before it are committed; its rows
** before that snapshot's position (resync_pos) are skipped, the other
** tables go on. A DROP takes the table out of the set; a CREATE TABLE that
** the set's pattern names joins it; a RENAME renames the local table when
** the set's template still names it (else the table leaves the set, or
** joins it). What cannot be followed stops the set just before the
** statement, with an error naming it. A row image whose columns
** are not the recorded ones (a change the stream did not show as DDL)
** stops it before its transaction: never a wrong column.
*/
#include "mysqlvtab.h"
#include "changes.h"
#include "schema.h"
#include "snapshot.h"
#include "pure/types.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIRROR_BATCH_ROWS 20000   /* changes per commit, at most (roughly) */
#define MIRROR_BATCH_MS   500     /* or this long since the last commit */

/* One mirrored table. */
typedef struct mtable {
  char *zLocal;          /* local table name */
  char *zDb, *zTbl;      /* source */
  int nCol;
  char **azCol;          /* column names */
  int *aKind;            /* MV_SQ_* per column (pure/types.h) */
  int nPk;
  int *aPk;              /* column index of each primary-key part */
  char **azJson;         /* MariaDB JSON columns (for the snapshot reader) */
  int nJson;
  sqlite3_stmt *pUpsert;    /* INSERT OR REPLACE INTO local VALUES(?...) */
  sqlite3_stmt *pDelete;    /* DELETE FROM local WHERE pk=? ... */
  sqlite3_int64 nTxn;       /* changes in the open MySQL transaction */
  sqlite3_int64 nBatch;     /* changes since the last recorded commit */
  int gone;                 /* the source table is no more: left the set */
  int hasSkip;              /* re-snapshotted at zSkipFile:skipOff: its */
  char zSkipFile[MVS_NAME_MAX];  /* rows before that are in the copy */
  uint64_t skipOff;
  /* event columns -> local columns, for one mvb_table naming */
  mvb_table *tMap;
  uint64_t mapGen;
  int mapOk;
  int *aMap;                /* aMap[local col] = event col */
} mtable;

typedef struct mirror {
  sqlite3 *db;
  mv_ctx *ctx;
  char *zSet;               /* the set's name */
  char *zSrc, *zLocal;      /* the set's arguments: tables, local template */
  const char *zDsnArg;
  int nTab;
  mtable *aTab;
  mtable *pLast;            /* the table of the last row (a cache) */
  mv_buf *aBuf;             /* per bound parameter: text scratch */
  int nBuf;
  int autocommit;           /* the call commits its own batches */
  int nResync;              /* tables copied afresh by this call */
  char *zErr;               /* first error */
} mirror;

/* Forget what t's columns were (before reading them again). */
static void tableForgetColumns(mtable *t){
  int i;
  for(i=0; i<t->nCol; i++) sqlite3_free(t->azCol[i]);
  for(i=0; i<t->nJson; i++) sqlite3_free(t->azJson[i]);
  sqlite3_free(t->azCol); sqlite3_free(t->azJson);
  sqlite3_free(t->aKind); sqlite3_free(t->aPk); sqlite3_free(t->aMap);
  sqlite3_finalize(t->pUpsert); sqlite3_finalize(t->pDelete);
  t->azCol = t->azJson = 0;
  t->aKind = t->aPk = t->aMap = 0;
  t->pUpsert = t->pDelete = 0;
  t->nCol = t->nJson = t->nPk = 0;
  t->tMap = 0;
  t->mapGen = 0;
}

static void tableClear(mtable *t){
  tableForgetColumns(t);
  sqlite3_free(t->zLocal);
  sqlite3_free(t->zDb);
  sqlite3_free(t->zTbl);
  memset(t, 0, sizeof *t);
}

static void mirrorClear(mirror *m){
  int i;
  for(i=0; i<m->nTab; i++) tableClear(&m->aTab[i]);
  sqlite3_free(m->aTab);
  for(i=0; i<m->nBuf; i++) mv_buf_free(&m->aBuf[i]);
  sqlite3_free(m->aBuf);
  sqlite3_free(m->zSet);
  sqlite3_free(m->zSrc);
  sqlite3_free(m->zLocal);
  sqlite3_free(m->zErr);
  memset(m, 0, sizeof *m);
}

/* Set the error (first one wins); returns 1 for "return mirrorErr(...)". */
static int mirrorErr(mirror *m, const char *zFmt, ...){
  va_list ap;
  if( m->zErr==0 ){
    va_start(ap, zFmt);
    m->zErr = sqlite3_vmprintf(zFmt, ap);
    va_end(ap);
    if( m->zErr==0 ) m->zErr = sqlite3_mprintf("out of memory");
  }
  return 1;
}

/* Run SQL with no result on the local db. */
static int mirrorExec(mirror *m, const char *zSql){
  char *zMsg = 0;
  if( sqlite3_exec(m->db, zSql, 0, 0, &zMsg)!=SQLITE_OK ){
    mirrorErr(m, "%s", zMsg ? zMsg : sqlite3_errmsg(m->db));
    sqlite3_free(zMsg);
    return 1;
  }
  return 0;
}

static sqlite3_int64 nowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* A new table of the set (zeroed); NULL when out of memory. */
static mtable *mirrorAddTable(mirror *m){
  mtable *a = sqlite3_realloc64(m->aTab, sizeof(mtable)*(size_t)(m->nTab+1));
  if( a==0 ){ mirrorErr(m, "out of memory"); return 0; }
  m->aTab = a;
  m->pLast = 0;
  memset(&a[m->nTab], 0, sizeof(mtable));
  return &a[m->nTab++];
}

static int tableAddCol(mirror *m, mtable *t, const char *zName, int kind){
  char **az = sqlite3_realloc64(t->azCol, (t->nCol+1)*sizeof(char*));
  int *ak;
  if( az==0 ) return mirrorErr(m, "out of memory");
  t->azCol = az;
  ak = sqlite3_realloc64(t->aKind, (t->nCol+1)*sizeof(int));
  if( ak==0 ) return mirrorErr(m, "out of memory");
  t->aKind = ak;
  t->azCol[t->nCol] = sqlite3_mprintf("%s", zName);
  t->aKind[t->nCol] = kind;
  if( t->azCol[t->nCol]==0 ) return mirrorErr(m, "out of memory");
  t->nCol++;
  return 0;
}

static int tableAddPk(mirror *m, mtable *t, const char *zName){
  int i;
  int *a;
  for(i=0; i<t->nCol && strcmp(t->azCol[i], zName)!=0; i++){}
  if( i>=t->nCol ){
    return mirrorErr(m, "primary-key column %s of %s.%s is not among its"
                     " columns", zName, t->zDb, t->zTbl);
  }
  a = sqlite3_realloc64(t->aPk, (t->nPk+1)*sizeof(int));
  if( a==0 ) return mirrorErr(m, "out of memory");
  t->aPk = a;
  t->aPk[t->nPk++] = i;
  return 0;
}

/* Learn t's columns (with their classes and MariaDB's JSON columns) and
** primary key from MySQL; t->zDb and t->zTbl are set. Plain one-table
** information_schema queries: MariaDB 10.11 has crashed on correlated
** subqueries across COLUMNS, TABLES and STATISTICS. */
static int tableLoadSource(mirror *m, mtable *t, const char *zDsn){
  static const char zWhat[] = "reading the source's definition";
  mv_conn *c;
  char *zErr = 0, *zSql = 0, *zDbLit = 0, *zTblLit = 0;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char **azPk = 0;
  int nPkSlot = 0;
  int rc = 1, nPk = 0, i;
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  zDbLit = mv_literal(c->mysql, t->zDb);
  zTblLit = mv_literal(c->mysql, t->zTbl);
  if( zDbLit==0 || zTblLit==0 ){ mirrorErr(m, "out of memory"); goto done; }

  /* The engine: a consistent snapshot needs InnoDB. */
  zSql = sqlite3_mprintf("SELECT ENGINE FROM information_schema.TABLES"
      " WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s", zDbLit, zTblLit);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  row = mysql_fetch_row(res);
  if( row==0 ){
    mirrorErr(m, "no such table %s.%s (or the user cannot see it)", t->zDb, t->zTbl);
    t->gone = 1;
    goto done;
  }
  if( row[0]==0 || sqlite3_stricmp(row[0], "InnoDB")!=0 ){
    mirrorErr(m, "%s.%s is %s: a mirror needs an InnoDB table (a"
                 " consistent snapshot)", t->zDb, t->zTbl,
                 row[0] ? row[0] : "a view");
    goto done;
  }
  mysql_free_result(res);
  res = 0;

  /* The primary key's columns, in key order. */
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT COLUMN_NAME, SEQ_IN_INDEX FROM"
      " information_schema.STATISTICS WHERE TABLE_SCHEMA=%s AND"
      " TABLE_NAME=%s AND INDEX_NAME='PRIMARY'", zDbLit, zTblLit);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  nPkSlot = (int)mysql_num_rows(res);
  azPk = sqlite3_malloc64((nPkSlot+1)*sizeof(char*));
  if( azPk==0 ){ mirrorErr(m, "out of memory"); goto done; }
  memset(azPk, 0, (nPkSlot+1)*sizeof(char*));
  while( (row = mysql_fetch_row(res))!=0 ){
    int k = row[1] ? atoi(row[1]) : 0;
    if( k>=1 && k<=nPkSlot && azPk[k-1]==0 ){
      azPk[k-1] = sqlite3_mprintf("%s", row[0] ? row[0] : "");
      nPk++;
    }
  }
  mysql_free_result(res);
  res = 0;

  /* The columns, in table order, with MariaDB's JSON columns (a LONGTEXT
  ** with a json_valid() check), as the change stream learns them. */
  mv_conn_release(m->ctx, c);
  c = 0;
  {
    mv_schema *sc = mv_schema_new(m->ctx, zDsn, 0, 0);
    const mvb_colinfo *aCol = 0;
    int nCol = sc ? mv_schema_columns(sc, t->zDb, t->zTbl, &aCol, &zErr) : -1;
    if( sc==0 ) mirrorErr(m, "out of memory");
    for(i=0; i<nCol; i++){
      mv_coltype ct;
      const char *zName = aCol[i].name ? aCol[i].name : "";
      mv_type_from_name(aCol[i].data_type, aCol[i].column_type,
                        aCol[i].is_json, &ct);
      if( tableAddCol(m, t, zName, ct.sq) ) break;
      if( aCol[i].is_json ){
        char **az = sqlite3_realloc64(t->azJson, (t->nJson+1)*sizeof(char*));
        if( az==0 ){ mirrorErr(m, "out of memory"); break; }
        t->azJson = az;
        if( (az[t->nJson] = sqlite3_mprintf("%s", zName))==0 ){
          mirrorErr(m, "out of memory");
          break;
        }
        t->nJson++;
      }
    }
    mv_schema_free(sc);
    if( nCol<0 ) goto done;
  }
  for(i=0; i<nPkSlot && m->zErr==0; i++){
    if( azPk[i]==0 ){ mirrorErr(m, "primary key of %s.%s: a gap", t->zDb, t->zTbl); break; }
    tableAddPk(m, t, azPk[i]);
  }
  if( m->zErr ) goto done;
  if( t->nCol==0 ){
    mirrorErr(m, "no such table %s.%s (or the user cannot see it)", t->zDb, t->zTbl);
    goto done;
  }
  if( nPk==0 ){
    mirrorErr(m, "%s.%s has no primary key: a mirror applies changes by key;"
                 " run ALTER TABLE `%s`.`%s` ADD PRIMARY KEY (...)",
                 t->zDb, t->zTbl, t->zDb, t->zTbl);
    goto done;
  }
  rc = 0;
done:
  if( res ) mysql_free_result(res);
  if( zErr ){ mirrorErr(m, "%s", zErr); sqlite3_free(zErr); }
  if( azPk ){
    for(i=0; i<nPkSlot; i++) sqlite3_free(azPk[i]);
    sqlite3_free(azPk);
  }
  sqlite3_free(zSql);
  sqlite3_free(zDbLit);
  sqlite3_free(zTblLit);
  mv_conn_release(m->ctx, c);
  return rc || m->zErr!=0;
}

/* The write statements of t, and scratch buffers for its parameters. */
static int tablePrepare(mirror *m, mtable *t){
  sqlite3_str *aS[2];
  int i, j, rc = SQLITE_OK;
  if( t->nCol>m->nBuf ){
    mv_buf *a = sqlite3_realloc64(m->aBuf, sizeof(mv_buf)*(size_t)t->nCol);
    if( a==0 ) return mirrorErr(m, "out of memory");
    m->aBuf = a;
    for(i=m->nBuf; i<t->nCol; i++) mv_buf_init(&a[i]);
    m->nBuf = t->nCol;
  }
  t->aMap = sqlite3_malloc64(sizeof(int)*(size_t)(t->nCol+1));
  if( t->aMap==0 ) return mirrorErr(m, "out of memory");
  aS[0] = sqlite3_str_new(m->db);
  sqlite3_str_appendf(aS[0], "INSERT OR REPLACE INTO main.\"%w\" VALUES(", t->zLocal);
  for(i=0; i<t->nCol; i++) sqlite3_str_appendf(aS[0], "%s?%d", i ? "," : "", i+1);
  sqlite3_str_appendall(aS[0], ")");
  aS[1] = sqlite3_str_new(m->db);
  sqlite3_str_appendf(aS[1], "DELETE FROM main.\"%w\" WHERE ", t->zLocal);
  for(i=0; i<t->nPk; i++){
    sqlite3_str_appendf(aS[1], "%s\"%w\"=?%d", i ? " AND " : "",
                        t->azCol[t->aPk[i]], i+1);
  }
  for(j=0; j<2; j++){
    char *z = sqlite3_str_finish(aS[j]);
    sqlite3_stmt **pp = j==0 ? &t->pUpsert : &t->pDelete;
    if( z==0 ){ rc = SQLITE_NOMEM; continue; }
    if( rc==SQLITE_OK ) rc = sqlite3_prepare_v3(m->db, z, -1,
                                 SQLITE_PREPARE_PERSISTENT, pp, 0);
    sqlite3_free(z);
  }
  if( rc!=SQLITE_OK ){
    return mirrorErr(m, "preparing the statements of %s: %s", t->zLocal,
                     rc==SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(m->db));
  }
  return 0;
}

/* Bind value v of column iCol of t to parameter iParam of p (scratch b):
** the typed snapshot's mapping (mv_sq_value); a JSON column's JSON null
** is SQL NULL. */
static int bindValue(mirror *m, mtable *t, int iCol, sqlite3_stmt *p,
                     int iParam, const mv_value *v, mv_buf *b,
                     sqlite3_destructor_type xDel){
  mv_sqval q;
  int rc;
  if( v->kind==MV_ABSENT ){
    return mirrorErr(m, "%s.%s: a row image without column %s"
                     " (binlog_row_image=MINIMAL or NOBLOB): a mirror needs"
                     " binlog_row_image=FULL", t->zDb, t->zTbl, t->azCol[iCol]);
  }
  mv_sq_value(v, b, &q);
  if( t->aKind[iCol]==MV_SQ_JSON && q.type==MV_SQV_TEXT && q.n==4
   && memcmp(q.p, "null", 4)==0 ){
    q.type = MV_SQV_NULL;     /* row images cannot tell it from SQL NULL */
  }
  if( b->oom ) return mirrorErr(m, "out of memory");
  switch( q.type ){
    case MV_SQV_INT: rc = sqlite3_bind_int64(p, iParam, q.i); break;
    case MV_SQV_REAL: rc = sqlite3_bind_double(p, iParam, q.d); break;
    case MV_SQV_TEXT:
      rc = sqlite3_bind_text64(p, iParam, q.n ? q.p : "", q.n, xDel,
                               SQLITE_UTF8);
      break;
    case MV_SQV_BLOB:
      rc = sqlite3_bind_blob64(p, iParam, q.n ? q.p : "", q.n, xDel);
      break;
    default: rc = sqlite3_bind_null(p, iParam); break;
  }
  return rc==SQLITE_OK ? 0 : mirrorErr(m, "binding %s: %s", t->azCol[iCol],
                                       sqlite3_errmsg(m->db));
}

static int stepWrite(mirror *m, mtable *t, sqlite3_stmt *p){
  int rc = sqlite3_step(p);
  sqlite3_reset(p);
  if( rc!=SQLITE_DONE ){
    return mirrorErr(m, "writing to %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  return 0;
}

/* Insert or replace a row; aMap maps local columns to aVal's (NULL: same). */
static int tableUpsert(mirror *m, mtable *t, const mv_value *aVal,
                       const int *aMap){
  int i;
  for(i=0; i<t->nCol; i++){
    if( bindValue(m, t, i, t->pUpsert, i+1, &aVal[aMap ? aMap[i] : i],
                  &m->aBuf[i], SQLITE_STATIC) ) return 1;
  }
  return stepWrite(m, t, t->pUpsert);
}

static int tableDelete(mirror *m, mtable *t, const mv_value *aVal,
                       const int *aMap){
  int i;
  for(i=0; i<t->nPk; i++){
    int k = t->aPk[i];
    if( bindValue(m, t, k, t->pDelete, i+1, &aVal[aMap ? aMap[k] : k],
                  &m->aBuf[i], SQLITE_STATIC) ) return 1;
  }
  return stepWrite(m, t, t->pDelete);
}

/* Do two values of a key hold the same? (A changed key needs the old row
** deleted; an unchanged one is replaced by INSERT OR REPLACE alone.) */
static int sameValue(const mv_value *a, const mv_value *b){
  if( a->kind!=b->kind ) return 0;
  switch( a->kind ){
    case MV_INT: return a->v.i==b->v.i;
    case MV_UINT: return a->v.u==b->v.u;
    case MV_TEXT: case MV_BYTES: case MV_DECIMAL: case MV_JSON:
      return a->v.s.n==b->v.s.n
          && (a->v.s.n==0 || memcmp(a->v.s.p, b->v.s.p, a->v.s.n)==0);
    default: return 0;     /* rare key types: delete and insert */
  }
}

/* The local columns of event table et: 1 when every recorded column is
** there (by name; by position when the decoder has no names, "@1"...),
** 0 when the table was altered. Cached per naming of et. */
static int tableMap(mtable *t, mvb_table *et){
  int i, j;
  if( et==t->tMap && et->names_gen!=0 && et->names_gen==t->mapGen ){
    return t->mapOk;
  }
  t->tMap = et;
  t->mapGen = et->names_gen;
  t->mapOk = 0;
  if( et->ncol!=t->nCol ) return 0;
  if( et->ncol>0 && strcmp(et->names[0], "@1")==0 && strcmp(t->azCol[0], "@1")!=0 ){
    for(i=0; i<t->nCol; i++) t->aMap[i] = i;
  }else{
    for(i=0; i<t->nCol; i++){
      for(j=0; j<et->ncol && strcmp(et->names[j], t->azCol[i])!=0; j++){}
      if( j>=et->ncol ) return 0;
      t->aMap[i] = j;
    }
  }
  t->mapOk = 1;
  return 1;
}

/* The set's table of rows of db.tbl, or NULL. */
static mtable *mirrorFind(mirror *m, const char *zDb, size_t nDb,
                          const char *zTbl, size_t nTbl){
  int i;
  mtable *t = m->pLast;
  if( t && strlen(t->zTbl)==nTbl && memcmp(t->zTbl, zTbl, nTbl)==0
   && strlen(t->zDb)==nDb && memcmp(t->zDb, zDb, nDb)==0 ) return t;
  for(i=0; i<m->nTab; i++){
    t = &m->aTab[i];
    if( t->gone ) continue;
    if( strlen(t->zTbl)==nTbl && memcmp(t->zTbl, zTbl, nTbl)==0
     && strlen(t->zDb)==nDb && memcmp(t->zDb, zDb, nDb)==0 ){
      m->pLast = t;
      return t;
    }
  }
  return 0;
}

/* mvs_want_fn: rows of the set's tables only are decoded. */
static int mirrorWants(void *pArg, const char *zDb, size_t nDb,
                       const char *zTbl, size_t nTbl){
  if( zDb==0 || zTbl==0 ) return 0;
  return mirrorFind((mirror*)pArg, zDb, nDb, zTbl, nTbl)!=0;
}

/* Columns and kinds as JSON for the state row. */
static char *tableColumnsJson(mtable *t, int pkOnly){
  sqlite3_str *s = sqlite3_str_new(0);
  int i, n = pkOnly ? t->nPk : t->nCol;
  sqlite3_str_appendchar(s, 1, '[');
  for(i=0; i<n; i++){
    int k = pkOnly ? t->aPk[i] : i;
    const char *z = t->azCol[k];
    if( i ) sqlite3_str_appendchar(s, 1, ',');
    if( !pkOnly ) sqlite3_str_appendchar(s, 1, '[');
    sqlite3_str_appendchar(s, 1, '"');
    for(; *z; z++){
      if( *z=='"' || *z=='\\' ) sqlite3_str_appendf(s, "\\%c", *z);
      else if( (unsigned char)*z<0x20 ) sqlite3_str_appendf(s, "\\u%04x", *z);
      else sqlite3_str_appendchar(s, 1, *z);
    }
    sqlite3_str_appendchar(s, 1, '"');
    if( !pkOnly ) sqlite3_str_appendf(s, ",\"%s\"]", mv_sq_name(t->aKind[k]));
  }
  sqlite3_str_appendchar(s, 1, ']');
  return sqlite3_str_finish(s);
}

/* ---- the state tables ---- */

/* Create the state tables, or migrate the one-table mirror's. */
static int mirrorStateSetup(mirror *m){
  sqlite3_stmt *p = 0;
  int hasState = 0, hasSetName = 0, hasResync = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT name FROM"
        " pragma_table_info('mysql_mirror_state', 'main')", -1, &p, 0)!=SQLITE_OK ){
    return mirrorErr(m, "%s", sqlite3_errmsg(m->db));
  }
  while( sqlite3_step(p)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(p, 0);
    hasState = 1;
    if( z && strcmp(z, "set_name")==0 ) hasSetName = 1;
    if( z && strcmp(z, "resync_pos")==0 ) hasResync = 1;
  }
  sqlite3_finalize(p);
  if( mirrorExec(m,
      "CREATE TABLE IF NOT EXISTS main.mysql_mirror_sets("
      "name TEXT PRIMARY KEY, src TEXT NOT NULL, local TEXT NOT NULL,"
      " pos TEXT NOT NULL, gtid TEXT, snapshot_pos TEXT,"
      " applied INTEGER NOT NULL DEFAULT 0, last_ts INTEGER, lag_s INTEGER,"
      " updated TEXT)") ) return 1;
  if( !hasState ){
    return mirrorExec(m,
      "CREATE TABLE main.mysql_mirror_state("
      "local_tbl TEXT PRIMARY KEY, src TEXT NOT NULL, pos TEXT NOT NULL,"
      " snapshot_pos TEXT, columns TEXT NOT NULL, pk TEXT NOT NULL,"
      " applied INTEGER NOT NULL DEFAULT 0, updated TEXT, set_name TEXT,"
      " resync_pos TEXT)");
  }
  if( !hasResync && mirrorExec(m,
      "ALTER TABLE main.mysql_mirror_state ADD COLUMN resync_pos TEXT") ){
    return 1;
  }
  if( hasSetName ) return 0;
  /* The one-table mirror's state: each mirror becomes a set of its own. */
  return mirrorExec(m,
      "ALTER TABLE main.mysql_mirror_state ADD COLUMN set_name TEXT;"
      "UPDATE main.mysql_mirror_state SET set_name=local_tbl;"
      "INSERT OR IGNORE INTO main.mysql_mirror_sets(name, src, local, pos,"
      " snapshot_pos, applied, updated) SELECT local_tbl, src, local_tbl, pos,"
      " snapshot_pos, applied, updated FROM main.mysql_mirror_state");
}

/* Load the set's tables from the state (columns as recorded at the
** snapshot) and prepare them. */
static int mirrorLoadState(mirror *m){
  sqlite3_stmt *p = 0, *pCol = 0, *pPk = 0;
  int rc = sqlite3_prepare_v2(m->db,
      "SELECT local_tbl, src, columns, pk,"
      " EXISTS(SELECT 1 FROM main.sqlite_schema WHERE type='table'"
      "        AND name=local_tbl), resync_pos"
      " FROM main.mysql_mirror_state WHERE set_name=?1 ORDER BY rowid", -1, &p, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db, "SELECT json_extract(value, '$[0]'),"
        " json_extract(value, '$[1]') FROM json_each(?1)", -1, &pCol, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db, "SELECT value FROM json_each(?1)", -1, &pPk, 0);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_finalize(p);
    sqlite3_finalize(pCol);
    return mirrorErr(m, "%s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
  while( m->zErr==0 && sqlite3_step(p)==SQLITE_ROW ){
    const char *zLocal = (const char*)sqlite3_column_text(p, 0);
    const char *zSrc = (const char*)sqlite3_column_text(p, 1);
    const char *zDot = zSrc ? strchr(zSrc, '.') : 0;
    mtable *t;
    if( sqlite3_column_int(p, 4)==0 ){
      mirrorErr(m, "the mirror table %s is gone; DELETE FROM mysql_mirror_state"
                   " WHERE local_tbl='%q' to start over", zLocal, zLocal);
      break;
    }
    if( zDot==0 ){ mirrorErr(m, "bad src '%s' in mysql_mirror_state", zSrc); break; }
    if( (t = mirrorAddTable(m))==0 ) break;
    t->zLocal = sqlite3_mprintf("%s", zLocal);
    t->zDb = sqlite3_mprintf("%.*s", (int)(zDot - zSrc), zSrc);
    t->zTbl = sqlite3_mprintf("%s", zDot + 1);
    if( t->zLocal==0 || t->zDb==0 || t->zTbl==0 ){ mirrorErr(m, "out of memory"); break; }
    sqlite3_bind_text(pCol, 1, (const char*)sqlite3_column_text(p, 2), -1, SQLITE_TRANSIENT);
    while( sqlite3_step(pCol)==SQLITE_ROW ){
      const char *zName = (const char*)sqlite3_column_text(pCol, 0);
      int k = mv_sq_from_name((const char*)sqlite3_column_text(pCol, 1));
      if( zName==0 || k<0 ){ mirrorErr(m, "bad columns in mysql_mirror_state for %s", zLocal); break; }
      if( tableAddCol(m, t, zName, k) ) break;
    }
    sqlite3_reset(pCol);
    if( m->zErr ) break;
    sqlite3_bind_text(pPk, 1, (const char*)sqlite3_column_text(p, 3), -1, SQLITE_TRANSIENT);
    while( sqlite3_step(pPk)==SQLITE_ROW ){
      if( tableAddPk(m, t, (const char*)sqlite3_column_text(pPk, 0)) ) break;
    }
    sqlite3_reset(pPk);
    if( m->zErr ) break;
    if( t->nCol==0 || t->nPk==0 ){
      mirrorErr(m, "bad columns in mysql_mirror_state for %s", zLocal);
      break;
    }
    if( sqlite3_column_type(p, 5)!=SQLITE_NULL ){
      t->hasSkip = mvs_parse_pos((const char*)sqlite3_column_text(p, 5),
                                 t->zSkipFile, sizeof t->zSkipFile,
                                 &t->skipOff)==0;
    }
    tablePrepare(m, t);
  }
  sqlite3_finalize(p);
  sqlite3_finalize(pCol);
  sqlite3_finalize(pPk);
  if( m->zErr==0 && m->nTab==0 ) mirrorErr(m, "set %s has no tables", m->zSet);
  return m->zErr!=0;
}

/* Record the position of the last applied commit (the set and each of
** its tables), with the changes since the last record. */
static int mirrorRecord(mirror *m, const char *zPos, const char *zGtid,
                        sqlite3_int64 lastTs, sqlite3_int64 nApplied,
                        sqlite3_int64 lagS){
  sqlite3_stmt *p = 0;
  int i, rc = sqlite3_prepare_v2(m->db,
      "UPDATE main.mysql_mirror_sets SET pos=?1, gtid=coalesce(?2, gtid),"
      " applied=applied+?3, last_ts=coalesce(?4, last_ts),"
      " lag_s=coalesce(?5, lag_s),"
      " updated=CASE WHEN ?3>0 THEN strftime('%Y-%m-%d %H:%M:%S', 'now')"
      " ELSE updated END WHERE name=?6", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, zPos, -1, SQLITE_STATIC);
    if( zGtid && zGtid[0] ) sqlite3_bind_text(p, 2, zGtid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 3, nApplied);
    if( lastTs>0 ) sqlite3_bind_int64(p, 4, lastTs);
    if( lagS>=0 ) sqlite3_bind_int64(p, 5, lagS);
    sqlite3_bind_text(p, 6, m->zSet, -1, SQLITE_STATIC);
    rc = sqlite3_step(p)==SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(p);
  p = 0;
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db,
        "UPDATE main.mysql_mirror_state SET pos=?1, applied=applied+?2,"
        " updated=CASE WHEN ?2>0 THEN strftime('%Y-%m-%d %H:%M:%S', 'now')"
        " ELSE updated END WHERE local_tbl=?3", -1, &p, 0);
  }
  for(i=0; rc==SQLITE_OK && i<m->nTab; i++){
    sqlite3_bind_text(p, 1, zPos, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 2, m->aTab[i].nBatch);
    sqlite3_bind_text(p, 3, m->aTab[i].zLocal, -1, SQLITE_STATIC);
    rc = sqlite3_step(p)==SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(p);
    m->aTab[i].nBatch = 0;
  }
  sqlite3_finalize(p);
  if( rc!=SQLITE_OK ) return mirrorErr(m, "recording the position: %s", sqlite3_errmsg(m->db));
  return 0;
}

/* ---- the first call ---- */

/* `db`.`tbl` (backticks doubled) for a table argument, so that a name
** holding a dot or a backtick means that one table. */
static char *quotedName(const char *zDb, const char *zTbl){
  sqlite3_str *s = sqlite3_str_new(0);
  mv_quote_ident(s, zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, zTbl);
  return sqlite3_str_finish(s);
}

/* zTemplate with each % replaced by zName. */
static char *expandLocal(const char *zTemplate, const char *zName){
  sqlite3_str *s = sqlite3_str_new(0);
  const char *z;
  for(z=zTemplate; *z; z++){
    if( *z=='%' ) sqlite3_str_appendall(s, zName);
    else sqlite3_str_appendchar(s, 1, *z);
  }
  return sqlite3_str_finish(s);
}

/* The tables src names, each with its local name, checked and with its
** columns. */
static int mirrorResolve(mirror *m, const char *zSrc, const char *zLocal,
                         const char *zDsn){
  mv_tblname *aName = 0;
  int nName = 0, i, j;
  char *zErr = 0;
  int isTemplate = strchr(zLocal, '%')!=0;
  if( mv_tblarg_parse("mysql_mirror", zSrc, &aName, &nName, &zErr) ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  if( !isTemplate && (nName!=1 || aName[0].isPattern) ){
    mirrorErr(m, "'%s' names %s: the local argument must be a template"
                 " with %% (e.g. '%%' or 'copy_%%'), not '%s'", zSrc,
                 nName!=1 ? "several tables" : "a pattern", zLocal);
    mv_tblarg_free(aName, nName);
    return 1;
  }
  if( nName==1 && !aName[0].isPattern ){
    /* one table: checked as the one-table mirror always did */
    mtable *t = mirrorAddTable(m);
    mv_conn *c = 0;
    if( t && aName[0].zDb ){
      t->zDb = sqlite3_mprintf("%s", aName[0].zDb);
    }else if( t ){
      MYSQL_RES *res;
      MYSQL_ROW row;
      c = mv_conn_get(m->ctx, zDsn, &zErr);
      res = c ? mv_query(m->ctx, c, "SELECT DATABASE()",
                         "reading the source's definition", &zErr) : 0;
      row = res ? mysql_fetch_row(res) : 0;
      if( row && row[0] ) t->zDb = sqlite3_mprintf("%s", row[0]);
      else if( res ){
        mirrorErr(m, "no schema for '%s': write db.%s or set database= in the"
                     " DSN", zSrc, zSrc);
      }
      if( res ) mysql_free_result(res);
      mv_conn_release(m->ctx, c);
    }
    if( t && m->zErr==0 && zErr==0 ){
      t->zTbl = sqlite3_mprintf("%s", aName[0].zTbl);
      t->zLocal = isTemplate ? expandLocal(zLocal, aName[0].zTbl)
                             : sqlite3_mprintf("%s", zLocal);
      if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ) mirrorErr(m, "out of memory");
      else tableLoadSource(m, t, zDsn);
    }
  }else{
    /* a list or a pattern: the tables as mysql_snapshot resolves them */
    SnapTable *aTab = 0;
    int nTab = 0;
    mv_conn *c = mv_conn_get(m->ctx, zDsn, &zErr);
    if( c && mv_snap_resolve(m->ctx, c, zSrc, 1, &aTab, &nTab, &zErr)==0 ){
      for(i=0; i<nTab && m->zErr==0; i++){
        mtable *t = mirrorAddTable(m);
        if( t==0 ) break;
        t->zDb = sqlite3_mprintf("%s", aTab[i].zDb);
        t->zTbl = sqlite3_mprintf("%s", aTab[i].zTbl);
        t->zLocal = expandLocal(zLocal, aTab[i].zTbl);
        if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ){ mirrorErr(m, "out of memory"); break; }
      }
      if( nTab==0 ) mirrorErr(m, "'%s' names no table", zSrc);
    }
    mv_snaptables_free(aTab, nTab);
    mv_conn_release(m->ctx, c);
    for(i=0; i<m->nTab && m->zErr==0 && zErr==0; i++){
      tableLoadSource(m, &m->aTab[i], zDsn);
    }
  }
  mv_tblarg_free(aName, nName);
  if( zErr ){
    /* mysql_snapshot's message, as the mirror's */
    const char *z = strncmp(zErr, "mysql_snapshot: ", 16)==0 ? zErr + 16 : zErr;
    mirrorErr(m, "%s", z);
    sqlite3_free(zErr);
  }
  for(i=0; i<m->nTab && m->zErr==0; i++){
    for(j=0; j<i; j++){
      if( sqlite3_stricmp(m->aTab[i].zLocal, m->aTab[j].zLocal)==0 ){
        mirrorErr(m, "%s.%s and %s.%s would both be %s: give a template that"
                     " keeps them apart", m->aTab[j].zDb, m->aTab[j].zTbl,
                     m->aTab[i].zDb, m->aTab[i].zTbl, m->aTab[i].zLocal);
        break;
      }
    }
  }
  return m->zErr!=0;
}

/* "INSERT INTO local SELECT * FROM (VALUES (...), (...)) LIMIT ?" of nRow
** rows: the copy's statement, so that one step (one b-tree cursor) writes
** up to nRow rows; the LIMIT (the last parameter) says how many. */
static sqlite3_stmt *copyStatement(mirror *m, mtable *t, int nRow){
  sqlite3_str *s = sqlite3_str_new(m->db);
  sqlite3_stmt *p = 0;
  char *zSql;
  int r, i;
  sqlite3_str_appendf(s, "INSERT INTO main.\"%w\" SELECT * FROM (VALUES", t->zLocal);
  for(r=0; r<nRow; r++){
    sqlite3_str_appendall(s, r ? ",(" : "(");
    for(i=0; i<t->nCol; i++){
      sqlite3_str_appendf(s, "%s?%d", i ? "," : "", r*t->nCol + i + 1);
    }
    sqlite3_str_appendchar(s, 1, ')');
  }
  sqlite3_str_appendf(s, ") LIMIT ?%d", nRow*t->nCol + 1);
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); return 0; }
  if( sqlite3_prepare_v2(m->db, zSql, -1, &p, 0)!=SQLITE_OK ){
    mirrorErr(m, "preparing the copy of %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_free(zSql);
  return p;
}

/* Rows per statement of the copy (SQLite allows 32766 parameters). */
#define MIRROR_COPY_ROWS 64

/* Copy one table from the open snapshot on c; returns rows copied or -1. */
static sqlite3_int64 mirrorCopy(mirror *m, mtable *t, mv_conn *c){
  SnapTable st;
  SnapReader rd;
  char *zSql, *zFull, *zErr = 0;
  sqlite3_int64 n = 0;
  sqlite3_stmt *pMany = 0;
  int i, rc, nPer, nHeld = 0;
  memset(&st, 0, sizeof st);
  st.zDb = t->zDb;
  st.zTbl = t->zTbl;
  st.azJson = t->azJson;
  st.nJson = t->nJson;
  zFull = quotedName(t->zDb, t->zTbl);
  zSql = zFull ? sqlite3_mprintf("SELECT * FROM %s", zFull) : 0;
  sqlite3_free(zFull);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); return -1; }
  rc = mv_reader_open(m->ctx, c, &rd, &st, zSql, 0, 0, &zErr);
  sqlite3_free(zSql);
  if( rc ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    mv_reader_free(&rd);
    return -1;
  }
  /* the snapshot's columns must be the ones the table was made with */
  if( rd.nCol!=t->nCol ) rc = 1;
  for(i=0; rc==0 && i<t->nCol; i++){
    if( rd.aCol[i].zName==0 || strcmp(rd.aCol[i].zName, t->azCol[i])!=0 ) rc = 1;
  }
  if( rc ){
    mirrorErr(m, "%s.%s changed while the mirror was being made; call"
                 " mysql_mirror again", t->zDb, t->zTbl);
    mv_reader_free(&rd);
    return -1;
  }
  nPer = 32000/t->nCol < MIRROR_COPY_ROWS ? 32000/t->nCol : MIRROR_COPY_ROWS;
  if( nPer<1 ) nPer = 1;
  pMany = copyStatement(m, t, nPer);
  while( pMany && (rc = mv_reader_step(&rd, t->zTbl, &zErr))==SQLITE_ROW ){
    /* the values are copied at binding (the reader's change every row) */
    for(i=0; i<t->nCol; i++){
      if( bindValue(m, t, i, pMany, nHeld*t->nCol + i + 1, &rd.aVal[i],
                    &m->aBuf[i], SQLITE_TRANSIENT) ) break;
    }
    if( m->zErr ) break;
    if( ++nHeld==nPer ){
      sqlite3_bind_int(pMany, nPer*t->nCol + 1, nHeld);
      if( stepWrite(m, t, pMany) ) break;
      nHeld = 0;
    }
    if( (++n & 0xfff)==0 && mv_interrupted(m->db) ){
      mirrorErr(m, "interrupted");
      break;
    }
  }
  if( m->zErr==0 && rc==SQLITE_DONE && nHeld>0 ){
    /* the last rows: the first nHeld of the statement's */
    sqlite3_bind_int(pMany, nPer*t->nCol + 1, nHeld);
    stepWrite(m, t, pMany);
  }
  sqlite3_finalize(pMany);
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE ){
    mirrorErr(m, "%s", zErr ? zErr : "reading the snapshot");
  }
  sqlite3_free(zErr);
  if( rc==SQLITE_DONE ){
    mv_reader_free(&rd);
  }else{
    /* a result abandoned mid-stream: the connection cannot be reused */
    mv_reader_free(&rd);
    return -1;
  }
  return m->zErr ? -1 : n;
}

/* Create t's local table (the source's columns with the typed snapshot's
** declared types, its primary key) and prepare its statements. */
static int tableCreate(mirror *m, mtable *t){
  sqlite3_str *s = sqlite3_str_new(m->db);
  char *zSql;
  int k, rc;
  sqlite3_str_appendf(s, "CREATE TABLE main.\"%w\"(", t->zLocal);
  for(k=0; k<t->nCol; k++){
    const char *zType = mv_sq_decltype(t->aKind[k]);
    sqlite3_str_appendf(s, "\"%w\"%s%s, ", t->azCol[k], *zType ? " " : "",
                        zType);
  }
  sqlite3_str_appendall(s, "PRIMARY KEY(");
  for(k=0; k<t->nPk; k++){
    sqlite3_str_appendf(s, "%s\"%w\"", k ? ", " : "", t->azCol[t->aPk[k]]);
  }
  sqlite3_str_appendall(s, "))");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ) return mirrorErr(m, "out of memory");
  rc = mirrorExec(m, zSql);
  sqlite3_free(zSql);
  return rc || tablePrepare(m, t);
}

/* Copy ONE consistent snapshot of the n tables ap[] into their (empty)
** local tables: its binlog position into *pzPos and, where MariaDB can
** tell, its GTID position into *pzGtid (both may be NULL). Each table's
** rows in its nBatch; returns the rows copied, or -1. */
static sqlite3_int64 mirrorSnapshot(mirror *m, mtable **ap, int n,
                                    const char *zDsn, char **pzPos,
                                    char **pzGtid){
  mv_conn *c;
  char *zErr = 0, *zPos = 0;
  sqlite3_int64 nRows = 0;
  int i, inTxn = 0, ok = 0;
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 || mv_snap_begin(m->ctx, c, 1, &zPos, &inTxn, &zErr) ) goto done;
  if( zPos==0 ){
    mirrorErr(m, "the server gives no binlog position for a snapshot (is"
                 " log_bin on?)");
    goto done;
  }
  if( pzGtid && mv_is_mariadb(c->mysql) ){
    /* the GTID position of the snapshot, where the server can tell */
    char *zFileLit, *zSql = 0;
    const char *zColon = strrchr(zPos, ':');
    char *zFile = zColon ? sqlite3_mprintf("%.*s", (int)(zColon - zPos), zPos) : 0;
    zFileLit = zFile ? mv_literal(c->mysql, zFile) : 0;
    if( zFileLit ) zSql = sqlite3_mprintf("SELECT BINLOG_GTID_POS(%s, %s)",
                                          zFileLit, zColon + 1);
    if( zSql ){
      char *zE = 0;
      MYSQL_RES *res = mv_query(m->ctx, c, zSql, "the snapshot's GTID", &zE);
      MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
      if( row && row[0] && row[0][0] ) *pzGtid = sqlite3_mprintf("%s", row[0]);
      if( res ) mysql_free_result(res);
      sqlite3_free(zE);
    }
    sqlite3_free(zFile);
    sqlite3_free(zFileLit);
    sqlite3_free(zSql);
  }
  for(i=0; i<n; i++){
    sqlite3_int64 nt = mirrorCopy(m, ap[i], c);
    if( nt<0 ) goto done;
    ap[i]->nBatch = nt;
    nRows += nt;
  }
  if( mv_exec(m->ctx, c, "COMMIT", &zErr)
   || mv_exec(m->ctx, c, "SET character_set_results=utf8mb4", &zErr) ) goto done;
  inTxn = 0;
  ok = 1;
done:
  if( zErr ){ mirrorErr(m, "%s", zErr); sqlite3_free(zErr); }
  /* a snapshot left open (an error): close the connection rather than
  ** give back a session inside a transaction */
  if( c ) mv_conn_put(m->ctx, c, ok && !inTxn);
  if( m->zErr ){
    sqlite3_free(zPos);
    return -1;
  }
  *pzPos = zPos;
  return nRows;
}

/* t's row in the state table, at position zPos (snapshot and resume). */
static int tableInsertState(mirror *m, mtable *t, const char *zPos){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(m->db,
      "INSERT INTO main.mysql_mirror_state(local_tbl, src, pos, snapshot_pos,"
      " columns, pk, applied, updated, set_name) VALUES(?1, ?2, ?3, ?3, ?4, ?5,"
      " ?6, strftime('%Y-%m-%d %H:%M:%S', 'now'), ?7)", -1, &p, 0)!=SQLITE_OK ){
    return mirrorErr(m, "recording the state: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, t->zLocal, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 2, sqlite3_mprintf("%s.%s", t->zDb, t->zTbl), -1, sqlite3_free);
  sqlite3_bind_text(p, 3, zPos, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 4, tableColumnsJson(t, 0), -1, sqlite3_free);
  sqlite3_bind_text(p, 5, tableColumnsJson(t, 1), -1, sqlite3_free);
  sqlite3_bind_int64(p, 6, t->nBatch);
  sqlite3_bind_text(p, 7, m->zSet, -1, SQLITE_STATIC);
  if( sqlite3_step(p)!=SQLITE_DONE ){
    mirrorErr(m, "recording the state: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  t->nBatch = 0;
  return m->zErr!=0;
}

/* Is a local name free (no table, not another set's)? */
static int localFree(mirror *m, const char *zLocal){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT (SELECT set_name FROM"
        " main.mysql_mirror_state WHERE local_tbl=?1),"
        " EXISTS(SELECT 1 FROM main.sqlite_schema WHERE name=?1)", -1, &p, 0) ){
    return mirrorErr(m, "%s", sqlite3_errmsg(m->db)), 0;
  }
  sqlite3_bind_text(p, 1, zLocal, -1, SQLITE_STATIC);
  if( sqlite3_step(p)==SQLITE_ROW ){
    if( sqlite3_column_type(p, 0)!=SQLITE_NULL ){
      mirrorErr(m, "%s is already mirrored, by the set %s",
                zLocal, sqlite3_column_text(p, 0));
    }else if( sqlite3_column_int(p, 1) ){
      mirrorErr(m, "%s exists and is not a mirror (no row in"
                   " mysql_mirror_state): choose another name or drop it",
                   zLocal);
    }
  }
  sqlite3_finalize(p);
  return m->zErr==0;
}

/* The first call: create the tables, copy one snapshot of them all,
** record the set. Returns the rows copied, or -1. */
static sqlite3_int64 mirrorFirst(mirror *m, const char *zSrc,
                                 const char *zLocal, const char *zDsnArg){
  const char *zDsn = mv_dsn_text(zDsnArg);
  sqlite3_stmt *p = 0;
  mtable **ap = 0;
  char *zPos = 0, *zGtid = 0;
  sqlite3_int64 n = -1;
  int i;

  if( mirrorResolve(m, zSrc, zLocal, zDsn) ) return -1;
  for(i=0; i<m->nTab; i++){
    if( !localFree(m, m->aTab[i].zLocal) ) return -1;
  }
  for(i=0; i<m->nTab; i++){
    if( tableCreate(m, &m->aTab[i]) ) return -1;
  }
  ap = sqlite3_malloc64(sizeof(mtable*)*(size_t)m->nTab);
  if( ap==0 ) return mirrorErr(m, "out of memory"), -1;
  for(i=0; i<m->nTab; i++) ap[i] = &m->aTab[i];
  n = mirrorSnapshot(m, ap, m->nTab, zDsn, &zPos, &zGtid);
  sqlite3_free(ap);
  if( n<0 ) return -1;

  /* the set and its tables */
  if( sqlite3_prepare_v2(m->db,
      "INSERT INTO main.mysql_mirror_sets(name, src, local, pos, gtid,"
      " snapshot_pos, applied, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?4, ?6,"
      " strftime('%Y-%m-%d %H:%M:%S', 'now'))", -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 2, zSrc, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 3, zLocal, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 4, zPos, -1, SQLITE_STATIC);
    if( zGtid ) sqlite3_bind_text(p, 5, zGtid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 6, n);
    if( sqlite3_step(p)!=SQLITE_DONE ){
      mirrorErr(m, "recording the set: %s", sqlite3_errmsg(m->db));
    }
  }else{
    mirrorErr(m, "recording the set: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  for(i=0; m->zErr==0 && i<m->nTab; i++) tableInsertState(m, &m->aTab[i], zPos);
  sqlite3_free(zPos);
  sqlite3_free(zGtid);
  return m->zErr ? -1 : n;
}

/* ---- later calls ---- */

/* Is zPos ("file:offset") before zFile:off? */
static int posBefore(const char *zPos, const char *zFile, uint64_t off){
  char zF[MVS_NAME_MAX];
  uint64_t o;
  int c;
  if( zPos==0 || mvs_parse_pos(zPos, zF, sizeof zF, &o) ) return 0;
  c = mvs_compare_files(zF, zFile);
  return c<0 || (c==0 && o<off);
}

/* Is the event at zPos before t's re-snapshot (so that its rows are in
** the copy)? */
static int beforeResync(mtable *t, const char *zPos){
  return t->hasSkip && posBefore(zPos, t->zSkipFile, t->skipOff);
}

/* Copy t afresh from a snapshot of its own, at position P: the local table
** is made again with the columns the source has now, and t's rows before
** P are skipped from here on (they are in the copy); the other tables go
** on unaffected. isNew: t joins the set (a CREATE TABLE matching its
** pattern; one a mirror cannot follow, without a primary key or not
** InnoDB, stays out). A source that no longer exists leaves the set: its
** local table is dropped with it. */
static int tableResync(mirror *m, mtable *t, int isNew){
  const char *zDsn = mv_dsn_text(m->zDsnArg);
  char *zPos = 0, *zSql;
  sqlite3_int64 n;
  sqlite3_stmt *p = 0;
  tableForgetColumns(t);
  if( tableLoadSource(m, t, zDsn) ){
    if( !t->gone && !isNew ) return 1;
    /* gone; or new and not one a mirror can follow (no primary key, not
    ** InnoDB): it stays out of the set */
    sqlite3_free(m->zErr);
    m->zErr = 0;
    t->gone = 1;
    if( isNew ) return 0;
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"; DELETE FROM"
        " main.mysql_mirror_state WHERE local_tbl=%Q", t->zLocal, t->zLocal);
    if( zSql==0 ) return mirrorErr(m, "out of memory");
    n = mirrorExec(m, zSql);
    sqlite3_free(zSql);
    return (int)n;
  }
  if( isNew ){
    if( !localFree(m, t->zLocal) ) return 1;
  }else{
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"", t->zLocal);
    if( zSql==0 ) return mirrorErr(m, "out of memory");
    n = sqlite3_exec(m->db, zSql, 0, 0, 0);
    sqlite3_free(zSql);
    /* SQLite drops no table while another statement reads, as the one
    ** calling mysql_mirror does in SELECT mysql_mirror(...) FROM t */
    if( n==SQLITE_LOCKED ) return 2;
    if( n ) return mirrorErr(m, "dropping %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  if( tableCreate(m, t) ) return 1;
  n = mirrorSnapshot(m, &t, 1, zDsn, &zPos, 0);
  if( n<0 ) return 1;
  if( isNew ){
    tableInsertState(m, t, zPos);
  }
  if( m->zErr==0 && sqlite3_prepare_v2(m->db,
      "UPDATE main.mysql_mirror_state SET columns=?1, pk=?2, snapshot_pos=?3,"
      " resync_pos=?3, applied=applied+?4 WHERE local_tbl=?5", -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, tableColumnsJson(t, 0), -1, sqlite3_free);
    sqlite3_bind_text(p, 2, tableColumnsJson(t, 1), -1, sqlite3_free);
    sqlite3_bind_text(p, 3, zPos, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 4, isNew ? 0 : t->nBatch);
    sqlite3_bind_text(p, 5, t->zLocal, -1, SQLITE_STATIC);
    if( sqlite3_step(p)!=SQLITE_DONE ) mirrorErr(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }else if( m->zErr==0 ){
    mirrorErr(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  t->nBatch = 0;
  t->hasSkip = mvs_parse_pos(zPos, t->zSkipFile, sizeof t->zSkipFile,
                             &t->skipOff)==0;
  m->nResync++;
  sqlite3_free(zPos);
  return m->zErr!=0;
}

/* A table of the set renamed to zNewDb.zNewTbl in MySQL: with a template
** set whose tables the new name still belongs to (setNames), the local
** table is renamed as the template says; else the table leaves the set
** with its local copy. 0, 2 when SQLite cannot (another statement reads),
** or 1 on error. */
static int setNames(mirror *m, const char *zDb, const char *zTbl);
static int tableRename(mirror *m, mtable *t, const char *zNewDb,
                       const char *zNewTbl){
  char *zSql = 0, *zLocal = 0;
  int rc, keep = strchr(m->zLocal ? m->zLocal : "", '%')!=0
              && setNames(m, zNewDb, zNewTbl);
  if( keep ){
    zLocal = expandLocal(m->zLocal, zNewTbl);
    if( zLocal==0 ) return mirrorErr(m, "out of memory");
    if( strcmp(zLocal, t->zLocal)!=0 && !localFree(m, zLocal) ){
      sqlite3_free(zLocal);
      return 1;
    }
    zSql = sqlite3_mprintf("ALTER TABLE main.\"%w\" RENAME TO \"%w\";"
        " UPDATE main.mysql_mirror_state SET local_tbl=%Q, src=%Q||'.'||%Q"
        " WHERE local_tbl=%Q", t->zLocal, zLocal, zLocal, zNewDb, zNewTbl,
        t->zLocal);
  }else{
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"; DELETE FROM"
        " main.mysql_mirror_state WHERE local_tbl=%Q", t->zLocal, t->zLocal);
  }
  if( zSql==0 ){ sqlite3_free(zLocal); return mirrorErr(m, "out of memory"); }
  rc = sqlite3_exec(m->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_LOCKED ){ sqlite3_free(zLocal); return 2; }
  if( rc ){
    sqlite3_free(zLocal);
    return mirrorErr(m, "following the rename of %s: %s", t->zLocal,
                     sqlite3_errmsg(m->db));
  }
  if( !keep ){
    t->gone = 1;
    return 0;
  }
  sqlite3_free(t->zLocal);
  sqlite3_free(t->zDb);
  sqlite3_free(t->zTbl);
  t->zLocal = zLocal;
  t->zDb = sqlite3_mprintf("%s", zNewDb);
  t->zTbl = sqlite3_mprintf("%s", zNewTbl);
  m->pLast = 0;
  if( t->zDb==0 || t->zTbl==0 ) return mirrorErr(m, "out of memory");
  /* the statements name the local table */
  sqlite3_finalize(t->pUpsert); sqlite3_finalize(t->pDelete);
  sqlite3_free(t->aMap);
  t->pUpsert = t->pDelete = 0;
  t->aMap = 0;
  t->tMap = 0;
  return tablePrepare(m, t);
}

/* A table new to MySQL (created, or renamed from a name out of the set)
** that the set names joins it: copied from a snapshot of its own. */
static int tableJoin(mirror *m, const char *zDb, const char *zTbl){
  mtable *t;
  if( mirrorFind(m, zDb, strlen(zDb), zTbl, strlen(zTbl)) || !setNames(m, zDb, zTbl) ){
    return 0;
  }
  if( (t = mirrorAddTable(m))==0 ) return 1;
  t->zDb = sqlite3_mprintf("%s", zDb);
  t->zTbl = sqlite3_mprintf("%s", zTbl);
  t->zLocal = expandLocal(m->zLocal, zTbl);
  if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ) return mirrorErr(m, "out of memory");
  return tableResync(m, t, 1);
}

/* Does the name match a table pattern in which only % is a wildcard? */
static int likeMatch(const char *zPat, const char *z){
  if( *zPat==0 ) return *z==0;
  if( *zPat=='%' ){
    for(;; z++){
      if( likeMatch(zPat+1, z) ) return 1;
      if( *z==0 ) return 0;
    }
  }
  return *z==*zPat && likeMatch(zPat+1, z+1);
}

/* Does a new table zDb.zTbl belong to the set (its src names it by a
** db.% pattern, or by name)? */
static int setNames(mirror *m, const char *zDb, const char *zTbl){
  mv_tblname *aName = 0;
  int nName = 0, i, yes = 0;
  char *zErr = 0;
  if( m->zSrc==0 || strchr(m->zLocal ? m->zLocal : "", '%')==0 ) return 0;
  if( mv_tblarg_parse("mysql_mirror", m->zSrc, &aName, &nName, &zErr) ){
    sqlite3_free(zErr);
    return 0;
  }
  for(i=0; i<nName && !yes; i++){
    /* a name without its schema was the DSN's: the set's tables show it */
    const char *zNameDb = aName[i].zDb ? aName[i].zDb
                        : (m->nTab ? m->aTab[0].zDb : "");
    if( strcmp(zNameDb, zDb)!=0 ) continue;
    yes = aName[i].isPattern ? likeMatch(aName[i].zTbl, zTbl)
                             : strcmp(aName[i].zTbl, zTbl)==0;
  }
  mv_tblarg_free(aName, nName);
  return yes;
}

/* Can c be part of an unquoted MySQL identifier? */
static int isWordChar(char c){
  unsigned char u = (unsigned char)c;
  return u=='_' || u=='$' || (u>='a' && u<='z') || (u>='A' && u<='Z')
      || (u>='0' && u<='9') || u>=0x80;
}

/* Does the DDL statement zSql (in schema zDdlDb, about table zDdlTbl if
** the decoder knew it) concern table t? */
static int ddlHits(mtable *t, const char *zDdlDb, const char *zDdlTbl,
                   const char *zSql){
  const char *z, *zVerb;
  size_t n = strlen(t->zTbl);
  if( zSql==0 ) zSql = "";
  for(zVerb=zSql; *zVerb==' ' || *zVerb=='\t' || *zVerb=='\n'; zVerb++){}
  /* The whole schema dropped. */
  if( (sqlite3_strnicmp(zVerb, "DROP DATABASE", 13)==0
       || sqlite3_strnicmp(zVerb, "DROP SCHEMA", 11)==0)
   && zDdlDb && strcmp(zDdlDb, t->zDb)==0 ){
    return 1;
  }
  /* Statements that change no table (ANALYZE, GRANT, CREATE VIEW, ...)
  ** have no target */
  if( zDdlTbl==0 || zDdlTbl[0]==0 ) return 0;
  if( strcmp(zDdlTbl, t->zTbl)==0
   && (zDdlDb==0 || zDdlDb[0]==0 || strcmp(zDdlDb, t->zDb)==0) ) return 1;
  /* Statements that name several tables: the decoder reports one. */
  if( sqlite3_strnicmp(zVerb, "RENAME", 6)!=0
   && sqlite3_strnicmp(zVerb, "DROP", 4)!=0 ) return 0;
  /* The others: look for the name as a word of the statement. */
  for(z=zSql; (z = strstr(z, t->zTbl))!=0; z++){
    char before = z==zSql ? ' ' : z[-1];
    if( !isWordChar(before) && !isWordChar(z[n]) ) return 1;
  }
  return 0;
}

/* After a table was copied afresh: is a copy's position past zAt (the
** stream's)? Then 1, with the furthest such position in zHoldFile:*pOff
** (already holding: only a further one replaces it). */
static int holdFor(mirror *m, const char *zAt, char *zHoldFile,
                   uint64_t *pOff, int holding){
  int i, found = 0;
  for(i=0; i<m->nTab; i++){
    mtable *h = &m->aTab[i];
    if( !h->hasSkip || h->gone || !posBefore(zAt, h->zSkipFile, h->skipOff) ) continue;
    if( (holding || found) && !posBefore(zHoldFile, h->zSkipFile, h->skipOff) ) continue;
    memcpy(zHoldFile, h->zSkipFile, MVS_NAME_MAX);
    *pOff = h->skipOff;
    found = 1;
  }
  return found;
}

/* Commit the applied transactions (outside a user transaction) with the
** position of the last one: *pnUnrecorded changes move to *pnApplied. */
static int commitBatch(mirror *m, const char *zLast, const char *zGtid,
                       sqlite3_int64 lastTs, sqlite3_int64 *pnUnrecorded,
                       sqlite3_int64 *pnApplied){
  if( mirrorRecord(m, zLast, zGtid, lastTs, *pnUnrecorded, -1)
   || mirrorExec(m, "RELEASE mysql_mirror; SAVEPOINT mysql_mirror") ) return 1;
  *pnApplied += *pnUnrecorded;
  *pnUnrecorded = 0;
  return 0;
}

/* Apply one row change; 0 done, 1 error (m->zErr), 2 the image does not
** have the recorded columns. */
static int applyRow(mirror *m, mtable *t, const mvs_row *r){
  int i, keySame = 1;
  if( !tableMap(t, r->table) ) return 2;
  switch( r->op ){
    case MVS_INSERT:
      if( r->after==0 ) return mirrorErr(m, "insert without an after-image");
      return tableUpsert(m, t, r->after, t->aMap);
    case MVS_UPDATE:
      if( r->before==0 || r->after==0 ) return mirrorErr(m, "update without both images");
      for(i=0; keySame && i<t->nPk; i++){
        int k = t->aMap[t->aPk[i]];
        keySame = sameValue(&r->before[k], &r->after[k]);
      }
      if( !keySame && tableDelete(m, t, r->before, t->aMap) ) return 1;
      return tableUpsert(m, t, r->after, t->aMap);
    case MVS_DELETE:
      if( r->before==0 ) return mirrorErr(m, "delete without a before-image");
      return tableDelete(m, t, r->before, t->aMap);
  }
  return 0;
}

/* A later call: apply the changes since the set's position. Returns the
** changes applied, -1 on error, -2 when stopped by DDL (what was applied
** before it is recorded; m->zErr says why). */
static sqlite3_int64 mirrorApply(mirror *m, const char *zDsnArg,
                                 const char *zPos){
  mv_feed *f;
  const mvs_row *r;
  char *zErr = 0, *zLast = 0, *zGtid = 0, *zDdl = 0, *zStop = 0;
  sqlite3_int64 nApplied = 0, nUnrecorded = 0, lastTs = 0, tCommit = nowMs();
  int inTxn = 0, rc, i, dirty = 0, locked = 0;
  mv_buf rnOldDb, rnOldTbl, rnNewDb, rnNewTbl;     /* a rename's names */
  /* After a table is copied afresh at position P, the others are behind
  ** it until the stream reaches P: nothing is committed before that (a
  ** reader would see a transaction in one table and not in another), and
  ** the log is read on past its end as it stood when the call began. */
  char zHoldFile[MVS_NAME_MAX];
  uint64_t holdOff = 0;
  int hold = 0, nResync = 0;

  mv_buf_init(&rnOldDb); mv_buf_init(&rnOldTbl);
  mv_buf_init(&rnNewDb); mv_buf_init(&rnNewTbl);
  f = mv_feed_open(m->db, m->ctx, zPos, zDsnArg, mirrorWants, m, &zErr);
  if( f==0 ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return -1;
  }
  reopen:
  while( (rc = mv_feed_next(f, &r, &zErr))==SQLITE_ROW ){
    mtable *t;
    if( nResync!=m->nResync ){
      nResync = m->nResync;
      hold |= holdFor(m, r->pos, zHoldFile, &holdOff, hold);
    }
    if( r->op==MVS_COMMIT ){
      if( zStop ) continue;
      if( inTxn ){
        if( mirrorExec(m, "RELEASE mysql_mirror_txn") ) break;
        inTxn = 0;
        for(i=0; i<m->nTab; i++){
          m->aTab[i].nBatch += m->aTab[i].nTxn;
          nUnrecorded += m->aTab[i].nTxn;
          m->aTab[i].nTxn = 0;
        }
        lastTs = r->ts;
      }
      sqlite3_free(zLast);
      sqlite3_free(zGtid);
      zLast = sqlite3_mprintf("%s", r->next_pos);
      zGtid = r->gtid ? sqlite3_mprintf("%s", r->gtid) : 0;
      if( zLast==0 || (r->gtid && zGtid==0) ){ mirrorErr(m, "out of memory"); break; }
      dirty = 1;
      if( hold && !posBefore(zLast, zHoldFile, holdOff) ) hold = 0;
      if( m->autocommit && nUnrecorded>0 && !hold
       && (nUnrecorded>=MIRROR_BATCH_ROWS || nowMs() - tCommit>=MIRROR_BATCH_MS) ){
        /* a batch of whole transactions, with its position */
        if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
        dirty = 0;
        tCommit = nowMs();
      }
      continue;
    }
    if( r->op==MVS_DDL ){
      char *zDdlDb = r->db ? sqlite3_mprintf("%.*s", (int)r->n_db, r->db) : 0;
      char *zDdlTbl = r->tbl ? sqlite3_mprintf("%.*s", (int)r->n_tbl, r->tbl) : 0;
      char *zSql = sqlite3_mprintf("%.*s", (int)r->n_sql, r->sql ? r->sql : "");
      int kind = mvs_ddl_kind(r->sql ? r->sql : "", r->n_sql), nHit = 0;
      if( zSql==0 ) mirrorErr(m, "out of memory");
      if( kind==MVS_DDL_INDEX ){
        /* an index changes neither rows nor columns */
      }else if( zStop ){
        /* stopped: read on only to name the statement */
        for(i=0; i<m->nTab && zSql && zDdl==0; i++){
          if( !m->aTab[i].gone && ddlHits(&m->aTab[i], zDdlDb, zDdlTbl, zSql) ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s", m->aTab[i].zDb,
                                   m->aTab[i].zTbl, r->pos, zSql);
          }
        }
      }else if( zSql && !inTxn
             && mvs_rename_next(zSql, strlen(zSql), &(size_t){0}, &rnOldDb,
                                &rnOldTbl, &rnNewDb, &rnNewTbl) ){
        /* Renames, pair by pair: a table of the set keeps its place (its
        ** local table renamed) or leaves the set; a table renamed into a
        ** set's pattern joins it. Unqualified names are in the event's
        ** schema. */
        size_t ri = 0;
        const char *zDef = zDdlDb ? zDdlDb : "";
        if( zLast && m->autocommit && nUnrecorded>0 ){
          if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
          dirty = 0;
          tCommit = nowMs();
        }
        while( m->zErr==0 && zDdl==0
            && mvs_rename_next(zSql, strlen(zSql), &ri, &rnOldDb, &rnOldTbl,
                               &rnNewDb, &rnNewTbl) ){
          const char *zOD = rnOldDb.n ? mv_buf_cstr(&rnOldDb) : zDef;
          const char *zOT = mv_buf_cstr(&rnOldTbl);
          const char *zND = rnNewDb.n ? mv_buf_cstr(&rnNewDb) : zDef;
          const char *zNT = mv_buf_cstr(&rnNewTbl);
          mtable *h = mirrorFind(m, zOD, strlen(zOD), zOT, strlen(zOT));
          if( h && !beforeResync(h, r->pos) ){
            int rs = tableRename(m, h, zND, zNT);
            if( rs==2 ){
              zDdl = sqlite3_mprintf("%s.%s changed at %s: %s; SQLite cannot"
                  " rename or drop %s while another statement of this"
                  " connection reads (the one calling mysql_mirror reads a"
                  " table): run SELECT mysql_mirror(...) alone once", h->zDb,
                  h->zTbl, r->pos, zSql, h->zLocal);
              if( zDdl==0 ) mirrorErr(m, "out of memory");
              locked = 1;
            }
          }else if( h==0 ){
            tableJoin(m, zND, zNT);
          }
        }
      }else if( zSql ){
        /* Followed: each table the statement concerns is copied afresh
        ** from a snapshot of its own (or leaves the set if it is gone); a
        ** RENAME inside a transaction, or one not understood, is not
        ** followed (an error names it). A new table that the set's pattern
        ** names joins the set. */
        for(i=0; i<m->nTab && m->zErr==0 && zDdl==0; i++){
          mtable *h = &m->aTab[i];
          if( h->gone || beforeResync(h, r->pos) ) continue;
          if( !ddlHits(h, zDdlDb, zDdlTbl, zSql) ) continue;
          if( kind==MVS_DDL_RENAME_TABLE || inTxn ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s", h->zDb, h->zTbl,
                                   r->pos, zSql);
            break;
          }
          if( nHit++==0 && zLast && m->autocommit && nUnrecorded>0 ){
            /* what came before is committed first, with its position */
            if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
            dirty = 0;
            tCommit = nowMs();
          }
          int rs = tableResync(m, h, 0);
          if( rs==2 ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s; SQLite cannot make"
                " %s again while another statement of this connection reads"
                " (the one calling mysql_mirror reads a table): run SELECT"
                " mysql_mirror(...) alone once", h->zDb, h->zTbl, r->pos, zSql,
                h->zLocal);
            if( zDdl==0 ) mirrorErr(m, "out of memory");
            locked = 1;
            break;
          }
          if( rs ) break;
        }
        if( m->zErr==0 && zDdl==0 && kind==MVS_DDL_CREATE_TABLE && zDdlTbl
         && zDdlDb ){
          tableJoin(m, zDdlDb, zDdlTbl);
        }
      }
      sqlite3_free(zDdlDb);
      sqlite3_free(zDdlTbl);
      sqlite3_free(zSql);
      if( zDdl || m->zErr ) break;
      continue;
    }
    if( zStop || r->table==0 ) continue;
    t = mirrorFind(m, r->db, r->n_db, r->tbl, r->n_tbl);
    if( t==0 || beforeResync(t, r->pos) ) continue;
    if( !inTxn ){
      if( mirrorExec(m, "SAVEPOINT mysql_mirror_txn") ) break;
      inTxn = 1;
    }
    rc = applyRow(m, t, r);
    if( rc==1 ) break;
    if( rc==2 ){
      /* Not the recorded columns: the table was altered. Stop before this
      ** transaction and read on only to name the DDL statement. */
      char *zCols = tableColumnsJson(t, 0);
      zStop = sqlite3_mprintf("%s.%s changed: the row image at %s does not"
                              " have the columns recorded at the snapshot %s",
                              t->zDb, t->zTbl, r->pos, zCols ? zCols : "");
      sqlite3_free(zCols);
      if( zStop==0 ){ mirrorErr(m, "out of memory"); break; }
      if( mirrorExec(m, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn") ) break;
      inTxn = 0;
      for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
      continue;
    }
    t->nTxn++;
  }
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE && m->zErr==0 ){
    mirrorErr(m, "%s", zErr ? zErr : "reading the binlog");
  }
  if( nResync!=m->nResync ){
    nResync = m->nResync;
    hold |= holdFor(m, zLast ? zLast : zPos, zHoldFile, &holdOff, hold);
  }
  if( rc==SQLITE_DONE && hold && m->zErr==0 && zDdl==0 && zStop==0 ){
    /* the end of the log as the call began, short of a copy's position:
    ** read on from the last commit (a transaction open at the end is read
    ** again) */
    mv_feed_close(f);
    if( inTxn ){
      sqlite3_exec(m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
      for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
      inTxn = 0;
    }
    f = mv_feed_open(m->db, m->ctx, zLast ? zLast : zPos, zDsnArg, mirrorWants,
                     m, &zErr);
    if( f ) goto reopen;
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
  }
  sqlite3_free(zErr);
  mv_feed_close(f);
  mv_buf_free(&rnOldDb); mv_buf_free(&rnOldTbl);
  mv_buf_free(&rnNewDb); mv_buf_free(&rnNewTbl);
  if( inTxn ){
    /* A transaction not committed in what the log held: leave it for the
    ** next call (or drop it with the whole call on error). */
    sqlite3_exec(m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
    for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
  }
  if( m->zErr==0 && zLast && (dirty || nUnrecorded) ){
    /* the lag: how old the newest applied change was when it landed (0
    ** when the call found nothing to apply: caught up) */
    sqlite3_int64 lag = 0;
    if( nUnrecorded + nApplied>0 && lastTs>0 && time(0)>lastTs ){
      lag = (sqlite3_int64)time(0) - lastTs;
    }
    mirrorRecord(m, zLast, zGtid, lastTs, nUnrecorded, lag);
    nApplied += nUnrecorded;
  }
  if( m->zErr==0 && zStop && zDdl==0 ){
    zDdl = zStop;
    zStop = 0;
  }
  sqlite3_free(zStop);
  if( m->zErr==0 && zDdl && hold ){
    /* stopped short of a fresh copy's position: the tables disagree, keep
    ** nothing since the last commit (the next call does it again) */
    mirrorErr(m, "%s; the set %s is complete up to its last commit", zDdl, m->zSet);
  }
  if( m->zErr==0 && zDdl ){
    /* Applied and recorded up to the DDL: report it. The caller commits
    ** what was applied before failing. */
    if( locked ){
      mirrorErr(m, "%s; the set %s is complete up to %s", zDdl, m->zSet,
                zLast ? zLast : zPos);
    }else if( m->nTab==1 ){
      mirrorErr(m, "%s; %s is complete up to %s. To rebuild it: DROP TABLE"
                   " \"%w\"; DELETE FROM mysql_mirror_state WHERE local_tbl='%q';"
                   " then call mysql_mirror again", zDdl, m->aTab[0].zLocal,
                   zLast ? zLast : zPos, m->aTab[0].zLocal, m->aTab[0].zLocal);
    }else{
      mirrorErr(m, "%s; the set %s is complete up to %s. To rebuild it: drop"
                   " its tables, DELETE FROM mysql_mirror_state WHERE"
                   " set_name='%q'; DELETE FROM mysql_mirror_sets WHERE"
                   " name='%q'; then call mysql_mirror again", zDdl, m->zSet,
                   zLast ? zLast : zPos, m->zSet, m->zSet);
    }
    sqlite3_free(zDdl);
    sqlite3_free(zLast);
    sqlite3_free(zGtid);
    return -2;
  }
  sqlite3_free(zDdl);
  sqlite3_free(zLast);
  sqlite3_free(zGtid);
  return m->zErr ? -1 : nApplied;
}

/* Does the table argument zArg name exactly the table zDb.zTbl (without
** db: the table alone, as the first call read it with the DSN's)? */
static int sameTable(mirror *m, const char *zArg, const char *zState){
  mv_tblname *aName = 0;
  int nName = 0, same;
  char *zErr = 0;
  const char *zDot = strchr(zState, '.');
  if( zDot==0 ) return 0;
  if( mv_tblarg_parse("mysql_mirror", zArg, &aName, &nName, &zErr) ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 0;
  }
  same = nName==1 && !aName[0].isPattern && strcmp(aName[0].zTbl, zDot+1)==0
      && (aName[0].zDb==0
          || ((size_t)(zDot-zState)==strlen(aName[0].zDb)
              && memcmp(aName[0].zDb, zState, (size_t)(zDot-zState))==0));
  mv_tblarg_free(aName, nName);
  return same;
}

static void mirrorFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mirror m;
  sqlite3_stmt *p = 0;
  const char *zSrc = (const char*)sqlite3_value_text(argv[0]);
  const char *zLocal = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : "%";
  const char *zDsnArg = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  char *zPos = 0;
  sqlite3_int64 n = -1;
  int rc;

  memset(&m, 0, sizeof m);
  m.db = sqlite3_context_db_handle(pCtx);
  m.ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  if( zSrc==0 || zSrc[0]==0 ){
    sqlite3_result_error(pCtx, "mysql_mirror: the source table (argument 1) is empty", -1);
    return;
  }
  if( zLocal==0 || zLocal[0]==0 ){
    sqlite3_result_error(pCtx, "mysql_mirror: the local table (argument 2) is empty", -1);
    return;
  }
  m.autocommit = sqlite3_get_autocommit(m.db);
  m.zDsnArg = zDsnArg;
  if( sqlite3_exec(m.db, "SAVEPOINT mysql_mirror", 0, 0, 0)!=SQLITE_OK ){
    mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
    goto done;
  }
  if( mirrorStateSetup(&m) ) goto rollback;

  /* Which set: one local table names its set through the state; a
  ** template is the set "src -> local". */
  if( strchr(zLocal, '%')==0 ){
    rc = sqlite3_prepare_v2(m.db, "SELECT set_name, src FROM"
        " main.mysql_mirror_state WHERE local_tbl=?1", -1, &p, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(p, 1, zLocal, -1, SQLITE_STATIC);
      if( sqlite3_step(p)==SQLITE_ROW ){
        const char *zState = (const char*)sqlite3_column_text(p, 1);
        if( !sameTable(&m, zSrc, zState ? zState : "") && m.zErr==0 ){
          mirrorErr(&m, "%s mirrors %s, not %s", zLocal, zState, zSrc);
        }
        m.zSet = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
      }
    }
    sqlite3_finalize(p);
    p = 0;
    if( m.zErr ) goto rollback;
    if( m.zSet==0 ) m.zSet = sqlite3_mprintf("%s", zLocal);
  }else{
    m.zSet = sqlite3_mprintf("%s -> %s", zSrc, zLocal);
  }
  if( m.zSet==0 ){ mirrorErr(&m, "out of memory"); goto rollback; }

  /* a set whose tables were all dropped (the rebuild the DDL error
  ** describes) is forgotten: the call starts it anew */
  rc = sqlite3_prepare_v2(m.db, "DELETE FROM main.mysql_mirror_sets WHERE"
      " name=?1 AND NOT EXISTS(SELECT 1 FROM main.mysql_mirror_state WHERE"
      " set_name=?1)", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m.zSet, -1, SQLITE_STATIC);
    if( sqlite3_step(p)!=SQLITE_DONE ) mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
  }else{
    mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
  }
  sqlite3_finalize(p);
  p = 0;
  if( m.zErr ) goto rollback;
  rc = sqlite3_prepare_v2(m.db, "SELECT pos, src, local FROM"
                          " main.mysql_mirror_sets WHERE name=?1", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m.zSet, -1, SQLITE_STATIC);
    if( sqlite3_step(p)==SQLITE_ROW ){
      zPos = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
      m.zSrc = sqlite3_mprintf("%s", sqlite3_column_text(p, 1));
      m.zLocal = sqlite3_mprintf("%s", sqlite3_column_text(p, 2));
      if( zPos==0 || m.zSrc==0 || m.zLocal==0 ) mirrorErr(&m, "out of memory");
    }
  }else{
    mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
  }
  sqlite3_finalize(p);
  p = 0;
  if( m.zErr ) goto rollback;
  if( zPos ){
    if( mirrorLoadState(&m)==0 ) n = mirrorApply(&m, zDsnArg, zPos);
  }else{
    n = mirrorFirst(&m, zSrc, zLocal, zDsnArg);
  }
  if( n==-2 ){
    /* DDL: keep what was applied before it, then fail. */
    sqlite3_exec(m.db, "RELEASE mysql_mirror", 0, 0, 0);
    goto done;
  }
  if( m.zErr ) goto rollback;
  if( sqlite3_exec(m.db, "RELEASE mysql_mirror", 0, 0, 0)!=SQLITE_OK ){
    mirrorErr(&m, "committing: %s", sqlite3_errmsg(m.db));
    goto rollback;
  }
  goto done;
rollback:
  sqlite3_exec(m.db, "ROLLBACK TO mysql_mirror; RELEASE mysql_mirror", 0, 0, 0);
done:
  if( m.zErr ){
    char *z = sqlite3_mprintf("mysql_mirror: %s", m.zErr);
    sqlite3_result_error(pCtx, z ? z : "mysql_mirror: out of memory", -1);
    sqlite3_free(z);
  }else{
    sqlite3_result_int64(pCtx, n);
  }
  sqlite3_free(zPos);
  mirrorClear(&m);
}

int mv_register_mirror(sqlite3 *db, mv_ctx *ctx){
  return mv_register_function(db, ctx, "mysql_mirror", 1, 3, mirrorFunc);
}
