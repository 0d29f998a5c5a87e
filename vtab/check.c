/*
** check.c — mysql_position and mysql_check: what the server is and has.
**
**   SELECT mysql_position();                 -- 'mysql-bin.000003:1234'
**   SELECT * FROM mysql_check('vt.orders');  -- name | ok | detail
**
** mysql_position([dsn]) returns the server's current binlog position as
** "file:offset", from SHOW MASTER STATUS (or SHOW BINARY LOG STATUS on a
** server that removed the former, MySQL 8.4+). It is an error when binary
** logging is off.
**
** mysql_check(tbl [, dsn]) is an eponymous table-valued function, one row
** per requirement of mysql_snapshot / mysql_changes: log_bin,
** binlog_format, binlog_row_image, server_id, the advice
** binlog_row_metadata, the connected user's privileges (REPLICATION SLAVE,
** REPLICATION CLIENT, SELECT, read from SHOW GRANTS) and, for each table
** tbl names (db.table, table, a comma list or a db.% pattern, as
** mysql_snapshot takes them), that it exists, is InnoDB and has a primary
** key. ok is 1 or 0; for advice that is no requirement it is NULL when not
** followed. detail says what to put in my.cnf or which GRANT to run.
** tbl may be '' (or omitted) for the server checks alone.
**
** Both reach the network, so they are SQLITE_DIRECTONLY: triggers and
** views of an untrusted schema cannot call them.
*/
#include "grants.h"
#include "pure/checkrules.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
** mysql_position([dsn])
*/
static void positionFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mv_ctx *ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  const char *zArg = 0;
  char *zErr = 0;
  char *zPos;
  mv_conn *c;
  /* A NULL dsn is the default one, as an omitted argument. */
  if( argc>0 ) zArg = (const char*)sqlite3_value_text(argv[0]);
  c = mv_conn_get(ctx, mv_dsn_text(zArg), &zErr);
  if( c==0 ) goto fail;
  zPos = mv_position(ctx, c, &zErr);
  mv_conn_release(ctx, c);
  if( zPos==0 ) goto fail;
  sqlite3_result_text(pCtx, zPos, -1, sqlite3_free);
  return;
fail:
  {
    /* The message is the DSN's or the server's own: it names the key,
    ** the user@host:port or the statement. */
    sqlite3_result_error(pCtx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
  }
}

/* ---------------------------------------------------------------------
** mysql_check(tbl [, dsn]) — eponymous table-valued function.
*/
typedef struct fnRow {
  char *zName;
  int ok;          /* 1, 0, or -1 for NULL (advice not followed) */
  char *zDetail;
} fnRow;

typedef struct check_vtab {
  sqlite3_vtab base;
  mv_ctx *ctx;
} check_vtab;

typedef struct check_cursor {
  sqlite3_vtab_cursor base;
  fnRow *aRow;
  int nRow, nAlloc;
  int iRow;
  int oom;
} check_cursor;

#define CHECK_NAME   0
#define CHECK_OK     1
#define CHECK_DETAIL 2
#define CHECK_TBL    3
#define CHECK_DSN    4

static void checkClear(check_cursor *cur){
  int i;
  for(i=0; i<cur->nRow; i++){
    sqlite3_free(cur->aRow[i].zName);
    sqlite3_free(cur->aRow[i].zDetail);
  }
  sqlite3_free(cur->aRow);
  cur->aRow = 0;
  cur->nRow = cur->nAlloc = cur->iRow = 0;
  cur->oom = 0;
}

/* Add a row; takes ownership of zName and zDetail (sqlite3_malloc'd). */
static void checkAdd(check_cursor *cur, char *zName, int ok, char *zDetail){
  if( zName==0 || zDetail==0 ) cur->oom = 1;
  if( cur->nRow>=cur->nAlloc && !cur->oom ){
    int nNew = cur->nAlloc ? cur->nAlloc*2 : 16;
    fnRow *a = sqlite3_realloc64(cur->aRow, nNew*sizeof(fnRow));
    if( a==0 ) cur->oom = 1;
    else{ cur->aRow = a; cur->nAlloc = nNew; }
  }
  if( cur->oom ){ sqlite3_free(zName); sqlite3_free(zDetail); return; }
  cur->aRow[cur->nRow].zName = zName;
  cur->aRow[cur->nRow].ok = ok;
  cur->aRow[cur->nRow].zDetail = zDetail;
  cur->nRow++;
}

static int checkConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  check_vtab *p;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
        "CREATE TABLE x(name TEXT, ok INTEGER, detail TEXT,"
        " tbl HIDDEN, dsn HIDDEN)");
  if( rc!=SQLITE_OK ) return rc;
  p = sqlite3_malloc(sizeof *p);
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof *p);
  p->ctx = mv_ctx_ref((mv_ctx*)pAux);
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &p->base;
  return SQLITE_OK;
}

static int checkDisconnect(sqlite3_vtab *pVtab){
  check_vtab *p = (check_vtab*)pVtab;
  mv_ctx_unref(p->ctx);
  sqlite3_free(p);
  return SQLITE_OK;
}

static int checkOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  check_cursor *cur = sqlite3_malloc(sizeof *cur);
  (void)pVtab;
  if( cur==0 ) return SQLITE_NOMEM;
  memset(cur, 0, sizeof *cur);
  *ppCur = &cur->base;
  return SQLITE_OK;
}

static int checkClose(sqlite3_vtab_cursor *pCur){
  check_cursor *cur = (check_cursor*)pCur;
  checkClear(cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Does zDb.zTbl have a primary key? (0 also when the server cannot say.) */
static int checkHasPk(mv_ctx *ctx, mv_conn *c, const char *zDb, const char *zTbl){
  char *zDbLit = mv_literal(c->mysql, zDb), *zTblLit = mv_literal(c->mysql, zTbl), *zSql, *zErr = 0;
  MYSQL_RES *res;
  MYSQL_ROW row;
  int has = 0;
  zSql = (zDbLit && zTblLit) ? sqlite3_mprintf(
      "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE"
      " TABLE_SCHEMA=%s AND TABLE_NAME=%s AND INDEX_NAME='PRIMARY'",
      zDbLit, zTblLit) : 0;
  sqlite3_free(zDbLit);
  sqlite3_free(zTblLit);
  if( zSql==0 ) return 0;
  res = mv_query_as(ctx, c, zSql, 0, 0, &zErr);
  sqlite3_free(zSql);
  sqlite3_free(zErr);
  if( res==0 ) return 0;
  row = mysql_fetch_row(res);
  has = row && row[0] && atoi(row[0])>0;
  mysql_free_result(res);
  return has;
}

/* The checks of the tables that zSpec names (db.table, table, a comma
** list, db.% patterns). zDefDb is the connection's schema or NULL.
** Counts in *pnNoSelect the tables g holds no SELECT on, and names the
** first in *pzNoSelect. */
static int checkTables(check_cursor *cur, mv_ctx *ctx, mv_conn *c,
                       const char *zSpec, const char *zDefDb,
                       const mv_grants *g, int *pnNoSelect, char **pzNoSelect,
                       char **pzErr){
  mv_tblname *aName = 0;
  int nName = 0, i;
  while( *zSpec==' ' || *zSpec=='\t' ) zSpec++;
  if( *zSpec==0 ) return 0;
  if( mv_tblarg_parse("mysql_check", zSpec, &aName, &nName, pzErr) ) return 1;
  for(i=0; i<nName; i++){
    const char *zDb = aName[i].zDb ? aName[i].zDb : zDefDb;
    const char *zTbl = aName[i].zTbl;
    char *zDbLit = 0, *zTblLit = 0, *zSql;
    int isPattern = aName[i].isPattern, nFound = 0;
    MYSQL_RES *res;
    MYSQL_ROW row;
    if( zDb==0 ){
      checkAdd(cur, sqlite3_mprintf("table %s", zTbl), 0,
               sqlite3_mprintf("no schema for '%s': write db.%s or set"
                               " database= in the DSN", zTbl, zTbl));
      continue;
    }
    zDbLit = mv_literal(c->mysql, zDb);
    if( isPattern ){
      /* As mysql_snapshot reads a pattern: % is any run, _ is literal. */
      sqlite3_str *pat = sqlite3_str_new(0);
      const char *q;
      char *zPat;
      for(q=zTbl; *q; q++){
        if( *q=='_' || *q=='\\' ) sqlite3_str_appendchar(pat, 1, '\\');
        sqlite3_str_appendchar(pat, 1, *q);
      }
      zPat = sqlite3_str_finish(pat);
      zTblLit = zPat ? mv_literal(c->mysql, zPat) : 0;
      sqlite3_free(zPat);
    }else{
      zTblLit = mv_literal(c->mysql, zTbl);
    }
    /* Plain one-table queries: MariaDB 10.11 answered a correlated
    ** subquery on TABLE_CONSTRAINTS wrongly (0) and has crashed on ones
    ** across TABLES and STATISTICS; the primary key is asked per table. */
    zSql = (zDbLit && zTblLit) ? sqlite3_mprintf(
        "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_TYPE"
        " FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s"
        " AND TABLE_NAME %s %s ORDER BY TABLE_NAME",
        zDbLit, isPattern ? "LIKE" : "=", zTblLit) : 0;
    sqlite3_free(zDbLit);
    sqlite3_free(zTblLit);
    if( zSql==0 ){ mv_tblarg_free(aName, nName); cur->oom = 1; return 0; }
    res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
    sqlite3_free(zSql);
    if( res==0 ){
      mv_tblarg_free(aName, nName);
      if( *pzErr==0 ) *pzErr = sqlite3_mprintf("information_schema.TABLES: no result");
      return 1;
    }
    while( (row = mysql_fetch_row(res))!=0 ){
      const char *zS = row[0] ? row[0] : "", *zT = row[1] ? row[1] : "";
      const char *zEngine = row[2];
      int isView = row[3] && strcmp(row[3], "VIEW")==0;
      int hasPk = !isView && checkHasPk(ctx, c, zS, zT);
      char zDetail[600];
      int ok;
      nFound++;
      checkAdd(cur, sqlite3_mprintf("table %s.%s", zS, zT), 1,
               sqlite3_mprintf("exists"));
      if( !mv_grants_has(g, P_SELECT, zS, zT) ){
        if( *pnNoSelect==0 ){
          *pzNoSelect = sqlite3_mprintf("%s.%s", zS, zT);
          if( *pzNoSelect==0 ) cur->oom = 1;
        }
        (*pnNoSelect)++;
      }
      ok = mv_check_table(zS, zT, row[3], zEngine, zDetail, sizeof zDetail);
      checkAdd(cur, sqlite3_mprintf("engine %s.%s", zS, zT), ok,
               sqlite3_mprintf("%s", zDetail));
      if( !isView ){
        ok = mv_check_primary_key(zS, zT, hasPk, zDetail, sizeof zDetail);
        checkAdd(cur, sqlite3_mprintf("primary key %s.%s", zS, zT), ok,
                 sqlite3_mprintf("%s", zDetail));
      }
    }
    mysql_free_result(res);
    if( nFound==0 ){
      checkAdd(cur, sqlite3_mprintf("table %s.%s", zDb, zTbl), 0,
               isPattern
               ? sqlite3_mprintf("no table of %s matches '%s'%s", zDb, zTbl,
                    mv_grants_has(g, P_SELECT, zDb, 0) ? ""
                    : " (or the user cannot see them)")
               : sqlite3_mprintf("no such table %s.%s%s", zDb, zTbl,
                    mv_grants_has(g, P_SELECT, zDb, zTbl) ? ""
                    : " (or the user cannot see it)"));
    }
  }
  mv_tblarg_free(aName, nName);
  return 0;
}

/* binlog_row_value_options (MySQL 8.0.3+; MariaDB has none): PARTIAL_JSON
** logs JSON updates as diffs (checkrules.c decides). Returns 0 or 1 with
** *pzErr set. */
static int checkValueOptions(check_cursor *cur, mv_ctx *ctx, mv_conn *c,
                             const char *zImage, char **pzErr){
  const char *zSql = "SELECT @@GLOBAL.binlog_row_value_options";
  MYSQL_RES *res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
  MYSQL_ROW row = 0;
  char zDetail[600];
  int ok;
  if( res==0 ){
    if( *pzErr==0 || mysql_errno(c->mysql)!=MV_ER_UNKNOWN_SYSTEM_VARIABLE ) return 1;
    sqlite3_free(*pzErr);      /* 1193: unknown system variable */
    *pzErr = 0;
  }else{
    row = mysql_fetch_row(res);
  }
  ok = mv_check_row_value_options(res ? (row && row[0] ? row[0] : "") : 0,
                                  zImage[0] ? zImage : 0,
                                  zDetail, sizeof zDetail);
  if( res ) mysql_free_result(res);
  checkAdd(cur, sqlite3_mprintf("binlog_row_value_options"), ok,
           sqlite3_mprintf("%s", zDetail));
  return 0;
}

/* Server variables as rows; returns 0 or 1 with *pzErr set. *pzDb gets
** the connection's default schema (or NULL). */
static int checkServer(check_cursor *cur, mv_ctx *ctx, mv_conn *c,
                       char **pzDb, char **pzErr){
  MYSQL_RES *res;
  MYSQL_ROW row;
  char zImage[64] = "";
  int rc;
  /* GLOBAL: the values new sessions (the writers) get, not this one's. */
  const char *zSql = "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format,"
                     " @@GLOBAL.binlog_row_image, @@GLOBAL.server_id, DATABASE()";
  res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
  if( res==0 ){
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s: no result", zSql);
    return 1;
  }
  row = mysql_fetch_row(res);
  if( row ){
    const char *zImg = row[2] ? row[2] : "(unset)";
    const char *zId = row[3] ? row[3] : "0";
    char zDetail[300];
    int on = mv_check_log_bin(row[0], zDetail, sizeof zDetail);
    if( row[2] ) sqlite3_snprintf(sizeof zImage, zImage, "%s", row[2]);
    checkAdd(cur, sqlite3_mprintf("log_bin"), on, sqlite3_mprintf("%s", zDetail));
    on = mv_check_binlog_format(row[1], zDetail, sizeof zDetail);
    checkAdd(cur, sqlite3_mprintf("binlog_format"), on,
             sqlite3_mprintf("%s", zDetail));
    on = sqlite3_stricmp(zImg, "FULL")==0;
    checkAdd(cur, sqlite3_mprintf("binlog_row_image"), on,
        on ? sqlite3_mprintf("FULL")
           : sqlite3_mprintf("binlog_row_image is %s: updates and deletes need"
                " every column's before-image; add binlog_row_image=FULL to"
                " [mysqld] in my.cnf (or SET GLOBAL binlog_row_image=FULL)", zImg));
    on = strcmp(zId, "0")!=0 && zId[0]!=0;
    checkAdd(cur, sqlite3_mprintf("server_id"), on,
        on ? sqlite3_mprintf("%s", zId)
           : sqlite3_mprintf("server_id is 0: a server without an id writes no"
                " usable binlog; add server_id=1 (any non-zero id unique among"
                " your servers) to [mysqld] in my.cnf"));
    if( row[4] ){
      *pzDb = sqlite3_mprintf("%s", row[4]);
      if( *pzDb==0 ) cur->oom = 1;
    }
  }
  mysql_free_result(res);

  /* Advice only: MySQL 8.0.1+ and MariaDB 10.5+ know this variable. */
  zSql = "SELECT @@GLOBAL.binlog_row_metadata";
  res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
  if( res==0 ){
    if( *pzErr==0 || mysql_errno(c->mysql)!=MV_ER_UNKNOWN_SYSTEM_VARIABLE ) return 1;
    sqlite3_free(*pzErr);
    *pzErr = 0;
    checkAdd(cur, sqlite3_mprintf("binlog_row_metadata"), -1,
             sqlite3_mprintf("this server has no binlog_row_metadata (MySQL"
                " 8.0.1+ and MariaDB 10.5+ have it): binlog files read offline"
                " with mysql_binlog name their columns @1, @2, ..."));
    return checkValueOptions(cur, ctx, c, zImage, pzErr);
  }
  row = mysql_fetch_row(res);
  if( row ){
    const char *zMeta = row[0] ? row[0] : "(unset)";
    int on = sqlite3_stricmp(zMeta, "FULL")==0;
    checkAdd(cur, sqlite3_mprintf("binlog_row_metadata"), on ? 1 : -1,
        on ? sqlite3_mprintf("FULL")
           : sqlite3_mprintf("binlog_row_metadata is %s (advice, not a"
                " requirement): add binlog_row_metadata=FULL to [mysqld] in"
                " my.cnf so that binlog files read offline with mysql_binlog"
                " carry column names, signedness and charsets", zMeta));
  }
  mysql_free_result(res);
  rc = checkValueOptions(cur, ctx, c, zImage, pzErr);
  return rc;
}

/*
** xBestIndex (mv_hidden_plan). idxNum bits:
**   1  an = constraint on tbl: its value is argv[0] of xFilter
**   2  an = constraint on dsn: its value is the next argv
** Without tbl the checks are those of the server alone (as tbl = ''): the
** same cost either way.
*/
static int checkBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  static const int aCol[] = { CHECK_TBL, CHECK_DSN };
  (void)pVtab;
  return mv_hidden_plan(pInfo, aCol, 2, 1000.0, 1000.0, 20);
}

static int checkFilter(sqlite3_vtab_cursor *pCur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  check_cursor *cur = (check_cursor*)pCur;
  check_vtab *p = (check_vtab*)pCur->pVtab;
  const char *zSpec = "", *zDsnArg = 0;
  char *zErr = 0, *zDb = 0, *zNoSelect = 0;
  mv_conn *c = 0;
  mv_grants g;
  int i = 0, iSel, nNoSelect = 0, rc = SQLITE_OK;
  (void)idxStr; (void)argc;
  memset(&g, 0, sizeof g);
  checkClear(cur);
  if( idxNum & 1 ){
    if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return SQLITE_OK;  /* no rows */
    zSpec = (const char*)sqlite3_value_text(argv[i++]);
  }
  if( idxNum & 2 ) zDsnArg = (const char*)sqlite3_value_text(argv[i++]);
  c = mv_conn_get(p->ctx, mv_dsn_text(zDsnArg), &zErr);
  if( c==0 ) goto fail;
  if( checkServer(cur, p->ctx, c, &zDb, &zErr) ) goto fail;
  if( mv_grants_load(p->ctx, c, 0, &g, &zErr) ) goto fail;
  checkAdd(cur, sqlite3_mprintf("privilege REPLICATION SLAVE"),
      mv_grants_has(&g, P_REPL_SLAVE, 0, 0),
      mv_grants_has(&g, P_REPL_SLAVE, 0, 0) ? sqlite3_mprintf("granted")
        : sqlite3_mprintf("%s cannot read the binlog (mysql_changes): GRANT"
             " REPLICATION SLAVE ON *.* TO %s", g.zUser, g.zUser));
  checkAdd(cur, sqlite3_mprintf("privilege REPLICATION CLIENT"),
      mv_grants_has(&g, P_REPL_CLIENT, 0, 0),
      mv_grants_has(&g, P_REPL_CLIENT, 0, 0) ? sqlite3_mprintf("granted")
        : sqlite3_mprintf("%s cannot read binlog positions (SHOW MASTER"
             " STATUS): GRANT REPLICATION CLIENT ON *.* TO %s",
             g.zUser, g.zUser));
  iSel = cur->nRow;
  checkAdd(cur, sqlite3_mprintf("privilege SELECT"), 0, sqlite3_mprintf(""));
  if( checkTables(cur, p->ctx, c, zSpec, zDb, &g, &nNoSelect, &zNoSelect,
                  &zErr) ) goto fail;
  if( !cur->oom ){
    fnRow *pSel = &cur->aRow[iSel];
    int ok = mv_grants_has(&g, P_SELECT, 0, 0);
    char *zDetail;
    if( ok ){
      zDetail = sqlite3_mprintf("granted on *.*");
    }else if( nNoSelect>0 ){
      zDetail = sqlite3_mprintf("%s cannot read %s%s: GRANT SELECT ON *.* TO %s",
                  g.zUser, zNoSelect, nNoSelect>1 ? " and other tables" : "",
                  g.zUser);
    }else if( zSpec[0] && cur->nRow>iSel+1 && cur->aRow[iSel+1].ok ){
      ok = 1;
      zDetail = sqlite3_mprintf("granted on the named tables");
    }else{
      zDetail = sqlite3_mprintf("%s has no SELECT on *.* (mysql_snapshot reads"
                  " tables, mysql_changes their column names): GRANT SELECT"
                  " ON *.* TO %s", g.zUser, g.zUser);
    }
    if( zDetail==0 ) cur->oom = 1;
    else{
      sqlite3_free(pSel->zDetail);
      pSel->zDetail = zDetail;
      pSel->ok = ok;
    }
  }
  if( cur->oom ){ rc = SQLITE_NOMEM; goto done; }
  goto done;
fail:
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = sqlite3_mprintf("mysql_check: %s", zErr ? zErr : "out of memory");
  checkClear(cur);
  rc = SQLITE_ERROR;
done:
  if( c ) mv_conn_release(p->ctx, c);
  mv_grants_free(&g);
  sqlite3_free(zErr);
  sqlite3_free(zDb);
  sqlite3_free(zNoSelect);
  return rc;
}

static int checkNext(sqlite3_vtab_cursor *pCur){
  ((check_cursor*)pCur)->iRow++;
  return SQLITE_OK;
}

static int checkEof(sqlite3_vtab_cursor *pCur){
  check_cursor *cur = (check_cursor*)pCur;
  return cur->iRow>=cur->nRow;
}

static int checkColumn(sqlite3_vtab_cursor *pCur, sqlite3_context *pCtx, int i){
  check_cursor *cur = (check_cursor*)pCur;
  fnRow *r = &cur->aRow[cur->iRow];
  switch( i ){
    case CHECK_NAME:   sqlite3_result_text(pCtx, r->zName, -1, SQLITE_TRANSIENT); break;
    case CHECK_OK:     if( r->ok>=0 ) sqlite3_result_int(pCtx, r->ok); break;
    case CHECK_DETAIL: sqlite3_result_text(pCtx, r->zDetail, -1, SQLITE_TRANSIENT); break;
    default: break;    /* hidden arguments: NULL */
  }
  return SQLITE_OK;
}

static int checkRowid(sqlite3_vtab_cursor *pCur, sqlite3_int64 *pRowid){
  *pRowid = ((check_cursor*)pCur)->iRow + 1;
  return SQLITE_OK;
}

static sqlite3_module checkModule = {
  0,                /* iVersion */
  0,                /* xCreate: eponymous only */
  checkConnect,     /* xConnect */
  checkBestIndex,   /* xBestIndex */
  checkDisconnect,  /* xDisconnect */
  0,                /* xDestroy */
  checkOpen,        /* xOpen */
  checkClose,       /* xClose */
  checkFilter,      /* xFilter */
  checkNext,        /* xNext */
  checkEof,         /* xEof */
  checkColumn,      /* xColumn */
  checkRowid,       /* xRowid */
  0, 0, 0, 0, 0, 0, /* xUpdate .. xRollback, xFindFunction */
  0,                /* xRename */
  0, 0, 0,          /* xSavepoint, xRelease, xRollbackTo */
  0                 /* xShadowName */
  MV_XINTEGRITY     /* xIntegrity (3.44+) */
};


/* ---------------------------------------------------------------------
** Registration.
*/
int mv_register_check(sqlite3 *db, mv_ctx *ctx){
  int rc = mv_register_function(db, ctx, "mysql_position", 0, 1, positionFunc);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "mysql_check", &checkModule,
                                  mv_ctx_ref(ctx), mv_ctx_unref);
  }
  return rc;
}
