/*
** mirror_pass.c — the binlog between a chunk's watermarks, for
** mirror_chunk.c (step 4 of its header): each row change applied or
** skipped by where its key falls, copied, in the chunk or not yet copied,
** in MySQL's order (text keys compared by the server, in their collation);
** the MySQL transactions applied whole; schema changes followed (a table
** being copied copied again from its first key, one done altered in
** place or copied afresh, renames pair by pair).
*/
#include "mirror_chunk.h"
#include "changes.h"
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* Grow cp->aT to the set's tables (a new one joined: copied, so done). */
int mv_chunk_sync_tabs(copier *cp){
  mirror *m = cp->m;
  if( cp->nT<m->nTab ){
    ctab *a = sqlite3_realloc64(cp->aT, sizeof(ctab)*(size_t)m->nTab);
    if( a==0 ) return mv_mirror_err(m, "out of memory");
    memset(&a[cp->nT], 0, sizeof(ctab)*(size_t)(m->nTab - cp->nT));
    for(; cp->nT<m->nTab; cp->nT++) a[cp->nT].done = 1;
    cp->aT = a;
  }
  return 0;
}

/* The server's order of two text values of key column iCol of the table
** being compared (mv_key_textcmp). */
static int textCmp(void *pArg, int iCol, const mv_value *a, const mv_value *b,
                   int *pCmp){
  copier *cp = (copier*)pArg;
  ctab *tc = cp->pCur;
  mirror *m = cp->m;
  MYSQL_BIND aBind[2], res;
  long long v = 0;
  mv_bool isNull = 0;
  MYSQL_STMT *st = tc->apCmp[iCol];
  mv_buf_reset(&cp->cmpA);
  mv_buf_reset(&cp->cmpB);
  mv_to_utf8(&cp->cmpA, a->charset, a->v.s.p, a->v.s.n);
  mv_to_utf8(&cp->cmpB, b->charset, b->v.s.p, b->v.s.n);
  if( cp->cmpA.oom || cp->cmpB.oom ) return mv_mirror_err(m, "out of memory");
  if( cp->cmpA.n==cp->cmpB.n
   && (cp->cmpA.n==0 || memcmp(cp->cmpA.z, cp->cmpB.z, cp->cmpA.n)==0) ){
    *pCmp = 0;
    return 0;
  }
  if( st==0 ){
    char *zSql = sqlite3_mprintf("SELECT STRCMP(CONVERT(? USING %s) COLLATE %s,"
        " CONVERT(? USING %s) COLLATE %s)", tc->azCs[iCol], tc->azColl[iCol],
        tc->azCs[iCol], tc->azColl[iCol]);
    if( zSql==0 ) return mv_mirror_err(m, "out of memory");
    mv_log_query(m->ctx, zSql);
    st = mysql_stmt_init(cp->c->mysql);
    if( st==0 || mv_stmt_prepare(cp->c, st, zSql) ){
      mv_mirror_err(m, "comparing keys in collation %s: %s", tc->azColl[iCol],
                    st ? mysql_stmt_error(st) : "out of memory");
      if( st ) mysql_stmt_close(st);
      sqlite3_free(zSql);
      return 1;
    }
    sqlite3_free(zSql);
    tc->apCmp[iCol] = st;
  }
  memset(aBind, 0, sizeof aBind);
  aBind[0].buffer_type = aBind[1].buffer_type = MYSQL_TYPE_STRING;
  aBind[0].buffer = cp->cmpA.n ? cp->cmpA.z : (char*)"";
  aBind[0].buffer_length = (unsigned long)cp->cmpA.n;
  aBind[1].buffer = cp->cmpB.n ? cp->cmpB.z : (char*)"";
  aBind[1].buffer_length = (unsigned long)cp->cmpB.n;
  memset(&res, 0, sizeof res);
  res.buffer_type = MYSQL_TYPE_LONGLONG;
  res.buffer = &v;
  res.is_null = &isNull;
  if( mysql_stmt_bind_param(st, aBind) || mv_stmt_execute(cp->c, st)
   || mysql_stmt_bind_result(st, &res) || mv_stmt_fetch(cp->c, st)!=0 ){
    mv_mirror_err(m, "comparing keys in collation %s: %s", tc->azColl[iCol],
                  mysql_stmt_error(st));
    mysql_stmt_free_result(st);
    return 1;
  }
  mysql_stmt_free_result(st);
  *pCmp = (int)v;
  return 0;
}

static int keyCmp(copier *cp, ctab *tc, const mv_value *a, const mv_value *b,
                  int *pCmp){
  cp->pCur = tc;
  return mv_key_cmp(tc->aCls, tc->nKey, a, b, textCmp, cp, pCmp);
}

/* Where a change of key aK of table tc at zPos goes: 1 applied, 0 skipped
** (step 4 of the header), -1 on error. */
static int classify(copier *cp, ctab *tc, const mv_value *aK, const char *zPos){
  int c;
  if( tc->last.n ){
    if( keyCmp(cp, tc, aK, tc->last.a, &c) ) return -1;
    if( c<=0 ) return 1;
  }
  if( !tc->inFlight ) return 0;
  if( tc->end.n ){
    if( keyCmp(cp, tc, aK, tc->end.a, &c) ) return -1;
    if( c>0 ) return 0;
  }
  return !posBefore(zPos, &tc->lo);
}

/* The key values of an image into cp->aK. */
static void rowKey(copier *cp, mtable *t, const mv_value *aImg){
  int j;
  for(j=0; j<t->nPk; j++) cp->aK[j] = aImg[t->aMap[t->aPk[j]]];
}

static int beginTxn(copier *cp){
  if( cp->inTxn ) return 0;
  if( mv_mirror_exec(cp->m, "SAVEPOINT mysql_mirror_txn") ) return 1;
  cp->inTxn = 1;
  return 0;
}

/* The MySQL transaction in hand is dropped (the stream ended inside it:
** it is read again). */
void mv_chunk_drop_txn(copier *cp){
  int i;
  if( !cp->inTxn ) return;
  sqlite3_exec(cp->m->db, "ROLLBACK TO mysql_mirror_txn; RELEASE mysql_mirror_txn", 0, 0, 0);
  for(i=0; i<cp->m->nTab; i++) cp->m->aTab[i].nTxn = 0;
  cp->inTxn = 0;
}

/* The error for a local table SQLite cannot drop, rename or make again
** while another statement of this connection reads. */
static int lockedErr(mirror *m, mtable *t, const char *zPos, const char *zWhat){
  return mv_mirror_err(m, "%s.%s changed at %s: %s; SQLite cannot rename, drop"
      " or make %s again while another statement of this connection reads (the"
      " one calling mysql_mirror reads a table): run SELECT mysql_mirror(...)"
      " alone once", t->zDb, t->zTbl, zPos, zWhat, t->zLocal);
}

/* Table t, done, was altered in place (copyDdl), and the first row image
** after it, at zPos, is not what the statement said: t is copied afresh
** after all (mv_mirror_table_resync: its rows before the new snapshot's
** position are skipped from here on), and the stream is read again from
** P, the start of this MySQL transaction, as mirrorApply does. Nothing is
** lost or applied twice: the transaction's rows applied so far, of any
** table, are undone with its savepoint and applied again under the same
** copy state (no chunk's bounds or watermarks move inside a pass); the
** ALTER came before P (a DDL statement is a transaction of its own), so it
** is not followed twice. The stream (and r with it) is closed here. */
static int copyAfresh(copier *cp, mtable *t, const char *zPos){
  mirror *m = cp->m;
  char *zAt = sqlite3_mprintf("%s", zPos);
  int rc;
  if( zAt==0 ) return mv_mirror_err(m, "out of memory");
  mv_chunk_drop_txn(cp);
  mv_feed_close(cp->f);
  cp->f = 0;
  cp->pending = 0;
  t->verify = 0;
  rc = mv_mirror_table_resync(m, t, 0);
  if( rc==2 ){
    rc = lockedErr(m, t, zAt, "its row image is not what the ALTER followed in"
                   " place said");
  }
  sqlite3_free(zAt);
  return rc!=0;
}

/* One row change of table i. */
static int copyRow(copier *cp, int i, const mvs_row *r){
  mirror *m = cp->m;
  mtable *t = &m->aTab[i];
  ctab *tc = &cp->aT[i];
  int a = 0, b = 0, rc = 0, j, same = 1;
  if( tc->done ){
    if( mv_mirror_before_resync(t, r->pos) ) return 0;
    if( beginTxn(cp) ) return 1;
    rc = mv_mirror_apply_row(m, t, r);
    if( rc==0 ) t->nTxn++;
    if( rc==2 && t->verify ) return copyAfresh(cp, t, r->pos);
  }else if( !tc->last.n && !tc->inFlight ){
    return 0;                       /* not begun: its chunks will read it */
  }else if( !mv_mirror_table_map(t, r->table) ){
    rc = 2;
  }else{
    switch( r->op ){
      case MVS_INSERT:
        rowKey(cp, t, r->after);
        if( (a = classify(cp, tc, cp->aK, r->pos))<0 ) return 1;
        if( a && (beginTxn(cp) || mv_mirror_table_upsert(m, t, r->after, t->aMap)) ) return 1;
        break;
      case MVS_DELETE:
        rowKey(cp, t, r->before);
        if( (b = classify(cp, tc, cp->aK, r->pos))<0 ) return 1;
        if( b && (beginTxn(cp) || mv_mirror_table_delete(m, t, r->before, t->aMap)) ) return 1;
        break;
      default:
        for(j=0; same && j<t->nPk; j++){
          int k = t->aMap[t->aPk[j]];
          same = mv_mirror_same_value(&r->before[k], &r->after[k]);
        }
        rowKey(cp, t, r->after);
        if( (a = classify(cp, tc, cp->aK, r->pos))<0 ) return 1;
        if( same ){
          b = a;
        }else{
          rowKey(cp, t, r->before);
          if( (b = classify(cp, tc, cp->aK, r->pos))<0 ) return 1;
        }
        if( (a || b) && beginTxn(cp) ) return 1;
        if( !same && b && mv_mirror_table_delete(m, t, r->before, t->aMap) ) return 1;
        if( a && mv_mirror_table_upsert(m, t, r->after, t->aMap) ) return 1;
        break;
    }
    if( a || b ) t->nTxn++;
  }
  if( rc==2 ){
    char *zCols = mv_mirror_table_columns_json(t, 0);
    mv_mirror_err(m, "%s.%s changed: the row image at %s does not have the"
                     " columns recorded %s", t->zDb, t->zTbl, r->pos,
                  zCols ? zCols : "");
    sqlite3_free(zCols);
  }
  return rc!=0;
}

/* A table being copied whose source changed (a DDL statement): made again
** with the columns it has now, copied from its first key (or gone: it
** leaves the set with its local table). */
int mv_chunk_restart(copier *cp, int i){
  mirror *m = cp->m;
  mtable *t = &m->aTab[i];
  ctab *tc = &cp->aT[i];
  char *zSql, *zWhy = 0;
  int rc;
  zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"", t->zLocal);
  if( zSql==0 ) return mv_mirror_err(m, "out of memory");
  rc = sqlite3_exec(m->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_LOCKED ){
    return mv_mirror_err(m, "%s.%s changed during its first copy; SQLite cannot"
        " make %s again while another statement of this connection reads (the"
        " one calling mysql_mirror reads a table): run SELECT mysql_mirror(...)"
        " alone once", t->zDb, t->zTbl, t->zLocal);
  }
  if( rc ) return mv_mirror_err(m, "dropping %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  mv_mirror_table_forget_columns(t);
  mv_key_clear(&tc->last);
  mv_key_clear(&tc->end);
  sqlite3_free(tc->zSeen);
  tc->zSeen = 0;
  tc->inFlight = tc->lost = 0;
  tc->rows = tc->rows0 = 0;
  tc->t0 = mv_chunk_now_ms();
  if( mv_mirror_table_load_source(m, t, cp->zDsn) ){
    if( !t->gone ) return 1;
    sqlite3_free(m->zErr);
    m->zErr = 0;
    tc->done = 1;
    zSql = sqlite3_mprintf("DELETE FROM main.mysql_mirror_state WHERE"
                           " local_tbl=%Q", t->zLocal);
    rc = zSql ? mv_mirror_exec(m, zSql) : mv_mirror_err(m, "out of memory");
    sqlite3_free(zSql);
    return rc;
  }
  if( mv_mirror_table_create(m, t) ) return 1;
  rc = mv_chunk_key_info(m, cp->c, t, tc, &zWhy);
  if( rc==2 ){
    mv_mirror_err(m, "%s: it changed during its first copy and cannot be copied"
                     " in chunks any more; drop it and its row in"
                     " mysql_mirror_state, and call mysql_mirror again", zWhy);
    sqlite3_free(zWhy);
    return 1;
  }
  if( rc ) return 1;
  tc->estimate = mv_table_rows_estimate(m->ctx, cp->c, t->zDb, t->zTbl);
  return mv_mirror_state_columns(m, t);
}

/* RENAME TABLE (or ALTER TABLE a RENAME TO b alone), pair by pair, as
** later calls follow it (mv_mirror_table_rename): a table of the set keeps
** its rows under the local name the template gives its new name, or
** leaves the set with its local table. One being copied goes on where it
** is: its copied range, its chunk in flight and their watermarks are of
** the same rows under the new name (the chunks read the source by t's
** names, which follow). A table renamed into the set's pattern joins it
** (copied from a snapshot of its own, so done). -1 when zSql is no
** rename (nothing done), else 0 or 1 on error. */
static int copyRename(copier *cp, const mvs_row *r, const char *zDb,
                      const char *zSql){
  mirror *m = cp->m;
  mv_buf oDb, oTbl, nDb, nTbl;
  size_t ri = 0;
  int rc = 0, n = 0;
  mv_buf_init(&oDb); mv_buf_init(&oTbl);
  mv_buf_init(&nDb); mv_buf_init(&nTbl);
  while( rc==0 && mvs_rename_next(zSql, strlen(zSql), &ri, &oDb, &oTbl, &nDb, &nTbl) ){
    const char *zOD = oDb.n ? mv_buf_cstr(&oDb) : zDb ? zDb : "";
    const char *zOT = mv_buf_cstr(&oTbl);
    const char *zND = nDb.n ? mv_buf_cstr(&nDb) : zDb ? zDb : "";
    const char *zNT = mv_buf_cstr(&nTbl);
    mtable *h = mv_mirror_find(m, zOD, strlen(zOD), zOT, strlen(zOT));
    n++;
    if( oDb.oom || oTbl.oom || nDb.oom || nTbl.oom ){
      rc = mv_mirror_err(m, "out of memory");
    }else if( h && !mv_mirror_before_resync(h, r->pos) ){
      ctab *tc = &cp->aT[h - m->aTab];
      rc = mv_mirror_table_rename(m, h, zND, zNT);
      if( rc==2 ) rc = lockedErr(m, h, r->pos, zSql);
      if( rc==0 && h->gone ){
        /* left the set: its copy ends here */
        tc->done = 1;
        tc->inFlight = 0;
      }
    }else if( h==0 ){
      rc = mv_mirror_table_join(m, zND, zNT) || mv_chunk_sync_tabs(cp);
    }
  }
  mv_buf_free(&oDb); mv_buf_free(&oTbl);
  mv_buf_free(&nDb); mv_buf_free(&nTbl);
  return n==0 ? -1 : rc || m->zErr!=0;
}

/* A DDL row (step "schema change" of the header). A rename: copyRename.
** Otherwise each table it concerns: one being copied is copied again from
** its first key (mv_chunk_restart); one done is altered in place where
** mirror_alter.c can follow the ALTER exactly (its next row image checked:
** copyRow), else copied afresh from a snapshot of its own, as later calls
** do. A new table the set names joins it. */
static int copyDdl(copier *cp, const mvs_row *r){
  mirror *m = cp->m;
  char *zDb = r->db ? sqlite3_mprintf("%.*s", (int)r->n_db, r->db) : 0;
  char *zTbl = r->tbl ? sqlite3_mprintf("%.*s", (int)r->n_tbl, r->tbl) : 0;
  char *zSql = sqlite3_mprintf("%.*s", (int)r->n_sql, r->sql ? r->sql : "");
  int kind = mvs_ddl_kind(r->sql ? r->sql : "", r->n_sql), i, rc = 0;
  int renamed = -1;
  /* (a rename inside a transaction, as no server writes one, is taken as
  ** a change of the tables it names) */
  if( zSql==0 ) rc = mv_mirror_err(m, "out of memory");
  else if( !cp->inTxn && (renamed = copyRename(cp, r, zDb, zSql))>=0 ) rc = renamed;
  for(i=0; rc==0 && renamed<0 && kind!=MVS_DDL_INDEX && i<m->nTab; i++){
    mtable *t = &m->aTab[i];
    if( t->gone || mv_mirror_before_resync(t, r->pos) ) continue;
    if( !mv_mirror_ddl_hits(t, zDb, zTbl, zSql) ) continue;
    if( cp->aT[i].done ){
      rc = kind==MVS_DDL_OTHER ? mv_mirror_table_alter(m, t, zSql, zDb) : 3;
      if( rc==3 ) rc = mv_mirror_table_resync(m, t, 0);
      if( rc==2 ) rc = lockedErr(m, t, r->pos, zSql);
    }else{
      rc = mv_chunk_restart(cp, i);
    }
  }
  if( rc==0 && kind==MVS_DDL_CREATE_TABLE && zDb && zTbl ){
    rc = mv_mirror_table_join(m, zDb, zTbl) || mv_chunk_sync_tabs(cp);
  }
  sqlite3_free(zDb);
  sqlite3_free(zTbl);
  sqlite3_free(zSql);
  return rc || m->zErr!=0;
}

/* mvs_want_fn: the set's tables. */
static int copyWants(void *pArg, const char *zDb, size_t nDb,
                     const char *zTbl, size_t nTbl){
  if( zDb==0 || zTbl==0 ) return 0;
  return mv_mirror_find(((copier*)pArg)->m, zDb, nDb, zTbl, nTbl)!=0;
}

/* mv_feed_map_fn: a table map written before its table's definition
** changed, completed from the columns and types recorded (an ALTER done in
** place leaves the rows before it to be decoded as the table had them). */
static void copyMapInfo(void *pArg, mvb_decoder *d, mvb_table *et){
  mv_mirror_map_info(((copier*)pArg)->m, d, et);
}

/* The stream up to hi (step 4), from where it was read to: every change
** before hi applied or skipped. P moves with each commit; cp->s is hi at
** the end (what lies between P and hi holds no transaction). */
int mv_chunk_pass(copier *cp, const bpos *hi){
  mirror *m = cp->m;
  sqlite3_int64 tStart = mv_chunk_now_ms();
  int nWait = 0;
  while( posCmp(&cp->s, hi)<0 ){
    const mvs_row *r = 0;
    char *zErr = 0;
    mtable *t;
    int rc;
    if( cp->pending ){
      r = cp->pending;
      cp->pending = 0;
    }else{
      if( cp->f==0 ){
        /* (catching up on a new server: from the set's GTID position) */
        char *zP = cp->byGtid ? mv_mirror_gtid_text(m) : posText(&cp->p);
        if( zP==0 ) return mv_mirror_err(m, "out of memory");
        cp->checked = 0;
        cp->f = mv_feed_open(m->db, m->ctx, zP, cp->zDsnArg, copyWants,
                           copyMapInfo, cp, &zErr);
        sqlite3_free(zP);
        if( cp->f==0 ){
          mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
          sqlite3_free(zErr);
          return 1;
        }
      }
      rc = mv_feed_next(cp->f, &r, &zErr);
      if( rc==SQLITE_ROW && !cp->checked ){
        /* the stream's own server must be the copy's (a pooled connection
        ** to another, after a failover, would give other files' offsets) */
        unsigned id = mv_feed_source_id(cp->f);
        cp->checked = 1;
        if( id && m->recServer && id!=m->recServer ){
          return mv_mirror_err(m, "the binlog stream of the set %s's first"
              " copy comes from server_id %u, not %u, where the copy began",
              m->zSet, id, m->recServer);
        }
      }
      if( rc==SQLITE_DONE ){
        /* the log's end as the stream saw it: past hi, or read again from
        ** P once the server has written that far (a transaction open at
        ** the end is read again too). Catching up by GTID, the end itself
        ** is past hi (read before the stream began): MySQL sends nothing
        ** of the transactions it skips, so the last position seen may lie
        ** anywhere before it. */
        bpos w;
        int got = mv_feed_where(cp->f, w.zFile, sizeof w.zFile, &w.off);
        int reached = !cp->inTxn
                   && (cp->byGtid || (got && posCmp(&w, hi)>=0));
        mv_feed_close(cp->f);
        cp->f = 0;
        mv_chunk_drop_txn(cp);
        if( reached ){
          cp->s = *hi;
          break;
        }
        if( mv_chunk_now_ms() - tStart > CHUNK_WAIT_MS ){
          char *zHi = posText(hi);
          mv_mirror_err(m, "the binlog stream did not reach %s (the high"
                           " watermark of a chunk) in %d s", zHi ? zHi : "?",
                        CHUNK_WAIT_MS/1000);
          sqlite3_free(zHi);
          return 1;
        }
        sqlite3_sleep(nWait<6 ? 1<<nWait : 50);
        nWait++;
        continue;
      }
      if( rc!=SQLITE_ROW ){
        mv_mirror_err(m, "%s", zErr ? zErr : "reading the binlog");
        sqlite3_free(zErr);
        return 1;
      }
    }
    if( !posBefore(r->pos, hi) ){
      /* the next pass's; hi is between two transactions */
      if( cp->inTxn ){
        return mv_mirror_err(m, "a transaction spans the high watermark at %s",
                             r->pos);
      }
      cp->pending = r;
      cp->s = *hi;
      break;
    }
    if( r->op==MVS_COMMIT ){
      int i;
      if( cp->inTxn ){
        if( mv_mirror_exec(m, "RELEASE mysql_mirror_txn") ) return 1;
        cp->inTxn = 0;
        for(i=0; i<m->nTab; i++){
          m->aTab[i].nBatch += m->aTab[i].nTxn;
          cp->nUnrecorded += m->aTab[i].nTxn;
          m->aTab[i].nTxn = 0;
        }
        cp->lastTs = r->ts;
      }
      if( posSet(&cp->p, r->next_pos) ){
        return mv_mirror_err(m, "bad position %s in the stream", r->next_pos);
      }
      if( posCmp(&cp->s, &cp->p)<0 ) cp->s = cp->p;
      if( r->gtid ){
        sqlite3_free(cp->zGtid);
        if( (cp->zGtid = sqlite3_mprintf("%s", r->gtid))==0 ) return mv_mirror_err(m, "out of memory");
      }
      if( mv_mirror_gtid_commit(m, r->gtid) ) return 1;
      if( mv_chunk_maybe_commit(cp) ) return 1;
      continue;
    }
    if( r->op==MVS_DDL ){
      if( copyDdl(cp, r) ) return 1;
      continue;
    }
    if( r->table==0 ) continue;
    t = mv_mirror_find(m, r->db, r->n_db, r->tbl, r->n_tbl);
    if( t==0 ) continue;
    if( copyRow(cp, (int)(t - m->aTab), r) ) return 1;
  }
  return 0;
}
