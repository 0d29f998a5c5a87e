/*
** mirror.c — mysql_mirror(src [, local [, dsn [, options]]]): keep local
** SQLite tables equal to MySQL tables.
**
**   SELECT mysql_mirror('shop.orders', 'orders');   -- one table
**   SELECT mysql_mirror('shop.%');                  -- every table of shop,
**                                                   -- same names in main
**   SELECT mysql_mirror('shop.orders, shop.items', 'shop_%');
**
** src is anything mysql_snapshot takes (a table, a list, `db.%`); local a
** table name or, with a `%`, a template in which `%` stands for the source
** table's name (default '%'). The tables of one call are one mirror set:
**
** The first call creates the local tables in the main database with the
** sources' columns (SQLite types as the typed mysql_snapshot has them) and
** primary keys, and fills them from ONE consistent snapshot of all of them
** (START TRANSACTION WITH CONSISTENT SNAPSHOT), whose binlog position
** becomes the set's position; big tables (options: copy=auto|chunked|
** snapshot chunk_rows=N) are copied in key order, chunk by chunk, from
** there on, and a later call finding that unfinished goes on with it
** (mirror_chunk.c). Each later call reads the binlog once, from
** the set's position to the end of the log as it stands, and applies the
** rows of the set's tables in binlog order (insert and update as "delete
** the before-image's key if it changed, then INSERT OR REPLACE the
** after-image", delete as delete). Values go from the decoder straight to
** sqlite3_bind_* with the type table's mapping (mv_sq_value), as the typed
** mysql_snapshot returns them (a JSON column's JSON null is SQL NULL): no
** JSON text in between.
**
** Transactions: each MySQL transaction is applied whole or not at all,
** inside a savepoint. Outside a user transaction the call commits whole
** MySQL transactions in batches (MIRROR_BATCH_ROWS changes or
** MIRROR_BATCH_MS), each commit recording the set's position (the
** next_pos of its last commit, its GTID, the set's GTID position and the
** server_id of the server whose binlog it read) with the data: a reader of
** the file never sees part of a MySQL transaction, and a killed call
** resumes from the last batch. Inside a user transaction everything is the
** user's (a ROLLBACK undoes data and position together). A transaction
** still open at the end of the log is left for the next call. The result is
** the number of row changes applied (on the first call, rows copied).
**
** State (README "Keep a local replica"):
**   main.mysql_mirror_sets   one row per set: name, src, local, pos, gtid,
**                            snapshot_pos, applied, last_ts, lag_s, updated,
**                            gtid_pos, server_id
**   main.mysql_mirror_state  one row per table: local_tbl, src, pos (the
**                            set's, written in the same commit),
**                            snapshot_pos, columns, pk, applied, updated,
**                            set_name, resync_pos
** A set is named by its local argument when that is one table name, else
** "src -> local". A state table of the one-table mirror (no set_name) is
** migrated on first use: each row becomes a set of its own.
**
** Schema changes: an ALTER TABLE whose clauses can be followed exactly is
** done to the local table in place (mirror_alter.c; the next row image is
** checked against it, and a mismatch copies the table afresh after all).
** Another DDL statement on a table of the set (ALTER, TRUNCATE, DROP and
** CREATE, ...) is followed by copying that table afresh from a
** snapshot of its own, after the changes before it are committed; its rows
** before that snapshot's position (resync_pos) are skipped, the other
** tables go on. A DROP takes the table out of the set; a CREATE TABLE that
** the set's pattern names joins it; a RENAME renames the local table when
** the set's template still names it (else the table leaves the set, or
** joins it). What cannot be followed stops the set just before the
** statement, with an error naming it. A row image whose columns
** are not the recorded ones (a change the stream did not show as DDL)
** stops it before its transaction: never a wrong column.
**
** Failover: a later call on another server of the replication topology
** (the promoted replica, by its DSN or the same DSN) goes on from the
** set's GTID position; mirror_resume.c decides where a call starts.
**
** This file: the SQL function itself (which set, the savepoint, the
** result), its first call (resolve, create, snapshot, record) and its later
** calls (the binlog applied in batches). One local table is mirror_table.c,
** the state tables mirror_state.c, schema changes followed mirror_ddl.c,
** where a call starts mirror_resume.c; mirror.h is what they share.
** mysql_replicate (replicate.c) makes the same call (mv_mirror_call) with
** follow hooks (mirror_follow): the stream is then followed past the log's
** end, and commits come at least every batchMs and at each heartbeat.
** Above 800 lines: mirrorApply is one loop whose state (the open MySQL
** transaction, the batch, a fresh copy's hold, a rename's names) its
** branches share; split, each part would take all of it as arguments.
*/
#include "mirror.h"
#include "changes.h"
#include "snapshot.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#define MIRROR_BATCH_ROWS 20000   /* changes per commit, at most (roughly) */
#define MIRROR_BATCH_MS   500     /* or this long since the last commit */

/* ---- the set ---- */

static void mirrorClear(mirror *m){
  int i;
  for(i=0; i<m->nTab; i++) mv_mirror_table_clear(&m->aTab[i]);
  sqlite3_free(m->aTab);
  for(i=0; i<m->nBuf; i++) mv_buf_free(&m->aBuf[i]);
  sqlite3_free(m->aBuf);
  sqlite3_free(m->zSet);
  sqlite3_free(m->zSrc);
  sqlite3_free(m->zLocal);
  sqlite3_free(m->zErr);
  mvg_free(&m->gtid);
  mvg_free(&m->gtidStart);
  memset(m, 0, sizeof *m);
}

/* Set the error (first one wins); returns 1 for
** "return mv_mirror_err(...)". */
int mv_mirror_err(mirror *m, const char *zFmt, ...){
  va_list ap;
  if( m->zErr==0 ){
    va_start(ap, zFmt);
    m->zErr = sqlite3_vmprintf(zFmt, ap);
    va_end(ap);
    if( m->zErr==0 ) m->zErr = sqlite3_mprintf("out of memory");
  }
  return 1;
}

/* Run SQL with no result on the local db. */
int mv_mirror_exec(mirror *m, const char *zSql){
  char *zMsg = 0;
  if( sqlite3_exec(m->db, zSql, 0, 0, &zMsg)!=SQLITE_OK ){
    mv_mirror_err(m, "%s", zMsg ? zMsg : sqlite3_errmsg(m->db));
    sqlite3_free(zMsg);
    return 1;
  }
  return 0;
}

static sqlite3_int64 nowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* A new table of the set (zeroed); NULL when out of memory. */
mtable *mv_mirror_add_table(mirror *m){
  mtable *a = sqlite3_realloc64(m->aTab, sizeof(mtable)*(size_t)(m->nTab+1));
  if( a==0 ){ mv_mirror_err(m, "out of memory"); return 0; }
  m->aTab = a;
  m->pLast = 0;
  memset(&a[m->nTab], 0, sizeof(mtable));
  return &a[m->nTab++];
}

/* The set's table of rows of db.tbl, or NULL. */
mtable *mv_mirror_find(mirror *m, const char *zDb, size_t nDb,
                       const char *zTbl, size_t nTbl){
  int i;
  mtable *t = m->pLast;
  if( t && !t->gone && strlen(t->zTbl)==nTbl && memcmp(t->zTbl, zTbl, nTbl)==0
   && strlen(t->zDb)==nDb && memcmp(t->zDb, zDb, nDb)==0 ) return t;
  for(i=0; i<m->nTab; i++){
    t = &m->aTab[i];
    if( t->gone ) continue;
    if( strlen(t->zTbl)==nTbl && memcmp(t->zTbl, zTbl, nTbl)==0
     && strlen(t->zDb)==nDb && memcmp(t->zDb, zDb, nDb)==0 ){
      m->pLast = t;
      return t;
    }
  }
  return 0;
}

/* mvs_want_fn: rows of the set's tables only are decoded. */
static int mirrorWants(void *pArg, const char *zDb, size_t nDb,
                       const char *zTbl, size_t nTbl){
  if( zDb==0 || zTbl==0 ) return 0;
  return mv_mirror_find((mirror*)pArg, zDb, nDb, zTbl, nTbl)!=0;
}

/* A table's copy under way (mirror_table.c), for mysql_replicate's
** progress: 1 when the caller abandons the call (the error is set). */
int mv_mirror_progress(mirror *m, mtable *t, sqlite3_int64 nRows, int done){
  mirror_follow *p = m->pFollow;
  if( p==0 || p->xProgress==0 ) return 0;
  if( p->xProgress(p->pArg, t->zDb, t->zTbl, (int)(t - m->aTab), m->nTab,
                   nRows, done)==0 ) return 0;
  return mv_mirror_err(m, "stopped while copying %s.%s", t->zDb, t->zTbl);
}

/* ---- the first call ---- */

/* zTemplate with each % replaced by zName. */
char *mv_mirror_expand_local(const char *zTemplate, const char *zName){
  sqlite3_str *s = sqlite3_str_new(0);
  const char *z;
  for(z=zTemplate; *z; z++){
    if( *z=='%' ) sqlite3_str_appendall(s, zName);
    else sqlite3_str_appendchar(s, 1, *z);
  }
  return sqlite3_str_finish(s);
}

/* The tables src names, each with its local name, checked and with its
** columns. */
static int mirrorResolve(mirror *m, const char *zSrc, const char *zLocal,
                         const char *zDsn){
  mv_tblname *aName = 0;
  int nName = 0, i, j;
  char *zErr = 0;
  int isTemplate = strchr(zLocal, '%')!=0;
  if( mv_tblarg_parse("mysql_mirror", zSrc, &aName, &nName, &zErr) ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  if( !isTemplate && (nName!=1 || aName[0].isPattern) ){
    mv_mirror_err(m, "'%s' names %s: the local argument must be a template"
                     " with %% (e.g. '%%' or 'copy_%%'), not '%s'", zSrc,
                     nName!=1 ? "several tables" : "a pattern", zLocal);
    mv_tblarg_free(aName, nName);
    return 1;
  }
  if( nName==1 && !aName[0].isPattern ){
    /* one table: checked as the one-table mirror always did */
    mtable *t = mv_mirror_add_table(m);
    mv_conn *c = 0;
    if( t && aName[0].zDb ){
      t->zDb = sqlite3_mprintf("%s", aName[0].zDb);
    }else if( t ){
      MYSQL_RES *res;
      MYSQL_ROW row;
      c = mv_conn_get(m->ctx, zDsn, &zErr);
      res = c ? mv_query(m->ctx, c, "SELECT DATABASE()",
                         "reading the source's definition", &zErr) : 0;
      row = res ? mysql_fetch_row(res) : 0;
      if( row && row[0] ) t->zDb = sqlite3_mprintf("%s", row[0]);
      else if( res ){
        mv_mirror_err(m, "no schema for '%s': write db.%s or set database= in the"
                         " DSN", zSrc, zSrc);
      }
      if( res ) mysql_free_result(res);
      mv_conn_release(m->ctx, c);
    }
    if( t && m->zErr==0 && zErr==0 ){
      t->zTbl = sqlite3_mprintf("%s", aName[0].zTbl);
      t->zLocal = isTemplate ? mv_mirror_expand_local(zLocal, aName[0].zTbl)
                             : sqlite3_mprintf("%s", zLocal);
      if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ) mv_mirror_err(m, "out of memory");
      else mv_mirror_table_load_source(m, t, zDsn);
    }
  }else{
    /* a list or a pattern: the tables as mysql_snapshot resolves them */
    SnapTable *aTab = 0;
    int nTab = 0;
    mv_conn *c = mv_conn_get(m->ctx, zDsn, &zErr);
    if( c && mv_snap_resolve(m->ctx, c, zSrc, 1, &aTab, &nTab, &zErr)==0 ){
      for(i=0; i<nTab && m->zErr==0; i++){
        mtable *t = mv_mirror_add_table(m);
        if( t==0 ) break;
        t->zDb = sqlite3_mprintf("%s", aTab[i].zDb);
        t->zTbl = sqlite3_mprintf("%s", aTab[i].zTbl);
        t->zLocal = mv_mirror_expand_local(zLocal, aTab[i].zTbl);
        if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ){ mv_mirror_err(m, "out of memory"); break; }
      }
      if( nTab==0 ) mv_mirror_err(m, "'%s' names no table", zSrc);
    }
    mv_snaptables_free(aTab, nTab);
    mv_conn_release(m->ctx, c);
    for(i=0; i<m->nTab && m->zErr==0 && zErr==0; i++){
      mv_mirror_table_load_source(m, &m->aTab[i], zDsn);
    }
  }
  mv_tblarg_free(aName, nName);
  if( zErr ){
    /* mysql_snapshot's message, as the mirror's */
    const char *z = strncmp(zErr, "mysql_snapshot: ", 16)==0 ? zErr + 16 : zErr;
    mv_mirror_err(m, "%s", z);
    sqlite3_free(zErr);
  }
  for(i=0; i<m->nTab && m->zErr==0; i++){
    for(j=0; j<i; j++){
      if( sqlite3_stricmp(m->aTab[i].zLocal, m->aTab[j].zLocal)==0 ){
        mv_mirror_err(m, "%s.%s and %s.%s would both be %s: give a template that"
                         " keeps them apart", m->aTab[j].zDb, m->aTab[j].zTbl,
                         m->aTab[i].zDb, m->aTab[i].zTbl, m->aTab[i].zLocal);
        break;
      }
    }
  }
  return m->zErr!=0;
}

/* The first call: create the tables, copy one snapshot of those copied
** in one transaction and then, chunk by chunk, the others (mirror_chunk.c
** says which are which), record the set. Returns the rows copied (and
** changes applied by a chunked copy), or -1. */
static sqlite3_int64 mirrorFirst(mirror *m, const char *zSrc,
                                 const char *zLocal, const char *zDsnArg){
  const char *zDsn = mv_dsn_text(zDsnArg);
  sqlite3_stmt *p = 0;
  mtable **ap = 0;
  int *aChunked = 0;
  char *zPos = 0;
  mv_snap_ids ids;
  sqlite3_int64 n = -1;
  int i, nSnap = 0;

  memset(&ids, 0, sizeof ids);
  if( mirrorResolve(m, zSrc, zLocal, zDsn) ) return -1;
  for(i=0; i<m->nTab; i++){
    if( !mv_mirror_local_free(m, m->aTab[i].zLocal) ) return -1;
  }
  for(i=0; i<m->nTab; i++){
    if( mv_mirror_table_create(m, &m->aTab[i]) ) return -1;
  }
  ap = sqlite3_malloc64(sizeof(mtable*)*(size_t)m->nTab);
  if( ap==0 || (aChunked = mv_chunk_plan(m, zDsn))==0 ){
    sqlite3_free(ap);
    return mv_mirror_err(m, "out of memory"), -1;
  }
  for(i=0; i<m->nTab; i++) if( !aChunked[i] ) ap[nSnap++] = &m->aTab[i];
  /* all chunked: the stream starts now */
  n = nSnap ? mv_mirror_snapshot(m, ap, nSnap, zDsn, &zPos, &ids)
      : (zPos = mv_chunk_start_pos(m, zDsn, &ids))!=0 ? 0 : -1;
  sqlite3_free(ap);
  if( n<0 ){ sqlite3_free(aChunked); sqlite3_free(ids.zGtid); return -1; }

  /* the set and its tables; the snapshot's GTID position and server, for
  ** a later call on another server (mirror_resume.c) */
  m->kind = ids.isMaria ? MVG_MARIADB : MVG_MYSQL;
  mvg_init(&m->gtid, m->kind);
  m->gtidOk = ids.zGtid && mvg_parse(&m->gtid, ids.zGtid)==0;
  m->recServer = ids.serverId;
  if( sqlite3_prepare_v2(m->db,
      "INSERT INTO main.mysql_mirror_sets(name, src, local, pos, gtid,"
      " snapshot_pos, applied, updated, gtid_pos, server_id) VALUES(?1, ?2,"
      " ?3, ?4, ?5, ?4, ?6, strftime('%Y-%m-%d %H:%M:%S', 'now'), ?7, ?8)",
      -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 2, zSrc, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 3, zLocal, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 4, zPos, -1, SQLITE_STATIC);
    /* gtid: MariaDB's BINLOG_GTID_POS of the snapshot, as it always was */
    if( ids.zGtid && m->kind==MVG_MARIADB && ids.zGtid[0] ){
      sqlite3_bind_text(p, 5, ids.zGtid, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(p, 6, n);
    mv_mirror_bind_ids(m, p, 7, 8);
    if( m->zErr==0 && sqlite3_step(p)!=SQLITE_DONE ){
      mv_mirror_err(m, "recording the set: %s", sqlite3_errmsg(m->db));
    }
  }else{
    mv_mirror_err(m, "recording the set: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  for(i=0; m->zErr==0 && i<m->nTab; i++) mv_mirror_table_insert_state(m, &m->aTab[i], zPos);
  if( m->zErr==0 ){
    /* the tables copied in chunks, from the set's position */
    sqlite3_int64 nc = mv_chunk_first(m, zDsnArg, aChunked, zPos);
    n = nc<0 ? -1 : n + nc;
  }
  sqlite3_free(aChunked);
  sqlite3_free(zPos);
  sqlite3_free(ids.zGtid);
  return m->zErr ? -1 : n;
}

/* ---- later calls ---- */

/* Do two values of a key hold the same? (A changed key needs the old row
** deleted; an unchanged one is replaced by INSERT OR REPLACE alone.) */
static int sameValue(const mv_value *a, const mv_value *b){
  if( a->kind!=b->kind ) return 0;
  switch( a->kind ){
    case MV_INT: return a->v.i==b->v.i;
    case MV_UINT: return a->v.u==b->v.u;
    case MV_TEXT: case MV_BYTES: case MV_DECIMAL: case MV_JSON:
      return a->v.s.n==b->v.s.n
          && (a->v.s.n==0 || memcmp(a->v.s.p, b->v.s.p, a->v.s.n)==0);
    default: return 0;     /* rare key types: delete and insert */
  }
}

/* Commit the applied transactions (outside a user transaction) with the
** position of the last one: *pnUnrecorded changes move to *pnApplied. */
static int commitBatch(mirror *m, const char *zLast, const char *zGtid,
                       sqlite3_int64 lastTs, sqlite3_int64 *pnUnrecorded,
                       sqlite3_int64 *pnApplied){
  mirror_follow *pF = m->pFollow;
  /* followed, the lag as of each commit that applies changes, for
  ** readers of the state */
  sqlite3_int64 lag = pF==0 || *pnUnrecorded==0 ? -1
                    : lastTs>0 && time(0)>lastTs ? time(0) - lastTs : 0;
  if( mv_mirror_record(m, zLast, zGtid, lastTs, *pnUnrecorded, lag)
   || mv_mirror_exec(m, "RELEASE mysql_mirror; SAVEPOINT mysql_mirror") ) return 1;
  if( pF && pF->xCommit ) pF->xCommit(pF->pArg, zLast, zGtid, *pnUnrecorded, lastTs);
  *pnApplied += *pnUnrecorded;
  *pnUnrecorded = 0;
  return 0;
}

/* Apply one row change; 0 done, 1 error (m->zErr), 2 the image does not
** have the recorded columns. */
static int applyRow(mirror *m, mtable *t, const mvs_row *r){
  int i, keySame = 1;
  if( !mv_mirror_table_map(t, r->table) ) return 2;
  switch( r->op ){
    case MVS_INSERT:
      if( r->after==0 ) return mv_mirror_err(m, "insert without an after-image");
      return mv_mirror_table_upsert(m, t, r->after, t->aMap);
    case MVS_UPDATE:
      if( r->before==0 || r->after==0 ) return mv_mirror_err(m, "update without both images");
      for(i=0; keySame && i<t->nPk; i++){
        int k = t->aMap[t->aPk[i]];
        keySame = sameValue(&r->before[k], &r->after[k]);
      }
      if( !keySame && mv_mirror_table_delete(m, t, r->before, t->aMap) ) return 1;
      return mv_mirror_table_upsert(m, t, r->after, t->aMap);
    case MVS_DELETE:
      if( r->before==0 ) return mv_mirror_err(m, "delete without a before-image");
      return mv_mirror_table_delete(m, t, r->before, t->aMap);
  }
  return 0;
}

/* The three above, for the chunked copy's pass over the stream. */
int mv_mirror_apply_row(mirror *m, mtable *t, const mvs_row *r){ return applyRow(m, t, r); }
int mv_mirror_same_value(const mv_value *a, const mv_value *b){ return sameValue(a, b); }
int mv_mirror_commit_batch(mirror *m, const char *zPos, const char *zGtid,
    sqlite3_int64 lastTs, sqlite3_int64 *pnUnrecorded, sqlite3_int64 *pnApplied){
  return commitBatch(m, zPos, zGtid, lastTs, pnUnrecorded, pnApplied);
}

/* Followed (mysql_replicate): the caller's tick. 1: end the call here, at
** a transaction boundary (inTxn 0), and not short of a fresh copy's
** position (hold): asked to stop there, the call goes on up to 5 s for
** the stream to pass it, then ends with an error (the set as of its last
** commit). */
static int followStop(mirror *m, int idle, int inTxn, int hold,
                      sqlite3_int64 *pAsked){
  mirror_follow *p = m->pFollow;
  if( p==0 || p->xTick==0 || p->xTick(p->pArg, idle)==0 || inTxn ) return 0;
  if( !hold ) return 1;
  if( *pAsked==0 ) *pAsked = nowMs();
  if( nowMs() - *pAsked<5000 ) return 0;
  return mv_mirror_err(m, "stopped short of the position of a table copied"
                          " afresh: the set is kept as of its last commit");
}

/* A later call: apply the changes since the set's position (zPos, with
** its GTID position and server as recorded: where the stream starts is
** mirror_resume.c's). Returns the changes applied, -1 on error, -2 when
** stopped by DDL (what was applied before it is recorded; m->zErr says
** why).
** Followed (m->pFollow), the stream has no end: the call ends when the
** caller's tick says so. */
static sqlite3_int64 mirrorApply(mirror *m, const char *zDsnArg,
                                 const char *zPos, const char *zGtidPos,
                                 sqlite3_int64 serverId){
  mirror_stream st;
  const mvs_row *r;
  char *zErr = 0, *zLast = 0, *zGtid = 0, *zDdl = 0, *zStop = 0;
  sqlite3_int64 nApplied = 0, nUnrecorded = 0, lastTs = 0, tCommit = nowMs();
  int inTxn = 0, rc, i, dirty = 0, locked = 0, again = 0;
  unsigned srcId;                     /* the server_id that sent the stream */
  mv_buf rnOldDb, rnOldTbl, rnNewDb, rnNewTbl;     /* a rename's names */
  /* After a table is copied afresh at position P, the others are behind
  ** it until the stream reaches P: nothing is committed before that (a
  ** reader would see a transaction in one table and not in another), and
  ** the log is read on past its end as it stood when the call began. */
  char zHoldFile[MVS_NAME_MAX];
  uint64_t holdOff = 0;
  int hold = 0, nResync = 0;
  /* followed: the commit interval, rows since the last tick, when a stop
  ** was asked short of a fresh copy's position */
  sqlite3_int64 batchMs = m->pFollow ? m->pFollow->batchMs : MIRROR_BATCH_MS;
  sqlite3_int64 nTick = 0, stopAsked = 0;

  if( mv_mirror_stream_open(m, &st, zPos, zGtidPos, serverId, zDsnArg,
                            mirrorWants) ){
    return -1;
  }
  mv_buf_init(&rnOldDb); mv_buf_init(&rnOldTbl);
  mv_buf_init(&rnNewDb); mv_buf_init(&rnNewTbl);
  reopen:
  while( (rc = mv_mirror_stream_next(m, &st, &r, &zErr))==SQLITE_ROW
      || rc==MV_FEED_IDLE ){
    mtable *t;
    if( rc==MV_FEED_IDLE ){
      /* followed, at the log's end: what is applied is committed now (a
      ** position moved by other tables' transactions after batchMs), then
      ** the caller's tick. A set stopped to name the statement that
      ** changed a table (zStop) has read all there is. */
      if( zStop ){ rc = SQLITE_DONE; break; }
      if( m->autocommit && zLast && !hold && !inTxn
       && (nUnrecorded>0 || (dirty && nowMs() - tCommit>=batchMs)) ){
        if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
        dirty = 0;
        tCommit = nowMs();
      }
      if( followStop(m, 1, inTxn, hold, &stopAsked) ){ rc = SQLITE_DONE; break; }
      continue;
    }
    if( nResync!=m->nResync ){
      nResync = m->nResync;
      hold |= mv_mirror_hold_for(m, r->pos, zHoldFile, &holdOff, hold);
    }
    if( r->op==MVS_COMMIT ){
      if( zStop ) continue;
      if( inTxn ){
        if( mv_mirror_exec(m, "RELEASE mysql_mirror_txn") ) break;
        inTxn = 0;
        for(i=0; i<m->nTab; i++){
          m->aTab[i].nBatch += m->aTab[i].nTxn;
          nUnrecorded += m->aTab[i].nTxn;
          m->aTab[i].nTxn = 0;
        }
        lastTs = r->ts;
      }
      sqlite3_free(zLast);
      sqlite3_free(zGtid);
      zLast = sqlite3_mprintf("%s", r->next_pos);
      zGtid = r->gtid ? sqlite3_mprintf("%s", r->gtid) : 0;
      if( zLast==0 || (r->gtid && zGtid==0) ){ mv_mirror_err(m, "out of memory"); break; }
      if( mv_mirror_gtid_commit(m, r->gtid) ) break;
      dirty = 1;
      if( hold && !mv_mirror_pos_before(zLast, zHoldFile, holdOff) ) hold = 0;
      if( m->autocommit && nUnrecorded>0 && !hold
       && (nUnrecorded>=MIRROR_BATCH_ROWS || nowMs() - tCommit>=batchMs) ){
        /* a batch of whole transactions, with its position */
        if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
        dirty = 0;
        tCommit = nowMs();
      }
      if( followStop(m, 0, 0, hold, &stopAsked) ){ rc = SQLITE_DONE; break; }
      continue;
    }
    if( r->op==MVS_DDL ){
      char *zDdlDb = r->db ? sqlite3_mprintf("%.*s", (int)r->n_db, r->db) : 0;
      char *zDdlTbl = r->tbl ? sqlite3_mprintf("%.*s", (int)r->n_tbl, r->tbl) : 0;
      char *zSql = sqlite3_mprintf("%.*s", (int)r->n_sql, r->sql ? r->sql : "");
      int kind = mvs_ddl_kind(r->sql ? r->sql : "", r->n_sql), nHit = 0;
      if( zSql==0 ) mv_mirror_err(m, "out of memory");
      if( kind==MVS_DDL_INDEX ){
        /* an index changes neither rows nor columns */
      }else if( zStop ){
        /* stopped: read on only to name the statement */
        for(i=0; i<m->nTab && zSql && zDdl==0; i++){
          if( !m->aTab[i].gone && mv_mirror_ddl_hits(&m->aTab[i], zDdlDb, zDdlTbl, zSql) ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s", m->aTab[i].zDb,
                                   m->aTab[i].zTbl, r->pos, zSql);
          }
        }
      }else if( zSql && !inTxn
             && mvs_rename_next(zSql, strlen(zSql), &(size_t){0}, &rnOldDb,
                                &rnOldTbl, &rnNewDb, &rnNewTbl) ){
        /* Renames, pair by pair: a table of the set keeps its place (its
        ** local table renamed) or leaves the set; a table renamed into a
        ** set's pattern joins it. Unqualified names are in the event's
        ** schema. */
        size_t ri = 0;
        const char *zDef = zDdlDb ? zDdlDb : "";
        if( zLast && m->autocommit && nUnrecorded>0 ){
          if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
          dirty = 0;
          tCommit = nowMs();
        }
        while( m->zErr==0 && zDdl==0
            && mvs_rename_next(zSql, strlen(zSql), &ri, &rnOldDb, &rnOldTbl,
                               &rnNewDb, &rnNewTbl) ){
          const char *zOD = rnOldDb.n ? mv_buf_cstr(&rnOldDb) : zDef;
          const char *zOT = mv_buf_cstr(&rnOldTbl);
          const char *zND = rnNewDb.n ? mv_buf_cstr(&rnNewDb) : zDef;
          const char *zNT = mv_buf_cstr(&rnNewTbl);
          mtable *h = mv_mirror_find(m, zOD, strlen(zOD), zOT, strlen(zOT));
          if( h && !mv_mirror_before_resync(h, r->pos) ){
            int rs = mv_mirror_table_rename(m, h, zND, zNT);
            if( rs==2 ){
              zDdl = sqlite3_mprintf("%s.%s changed at %s: %s; SQLite cannot"
                  " rename or drop %s while another statement of this"
                  " connection reads (the one calling mysql_mirror reads a"
                  " table): run SELECT mysql_mirror(...) alone once", h->zDb,
                  h->zTbl, r->pos, zSql, h->zLocal);
              if( zDdl==0 ) mv_mirror_err(m, "out of memory");
              locked = 1;
            }
          }else if( h==0 ){
            mv_mirror_table_join(m, zND, zNT);
          }
        }
      }else if( zSql ){
        /* Followed: each table the statement concerns is copied afresh
        ** from a snapshot of its own (or leaves the set if it is gone); a
        ** RENAME inside a transaction, or one not understood, is not
        ** followed (an error names it). A new table that the set's pattern
        ** names joins the set. */
        for(i=0; i<m->nTab && m->zErr==0 && zDdl==0; i++){
          mtable *h = &m->aTab[i];
          if( h->gone || mv_mirror_before_resync(h, r->pos) ) continue;
          if( !mv_mirror_ddl_hits(h, zDdlDb, zDdlTbl, zSql) ) continue;
          if( kind==MVS_DDL_RENAME_TABLE || inTxn ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s", h->zDb, h->zTbl,
                                   r->pos, zSql);
            break;
          }
          if( nHit++==0 && zLast && m->autocommit && nUnrecorded>0 ){
            /* what came before is committed first, with its position */
            if( commitBatch(m, zLast, zGtid, lastTs, &nUnrecorded, &nApplied) ) break;
            dirty = 0;
            tCommit = nowMs();
          }
          /* an ALTER TABLE done in place where it can be (mirror_alter.c) */
          int rs = kind==MVS_DDL_OTHER ? mv_mirror_table_alter(m, h, zSql, zDdlDb) : 3;
          if( rs==3 ) rs = mv_mirror_table_resync(m, h, 0);
          if( rs==2 ){
            zDdl = sqlite3_mprintf("%s.%s changed at %s: %s; SQLite cannot make"
                " %s again while another statement of this connection reads"
                " (the one calling mysql_mirror reads a table): run SELECT"
                " mysql_mirror(...) alone once", h->zDb, h->zTbl, r->pos, zSql,
                h->zLocal);
            if( zDdl==0 ) mv_mirror_err(m, "out of memory");
            locked = 1;
            break;
          }
          if( rs ) break;
        }
        if( m->zErr==0 && zDdl==0 && kind==MVS_DDL_CREATE_TABLE && zDdlTbl
         && zDdlDb ){
          mv_mirror_table_join(m, zDdlDb, zDdlTbl);
        }
      }
      sqlite3_free(zDdlDb);
      sqlite3_free(zDdlTbl);
      sqlite3_free(zSql);
      if( zDdl || m->zErr ) break;
      continue;
    }
    if( zStop || r->table==0 ) continue;
    t = mv_mirror_find(m, r->db, r->n_db, r->tbl, r->n_tbl);
    if( t==0 || mv_mirror_before_resync(t, r->pos) ) continue;
    if( !inTxn ){
      if( mv_mirror_exec(m, "SAVEPOINT mysql_mirror_txn") ) break;
      inTxn = 1;
    }
    rc = applyRow(m, t, r);
    if( rc==1 ) break;
    if( rc==2 && t->verify ){
      /* Altered in place, and the first row image after it is not what
      ** the statement said: copy the table afresh after all, and read
      ** this transaction again (the others' rows of it are undone). */
      if( mv_mirror_exec(m, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn") ) break;
      inTxn = 0;
      for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
      t->verify = 0;
      rc = mv_mirror_table_resync(m, t, 0);
      if( rc==2 ){
        zDdl = sqlite3_mprintf("%s.%s changed: SQLite cannot make %s again while"
            " another statement of this connection reads: run SELECT"
            " mysql_mirror(...) alone once", t->zDb, t->zTbl, t->zLocal);
        if( zDdl==0 ) mv_mirror_err(m, "out of memory");
        locked = 1;
      }
      again = rc==0;
      rc = SQLITE_DONE;
      break;
    }
    if( rc==2 ){
      /* Not the recorded columns: the table was altered. Stop before this
      ** transaction and read on only to name the DDL statement. */
      char *zCols = mv_mirror_table_columns_json(t, 0);
      zStop = sqlite3_mprintf("%s.%s changed: the row image at %s does not"
                              " have the columns recorded at the snapshot %s",
                              t->zDb, t->zTbl, r->pos, zCols ? zCols : "");
      sqlite3_free(zCols);
      if( zStop==0 ){ mv_mirror_err(m, "out of memory"); break; }
      if( mv_mirror_exec(m, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn") ) break;
      inTxn = 0;
      for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
      continue;
    }
    t->nTxn++;
    if( m->pFollow && (++nTick & 0xfff)==0 ) followStop(m, 0, 1, hold, &stopAsked);
  }
  if( rc!=SQLITE_ROW && rc!=SQLITE_DONE && m->zErr==0 ){
    if( zLast ) mv_mirror_err(m, "%s", zErr ? zErr : "reading the binlog");
    else mv_mirror_resume_error(m, zPos, zErr ? zErr : "reading the binlog");
  }
  if( nResync!=m->nResync ){
    /* (zPos is another server's after a start by GTID) */
    nResync = m->nResync;
    hold |= mv_mirror_hold_for(m, zLast ? zLast : m->byGtid ? 0 : zPos,
                               zHoldFile, &holdOff, hold);
  }
  if( rc==SQLITE_DONE && (hold || again) && m->zErr==0 && zDdl==0 && zStop==0 ){
    /* the end of the log as the call began, short of a copy's position:
    ** read on from the last commit (a transaction open at the end is read
    ** again) */
    if( inTxn ){
      sqlite3_exec(m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
      for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
      inTxn = 0;
    }
    again = 0;
    if( mv_mirror_stream_again(m, &st, zLast ? zLast : zPos)==0 ) goto reopen;
  }
  sqlite3_free(zErr);
  srcId = st.srcId;
  mv_mirror_stream_close(&st);
  mv_buf_free(&rnOldDb); mv_buf_free(&rnOldTbl);
  mv_buf_free(&rnNewDb); mv_buf_free(&rnNewTbl);
  if( inTxn ){
    /* A transaction not committed in what the log held: leave it for the
    ** next call (or drop it with the whole call on error). */
    sqlite3_exec(m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
    for(i=0; i<m->nTab; i++) m->aTab[i].nTxn = 0;
  }
  /* after a start by GTID: the new server's, once zLast is shown to be
  ** a resume point by file:offset there */
  if( m->zErr==0 && mv_mirror_resume_finish(m, zLast, srcId) ) dirty = 1;
  if( m->zErr==0 && zLast && (dirty || nUnrecorded) ){
    /* the lag: how old the newest applied change was when it landed (0
    ** when the call found nothing to apply: caught up) */
    sqlite3_int64 lag = 0;
    if( nUnrecorded + nApplied>0 && lastTs>0 && time(0)>lastTs ){
      lag = (sqlite3_int64)time(0) - lastTs;
    }
    mv_mirror_record(m, zLast, zGtid, lastTs, nUnrecorded, lag);
    if( m->zErr==0 && m->pFollow && m->pFollow->xCommit ){
      /* (committed by the caller's RELEASE, right after) */
      m->pFollow->xCommit(m->pFollow->pArg, zLast, zGtid, nUnrecorded, lastTs);
    }
    nApplied += nUnrecorded;
  }
  if( m->zErr==0 && zStop && zDdl==0 ){
    zDdl = zStop;
    zStop = 0;
  }
  sqlite3_free(zStop);
  if( m->zErr==0 && zDdl && hold ){
    /* stopped short of a fresh copy's position: the tables disagree, keep
    ** nothing since the last commit (the next call does it again) */
    mv_mirror_err(m, "%s; the set %s is complete up to its last commit", zDdl, m->zSet);
  }
  if( m->zErr==0 && zDdl ){
    /* Applied and recorded up to the DDL: report it. The caller commits
    ** what was applied before failing. */
    if( locked ){
      mv_mirror_err(m, "%s; the set %s is complete up to %s", zDdl, m->zSet,
                    zLast ? zLast : zPos);
    }else{
      char *zFix = mv_mirror_rebuild_advice(m);
      if( m->nTab==1 ){
        mv_mirror_err(m, "%s; %s is complete up to %s. %s", zDdl,
                      m->aTab[0].zLocal, zLast ? zLast : zPos, zFix ? zFix : "");
      }else{
        mv_mirror_err(m, "%s; the set %s is complete up to %s. %s", zDdl,
                      m->zSet, zLast ? zLast : zPos, zFix ? zFix : "");
      }
      sqlite3_free(zFix);
    }
    sqlite3_free(zDdl);
    sqlite3_free(zLast);
    sqlite3_free(zGtid);
    return -2;
  }
  sqlite3_free(zDdl);
  sqlite3_free(zLast);
  sqlite3_free(zGtid);
  return m->zErr ? -1 : nApplied;
}

/* Does the table argument zArg name exactly the table zDb.zTbl (without
** db: the table alone, as the first call read it with the DSN's)? */
static int sameTable(mirror *m, const char *zArg, const char *zState){
  mv_tblname *aName = 0;
  int nName = 0, same;
  char *zErr = 0;
  const char *zDot = strchr(zState, '.');
  if( zDot==0 ) return 0;
  if( mv_tblarg_parse("mysql_mirror", zArg, &aName, &nName, &zErr) ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 0;
  }
  same = nName==1 && !aName[0].isPattern && strcmp(aName[0].zTbl, zDot+1)==0
      && (aName[0].zDb==0
          || ((size_t)(zDot-zState)==strlen(aName[0].zDb)
              && memcmp(aName[0].zDb, zState, (size_t)(zDot-zState))==0));
  mv_tblarg_free(aName, nName);
  return same;
}

/* mysql_mirror(src [, local [, dsn [, options]]]): the call. With pFollow it is
** mysql_replicate's (replicate.c, on its own context and arguments): the
** stream is followed through pFollow's hooks, and the outcome goes to
** pFollow->n and ->zErr, not to pCtx. */
void mv_mirror_call(sqlite3_context *pCtx, int argc, sqlite3_value **argv,
                    mirror_follow *pFollow){
  mirror m;
  sqlite3_stmt *p = 0;
  const char *zSrc = (const char*)sqlite3_value_text(argv[0]);
  const char *zLocal = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : "%";
  const char *zDsnArg = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  const char *zOpts = argc>3 ? (const char*)sqlite3_value_text(argv[3]) : 0;
  char *zPos = 0, *zGtidPos = 0;
  sqlite3_int64 n = -1, serverId = 0;
  int rc;

  memset(&m, 0, sizeof m);
  m.db = sqlite3_context_db_handle(pCtx);
  m.ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  m.pFollow = pFollow;
  if( zSrc==0 || zSrc[0]==0 ){
    mv_mirror_err(&m, "the source table (argument 1) is empty");
    goto done;
  }
  if( zLocal==0 || zLocal[0]==0 ){
    mv_mirror_err(&m, "the local table (argument 2) is empty");
    goto done;
  }
  m.autocommit = sqlite3_get_autocommit(m.db);
  m.zDsnArg = zDsnArg;
  if( mv_chunk_options(&m, pFollow ? pFollow->zCopyOpts : zOpts) ) goto done;
  if( sqlite3_exec(m.db, "SAVEPOINT mysql_mirror", 0, 0, 0)!=SQLITE_OK ){
    mv_mirror_err(&m, "%s", sqlite3_errmsg(m.db));
    goto done;
  }
  if( mv_mirror_state_setup(&m) || mv_chunk_state_setup(&m) ) goto rollback;

  /* Which set: one local table names its set through the state; a
  ** template is the set "src -> local". */
  if( strchr(zLocal, '%')==0 ){
    rc = sqlite3_prepare_v2(m.db, "SELECT set_name, src FROM"
        " main.mysql_mirror_state WHERE local_tbl=?1", -1, &p, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(p, 1, zLocal, -1, SQLITE_STATIC);
      if( sqlite3_step(p)==SQLITE_ROW ){
        const char *zState = (const char*)sqlite3_column_text(p, 1);
        if( !sameTable(&m, zSrc, zState ? zState : "") && m.zErr==0 ){
          mv_mirror_err(&m, "%s mirrors %s, not %s", zLocal, zState, zSrc);
        }
        m.zSet = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
      }
    }
    sqlite3_finalize(p);
    p = 0;
    if( m.zErr ) goto rollback;
    if( m.zSet==0 ) m.zSet = sqlite3_mprintf("%s", zLocal);
  }else{
    m.zSet = sqlite3_mprintf("%s -> %s", zSrc, zLocal);
  }
  if( m.zSet==0 ){ mv_mirror_err(&m, "out of memory"); goto rollback; }

  /* a set whose tables were all dropped (the rebuild the DDL error
  ** describes) is forgotten: the call starts it anew */
  rc = sqlite3_prepare_v2(m.db, "DELETE FROM main.mysql_mirror_sets WHERE"
      " name=?1 AND NOT EXISTS(SELECT 1 FROM main.mysql_mirror_state WHERE"
      " set_name=?1)", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m.zSet, -1, SQLITE_STATIC);
    if( sqlite3_step(p)!=SQLITE_DONE ) mv_mirror_err(&m, "%s", sqlite3_errmsg(m.db));
  }else{
    mv_mirror_err(&m, "%s", sqlite3_errmsg(m.db));
  }
  sqlite3_finalize(p);
  p = 0;
  if( m.zErr ) goto rollback;
  rc = sqlite3_prepare_v2(m.db, "SELECT pos, src, local, gtid_pos, server_id"
                          " FROM main.mysql_mirror_sets WHERE name=?1", -1, &p, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m.zSet, -1, SQLITE_STATIC);
    if( sqlite3_step(p)==SQLITE_ROW ){
      zPos = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
      m.zSrc = sqlite3_mprintf("%s", sqlite3_column_text(p, 1));
      m.zLocal = sqlite3_mprintf("%s", sqlite3_column_text(p, 2));
      if( zPos==0 || m.zSrc==0 || m.zLocal==0 ) mv_mirror_err(&m, "out of memory");
      if( sqlite3_column_type(p, 3)!=SQLITE_NULL ){
        zGtidPos = sqlite3_mprintf("%s", sqlite3_column_text(p, 3));
        if( zGtidPos==0 ) mv_mirror_err(&m, "out of memory");
      }
      serverId = sqlite3_column_int64(p, 4);
    }
  }else{
    mv_mirror_err(&m, "%s", sqlite3_errmsg(m.db));
  }
  sqlite3_finalize(p);
  p = 0;
  if( m.zErr ) goto rollback;
  if( zPos ){
    /* a chunked first copy unfinished goes on; else the binlog is applied */
    if( mv_mirror_load_state(&m)==0 ){
      n = mv_chunk_pending(&m) ? mv_chunk_copy(&m, zDsnArg, zPos, zGtidPos, serverId)
                               : mirrorApply(&m, zDsnArg, zPos, zGtidPos, serverId);
    }
  }else{
    n = mirrorFirst(&m, zSrc, zLocal, zDsnArg);
  }
  if( n==-2 ){
    /* DDL: keep what was applied before it, then fail. */
    sqlite3_exec(m.db, "RELEASE mysql_mirror", 0, 0, 0);
    goto done;
  }
  if( m.zErr ) goto rollback;
  if( sqlite3_exec(m.db, "RELEASE mysql_mirror", 0, 0, 0)!=SQLITE_OK ){
    mv_mirror_err(&m, "committing: %s", sqlite3_errmsg(m.db));
    goto rollback;
  }
  goto done;
rollback:
  sqlite3_exec(m.db, "ROLLBACK TO mysql_mirror; RELEASE mysql_mirror", 0, 0, 0);
done:
  if( pFollow ){
    pFollow->n = m.zErr && n!=-2 ? -1 : n;
    pFollow->zErr = m.zErr;
    m.zErr = 0;
  }else if( m.zErr ){
    char *z = sqlite3_mprintf("mysql_mirror: %s", m.zErr);
    sqlite3_result_error(pCtx, z ? z : "mysql_mirror: out of memory", -1);
    sqlite3_free(z);
  }else{
    sqlite3_result_int64(pCtx, n);
  }
  sqlite3_free(zPos);
  sqlite3_free(zGtidPos);
  mirrorClear(&m);
}

static void mirrorFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  mv_mirror_call(pCtx, argc, argv, 0);
}

int mv_register_mirror(sqlite3 *db, mv_ctx *ctx){
  return mv_register_function(db, ctx, "mysql_mirror", 1, 4, mirrorFunc);
}
