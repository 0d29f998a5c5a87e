/*
** mirror_chunk.c — mysql_mirror's chunked, resumable first copy: a table
** copied in primary-key order, a chunk at a time, each chunk one short
** read reconciled with the binlog by watermarks (as DBLog and Debezium's
** read-only incremental snapshot do: no write to the server), committed
** with its state so that the next call after a kill goes on from the last
** committed chunk. README ("The first copy", under mysql_mirror) says
** what it guarantees and when it is used; this comment says how.
**
** The set's position P is where the stream has been applied to. A table's
** copied range is the keys up to `last`, in MySQL's order. One chunk:
**
**   1. The low watermark Lo: a binlog position, not before P, such that
**      every transaction before it is visible to the chunk's read.
**      MariaDB: the read runs in START TRANSACTION WITH CONSISTENT
**      SNAPSHOT, READ ONLY, whose Binlog_snapshot_file/position is the
**      exact position of its read view; a view behind P (a transaction
**      was in the binlog but not yet committed when P was read) is
**      dropped and taken again. MySQL (gtid_mode=ON): SHOW BINARY LOG
**      STATUS; the GTIDs owned at that moment (@@GLOBAL.gtid_owned:
**      written to the binlog, perhaps not yet committed) are waited for
**      (WAIT_FOR_EXECUTED_GTID_SET), and the read is one statement.
**   2. SELECT * ... WHERE key > last ORDER BY key LIMIT chunk_rows (the
**      comparison expanded, evaluated by the server with `last` bound):
**      the rows go straight into the local table. The chunk's range is
**      (last, its last key], or (last, the end) when it held fewer rows.
**   3. The high watermark Hi: the binlog position after the read (every
**      transaction the read saw is before it).
**   4. The stream from P to Hi. A row change of a key up to `last` is
**      applied. Of a key in the chunk's range: applied when at or after
**      Lo (it is as new as the chunk's row or newer, and replaces it:
**      every image is a whole row, so applying it over the chunk's row is
**      dropping that row and applying the event), skipped before Lo (the
**      chunk holds its effect). Of a key past the chunk: skipped, its own
**      chunk will read it. Keys compare in MySQL's order (pure/keycmp.c;
**      text through STRCMP in the column's collation, on the server). An
**      update that moves a row's key is its two halves, each by its key.
**   5. At Hi: last = the chunk's last key (or the table is done), P = Hi.
**
** Commits come about every CHUNK_COMMIT_MS, at the end of a MySQL
** transaction, with the set's position, each table's copy state in
** mysql_mirror_state (copy_key: `last`; copy_chunk: the chunk in flight
** and its watermarks) and its progress. A call that finds a copy
** unfinished goes on from there: an in-flight chunk's rows are already in
** the table, and the stream is read on from P to its Hi. On another server
** (a failover) it goes on by the set's GTID position: mirror_cfail.c.
**
** Tables of a set are copied one after another. The stream's changes of a
** table not yet begun are skipped, of a table done applied. Schema
** changes (mirror_pass.c), as later calls follow them where the copy
** allows: a RENAME TABLE is followed pair by pair (a table of the set
** keeps its rows under its new name when the template still names it, a
** table being copied going on where it is; else it leaves; a table
** renamed into the pattern joins). Another statement of a table being
** copied starts its copy again (the local table is made again with the
** new columns); of a table done, an ALTER is done in place where
** mirror_alter.c can (its next row image checked, a mismatch copying it
** afresh and reading the stream again from P), anything else copies it
** afresh (mv_mirror_table_resync); a new table that the set's pattern
** names joins it. A chunk's read that finds no such table (renamed or
** dropped by a statement the stream has not reached) reads the stream on
** to the log's end, following it, and tries again; a table being copied
** that a call finds gone as it begins is emptied and, once the stream has
** followed the statement, copied again from its first key (its key's
** collations are not known until then).
**
** This file: steps 1 to 3 (a chunk read between its watermarks) and the
** copy's loop. Step 4 is mirror_pass.c; the choice of method, the options
** and the state columns are mirror_copy.c; the switch to another server
** mirror_cfail.c; mirror_chunk.h what they share.
*/
#include "mirror_chunk.h"
#include "pure/watermark.h"
#include "changes.h"
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* The binlog position now (a watermark). */
int mv_chunk_read_pos(copier *cp, bpos *p){
  char *zErr = 0, *z = mv_position(cp->m->ctx, cp->c, &zErr);
  int rc = z==0 || posSet(p, z);
  if( rc ) mv_mirror_err(cp->m, "%s", zErr ? zErr : "the binlog position");
  sqlite3_free(zErr);
  sqlite3_free(z);
  return rc;
}

/* MySQL: wait until every GTID owned now is executed (committed, so
** visible to a read that starts after). */
static int fenceMysql(copier *cp){
  mirror *m = cp->m;
  sqlite3_int64 tStart = mv_chunk_now_ms();
  for(;;){
    char *zErr = 0, *zSet = 0, *zLit = 0, *zSql = 0;
    MYSQL_RES *res = mv_query(m->ctx, cp->c, "SELECT @@GLOBAL.gtid_owned",
                              "the GTIDs in flight", &zErr);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
    int done = 1;
    if( row ){
      mv_buf b;
      mv_buf_init(&b);
      mv_gtid_owned_to_set(&b, row[0]);
      zSet = b.oom ? 0 : sqlite3_mprintf("%s", mv_buf_cstr(&b));
      mv_buf_free(&b);
      if( zSet==0 ) zErr = sqlite3_mprintf("out of memory");
    }
    if( res ) mysql_free_result(res);
    if( zSet && zSet[0] ){
      zLit = mv_literal(cp->c->mysql, zSet);
      zSql = zLit ? sqlite3_mprintf("SELECT WAIT_FOR_EXECUTED_GTID_SET(%s, 5)", zLit) : 0;
      res = zSql ? mv_query(m->ctx, cp->c, zSql, "waiting for the GTIDs in flight", &zErr) : 0;
      row = res ? mysql_fetch_row(res) : 0;
      done = row && row[0] && strcmp(row[0], "0")==0;
      if( res ) mysql_free_result(res);
    }
    sqlite3_free(zSet);
    sqlite3_free(zLit);
    sqlite3_free(zSql);
    if( zErr ){
      mv_mirror_err(m, "%s", zErr);
      sqlite3_free(zErr);
      return 1;
    }
    if( done ) return 0;
    if( mv_chunk_now_ms() - tStart > CHUNK_WAIT_MS ){
      return mv_mirror_err(m, "the GTIDs in flight were not executed in %d s",
                           CHUNK_WAIT_MS/1000);
    }
  }
}

/* The copy's session: raw result bytes (the reader's), REPEATABLE READ
** for MariaDB's consistent snapshot per chunk, MySQL's statistics read
** fresh (the estimate). */
static int copierSession(copier *cp){
  mirror *m = cp->m;
  char *zErr = 0;
  if( mv_exec(m->ctx, cp->c, "SET character_set_results=NULL", &zErr)==0 ){
    if( mv_is_mariadb(cp->c->mysql) ){
      mv_exec(m->ctx, cp->c, "SET SESSION TRANSACTION ISOLATION LEVEL"
              " REPEATABLE READ", &zErr);
    }else if( mv_exec(m->ctx, cp->c, "SET SESSION"
                      " information_schema_stats_expiry=0", &zErr) ){
      sqlite3_free(zErr);        /* before 8.0: no such variable, no cache */
      zErr = 0;
    }
  }
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
  return m->zErr!=0;
}

/* A fresh connection for the copy (the last one was left inside a
** result): the collations' statements are prepared again on it. */
static int reconnect(copier *cp){
  mirror *m = cp->m;
  char *zErr = 0;
  int i, j;
  for(i=0; i<cp->nT; i++){
    for(j=0; cp->aT[i].apCmp && j<cp->aT[i].nKey; j++){
      if( cp->aT[i].apCmp[j] ) mysql_stmt_close(cp->aT[i].apCmp[j]);
      cp->aT[i].apCmp[j] = 0;
    }
  }
  if( cp->c ) mv_conn_put(m->ctx, cp->c, 0);
  cp->c = mv_conn_get(m->ctx, cp->zDsn, &zErr);
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
  return m->zErr!=0 || copierSession(cp);
}

/* mv_mirror_table_copy's row hook: the chunk's last row, when it is full,
** is where the next chunk starts. */
static int holdLast(void *pArg, const mv_value *aVal){
  copier *cp = (copier*)pArg;
  mtable *t = &cp->m->aTab[cp->pCur - cp->aT];
  if( ++cp->nRead==cp->m->chunkRows
   && mv_key_set_from(&cp->held, t->nPk, aVal, t->aPk) ){
    return mv_mirror_err(cp->m, "out of memory");
  }
  return 0;
}

/* Bind value v to b, its text (temporal values) in buf. */
static void bindKeyValue(MYSQL_BIND *b, mv_value *v, mv_buf *buf){
  memset(b, 0, sizeof *b);
  switch( v->kind ){
    case MV_INT: case MV_UINT:
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = &v->v.i;
      b->is_unsigned = v->kind==MV_UINT;
      return;
    case MV_DECIMAL: case MV_TEXT: case MV_BYTES:
      b->buffer_type = v->kind==MV_DECIMAL ? MYSQL_TYPE_NEWDECIMAL
                     : v->kind==MV_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
      b->buffer = (void*)(v->v.s.n ? v->v.s.p : "");
      b->buffer_length = (unsigned long)v->v.s.n;
      return;
    default:
      mv_buf_reset(buf);
      mv_encode_text(buf, v);
      b->buffer_type = MYSQL_TYPE_STRING;
      b->buffer = (void*)mv_buf_cstr(buf);
      b->buffer_length = (unsigned long)buf->n;
      return;
  }
}

/* The GTIDs the chunk's read may have seen, for a failover (mirror_cfail.c):
** the server's, read after the read (a superset; one query of ~0.2 ms,
** where MariaDB's exact BINLOG_GTID_POS of the snapshot's position reads
** the binlog file from its start: 58 ms at 236 MB, measured on 10.11). */
static int seenGtids(copier *cp, ctab *tc){
  char *zErr = 0;
  MYSQL_RES *res = mv_query(cp->m->ctx, cp->c, cp->isMaria
      ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@GLOBAL.gtid_executed",
      "the GTIDs a chunk saw", &zErr);
  MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
  sqlite3_free(tc->zSeen);
  tc->zSeen = row && row[0] ? sqlite3_mprintf("%s", row[0]) : 0;
  if( res ) mysql_free_result(res);
  if( zErr ){
    mv_mirror_err(cp->m, "%s", zErr);
    sqlite3_free(zErr);
    return 1;
  }
  return tc->zSeen==0 && mv_mirror_err(cp->m, "out of memory");
}

/* Read table i's next chunk (steps 1-3) into its local table. */
static int readChunk(copier *cp, int i){
  mirror *m = cp->m;
  mtable *t = &m->aTab[i];
  ctab *tc = &cp->aT[i];
  sqlite3_str *s = sqlite3_str_new(0);
  MYSQL_BIND *aBind = 0;
  mv_buf *aBuf = 0;
  int nBind = tc->last.n ? 2*t->nPk - 1 : 0, j, k, inTxn = 0, rc = 1;
  char *zTail = 0, *zErr = 0, *zLo = 0;
  sqlite3_int64 n;
  /* WHERE (k1, k2, ...) > last, expanded so that the range optimizer of
  ** either server reads from `last` on: k1 >= ?1 AND (k1 > ?1 OR (k2 >= ?2
  ** AND (k2 > ?2 OR ... kn > ?n))) */
  if( tc->last.n ){
    sqlite3_str_appendall(s, " WHERE ");
    for(j=0; j<t->nPk; j++){
      const char *zCol = t->azCol[t->aPk[j]];
      if( j<t->nPk-1 ){
        mv_quote_ident(s, zCol);
        sqlite3_str_appendall(s, " >= ? AND (");
      }
      mv_quote_ident(s, zCol);
      sqlite3_str_appendall(s, j<t->nPk-1 ? " > ? OR (" : " > ?");
    }
    for(j=0; j<2*(t->nPk-1); j++) sqlite3_str_appendchar(s, 1, ')');
  }
  sqlite3_str_appendall(s, " ORDER BY ");
  for(j=0; j<t->nPk; j++){
    if( j ) sqlite3_str_appendall(s, ", ");
    mv_quote_ident(s, t->azCol[t->aPk[j]]);
  }
  sqlite3_str_appendf(s, " LIMIT %lld", m->chunkRows);
  zTail = sqlite3_str_finish(s);
  if( nBind ){
    aBind = sqlite3_malloc64(sizeof(MYSQL_BIND)*(size_t)nBind);
    aBuf = sqlite3_malloc64(sizeof(mv_buf)*(size_t)nBind);
    if( aBuf ) for(j=0; j<nBind; j++) mv_buf_init(&aBuf[j]);
  }
  if( zTail==0 || (nBind && (aBind==0 || aBuf==0)) ){
    mv_mirror_err(m, "out of memory");
    goto done;
  }
  for(j=k=0; nBind && j<t->nPk; j++){
    /* each key part twice (>= and >), the last once */
    bindKeyValue(&aBind[k], &tc->last.a[j], &aBuf[k]);
    k++;
    if( j<t->nPk-1 ){
      bindKeyValue(&aBind[k], &tc->last.a[j], &aBuf[k]);
      k++;
    }
  }

  /* 1: the low watermark */
  if( cp->isMaria ){
    sqlite3_int64 tStart = mv_chunk_now_ms();
    int nTry = 0;
    for(;;){
      sqlite3_free(zLo);
      zLo = 0;
      inTxn = 1;
      if( mv_exec(m->ctx, cp->c, "START TRANSACTION WITH CONSISTENT SNAPSHOT,"
                  " READ ONLY", &zErr)
       || mv_snap_position(m->ctx, cp->c, &zLo, &zErr) ) goto done;
      if( posSet(&tc->lo, zLo) ){
        mv_mirror_err(m, "the server gives no binlog position for a snapshot");
        goto done;
      }
      if( posCmp(&tc->lo, &cp->p)>=0 ) break;
      /* a transaction before P not yet committed: a view taken again */
      if( mv_exec(m->ctx, cp->c, "ROLLBACK", &zErr) ) goto done;
      inTxn = 0;
      if( mv_chunk_now_ms() - tStart > CHUNK_WAIT_MS ){
        char *zP = posText(&cp->p);
        mv_mirror_err(m, "the server's snapshots stay before %s, the binlog"
                         " position read before (%s)", zP ? zP : "?", zLo);
        sqlite3_free(zP);
        goto done;
      }
      sqlite3_sleep(nTry<6 ? 1<<nTry : 50);
      nTry++;
    }
  }else{
    if( mv_chunk_read_pos(cp, &tc->lo) || fenceMysql(cp) ) goto done;
  }

  /* 2: the chunk */
  cp->pCur = tc;
  cp->nRead = 0;
  mv_key_clear(&cp->held);
  n = mv_mirror_table_copy(m, t, cp->c, zTail, aBind, nBind, holdLast, cp, 0);
  if( n==-2 ){
    /* the source changed since the table was made: the DDL comes in the
    ** stream; the copy starts again now (a half-read result: a new
    ** connection) */
    sqlite3_free(m->zErr);
    m->zErr = 0;
    inTxn = 0;
    if( reconnect(cp) ) goto done;
    rc = mv_chunk_restart(cp, i);
    goto done;
  }
  if( n==-3 && (tc->tMissing==0
                || mv_chunk_now_ms() - tc->tMissing<=CHUNK_WAIT_MS) ){
    /* no such table: renamed or dropped, by a statement the stream has
    ** not reached (copyRun reads on, following it, and tries again; the
    ** error stays if the table is still missing after CHUNK_WAIT_MS) */
    if( tc->tMissing==0 ) tc->tMissing = mv_chunk_now_ms();
    sqlite3_free(m->zErr);
    m->zErr = 0;
    tc->missing = 1;
    rc = 0;
    goto done;
  }
  if( n<0 ) goto done;
  tc->tMissing = 0;
  if( inTxn ){
    if( mv_exec(m->ctx, cp->c, "COMMIT", &zErr) ) goto done;
    inTxn = 0;
  }
  if( m->gtidOk && seenGtids(cp, tc) ) goto done;
  if( cp->pauseMs>0 ) sqlite3_sleep(cp->pauseMs);

  /* 3: the high watermark */
  if( mv_chunk_read_pos(cp, &tc->hi) ) goto done;
  if( n==m->chunkRows ){
    mv_key tmp = tc->end;
    tc->end = cp->held;
    cp->held = tmp;
  }
  mv_key_clear(&cp->held);
  if( n<m->chunkRows ) mv_key_clear(&tc->end);
  tc->inFlight = 1;
  tc->rows += n;
  t->nBatch += n;
  cp->nUnrecorded += n;
  rc = 0;
done:
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
  if( inTxn && cp->c ) mv_exec(m->ctx, cp->c, "ROLLBACK", &zErr);
  for(j=0; aBuf && j<nBind; j++) mv_buf_free(&aBuf[j]);
  sqlite3_free(aBuf);
  sqlite3_free(aBind);
  sqlite3_free(zTail);
  sqlite3_free(zLo);
  return rc || m->zErr!=0;
}

/* Copy (or go on copying) the set's tables marked chunked and not done,
** from the set's position zPos. Returns the rows copied plus the changes
** applied, or -1. */
/* A later call going on with a copy: the set's GTID position and server
** as recorded (the first call set them from its snapshot). The copy's
** positions are that server's binlog's: on another, *pSwitch is its
** server_id (the copy goes on there by GTID: mirror_cfail.c), or, with no
** GTID position, an error. */
static int resumeIds(copier *cp, const char *zGtidPos, sqlite3_int64 serverId,
                     unsigned *pSwitch){
  mirror *m = cp->m;
  char *zErr = 0;
  MYSQL_RES *res = mv_query(m->ctx, cp->c, "SELECT @@server_id", "server_id", &zErr);
  MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
  unsigned cur = row && row[0] ? (unsigned)strtoul(row[0], 0, 10) : 0;
  if( res ) mysql_free_result(res);
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); return 1; }
  m->kind = cp->isMaria ? MVG_MARIADB : MVG_MYSQL;
  mvg_free(&m->gtid);
  mvg_init(&m->gtid, m->kind);
  m->gtidOk = zGtidPos && mvg_parse(&m->gtid, zGtidPos)==0;
  mvg_init(&m->gtidStart, m->kind);
  m->posServer = serverId>0 && serverId<=0xffffffff ? (unsigned)serverId : 0;
  if( m->posServer && cur && m->posServer!=cur ){
    if( m->gtidOk ){
      *pSwitch = cur;             /* mv_chunk_switch, once the keys are known */
      m->recServer = m->posServer;
      return 0;
    }
    return mv_mirror_err(m, "the set %s is in the middle of its first copy,"
        " and it has no GTID position to go on from on another server (the"
        " server it began on logged none), so it goes on only there"
        " (server_id %u; this one is %u): point the DSN at that server, or"
        " drop the set's tables and its rows in mysql_mirror_state and"
        " mysql_mirror_sets and call mysql_mirror again", m->zSet,
        m->posServer, cur);
  }
  m->recServer = cur ? cur : m->posServer;
  return 0;
}

/* Copy (or go on copying) the set's tables marked chunked and not done,
** from the set's position zPos; resume: a later call (zGtidPos and
** serverId as recorded). Returns the rows copied plus the changes
** applied, or -1. */
static sqlite3_int64 copyRun(mirror *m, const char *zDsnArg, const char *zPos,
                             const char *zGtidPos, sqlite3_int64 serverId,
                             int resume){
  copier cp;
  char *zErr = 0;
  const char *zPause = getenv("MYSQL_VTAB_TEST_CHUNK_PAUSE_MS");
  int i, ok = 0;
  unsigned switchTo = 0;
  memset(&cp, 0, sizeof cp);
  cp.m = m;
  cp.zDsnArg = zDsnArg;
  cp.zDsn = mv_dsn_text(zDsnArg);
  cp.tCommit = mv_chunk_now_ms();
  cp.pauseMs = zPause ? atoi(zPause) : 0;
  mv_buf_init(&cp.cmpA);
  mv_buf_init(&cp.cmpB);
  mv_key_init(&cp.held);
  if( m->chunkRows<1 ) m->chunkRows = CHUNK_DEFAULT_ROWS;
  if( posSet(&cp.p, zPos) || posSet(&cp.s, zPos) ){
    mv_mirror_err(m, "bad position '%s' in mysql_mirror_sets", zPos ? zPos : "");
    goto done;
  }
  if( mv_chunk_state_load(&cp) ) goto done;
  cp.c = mv_conn_get(m->ctx, cp.zDsn, &zErr);
  if( cp.c==0 || copierSession(&cp) ) goto done;
  cp.isMaria = mv_is_mariadb(cp.c->mysql);
  if( !cp.isMaria ){
    char *zNo = mv_chunk_watermark_problem(m, cp.c);
    if( zNo ){ mv_mirror_err(m, "%s", zNo); sqlite3_free(zNo); goto done; }
  }
  if( resume && resumeIds(&cp, zGtidPos, serverId, &switchTo) ) goto done;
  for(i=0; i<m->nTab; i++){
    mtable *t = &m->aTab[i];
    ctab *tc = &cp.aT[i];
    char *zWhy = 0;
    int rc;
    if( tc->done || t->gone ) continue;
    rc = mv_chunk_key_info(m, cp.c, t, tc, &zWhy);
    if( rc==3 ){
      /* renamed or dropped since the last call: the copy loop follows the
      ** statement, then copies the table again (lost). Its rows go now,
      ** with its copied range: a commit before that (in the stream's pass)
      ** records a table not begun, and one not begun is empty. */
      char *zDel = sqlite3_mprintf("DELETE FROM main.\"%w\"", t->zLocal);
      sqlite3_free(m->zErr);
      m->zErr = 0;
      if( zDel==0 || mv_mirror_exec(m, zDel) ){
        if( zDel==0 ) mv_mirror_err(m, "out of memory");
        sqlite3_free(zDel);
        goto done;
      }
      sqlite3_free(zDel);
      tc->lost = 1;
      tc->tMissing = mv_chunk_now_ms();
      tc->inFlight = 0;
      tc->rows = 0;
      continue;
    }
    if( rc==2 ){
      mv_mirror_err(m, "%s: it cannot be copied in chunks", zWhy);
      sqlite3_free(zWhy);
    }
    if( rc ) goto done;
    if( (tc->zKey && mv_key_parse(&tc->last, tc->aCls, tc->nKey, tc->zKey, strlen(tc->zKey)))
     || (tc->zChunkEnd && mv_key_parse(&tc->end, tc->aCls, tc->nKey, tc->zChunkEnd,
                                       strlen(tc->zChunkEnd))) ){
      mv_mirror_err(m, "bad copy_key or copy_chunk in mysql_mirror_state for %s",
                    t->zLocal);
      goto done;
    }
    tc->estimate = mv_table_rows_estimate(m->ctx, cp.c, t->zDb, t->zTbl);
    tc->rows0 = tc->rows;
    tc->t0 = mv_chunk_now_ms();
  }
  cp.aK = sqlite3_malloc64(sizeof(mv_value)*CHUNK_KEY_MAX);
  if( cp.aK==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  if( switchTo && mv_chunk_switch(&cp, switchTo) ) goto done;

  for(;;){
    ctab *tc = 0;
    for(i=0; i<m->nTab && tc==0; i++){
      if( !cp.aT[i].done && !m->aTab[i].gone ) tc = &cp.aT[i];
    }
    if( tc==0 ) break;
    i = (int)(tc - cp.aT);
    if( !tc->reported ){
      /* the table's first report, before its first chunk of this call */
      tc->reported = 1;
      if( mv_mirror_progress(m, &m->aTab[i], tc->rows, 0) ) goto done;
    }
    if( tc->lost ){
      /* its source was not found as this call began (renamed or dropped
      ** since the last): its key unknown, its rows in the stream are
      ** skipped (as of a table not begun) while the stream, read on to
      ** the log's end as it is now, follows the statement; then it is
      ** copied again from its first key under the name it has now (or has
      ** left the set). Still not found: read on again, for CHUNK_WAIT_MS. */
      bpos now;
      char *zWhy = 0;
      int rc;
      if( mv_chunk_read_pos(&cp, &now) || mv_chunk_pass(&cp, &now) ) goto done;
      tc = &cp.aT[i];
      if( !tc->lost || tc->done || m->aTab[i].gone ) continue;
      rc = mv_chunk_key_info(m, cp.c, &m->aTab[i], tc, &zWhy);
      sqlite3_free(zWhy);
      if( rc==3 && mv_chunk_now_ms() - tc->tMissing<=CHUNK_WAIT_MS ){
        sqlite3_free(m->zErr);
        m->zErr = 0;
        sqlite3_sleep(10);
        continue;
      }
      if( rc==1 || rc==3 ) goto done;
      if( mv_chunk_restart(&cp, i) ) goto done;
      continue;
    }
    if( !tc->inFlight ){
      if( tc->t0==0 ) tc->t0 = mv_chunk_now_ms();
      if( readChunk(&cp, i) ) goto done;
      tc = &cp.aT[i];
      if( tc->missing ){
        /* its source renamed or dropped: the stream is read on to the
        ** log's end as it is now (following the statement), then the
        ** loop goes on (with the new name, or without the table) */
        bpos now;
        tc->missing = 0;
        if( mv_chunk_read_pos(&cp, &now) || mv_chunk_pass(&cp, &now) ) goto done;
        continue;
      }
      if( !tc->inFlight ) continue;        /* started again */
    }
    {
      bpos hi = tc->hi;
      if( mv_chunk_pass(&cp, &hi) ) goto done;
    }
    tc = &cp.aT[i];
    if( tc->inFlight ){
      /* 5: the chunk is reconciled */
      if( tc->end.n ){
        mv_key tmp = tc->last;
        tc->last = tc->end;
        tc->end = tmp;
        mv_key_clear(&tc->end);
      }else{
        tc->done = 1;
      }
      tc->inFlight = 0;
      /* mysql_replicate's progress (it may abandon the call: what is
      ** committed stays, the next call goes on from it) */
      if( mv_mirror_progress(m, &m->aTab[i], tc->rows, tc->done) ) goto done;
    }
    if( mv_chunk_maybe_commit(&cp) ) goto done;
    if( mv_interrupted(m->db) ){
      mv_mirror_err(m, "interrupted");
      goto done;
    }
  }
  if( mv_chunk_commit(&cp) ) goto done;
  ok = 1;
done:
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); zErr = 0; }
  mv_chunk_drop_txn(&cp);
  mv_feed_close(cp.f);
  for(i=0; i<cp.nT; i++) mv_chunk_ctab_free(&cp.aT[i]);
  sqlite3_free(cp.aT);
  if( cp.c ){
    int reusable = ok && mv_exec(m->ctx, cp.c, "SET character_set_results=utf8mb4", &zErr)==0;
    sqlite3_free(zErr);
    mv_conn_put(m->ctx, cp.c, reusable);
  }
  sqlite3_free(cp.aK);
  sqlite3_free(cp.zGtid);
  mv_buf_free(&cp.cmpA);
  mv_buf_free(&cp.cmpB);
  mv_key_free(&cp.held);
  return ok && m->zErr==0 ? cp.nApplied : -1;
}

sqlite3_int64 mv_chunk_copy(mirror *m, const char *zDsnArg, const char *zPos,
                            const char *zGtidPos, sqlite3_int64 serverId){
  return copyRun(m, zDsnArg, zPos, zGtidPos, serverId, 1);
}

sqlite3_int64 mv_chunk_copy_first(mirror *m, const char *zDsnArg,
                                  const char *zPos){
  return copyRun(m, zDsnArg, zPos, 0, 0, 0);
}
