/*
** ext.c — the entry point of the mysql_vtab extension.
**
**   .load build/mysql_vtab
**   SELECT mysql_vtab_version();  -- 0.1.0 (commit ..., client ..., SQLite ...)
**   SELECT mysql_vtab_debug();           -- the same, one item a line,
**                                        -- and the modes below
**   SELECT mysql_vtab_debug('queries');  -- SQL sent to MySQL since the
**                                        -- last call, one per line
**   SELECT mysql_vtab_debug('help');     -- the modes
**
** Registers the virtual tables (snapshot.c, changes.c) and the functions
** (check.c, setup.c). Everything the modules share lives in one mv_ctx per
** SQLite connection, freed when the last module or function using it goes.
*/
#include "mysqlvtab.h"

SQLITE_EXTENSION_INIT1

#include <stdlib.h>
#include <string.h>

#ifndef MYSQL_VTAB_COMMIT
# define MYSQL_VTAB_COMMIT "unknown"
#endif
#ifndef MYSQL_VTAB_CFLAGS
# define MYSQL_VTAB_CFLAGS ""
#endif

/* What the build was: loadable, or built into a program (SQLITE_CORE:
** sqlite3_auto_extension, SQLite's functions called directly). */
#ifdef SQLITE_CORE
# define MV_BUILD_KIND "static (SQLITE_CORE)"
#else
# define MV_BUILD_KIND "loadable"
#endif

/* The client library compiled against: MariaDB Connector/C says its
** package version, MySQL's libmysqlclient its server version. */
#ifdef MARIADB_PACKAGE_VERSION
# define MV_CLIENT_NAME "MariaDB Connector/C"
# define MV_CLIENT_BUILT MARIADB_PACKAGE_VERSION
#elif defined(LIBMYSQL_VERSION)
# define MV_CLIENT_NAME "libmysqlclient"
# define MV_CLIENT_BUILT LIBMYSQL_VERSION
#else
# define MV_CLIENT_NAME "MySQL client library"
# define MV_CLIENT_BUILT MYSQL_SERVER_VERSION
#endif

/* mysql_vtab_debug's modes, for 'help' and the unknown-mode error. */
static const char zDebugModes[] =
  "'' (no argument): version, commit, client library, SQLite, build flags;"
  " 'queries': the SQL sent to MySQL since the last call (at most 32);"
  " 'help': this list";

#define MV_QUERY_LOG 32    /* statements kept for mysql_vtab_debug */

struct mv_ctx {
  int nRef;
  mv_pool pool;                    /* its MySQL connections */
  char *azLog[MV_QUERY_LOG];       /* ring of recent statements */
  int iLog, nLog;
};

mv_ctx *mv_ctx_ref(mv_ctx *ctx){
  ctx->nRef++;
  return ctx;
}

mv_conn *mv_conn_get(mv_ctx *ctx, const char *zDsn, char **pzErr){
  return mv_pool_get(&ctx->pool, zDsn, pzErr);
}

void mv_conn_put(mv_ctx *ctx, mv_conn *c, int reusable){
  mv_pool_put(&ctx->pool, c, reusable);
}

void mv_conn_release(mv_ctx *ctx, mv_conn *c){
  mv_pool_release(&ctx->pool, c);
}

void mv_ctx_unref(void *p){
  mv_ctx *ctx = (mv_ctx*)p;
  int i;
  if( ctx==0 || --ctx->nRef>0 ) return;
  mv_pool_close(&ctx->pool);
  for(i=0; i<MV_QUERY_LOG; i++) sqlite3_free(ctx->azLog[i]);
  sqlite3_free(ctx);
}

void mv_log_query(mv_ctx *ctx, const char *zSql){
  int i = (ctx->iLog + ctx->nLog) % MV_QUERY_LOG;
  if( ctx->nLog==MV_QUERY_LOG ){
    ctx->iLog = (ctx->iLog + 1) % MV_QUERY_LOG;
  }else{
    ctx->nLog++;
  }
  sqlite3_free(ctx->azLog[i]);
  ctx->azLog[i] = sqlite3_mprintf("%s", zSql);
}

int mv_interrupted(sqlite3 *db){
#if SQLITE_VERSION_NUMBER>=3041000
  /* (built with newer headers than the SQLite that loaded it: the routine
  ** is not there, so the way below) */
  if( sqlite3_libversion_number()>=3041000 ) return sqlite3_is_interrupted(db);
#endif
  {
    /* SQLite before 3.41 (Debian 12 has 3.40) cannot be asked. But the
    ** interrupt flag stays set while any statement of the connection is
    ** active, and a statement stepped meanwhile fails with SQLITE_INTERRUPT:
    ** so step a trivial one. */
    sqlite3_stmt *pStmt = 0;
    int rc;
    if( sqlite3_prepare_v2(db, "SELECT 1", -1, &pStmt, 0)!=SQLITE_OK ){
      return sqlite3_errcode(db)==SQLITE_INTERRUPT;
    }
    rc = sqlite3_step(pStmt);
    sqlite3_finalize(pStmt);
    return rc==SQLITE_INTERRUPT;
  }
}

/* The build, as one line (items after "; ") or one item a line. The
** running client library and SQLite may differ from those compiled
** against (a newer shared library), so both are shown. */
static char *buildInfo(int oneLine){
  const char *zSep = oneLine ? "; " : "\n";
  const char *zClient = mysql_get_client_info();
  const char *zSqlite = sqlite3_libversion();
  sqlite3_str *s = sqlite3_str_new(0);
  sqlite3_str_appendf(s, oneLine ? "%s (commit %s" : "mysql_vtab %s\ncommit %s",
                      MYSQL_VTAB_VERSION, MYSQL_VTAB_COMMIT);
  sqlite3_str_appendf(s, "%sclient %s %s (compiled against %s)", zSep,
                      MV_CLIENT_NAME, zClient, MV_CLIENT_BUILT);
  sqlite3_str_appendf(s, "%ssqlite %s (compiled against %s)", zSep, zSqlite,
                      SQLITE_VERSION);
  sqlite3_str_appendf(s, "%sbuild %s%scflags %s%s", zSep, MV_BUILD_KIND, zSep,
                      MYSQL_VTAB_CFLAGS, oneLine ? ")" : "");
  return sqlite3_str_finish(s);
}

static void versionFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  char *z = buildInfo(1);
  (void)argc; (void)argv;
  if( z==0 ){ sqlite3_result_error_nomem(pCtx); return; }
  sqlite3_result_text(pCtx, z, -1, sqlite3_free);
}

static void debugFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mv_ctx *ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  const char *zWhat = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : 0;
  if( zWhat==0 || zWhat[0]==0 ){
    char *z = buildInfo(0);
    char *zAll = z ? sqlite3_mprintf("%s\nmodes %s", z, zDebugModes) : 0;
    sqlite3_free(z);
    if( zAll==0 ){ sqlite3_result_error_nomem(pCtx); return; }
    sqlite3_result_text(pCtx, zAll, -1, sqlite3_free);
  }else if( strcmp(zWhat, "help")==0 ){
    sqlite3_result_text(pCtx, zDebugModes, -1, SQLITE_STATIC);
  }else if( strcmp(zWhat, "queries")==0 ){
    sqlite3_str *s = sqlite3_str_new(0);
    int i;
    for(i=0; i<ctx->nLog; i++){
      int k = (ctx->iLog + i) % MV_QUERY_LOG;
      sqlite3_str_appendf(s, "%s%s", i ? "\n" : "", ctx->azLog[k]);
      sqlite3_free(ctx->azLog[k]);
      ctx->azLog[k] = 0;
    }
    ctx->iLog = ctx->nLog = 0;
    sqlite3_result_text(pCtx, sqlite3_str_finish(s), -1, sqlite3_free);
  }else{
    char *z = sqlite3_mprintf("mysql_vtab_debug: unknown argument '%s' (modes: %s)",
                              zWhat, zDebugModes);
    sqlite3_result_error(pCtx, z, -1);
    sqlite3_free(z);
  }
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_mysqlvtab_init(sqlite3 *db, char **pzErrMsg,
                           const sqlite3_api_routines *pApi){
  int rc = SQLITE_OK;
  mv_ctx *ctx;
  SQLITE_EXTENSION_INIT2(pApi);
  if( mysql_library_init(0, 0, 0) ){
    *pzErrMsg = sqlite3_mprintf("mysql_vtab: cannot initialise the client library");
    return SQLITE_ERROR;
  }
  ctx = sqlite3_malloc(sizeof *ctx);
  if( ctx==0 ) return SQLITE_NOMEM;
  memset(ctx, 0, sizeof *ctx);
  ctx->nRef = 1;   /* held by mysql_vtab_version below */
  mv_pool_init(&ctx->pool, db);
  rc = sqlite3_create_function_v2(db, "mysql_vtab_version", 0,
          SQLITE_UTF8|SQLITE_INNOCUOUS|SQLITE_DETERMINISTIC, ctx,
          versionFunc, 0, 0, mv_ctx_unref);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, "mysql_vtab_debug", -1,
            SQLITE_UTF8|SQLITE_DIRECTONLY, mv_ctx_ref(ctx),
            debugFunc, 0, 0, mv_ctx_unref);
  }
  if( rc==SQLITE_OK ) rc = mv_register_snapshot(db, ctx);
  if( rc==SQLITE_OK ) rc = mv_register_changes(db, ctx);
  if( rc==SQLITE_OK ) rc = mv_register_check(db, ctx);
  if( rc==SQLITE_OK ) rc = mv_register_setup(db, ctx);
  if( rc==SQLITE_OK ) rc = mv_register_mirror(db, ctx);
  if( rc==SQLITE_OK ) rc = mv_register_replicate(db, ctx);
  if( rc!=SQLITE_OK ){
    *pzErrMsg = sqlite3_mprintf("mysql_vtab: registration failed: %s",
                                sqlite3_errstr(rc));
  }
  return rc;
}

int mv_register_function(sqlite3 *db, mv_ctx *ctx, const char *zName,
                         int nMin, int nMax,
                         void (*xFunc)(sqlite3_context*, int, sqlite3_value**)){
  int rc = SQLITE_OK, i;
  for(i=nMin; i<=nMax && rc==SQLITE_OK; i++){
    rc = sqlite3_create_function_v2(db, zName, i, SQLITE_UTF8|SQLITE_DIRECTONLY,
                                    mv_ctx_ref(ctx), xFunc, 0, 0, mv_ctx_unref);
  }
  return rc;
}
