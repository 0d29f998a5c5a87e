/*
** mysqlvtab.h — internal header shared by the SQLite-facing files of the
** extension (ext.c, conn.c, pool.c, snapshot.c, changes.c, check.c,
** setup.c, ...).
** Pure modules (vtab/pure/: bytes.h, buf.h, encode.h, binlog.h, ...) never
** include it.
*/
#ifndef MYSQLVTAB_H
#define MYSQLVTAB_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <mysql.h>

#include "pure/buf.h"
#include "pure/dsnparse.h"
#include "pure/encode.h"

/* sqlite3_module grew xIntegrity in SQLite 3.44: the module tables end
** with MV_XINTEGRITY so that -Wmissing-field-initializers stays quiet on
** both sides of it (Debian 12 has 3.40, Debian 13 and sid 3.46+). */
#if SQLITE_VERSION_NUMBER >= 3044000
# define MV_XINTEGRITY , 0
#else
# define MV_XINTEGRITY
#endif

/* The bind structs' flag type: libmariadb's my_bool, a plain bool in
** MySQL's libmysqlclient since 8.0 (which dropped my_bool). */
#ifdef MARIADB_PACKAGE_VERSION_ID
typedef my_bool mv_bool;
#else
typedef bool mv_bool;
#endif

#define MYSQL_VTAB_VERSION "0.1.0"

/* One per SQLite connection: what every module and function of the
** extension shares. Reference-counted: each registration holds a
** reference and the last destructor frees it. */
typedef struct mv_ctx mv_ctx;

/* A client connection borrowed from the context's pool. */
typedef struct mv_conn {
  MYSQL *mysql;
  char *zDsn;            /* the DSN text it was opened with ("" = default) */
  char *zLabel;          /* "user@host:port" for messages: no password */
  int inUse;
  int64_t interrupted;   /* non-zero: the last mv_* call was interrupted */
  sqlite3 *db;           /* whose sqlite3_interrupt() the calls listen to */
  struct mv_conn *pNext;
} mv_conn;

/* ---- conn.c: a DSN to a connection (pure/dsnparse.h parses it) ---- */

/* mv_dsn_parse_text with the message sqlite3_malloc'd: on error returns
** non-zero and sets *pzErr to a message naming the bad key or position;
** never the password. */
int mv_dsn_parse(const char *zDsn, mv_dsn *p, char **pzErr);

/* The DSN text a function argument means: zArg if given, else
** $MYSQL_VTAB_DSN, else "". Not allocated. */
const char *mv_dsn_text(const char *zArg);

/* "'user'@host:port" or "'user'@host (socket /path)" for messages, from
** the DSN and what the connection m (may be NULL) filled in. */
char *mv_dsn_label(const mv_dsn *p, MYSQL *m);

/* Open a fresh connection (charset utf8mb4, session time_zone UTC). On
** failure returns NULL and *pzErr names host and port (or socket) and the
** server's reason, never the password. */
MYSQL *mv_connect(const mv_dsn *p, char **pzErr);

/* A message for the last client error on c, prefixed with what failed. */
char *mv_conn_error(mv_conn *c, const char *zWhat);

/* MySQL's error numbers that the extension acts on, by mysqld_error.h's
** names (the same numbers on MySQL and MariaDB). Named here only. */
enum {
  MV_ER_DBACCESS_DENIED = 1044, MV_ER_ACCESS_DENIED = 1045,
  MV_ER_BAD_DB = 1049, MV_ER_PARSE = 1064,
  MV_ER_TABLEACCESS_DENIED = 1142, MV_ER_COLUMNACCESS_DENIED = 1143,
  MV_ER_NO_SUCH_TABLE = 1146, MV_ER_UNKNOWN_SYSTEM_VARIABLE = 1193,
  MV_ER_SPECIFIC_ACCESS_DENIED = 1227, MV_ER_PROCACCESS_DENIED = 1370,
  MV_ER_CANNOT_USER = 1396, MV_ER_CANT_CREATE_USER_WITH_GRANT = 1410
};

/* What an error number (mysql_errno, mysql_stmt_errno) means. */
enum {
  MV_ERR_NONE = 0,       /* 0: no error */
  MV_ERR_CLIENT,         /* the client library's (CR_*, 2000 up): the
                         ** connection is lost or unusable, close it */
  MV_ERR_NO_TABLE,       /* no such table or database */
  MV_ERR_ACCESS,         /* a privilege is missing (or the login failed) */
  MV_ERR_SERVER          /* any other server error: the connection is fine */
};
int mv_error_class(unsigned e);

/* ---- pool.c: the connections of one SQLite connection ---- */

typedef struct mv_pool {
  mv_conn *pHead;        /* every connection, idle or in use */
  sqlite3 *db;           /* whose sqlite3_interrupt() the calls listen to */
} mv_pool;

void mv_pool_init(mv_pool *pool, sqlite3 *db);
/* Close every connection (none may be in use any more). */
void mv_pool_close(mv_pool *pool);
/* Borrow an idle pooled connection for zDsn, or open one. */
mv_conn *mv_pool_get(mv_pool *pool, const char *zDsn, char **pzErr);
/* Give it back: reusable=0 closes it (a stream abandoned mid-result, a
** lost connection), reusable=1 keeps it idle for the next statement. */
void mv_pool_put(mv_pool *pool, mv_conn *c, int reusable);
/* Give back a connection whose statement is complete: kept after success or
** a server-side error, closed after a client error (lost connection, ...:
** errno from CR_MIN_ERROR, 2000, up). NULL is a no-op. */
void mv_pool_release(mv_pool *pool, mv_conn *c);

/* ---- server.c: what the server says about itself ---- */

/* The server's current binlog position "file:offset" (sqlite3_malloc'd),
** or NULL with *pzErr set (binary logging off: says what to configure). */
char *mv_position(mv_ctx *ctx, mv_conn *c, char **pzErr);
/* The same, and MySQL's Executed_Gtid_Set of that moment into *pzGtid
** (sqlite3_malloc'd; left NULL on MariaDB). */
char *mv_position_gtid(mv_ctx *ctx, mv_conn *c, char **pzGtid, char **pzErr);

/* Is the server MariaDB (not MySQL)? */
int mv_is_mariadb(MYSQL *m);

/* The connection's default schema, DATABASE() (*pzDb sqlite3_malloc'd, NULL
** when the DSN named none); 1 with *pzErr set (naming zWhat) on an error. */
int mv_default_db(mv_ctx *ctx, mv_conn *c, const char *zWhat, char **pzDb,
                  char **pzErr);

/* The server's binlog files, from SHOW BINARY LOGS (which MySQL 8.4 keeps,
** as MariaDB does): the oldest and newest names into *pzFirst and *pzLast
** (sqlite3_malloc'd) and, when pSize is not NULL, the size of zFile into
** *pSize (-1: not listed). Returns 0, or 1 with *pzErr set. */
/* The server's estimate of zDb.zTbl's rows (TABLE_ROWS), -1 if none. */
sqlite3_int64 mv_table_rows_estimate(mv_ctx *ctx, mv_conn *c, const char *zDb,
                                     const char *zTbl);
int mv_binlog_files(mv_ctx *ctx, mv_conn *c, const char *zFile,
                    char **pzFirst, char **pzLast, long long *pSize,
                    char **pzErr);

/* Why zFile:off cannot start a stream on a server whose binlogs are zFirst
** to zLast, zFile being nSize bytes (-1: not listed): purged, never
** written or past the end (sqlite3_malloc'd); NULL when it can. */
char *mv_binlog_start_problem(const char *zFile, uint64_t off,
                              const char *zFirst, const char *zLast,
                              long long nSize);

/* ---- quote.c ---- */

/* SQL text: `name` with backticks doubled; 'text' escaped for the
** connection's charset (sqlite3_malloc'd, NULL when out of memory). */
void mv_quote_ident(sqlite3_str *s, const char *z);
char *mv_literal(MYSQL *m, const char *z);

/* ---- calls.c: the calls that wait for the server, interruptible ---- */

/* Run zSql, log it as zLog (NULL: zSql itself; zSql may hold a password)
** and return its stored result. On an error NULL and *pzErr set, naming
** zWhat (NULL: zLog), never zSql when zLog differs; a statement without a
** result set gives NULL with *pzErr NULL. */
MYSQL_RES *mv_query_as(mv_ctx *ctx, mv_conn *c, const char *zSql,
                       const char *zLog, const char *zWhat, char **pzErr);

/* The same for a statement that returns rows: its stored result, or NULL
** with *pzErr set, naming zWhat, on an error or when it gave no rows.
** The caller frees it with mysql_free_result. */
MYSQL_RES *mv_query(mv_ctx *ctx, mv_conn *c, const char *zSql,
                    const char *zWhat, char **pzErr);

/* Run one statement that returns no rows; on error *pzErr is set. */
int mv_exec(mv_ctx *ctx, mv_conn *c, const char *zSql, char **pzErr);

/* The client library's calls that wait for the server, made interruptible:
** while the server has not answered, sqlite3_interrupt() on c->db is
** checked every 100 ms (and at once on a signal); when it was called, the
** statement is stopped with KILL QUERY from a second connection, and if it
** has not ended two seconds later, the connection is shut down. The call
** then fails and c->interrupted is set (mv_conn_error says "interrupted").
** Same results as mysql_real_query, mysql_store_result, mysql_stmt_prepare,
** mysql_stmt_execute and mysql_stmt_fetch. (Connector/C: through its
** non-blocking calls; MySQL's libmysqlclient has none for statements, so
** there a watcher thread does the same, with SQLite 3.41+.) */
int mv_real_query(mv_conn *c, const char *zSql);
MYSQL_RES *mv_store_result(mv_conn *c);
int mv_stmt_prepare(mv_conn *c, MYSQL_STMT *stmt, const char *zSql);
int mv_stmt_execute(mv_conn *c, MYSQL_STMT *stmt);
int mv_stmt_fetch(mv_conn *c, MYSQL_STMT *stmt);

/* ---- tblarg.c: the table argument of mysql_snapshot and mysql_check ---- */
typedef struct mv_tblname {
  char *zDb;        /* NULL: the DSN's database */
  char *zTbl;
  int isPattern;    /* unquoted and holding %: a LIKE pattern (_ literal) */
} mv_tblname;
/* Parse "db.t", "t", "a, b.c", "db.%" (parts may be `quoted`) into names.
** 0 on success; else *pzErr names zFunc, the argument and the position. */
int mv_tblarg_parse(const char *zFunc, const char *zArg, mv_tblname **paName,
                    int *pnName, char **pzErr);
void mv_tblarg_free(mv_tblname *a, int n);
/* ---- sqvalue.c ---- */
/* Return v as a typed column holds it (pure/types.h, mv_sq_value); b is
** scratch for text. */
void mv_result_value(sqlite3_context *ctx, const mv_value *v, mv_buf *b);

/* A module argument of CREATE VIRTUAL TABLE without its SQL quotes ('x',
** "x", [x]; sqlite3_malloc'd, NULL when out of memory). */
char *mv_dequote_arg(const char *z);

/* ---- errors.c ---- */

/* "zFunc: [zDb.]zTbl: [zPos: ]cause" (sqlite3_malloc'd, NULL when out of
** memory): what failed, the table (zTbl NULL: none; zDb NULL: the table's
** name alone) and the position (file:offset, a row...; NULL: none). */
char *mv_error(const char *zFunc, const char *zDb, const char *zTbl,
               const char *zPos, const char *zFmt, ...)
  __attribute__((format(printf, 5, 6)));

/* ---- hidden.c: xBestIndex for hidden arguments ---- */

/* The hidden columns aCol[0..nCol) (at most MV_HIDDEN_MAX) of a
** table-valued function, in xFilter's argv order: each one an `=`
** constraint supplies gets the next argvIndex after *pnArg (which is
** advanced) and omit=1, and bit k of *pMask (aCol[k]). Returns
** SQLITE_CONSTRAINT when a column is constrained only by unusable
** constraints (SQLite must find a plan that supplies it), else SQLITE_OK. */
#define MV_HIDDEN_MAX 16
int mv_hidden_args(sqlite3_index_info *p, const int *aCol, int nCol,
                   int *pnArg, unsigned *pMask);
/* The whole xBestIndex of a function whose only constraints are its hidden
** arguments aCol[0..nCol): mv_hidden_args, idxNum its mask (bit k: argv
** holds aCol[k]), the cost `cost`, or costNoFirst when aCol[0] is not
** given, and nRow rows. */
int mv_hidden_plan(sqlite3_index_info *p, const int *aCol, int nCol,
                   double cost, double costNoFirst, sqlite3_int64 nRow);

/* ---- ext.c ---- */
mv_ctx *mv_ctx_ref(mv_ctx *ctx);
/* Register zName for nMin..nMax arguments, DIRECTONLY, each holding a
** reference to ctx (released when SQLite drops the function). */
int mv_register_function(sqlite3 *db, mv_ctx *ctx, const char *zName,
                         int nMin, int nMax,
                         void (*xFunc)(sqlite3_context*, int, sqlite3_value**));
void mv_ctx_unref(void *ctx);
/* Remember a statement sent to MySQL (shown by mysql_vtab_debug('queries')). */
void mv_log_query(mv_ctx *ctx, const char *zSql);
/* Has sqlite3_interrupt() been called on db while the current statement
** runs? For loops that wait on the network or skip many events without
** returning a row: call it every ~100 ms of waiting, not per row. */
int mv_interrupted(sqlite3 *db);
/* The context's pool (pool.c), as the modules use it. */
mv_conn *mv_conn_get(mv_ctx *ctx, const char *zDsn, char **pzErr);
void mv_conn_put(mv_ctx *ctx, mv_conn *c, int reusable);
void mv_conn_release(mv_ctx *ctx, mv_conn *c);

/* ---- each module registers itself; ctx is referenced as needed ---- */
int mv_register_snapshot(sqlite3 *db, mv_ctx *ctx);
int mv_register_changes(sqlite3 *db, mv_ctx *ctx);
int mv_register_check(sqlite3 *db, mv_ctx *ctx);
int mv_register_setup(sqlite3 *db, mv_ctx *ctx);
int mv_register_mirror(sqlite3 *db, mv_ctx *ctx);
int mv_register_replicate(sqlite3 *db, mv_ctx *ctx);

#endif /* MYSQLVTAB_H */
