/*
** functions.c — the server functions of mysql_vtab.
**
**   SELECT mysql_position();                 -- 'mysql-bin.000003:1234'
**   SELECT * FROM mysql_check('vt.orders');  -- name | ok | detail
**   SELECT mysql_setup('user=root socket=/run/mysqld/mysqld.sock',
**                      'agent', 'agentpw', '%');
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
** mysql_setup(admin_dsn, user, password [, host]) creates the agent user
** (or sets the password of the existing one) and grants it exactly
** REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.*, revoking anything
** else it held. host defaults to '%'. It returns what it did. The admin
** needs CREATE USER, GRANT OPTION and the three privileges; an error says
** which ones it lacks. The password is sent once and never logged (the
** query log shows '***') nor put in an error.
**
** Every function here reaches the network, so all are SQLITE_DIRECTONLY:
** triggers and views of an untrusted schema cannot call them.
*/
#include "mysqlvtab.h"
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
** SHOW GRANTS, parsed: which privileges a user holds where.
*/
#define P_REPL_SLAVE   0x01
#define P_REPL_CLIENT  0x02
#define P_SELECT       0x04
#define P_CREATE_USER  0x08
#define P_GRANT_OPTION 0x10
#define P_OTHER        0x20   /* any other privilege (INSERT, PROCESS, ...) */
#define P_ALL          0x3f

typedef struct fnGrant {
  char *zDb;     /* NULL: every schema (*.*) */
  char *zTbl;    /* NULL: every table of zDb */
  unsigned m;    /* P_* bits */
} fnGrant;

typedef struct fnGrants {
  fnGrant *a;
  int n;
  char *zUser;   /* "'agent'@'%'": the grantee, for GRANT advice */
} fnGrants;

static void fnGrantsFree(fnGrants *g){
  int i;
  for(i=0; i<g->n; i++){ sqlite3_free(g->a[i].zDb); sqlite3_free(g->a[i].zTbl); }
  sqlite3_free(g->a);
  sqlite3_free(g->zUser);
  memset(g, 0, sizeof *g);
}

/* Read one identifier of a grant object at *pz: `quoted`, * or a bare
** word. Returns a copy (NULL for *) and advances *pz. */
static char *fnGrantIdent(const char **pz, int *pStar){
  const char *z = *pz;
  sqlite3_str *s = sqlite3_str_new(0);
  *pStar = 0;
  if( *z=='*' ){
    *pStar = 1;
    *pz = z+1;
    sqlite3_free(sqlite3_str_finish(s));
    return 0;
  }
  if( *z=='`' ){
    z++;
    while( *z ){
      if( *z=='`' ){
        if( z[1]=='`' ){ sqlite3_str_appendchar(s, 1, '`'); z += 2; continue; }
        z++;
        break;
      }
      sqlite3_str_appendchar(s, 1, *z++);
    }
  }else{
    while( *z && *z!='.' && *z!=' ' ) sqlite3_str_appendchar(s, 1, *z++);
  }
  *pz = z;
  return sqlite3_str_finish(s);
}

/* Parse one line of SHOW GRANTS and add what it grants to g. Lines that
** grant roles or proxies, or routine privileges, add nothing. */
static void fnGrantsLine(fnGrants *g, const char *zLine){
  const char *z, *zOn, *zTo;
  unsigned m = 0;
  fnGrant *pNew;
  char *zDb = 0, *zTbl = 0;
  int star;
  if( sqlite3_strnicmp(zLine, "GRANT ", 6)!=0 ) return;
  zOn = strstr(zLine, " ON ");
  zTo = strstr(zLine, " TO ");
  if( zOn==0 || zTo==0 || zTo<zOn ) return;   /* a role grant */
  /* The privilege list: comma-separated at parenthesis depth 0; a
  ** privilege with a column list (SELECT (a, b)) is column-level and
  ** does not count. */
  z = zLine + 6;
  while( z<zOn ){
    const char *zStart;
    int n, depth = 0, cols = 0;
    while( z<zOn && *z==' ' ) z++;
    zStart = z;
    while( z<zOn && (depth>0 || *z!=',') ){
      if( *z=='(' ){ depth++; cols = 1; }
      else if( *z==')' ) depth--;
      z++;
    }
    n = (int)(z - zStart);
    while( n>0 && zStart[n-1]==' ' ) n--;
    if( z<zOn ) z++;   /* the comma */
    if( cols ) continue;
#define PRIV(name) (n==(int)sizeof(name)-1 && sqlite3_strnicmp(zStart, name, n)==0)
    if( PRIV("ALL PRIVILEGES") || PRIV("ALL") ) m |= P_ALL & ~P_GRANT_OPTION;
    else if( PRIV("REPLICATION SLAVE") || PRIV("REPLICATION REPLICA") ) m |= P_REPL_SLAVE;
    else if( PRIV("REPLICATION CLIENT") || PRIV("BINLOG MONITOR") ) m |= P_REPL_CLIENT;
    else if( PRIV("SELECT") ) m |= P_SELECT;
    else if( PRIV("CREATE USER") ) m |= P_CREATE_USER;
    else if( PRIV("GRANT OPTION") ) m |= P_GRANT_OPTION;
    else if( !PRIV("USAGE") && n>0 ) m |= P_OTHER;
#undef PRIV
  }
  if( strstr(zTo, " WITH GRANT OPTION") ) m |= P_GRANT_OPTION;
  if( m==0 ) return;
  z = zOn + 4;
  if( sqlite3_strnicmp(z, "TABLE ", 6)==0 ) z += 6;
  else if( sqlite3_strnicmp(z, "PROCEDURE ", 10)==0
        || sqlite3_strnicmp(z, "FUNCTION ", 9)==0
        || sqlite3_strnicmp(z, "PACKAGE ", 8)==0 ) return;
  zDb = fnGrantIdent(&z, &star);
  if( *z=='.' ){
    z++;
    zTbl = fnGrantIdent(&z, &star);
  }else{
    /* "ON *" or "ON `t`": relative to the default schema; not global. */
    sqlite3_free(zDb);
    return;
  }
  /* A global grant lists every privilege; a schema or table grant can
  ** only be about SELECT here (the others are global privileges). */
  if( zDb ) m &= P_SELECT|P_GRANT_OPTION|P_OTHER;
  pNew = sqlite3_realloc64(g->a, (g->n+1)*sizeof(fnGrant));
  if( pNew==0 ){ sqlite3_free(zDb); sqlite3_free(zTbl); return; }
  g->a = pNew;
  g->a[g->n].zDb = zDb;
  g->a[g->n].zTbl = zTbl;
  g->a[g->n].m = m;
  g->n++;
}

/* Does g hold privilege p on table zDb.zTbl (NULL, NULL: on *.*)? */
static int fnGrantsHas(const fnGrants *g, unsigned p, const char *zDb,
                       const char *zTbl){
  int i;
  for(i=0; i<g->n; i++){
    const fnGrant *a = &g->a[i];
    if( (a->m & p)!=p ) continue;
    if( a->zDb==0 ) return 1;
    if( zDb==0 || strcmp(a->zDb, zDb)!=0 ) continue;
    if( a->zTbl==0 ) return 1;
    if( zTbl && strcmp(a->zTbl, zTbl)==0 ) return 1;
  }
  return 0;
}

/* Does g hold anything beyond the agent's three privileges on *.*? */
static int fnGrantsExtra(const fnGrants *g){
  int i;
  for(i=0; i<g->n; i++){
    unsigned m = g->a[i].m;
    if( g->a[i].zDb ) return 1;
    if( m & ~(P_REPL_SLAVE|P_REPL_CLIENT|P_SELECT) ) return 1;
  }
  return 0;
}

/* "'user'@'host'" from CURRENT_USER()'s "user@host". */
static char *fnQuoteAccount(const char *zAcct){
  const char *zAt = strrchr(zAcct, '@');
  if( zAt==0 ) return sqlite3_mprintf("'%s'", zAcct);
  return sqlite3_mprintf("'%.*s'@'%s'", (int)(zAt-zAcct), zAcct, zAt+1);
}

/* Load the grants of zFor ("'u'@'h'") or, when NULL, of the connected
** user (whose name goes to g->zUser). 0 on success, else *pzErr set. */
static int fnGrantsLoad(mv_ctx *ctx, mv_conn *c, const char *zFor,
                        fnGrants *g, char **pzErr){
  MYSQL_RES *res;
  MYSQL_ROW row;
  char *zSql;
  memset(g, 0, sizeof *g);
  if( zFor==0 ){
    res = mv_query_as(ctx, c, "SELECT CURRENT_USER()", 0, 0, pzErr);
    if( res==0 ){
      if( *pzErr==0 ) *pzErr = sqlite3_mprintf("SELECT CURRENT_USER(): no result");
      return 1;
    }
    row = mysql_fetch_row(res);
    g->zUser = fnQuoteAccount(row && row[0] ? row[0] : "");
    mysql_free_result(res);
    zSql = sqlite3_mprintf("SHOW GRANTS");
  }else{
    g->zUser = sqlite3_mprintf("%s", zFor);
    zSql = sqlite3_mprintf("SHOW GRANTS FOR %s", zFor);
  }
  if( zSql==0 || g->zUser==0 ){
    sqlite3_free(zSql);
    *pzErr = sqlite3_mprintf("out of memory");
    return 1;
  }
  res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
  sqlite3_free(zSql);
  if( res==0 ){
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("SHOW GRANTS: no result");
    return 1;
  }
  while( (row = mysql_fetch_row(res))!=0 ){
    if( row[0] ) fnGrantsLine(g, row[0]);
  }
  mysql_free_result(res);
  return 0;
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
                       const fnGrants *g, int *pnNoSelect, char **pzNoSelect,
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
      nFound++;
      checkAdd(cur, sqlite3_mprintf("table %s.%s", zS, zT), 1,
               sqlite3_mprintf("exists"));
      if( !fnGrantsHas(g, P_SELECT, zS, zT) ){
        if( *pnNoSelect==0 ){
          *pzNoSelect = sqlite3_mprintf("%s.%s", zS, zT);
          if( *pzNoSelect==0 ) cur->oom = 1;
        }
        (*pnNoSelect)++;
      }
      if( isView ){
        checkAdd(cur, sqlite3_mprintf("engine %s.%s", zS, zT), 0,
                 sqlite3_mprintf("%s.%s is a view: only base tables have"
                                 " row events in the binlog", zS, zT));
      }else if( zEngine && sqlite3_stricmp(zEngine, "InnoDB")==0 ){
        checkAdd(cur, sqlite3_mprintf("engine %s.%s", zS, zT), 1,
                 sqlite3_mprintf("InnoDB"));
      }else{
        checkAdd(cur, sqlite3_mprintf("engine %s.%s", zS, zT), 0,
                 sqlite3_mprintf("%s.%s is %s: a consistent snapshot needs"
                    " InnoDB; run ALTER TABLE `%s`.`%s` ENGINE=InnoDB",
                    zS, zT, zEngine ? zEngine : "(no engine)", zS, zT));
      }
      if( !isView ){
        checkAdd(cur, sqlite3_mprintf("primary key %s.%s", zS, zT), hasPk,
                 hasPk ? sqlite3_mprintf("present")
                       : sqlite3_mprintf("%s.%s has no primary key: changes"
                    " cannot be matched to rows; run ALTER TABLE `%s`.`%s`"
                    " ADD PRIMARY KEY (...)", zS, zT, zS, zT));
      }
    }
    mysql_free_result(res);
    if( nFound==0 ){
      checkAdd(cur, sqlite3_mprintf("table %s.%s", zDb, zTbl), 0,
               isPattern
               ? sqlite3_mprintf("no table of %s matches '%s'%s", zDb, zTbl,
                    fnGrantsHas(g, P_SELECT, zDb, 0) ? ""
                    : " (or the user cannot see them)")
               : sqlite3_mprintf("no such table %s.%s%s", zDb, zTbl,
                    fnGrantsHas(g, P_SELECT, zDb, zTbl) ? ""
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
    const char *zLogBin = row[0] ? row[0] : "";
    const char *zFmt = row[1] ? row[1] : "(unset)";
    const char *zImg = row[2] ? row[2] : "(unset)";
    const char *zId = row[3] ? row[3] : "0";
    int on = strcmp(zLogBin, "1")==0 || sqlite3_stricmp(zLogBin, "ON")==0;
    if( row[2] ) sqlite3_snprintf(sizeof zImage, zImage, "%s", row[2]);
    checkAdd(cur, sqlite3_mprintf("log_bin"), on,
        on ? sqlite3_mprintf("ON")
           : sqlite3_mprintf("binary logging is off: add log_bin=mysql-bin"
                " to the [mysqld] section of my.cnf and restart the server"));
    on = sqlite3_stricmp(zFmt, "ROW")==0;
    checkAdd(cur, sqlite3_mprintf("binlog_format"), on,
        on ? sqlite3_mprintf("ROW")
           : sqlite3_mprintf("binlog_format is %s: add binlog_format=ROW to"
                " [mysqld] in my.cnf (or SET GLOBAL binlog_format=ROW; sessions"
                " already open keep their format)", zFmt));
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
** xBestIndex. idxNum bits:
**   1  an = constraint on tbl: its value is argv[0] of xFilter
**   2  an = constraint on dsn: its value is the next argv
** Without tbl the checks are those of the server alone (as tbl = '').
*/
static int checkBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i, iTbl = -1, iDsn = -1, n = 0;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( pC->iColumn==CHECK_TBL ){
      if( !pC->usable ) return SQLITE_CONSTRAINT;
      iTbl = i;
    }else if( pC->iColumn==CHECK_DSN ){
      if( !pC->usable ) return SQLITE_CONSTRAINT;
      iDsn = i;
    }
  }
  pInfo->idxNum = 0;
  if( iTbl>=0 ){
    pInfo->idxNum |= 1;
    pInfo->aConstraintUsage[iTbl].argvIndex = ++n;
    pInfo->aConstraintUsage[iTbl].omit = 1;
  }
  if( iDsn>=0 ){
    pInfo->idxNum |= 2;
    pInfo->aConstraintUsage[iDsn].argvIndex = ++n;
    pInfo->aConstraintUsage[iDsn].omit = 1;
  }
  pInfo->estimatedCost = 1000.0;
  pInfo->estimatedRows = 20;
  return SQLITE_OK;
}

static int checkFilter(sqlite3_vtab_cursor *pCur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  check_cursor *cur = (check_cursor*)pCur;
  check_vtab *p = (check_vtab*)pCur->pVtab;
  const char *zSpec = "", *zDsnArg = 0;
  char *zErr = 0, *zDb = 0, *zNoSelect = 0;
  mv_conn *c = 0;
  fnGrants g;
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
  if( fnGrantsLoad(p->ctx, c, 0, &g, &zErr) ) goto fail;
  checkAdd(cur, sqlite3_mprintf("privilege REPLICATION SLAVE"),
      fnGrantsHas(&g, P_REPL_SLAVE, 0, 0),
      fnGrantsHas(&g, P_REPL_SLAVE, 0, 0) ? sqlite3_mprintf("granted")
        : sqlite3_mprintf("%s cannot read the binlog (mysql_changes): GRANT"
             " REPLICATION SLAVE ON *.* TO %s", g.zUser, g.zUser));
  checkAdd(cur, sqlite3_mprintf("privilege REPLICATION CLIENT"),
      fnGrantsHas(&g, P_REPL_CLIENT, 0, 0),
      fnGrantsHas(&g, P_REPL_CLIENT, 0, 0) ? sqlite3_mprintf("granted")
        : sqlite3_mprintf("%s cannot read binlog positions (SHOW MASTER"
             " STATUS): GRANT REPLICATION CLIENT ON *.* TO %s",
             g.zUser, g.zUser));
  iSel = cur->nRow;
  checkAdd(cur, sqlite3_mprintf("privilege SELECT"), 0, sqlite3_mprintf(""));
  if( checkTables(cur, p->ctx, c, zSpec, zDb, &g, &nNoSelect, &zNoSelect,
                  &zErr) ) goto fail;
  if( !cur->oom ){
    fnRow *pSel = &cur->aRow[iSel];
    int ok = fnGrantsHas(&g, P_SELECT, 0, 0);
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
  fnGrantsFree(&g);
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

/* ---------------------------------------------------------------------
** mysql_setup(admin_dsn, user, password [, host])
*/

/* Replace every occurrence of zPw in z by *** (z is consumed). */
static char *fnScrub(char *z, const char *zPw){
  sqlite3_str *s;
  const char *p, *q;
  size_t n = zPw ? strlen(zPw) : 0;
  if( z==0 || n==0 || strstr(z, zPw)==0 ) return z;
  s = sqlite3_str_new(0);
  for(p=z; (q = strstr(p, zPw))!=0; p = q+n){
    sqlite3_str_append(s, p, (int)(q-p));
    sqlite3_str_appendall(s, "***");
  }
  sqlite3_str_appendall(s, p);
  sqlite3_free(z);
  return sqlite3_str_finish(s);
}

/* After an access-denied error: which of the privileges that mysql_setup
** needs does the admin lack? A message, or NULL if SHOW GRANTS shows them
** all (a role, say) and the server's own message must do. */
static char *setupDenied(mv_ctx *ctx, mv_conn *c){
  static const struct { unsigned m; const char *z; } aNeed[] = {
    { P_CREATE_USER,  "CREATE USER" },
    { P_REPL_SLAVE,   "REPLICATION SLAVE" },
    { P_REPL_CLIENT,  "REPLICATION CLIENT" },
    { P_SELECT,       "SELECT" },
    { P_GRANT_OPTION, "GRANT OPTION" },
  };
  fnGrants g;
  char *zErr = 0, *zRet = 0;
  sqlite3_str *s;
  int i, n = 0;
  if( fnGrantsLoad(ctx, c, 0, &g, &zErr) ){
    sqlite3_free(zErr);
    fnGrantsFree(&g);
    return 0;
  }
  s = sqlite3_str_new(0);
  for(i=0; i<(int)(sizeof aNeed/sizeof aNeed[0]); i++){
    if( fnGrantsHas(&g, aNeed[i].m, 0, 0) ) continue;
    sqlite3_str_appendf(s, "%s%s", n ? ", " : "", aNeed[i].z);
    n++;
  }
  if( n ){
    char *zList = sqlite3_str_finish(s);
    zRet = sqlite3_mprintf("the admin %s lacks %s on *.* (creating the agent"
        " needs CREATE USER, and granting a privilege needs it WITH GRANT"
        " OPTION): as root run GRANT CREATE USER, REPLICATION SLAVE,"
        " REPLICATION CLIENT, SELECT ON *.* TO %s WITH GRANT OPTION",
        g.zUser, zList, g.zUser);
    sqlite3_free(zList);
  }else{
    sqlite3_free(sqlite3_str_finish(s));
  }
  fnGrantsFree(&g);
  return zRet;
}

static void setupFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mv_ctx *ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  const char *zAdmin = (const char*)sqlite3_value_text(argv[0]);
  const char *zUser = (const char*)sqlite3_value_text(argv[1]);
  const char *zPw = (const char*)sqlite3_value_text(argv[2]);
  const char *zHost = argc>3 ? (const char*)sqlite3_value_text(argv[3]) : "%";
  char *zErr = 0, *zAcct = 0, *zUserLit = 0, *zHostLit = 0, *zPwLit = 0;
  char *zSql = 0, *zLog = 0, *zIdent = 0;
  sqlite3_str *out = sqlite3_str_new(0);
  mv_conn *c = 0;
  MYSQL_RES *res;
  int existed = 0, created = 0;

  if( zUser==0 || zUser[0]==0 ){
    zErr = sqlite3_mprintf("the user name (argument 2) is empty");
    goto fail;
  }
  if( zPw==0 || zPw[0]==0 ){
    zErr = sqlite3_mprintf("the password (argument 3) is empty: the agent"
                           " user needs one");
    goto fail;
  }
  if( zHost==0 || zHost[0]==0 ){
    zErr = sqlite3_mprintf("the host (argument 4) is empty: use '%%' for any"
                           " host");
    goto fail;
  }
  c = mv_conn_get(ctx, mv_dsn_text(zAdmin), &zErr);
  if( c==0 ) goto fail;
  zUserLit = mv_literal(c->mysql, zUser);
  zHostLit = mv_literal(c->mysql, zHost);
  zPwLit = mv_literal(c->mysql, zPw);
  zAcct = (zUserLit && zHostLit) ? sqlite3_mprintf("%s@%s", zUserLit, zHostLit) : 0;
  if( zAcct==0 || zPwLit==0 ) goto oom;

  /* MariaDB writes CREATE/ALTER USER ... IDENTIFIED BY 'text' into the
  ** binlog verbatim, where anyone with REPLICATION SLAVE (the agent
  ** itself, through the sql column of mysql_changes) could read it. So
  ** there the password is hashed first (SELECT is not logged) and the
  ** hash is sent: IDENTIFIED BY PASSWORD '*...'. MySQL rewrites the
  ** statement with the hash before logging it; it gets the text. */
  zIdent = sqlite3_mprintf("IDENTIFIED BY %s", zPwLit);
  if( zIdent==0 ) goto oom;
  if( mv_is_mariadb(c->mysql) ){
    MYSQL_ROW row;
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT PASSWORD(%s)", zPwLit);
    if( zSql==0 ) goto oom;
    res = mv_query_as(ctx, c, zSql, "SELECT PASSWORD('***')", 0, &zErr);
    if( res==0 ){
      if( zErr==0 ) zErr = sqlite3_mprintf("SELECT PASSWORD(): no result");
      goto fail;
    }
    row = mysql_fetch_row(res);
    if( row && row[0] && row[0][0]=='*' ){
      memset(zIdent, 0, strlen(zIdent));
      sqlite3_free(zIdent);
      zIdent = sqlite3_mprintf("IDENTIFIED BY PASSWORD '%s'", row[0]);
    }
    mysql_free_result(res);
    if( zIdent==0 ) goto oom;
  }

  /* 1. Create the user, or set the password of the one that exists. */
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("CREATE USER %s %s", zAcct, zIdent);
  zLog = sqlite3_mprintf("CREATE USER %s IDENTIFIED BY '***'", zAcct);
  if( zSql==0 || zLog==0 ) goto oom;
  res = mv_query_as(ctx, c, zSql, zLog, 0, &zErr);
  if( res ) mysql_free_result(res);
  if( zErr && mysql_errno(c->mysql)==MV_ER_CANNOT_USER ){
    /* the user exists already */
    sqlite3_free(zErr); zErr = 0;
    sqlite3_free(zSql); sqlite3_free(zLog);
    zSql = sqlite3_mprintf("ALTER USER %s %s", zAcct, zIdent);
    zLog = sqlite3_mprintf("ALTER USER %s IDENTIFIED BY '***'", zAcct);
    if( zSql==0 || zLog==0 ) goto oom;
    res = mv_query_as(ctx, c, zSql, zLog, 0, &zErr);
    if( res ) mysql_free_result(res);
    existed = 1;
  }
  if( zErr ) goto denied;
  created = !existed;
  sqlite3_str_appendf(out, existed ? "user %s existed: set its password"
                                   : "created user %s", zAcct);

  /* 2. An existing user keeps nothing beyond the three privileges. */
  if( existed ){
    fnGrants g;
    int extra;
    if( fnGrantsLoad(ctx, c, zAcct, &g, &zErr) ){ fnGrantsFree(&g); goto denied; }
    extra = fnGrantsExtra(&g);
    fnGrantsFree(&g);
    if( extra ){
      sqlite3_free(zSql);
      zSql = sqlite3_mprintf("REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s", zAcct);
      if( zSql==0 ) goto oom;
      res = mv_query_as(ctx, c, zSql, 0, 0, &zErr);
      if( res ) mysql_free_result(res);
      if( zErr ) goto denied;
      sqlite3_str_appendf(out, "; revoked its other privileges");
    }
  }

  /* 3. Exactly the agent's privileges. */
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT"
                         " ON *.* TO %s", zAcct);
  if( zSql==0 ) goto oom;
  res = mv_query_as(ctx, c, zSql, 0, 0, &zErr);
  if( res ) mysql_free_result(res);
  if( zErr ) goto denied;
  sqlite3_str_appendf(out, "; granted REPLICATION SLAVE, REPLICATION CLIENT,"
                           " SELECT ON *.*");
  if( sqlite3_str_errcode(out) ) goto oom;
  sqlite3_result_text(pCtx, sqlite3_str_finish(out), -1, sqlite3_free);
  out = 0;
  goto done;

denied:
  if( mv_error_class(mysql_errno(c->mysql))==MV_ERR_ACCESS ){
    char *zWhy = setupDenied(ctx, c);
    if( zWhy ){ sqlite3_free(zErr); zErr = zWhy; }
  }
  if( created ){
    /* Leave nothing half done: a user without its privileges would
    ** only fail later, further from the cause. */
    char *zDrop = sqlite3_mprintf("DROP USER %s", zAcct);
    char *zIgnore = 0;
    if( zDrop ){
      res = mv_query_as(ctx, c, zDrop, 0, 0, &zIgnore);
      if( res ) mysql_free_result(res);
    }
    sqlite3_free(zIgnore);
    sqlite3_free(zDrop);
  }
  goto fail;
oom:
  sqlite3_free(zErr);
  zErr = 0;
fail:
  {
    char *z = fnScrub(sqlite3_mprintf("mysql_setup: %s",
                                      zErr ? zErr : "out of memory"), zPw);
    sqlite3_result_error(pCtx, z ? z : "mysql_setup: out of memory", -1);
    sqlite3_free(z);
  }
done:
  if( c ) mv_conn_release(ctx, c);
  sqlite3_free(sqlite3_str_finish(out));
  sqlite3_free(zErr);
  sqlite3_free(zAcct);
  sqlite3_free(zUserLit);
  sqlite3_free(zHostLit);
  if( zPwLit ){ memset(zPwLit, 0, strlen(zPwLit)); sqlite3_free(zPwLit); }
  if( zSql ){ memset(zSql, 0, strlen(zSql)); sqlite3_free(zSql); }
  if( zIdent ){ memset(zIdent, 0, strlen(zIdent)); sqlite3_free(zIdent); }
  sqlite3_free(zLog);
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
int mv_register_functions(sqlite3 *db, mv_ctx *ctx){
  int rc;
  int i;
  for(i=0, rc=SQLITE_OK; i<2 && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function_v2(db, "mysql_position", i,
            SQLITE_UTF8|SQLITE_DIRECTONLY, mv_ctx_ref(ctx),
            positionFunc, 0, 0, mv_ctx_unref);
  }
  for(i=3; i<=4 && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function_v2(db, "mysql_setup", i,
            SQLITE_UTF8|SQLITE_DIRECTONLY, mv_ctx_ref(ctx),
            setupFunc, 0, 0, mv_ctx_unref);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "mysql_check", &checkModule,
                                  mv_ctx_ref(ctx), mv_ctx_unref);
  }
  return rc;
}
