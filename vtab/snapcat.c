/*
** snapcat.c — mysql_snapshot's catalog: the tables a table argument names
** ("db.t", "t", "a, b.c", "db.%", with `quoted` parts), resolved against
** information_schema, checked (a base table, InnoDB), with their primary
** keys and MariaDB's JSON columns (LONGTEXT CHECK json_valid).
*/
#include "snapshot.h"
#include "pure/checkrules.h"

#include <string.h>

/* ======================================================================
** Small helpers: quoting, queries
** ==================================================================== */

/* Append 'text' escaped for the connection's charset. */
static void quoteLiteral(sqlite3_str *s, MYSQL *m, const char *z){
  char *zLit = mv_literal(m, z);
  sqlite3_str_appendall(s, zLit ? zLit : "''");
  sqlite3_free(zLit);
}

/* ======================================================================
** Table arguments: "db.t", "t", "a, b.c", "db.%", with `quoted` parts
** ==================================================================== */

void mv_snaptable_free(SnapTable *t){
  int i;
  sqlite3_free(t->zDb);
  sqlite3_free(t->zTbl);
  for(i=0; i<t->nPk; i++) sqlite3_free(t->azPk[i]);
  sqlite3_free(t->azPk);
  for(i=0; i<t->nJson; i++) sqlite3_free(t->azJson[i]);
  sqlite3_free(t->azJson);
  memset(t, 0, sizeof *t);
}

void mv_snaptables_free(SnapTable *a, int n){
  int i;
  for(i=0; i<n; i++) mv_snaptable_free(&a[i]);
  sqlite3_free(a);
}

/* ======================================================================
** Resolving names against the server
** ==================================================================== */

/* The error for a table that information_schema does not show: probe it,
** so that the server says whether it is missing or not ours to read. */
static char *tableProbeError(mv_ctx *ctx, mv_conn *c, const char *zDb,
                             const char *zTbl){
  sqlite3_str *s = sqlite3_str_new(0);
  char *zSql, *zErr = 0;
  unsigned e;
  sqlite3_str_appendall(s, "SELECT 1 FROM ");
  mv_quote_ident(s, zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, zTbl);
  sqlite3_str_appendall(s, " LIMIT 0");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ) return sqlite3_mprintf("out of memory");
  mv_log_query(ctx, zSql);
  if( mv_real_query(c, zSql)==0 ){
    MYSQL_RES *res = mv_store_result(c);
    if( res ) mysql_free_result(res);
    sqlite3_free(zSql);
    return 0;
  }
  sqlite3_free(zSql);
  e = mysql_errno(c->mysql);
  if( mv_error_class(e)==MV_ERR_NO_TABLE ){
    zErr = mv_error(SNAP_FN, 0, 0, 0, "no such table: %s.%s", zDb, zTbl);
  }else if( mv_error_class(e)==MV_ERR_ACCESS ){
    zErr = mv_error(SNAP_FN, 0, 0, 0, "no privilege to read %s.%s as %s"
        " (the agent needs SELECT): %s", zDb, zTbl, c->zLabel,
        mysql_error(c->mysql));
  }else{
    zErr = mv_conn_error(c, SNAP_FN);
  }
  return zErr;
}

/* A list of names of one table from a one-column query. */
static int loadNames(mv_ctx *ctx, mv_conn *c, const char *zSql,
                     char ***pazOut, int *pnOut, char **pzErr){
  MYSQL_RES *res = mv_query(ctx, c, zSql, SNAP_FN, pzErr);
  MYSQL_ROW row;
  char **az = 0;
  int n = 0;
  if( res==0 ) return 1;
  while( (row = mysql_fetch_row(res))!=0 ){
    unsigned long *aLen = mysql_fetch_lengths(res);
    char **azNew;
    if( row[0]==0 ) continue;
    azNew = sqlite3_realloc64(az, sizeof(char*)*(n+1));
    if( azNew==0 ) break;
    az = azNew;
    if( (az[n] = mv_strndup(row[0], aLen[0]))==0 ) break;
    n++;
  }
  mysql_free_result(res);
  *pazOut = az;
  *pnOut = n;
  return 0;
}

/* Fill in the primary key and (MariaDB) the JSON columns of t. */
static int tableDetails(mv_ctx *ctx, mv_conn *c, int isMaria, SnapTable *t,
                        char **pzErr){
  sqlite3_str *s = sqlite3_str_new(0);
  char *zSql;
  int rc;
  sqlite3_str_appendall(s, "SELECT COLUMN_NAME FROM information_schema."
      "STATISTICS WHERE INDEX_NAME='PRIMARY' AND TABLE_SCHEMA=");
  quoteLiteral(s, c->mysql, t->zDb);
  sqlite3_str_appendall(s, " AND TABLE_NAME=");
  quoteLiteral(s, c->mysql, t->zTbl);
  sqlite3_str_appendall(s, " ORDER BY SEQ_IN_INDEX");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  rc = loadNames(ctx, c, zSql, &t->azPk, &t->nPk, pzErr);
  sqlite3_free(zSql);
  if( rc || !isMaria ) return rc;
  /* MariaDB's JSON is LONGTEXT with CHECK (json_valid(`col`)), the
  ** constraint named after the column. */
  s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "SELECT CONSTRAINT_NAME FROM information_schema."
      "CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA=");
  quoteLiteral(s, c->mysql, t->zDb);
  sqlite3_str_appendall(s, " AND TABLE_NAME=");
  quoteLiteral(s, c->mysql, t->zTbl);
  sqlite3_str_appendall(s, " AND CHECK_CLAUSE=CONCAT('json_valid(`',"
      " REPLACE(CONSTRAINT_NAME, '`', '``'), '`)')");
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  rc = loadNames(ctx, c, zSql, &t->azJson, &t->nJson, pzErr);
  sqlite3_free(zSql);
  return rc;
}

/* Resolve the table argument to a list of InnoDB tables. */
int mv_snap_resolve(mv_ctx *ctx, mv_conn *c, const char *zArg,
                         int allowMany, SnapTable **paTab, int *pnTab,
                         char **pzErr){
  mv_tblname *aName = 0;
  int nName = 0, i;
  SnapTable *aTab = 0;
  int nTab = 0;
  char *zDefDb = 0;
  int isMaria = mv_is_mariadb(c->mysql);

  *pzErr = 0;
  if( mv_tblarg_parse(SNAP_FN, zArg, &aName, &nName, pzErr) ) return 1;
  if( !allowMany && (nName>1 || aName[0].isPattern) ){
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "a typed table reads one table,"
        " not '%s'", zArg);
    goto fail;
  }
  for(i=0; i<nName; i++){
    if( aName[i].zDb==0 && zDefDb==0 ){
      if( mv_default_db(ctx, c, SNAP_FN, &zDefDb, pzErr) ) goto fail;
      if( zDefDb==0 ){
        *pzErr = mv_error(SNAP_FN, 0, 0, 0, "table '%s' names no database"
            " and the DSN has none (write db.table)", aName[i].zTbl);
        goto fail;
      }
    }
  }
  for(i=0; i<nName; i++){
    const char *zDb = aName[i].zDb ? aName[i].zDb : zDefDb;
    sqlite3_str *s = sqlite3_str_new(0);
    char *zSql;
    MYSQL_RES *res;
    MYSQL_ROW row;
    int nFound = 0;
    sqlite3_str_appendall(s, "SELECT TABLE_NAME, TABLE_TYPE, ENGINE FROM"
        " information_schema.TABLES WHERE TABLE_SCHEMA=");
    quoteLiteral(s, c->mysql, zDb);
    if( aName[i].isPattern ){
      /* only % is a wildcard: escape \ and _ */
      sqlite3_str *p = sqlite3_str_new(0);
      const char *z;
      char *zPat;
      for(z=aName[i].zTbl; *z; z++){
        if( *z=='\\' || *z=='_' ) sqlite3_str_appendchar(p, 1, '\\');
        sqlite3_str_appendchar(p, 1, *z);
      }
      zPat = sqlite3_str_finish(p);
      sqlite3_str_appendall(s, " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
                               " AND TABLE_NAME LIKE ");
      quoteLiteral(s, c->mysql, zPat ? zPat : "");
      sqlite3_free(zPat);
      sqlite3_str_appendall(s, " ORDER BY TABLE_NAME");
    }else{
      sqlite3_str_appendall(s, " AND TABLE_NAME=");
      quoteLiteral(s, c->mysql, aName[i].zTbl);
    }
    zSql = sqlite3_str_finish(s);
    if( zSql==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto fail; }
    res = mv_query(ctx, c, zSql, SNAP_FN, pzErr);
    sqlite3_free(zSql);
    if( res==0 ) goto fail;
    while( (row = mysql_fetch_row(res))!=0 ){
      SnapTable *aNew;
      const char *zType = row[1] ? row[1] : "";
      const char *zEngine = row[2];
      char zDetail[600];
      if( row[0]==0 ) continue;
      nFound++;
      if( !mv_check_table(zDb, row[0], zType, zEngine, zDetail, sizeof zDetail) ){
        *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s", zDetail);
        mysql_free_result(res);
        goto fail;
      }
      aNew = sqlite3_realloc64(aTab, sizeof(SnapTable)*(nTab+1));
      if( aNew==0 ){ mysql_free_result(res); *pzErr = sqlite3_mprintf("out of memory"); goto fail; }
      aTab = aNew;
      memset(&aTab[nTab], 0, sizeof(SnapTable));
      aTab[nTab].zDb = sqlite3_mprintf("%s", zDb);
      aTab[nTab].zTbl = sqlite3_mprintf("%s", row[0]);
      nTab++;
      if( aTab[nTab-1].zDb==0 || aTab[nTab-1].zTbl==0 ){
        mysql_free_result(res); *pzErr = sqlite3_mprintf("out of memory"); goto fail;
      }
    }
    mysql_free_result(res);
    if( nFound==0 ){
      if( aName[i].isPattern ){
        *pzErr = mv_error(SNAP_FN, 0, 0, 0, "no table matches %s.%s",
                                 zDb, aName[i].zTbl);
      }else{
        *pzErr = tableProbeError(ctx, c, zDb, aName[i].zTbl);
        if( *pzErr==0 ){
          *pzErr = mv_error(SNAP_FN, 0, 0, 0, "cannot see the engine of"
              " %s.%s in information_schema", zDb, aName[i].zTbl);
        }
      }
      goto fail;
    }
  }
  for(i=0; i<nTab; i++){
    if( tableDetails(ctx, c, isMaria, &aTab[i], pzErr) ) goto fail;
  }
  mv_tblarg_free(aName, nName);
  sqlite3_free(zDefDb);
  *paTab = aTab;
  *pnTab = nTab;
  return 0;
fail:
  mv_tblarg_free(aName, nName);
  sqlite3_free(zDefDb);
  mv_snaptables_free(aTab, nTab);
  return 1;
}

char *mv_strndup(const char *z, size_t n){
  char *p = sqlite3_malloc64(n+1);
  if( p ){ memcpy(p, z, n); p[n] = 0; }
  return p;
}

int mv_in_list(char **az, int n, const char *z){
  int i;
  for(i=0; i<n; i++) if( strcmp(az[i], z)==0 ) return 1;
  return 0;
}
