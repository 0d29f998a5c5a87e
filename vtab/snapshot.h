/*
** snapshot.h — what the three files of mysql_snapshot share: the tables a
** table argument names (snapcat.c: information_schema), the result reader
** (reader.c: a prepared SELECT, streamed, to mv_values) and the virtual
** table itself (snapshot.c). Internal to the extension.
*/
#ifndef MV_SNAPSHOT_H
#define MV_SNAPSHOT_H

#include "mysqlvtab.h"
#include "pure/encode.h"
#include "pure/types.h"

/* What mysql_snapshot's errors name first (mv_error). */
#define SNAP_FN "mysql_snapshot"

/* ---- snapcat.c: the tables of a table argument ---- */

typedef struct SnapTable {
  char *zDb;
  char *zTbl;
  int nPk;           /* primary-key columns, in key order */
  char **azPk;
  int nJson;         /* MariaDB JSON columns (LONGTEXT CHECK json_valid) */
  char **azJson;
} SnapTable;

void mv_snaptable_free(SnapTable *t);
void mv_snaptables_free(SnapTable *a, int n);
/* Resolve the table argument ("db.t", "t", "a, b.c", "db.%", `quoted`
** parts) to InnoDB tables with their primary keys and (MariaDB) JSON
** columns; allowMany: lists and patterns allowed (the table-valued form).
** 0, or 1 with *pzErr set. */
int mv_snap_resolve(mv_ctx *ctx, mv_conn *c, const char *zArg, int allowMany,
                    SnapTable **paTab, int *pnTab, char **pzErr);
/* n bytes of z as a NUL-terminated sqlite3_malloc'd copy (NULL: no memory). */
char *mv_strndup(const char *z, size_t n);
/* Is z one of az[n]? */
int mv_in_list(char **az, int n, const char *z);

/* ---- snaptxn.c: the consistent snapshot ---- */

/* What mysql_mirror records with its snapshot's position, for a later
** call on another server: the GTID position of the same moment
** (sqlite3_malloc'd; NULL where the server has none) and the server_id of
** the server whose binlog the position is in. */
typedef struct mv_snap_ids {
  char *zGtid;
  unsigned serverId;
  int isMaria;           /* the server is MariaDB (the GTIDs' kind) */
} mv_snap_ids;

/* START TRANSACTION WITH CONSISTENT SNAPSHOT on c (*pInTxn set once it is
** open); with wantPos, the binlog position it corresponds to (file:offset,
** sqlite3_malloc'd) into *pzPos, NULL if the server gives none, and with
** pIds (zeroed by the caller) what mv_snap_ids says. Leaves
** character_set_results=NULL (the reader's raw bytes). 0, or 1 with *pzErr
** ("mysql_snapshot: ..."). */
int mv_snap_begin(mv_ctx *ctx, mv_conn *c, int wantPos, char **pzPos,
                  mv_snap_ids *pIds, int *pInTxn, char **pzErr);
/* MariaDB, inside a consistent snapshot: its own binlog position
** (Binlog_snapshot_file:Binlog_snapshot_position) into *pzPos (replaced;
** NULL if the server gives none). 0, or 1 with *pzErr. */
int mv_snap_position(mv_ctx *ctx, mv_conn *c, char **pzPos, char **pzErr);

/* ---- reader.c: one prepared SELECT, unbuffered, row by row ---- */

/* How a column is read and what it becomes. */
enum { RD_INT, RD_FLOAT, RD_DOUBLE, RD_TIME, RD_BYTES };

typedef struct SnapCol {
  char *zName;
  int type;            /* MVT_* of the result metadata */
  int charset;         /* collation id (character_set_results=NULL: the column's) */
  unsigned flags;      /* UNSIGNED_FLAG, ENUM_FLAG, SET_FLAG, ... */
  int decimals;        /* fraction digits of temporal types */
  int isJson;          /* MariaDB JSON column */
  int rd;              /* RD_* */
  mv_kind kind;        /* what a non-NULL value becomes (strings, temporal) */
  mv_coltype ct;       /* the type table's answer (pure/types.h) */
} SnapCol;

typedef struct SnapReader {
  mv_conn *conn;       /* the connection (its error when the stream breaks) */
  MYSQL_STMT *stmt;
  int nCol;
  SnapCol *aCol;
  MYSQL_BIND *aBind;
  unsigned long *aLen;
  mv_bool *aNull;
  mv_bool *aErr;
  union SnapNum { long long i; float f; double d; MYSQL_TIME t; } *aNum;
  mv_buf *aBuf;        /* per string column: its bound buffer */
  mv_buf *aBig;        /* per string column: room for values that overflow */
  mv_value *aVal;      /* the current row */
  mv_row_keys keys;    /* the row object's keys, escaped once per table */
} SnapReader;

void mv_reader_free(SnapReader *r);
/* Prepare zSql, bind aParam (nParam of them), execute, describe and bind
** the result; 0, or 1 with *pzErr set. */
int mv_reader_open(mv_ctx *ctx, mv_conn *c, SnapReader *r, const SnapTable *t,
                   const char *zSql, MYSQL_BIND *aParam, int nParam,
                   char **pzErr);
/* Describe the result columns of r->stmt (prepared) and bind them. */
int mv_reader_setup(SnapReader *r, const SnapTable *t, char **pzErr);
/* Next row into r->aVal: SQLITE_ROW, SQLITE_DONE, or an error with *pzErr
** set (zWhat names the table in it). */
int mv_reader_step(SnapReader *r, const char *zWhat, char **pzErr);
/* The error of a failed prepare or execute of a statement on table t. */
char *mv_reader_stmt_error(mv_conn *c, MYSQL_STMT *stmt, const SnapTable *t);

#endif /* MV_SNAPSHOT_H */
