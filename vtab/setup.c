/*
** setup.c — mysql_setup, the setup wizard.
**
**   SELECT mysql_setup('user=root socket=/run/mysqld/mysqld.sock',
**                      'agent', 'agentpw', '%');
**
** mysql_setup(admin_dsn, user, password [, host]) creates the agent user
** (or sets the password of the existing one) and grants it exactly
** REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.*, revoking anything
** else it held. host defaults to '%'. It returns what it did. The admin
** needs CREATE USER, GRANT OPTION and the three privileges; an error says
** which ones it lacks. The password is sent once and never logged (the
** query log shows '***') nor put in an error.
**
** It reaches the network, so it is SQLITE_DIRECTONLY: triggers and views
** of an untrusted schema cannot call it.
*/
#include "grants.h"

#include <stdlib.h>
#include <string.h>

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
  mv_grants g;
  char *zErr = 0, *zRet = 0;
  sqlite3_str *s;
  int i, n = 0;
  if( mv_grants_load(ctx, c, 0, &g, &zErr) ){
    sqlite3_free(zErr);
    mv_grants_free(&g);
    return 0;
  }
  s = sqlite3_str_new(0);
  for(i=0; i<(int)(sizeof aNeed/sizeof aNeed[0]); i++){
    if( mv_grants_has(&g, aNeed[i].m, 0, 0) ) continue;
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
  mv_grants_free(&g);
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
    mv_grants g;
    int extra;
    if( mv_grants_load(ctx, c, zAcct, &g, &zErr) ){ mv_grants_free(&g); goto denied; }
    extra = mv_grants_extra(&g);
    mv_grants_free(&g);
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


int mv_register_setup(sqlite3 *db, mv_ctx *ctx){
  return mv_register_function(db, ctx, "mysql_setup", 3, 4, setupFunc);
}
