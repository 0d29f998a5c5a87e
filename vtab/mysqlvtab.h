/*
** mysqlvtab.h — internal header shared by the SQLite-facing files of the
** extension (ext.c, dsn.c, snapshot.c, changes.c, functions.c, ...).
** Pure modules (vtab/pure/: bytes.h, buf.h, encode.h, binlog.h, ...) never
** include it.
*/
#ifndef MYSQLVTAB_H
#define MYSQLVTAB_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <mysql.h>

#include "pure/buf.h"
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

/* ---- dsn.c: DSN parsing, connecting, the connection pool ---- */

/* The parsed form of a DSN string ("host=h port=3306 user=u ..."). */
typedef struct mv_dsn {
  char *host, *user, *password, *database, *socket;
  char *ssl_mode, *ssl_ca, *ssl_cert, *ssl_key;
  char *option_file, *option_group;
  char *server_public_key;   /* caching_sha2_password's RSA key, a path */
  unsigned port, connect_timeout, server_id;
  unsigned get_server_public_key;   /* 1: ask the server for that key */
  int has_server_id;
} mv_dsn;

/* Parse zDsn (NULL: $MYSQL_VTAB_DSN, or empty). On error returns non-zero
** and sets *pzErr (sqlite3_malloc'd) to a message naming the bad key or
** position; never the password. */
int mv_dsn_parse(const char *zDsn, mv_dsn *p, char **pzErr);
void mv_dsn_free(mv_dsn *p);

/* The DSN text a function argument means: zArg if given, else
** $MYSQL_VTAB_DSN, else "". Not allocated. */
const char *mv_dsn_text(const char *zArg);

/* Open a fresh connection (charset utf8mb4, session time_zone UTC). On
** failure returns NULL and *pzErr names host and port (or socket) and the
** server's reason, never the password. */
MYSQL *mv_connect(const mv_dsn *p, char **pzErr);

/* Borrow an idle pooled connection for zDsn, or open one. */
mv_conn *mv_conn_get(mv_ctx *ctx, const char *zDsn, char **pzErr);
/* Give it back: reusable=0 closes it (a stream abandoned mid-result, a
** lost connection), reusable=1 keeps it idle for the next statement. */
void mv_conn_put(mv_ctx *ctx, mv_conn *c, int reusable);
/* Give back a connection whose statement is complete: kept after success or
** a server-side error, closed after a client error (lost connection, ...:
** errno from CR_MIN_ERROR, 2000, up). NULL is a no-op. */
void mv_conn_release(mv_ctx *ctx, mv_conn *c);
/* A message for the last client error on c, prefixed with what failed. */
char *mv_conn_error(mv_conn *c, const char *zWhat);

/* The server's current binlog position "file:offset" (sqlite3_malloc'd),
** or NULL with *pzErr set (binary logging off: says what to configure). */
char *mv_position(mv_ctx *ctx, mv_conn *c, char **pzErr);

/* Is the server MariaDB (not MySQL)? */
int mv_is_mariadb(MYSQL *m);

/* SQL text: `name` with backticks doubled; 'text' escaped for the
** connection's charset (sqlite3_malloc'd, NULL when out of memory). */
void mv_quote_ident(sqlite3_str *s, const char *z);
char *mv_literal(MYSQL *m, const char *z);

/* Run a statement that returns rows (logged) and return its stored result;
** NULL with *pzErr set, naming zWhat, on an error or when it gave no rows.
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
** mysql_stmt_execute and mysql_stmt_fetch; with MySQL's libmysqlclient,
** those plain calls. */
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

/* ---- ext.c ---- */
mv_ctx *mv_ctx_ref(mv_ctx *ctx);
void mv_ctx_unref(void *ctx);
/* Remember a statement sent to MySQL (shown by mysql_vtab_debug('queries')). */
void mv_log_query(mv_ctx *ctx, const char *zSql);
/* Has sqlite3_interrupt() been called on db while the current statement
** runs? For loops that wait on the network or skip many events without
** returning a row: call it every ~100 ms of waiting, not per row. */
int mv_interrupted(sqlite3 *db);
/* The pool head, and the SQLite connection, for dsn.c. */
mv_conn **mv_ctx_pool(mv_ctx *ctx);
sqlite3 *mv_ctx_db(mv_ctx *ctx);

/* ---- each module registers itself; ctx is referenced as needed ---- */
int mv_register_snapshot(sqlite3 *db, mv_ctx *ctx);
int mv_register_changes(sqlite3 *db, mv_ctx *ctx);
int mv_register_functions(sqlite3 *db, mv_ctx *ctx);
int mv_register_mirror(sqlite3 *db, mv_ctx *ctx);

#endif /* MYSQLVTAB_H */
