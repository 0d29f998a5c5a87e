/*
** mirror_pass.c — the binlog between a chunk's watermarks, for
** mirror_chunk.c (step 4 of its header): each row change applied or
** skipped by where its key falls, copied, in the chunk or not yet copied,
** in MySQL's order (text keys compared by the server, in their collation);
** the MySQL transactions applied whole; a schema change of a table being
** copied starting its copy again.
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
  sqlite3_stmt *p = 0;
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
  tc->inFlight = 0;
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
  if( sqlite3_prepare_v2(m->db, "UPDATE main.mysql_mirror_state SET columns=?1,"
        " pk=?2, source_types=?4 WHERE local_tbl=?3", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, mv_mirror_table_columns_json(t, 0), -1, sqlite3_free);
  sqlite3_bind_text(p, 2, mv_mirror_table_columns_json(t, 1), -1, sqlite3_free);
  sqlite3_bind_text(p, 3, t->zLocal, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 4, mv_mirror_table_types_json(t), -1, sqlite3_free);
  if( sqlite3_step(p)!=SQLITE_DONE ) mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  sqlite3_finalize(p);
  return m->zErr!=0;
}

/* A DDL row: the tables it concerns are copied again (step "schema
** change" of the header); a new table the set names joins it. */
static int copyDdl(copier *cp, const mvs_row *r){
  mirror *m = cp->m;
  char *zDb = r->db ? sqlite3_mprintf("%.*s", (int)r->n_db, r->db) : 0;
  char *zTbl = r->tbl ? sqlite3_mprintf("%.*s", (int)r->n_tbl, r->tbl) : 0;
  char *zSql = sqlite3_mprintf("%.*s", (int)r->n_sql, r->sql ? r->sql : "");
  int kind = mvs_ddl_kind(r->sql ? r->sql : "", r->n_sql), i, rc = 0;
  if( zSql==0 ) rc = mv_mirror_err(m, "out of memory");
  for(i=0; rc==0 && kind!=MVS_DDL_INDEX && i<m->nTab; i++){
    mtable *t = &m->aTab[i];
    if( t->gone || mv_mirror_before_resync(t, r->pos) ) continue;
    if( !mv_mirror_ddl_hits(t, zDb, zTbl, zSql) ) continue;
    if( cp->aT[i].done ){
      rc = mv_mirror_table_resync(m, t, 0);
      if( rc==2 ){
        rc = mv_mirror_err(m, "%s.%s changed at %s: %s; SQLite cannot make %s"
            " again while another statement of this connection reads (the one"
            " calling mysql_mirror reads a table): run SELECT mysql_mirror(...)"
            " alone once", t->zDb, t->zTbl, r->pos, zSql, t->zLocal);
      }
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
        char *zP = posText(&cp->p);
        if( zP==0 ) return mv_mirror_err(m, "out of memory");
        cp->checked = 0;
        cp->f = mv_feed_open(m->db, m->ctx, zP, cp->zDsnArg, copyWants, 0, cp, &zErr);
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
        ** the end is read again too) */
        bpos w;
        int got = mv_feed_where(cp->f, w.zFile, sizeof w.zFile, &w.off);
        int reached = got && !cp->inTxn && posCmp(&w, hi)>=0;
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
