/*
** changes_int.h — what the files of mysql_changes and mysql_binlog
** share: the table, its cursor, and the functions one file calls in the
** others. changes.c is the virtual tables and the cursor (their manual is
** at its top); changes_typed.c the columns' roles and the typed change
** table of one table; changes_source.c the sources the cursor reads events
** from: the live stream and a binlog file. Internal to the extension.
*/
#ifndef MV_CHANGES_INT_H
#define MV_CHANGES_INT_H

#include "mysqlvtab.h"
#include "pure/binlog.h"
#include "pure/rowstream.h"
#include "changes.h"
#include "schema.h"
#include "transport.h"

#include <stdio.h>

/* Column numbers of mysql_changes and mysql_binlog; the schema strings in
** changes.c list them in this order. */
#define MC_POS        0
#define MC_NEXT_POS   1
#define MC_GTID       2
#define MC_TS         3
#define MC_OP         4
#define MC_DB         5
#define MC_TBL        6
#define MC_BEFORE     7
#define MC_AFTER      8
#define MC_SQL        9
#define MC_START     10      /* mysql_binlog: path */
#define MC_DSN       11
#define MC_STOP      12
#define MC_FOLLOW    13
#define MC_TIMEOUT   14
#define MC_JSON_DIFF 15      /* mysql_binlog: column 11 (MB_JSON_DIFF) */
#define MB_JSON_DIFF 11
#define MC_NCOL      (MC_JSON_DIFF + 1)     /* mysql_changes' columns */
#define MB_NCOL      (MB_JSON_DIFF + 1)     /* mysql_binlog's */

#define MC_NAME_MAX MVS_NAME_MAX    /* a binlog file name */

typedef struct mc_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  mv_ctx *ctx;
  int isFile;                       /* mysql_binlog */
  /* the typed change table of one table (CREATE VIRTUAL TABLE x USING
  ** mysql_changes('db.tbl' [, dsn])): its columns as at the CREATE */
  int typed;
  char *zDb, *zTbl, *zDsn;          /* zDsn NULL: $MYSQL_VTAB_DSN */
  int nCol;
  char **azCol;
} mc_vtab;

/* A set of accepted values for db, tbl or op; n<0: no constraint. */
typedef struct mc_set {
  int n;
  char **az;
} mc_set;

typedef struct mc_cursor {
  sqlite3_vtab_cursor base;
  mc_vtab *pTab;
  const char *zName;                /* "mysql_changes" / "mysql_binlog" */

  /* the source */
  mvt_stream *stream;               /* live */
  FILE *fp;                         /* file */
  char *zPath;
  uint64_t fOff;                    /* file offset of the next event */
  uint64_t fEvOff;                  /* file offset of the current event */
  mv_buf fbuf;
  mvs_stream *rs;                   /* events to rows (pure/rowstream.h) */
  mv_schema *schema;                /* live only */
  mvs_want_fn xWant;                /* mv_feed: the caller's table filter */
  mv_feed_map_fn xMap;              /* mv_feed: the caller's names (changes.h) */
  void *pWantArg;

  /* arguments */
  char *zStart;                     /* start_pos / path as given */
  char *zDsn;                       /* the DSN text (live) */
  char *zStop;
  int follow;
  sqlite3_int64 timeoutMs;
  int jsonDiff;                     /* json_diff: deliver partial diffs */
  mc_set fDb, fTbl;
  int opMask;                       /* accepted ops, 1<<op; all if 0x3e */

  int checksum;                     /* the server's binlog_checksum is CRC32 */
  sqlite3_int64 lastCheck, lastEvent;
  int nSinceCheck;

  /* the current row; its rowid is (event ordinal since the start) << 28
  ** | (row of that event): the same row has the same rowid in every scan
  ** from the same start, whatever the filters, which SQLite's OR
  ** optimization (MULTI-INDEX OR) relies on when it drops duplicates */
  sqlite3_int64 iRowid;
  int eof;
  mvs_row row;
  mv_buf before, after;
  mv_buf out;                       /* typed table: a value's text */
  mvb_table *tMap;                  /* typed table: the event columns of */
  uint64_t mapGen;                  /* each declared column (-1: none), */
  int *aMap;                        /* for tMap as named at mapGen */
  mv_row_keys keys;         /* the keys of `table`, tag = its names_gen */
  int haveBefore, haveAfter;
} mc_cursor;

/* ---- changes.c: the cursor's errors and position ---- */

int mv_changes_where(mc_cursor *pCur, const char **pzFile, uint64_t *pPos,
                     uint64_t *pNext);
int mv_changes_error(mc_cursor *pCur, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));
int mv_changes_event_error(mc_cursor *pCur, const char *zMsg);

/* ---- changes_typed.c: the columns, the typed change table ---- */

int mv_changes_column_role(mc_vtab *pTab, int i);
int mv_changes_column_count(mc_vtab *pTab);
void mv_changes_typed_column(mc_cursor *pCur, sqlite3_context *ctx, int k);
int mv_changes_typed_connect(sqlite3 *db, mc_vtab *pTab, int argc,
                             const char *const *argv, char **pzErr);

/* ---- changes_source.c: the sources ---- */

int mv_changes_file_next(mc_cursor *pCur, const uint8_t **pz, size_t *pn);
int mv_changes_stream_error(mc_cursor *pCur, unsigned err, const char *zMsg);
int mv_changes_open_live(mc_cursor *pCur, const char *zDsnArg);
int mv_changes_open_file(mc_cursor *pCur);

#endif /* MV_CHANGES_INT_H */
