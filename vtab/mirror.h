/*
** mirror.h — what the files of mysql_mirror share: a set (mirror) and its
** tables (mtable), and the functions one file calls in another. mirror.c
** is the SQL function (its manual at the top); mirror_table.c one local
** table; mirror_state.c the state tables; mirror_ddl.c schema changes
** followed; mirror_chunk.c (with mirror_pass.c and mirror_copy.c) the
** chunked first copy. Internal to the extension.
*/
#ifndef MV_MIRROR_H
#define MV_MIRROR_H

#include "mysqlvtab.h"
#include "pure/rowstream.h"
#include "pure/types.h"

/* One mirrored table. */
typedef struct mtable {
  char *zLocal;          /* local table name */
  char *zDb, *zTbl;      /* source */
  int nCol;
  char **azCol;          /* column names */
  int *aKind;            /* MV_SQ_* per column (pure/types.h) */
  int nPk;
  int *aPk;              /* column index of each primary-key part */
  char **azJson;         /* MariaDB JSON columns (for the snapshot reader) */
  int nJson;
  sqlite3_stmt *pUpsert;    /* INSERT OR REPLACE INTO local VALUES(?...) */
  sqlite3_stmt *pDelete;    /* DELETE FROM local WHERE pk=? ... */
  sqlite3_int64 nTxn;       /* changes in the open MySQL transaction */
  sqlite3_int64 nBatch;     /* changes since the last recorded commit */
  int gone;                 /* the source table is no more: left the set */
  int hasSkip;              /* re-snapshotted at zSkipFile:skipOff: its */
  char zSkipFile[MVS_NAME_MAX];  /* rows before that are in the copy */
  uint64_t skipOff;
  /* event columns -> local columns, for one mvb_table naming */
  mvb_table *tMap;
  uint64_t mapGen;
  int mapOk;
  int *aMap;                /* aMap[local col] = event col */
} mtable;

typedef struct mirror {
  sqlite3 *db;
  mv_ctx *ctx;
  char *zSet;               /* the set's name */
  char *zSrc, *zLocal;      /* the set's arguments: tables, local template */
  const char *zDsnArg;
  int nTab;
  mtable *aTab;
  mtable *pLast;            /* the table of the last row (a cache) */
  mv_buf *aBuf;             /* per bound parameter: text scratch */
  int nBuf;
  int autocommit;           /* the call commits its own batches */
  int nResync;              /* tables copied afresh by this call */
  int copyMethod;           /* the first copy: MV_COPY_* (mirror_chunk.c) */
  sqlite3_int64 chunkRows;  /* rows per chunk of a chunked copy */
  char *zErr;               /* first error */
} mirror;

/* How the first copy of a table is made (the options argument's copy=). */
#define MV_COPY_AUTO     0  /* chunked above MV_CHUNK_AUTO_ROWS estimated rows */
#define MV_COPY_SNAPSHOT 1  /* one consistent snapshot (one transaction) */
#define MV_COPY_CHUNKED  2  /* in key order, chunk by chunk, resumable */

/* Errors go to m->zErr (the first one wins); what each function returns
** is said at its definition. */

/* ---- mirror.c: the set ---- */

int mv_mirror_err(mirror *m, const char *zFmt, ...);
int mv_mirror_exec(mirror *m, const char *zSql);
mtable *mv_mirror_add_table(mirror *m);
mtable *mv_mirror_find(mirror *m, const char *zDb, size_t nDb,
                       const char *zTbl, size_t nTbl);
char *mv_mirror_expand_local(const char *zTemplate, const char *zName);
/* What a later call does to one row change (0, 1 error, 2 the image does
** not have the recorded columns); whether two key values are the same
** bytes; a batch of whole transactions committed with its position
** (outside a user transaction). mirror_chunk.c's pass uses them. */
int mv_mirror_apply_row(mirror *m, mtable *t, const mvs_row *r);
int mv_mirror_same_value(const mv_value *a, const mv_value *b);
int mv_mirror_commit_batch(mirror *m, const char *zPos, const char *zGtid,
                           sqlite3_int64 lastTs, sqlite3_int64 *pnUnrecorded,
                           sqlite3_int64 *pnApplied);

/* ---- mirror_table.c: one local table ---- */

void mv_mirror_table_forget_columns(mtable *t);
void mv_mirror_table_clear(mtable *t);
int mv_mirror_table_add_col(mirror *m, mtable *t, const char *zName, int kind);
int mv_mirror_table_add_pk(mirror *m, mtable *t, const char *zName);
int mv_mirror_table_load_source(mirror *m, mtable *t, const char *zDsn);
int mv_mirror_table_prepare(mirror *m, mtable *t);
int mv_mirror_table_upsert(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap);
int mv_mirror_table_delete(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap);
int mv_mirror_table_map(mtable *t, mvb_table *et);
char *mv_mirror_table_columns_json(mtable *t, int pkOnly);
int mv_mirror_table_create(mirror *m, mtable *t);
sqlite3_int64 mv_mirror_snapshot(mirror *m, mtable **ap, int n,
                                 const char *zDsn, char **pzPos,
                                 char **pzGtid);
sqlite3_int64 mv_mirror_table_copy(mirror *m, mtable *t, mv_conn *c,
                                   const char *zTail, MYSQL_BIND *aParam,
                                   int nParam,
                                   int (*xRow)(void*, const mv_value*),
                                   void *pArg);
char *mv_mirror_gtid_at(mirror *m, mv_conn *c, const char *zPos);

/* ---- mirror_state.c: the state tables ---- */

int mv_mirror_state_setup(mirror *m);
int mv_mirror_load_state(mirror *m);
int mv_mirror_record(mirror *m, const char *zPos, const char *zGtid,
                     sqlite3_int64 lastTs, sqlite3_int64 nApplied,
                     sqlite3_int64 lagS);
int mv_mirror_table_insert_state(mirror *m, mtable *t, const char *zPos);
int mv_mirror_local_free(mirror *m, const char *zLocal);

/* ---- mirror_chunk.c, mirror_copy.c: the chunked, resumable first copy ---- */

int mv_chunk_options(mirror *m, const char *zOpts);
int mv_chunk_state_setup(mirror *m);
int *mv_chunk_plan(mirror *m, const char *zDsn);
char *mv_chunk_start_pos(mirror *m, const char *zDsn, char **pzGtid);
sqlite3_int64 mv_chunk_first(mirror *m, const char *zDsnArg,
                             const int *aChunked, const char *zPos);
int mv_chunk_pending(mirror *m);
sqlite3_int64 mv_chunk_copy(mirror *m, const char *zDsnArg, const char *zPos);

/* ---- mirror_ddl.c: schema changes followed ---- */

int mv_mirror_pos_before(const char *zPos, const char *zFile, uint64_t off);
int mv_mirror_before_resync(mtable *t, const char *zPos);
int mv_mirror_table_resync(mirror *m, mtable *t, int isNew);
int mv_mirror_table_rename(mirror *m, mtable *t, const char *zNewDb,
                           const char *zNewTbl);
int mv_mirror_table_join(mirror *m, const char *zDb, const char *zTbl);
int mv_mirror_ddl_hits(mtable *t, const char *zDdlDb, const char *zDdlTbl,
                       const char *zSql);
int mv_mirror_hold_for(mirror *m, const char *zAt, char *zHoldFile,
                       uint64_t *pOff, int holding);

#endif /* MV_MIRROR_H */
