/*
** mirror_table.c — one local table of a mysql_mirror set: its columns and
** primary key (recorded, or read from the source's definition), its write
** statements and the row writes, the map from an event's columns to its
** own, and the table made and filled from a consistent snapshot.
*/
#include "mirror.h"
#include "pure/altercols.h"
#include "pure/checkrules.h"
#include "schema.h"
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* ---- columns ---- */

/* Forget what t's columns were (before reading them again). */
void mv_mirror_table_forget_columns(mtable *t){
  int i;
  for(i=0; i<t->nCol; i++) sqlite3_free(t->azCol[i]);
  for(i=0; i<t->nJson; i++) sqlite3_free(t->azJson[i]);
  for(i=0; t->azType && i<t->nCol; i++){
    sqlite3_free(t->azType[i]);
    sqlite3_free(t->azCs[i]);
  }
  sqlite3_free(t->azType); sqlite3_free(t->azCs); sqlite3_free(t->zTblCs);
  t->azType = t->azCs = 0;
  t->zTblCs = 0;
  t->hasTypes = t->verify = t->verified = 0;
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

void mv_mirror_table_clear(mtable *t){
  mv_mirror_table_forget_columns(t);
  sqlite3_free(t->zLocal);
  sqlite3_free(t->zDb);
  sqlite3_free(t->zTbl);
  memset(t, 0, sizeof *t);
}

int mv_mirror_table_add_col(mirror *m, mtable *t, const char *zName, int kind){
  char **az = sqlite3_realloc64(t->azCol, (t->nCol+1)*sizeof(char*));
  int *ak;
  if( az==0 ) return mv_mirror_err(m, "out of memory");
  t->azCol = az;
  if( t->azType ){
    /* (types are set after the columns; one added later has none yet) */
    char **a1 = sqlite3_realloc64(t->azType, (t->nCol+1)*sizeof(char*));
    char **a2 = a1 ? sqlite3_realloc64(t->azCs, (t->nCol+1)*sizeof(char*)) : 0;
    if( a1 ) t->azType = a1;
    if( a2 ) t->azCs = a2;
    if( a1==0 || a2==0 ) return mv_mirror_err(m, "out of memory");
    t->azType[t->nCol] = t->azCs[t->nCol] = 0;
  }
  ak = sqlite3_realloc64(t->aKind, (t->nCol+1)*sizeof(int));
  if( ak==0 ) return mv_mirror_err(m, "out of memory");
  t->aKind = ak;
  t->azCol[t->nCol] = sqlite3_mprintf("%s", zName);
  t->aKind[t->nCol] = kind;
  if( t->azCol[t->nCol]==0 ) return mv_mirror_err(m, "out of memory");
  t->nCol++;
  return 0;
}

int mv_mirror_table_add_pk(mirror *m, mtable *t, const char *zName){
  int i;
  int *a;
  for(i=0; i<t->nCol && strcmp(t->azCol[i], zName)!=0; i++){}
  if( i>=t->nCol ){
    return mv_mirror_err(m, "primary-key column %s of %s.%s is not among its"
                         " columns", zName, t->zDb, t->zTbl);
  }
  a = sqlite3_realloc64(t->aPk, (t->nPk+1)*sizeof(int));
  if( a==0 ) return mv_mirror_err(m, "out of memory");
  t->aPk = a;
  t->aPk[t->nPk++] = i;
  return 0;
}

/* Column iCol's source type (COLUMN_TYPE) and charset (NULL: none). */
int mv_mirror_table_set_type(mirror *m, mtable *t, int iCol, const char *zType,
                             const char *zCs){
  if( t->azType==0 ){
    t->azType = sqlite3_malloc64((t->nCol+1)*sizeof(char*));
    t->azCs = sqlite3_malloc64((t->nCol+1)*sizeof(char*));
    if( t->azType==0 || t->azCs==0 ) return mv_mirror_err(m, "out of memory");
    memset(t->azType, 0, (t->nCol+1)*sizeof(char*));
    memset(t->azCs, 0, (t->nCol+1)*sizeof(char*));
  }
  sqlite3_free(t->azType[iCol]);
  sqlite3_free(t->azCs[iCol]);
  t->azType[iCol] = sqlite3_mprintf("%s", zType ? zType : "");
  t->azCs[iCol] = zCs ? sqlite3_mprintf("%s", zCs) : 0;
  if( t->azType[iCol]==0 || (zCs && t->azCs[iCol]==0) ) return mv_mirror_err(m, "out of memory");
  return 0;
}

/* A JSON string (pure/encode.c's escaping) or null. */
static void jsonStringOrNull(mv_buf *b, const char *z){
  if( z ) mv_json_string(b, z, strlen(z));
  else mv_buf_str(b, "null");
}

/* The state's source_types: {"charset": the table's default, "columns":
** [[COLUMN_TYPE, charset or null], ...]}; NULL when not known. */
char *mv_mirror_table_types_json(mtable *t){
  mv_buf b;
  char *z;
  int i;
  if( !t->hasTypes || t->azType==0 ) return 0;
  mv_buf_init(&b);
  mv_buf_str(&b, "{\"charset\":");
  jsonStringOrNull(&b, t->zTblCs);
  mv_buf_str(&b, ",\"columns\":[");
  for(i=0; i<t->nCol; i++){
    /* (COLUMN_TYPE holds quotes and backslashes in ENUM labels) */
    mv_buf_str(&b, i ? ",[" : "[");
    jsonStringOrNull(&b, t->azType[i] ? t->azType[i] : "");
    mv_buf_char(&b, ',');
    jsonStringOrNull(&b, t->azCs[i]);
    mv_buf_char(&b, ']');
  }
  mv_buf_str(&b, t->verify ? "],\"check\":1}" : "]}");
  z = b.oom ? 0 : sqlite3_mprintf("%s", mv_buf_cstr(&b));
  mv_buf_free(&b);
  return z;
}

/* The source types from the state's source_types (NULL: not known; then
** t->hasTypes stays 0). */
int mv_mirror_table_load_types(mirror *m, mtable *t, const char *zJson){
  sqlite3_stmt *p = 0;
  int i = 0;
  if( zJson==0 ) return 0;
  if( sqlite3_prepare_v2(m->db, "SELECT json_extract(?1, '$.charset'),"
      " json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
      " json_extract(?1, '$.check') IS 1"
      " FROM json_each(?1, '$.columns')", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "%s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, zJson, -1, SQLITE_STATIC);
  while( m->zErr==0 && sqlite3_step(p)==SQLITE_ROW && i<t->nCol ){
    if( i==0 ) t->verify = sqlite3_column_int(p, 3);
    if( i==0 && sqlite3_column_type(p, 0)!=SQLITE_NULL ){
      t->zTblCs = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
      if( t->zTblCs==0 ) mv_mirror_err(m, "out of memory");
    }
    mv_mirror_table_set_type(m, t, i++, (const char*)sqlite3_column_text(p, 1),
                             (const char*)sqlite3_column_text(p, 2));
  }
  sqlite3_finalize(p);
  t->hasTypes = m->zErr==0 && i==t->nCol;
  if( !t->hasTypes ) t->verify = 0;
  return m->zErr!=0;
}

/* Learn t's columns (with their classes and MariaDB's JSON columns) and
** primary key from MySQL; t->zDb and t->zTbl are set. Plain one-table
** information_schema queries: MariaDB 10.11 has crashed on correlated
** subqueries across COLUMNS, TABLES and STATISTICS. */
int mv_mirror_table_load_source(mirror *m, mtable *t, const char *zDsn){
  static const char zWhat[] = "reading the source's definition";
  mv_conn *c;
  char *zErr = 0, *zSql = 0, *zDbLit = 0, *zTblLit = 0;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char **azPk = 0;
  char zDetail[600];
  int nPkSlot = 0;
  int rc = 1, nPk = 0, i;
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  zDbLit = mv_literal(c->mysql, t->zDb);
  zTblLit = mv_literal(c->mysql, t->zTbl);
  if( zDbLit==0 || zTblLit==0 ){ mv_mirror_err(m, "out of memory"); goto done; }

  /* A base table on InnoDB (pure/checkrules.c, as the snapshot asks). */
  zSql = sqlite3_mprintf("SELECT TABLE_TYPE, ENGINE, TABLE_COLLATION FROM"
      " information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s",
      zDbLit, zTblLit);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  row = mysql_fetch_row(res);
  if( row==0 ){
    mv_mirror_err(m, "no such table %s.%s (or the user cannot see it)", t->zDb, t->zTbl);
    t->gone = 1;
    goto done;
  }
  if( !mv_check_table(t->zDb, t->zTbl, row[0], row[1], zDetail,
                      sizeof zDetail) ){
    mv_mirror_err(m, "%s", zDetail);
    goto done;
  }
  if( row[2] ){
    char zCs[64];
    mva_collation_charset(row[2], zCs, sizeof zCs);
    sqlite3_free(t->zTblCs);
    if( (t->zTblCs = sqlite3_mprintf("%s", zCs))==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  }
  mysql_free_result(res);
  res = 0;

  /* The primary key's columns, in key order. */
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT COLUMN_NAME, SEQ_IN_INDEX FROM"
      " information_schema.STATISTICS WHERE TABLE_SCHEMA=%s AND"
      " TABLE_NAME=%s AND INDEX_NAME='PRIMARY'", zDbLit, zTblLit);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  nPkSlot = (int)mysql_num_rows(res);
  azPk = sqlite3_malloc64((nPkSlot+1)*sizeof(char*));
  if( azPk==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
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
    if( sc==0 ) mv_mirror_err(m, "out of memory");
    for(i=0; i<nCol; i++){
      mv_coltype ct;
      const char *zName = aCol[i].name ? aCol[i].name : "";
      mv_type_from_name(aCol[i].data_type, aCol[i].column_type,
                        aCol[i].is_json, &ct);
      if( mv_mirror_table_add_col(m, t, zName, ct.sq) ) break;
      if( mv_mirror_table_set_type(m, t, i, aCol[i].column_type,
              aCol[i].charset==MV_CS_UNKNOWN || aCol[i].charset==MV_CS_BINARY
              ? 0 : mv_charset_name(aCol[i].charset)) ) break;
      if( aCol[i].is_json ){
        char **az = sqlite3_realloc64(t->azJson, (t->nJson+1)*sizeof(char*));
        if( az==0 ){ mv_mirror_err(m, "out of memory"); break; }
        t->azJson = az;
        if( (az[t->nJson] = sqlite3_mprintf("%s", zName))==0 ){
          mv_mirror_err(m, "out of memory");
          break;
        }
        t->nJson++;
      }
    }
    mv_schema_free(sc);
    if( nCol<0 ) goto done;
    t->hasTypes = t->azType!=0 && m->zErr==0;
  }
  for(i=0; i<nPkSlot && m->zErr==0; i++){
    if( azPk[i]==0 ){ mv_mirror_err(m, "primary key of %s.%s: a gap", t->zDb, t->zTbl); break; }
    mv_mirror_table_add_pk(m, t, azPk[i]);
  }
  if( m->zErr ) goto done;
  if( t->nCol==0 ){
    mv_mirror_err(m, "no such table %s.%s (or the user cannot see it)", t->zDb, t->zTbl);
    goto done;
  }
  if( !mv_check_primary_key(t->zDb, t->zTbl, nPk>0, zDetail,
                            sizeof zDetail) ){
    mv_mirror_err(m, "%s", zDetail);
    goto done;
  }
  rc = 0;
done:
  if( res ) mysql_free_result(res);
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
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

/* ---- writes ---- */

/* The write statements of t, and scratch buffers for its parameters. */
int mv_mirror_table_prepare(mirror *m, mtable *t){
  sqlite3_str *aS[2];
  int i, j, rc = SQLITE_OK;
  if( t->nCol>m->nBuf ){
    mv_buf *a = sqlite3_realloc64(m->aBuf, sizeof(mv_buf)*(size_t)t->nCol);
    if( a==0 ) return mv_mirror_err(m, "out of memory");
    m->aBuf = a;
    for(i=m->nBuf; i<t->nCol; i++) mv_buf_init(&a[i]);
    m->nBuf = t->nCol;
  }
  t->aMap = sqlite3_malloc64(sizeof(int)*(size_t)(t->nCol+1));
  if( t->aMap==0 ) return mv_mirror_err(m, "out of memory");
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
    return mv_mirror_err(m, "preparing the statements of %s: %s", t->zLocal,
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
    return mv_mirror_err(m, "%s.%s: a row image without column %s"
                         " (binlog_row_image=MINIMAL or NOBLOB): a mirror needs"
                         " binlog_row_image=FULL", t->zDb, t->zTbl, t->azCol[iCol]);
  }
  mv_sq_value(v, b, &q);
  if( t->aKind[iCol]==MV_SQ_JSON && q.type==MV_SQV_TEXT && q.n==4
   && memcmp(q.p, "null", 4)==0 ){
    q.type = MV_SQV_NULL;     /* row images cannot tell it from SQL NULL */
  }
  if( b->oom ) return mv_mirror_err(m, "out of memory");
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
  return rc==SQLITE_OK ? 0 : mv_mirror_err(m, "binding %s: %s", t->azCol[iCol],
                                           sqlite3_errmsg(m->db));
}

static int stepWrite(mirror *m, mtable *t, sqlite3_stmt *p){
  int rc = sqlite3_step(p);
  sqlite3_reset(p);
  if( rc!=SQLITE_DONE ){
    return mv_mirror_err(m, "writing to %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  return 0;
}

/* Insert or replace a row; aMap maps local columns to aVal's (NULL: same). */
int mv_mirror_table_upsert(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap){
  int i;
  for(i=0; i<t->nCol; i++){
    if( bindValue(m, t, i, t->pUpsert, i+1, &aVal[aMap ? aMap[i] : i],
                  &m->aBuf[i], SQLITE_STATIC) ) return 1;
  }
  return stepWrite(m, t, t->pUpsert);
}

int mv_mirror_table_delete(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap){
  int i;
  for(i=0; i<t->nPk; i++){
    int k = t->aPk[i];
    if( bindValue(m, t, k, t->pDelete, i+1, &aVal[aMap ? aMap[k] : k],
                  &m->aBuf[i], SQLITE_STATIC) ) return 1;
  }
  return stepWrite(m, t, t->pDelete);
}

/* DATA_TYPE of column i's recorded COLUMN_TYPE ("varchar(40)" ->
** "varchar") into zBase[32]; "" when not recorded. */
static void typeBase(mtable *t, int i, char *zBase){
  const char *z = t->azType && t->azType[i] ? t->azType[i] : "";
  size_t n = 0;
  while( n+1<32 && ((z[n]>='a' && z[n]<='z') || z[n]=='_') ){
    zBase[n] = z[n];
    n++;
  }
  zBase[n] = 0;
}

/* The local columns of event table et: 1 when every recorded column is
** there (by name; by position when the decoder has no names, "@1"...),
** 0 when the table was altered. Cached per naming of et. */
int mv_mirror_table_map(mtable *t, mvb_table *et){
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
  if( t->verify ){
    /* altered in place: each column of the type the statement said */
    for(i=0; i<t->nCol; i++){
      const mvb_column *c = &et->cols[t->aMap[i]];
      char zBase[32];
      typeBase(t, i, zBase);
      if( !mv_type_name_fits(zBase, c->type, c->real_type) ) return 0;
    }
    t->verify = 0;
    t->verified = 1;
  }
  t->mapOk = 1;
  return 1;
}

/* mv_feed_map_fn (changes.h): a table map the live column information
** left without names (written before the table's definition changed) is
** completed from the recorded columns and types, which are the table's at
** this point of the stream (the mirror follows its DDL in order): without
** them a VARBINARY would be text, an unsigned INT negative, a latin1
** string mis-converted. mvb_table_apply refuses a map whose column count or
** type families are not the recorded ones. */
void mv_mirror_map_info(void *pArg, mvb_decoder *d, mvb_table *et){
  mirror *m = (mirror*)pArg;
  mtable *t = mv_mirror_find(m, et->db, strlen(et->db), et->name, strlen(et->name));
  mvb_colinfo *a;
  char (*azBase)[32];
  int i;
  if( t==0 || !t->hasTypes || et->ncol!=t->nCol || t->nCol==0 ) return;
  a = sqlite3_malloc64(sizeof(mvb_colinfo)*(size_t)t->nCol);
  azBase = sqlite3_malloc64(32*(size_t)t->nCol);
  if( a==0 || azBase==0 ){
    sqlite3_free(a);
    sqlite3_free(azBase);
    return;                         /* left unnamed: matched by position */
  }
  for(i=0; i<t->nCol; i++){
    typeBase(t, i, azBase[i]);
    a[i].name = t->azCol[i];
    a[i].data_type = azBase[i];
    a[i].column_type = t->azType[i] ? t->azType[i] : "";
    a[i].charset = t->azCs[i] ? mv_charset_collation(t->azCs[i])
                 : t->aKind[i]==MV_SQ_BLOB ? MV_CS_BINARY : MV_CS_UNKNOWN;
    a[i].is_json = t->aKind[i]==MV_SQ_JSON && strcmp(azBase[i], "json")!=0;
  }
  mvb_table_apply(d, et, t->nCol, a);
  sqlite3_free(a);
  sqlite3_free(azBase);
}

/* Columns and kinds as JSON for the state row. */
char *mv_mirror_table_columns_json(mtable *t, int pkOnly){
  mv_buf b;
  char *z;
  int i, n = pkOnly ? t->nPk : t->nCol;
  mv_buf_init(&b);
  mv_buf_char(&b, '[');
  for(i=0; i<n; i++){
    int k = pkOnly ? t->aPk[i] : i;
    if( i ) mv_buf_char(&b, ',');
    if( !pkOnly ) mv_buf_char(&b, '[');
    jsonStringOrNull(&b, t->azCol[k]);
    if( !pkOnly ){
      mv_buf_char(&b, ',');
      jsonStringOrNull(&b, mv_sq_name(t->aKind[k]));
      mv_buf_char(&b, ']');
    }
  }
  mv_buf_char(&b, ']');
  z = b.oom ? 0 : sqlite3_mprintf("%s", mv_buf_cstr(&b));
  mv_buf_free(&b);
  return z;
}

/* ---- made and filled from a snapshot ---- */

/* `db`.`tbl` (backticks doubled) for a table argument, so that a name
** holding a dot or a backtick means that one table. */
static char *quotedName(const char *zDb, const char *zTbl){
  sqlite3_str *s = sqlite3_str_new(0);
  mv_quote_ident(s, zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, zTbl);
  return sqlite3_str_finish(s);
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
    /* plain ?: numbered in order (r*nCol + i + 1) without the lookup a
    ** ?NNN costs at prepare, which is quadratic in the parameters */
    for(i=0; i<t->nCol; i++) sqlite3_str_appendall(s, i ? ",?" : "?");
    sqlite3_str_appendchar(s, 1, ')');
  }
  sqlite3_str_appendall(s, ") LIMIT ?");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); return 0; }
  if( sqlite3_prepare_v2(m->db, zSql, -1, &p, 0)!=SQLITE_OK ){
    mv_mirror_err(m, "preparing the copy of %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_free(zSql);
  return p;
}

/* Rows per statement of the copy (SQLite allows 32766 parameters). */
#define MIRROR_COPY_ROWS 64

/* Copy into t's local table the rows of "SELECT * FROM db.tbl" and zTail
** (a WHERE, ORDER BY, LIMIT, or ""), with aParam[nParam] bound, read on c
** (inside a snapshot, or not); xRow (may be NULL) sees each row's values
** once it is bound. report: the copy is the table's whole (its progress
** goes to mv_mirror_progress; a chunk's caller reports its own). Returns the rows copied; -1 on error; -2 when the
** result's columns are not t's (the table changed: m->zErr says so); -3
** when there is no such table (renamed or dropped: m->zErr says so). */
sqlite3_int64 mv_mirror_table_copy(mirror *m, mtable *t, mv_conn *c,
                                   const char *zTail, MYSQL_BIND *aParam,
                                   int nParam,
                                   int (*xRow)(void*, const mv_value*),
                                   void *pArg, int report){
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
  zSql = zFull ? sqlite3_mprintf("SELECT * FROM %s%s", zFull, zTail) : 0;
  sqlite3_free(zFull);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); return -1; }
  rc = mv_reader_open(m->ctx, c, &rd, &st, zSql, aParam, nParam, &zErr);
  sqlite3_free(zSql);
  if( rc ){
    int gone = rd.stmt && mv_error_class(mysql_stmt_errno(rd.stmt))==MV_ERR_NO_TABLE;
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    mv_reader_free(&rd);
    return gone ? -3 : -1;
  }
  /* the snapshot's columns must be the ones the table was made with */
  if( rd.nCol!=t->nCol ) rc = 1;
  for(i=0; rc==0 && i<t->nCol; i++){
    if( rd.aCol[i].zName==0 || strcmp(rd.aCol[i].zName, t->azCol[i])!=0 ) rc = 1;
  }
  if( rc ){
    mv_mirror_err(m, "%s.%s changed while the mirror was being made; call"
                     " mysql_mirror again", t->zDb, t->zTbl);
    mv_reader_free(&rd);
    return -2;
  }
  if( report && mv_mirror_progress(m, t, 0, 0) ){
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
    if( m->zErr || (xRow && xRow(pArg, rd.aVal)) ) break;
    if( ++nHeld==nPer ){
      sqlite3_bind_int(pMany, nPer*t->nCol + 1, nHeld);
      if( stepWrite(m, t, pMany) ) break;
      nHeld = 0;
    }
    if( (++n & 0xfff)==0 && mv_interrupted(m->db) ){
      mv_mirror_err(m, "interrupted");
      break;
    }
    if( report && (n & 0xfff)==0 && mv_mirror_progress(m, t, n, 0) ) break;
  }
  if( m->zErr==0 && rc==SQLITE_DONE && nHeld>0 ){
    /* the last rows: the first nHeld of the statement's */
    sqlite3_bind_int(pMany, nPer*t->nCol + 1, nHeld);
    stepWrite(m, t, pMany);
  }
  if( report && m->zErr==0 && rc==SQLITE_DONE ) mv_mirror_progress(m, t, n, 1);
  sqlite3_finalize(pMany);
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE ){
    mv_mirror_err(m, "%s", zErr ? zErr : "reading the snapshot");
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
int mv_mirror_table_create(mirror *m, mtable *t){
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
  if( zSql==0 ) return mv_mirror_err(m, "out of memory");
  rc = mv_mirror_exec(m, zSql);
  sqlite3_free(zSql);
  return rc || mv_mirror_table_prepare(m, t);
}

/* Copy ONE consistent snapshot of the n tables ap[] into their (empty)
** local tables: its binlog position into *pzPos and, with pIds, its GTID
** position and server (mv_snap_begin). Each table's rows in its nBatch;
** returns the rows copied, or -1. */
sqlite3_int64 mv_mirror_snapshot(mirror *m, mtable **ap, int n,
                                 const char *zDsn, char **pzPos,
                                 mv_snap_ids *pIds){
  mv_conn *c;
  char *zErr = 0, *zPos = 0;
  sqlite3_int64 nRows = 0;
  int i, inTxn = 0, ok = 0;
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 || mv_snap_begin(m->ctx, c, 1, &zPos, pIds, &inTxn, &zErr) ) goto done;
  if( zPos==0 ){
    mv_mirror_err(m, "the server gives no binlog position for a snapshot (is"
                     " log_bin on?)");
    goto done;
  }
  for(i=0; i<n; i++){
    sqlite3_int64 nt = mv_mirror_table_copy(m, ap[i], c, "", 0, 0, 0, 0, 1);
    if( nt<0 ) goto done;
    ap[i]->nBatch = nt;
    nRows += nt;
  }
  if( mv_exec(m->ctx, c, "COMMIT", &zErr)
   || mv_exec(m->ctx, c, "SET character_set_results=utf8mb4", &zErr) ) goto done;
  inTxn = 0;
  ok = 1;
done:
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
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
