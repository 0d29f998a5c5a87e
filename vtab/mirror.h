/*
** mirror.h — what the files of mysql_mirror share: a set (mirror) and its
** tables (mtable), and the functions one file calls in another. mirror.c
** is the SQL function (its manual at the top); mirror_table.c one local
** table; mirror_state.c the state tables; mirror_ddl.c schema changes
** followed (mirror_alter.c: an ALTER TABLE in place); mirror_resume.c where a later call starts (file:offset, or the
** GTID position on another server); mirror_chunk.c (with mirror_pass.c and
** mirror_copy.c) the chunked first copy. Internal to the extension.
*/
#ifndef MV_MIRROR_H
#define MV_MIRROR_H

#include "mysqlvtab.h"
#include "changes.h"
#include "snapshot.h"
#include "pure/gtidpos.h"
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
  /* the source's types, for following an ALTER in place (mirror_alter.c):
  ** azType[i] COLUMN_TYPE ("varchar(40)"), azCs[i] its charset or NULL,
  ** zTblCs the table's default charset; hasTypes 0 when not known (a set
  ** recorded before they were) */
  char **azType, **azCs;
  char *zTblCs;
  int hasTypes;
  int verify;               /* altered in place: the next row image's table
                            ** map is checked against the types (kept in
                            ** source_types as "check" until then) */
  int verified;             /* ... and was: the next record clears "check" */
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

/* mysql_replicate's hooks into one call of mysql_mirror (replicate.c): the
** stream followed past the log's end (mv_feed_open_follow), commits
** bounded by time, and the caller told of each. A plain call has none. */
typedef struct mirror_follow {
  int batchMs;              /* commit applied transactions this often */
  const char *zCopyOpts;    /* mysql_mirror's options (copy=, chunk_rows=) */
  void *pArg;
  /* At each commit row, every 4096 row changes of one transaction, and
  ** at each heartbeat (idle: every transaction the log held is applied
  ** and committed). Returns 1 to end the call at the next transaction
  ** boundary, with everything complete committed. */
  int (*xTick)(void *pArg, int idle);
  /* After each commit: its position and GTID (may be NULL), the row
  ** changes in it, the binlog timestamp of its last transaction. */
  void (*xCommit)(void *pArg, const char *zPos, const char *zGtid,
                  sqlite3_int64 nChanges, sqlite3_int64 ts);
  /* A table being copied (the first call, or afresh after a schema
  ** change), table iTab of nTab: every 4096 rows and once when done.
  ** Returns 1 to abandon the call. */
  int (*xProgress)(void *pArg, const char *zDb, const char *zTbl,
                   int iTab, int nTab, sqlite3_int64 nRows, int done);
  /* the call's outcome, instead of its SQL result: what mysql_mirror
  ** returns (-1 error, -2 stopped by a schema change), its error */
  sqlite3_int64 n;
  char *zErr;               /* sqlite3_malloc'd; the caller frees it */
} mirror_follow;

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
  /* where the position is, beyond file:offset (mirror_resume.c) */
  int kind;                 /* MVG_MARIADB or MVG_MYSQL: the server's */
  mvg_pos gtid;             /* the GTID position of the last applied commit */
  int gtidOk;               /* gtid is known (else the set records NULL) */
  mvg_pos gtidStart;        /* byGtid: the position the call started from */
  int byGtid;               /* this call started from the GTID position */
  unsigned posServer;       /* server_id the set's pos belongs to, 0 unknown */
  unsigned recServer;       /* server_id recorded with a commit, 0 NULL */
  mirror_follow *pFollow;   /* mysql_replicate's call, or NULL */
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
int mv_mirror_progress(mirror *m, mtable *t, sqlite3_int64 nRows, int done);
void mv_mirror_call(sqlite3_context *pCtx, int argc, sqlite3_value **argv,
                    mirror_follow *pFollow);
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
int mv_mirror_table_set_type(mirror *m, mtable *t, int iCol, const char *zType,
                             const char *zCs);
char *mv_mirror_table_types_json(mtable *t);
/* Record t's columns, key and source types in its mysql_mirror_state row
** (mirror_state.c). */
int mv_mirror_state_columns(mirror *m, mtable *t);
int mv_mirror_table_load_types(mirror *m, mtable *t, const char *zJson);
int mv_mirror_table_load_source(mirror *m, mtable *t, const char *zDsn);
int mv_mirror_table_prepare(mirror *m, mtable *t);
int mv_mirror_table_upsert(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap);
int mv_mirror_table_delete(mirror *m, mtable *t, const mv_value *aVal,
                           const int *aMap);
int mv_mirror_table_map(mtable *t, mvb_table *et);
void mv_mirror_map_info(void *pArg, mvb_decoder *d, mvb_table *et);
char *mv_mirror_table_columns_json(mtable *t, int pkOnly);
int mv_mirror_table_create(mirror *m, mtable *t);
sqlite3_int64 mv_mirror_snapshot(mirror *m, mtable **ap, int n,
                                 const char *zDsn, char **pzPos,
                                 mv_snap_ids *pIds);
sqlite3_int64 mv_mirror_table_copy(mirror *m, mtable *t, mv_conn *c,
                                   const char *zTail, MYSQL_BIND *aParam,
                                   int nParam,
                                   int (*xRow)(void*, const mv_value*),
                                   void *pArg, int report);

/* ---- mirror_state.c: the state tables ---- */

int mv_mirror_state_setup(mirror *m);
int mv_mirror_load_state(mirror *m);
int mv_mirror_record(mirror *m, const char *zPos, const char *zGtid,
                     sqlite3_int64 lastTs, sqlite3_int64 nApplied,
                     sqlite3_int64 lagS);
int mv_mirror_table_insert_state(mirror *m, mtable *t, const char *zPos);
int mv_mirror_local_free(mirror *m, const char *zLocal);
/* "To rebuild it: ..." for the set (sqlite3_malloc'd; NULL out of memory). */
char *mv_mirror_rebuild_advice(mirror *m);

/* ---- mirror_resume.c: where a later call starts; the GTID position ---- */

/* The binlog stream of a later call. */
typedef struct mirror_stream {
  mv_feed *f;
  char *zStart;             /* where it started: file:offset or GTID position */
  const char *zPos;         /* the set's recorded position */
  const char *zDsnArg;
  mvs_want_fn xWant;
  int checked;              /* its first row came: its server was checked */
  unsigned srcId;           /* the server_id of the server sending it */
} mirror_stream;

/* Open the stream of a call, given the set's recorded pos, gtid_pos and
** server_id (0: NULL): at file:offset on the position's own server, else
** from the GTID position (sets m->kind, gtid, gtidOk, posServer, byGtid,
** recServer). 0, or 1 with the error set (a server that lacks what the set
** needs: the message says how to rebuild). */
int mv_mirror_stream_open(mirror *m, mirror_stream *s, const char *zPos,
                          const char *zGtidPos, sqlite3_int64 serverId,
                          const char *zDsnArg, mvs_want_fn xWant);
/* mv_feed_next, and before the first row is given: a stream sent by
** another server than the position's, or a file position the server
** refuses (another server's), starts again from the GTID position.
** Followed (m->pFollow: mv_feed_open_follow), MV_FEED_IDLE as well. */
int mv_mirror_stream_next(mirror *m, mirror_stream *s, const mvs_row **ppRow,
                          char **pzErr);
/* Read the log again from zAt, the call's last commit (file:offset, or the
** GTID position after a start by GTID). 0, or 1 with the error set. */
int mv_mirror_stream_again(mirror *m, mirror_stream *s, const char *zAt);
void mv_mirror_stream_close(mirror_stream *s);
/* An applied commit's GTID into the set's position. 0, 1 on error. */
int mv_mirror_gtid_commit(mirror *m, const char *zGtid);
/* The stream's error before a commit as the call's (a GTID position the
** server refused: the set, its position and how to rebuild). */
void mv_mirror_resume_error(mirror *m, const char *zPos, const char *zErr);
/* At the end of a call started by GTID: is zLast a resume point by
** file:offset on the stream's server (srcId)? Then m->recServer is set and
** 1 returned (the position is to be recorded again). */
int mv_mirror_resume_finish(mirror *m, const char *zLast, unsigned srcId);
/* A chunked first copy going on on another server (mirror_cfail.c): does
** c's server hold the set's GTID position? 0 yes (as a start by GTID: the
** tables' re-snapshot positions forgotten, m->recServer 0), with the
** server's GTIDs (MariaDB gtid_binlog_state; MySQL gtid_executed,
** gtid_purged; sqlite3_malloc'd) for mvg_server_lacks; 1 with the error
** set ('lacks what the set needs'). */
int mv_mirror_switch_check(mirror *m, mv_conn *c, const char *zPos,
                           char **pzHave, char **pzGone);
/* The set's GTID position as text (sqlite3_malloc'd), NULL with the error
** set. */
char *mv_mirror_gtid_text(mirror *m);
/* Bind the set's GTID position and server_id (NULL where unknown). */
int mv_mirror_bind_ids(mirror *m, sqlite3_stmt *p, int iGtid, int iServer);

/* ---- mirror_chunk.c, mirror_copy.c: the chunked, resumable first copy ---- */

int mv_chunk_options(mirror *m, const char *zOpts);
int mv_chunk_state_setup(mirror *m);
int *mv_chunk_plan(mirror *m, const char *zDsn);
char *mv_chunk_start_pos(mirror *m, const char *zDsn, mv_snap_ids *pIds);
sqlite3_int64 mv_chunk_first(mirror *m, const char *zDsnArg,
                             const int *aChunked, const char *zPos);
int mv_chunk_pending(mirror *m);
sqlite3_int64 mv_chunk_copy(mirror *m, const char *zDsnArg, const char *zPos,
                            const char *zGtidPos, sqlite3_int64 serverId);

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

/* ---- mirror_alter.c: an ALTER TABLE followed in place ---- */

/* The ALTER TABLE zSql (in schema zDdlDb) applied to t's local table, its
** columns and its state: 0 done, 1 error, 2 SQLite cannot (another
** statement reads), 3 not followable in place (copy it afresh). */
int mv_mirror_table_alter(mirror *m, mtable *t, const char *zSql,
                          const char *zDdlDb);

#endif /* MV_MIRROR_H */
