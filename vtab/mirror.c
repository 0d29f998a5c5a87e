/*
** mirror.c — mysql_mirror(src_tbl, local_tbl [, dsn]): keep a local SQLite
** table equal to a MySQL table.
**
**   SELECT mysql_mirror('shop.orders', 'orders');   -- first call: snapshot
**   SELECT mysql_mirror('shop.orders', 'orders');   -- later: apply changes
**
** The first call creates local_tbl in the main database with the source's
** columns (SQLite types as the typed mysql_snapshot table has them) and its
** primary key, fills it from mysql_snapshot and records the snapshot's
** position in the table mysql_mirror_state. Each later call reads
** mysql_changes from the recorded position to the end of the log, applies
** the rows of the source table in binlog order (insert and update as
** "delete the before-image's key, then INSERT OR REPLACE the after-image",
** delete as delete) and records the next_pos of the last commit it saw.
** Data and position are written inside one SAVEPOINT, so they are
** committed together (or, inside a user transaction, with it): a crash at
** any point leaves either the old state or the new one, and the next call
** continues from the recorded position. Each source transaction is applied
** whole or not at all (a transaction still open at the end of the log is
** left for the next call). The result is the number of row changes
** applied (on the first call, the number of rows copied).
**
** State, one row per mirror (main.mysql_mirror_state):
**   local_tbl  TEXT PRIMARY KEY  the SQLite table
**   src        TEXT              'db.table' in MySQL
**   pos        TEXT              resume position: the next_pos of the last
**                                applied commit (file:offset)
**   snapshot_pos TEXT            where the first call's snapshot was
**   columns    TEXT              JSON array of [name, kind] as at the
**                                snapshot (kind: int u64 real text blob json)
**   pk         TEXT              JSON array of the primary key's names
**   applied    INTEGER           changes applied since the snapshot
**   updated    TEXT              UTC time of the last call that applied any
**
** A DDL statement on the source table in the stream (ALTER, TRUNCATE,
** DROP, RENAME, ...) stops the mirror just before it: the changes before
** it are applied and recorded, and the call fails with an error naming the
** statement and its position. The remedy is a new snapshot: drop the local
** table and its state row and call mysql_mirror again.
**
** Uses mysql_snapshot, mysql_changes and mysql_position through SQL on the
** same database handle, so it needs them registered (ext.c does).
*/
#include "mysqlvtab.h"
#include "schema.h"
#include "pure/types.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* How a column's JSON value becomes an SQLite value: the type table's
** SQLite class (pure/types.h), whose names are the state's kinds. */
#define K_INT  MV_SQ_INT    /* json number -> INTEGER */
#define K_U64  MV_SQ_U64    /* BIGINT UNSIGNED: INTEGER, or exact TEXT above 2^63-1 */
#define K_REAL MV_SQ_REAL
#define K_TEXT MV_SQ_TEXT
#define K_BLOB MV_SQ_BLOB   /* lower-case hex -> BLOB */
#define K_JSON MV_SQ_JSON   /* the JSON text of the value */

typedef struct mirror {
  sqlite3 *db;
  mv_ctx *ctx;
  char *zLocal;          /* local table name */
  char *zDb, *zTbl;      /* source */
  int nCol;
  char **azCol;          /* column names */
  int *aKind;            /* K_* per column */
  int nPk;
  int *aPk;              /* column index of each primary-key part */
  sqlite3_stmt *pExtName;   /* SELECT json_extract(?1,'$."name"'), ... */
  sqlite3_stmt *pExtPos;    /* the same for images keyed "@1", "@2", ... */
  sqlite3_stmt *pUpsert;    /* INSERT OR REPLACE INTO local VALUES(?...) */
  sqlite3_stmt *pDelete;    /* DELETE FROM local WHERE pk=? ... */
  char *zErr;               /* first error */
  int mismatch;             /* an image's columns were not the recorded ones */
} mirror;

static void mirrorClear(mirror *m){
  int i;
  for(i=0; i<m->nCol; i++) sqlite3_free(m->azCol[i]);
  sqlite3_free(m->azCol);
  sqlite3_free(m->aKind);
  sqlite3_free(m->aPk);
  sqlite3_finalize(m->pExtName);
  sqlite3_finalize(m->pExtPos);
  sqlite3_finalize(m->pUpsert);
  sqlite3_finalize(m->pDelete);
  sqlite3_free(m->zLocal);
  sqlite3_free(m->zDb);
  sqlite3_free(m->zTbl);
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

static int mirrorAddCol(mirror *m, const char *zName, int kind){
  char **az = sqlite3_realloc64(m->azCol, (m->nCol+1)*sizeof(char*));
  int *ak;
  if( az==0 ) return mirrorErr(m, "out of memory");
  m->azCol = az;
  ak = sqlite3_realloc64(m->aKind, (m->nCol+1)*sizeof(int));
  if( ak==0 ) return mirrorErr(m, "out of memory");
  m->aKind = ak;
  m->azCol[m->nCol] = sqlite3_mprintf("%s", zName);
  m->aKind[m->nCol] = kind;
  if( m->azCol[m->nCol]==0 ) return mirrorErr(m, "out of memory");
  m->nCol++;
  return 0;
}

static int mirrorAddPk(mirror *m, const char *zName){
  int i;
  int *a;
  for(i=0; i<m->nCol && strcmp(m->azCol[i], zName)!=0; i++){}
  if( i>=m->nCol ){
    return mirrorErr(m, "primary-key column %s of %s.%s is not among its"
                     " columns", zName, m->zDb, m->zTbl);
  }
  a = sqlite3_realloc64(m->aPk, (m->nPk+1)*sizeof(int));
  if( a==0 ) return mirrorErr(m, "out of memory");
  m->aPk = a;
  m->aPk[m->nPk++] = i;
  return 0;
}

/* Learn the source's columns, kinds and primary key from MySQL. zSrc is
** "db.table" or "table" (then the DSN's database), parts may be `quoted`.
** Plain one-table information_schema queries: MariaDB 10.11 has crashed on
** correlated subqueries across COLUMNS, TABLES and STATISTICS. */
static int mirrorLoadSource(mirror *m, const char *zSrc, const char *zDsn){
  static const char zWhat[] = "reading the source's definition";
  mv_conn *c;
  char *zErr = 0, *zSql = 0, *zDbLit = 0, *zTblLit = 0;
  mv_tblname *aName = 0;
  int nName = 0;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char **azPk = 0;
  int nPkSlot = 0;
  int rc = 1, nPk = 0, i;
  if( mv_tblarg_parse("mysql_mirror", zSrc, &aName, &nName, &zErr) ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  if( nName!=1 || aName[0].isPattern ){
    mirrorErr(m, "mirrors one table: '%s' names %s", zSrc,
              nName!=1 ? "several" : "a pattern");
    mv_tblarg_free(aName, nName);
    return 1;
  }
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 ){
    mirrorErr(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    mv_tblarg_free(aName, nName);
    return 1;
  }
  if( aName[0].zDb ){
    m->zDb = sqlite3_mprintf("%s", aName[0].zDb);
  }else{
    res = mv_query(m->ctx, c, "SELECT DATABASE()", zWhat, &zErr);
    if( res==0 ) goto done;
    row = mysql_fetch_row(res);
    if( row==0 || row[0]==0 ){
      mirrorErr(m, "no schema for '%s': write db.%s or set database= in the"
                   " DSN", zSrc, zSrc);
      goto done;
    }
    m->zDb = sqlite3_mprintf("%s", row[0]);
    mysql_free_result(res);
    res = 0;
  }
  m->zTbl = sqlite3_mprintf("%s", aName[0].zTbl);
  if( m->zDb==0 || m->zTbl==0 ){ mirrorErr(m, "out of memory"); goto done; }
  zDbLit = mv_literal(c->mysql, m->zDb);
  zTblLit = mv_literal(c->mysql, m->zTbl);
  if( zDbLit==0 || zTblLit==0 ){ mirrorErr(m, "out of memory"); goto done; }

  /* The engine: a consistent snapshot needs InnoDB. */
  zSql = sqlite3_mprintf("SELECT ENGINE FROM information_schema.TABLES"
      " WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s", zDbLit, zTblLit);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  row = mysql_fetch_row(res);
  if( row==0 ){
    mirrorErr(m, "no such table %s.%s (or the user cannot see it)", m->zDb, m->zTbl);
    goto done;
  }
  if( row[0]==0 || sqlite3_stricmp(row[0], "InnoDB")!=0 ){
    mirrorErr(m, "%s.%s is %s: a mirror needs an InnoDB table (a"
                 " consistent snapshot)", m->zDb, m->zTbl,
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
    int nCol = sc ? mv_schema_columns(sc, m->zDb, m->zTbl, &aCol, &zErr) : -1;
    if( sc==0 ) mirrorErr(m, "out of memory");
    for(i=0; i<nCol; i++){
      mv_coltype ct;
      mv_type_from_name(aCol[i].data_type, aCol[i].column_type,
                        aCol[i].is_json, &ct);
      if( mirrorAddCol(m, aCol[i].name ? aCol[i].name : "", ct.sq) ) break;
    }
    mv_schema_free(sc);
    if( nCol<0 ) goto done;
  }
  for(i=0; i<nPkSlot && m->zErr==0; i++){
    if( azPk[i]==0 ){ mirrorErr(m, "primary key of %s.%s: a gap", m->zDb, m->zTbl); break; }
    mirrorAddPk(m, azPk[i]);
  }
  if( m->zErr ) goto done;
  if( m->nCol==0 ){
    mirrorErr(m, "no such table %s.%s (or the user cannot see it)", m->zDb, m->zTbl);
    goto done;
  }
  if( nPk==0 ){
    mirrorErr(m, "%s.%s has no primary key: a mirror applies changes by key;"
                 " run ALTER TABLE `%s`.`%s` ADD PRIMARY KEY (...)",
                 m->zDb, m->zTbl, m->zDb, m->zTbl);
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
  mv_tblarg_free(aName, nName);
  sqlite3_free(zSql);
  sqlite3_free(zDbLit);
  sqlite3_free(zTblLit);
  mv_conn_release(m->ctx, c);
  return rc || m->zErr!=0;
}

/* Prepare the extraction and write statements. */
static int mirrorPrepare(mirror *m){
  sqlite3_str *aS[4];
  int i, j, rc = SQLITE_OK;
  for(j=0; j<2; j++){
    sqlite3_str *s = sqlite3_str_new(m->db);
    sqlite3_str_appendall(s, "SELECT ");
    for(i=0; i<m->nCol; i++){
      char *zPath = j==0 ? sqlite3_mprintf("$.\"%s\"", m->azCol[i])
                         : sqlite3_mprintf("$.\"@%d\"", i+1);
      if( i ) sqlite3_str_appendall(s, ", ");
      if( m->aKind[i]==K_JSON ){
        sqlite3_str_appendf(s, "CASE json_type(?1, %Q) WHEN 'null' THEN NULL"
                               " ELSE ?1 -> %Q END", zPath, zPath);
      }else if( m->aKind[i]==K_U64 ){
        sqlite3_str_appendf(s, "CASE WHEN json_type(?1, %Q)='integer' AND"
            " typeof(json_extract(?1, %Q))='real' THEN ?1 -> %Q"
            " ELSE json_extract(?1, %Q) END", zPath, zPath, zPath, zPath);
      }else{
        sqlite3_str_appendf(s, "json_extract(?1, %Q)", zPath);
      }
      sqlite3_free(zPath);
    }
    /* Last column: 1 unless the image has exactly the recorded columns
    ** (a table altered since: the names or their number differ). */
    sqlite3_str_appendf(s, ", (SELECT count(*)<>%d OR sum(key NOT IN (", m->nCol);
    for(i=0; i<m->nCol; i++){
      char *zKey = j==0 ? sqlite3_mprintf("%Q", m->azCol[i])
                        : sqlite3_mprintf("'@%d'", i+1);
      sqlite3_str_appendf(s, "%s%s", i ? "," : "", zKey ? zKey : "NULL");
      sqlite3_free(zKey);
    }
    sqlite3_str_appendall(s, ")) FROM json_each(?1))");
    aS[j] = s;
  }
  aS[2] = sqlite3_str_new(m->db);
  sqlite3_str_appendf(aS[2], "INSERT OR REPLACE INTO main.\"%w\" VALUES(", m->zLocal);
  for(i=0; i<m->nCol; i++) sqlite3_str_appendf(aS[2], "%s?%d", i ? "," : "", i+1);
  sqlite3_str_appendall(aS[2], ")");
  aS[3] = sqlite3_str_new(m->db);
  sqlite3_str_appendf(aS[3], "DELETE FROM main.\"%w\" WHERE ", m->zLocal);
  for(i=0; i<m->nPk; i++){
    sqlite3_str_appendf(aS[3], "%s\"%w\"=?%d", i ? " AND " : "",
                        m->azCol[m->aPk[i]], i+1);
  }
  for(j=0; j<4; j++){
    char *z = sqlite3_str_finish(aS[j]);
    sqlite3_stmt **pp = j==0 ? &m->pExtName : j==1 ? &m->pExtPos
                      : j==2 ? &m->pUpsert : &m->pDelete;
    if( z==0 ){ rc = SQLITE_NOMEM; continue; }
    if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(m->db, z, -1, pp, 0);
    sqlite3_free(z);
  }
  if( rc!=SQLITE_OK ){
    return mirrorErr(m, "preparing the statements of %s: %s", m->zLocal,
                     rc==SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(m->db));
  }
  return 0;
}

static int hexVal(char c){
  if( c>='0' && c<='9' ) return c-'0';
  if( c>='a' && c<='f' ) return c-'a'+10;
  if( c>='A' && c<='F' ) return c-'A'+10;
  return -1;
}

/* Bind column iCol's value from the extraction row to parameter iParam of
** pStmt, decoding hex for BLOB columns. */
static int mirrorBind(mirror *m, sqlite3_stmt *pExt, int iCol,
                      sqlite3_stmt *pStmt, int iParam){
  if( m->aKind[iCol]==K_BLOB && sqlite3_column_type(pExt, iCol)==SQLITE_TEXT ){
    const char *z = (const char*)sqlite3_column_text(pExt, iCol);
    int n = sqlite3_column_bytes(pExt, iCol), i;
    unsigned char *a;
    if( n%2 ) return mirrorErr(m, "column %s: odd-length hex", m->azCol[iCol]);
    a = sqlite3_malloc64(n/2 + 1);
    if( a==0 ) return mirrorErr(m, "out of memory");
    for(i=0; i<n/2; i++){
      int hi = hexVal(z[2*i]), lo = hexVal(z[2*i+1]);
      if( hi<0 || lo<0 ){
        sqlite3_free(a);
        return mirrorErr(m, "column %s: not hex", m->azCol[iCol]);
      }
      a[i] = (unsigned char)(hi*16 + lo);
    }
    return sqlite3_bind_blob(pStmt, iParam, a, n/2, sqlite3_free)!=SQLITE_OK
           ? mirrorErr(m, "out of memory") : 0;
  }
  if( sqlite3_bind_value(pStmt, iParam, sqlite3_column_value(pExt, iCol))!=SQLITE_OK ){
    return mirrorErr(m, "out of memory");
  }
  return 0;
}

/* Extract the values of a row image (JSON object text). Images keyed by
** position ("@1", ...) — the decoder's names when the live table no longer
** matches the event — are read by the columns' order at the snapshot. */
static sqlite3_stmt *mirrorExtract(mirror *m, const char *zJson){
  sqlite3_stmt *p = strstr(zJson, "\"@1\":") && m->nCol>0
                    && strcmp(m->azCol[0], "@1")!=0 ? m->pExtPos : m->pExtName;
  int rc;
  sqlite3_reset(p);
  sqlite3_bind_text(p, 1, zJson, -1, SQLITE_STATIC);
  rc = sqlite3_step(p);
  if( rc!=SQLITE_ROW ){
    mirrorErr(m, "reading a row image: %s", sqlite3_errmsg(m->db));
    sqlite3_reset(p);
    return 0;
  }
  if( sqlite3_column_int(p, m->nCol)!=0 ){
    m->mismatch = 1;
    sqlite3_reset(p);
    return 0;
  }
  return p;
}

/* Delete the row whose key is in image zJson. */
static int mirrorDelete(mirror *m, const char *zJson){
  sqlite3_stmt *pExt = mirrorExtract(m, zJson);
  int i, rc;
  if( pExt==0 ) return 1;
  for(i=0; i<m->nPk; i++){
    if( mirrorBind(m, pExt, m->aPk[i], m->pDelete, i+1) ){ sqlite3_reset(pExt); return 1; }
  }
  sqlite3_reset(pExt);
  rc = sqlite3_step(m->pDelete);
  sqlite3_reset(m->pDelete);
  sqlite3_clear_bindings(m->pDelete);
  if( rc!=SQLITE_DONE ) return mirrorErr(m, "deleting from %s: %s", m->zLocal, sqlite3_errmsg(m->db));
  return 0;
}

/* Insert or replace the row of image zJson. */
static int mirrorUpsert(mirror *m, const char *zJson){
  sqlite3_stmt *pExt = mirrorExtract(m, zJson);
  int i, rc;
  if( pExt==0 ) return 1;
  for(i=0; i<m->nCol; i++){
    if( mirrorBind(m, pExt, i, m->pUpsert, i+1) ){ sqlite3_reset(pExt); return 1; }
  }
  sqlite3_reset(pExt);
  rc = sqlite3_step(m->pUpsert);
  sqlite3_reset(m->pUpsert);
  sqlite3_clear_bindings(m->pUpsert);
  if( rc!=SQLITE_DONE ) return mirrorErr(m, "writing to %s: %s", m->zLocal, sqlite3_errmsg(m->db));
  return 0;
}

/* Columns and kinds as JSON for the state row. */
static char *mirrorColumnsJson(mirror *m, int pkOnly){
  sqlite3_str *s = sqlite3_str_new(0);
  int i, n = pkOnly ? m->nPk : m->nCol;
  sqlite3_str_appendchar(s, 1, '[');
  for(i=0; i<n; i++){
    int k = pkOnly ? m->aPk[i] : i;
    const char *z = m->azCol[k];
    if( i ) sqlite3_str_appendchar(s, 1, ',');
    if( !pkOnly ) sqlite3_str_appendchar(s, 1, '[');
    sqlite3_str_appendchar(s, 1, '"');
    for(; *z; z++){
      if( *z=='"' || *z=='\\' ) sqlite3_str_appendf(s, "\\%c", *z);
      else if( (unsigned char)*z<0x20 ) sqlite3_str_appendf(s, "\\u%04x", *z);
      else sqlite3_str_appendchar(s, 1, *z);
    }
    sqlite3_str_appendchar(s, 1, '"');
    if( !pkOnly ) sqlite3_str_appendf(s, ",\"%s\"]", mv_sq_name(m->aKind[k]));
  }
  sqlite3_str_appendchar(s, 1, ']');
  return sqlite3_str_finish(s);
}


/* `db`.`tbl` (backticks doubled) for mysql_snapshot's table argument, so
** that a name holding a dot or a backtick means that one table. */
static char *mirrorQuotedName(mirror *m){
  sqlite3_str *s = sqlite3_str_new(0);
  mv_quote_ident(s, m->zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, m->zTbl);
  return sqlite3_str_finish(s);
}

/* The first call: create the table, copy the snapshot, record the
** position. Returns the number of rows copied, or -1. */
static sqlite3_int64 mirrorFirst(mirror *m, const char *zSrc,
                                 const char *zDsnArg){
  sqlite3_str *s;
  char *zSql, *zPos = 0, *zCols = 0, *zPk = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 n = 0;
  int i, rc;
  const char *zDsn = mv_dsn_text(zDsnArg);

  if( mirrorLoadSource(m, zSrc, zDsn) ) return -1;
  s = sqlite3_str_new(m->db);
  sqlite3_str_appendf(s, "CREATE TABLE main.\"%w\"(", m->zLocal);
  for(i=0; i<m->nCol; i++){
    const char *zType = mv_sq_decltype(m->aKind[i]);
    sqlite3_str_appendf(s, "\"%w\"%s%s, ", m->azCol[i], *zType ? " " : "",
                        zType);
  }
  sqlite3_str_appendall(s, "PRIMARY KEY(");
  for(i=0; i<m->nPk; i++){
    sqlite3_str_appendf(s, "%s\"%w\"", i ? ", " : "", m->azCol[m->aPk[i]]);
  }
  sqlite3_str_appendall(s, "))");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ mirrorErr(m, "out of memory"); return -1; }
  rc = mirrorExec(m, zSql);
  sqlite3_free(zSql);
  if( rc || mirrorPrepare(m) ) return -1;

  /* The position before the snapshot: the resume point of an empty table
  ** (replaying from before the snapshot is harmless: the apply is
  ** idempotent by key). */
  rc = sqlite3_prepare_v2(m->db, zDsnArg ? "SELECT mysql_position(?1)"
                                         : "SELECT mysql_position()", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    if( zDsnArg ) sqlite3_bind_text(pStmt, 1, zDsnArg, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      zPos = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
    }
  }
  if( zPos==0 ){
    mirrorErr(m, "%s", sqlite3_errmsg(m->db));
    sqlite3_finalize(pStmt);
    return -1;
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;

  zSql = sqlite3_mprintf("SELECT row, pos FROM mysql_snapshot(?1%s)",
                         zDsnArg ? ", ?2" : "");
  if( zSql==0 ){ sqlite3_free(zPos); mirrorErr(m, "out of memory"); return -1; }
  rc = sqlite3_prepare_v2(m->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    char *zFull = mirrorQuotedName(m);
    sqlite3_bind_text(pStmt, 1, zFull, -1, sqlite3_free);
    if( zDsnArg ) sqlite3_bind_text(pStmt, 2, zDsnArg, -1, SQLITE_STATIC);
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      const char *zRow = (const char*)sqlite3_column_text(pStmt, 0);
      if( n==0 ){
        sqlite3_free(zPos);
        zPos = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 1));
        if( zPos==0 ){ mirrorErr(m, "out of memory"); break; }
      }
      if( zRow==0 || mirrorUpsert(m, zRow) ) break;
      n++;
    }
  }
  if( m->zErr==0 && rc!=SQLITE_DONE ) mirrorErr(m, "%s", sqlite3_errmsg(m->db));
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( m->zErr ){ sqlite3_free(zPos); return -1; }

  zCols = mirrorColumnsJson(m, 0);
  zPk = mirrorColumnsJson(m, 1);
  rc = sqlite3_prepare_v2(m->db,
      "INSERT INTO main.mysql_mirror_state(local_tbl, src, pos, snapshot_pos,"
      " columns, pk, applied, updated) VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6,"
      " strftime('%Y-%m-%d %H:%M:%S', 'now'))", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, m->zLocal, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, sqlite3_mprintf("%s.%s", m->zDb, m->zTbl), -1, sqlite3_free);
    sqlite3_bind_text(pStmt, 3, zPos, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, zCols, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 5, zPk, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 6, n);
    rc = sqlite3_step(pStmt);
  }
  if( rc!=SQLITE_DONE ) mirrorErr(m, "recording the state: %s", sqlite3_errmsg(m->db));
  sqlite3_finalize(pStmt);
  sqlite3_free(zPos);
  sqlite3_free(zCols);
  sqlite3_free(zPk);
  return m->zErr ? -1 : n;
}

/* Can c be part of an unquoted MySQL identifier? */
static int isWordChar(char c){
  unsigned char u = (unsigned char)c;
  return u=='_' || u=='$' || (u>='a' && u<='z') || (u>='A' && u<='Z')
      || (u>='0' && u<='9') || u>=0x80;
}

/* Does the DDL statement zSql (in schema zDdlDb, about table zDdlTbl if
** the decoder knew it) concern the source table? */
static int mirrorDdlHits(mirror *m, const char *zDdlDb, const char *zDdlTbl,
                         const char *zSql){
  const char *z, *zVerb;
  size_t n = strlen(m->zTbl);
  if( zSql==0 ) zSql = "";
  for(zVerb=zSql; *zVerb==' ' || *zVerb=='\t' || *zVerb=='\n'; zVerb++){}
  /* The whole schema dropped. */
  if( (sqlite3_strnicmp(zVerb, "DROP DATABASE", 13)==0
       || sqlite3_strnicmp(zVerb, "DROP SCHEMA", 11)==0)
   && zDdlDb && strcmp(zDdlDb, m->zDb)==0 ){
    return 1;
  }
  if( zDdlTbl && zDdlTbl[0] ){
    if( strcmp(zDdlTbl, m->zTbl)==0
     && (zDdlDb==0 || zDdlDb[0]==0 || strcmp(zDdlDb, m->zDb)==0) ) return 1;
    /* Statements that name several tables: the decoder reports one. */
    if( sqlite3_strnicmp(zVerb, "RENAME", 6)!=0
     && sqlite3_strnicmp(zVerb, "DROP", 4)!=0 ) return 0;
  }
  /* Unknown table: look for the name as a word of the statement. */
  for(z=zSql; (z = strstr(z, m->zTbl))!=0; z++){
    char before = z==zSql ? ' ' : z[-1];
    if( !isWordChar(before) && !isWordChar(z[n]) ) return 1;
  }
  return 0;
}

/* A later call: apply the changes since the recorded position. */
static sqlite3_int64 mirrorApply(mirror *m, const char *zSrcArg,
                                 const char *zDsnArg, const char *zState,
                                 const char *zPos, const char *zColumns,
                                 const char *zPkJson){
  sqlite3_stmt *pStmt = 0;
  const char *zDot = strchr(zState, '.');
  char *zSql, *zLast = 0, *zDdl = 0;
  char *zStop = 0;           /* position of an image not matching the columns */
  sqlite3_int64 nApplied = 0, nTxn = 0;
  int inTxn = 0, rc, bad;

  /* The source must be the one this mirror was made from (the argument
  ** parsed as the first call parsed it; without db, the table alone). */
  if( zDot==0 ) return mirrorErr(m, "bad src '%s' in mysql_mirror_state", zState), -1;
  {
    mv_tblname *aName = 0;
    int nName = 0, same;
    char *zErr = 0;
    if( mv_tblarg_parse("mysql_mirror", zSrcArg, &aName, &nName, &zErr) ){
      mirrorErr(m, "%s", zErr ? zErr : "out of memory");
      sqlite3_free(zErr);
      return -1;
    }
    same = nName==1 && strcmp(aName[0].zTbl, zDot+1)==0
        && (aName[0].zDb==0
            || ((size_t)(zDot-zState)==strlen(aName[0].zDb)
                && memcmp(aName[0].zDb, zState, (size_t)(zDot-zState))==0));
    mv_tblarg_free(aName, nName);
    if( !same ){
      mirrorErr(m, "%s mirrors %s, not %s", m->zLocal, zState, zSrcArg);
      return -1;
    }
  }
  m->zDb = sqlite3_mprintf("%.*s", (int)(zDot-zState), zState);
  m->zTbl = sqlite3_mprintf("%s", zDot+1);
  if( m->zDb==0 || m->zTbl==0 ){ mirrorErr(m, "out of memory"); return -1; }

  /* Columns as recorded at the snapshot. */
  rc = sqlite3_prepare_v2(m->db,
      "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
      " FROM json_each(?1)", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zColumns, -1, SQLITE_STATIC);
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
      const char *zKind = (const char*)sqlite3_column_text(pStmt, 1);
      int k;
      k = mv_sq_from_name(zKind);
      if( zName==0 || k<0 ){ mirrorErr(m, "bad columns in mysql_mirror_state for %s", m->zLocal); break; }
      if( mirrorAddCol(m, zName, k) ) break;
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( m->zErr ) return -1;
  rc = sqlite3_prepare_v2(m->db, "SELECT value FROM json_each(?1)", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zPkJson, -1, SQLITE_STATIC);
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      if( mirrorAddPk(m, (const char*)sqlite3_column_text(pStmt, 0)) ) break;
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( m->zErr ) return -1;
  if( m->nCol==0 || m->nPk==0 ){
    mirrorErr(m, "bad columns in mysql_mirror_state for %s", m->zLocal);
    return -1;
  }
  if( mirrorPrepare(m) ) return -1;

  zSql = sqlite3_mprintf("SELECT op, db, tbl, before, after, next_pos, sql, pos"
                         " FROM mysql_changes(?1%s)", zDsnArg ? ", ?2" : "");
  if( zSql==0 ){ mirrorErr(m, "out of memory"); return -1; }
  rc = sqlite3_prepare_v2(m->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ){ mirrorErr(m, "%s", sqlite3_errmsg(m->db)); return -1; }
  sqlite3_bind_text(pStmt, 1, zPos, -1, SQLITE_STATIC);
  if( zDsnArg ) sqlite3_bind_text(pStmt, 2, zDsnArg, -1, SQLITE_STATIC);
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zOp = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zDb = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zTbl = (const char*)sqlite3_column_text(pStmt, 2);
    const char *zBefore = (const char*)sqlite3_column_text(pStmt, 3);
    const char *zAfter = (const char*)sqlite3_column_text(pStmt, 4);
    const char *zNext = (const char*)sqlite3_column_text(pStmt, 5);
    if( zOp==0 ) continue;
    if( strcmp(zOp, "commit")==0 ){
      if( zStop ) continue;
      if( inTxn ){
        if( mirrorExec(m, "RELEASE mysql_mirror_txn") ) break;
        inTxn = 0;
        nApplied += nTxn;
        nTxn = 0;
      }
      sqlite3_free(zLast);
      zLast = sqlite3_mprintf("%s", zNext ? zNext : "");
      if( zLast==0 ){ mirrorErr(m, "out of memory"); break; }
      continue;
    }
    if( strcmp(zOp, "ddl")==0 ){
      const char *zDdlSql = (const char*)sqlite3_column_text(pStmt, 6);
      if( mirrorDdlHits(m, zDb, zTbl, zDdlSql) ){
        zDdl = sqlite3_mprintf("%s.%s changed at %s: %s", m->zDb, m->zTbl,
                               (const char*)sqlite3_column_text(pStmt, 7),
                               zDdlSql ? zDdlSql : "(a DDL statement)");
        if( zDdl==0 ) mirrorErr(m, "out of memory");
        break;
      }
      continue;
    }
    if( zDb==0 || zTbl==0 || strcmp(zDb, m->zDb)!=0 || strcmp(zTbl, m->zTbl)!=0 ){
      continue;
    }
    if( zStop ) continue;
    if( !inTxn ){
      if( mirrorExec(m, "SAVEPOINT mysql_mirror_txn") ) break;
      inTxn = 1;
    }
    if( strcmp(zOp, "insert")==0 ){
      if( zAfter==0 ){ mirrorErr(m, "insert without an after-image"); break; }
      bad = mirrorUpsert(m, zAfter);
    }else if( strcmp(zOp, "update")==0 ){
      if( zBefore==0 || zAfter==0 ){ mirrorErr(m, "update without both images"); break; }
      bad = mirrorDelete(m, zBefore) || mirrorUpsert(m, zAfter);
    }else if( strcmp(zOp, "delete")==0 ){
      if( zBefore==0 ){ mirrorErr(m, "delete without a before-image"); break; }
      bad = mirrorDelete(m, zBefore);
    }else{
      continue;
    }
    if( bad ){
      if( m->zErr ) break;
      /* Not the recorded columns: the table was altered. Stop before this
      ** transaction and read on only to name the DDL statement. */
      zStop = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 7));
      if( zStop==0 ){ mirrorErr(m, "out of memory"); break; }
      if( mirrorExec(m, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn") ) break;
      inTxn = 0;
      nTxn = 0;
      continue;
    }
    nTxn++;
  }
  if( zStop && zDdl==0 && m->zErr==0 ){
    char *zCols = mirrorColumnsJson(m, 0);
    zDdl = sqlite3_mprintf("%s.%s changed: the row image at %s does not have"
                           " the columns recorded at the snapshot %s", m->zDb,
                           m->zTbl, zStop, zCols ? zCols : "");
    sqlite3_free(zCols);
    if( zDdl==0 ) mirrorErr(m, "out of memory");
  }
  sqlite3_free(zStop);
  if( m->zErr==0 && rc!=SQLITE_ROW && rc!=SQLITE_DONE ){
    mirrorErr(m, "%s", sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( inTxn ){
    /* A transaction not committed in what the log held: leave it for the
    ** next call (or drop it with the whole call on error). */
    sqlite3_exec(m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
  }
  if( m->zErr==0 && zLast && strcmp(zLast, zPos)!=0 ){
    rc = sqlite3_prepare_v2(m->db,
        "UPDATE main.mysql_mirror_state SET pos=?1, applied=applied+?2,"
        " updated=CASE WHEN ?2>0 THEN strftime('%Y-%m-%d %H:%M:%S', 'now')"
        " ELSE updated END WHERE local_tbl=?3", -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, zLast, -1, SQLITE_STATIC);
      sqlite3_bind_int64(pStmt, 2, nApplied);
      sqlite3_bind_text(pStmt, 3, m->zLocal, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
    }
    if( rc!=SQLITE_DONE ) mirrorErr(m, "recording the position: %s", sqlite3_errmsg(m->db));
    sqlite3_finalize(pStmt);
  }
  if( m->zErr==0 && zDdl ){
    /* Applied and recorded up to the DDL: report it. The caller commits
    ** what was applied before failing. */
    mirrorErr(m, "%s; %s is complete up to %s. To rebuild it: DROP TABLE"
                 " \"%w\"; DELETE FROM mysql_mirror_state WHERE local_tbl='%q';"
                 " then call mysql_mirror again", zDdl, m->zLocal,
                 zLast ? zLast : zPos, m->zLocal, m->zLocal);
    sqlite3_free(zDdl);
    sqlite3_free(zLast);
    return -2;
  }
  sqlite3_free(zDdl);
  sqlite3_free(zLast);
  return m->zErr ? -1 : nApplied;
}

static void mirrorFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mirror m;
  sqlite3_stmt *pStmt = 0;
  const char *zSrc = (const char*)sqlite3_value_text(argv[0]);
  const char *zLocal = (const char*)sqlite3_value_text(argv[1]);
  const char *zDsnArg = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
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
  m.zLocal = sqlite3_mprintf("%s", zLocal);
  if( m.zLocal==0 ){ sqlite3_result_error_nomem(pCtx); return; }

  if( sqlite3_exec(m.db, "SAVEPOINT mysql_mirror", 0, 0, 0)!=SQLITE_OK ){
    mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
    goto done;
  }
  if( mirrorExec(&m,
      "CREATE TABLE IF NOT EXISTS main.mysql_mirror_state("
      "local_tbl TEXT PRIMARY KEY, src TEXT NOT NULL, pos TEXT NOT NULL,"
      " snapshot_pos TEXT, columns TEXT NOT NULL, pk TEXT NOT NULL,"
      " applied INTEGER NOT NULL DEFAULT 0, updated TEXT)") ) goto rollback;
  rc = sqlite3_prepare_v2(m.db,
      "SELECT src, pos, columns, pk,"
      " EXISTS(SELECT 1 FROM main.sqlite_schema WHERE type='table' AND name=?1)"
      " FROM main.mysql_mirror_state WHERE local_tbl=?1", -1, &pStmt, 0);
  if( rc!=SQLITE_OK ){ mirrorErr(&m, "%s", sqlite3_errmsg(m.db)); goto rollback; }
  sqlite3_bind_text(pStmt, 1, zLocal, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if( rc==SQLITE_ROW ){
    if( sqlite3_column_int(pStmt, 4)==0 ){
      mirrorErr(&m, "the mirror table %s is gone; DELETE FROM mysql_mirror_state"
                    " WHERE local_tbl='%q' to start over", zLocal, zLocal);
    }else{
      char *zState = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      char *zPos = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
      char *zCols = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
      char *zPk = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
      sqlite3_finalize(pStmt);
      pStmt = 0;
      if( zState && zPos && zCols && zPk ){
        n = mirrorApply(&m, zSrc, zDsnArg, zState, zPos, zCols, zPk);
      }else{
        mirrorErr(&m, "out of memory");
      }
      sqlite3_free(zState); sqlite3_free(zPos);
      sqlite3_free(zCols); sqlite3_free(zPk);
    }
  }else if( rc==SQLITE_DONE ){
    sqlite3_finalize(pStmt);
    pStmt = 0;
    rc = sqlite3_prepare_v2(m.db, "SELECT 1 FROM main.sqlite_schema WHERE name=?1",
                            -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, zLocal, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    if( rc==SQLITE_ROW ){
      mirrorErr(&m, "%s exists and is not a mirror (no row in"
                    " mysql_mirror_state): choose another name or drop it", zLocal);
    }else{
      n = mirrorFirst(&m, zSrc, zDsnArg);
    }
  }else{
    mirrorErr(&m, "%s", sqlite3_errmsg(m.db));
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
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
  mirrorClear(&m);
}

int mv_register_mirror(sqlite3 *db, mv_ctx *ctx){
  int rc = SQLITE_OK, i;
  for(i=2; i<=3 && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function_v2(db, "mysql_mirror", i,
            SQLITE_UTF8|SQLITE_DIRECTONLY, mv_ctx_ref(ctx),
            mirrorFunc, 0, 0, mv_ctx_unref);
  }
  return rc;
}
