/*
** functions.c — the server functions of mysql_vtab.
**
**   SELECT mysql_position();                 -- 'mysql-bin.000003:1234'
**   SELECT mysql_position('host=db1 user=agent');
**
** mysql_position([dsn]) returns the server's current binlog position as
** "file:offset", from SHOW MASTER STATUS (or SHOW BINARY LOG STATUS on a
** server that removed the former, MySQL 8.4+). It is an error when binary
** logging is off.
**
** Every function here reaches the network, so all are SQLITE_DIRECTONLY:
** triggers and views of an untrusted schema cannot call them.
*/
#include "mysqlvtab.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
** Helpers shared by the functions of this file.
*/

/* Give c back to the pool: a server-side error (errno below 2000) leaves
** the connection usable, a client error (lost connection, ...) does not. */
static void fnPut(mv_ctx *ctx, mv_conn *c){
  unsigned e;
  if( c==0 ) return;
  e = c->mysql ? mysql_errno(c->mysql) : 2000;
  mv_conn_put(ctx, c, e==0 || e<2000);
}

/* Run zSql (logged as zLog, or as itself when zLog is NULL) and return its
** stored result. On error returns NULL and sets *pzErr, which names zLog
** (never zSql when they differ: zSql may hold a password). A statement
** without a result set returns NULL and leaves *pzErr NULL. */
static MYSQL_RES *fnQuery(mv_ctx *ctx, mv_conn *c, const char *zSql,
                          const char *zLog, char **pzErr){
  MYSQL_RES *res;
  *pzErr = 0;
  if( zLog==0 ) zLog = zSql;
  mv_log_query(ctx, zLog);
  if( mysql_real_query(c->mysql, zSql, (unsigned long)strlen(zSql)) ){
    *pzErr = mv_conn_error(c, zLog);
    return 0;
  }
  res = mysql_store_result(c->mysql);
  if( res==0 && mysql_field_count(c->mysql)>0 ){
    *pzErr = mv_conn_error(c, zLog);
  }
  return res;
}

/* The current position "file:offset" (sqlite3_malloc'd), or NULL with
** *pzErr set. SHOW MASTER STATUS was removed in MySQL 8.4 in favour of
** SHOW BINARY LOG STATUS, which older servers and MariaDB do not parse:
** try one, and on a syntax error (1064) the other. */
static char *fnPosition(mv_ctx *ctx, mv_conn *c, char **pzErr){
  static const char *azSql[] = { "SHOW MASTER STATUS", "SHOW BINARY LOG STATUS" };
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char *zRet = 0;
  int i;
  for(i=0; i<2; i++){
    char *zErr = 0;
    res = fnQuery(ctx, c, azSql[i], 0, &zErr);
    if( res ) break;
    if( zErr==0 ) zErr = sqlite3_mprintf("%s: no result", azSql[i]);
    if( i==0 && mysql_errno(c->mysql)==1064 ){ sqlite3_free(zErr); continue; }
    *pzErr = zErr;
    return 0;
  }
  row = mysql_fetch_row(res);
  if( row==0 || row[0]==0 || row[1]==0 ){
    *pzErr = sqlite3_mprintf("binary logging is off on %s: add log_bin=mysql-bin"
                             " to the [mysqld] section of my.cnf and restart"
                             " the server", c->zLabel);
  }else{
    zRet = sqlite3_mprintf("%s:%s", row[0], row[1]);
    if( zRet==0 ) *pzErr = sqlite3_mprintf("out of memory");
  }
  mysql_free_result(res);
  return zRet;
}

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
  zPos = fnPosition(ctx, c, &zErr);
  fnPut(ctx, c);
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
  return rc;
}
