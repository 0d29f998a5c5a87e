/*
** mirror_copy.c — the first copy's choices and its state, for
** mirror_chunk.c: the options argument, which tables are copied in chunks
** (copy=auto: the big ones whose keys the copy can order), what their keys
** are made of, and the copy columns of mysql_mirror_state (created, read
** back by a call that goes on with a copy, written with every commit).
*/
#include "mirror_chunk.h"
#include "changes.h"
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* "copy=auto|chunked|snapshot chunk_rows=N", space-separated; NULL or ""
** for the defaults. */
int mv_chunk_options(mirror *m, const char *zOpts){
  const char *z = zOpts ? zOpts : "";
  m->copyMethod = MV_COPY_AUTO;
  m->chunkRows = CHUNK_DEFAULT_ROWS;
  while( *z ){
    const char *zKey, *zEq, *zVal;
    size_t nKey, nVal;
    while( *z==' ' || *z=='\t' || *z==',' ) z++;
    if( *z==0 ) break;
    zKey = z;
    while( *z && *z!=' ' && *z!='\t' && *z!=',' ) z++;
    zEq = memchr(zKey, '=', (size_t)(z - zKey));
    if( zEq==0 ){
      return mv_mirror_err(m, "bad option '%.*s' (argument 4): options are"
                           " copy=auto|chunked|snapshot and chunk_rows=N",
                           (int)(z - zKey), zKey);
    }
    nKey = (size_t)(zEq - zKey);
    zVal = zEq + 1;
    nVal = (size_t)(z - zVal);
    if( nKey==4 && memcmp(zKey, "copy", 4)==0 ){
      if( nVal==4 && memcmp(zVal, "auto", 4)==0 ) m->copyMethod = MV_COPY_AUTO;
      else if( nVal==7 && memcmp(zVal, "chunked", 7)==0 ) m->copyMethod = MV_COPY_CHUNKED;
      else if( nVal==8 && memcmp(zVal, "snapshot", 8)==0 ) m->copyMethod = MV_COPY_SNAPSHOT;
      else{
        return mv_mirror_err(m, "bad option 'copy=%.*s' (argument 4): copy is"
                             " auto, chunked or snapshot", (int)nVal, zVal);
      }
    }else if( nKey==10 && memcmp(zKey, "chunk_rows", 10)==0 ){
      char *zE = 0, zNum[24];
      long long v = 0;
      if( nVal>0 && nVal<sizeof zNum ){
        memcpy(zNum, zVal, nVal);
        zNum[nVal] = 0;
        v = strtoll(zNum, &zE, 10);
      }
      if( zE==0 || *zE || v<1 || v>10000000 ){
        return mv_mirror_err(m, "bad option 'chunk_rows=%.*s' (argument 4):"
                             " a number of rows from 1 to 10000000",
                             (int)nVal, zVal);
      }
      m->chunkRows = v;
    }else{
      return mv_mirror_err(m, "bad option '%.*s' (argument 4): options are"
                           " copy=auto|chunked|snapshot and chunk_rows=N",
                           (int)(z - zKey), zKey);
    }
  }
  return 0;
}

/* ---- the state: mysql_mirror_state's copy columns ---- */

int mv_chunk_state_setup(mirror *m){
  static const char *azCol[] = {
    "copy TEXT", "copy_rows INTEGER", "copy_estimate INTEGER",
    "copy_rate INTEGER", "copy_eta_s INTEGER", "copy_key TEXT",
    "copy_chunk TEXT", "copy_done TEXT"
  };
  sqlite3_stmt *p = 0;
  int have[8] = {0}, i, rc = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT name FROM"
        " pragma_table_info('mysql_mirror_state', 'main')", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "%s", sqlite3_errmsg(m->db));
  }
  while( sqlite3_step(p)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(p, 0);
    for(i=0; z && i<8; i++){
      size_t n = strcspn(azCol[i], " ");
      if( strlen(z)==n && memcmp(z, azCol[i], n)==0 ) have[i] = 1;
    }
  }
  sqlite3_finalize(p);
  for(i=0; i<8 && rc==0; i++){
    if( !have[i] ){
      char *zSql = sqlite3_mprintf("ALTER TABLE main.mysql_mirror_state ADD"
                                   " COLUMN %s", azCol[i]);
      rc = zSql ? mv_mirror_exec(m, zSql) : mv_mirror_err(m, "out of memory");
      sqlite3_free(zSql);
    }
  }
  return rc;
}

/* Is a chunked copy of the set unfinished? */
int mv_chunk_pending(mirror *m){
  sqlite3_stmt *p = 0;
  int yes = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT 1 FROM main.mysql_mirror_state WHERE"
        " set_name=?1 AND copy='chunked' AND copy_done IS NULL", -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
    yes = sqlite3_step(p)==SQLITE_ROW;
  }
  sqlite3_finalize(p);
  return yes;
}

static void ctabKeyFree(ctab *tc){
  int i;
  for(i=0; i<tc->nKey; i++){
    if( tc->azCs ) sqlite3_free(tc->azCs[i]);
    if( tc->azColl ) sqlite3_free(tc->azColl[i]);
    if( tc->apCmp && tc->apCmp[i] ) mysql_stmt_close(tc->apCmp[i]);
  }
  sqlite3_free(tc->aCls); sqlite3_free(tc->azCs);
  sqlite3_free(tc->azColl); sqlite3_free(tc->apCmp);
  tc->aCls = 0; tc->azCs = tc->azColl = 0; tc->apCmp = 0;
  tc->nKey = 0;
}
void mv_chunk_ctab_free(ctab *tc){
  ctabKeyFree(tc);
  mv_key_free(&tc->last);
  mv_key_free(&tc->end);
  sqlite3_free(tc->zKey);
  sqlite3_free(tc->zChunkEnd);
  sqlite3_free(tc->zSeen);
  memset(tc, 0, sizeof *tc);
}

/* Is z a plain name (a charset or collation, for SQL text)? */
static int plainName(const char *z){
  if( z==0 || *z==0 ) return 0;
  for(; *z; z++){
    if( !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || (*z>='0' && *z<='9')
          || *z=='_') ) return 0;
  }
  return 1;
}

/* t's key columns from the server: their classes and, for text, their
** charset and collation, into tc. 0; 2 when the copy cannot follow the
** key's order (*pzWhy says why); 1 on error (m->zErr); 3 when the server
** has no such table (m->zErr says t changed). */
int mv_chunk_key_info(mirror *m, mv_conn *c, mtable *t, ctab *tc, char **pzWhy){
  static const char zWhat[] = "reading the key's columns";
  char *zErr = 0, *zSql = 0, *zDbLit = mv_literal(c->mysql, t->zDb);
  char *zTblLit = mv_literal(c->mysql, t->zTbl);
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  int i, rc = 1, nFound = 0;
  *pzWhy = 0;
  ctabKeyFree(tc);
  if( t->nPk>CHUNK_KEY_MAX ){
    *pzWhy = sqlite3_mprintf("%s.%s: a key of %d columns", t->zDb, t->zTbl, t->nPk);
    rc = 2;
    goto done;
  }
  tc->nKey = t->nPk;
  tc->aCls = sqlite3_malloc64(sizeof(mv_keyclass)*(size_t)t->nPk);
  tc->azCs = sqlite3_malloc64(sizeof(char*)*(size_t)t->nPk);
  tc->azColl = sqlite3_malloc64(sizeof(char*)*(size_t)t->nPk);
  tc->apCmp = sqlite3_malloc64(sizeof(MYSQL_STMT*)*(size_t)t->nPk);
  if( !zDbLit || !zTblLit || !tc->aCls || !tc->azCs || !tc->azColl || !tc->apCmp ){
    mv_mirror_err(m, "out of memory");
    goto done;
  }
  for(i=0; i<t->nPk; i++){
    tc->aCls[i] = MVK_NONE;
    tc->azCs[i] = tc->azColl[i] = 0;
    tc->apCmp[i] = 0;
  }
  /* a key on a column's prefix orders by the prefix only */
  zSql = sqlite3_mprintf("SELECT COLUMN_NAME FROM information_schema.STATISTICS"
      " WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s AND INDEX_NAME='PRIMARY' AND"
      " SUB_PART IS NOT NULL", zDbLit, zTblLit);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  res = mv_query_as(m->ctx, c, zSql, 0, zWhat, &zErr);
  if( zErr ) goto done;
  if( res && (row = mysql_fetch_row(res))!=0 ){
    *pzWhy = sqlite3_mprintf("%s.%s: its primary key holds a prefix of column"
                             " %s", t->zDb, t->zTbl, row[0] ? row[0] : "");
    rc = 2;
    goto done;
  }
  if( res ){ mysql_free_result(res); res = 0; }
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE,"
      " CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
      " WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s", zDbLit, zTblLit);
  if( zSql==0 ){ mv_mirror_err(m, "out of memory"); goto done; }
  if( (res = mv_query(m->ctx, c, zSql, zWhat, &zErr))==0 ) goto done;
  while( (row = mysql_fetch_row(res))!=0 ){
    for(i=0; i<t->nPk; i++){
      const char *zWhy = 0;
      if( row[0]==0 || strcmp(row[0], t->azCol[t->aPk[i]])!=0 ) continue;
      nFound++;
      tc->aCls[i] = mv_key_class(row[1], row[2], &zWhy);
      if( tc->aCls[i]==MVK_NONE ){
        *pzWhy = sqlite3_mprintf("%s.%s: key column %s: %s", t->zDb, t->zTbl,
                                 row[0], zWhy);
        rc = 2;
        goto done;
      }
      if( tc->aCls[i]==MVK_TEXT ){
        if( !plainName(row[3]) || !plainName(row[4]) ){
          *pzWhy = sqlite3_mprintf("%s.%s: key column %s: no collation known",
                                   t->zDb, t->zTbl, row[0]);
          rc = 2;
          goto done;
        }
        tc->azCs[i] = sqlite3_mprintf("%s", row[3]);
        tc->azColl[i] = sqlite3_mprintf("%s", row[4]);
        if( !tc->azCs[i] || !tc->azColl[i] ){ mv_mirror_err(m, "out of memory"); goto done; }
      }
    }
  }
  if( nFound!=t->nPk ){
    mv_mirror_err(m, "%s.%s changed while its key was read; call mysql_mirror"
                     " again", t->zDb, t->zTbl);
    if( mysql_num_rows(res)==0 ) rc = 3;
    goto done;
  }
  rc = 0;
done:
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
  if( res ) mysql_free_result(res);
  if( rc==2 && *pzWhy==0 ){ mv_mirror_err(m, "out of memory"); rc = 1; }
  sqlite3_free(zSql);
  sqlite3_free(zDbLit);
  sqlite3_free(zTblLit);
  return rc;
}

/* Can the server give chunked watermarks? MariaDB always; MySQL with
** gtid_mode=ON. NULL, or why not (sqlite3_malloc'd). */
char *mv_chunk_watermark_problem(mirror *m, mv_conn *c){
  char *zErr = 0, *zWhy = 0;
  MYSQL_RES *res;
  MYSQL_ROW row;
  if( mv_is_mariadb(c->mysql) ) return 0;
  res = mv_query(m->ctx, c, "SELECT @@GLOBAL.gtid_mode", "gtid_mode", &zErr);
  row = res ? mysql_fetch_row(res) : 0;
  if( row==0 || row[0]==0 || sqlite3_stricmp(row[0], "ON")!=0 ){
    zWhy = sqlite3_mprintf("on MySQL a chunked copy needs gtid_mode=ON (it is"
                           " %s): its watermarks wait for the GTIDs in flight",
                           row && row[0] ? row[0] : "unknown");
  }
  if( res ) mysql_free_result(res);
  sqlite3_free(zErr);
  return zWhy;
}

/* Which of the set's tables are copied in chunks (a[i] 1, sqlite3_malloc'd;
** NULL on error), as copy= says: auto chunks tables the server estimates
** above MV_CHUNK_AUTO_ROWS rows whose key it can order; chunked chunks
** every table, or fails with the reason one cannot be. */
int *mv_chunk_plan(mirror *m, const char *zDsn){
  mv_conn *c;
  char *zErr = 0, *zNo = 0;
  int i, *aChunked = sqlite3_malloc64(sizeof(int)*(size_t)(m->nTab + 1));
  if( aChunked==0 ) return 0;
  for(i=0; i<m->nTab; i++) aChunked[i] = 0;
  if( m->copyMethod==MV_COPY_SNAPSHOT ) return aChunked;
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    sqlite3_free(aChunked);
    return 0;
  }
  if( !mv_is_mariadb(c->mysql) ){
    /* MySQL caches the statistics; the estimate is read fresh */
    mv_exec(m->ctx, c, "SET SESSION information_schema_stats_expiry=0", &zErr);
    sqlite3_free(zErr);
    zErr = 0;
  }
  zNo = mv_chunk_watermark_problem(m, c);
  for(i=0; i<m->nTab && m->zErr==0; i++){
    mtable *t = &m->aTab[i];
    ctab tc;
    char *zWhy = 0;
    int rc;
    if( m->copyMethod==MV_COPY_AUTO && mv_table_rows_estimate(m->ctx, c, t->zDb, t->zTbl)<=MV_CHUNK_AUTO_ROWS ){
      continue;
    }
    if( zNo ){
      if( m->copyMethod==MV_COPY_CHUNKED ) mv_mirror_err(m, "%s", zNo);
      continue;
    }
    memset(&tc, 0, sizeof tc);
    rc = mv_chunk_key_info(m, c, t, &tc, &zWhy);
    mv_chunk_ctab_free(&tc);
    if( rc==0 ){
      aChunked[i] = 1;
    }else if( rc==2 && m->copyMethod==MV_COPY_CHUNKED ){
      mv_mirror_err(m, "%s: it cannot be copied in chunks (copy=snapshot copies"
                       " it in one transaction)", zWhy);
    }
    sqlite3_free(zWhy);
  }
  sqlite3_free(zNo);
  mv_conn_release(m->ctx, c);
  if( m->zErr ){
    sqlite3_free(aChunked);
    return 0;
  }
  return aChunked;
}

/* The position a set whose tables are all chunked starts from, with its
** GTID position and server (*pIds, zeroed by the caller): a consistent
** snapshot's, taken and ended at once. On MariaDB that is the end of the
** last transaction committed (SHOW MASTER STATUS may name a place after
** events of no transaction, where no snapshot's position ever comes: the
** first chunk's must not be before this); on MySQL the bracket's position
** (the first chunk waits for what is in flight then). */
char *mv_chunk_start_pos(mirror *m, const char *zDsn, mv_snap_ids *pIds){
  char *zErr = 0, *zPos = 0;
  int inTxn = 0;
  mv_conn *c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c && mv_snap_begin(m->ctx, c, 1, &zPos, pIds, &inTxn, &zErr)==0
   && mv_exec(m->ctx, c, "COMMIT", &zErr)==0 ){
    inTxn = 0;
    mv_exec(m->ctx, c, "SET character_set_results=utf8mb4", &zErr);
  }
  if( zErr ){ mv_mirror_err(m, "%s", zErr); sqlite3_free(zErr); }
  else if( zPos==0 ) mv_mirror_err(m, "the server gives no binlog position for a snapshot (is log_bin on?)");
  if( c ) mv_conn_put(m->ctx, c, !inTxn && m->zErr==0);
  if( m->zErr ){ sqlite3_free(zPos); return 0; }
  return zPos;
}

/* The copy state of the tables into mysql_mirror_state (with the data,
** before a commit). */
static int stateWrite(copier *cp){
  mirror *m = cp->m;
  sqlite3_stmt *p = 0;
  mv_buf b;
  int i, rc;
  sqlite3_int64 now = mv_chunk_now_ms();
  rc = sqlite3_prepare_v2(m->db, "UPDATE main.mysql_mirror_state SET"
      " copy_rows=?1, copy_estimate=?2, copy_rate=?3, copy_eta_s=?4,"
      " copy_key=?5, copy_chunk=?6, copy_done=CASE WHEN ?7 THEN"
      " coalesce(copy_done, strftime('%Y-%m-%d %H:%M:%S', 'now')) END"
      " WHERE local_tbl=?8", -1, &p, 0);
  if( rc ) return mv_mirror_err(m, "recording the copy: %s", sqlite3_errmsg(m->db));
  mv_buf_init(&b);
  for(i=0; i<cp->nT && rc==SQLITE_OK; i++){
    ctab *tc = &cp->aT[i];
    mtable *t = &m->aTab[i];
    sqlite3_int64 rate = -1;
    if( !tc->chunked || t->gone ) continue;
    sqlite3_bind_int64(p, 1, tc->rows);
    if( tc->estimate>=0 ) sqlite3_bind_int64(p, 2, tc->estimate);
    if( !tc->done && now>tc->t0 && tc->rows>tc->rows0 ){
      rate = (tc->rows - tc->rows0)*1000/(now - tc->t0);
      sqlite3_bind_int64(p, 3, rate);
      if( rate>0 && tc->estimate>=0 ){
        sqlite3_bind_int64(p, 4, tc->estimate>tc->rows ? (tc->estimate - tc->rows)/rate : 0);
      }
    }else if( tc->done ){
      sqlite3_bind_int64(p, 4, 0);
    }
    if( tc->last.n ){
      mv_buf_reset(&b);
      mv_key_json(&b, &tc->last);
      sqlite3_bind_text(p, 5, mv_buf_cstr(&b), (int)b.n, SQLITE_TRANSIENT);
    }
    if( tc->inFlight ){
      char *zLo = posText(&tc->lo), *zHi = posText(&tc->hi);
      mv_buf_reset(&b);
      mv_buf_str(&b, "{\"end\":");
      if( tc->end.n ) mv_key_json(&b, &tc->end);
      else mv_buf_str(&b, "null");
      mv_buf_str(&b, ",\"lo\":");
      mv_json_string(&b, zLo ? zLo : "", zLo ? strlen(zLo) : 0);
      mv_buf_str(&b, ",\"hi\":");
      mv_json_string(&b, zHi ? zHi : "", zHi ? strlen(zHi) : 0);
      if( tc->zSeen ){
        /* (a state from before this key: none; a failover copies the
        ** table again) */
        mv_buf_str(&b, ",\"gtid\":");
        mv_json_string(&b, tc->zSeen, strlen(tc->zSeen));
      }
      mv_buf_char(&b, '}');
      if( zLo==0 || zHi==0 ) b.oom = 1;
      sqlite3_free(zLo);
      sqlite3_free(zHi);
      sqlite3_bind_text(p, 6, mv_buf_cstr(&b), (int)b.n, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int(p, 7, tc->done);
    sqlite3_bind_text(p, 8, t->zLocal, -1, SQLITE_STATIC);
    if( b.oom ){ rc = SQLITE_NOMEM; break; }
    rc = sqlite3_step(p)==SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(p);
    sqlite3_clear_bindings(p);
  }
  mv_buf_free(&b);
  sqlite3_finalize(p);
  if( rc ){
    return mv_mirror_err(m, "recording the copy: %s", rc==SQLITE_NOMEM
                         ? "out of memory" : sqlite3_errmsg(m->db));
  }
  return 0;
}

/* Commit what was applied with the position P and the copy state (outside
** a user transaction; inside one, record only: the user's COMMIT does). */
int mv_chunk_commit(copier *cp){
  mirror *m = cp->m;
  char *zP = posText(&cp->p);
  int rc;
  if( zP==0 ) return mv_mirror_err(m, "out of memory");
  rc = stateWrite(cp);
  if( rc==0 && m->autocommit ){
    rc = mv_mirror_commit_batch(m, zP, cp->zGtid, cp->lastTs,
                                &cp->nUnrecorded, &cp->nApplied);
  }else if( rc==0 ){
    rc = mv_mirror_record(m, zP, cp->zGtid, cp->lastTs, cp->nUnrecorded, -1);
    cp->nApplied += cp->nUnrecorded;
    cp->nUnrecorded = 0;
  }
  sqlite3_free(zP);
  cp->tCommit = mv_chunk_now_ms();
  return rc;
}
int mv_chunk_maybe_commit(copier *cp){
  sqlite3_int64 ms = cp->m->pFollow ? cp->m->pFollow->batchMs : CHUNK_COMMIT_MS;
  if( cp->inTxn || cp->byGtid || !cp->m->autocommit
   || mv_chunk_now_ms() - cp->tCommit<ms ){
    return 0;
  }
  return mv_chunk_commit(cp);
}

/* The copy state of the set's tables from mysql_mirror_state. */
int mv_chunk_state_load(copier *cp){
  mirror *m = cp->m;
  sqlite3_stmt *p = 0;
  int i;
  if( mv_chunk_sync_tabs(cp) ) return 1;
  if( sqlite3_prepare_v2(m->db, "SELECT local_tbl, copy='chunked',"
        " copy_done IS NOT NULL, copy_rows, copy_key,"
        " json_extract(copy_chunk, '$.end'), json_extract(copy_chunk, '$.lo'),"
        " json_extract(copy_chunk, '$.hi'), copy_chunk IS NOT NULL,"
        " json_extract(copy_chunk, '$.gtid')"
        " FROM main.mysql_mirror_state WHERE set_name=?1", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "%s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
  while( sqlite3_step(p)==SQLITE_ROW ){
    const char *zLocal = (const char*)sqlite3_column_text(p, 0);
    ctab *tc = 0;
    for(i=0; zLocal && i<m->nTab; i++){
      if( strcmp(m->aTab[i].zLocal, zLocal)==0 ) tc = &cp->aT[i];
    }
    if( tc==0 ) continue;
    tc->chunked = sqlite3_column_int(p, 1);
    tc->done = !tc->chunked || sqlite3_column_int(p, 2);
    tc->rows = sqlite3_column_int64(p, 3);
    if( sqlite3_column_type(p, 4)!=SQLITE_NULL ){
      tc->zKey = sqlite3_mprintf("%s", sqlite3_column_text(p, 4));
    }
    if( sqlite3_column_int(p, 8) ){
      tc->inFlight = 1;
      if( sqlite3_column_type(p, 5)!=SQLITE_NULL ){
        tc->zChunkEnd = sqlite3_mprintf("%s", sqlite3_column_text(p, 5));
      }
      if( sqlite3_column_type(p, 9)==SQLITE_TEXT ){
        tc->zSeen = sqlite3_mprintf("%s", sqlite3_column_text(p, 9));
      }
      if( posSet(&tc->lo, (const char*)sqlite3_column_text(p, 6))
       || posSet(&tc->hi, (const char*)sqlite3_column_text(p, 7)) ){
        mv_mirror_err(m, "bad copy_chunk in mysql_mirror_state for %s", zLocal);
        break;
      }
    }
  }
  sqlite3_finalize(p);
  return m->zErr!=0;
}

/* After the first call made the set and its state rows: mark how each
** table is copied (aChunked[i]) and copy the chunked ones. Returns their
** rows (and the changes applied meanwhile), or -1. */
sqlite3_int64 mv_chunk_first(mirror *m, const char *zDsnArg,
                             const int *aChunked, const char *zPos){
  sqlite3_stmt *p = 0;
  int i, nChunked = 0;
  if( sqlite3_prepare_v2(m->db, "UPDATE main.mysql_mirror_state SET copy=?1,"
        " copy_rows=CASE WHEN ?2 THEN 0 ELSE applied END,"
        " copy_done=CASE WHEN ?2 THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%S', 'now') END"
        " WHERE local_tbl=?3", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "recording the copy: %s", sqlite3_errmsg(m->db)), -1;
  }
  for(i=0; i<m->nTab && m->zErr==0; i++){
    sqlite3_bind_text(p, 1, aChunked[i] ? "chunked" : "snapshot", -1, SQLITE_STATIC);
    sqlite3_bind_int(p, 2, aChunked[i]);
    sqlite3_bind_text(p, 3, m->aTab[i].zLocal, -1, SQLITE_STATIC);
    if( sqlite3_step(p)!=SQLITE_DONE ) mv_mirror_err(m, "recording the copy: %s", sqlite3_errmsg(m->db));
    sqlite3_reset(p);
    nChunked += aChunked[i];
  }
  sqlite3_finalize(p);
  if( m->zErr ) return -1;
  return nChunked ? mv_chunk_copy_first(m, zDsnArg, zPos) : 0;
}
