/*
** mirror_state.c — mysql_mirror's state tables in the main database
** (mysql_mirror_sets, mysql_mirror_state; README "Keep a local
** replica"): created, migrated from the one-table mirror's, read back into
** a set, and written with the data at each commit.
*/
#include "mirror.h"

#include <string.h>

/* Which of two columns main.zTable has (*pHas1, *pHas2); 0 when there is
** no such table. -1 on error. */
static int tableHas(mirror *m, const char *zTable, const char *zCol1,
                    int *pHas1, const char *zCol2, int *pHas2){
  sqlite3_stmt *p = 0;
  int exists = 0;
  *pHas1 = *pHas2 = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT name FROM pragma_table_info(?1, 'main')",
                         -1, &p, 0)!=SQLITE_OK ){
    mv_mirror_err(m, "%s", sqlite3_errmsg(m->db));
    return -1;
  }
  sqlite3_bind_text(p, 1, zTable, -1, SQLITE_STATIC);
  while( sqlite3_step(p)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(p, 0);
    exists = 1;
    if( z && strcmp(z, zCol1)==0 ) *pHas1 = 1;
    if( z && strcmp(z, zCol2)==0 ) *pHas2 = 1;
  }
  sqlite3_finalize(p);
  return exists;
}

/* Create the state tables, or migrate the one-table mirror's and those of
** versions before a column. */
int mv_mirror_state_setup(mirror *m){
  int hasState, hasSetName, hasResync, hasSets, hasGtidPos, hasServer;
  int hasTypes, hasSrc;
  if( (hasState = tableHas(m, "mysql_mirror_state", "set_name", &hasSetName,
                           "resync_pos", &hasResync))<0
   || (hasSets = tableHas(m, "mysql_mirror_sets", "gtid_pos", &hasGtidPos,
                          "server_id", &hasServer))<0 ){
    return 1;
  }
  if( mv_mirror_exec(m,
      "CREATE TABLE IF NOT EXISTS main.mysql_mirror_sets("
      "name TEXT PRIMARY KEY, src TEXT NOT NULL, local TEXT NOT NULL,"
      " pos TEXT NOT NULL, gtid TEXT, snapshot_pos TEXT,"
      " applied INTEGER NOT NULL DEFAULT 0, last_ts INTEGER, lag_s INTEGER,"
      " updated TEXT, gtid_pos TEXT, server_id INTEGER)") ) return 1;
  /* sets made before the GTID position was kept: none known (the next
  ** call finds one where it can) */
  if( hasSets && !hasGtidPos && mv_mirror_exec(m,
      "ALTER TABLE main.mysql_mirror_sets ADD COLUMN gtid_pos TEXT") ){
    return 1;
  }
  if( hasSets && !hasServer && mv_mirror_exec(m,
      "ALTER TABLE main.mysql_mirror_sets ADD COLUMN server_id INTEGER") ){
    return 1;
  }
  if( !hasState ){
    return mv_mirror_exec(m,
      "CREATE TABLE main.mysql_mirror_state("
      "local_tbl TEXT PRIMARY KEY, src TEXT NOT NULL, pos TEXT NOT NULL,"
      " snapshot_pos TEXT, columns TEXT NOT NULL, pk TEXT NOT NULL,"
      " applied INTEGER NOT NULL DEFAULT 0, updated TEXT, set_name TEXT,"
      " resync_pos TEXT, source_types TEXT)");
  }
  /* state made before the source's types were kept: none known */
  if( tableHas(m, "mysql_mirror_state", "source_types", &hasTypes, "src",
               &hasSrc)<0 ) return 1;
  if( !hasTypes && mv_mirror_exec(m,
      "ALTER TABLE main.mysql_mirror_state ADD COLUMN source_types TEXT") ){
    return 1;
  }
  if( !hasResync && mv_mirror_exec(m,
      "ALTER TABLE main.mysql_mirror_state ADD COLUMN resync_pos TEXT") ){
    return 1;
  }
  if( hasSetName ) return 0;
  /* The one-table mirror's state: each mirror becomes a set of its own. */
  return mv_mirror_exec(m,
      "ALTER TABLE main.mysql_mirror_state ADD COLUMN set_name TEXT;"
      "UPDATE main.mysql_mirror_state SET set_name=local_tbl;"
      "INSERT OR IGNORE INTO main.mysql_mirror_sets(name, src, local, pos,"
      " snapshot_pos, applied, updated) SELECT local_tbl, src, local_tbl, pos,"
      " snapshot_pos, applied, updated FROM main.mysql_mirror_state");
}

/* Load the set's tables from the state (columns as recorded at the
** snapshot) and prepare them. */
int mv_mirror_load_state(mirror *m){
  sqlite3_stmt *p = 0, *pCol = 0, *pPk = 0;
  int rc = sqlite3_prepare_v2(m->db,
      "SELECT local_tbl, src, columns, pk,"
      " EXISTS(SELECT 1 FROM main.sqlite_schema WHERE type='table'"
      "        AND name=local_tbl), resync_pos, source_types"
      " FROM main.mysql_mirror_state WHERE set_name=?1 ORDER BY rowid", -1, &p, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db, "SELECT json_extract(value, '$[0]'),"
        " json_extract(value, '$[1]') FROM json_each(?1)", -1, &pCol, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db, "SELECT value FROM json_each(?1)", -1, &pPk, 0);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_finalize(p);
    sqlite3_finalize(pCol);
    return mv_mirror_err(m, "%s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, m->zSet, -1, SQLITE_STATIC);
  while( m->zErr==0 && sqlite3_step(p)==SQLITE_ROW ){
    const char *zLocal = (const char*)sqlite3_column_text(p, 0);
    const char *zSrc = (const char*)sqlite3_column_text(p, 1);
    const char *zDot = zSrc ? strchr(zSrc, '.') : 0;
    mtable *t;
    if( sqlite3_column_int(p, 4)==0 ){
      mv_mirror_err(m, "the mirror table %s is gone; DELETE FROM mysql_mirror_state"
                       " WHERE local_tbl='%q' to start over", zLocal, zLocal);
      break;
    }
    if( zDot==0 ){ mv_mirror_err(m, "bad src '%s' in mysql_mirror_state", zSrc); break; }
    if( (t = mv_mirror_add_table(m))==0 ) break;
    t->zLocal = sqlite3_mprintf("%s", zLocal);
    t->zDb = sqlite3_mprintf("%.*s", (int)(zDot - zSrc), zSrc);
    t->zTbl = sqlite3_mprintf("%s", zDot + 1);
    if( t->zLocal==0 || t->zDb==0 || t->zTbl==0 ){ mv_mirror_err(m, "out of memory"); break; }
    sqlite3_bind_text(pCol, 1, (const char*)sqlite3_column_text(p, 2), -1, SQLITE_TRANSIENT);
    while( sqlite3_step(pCol)==SQLITE_ROW ){
      const char *zName = (const char*)sqlite3_column_text(pCol, 0);
      int k = mv_sq_from_name((const char*)sqlite3_column_text(pCol, 1));
      if( zName==0 || k<0 ){ mv_mirror_err(m, "bad columns in mysql_mirror_state for %s", zLocal); break; }
      if( mv_mirror_table_add_col(m, t, zName, k) ) break;
    }
    sqlite3_reset(pCol);
    if( m->zErr ) break;
    sqlite3_bind_text(pPk, 1, (const char*)sqlite3_column_text(p, 3), -1, SQLITE_TRANSIENT);
    while( sqlite3_step(pPk)==SQLITE_ROW ){
      if( mv_mirror_table_add_pk(m, t, (const char*)sqlite3_column_text(pPk, 0)) ) break;
    }
    sqlite3_reset(pPk);
    if( m->zErr ) break;
    if( t->nCol==0 || t->nPk==0 ){
      mv_mirror_err(m, "bad columns in mysql_mirror_state for %s", zLocal);
      break;
    }
    if( sqlite3_column_type(p, 5)!=SQLITE_NULL ){
      t->hasSkip = mvs_parse_pos((const char*)sqlite3_column_text(p, 5),
                                 t->zSkipFile, sizeof t->zSkipFile,
                                 &t->skipOff)==0;
    }
    if( mv_mirror_table_load_types(m, t, (const char*)sqlite3_column_text(p, 6)) ) break;
    mv_mirror_table_prepare(m, t);
  }
  sqlite3_finalize(p);
  sqlite3_finalize(pCol);
  sqlite3_finalize(pPk);
  if( m->zErr==0 && m->nTab==0 ) mv_mirror_err(m, "set %s has no tables", m->zSet);
  return m->zErr!=0;
}

/* Record the position of the last applied commit (the set and each of
** its tables), with the changes since the last record; the set's GTID
** position and the server pos belongs to as m has them (mirror_resume.c:
** NULL where unknown). */
int mv_mirror_record(mirror *m, const char *zPos, const char *zGtid,
                     sqlite3_int64 lastTs, sqlite3_int64 nApplied,
                     sqlite3_int64 lagS){
  sqlite3_stmt *p = 0;
  int i, rc = sqlite3_prepare_v2(m->db,
      "UPDATE main.mysql_mirror_sets SET pos=?1, gtid=coalesce(?2, gtid),"
      " applied=applied+?3, last_ts=coalesce(?4, last_ts),"
      " lag_s=coalesce(?5, lag_s),"
      " updated=CASE WHEN ?3>0 THEN strftime('%Y-%m-%d %H:%M:%S', 'now')"
      " ELSE updated END, gtid_pos=?7, server_id=?8 WHERE name=?6", -1, &p, 0);
  if( rc==SQLITE_OK && mv_mirror_bind_ids(m, p, 7, 8) ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(p, 1, zPos, -1, SQLITE_STATIC);
    if( zGtid && zGtid[0] ) sqlite3_bind_text(p, 2, zGtid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 3, nApplied);
    if( lastTs>0 ) sqlite3_bind_int64(p, 4, lastTs);
    if( lagS>=0 ) sqlite3_bind_int64(p, 5, lagS);
    sqlite3_bind_text(p, 6, m->zSet, -1, SQLITE_STATIC);
    rc = sqlite3_step(p)==SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(p);
  p = 0;
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(m->db,
        "UPDATE main.mysql_mirror_state SET pos=?1, applied=applied+?2,"
        " updated=CASE WHEN ?2>0 THEN strftime('%Y-%m-%d %H:%M:%S', 'now')"
        " ELSE updated END, source_types=CASE WHEN ?4 THEN"
        " json_remove(source_types, '$.check') ELSE source_types END"
        " WHERE local_tbl=?3", -1, &p, 0);
  }
  for(i=0; rc==SQLITE_OK && i<m->nTab; i++){
    sqlite3_bind_text(p, 1, zPos, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 2, m->aTab[i].nBatch);
    sqlite3_bind_text(p, 3, m->aTab[i].zLocal, -1, SQLITE_STATIC);
    /* an ALTER followed in place, checked against a row image since */
    sqlite3_bind_int(p, 4, m->aTab[i].verified);
    rc = sqlite3_step(p)==SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(p);
    m->aTab[i].nBatch = 0;
    m->aTab[i].verified = 0;
  }
  sqlite3_finalize(p);
  if( rc!=SQLITE_OK ) return mv_mirror_err(m, "recording the position: %s", sqlite3_errmsg(m->db));
  return 0;
}

/* t's row in the state table, at position zPos (snapshot and resume). */
int mv_mirror_table_insert_state(mirror *m, mtable *t, const char *zPos){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(m->db,
      "INSERT INTO main.mysql_mirror_state(local_tbl, src, pos, snapshot_pos,"
      " columns, pk, applied, updated, set_name, source_types) VALUES(?1, ?2,"
      " ?3, ?3, ?4, ?5, ?6, strftime('%Y-%m-%d %H:%M:%S', 'now'), ?7, ?8)",
      -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "recording the state: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, t->zLocal, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 2, sqlite3_mprintf("%s.%s", t->zDb, t->zTbl), -1, sqlite3_free);
  sqlite3_bind_text(p, 3, zPos, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 4, mv_mirror_table_columns_json(t, 0), -1, sqlite3_free);
  sqlite3_bind_text(p, 5, mv_mirror_table_columns_json(t, 1), -1, sqlite3_free);
  sqlite3_bind_int64(p, 6, t->nBatch);
  sqlite3_bind_text(p, 7, m->zSet, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 8, mv_mirror_table_types_json(t), -1, sqlite3_free);
  if( sqlite3_step(p)!=SQLITE_DONE ){
    mv_mirror_err(m, "recording the state: %s", sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  t->nBatch = 0;
  return m->zErr!=0;
}

/* Is a local name free (no table, not another set's)? */
int mv_mirror_local_free(mirror *m, const char *zLocal){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(m->db, "SELECT (SELECT set_name FROM"
        " main.mysql_mirror_state WHERE local_tbl=?1),"
        " EXISTS(SELECT 1 FROM main.sqlite_schema WHERE name=?1)", -1, &p, 0) ){
    return mv_mirror_err(m, "%s", sqlite3_errmsg(m->db)), 0;
  }
  sqlite3_bind_text(p, 1, zLocal, -1, SQLITE_STATIC);
  if( sqlite3_step(p)==SQLITE_ROW ){
    if( sqlite3_column_type(p, 0)!=SQLITE_NULL ){
      mv_mirror_err(m, "%s is already mirrored, by the set %s",
                    zLocal, sqlite3_column_text(p, 0));
    }else if( sqlite3_column_int(p, 1) ){
      mv_mirror_err(m, "%s exists and is not a mirror (no row in"
                       " mysql_mirror_state): choose another name or drop it",
                       zLocal);
    }
  }
  sqlite3_finalize(p);
  return m->zErr==0;
}

/* How to start the set anew (after a change it cannot follow, or on a
** server that lacks its GTIDs): drop its tables and its state; the next
** call makes it again. */
char *mv_mirror_rebuild_advice(mirror *m){
  if( m->nTab==1 ){
    return sqlite3_mprintf("To rebuild it: DROP TABLE \"%w\"; DELETE FROM"
        " mysql_mirror_state WHERE local_tbl='%q'; then call mysql_mirror"
        " again", m->aTab[0].zLocal, m->aTab[0].zLocal);
  }
  return sqlite3_mprintf("To rebuild it: drop its tables, DELETE FROM"
      " mysql_mirror_state WHERE set_name='%q'; DELETE FROM mysql_mirror_sets"
      " WHERE name='%q'; then call mysql_mirror again", m->zSet, m->zSet);
}

/* The state's columns, key and types, as t has them now. */
int mv_mirror_state_columns(mirror *m, mtable *t){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(m->db, "UPDATE main.mysql_mirror_state SET columns=?1,"
        " pk=?2, source_types=?3 WHERE local_tbl=?4", -1, &p, 0)!=SQLITE_OK ){
    return mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_bind_text(p, 1, mv_mirror_table_columns_json(t, 0), -1, sqlite3_free);
  sqlite3_bind_text(p, 2, mv_mirror_table_columns_json(t, 1), -1, sqlite3_free);
  sqlite3_bind_text(p, 3, mv_mirror_table_types_json(t), -1, sqlite3_free);
  sqlite3_bind_text(p, 4, t->zLocal, -1, SQLITE_STATIC);
  if( sqlite3_step(p)!=SQLITE_DONE ) mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  sqlite3_finalize(p);
  return m->zErr!=0;
}
