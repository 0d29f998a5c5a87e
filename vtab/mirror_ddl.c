/*
** mirror_ddl.c — schema changes followed by mysql_mirror's later calls:
** which DDL statements concern a table of the set, a table copied afresh
** from a snapshot of its own (and the rows before it skipped), a RENAME
** followed, a new table joining the set.
*/
#include "mirror.h"

#include <string.h>

/* Is zPos ("file:offset") before zFile:off? */
int mv_mirror_pos_before(const char *zPos, const char *zFile, uint64_t off){
  char zF[MVS_NAME_MAX];
  uint64_t o;
  int c;
  if( zPos==0 || mvs_parse_pos(zPos, zF, sizeof zF, &o) ) return 0;
  c = mvs_compare_files(zF, zFile);
  return c<0 || (c==0 && o<off);
}

/* Is the event at zPos before t's re-snapshot (so that its rows are in
** the copy)? */
int mv_mirror_before_resync(mtable *t, const char *zPos){
  return t->hasSkip && mv_mirror_pos_before(zPos, t->zSkipFile, t->skipOff);
}

/* Copy t afresh from a snapshot of its own, at position P: the local table
** is made again with the columns the source has now, and t's rows before
** P are skipped from here on (they are in the copy); the other tables go
** on unaffected. isNew: t joins the set (a CREATE TABLE matching its
** pattern; one a mirror cannot follow, without a primary key or not
** InnoDB, stays out). A source that no longer exists leaves the set: its
** local table is dropped with it. */
int mv_mirror_table_resync(mirror *m, mtable *t, int isNew){
  const char *zDsn = mv_dsn_text(m->zDsnArg);
  char *zPos = 0, *zSql;
  sqlite3_int64 n;
  sqlite3_stmt *p = 0;
  mv_mirror_table_forget_columns(t);
  if( mv_mirror_table_load_source(m, t, zDsn) ){
    if( !t->gone && !isNew ) return 1;
    /* gone; or new and not one a mirror can follow (no primary key, not
    ** InnoDB): it stays out of the set */
    sqlite3_free(m->zErr);
    m->zErr = 0;
    t->gone = 1;
    if( isNew ) return 0;
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"; DELETE FROM"
        " main.mysql_mirror_state WHERE local_tbl=%Q", t->zLocal, t->zLocal);
    if( zSql==0 ) return mv_mirror_err(m, "out of memory");
    n = mv_mirror_exec(m, zSql);
    sqlite3_free(zSql);
    return (int)n;
  }
  if( isNew ){
    if( !mv_mirror_local_free(m, t->zLocal) ) return 1;
  }else{
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"", t->zLocal);
    if( zSql==0 ) return mv_mirror_err(m, "out of memory");
    n = sqlite3_exec(m->db, zSql, 0, 0, 0);
    sqlite3_free(zSql);
    /* SQLite drops no table while another statement reads, as the one
    ** calling mysql_mirror does in SELECT mysql_mirror(...) FROM t */
    if( n==SQLITE_LOCKED ) return 2;
    if( n ) return mv_mirror_err(m, "dropping %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  if( mv_mirror_table_create(m, t) ) return 1;
  n = mv_mirror_snapshot(m, &t, 1, zDsn, &zPos, 0);
  if( n<0 ) return 1;
  if( isNew ){
    mv_mirror_table_insert_state(m, t, zPos);
  }
  if( m->zErr==0 ) mv_mirror_state_columns(m, t);
  if( m->zErr==0 && sqlite3_prepare_v2(m->db,
      "UPDATE main.mysql_mirror_state SET snapshot_pos=?1, resync_pos=?1,"
      " applied=applied+?2 WHERE local_tbl=?3", -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, zPos, -1, SQLITE_STATIC);
    sqlite3_bind_int64(p, 2, isNew ? 0 : t->nBatch);
    sqlite3_bind_text(p, 3, t->zLocal, -1, SQLITE_STATIC);
    if( sqlite3_step(p)!=SQLITE_DONE ) mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }else if( m->zErr==0 ){
    mv_mirror_err(m, "recording %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  t->nBatch = 0;
  t->hasSkip = mvs_parse_pos(zPos, t->zSkipFile, sizeof t->zSkipFile,
                             &t->skipOff)==0;
  m->nResync++;
  sqlite3_free(zPos);
  return m->zErr!=0;
}

/* A table of the set renamed to zNewDb.zNewTbl in MySQL: with a template
** set whose tables the new name still belongs to (setNames), the local
** table is renamed as the template says; else the table leaves the set
** with its local copy. 0, 2 when SQLite cannot (another statement reads),
** or 1 on error. */
static int setNames(mirror *m, const char *zDb, const char *zTbl);
int mv_mirror_table_rename(mirror *m, mtable *t, const char *zNewDb,
                           const char *zNewTbl){
  char *zSql = 0, *zLocal = 0;
  int rc, keep = strchr(m->zLocal ? m->zLocal : "", '%')!=0
              && setNames(m, zNewDb, zNewTbl);
  if( keep ){
    zLocal = mv_mirror_expand_local(m->zLocal, zNewTbl);
    if( zLocal==0 ) return mv_mirror_err(m, "out of memory");
    if( strcmp(zLocal, t->zLocal)!=0 && !mv_mirror_local_free(m, zLocal) ){
      sqlite3_free(zLocal);
      return 1;
    }
    zSql = sqlite3_mprintf("ALTER TABLE main.\"%w\" RENAME TO \"%w\";"
        " UPDATE main.mysql_mirror_state SET local_tbl=%Q, src=%Q||'.'||%Q"
        " WHERE local_tbl=%Q", t->zLocal, zLocal, zLocal, zNewDb, zNewTbl,
        t->zLocal);
  }else{
    zSql = sqlite3_mprintf("DROP TABLE main.\"%w\"; DELETE FROM"
        " main.mysql_mirror_state WHERE local_tbl=%Q", t->zLocal, t->zLocal);
  }
  if( zSql==0 ){ sqlite3_free(zLocal); return mv_mirror_err(m, "out of memory"); }
  rc = sqlite3_exec(m->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if( rc==SQLITE_LOCKED ){ sqlite3_free(zLocal); return 2; }
  if( rc ){
    sqlite3_free(zLocal);
    return mv_mirror_err(m, "following the rename of %s: %s", t->zLocal,
                         sqlite3_errmsg(m->db));
  }
  if( !keep ){
    t->gone = 1;
    return 0;
  }
  sqlite3_free(t->zLocal);
  sqlite3_free(t->zDb);
  sqlite3_free(t->zTbl);
  t->zLocal = zLocal;
  t->zDb = sqlite3_mprintf("%s", zNewDb);
  t->zTbl = sqlite3_mprintf("%s", zNewTbl);
  m->pLast = 0;
  if( t->zDb==0 || t->zTbl==0 ) return mv_mirror_err(m, "out of memory");
  /* the statements name the local table */
  sqlite3_finalize(t->pUpsert); sqlite3_finalize(t->pDelete);
  sqlite3_free(t->aMap);
  t->pUpsert = t->pDelete = 0;
  t->aMap = 0;
  t->tMap = 0;
  return mv_mirror_table_prepare(m, t);
}

/* A table new to MySQL (created, or renamed from a name out of the set)
** that the set names joins it: copied from a snapshot of its own. */
int mv_mirror_table_join(mirror *m, const char *zDb, const char *zTbl){
  mtable *t;
  if( mv_mirror_find(m, zDb, strlen(zDb), zTbl, strlen(zTbl)) || !setNames(m, zDb, zTbl) ){
    return 0;
  }
  if( (t = mv_mirror_add_table(m))==0 ) return 1;
  t->zDb = sqlite3_mprintf("%s", zDb);
  t->zTbl = sqlite3_mprintf("%s", zTbl);
  t->zLocal = mv_mirror_expand_local(m->zLocal, zTbl);
  if( t->zDb==0 || t->zTbl==0 || t->zLocal==0 ) return mv_mirror_err(m, "out of memory");
  return mv_mirror_table_resync(m, t, 1);
}

/* Does the name match a table pattern in which only % is a wildcard? */
static int likeMatch(const char *zPat, const char *z){
  if( *zPat==0 ) return *z==0;
  if( *zPat=='%' ){
    for(;; z++){
      if( likeMatch(zPat+1, z) ) return 1;
      if( *z==0 ) return 0;
    }
  }
  return *z==*zPat && likeMatch(zPat+1, z+1);
}

/* Does a new table zDb.zTbl belong to the set (its src names it by a
** db.% pattern, or by name)? */
static int setNames(mirror *m, const char *zDb, const char *zTbl){
  mv_tblname *aName = 0;
  int nName = 0, i, yes = 0;
  char *zErr = 0;
  if( m->zSrc==0 || strchr(m->zLocal ? m->zLocal : "", '%')==0 ) return 0;
  if( mv_tblarg_parse("mysql_mirror", m->zSrc, &aName, &nName, &zErr) ){
    sqlite3_free(zErr);
    return 0;
  }
  for(i=0; i<nName && !yes; i++){
    /* a name without its schema was the DSN's: the set's tables show it */
    const char *zNameDb = aName[i].zDb ? aName[i].zDb
                        : (m->nTab ? m->aTab[0].zDb : "");
    if( strcmp(zNameDb, zDb)!=0 ) continue;
    yes = aName[i].isPattern ? likeMatch(aName[i].zTbl, zTbl)
                             : strcmp(aName[i].zTbl, zTbl)==0;
  }
  mv_tblarg_free(aName, nName);
  return yes;
}

/* Can c be part of an unquoted MySQL identifier? */
static int isWordChar(char c){
  unsigned char u = (unsigned char)c;
  return u=='_' || u=='$' || (u>='a' && u<='z') || (u>='A' && u<='Z')
      || (u>='0' && u<='9') || u>=0x80;
}

/* Does the DDL statement zSql (in schema zDdlDb, about table zDdlTbl if
** the decoder knew it) concern table t? */
int mv_mirror_ddl_hits(mtable *t, const char *zDdlDb, const char *zDdlTbl,
                       const char *zSql){
  const char *z, *zVerb;
  size_t n = strlen(t->zTbl);
  if( zSql==0 ) zSql = "";
  for(zVerb=zSql; *zVerb==' ' || *zVerb=='\t' || *zVerb=='\n'; zVerb++){}
  /* The whole schema dropped. */
  if( (sqlite3_strnicmp(zVerb, "DROP DATABASE", 13)==0
       || sqlite3_strnicmp(zVerb, "DROP SCHEMA", 11)==0)
   && zDdlDb && strcmp(zDdlDb, t->zDb)==0 ){
    return 1;
  }
  /* Statements that change no table (ANALYZE, GRANT, CREATE VIEW, ...)
  ** have no target */
  if( zDdlTbl==0 || zDdlTbl[0]==0 ) return 0;
  if( strcmp(zDdlTbl, t->zTbl)==0
   && (zDdlDb==0 || zDdlDb[0]==0 || strcmp(zDdlDb, t->zDb)==0) ) return 1;
  /* Statements that name several tables: the decoder reports one. */
  if( sqlite3_strnicmp(zVerb, "RENAME", 6)!=0
   && sqlite3_strnicmp(zVerb, "DROP", 4)!=0 ) return 0;
  /* The others: look for the name as a word of the statement. */
  for(z=zSql; (z = strstr(z, t->zTbl))!=0; z++){
    char before = z==zSql ? ' ' : z[-1];
    if( !isWordChar(before) && !isWordChar(z[n]) ) return 1;
  }
  return 0;
}

/* After a table was copied afresh: is a copy's position past zAt (the
** stream's)? Then 1, with the furthest such position in zHoldFile:*pOff
** (already holding: only a further one replaces it). */
int mv_mirror_hold_for(mirror *m, const char *zAt, char *zHoldFile,
                       uint64_t *pOff, int holding){
  int i, found = 0;
  for(i=0; i<m->nTab; i++){
    mtable *h = &m->aTab[i];
    if( !h->hasSkip || h->gone || !mv_mirror_pos_before(zAt, h->zSkipFile, h->skipOff) ) continue;
    if( (holding || found) && !mv_mirror_pos_before(zHoldFile, h->zSkipFile, h->skipOff) ) continue;
    memcpy(zHoldFile, h->zSkipFile, MVS_NAME_MAX);
    *pOff = h->skipOff;
    found = 1;
  }
  return found;
}
