/*
** mirror_alter.c — an ALTER TABLE of a mirrored table followed in place:
** the statement's column operations (pure/altercols.c) applied to the
** recorded columns, each one checked to keep every stored value exactly
** as a fresh copy would have it, and the local table rebuilt with the new
** columns, its rows carried over, in the call's transaction. Anything
** that cannot be shown exact is left to a fresh copy (mirror_ddl.c):
**
**   DROP COLUMN, RENAME COLUMN        exact (not of a key column)
**   ADD COLUMN                        rows get NULL (a nullable column
**                                     without DEFAULT, DEFAULT NULL), an
**                                     integer DEFAULT, a printable-ASCII
**                                     string DEFAULT of a text column, or
**                                     the implicit 0 / '' of a NOT NULL
**                                     integer / text column
**   TRUNCATE                          exact: every local row deleted
**   CHANGE, MODIFY (and FIRST/AFTER)  the same type, or one that keeps
**                                     every value (mva_type_exact), in the
**                                     same charset; not of a key column;
**                                     NOT NULL only where no row is NULL
**
** All of it needs the source's types recorded (mtable.azType, the state's
** source_types): a table without them is copied afresh, which records them.
** The next table map of the table is checked against the new columns
** (mv_mirror_table_map with t->verify); a mismatch makes mirror.c copy the
** table afresh after all.
*/
#include "mirror.h"
#include "pure/altercols.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One column of the table being worked out. */
typedef struct acol {
  char *zName;
  int kind;                 /* MV_SQ_* */
  char *zType, *zCs;        /* source type and charset (NULL if not known) */
  int iOld;                 /* its column in the old table, -1 new */
  int valType;              /* new: SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT */
  sqlite3_int64 iVal;
  const char *zVal;         /* (points into the parsed statement) */
} acol;

typedef struct alterer {
  mirror *m;
  mtable *t;
  acol *a;
  int n;
  char zWhy[200];           /* why not in place (for the debug log) */
} alterer;

static int notExact(alterer *w, const char *zFmt, const char *zArg){
  sqlite3_snprintf(sizeof w->zWhy, w->zWhy, zFmt, zArg ? zArg : "");
  return 3;
}

/* The column named z (MySQL's names are case-insensitive), or -1. A name
** with non-ASCII bytes matches only as the same bytes. */
static int findCol(alterer *w, const char *z){
  int i;
  for(i=0; i<w->n; i++){
    if( sqlite3_stricmp(w->a[i].zName, z)==0 ){
      const unsigned char *u;
      for(u=(const unsigned char*)z; *u && *u<0x80; u++){}
      if( *u==0 || strcmp(w->a[i].zName, z)==0 ) return i;
    }
  }
  return -1;
}

static int isKey(alterer *w, int iOld){
  int k;
  for(k=0; iOld>=0 && k<w->t->nPk; k++) if( w->t->aPk[k]==iOld ) return 1;
  return 0;
}

/* Insert c at position pos of the list. */
static int insertAt(alterer *w, int pos, const acol *c){
  acol *a = sqlite3_realloc64(w->a, sizeof(acol)*(size_t)(w->n+1));
  if( a==0 ) return mv_mirror_err(w->m, "out of memory");
  w->a = a;
  memmove(&a[pos+1], &a[pos], sizeof(acol)*(size_t)(w->n - pos));
  a[pos] = *c;
  w->n++;
  return 0;
}

/* Where FIRST / AFTER puts a column (the list without it): its index, or
** -1 when AFTER names no column. */
static int placeOf(alterer *w, const mva_op *o, int iDefault){
  int j;
  if( o->pos==MVA_POS_FIRST ) return 0;
  if( o->pos!=MVA_POS_AFTER ) return iDefault;
  j = findCol(w, o->zAfter);
  return j<0 ? -1 : j + 1;
}

/* The type of a definition: its SQLite class into *pKind; 3 when the
** mirror does not make such a column the same way from a statement. */
static int defKind(alterer *w, const mva_coldef *d, int *pKind){
  mv_coltype ct;
  if( strcmp(d->zBase, "json")==0 ){
    /* MariaDB makes it a LONGTEXT with a check the snapshot reader learns */
    return notExact(w, "a JSON column", 0);
  }
  if( mv_type_from_name(d->zBase, d->zType, 0, &ct) ) return notExact(w, "type %s", d->zType);
  *pKind = ct.sq;
  return 0;
}

/* The value rows get for an added column c (definition d), or 3. */
static int addedValue(alterer *w, const mva_coldef *d, acol *c){
  int isInt = mva_type_is_integer(d->zType);
  int isText = mva_type_is_text(d->zType) && strcmp(d->zBase, "enum")!=0
            && strcmp(d->zBase, "set")!=0;
  c->valType = SQLITE_NULL;
  switch( d->defKind ){
    case MVA_DEF_NULL:
      return 0;
    case MVA_DEF_NONE:
      if( !d->notNull ){
        /* MariaDB may make a TIMESTAMP without NULL NOT NULL with a
        ** default of the current time */
        if( strcmp(d->zBase, "timestamp")==0 && !d->isNull ){
          return notExact(w, "a TIMESTAMP column without NULL", 0);
        }
        return 0;
      }
      if( isInt ){ c->valType = SQLITE_INTEGER; c->iVal = 0; return 0; }
      if( isText ){ c->valType = SQLITE_TEXT; c->zVal = ""; return 0; }
      return notExact(w, "a NOT NULL %s column without DEFAULT", d->zBase);
    case MVA_DEF_INT: {
      char *zEnd = 0;
      long long v;
      if( !isInt ) return notExact(w, "an integer DEFAULT of a %s column", d->zBase);
      errno = 0;
      v = strtoll(d->zDefault, &zEnd, 10);
      if( errno || *zEnd ) return notExact(w, "DEFAULT %s", d->zDefault);
      c->valType = SQLITE_INTEGER;
      c->iVal = v;
      return 0;
    }
    case MVA_DEF_STR: {
      const unsigned char *u = (const unsigned char*)d->zDefault;
      size_t n = strlen(d->zDefault);
      if( !isText ) return notExact(w, "a string DEFAULT of a %s column", d->zBase);
      /* printable ASCII is the same characters in every charset */
      for(; *u; u++) if( *u<0x20 || *u>0x7e ) return notExact(w, "DEFAULT '%s'", d->zDefault);
      if( strcmp(d->zBase, "char")==0 && n>0 && d->zDefault[n-1]==' ' ){
        return notExact(w, "a CHAR DEFAULT with trailing spaces", 0);
      }
      c->valType = SQLITE_TEXT;
      c->zVal = d->zDefault;
      return 0;
    }
  }
  return notExact(w, "a DEFAULT that is no literal", 0);
}

/* Does the local column iOld hold a NULL? -1 on error. */
static int hasNull(alterer *w, int iOld){
  sqlite3_stmt *p = 0;
  int r;
  char *z = sqlite3_mprintf("SELECT 1 FROM main.\"%w\" WHERE \"%w\" IS NULL"
                            " LIMIT 1", w->t->zLocal, w->t->azCol[iOld]);
  if( z==0 ){ mv_mirror_err(w->m, "out of memory"); return -1; }
  if( sqlite3_prepare_v2(w->m->db, z, -1, &p, 0)!=SQLITE_OK ){
    sqlite3_free(z);
    mv_mirror_err(w->m, "%s", sqlite3_errmsg(w->m->db));
    return -1;
  }
  sqlite3_free(z);
  r = sqlite3_step(p)==SQLITE_ROW;
  sqlite3_finalize(p);
  return r;
}

/* One operation on the list: 0, 1 error, 3 not exact. */
static int applyOp(alterer *w, const mva_alter *pa, const mva_op *o){
  mtable *t = w->t;
  acol c;
  int i = o->op==MVA_ADD ? -1 : findCol(w, o->zName), j, rc;
  memset(&c, 0, sizeof c);
  if( o->op!=MVA_ADD && i<0 ){
    if( o->ifExists ) return 0;
    return notExact(w, "no column %s", o->zName);
  }
  if( i>=0 && isKey(w, w->a[i].iOld) ) return notExact(w, "key column %s", o->zName);
  switch( o->op ){
    case MVA_ADD:
      if( findCol(w, o->zName)>=0 ){
        return o->ifExists ? 0 : notExact(w, "column %s exists", o->zName);
      }
      c.zName = o->zName;
      c.iOld = -1;
      if( (rc = defKind(w, &o->def, &c.kind))!=0 || (rc = addedValue(w, &o->def, &c))!=0 ) return rc;
      c.zType = o->def.zType;
      c.zCs = !mva_type_is_text(o->def.zType) ? 0
            : o->def.zCharset ? o->def.zCharset : pa->zTableCharset ? 0 : t->zTblCs;
      if( (j = placeOf(w, o, w->n))<0 ) return notExact(w, "no column %s", o->zAfter);
      return insertAt(w, j, &c);
    case MVA_DROP:
      if( w->n==1 ) return notExact(w, "the last column", 0);
      memmove(&w->a[i], &w->a[i+1], sizeof(acol)*(size_t)(w->n - i - 1));
      w->n--;
      return 0;
    case MVA_RENAME:
      j = findCol(w, o->zNew);
      if( j>=0 && j!=i ) return notExact(w, "column %s exists", o->zNew);
      w->a[i].zName = o->zNew;
      return 0;
    default: {
      /* CHANGE, MODIFY: the values must stay as they are */
      const char *zNew = o->op==MVA_CHANGE ? o->zNew : o->zName;
      const char *zCs;
      if( w->a[i].kind==MV_SQ_JSON ) return notExact(w, "a JSON column", 0);
      j = findCol(w, zNew);
      if( j>=0 && j!=i ) return notExact(w, "column %s exists", zNew);
      c = w->a[i];
      if( (rc = defKind(w, &o->def, &c.kind))!=0 ) return rc;
      zCs = !mva_type_is_text(o->def.zType) ? 0
          : o->def.zCharset ? o->def.zCharset : pa->zTableCharset ? 0 : t->zTblCs;
      if( !mva_type_exact(w->a[i].zType, w->a[i].zCs, o->def.zType, zCs) ){
        return notExact(w, "a type change that may change values (%s)", o->def.zType);
      }
      if( o->def.notNull && c.iOld>=0 ){
        int h = hasNull(w, c.iOld);
        if( h<0 ) return 1;
        if( h ) return notExact(w, "NOT NULL on a column with NULLs", 0);
      }
      c.zName = (char*)zNew;
      c.zType = o->def.zType;
      c.zCs = (char*)zCs;
      memmove(&w->a[i], &w->a[i+1], sizeof(acol)*(size_t)(w->n - i - 1));
      w->n--;
      if( (j = placeOf(w, o, i))<0 ) return notExact(w, "no column %s", o->zAfter);
      return insertAt(w, j, &c);
    }
  }
}

/* Is a name the operations touch (old or new) touched twice? MySQL reads
** some of a statement's names in the table before it and some in the
** table being made; such a statement is left to a fresh copy. */
static int namesTwice(const mva_alter *pa){
  int i, j;
  for(i=0; i<pa->nOp; i++){
    const mva_op *a = &pa->aOp[i];
    for(j=0; j<pa->nOp; j++){
      const mva_op *b = &pa->aOp[j];
      if( i!=j && (sqlite3_stricmp(a->zName, b->zName)==0
                   || (b->zNew && sqlite3_stricmp(a->zName, b->zNew)==0)) ) return 1;
      if( a->zAfter && b->op!=MVA_ADD && (sqlite3_stricmp(a->zAfter, b->zName)==0
                   || (b->zNew && sqlite3_stricmp(a->zAfter, b->zNew)==0)) ) return 1;
    }
  }
  return 0;
}

/* The local table made again with w's columns, the rows carried over:
** 0, 1 error, 2 SQLite cannot drop it now (another statement reads). */
static int rebuild(alterer *w){
  mirror *m = w->m;
  mtable *t = w->t;
  sqlite3_str *s;
  sqlite3_stmt *p = 0;
  char *z, **azOld = t->azCol;
  int i, rc, nOldCol = t->nCol, nPar = 0;
  int *aOldPk = t->aPk, nOldPk = t->nPk;

  z = sqlite3_mprintf("DROP TABLE IF EXISTS temp.mysql_mirror_alter;"
                      " CREATE TEMP TABLE mysql_mirror_alter AS SELECT * FROM"
                      " main.\"%w\"", t->zLocal);
  if( z==0 ) return mv_mirror_err(m, "out of memory");
  rc = mv_mirror_exec(m, z);
  sqlite3_free(z);
  if( rc ) return 1;
  z = sqlite3_mprintf("DROP TABLE main.\"%w\"", t->zLocal);
  if( z==0 ) return mv_mirror_err(m, "out of memory");
  rc = sqlite3_exec(m->db, z, 0, 0, 0);
  sqlite3_free(z);
  if( rc==SQLITE_LOCKED ){
    sqlite3_exec(m->db, "DROP TABLE temp.mysql_mirror_alter", 0, 0, 0);
    return 2;
  }
  if( rc ) return mv_mirror_err(m, "altering %s: %s", t->zLocal, sqlite3_errmsg(m->db));

  /* the new columns into t (the old names kept until the copy is made) */
  s = sqlite3_str_new(m->db);
  sqlite3_str_appendf(s, "INSERT INTO main.\"%w\" SELECT ", t->zLocal);
  for(i=0; i<w->n; i++){
    if( i ) sqlite3_str_appendall(s, ", ");
    if( w->a[i].iOld>=0 ) sqlite3_str_appendf(s, "\"%w\"", azOld[w->a[i].iOld]);
    else sqlite3_str_appendf(s, "?%d", ++nPar);
  }
  sqlite3_str_appendall(s, " FROM temp.mysql_mirror_alter");
  t->azCol = 0;
  t->aPk = 0;
  t->nPk = 0;
  {
    /* t's columns, types and statements anew */
    char **azType = t->azType, **azCs = t->azCs;
    char *zTblCs = t->zTblCs;
    t->azType = t->azCs = 0;
    t->zTblCs = 0;
    sqlite3_free(t->aKind);
    t->aKind = 0;
    t->nCol = 0;
    sqlite3_finalize(t->pUpsert); sqlite3_finalize(t->pDelete);
    t->pUpsert = t->pDelete = 0;
    sqlite3_free(t->aMap);
    t->aMap = 0;
    t->tMap = 0;
    t->mapGen = 0;
    for(i=0; i<w->n && m->zErr==0; i++){
      if( mv_mirror_table_add_col(m, t, w->a[i].zName, w->a[i].kind) ) break;
      mv_mirror_table_set_type(m, t, i, w->a[i].zType, w->a[i].zCs);
    }
    t->hasTypes = m->zErr==0;
    t->zTblCs = zTblCs;
    for(i=0; i<nOldPk && m->zErr==0; i++){
      int k;
      for(k=0; k<w->n && w->a[k].iOld!=aOldPk[i]; k++){}
      if( k<w->n ) mv_mirror_table_add_pk(m, t, w->a[k].zName);
    }
    for(i=0; azType && i<nOldCol; i++){ sqlite3_free(azType[i]); sqlite3_free(azCs[i]); }
    sqlite3_free(azType);
    sqlite3_free(azCs);
  }
  z = sqlite3_str_finish(s);
  if( m->zErr==0 && z==0 ) mv_mirror_err(m, "out of memory");
  if( m->zErr==0 && t->nPk!=nOldPk ) mv_mirror_err(m, "altering %s: its key", t->zLocal);
  if( m->zErr==0 ) mv_mirror_table_create(m, t);
  if( m->zErr==0 && sqlite3_prepare_v2(m->db, z, -1, &p, 0)!=SQLITE_OK ){
    mv_mirror_err(m, "altering %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  for(i=0, nPar=0; m->zErr==0 && i<w->n; i++){
    acol *c = &w->a[i];
    if( c->iOld>=0 ) continue;
    nPar++;
    if( c->valType==SQLITE_INTEGER ) sqlite3_bind_int64(p, nPar, c->iVal);
    else if( c->valType==SQLITE_TEXT ) sqlite3_bind_text(p, nPar, c->zVal, -1, SQLITE_STATIC);
  }
  if( m->zErr==0 && sqlite3_step(p)!=SQLITE_DONE ){
    mv_mirror_err(m, "altering %s: %s", t->zLocal, sqlite3_errmsg(m->db));
  }
  sqlite3_finalize(p);
  sqlite3_free(z);
  for(i=0; i<nOldCol; i++) sqlite3_free(azOld[i]);
  sqlite3_free(azOld);
  sqlite3_free(aOldPk);
  if( m->zErr==0 ) mv_mirror_exec(m, "DROP TABLE temp.mysql_mirror_alter");
  return m->zErr!=0;
}

int mv_mirror_table_alter(mirror *m, mtable *t, const char *zSql,
                          const char *zDdlDb){
  mva_alter pa;
  alterer w;
  int i, rc;
  memset(&w, 0, sizeof w);
  w.m = m;
  w.t = t;
  rc = mva_parse(zSql, strlen(zSql), &pa, w.zWhy, sizeof w.zWhy);
  if( rc==2 ){ mva_free(&pa); return mv_mirror_err(m, "out of memory"); }
  if( rc==1 ) rc = 3;               /* not followable: a fresh copy */
  /* the statement must be about t itself */
  if( rc==0 && (strcmp(pa.zTbl, t->zTbl)!=0
      || strcmp(pa.zDb ? pa.zDb : zDdlDb ? zDdlDb : "", t->zDb)!=0) ){
    rc = notExact(&w, "another table", 0);
  }
  if( rc==0 && pa.truncate ){
    /* every row gone, the columns as they were: the same locally */
    char *zDel = sqlite3_mprintf("DELETE FROM main.\"%w\"", t->zLocal);
    rc = zDel ? mv_mirror_exec(m, zDel) : mv_mirror_err(m, "out of memory");
    sqlite3_free(zDel);
    mva_free(&pa);
    return rc;
  }
  if( rc==0 && namesTwice(&pa) ) rc = notExact(&w, "a column named twice", 0);
  /* without the source's types neither a type change can be shown exact
  ** nor the rows written before the statement decoded as the table had
  ** them (mv_mirror_map_info): a fresh copy records them */
  if( rc==0 && pa.nOp>0 && !t->hasTypes ){
    rc = notExact(&w, "the source's types are not recorded", 0);
  }
  if( rc==0 ){
    w.a = sqlite3_malloc64(sizeof(acol)*(size_t)(t->nCol ? t->nCol : 1));
    if( w.a==0 ) rc = mv_mirror_err(m, "out of memory");
    for(i=0; rc==0 && i<t->nCol; i++){
      memset(&w.a[i], 0, sizeof(acol));
      w.a[i].zName = t->azCol[i];
      w.a[i].kind = t->aKind[i];
      w.a[i].zType = t->azType ? t->azType[i] : 0;
      w.a[i].zCs = t->azCs ? t->azCs[i] : 0;
      w.a[i].iOld = i;
    }
    w.n = t->nCol;
  }
  for(i=0; rc==0 && i<pa.nOp; i++) rc = applyOp(&w, &pa, &pa.aOp[i]);
  if( rc==0 && pa.nOp>0 ){
    if( (rc = rebuild(&w))==0 ){
      if( pa.zTableCharset ){
        sqlite3_free(t->zTblCs);
        t->zTblCs = sqlite3_mprintf("%s", pa.zTableCharset);
        if( t->zTblCs==0 ) rc = mv_mirror_err(m, "out of memory");
      }
      /* checked at the next row image */
      t->verify = 1;
      if( rc==0 ) rc = mv_mirror_state_columns(m, t);
    }
  }else if( rc==0 && pa.zTableCharset ){
    sqlite3_free(t->zTblCs);
    t->zTblCs = sqlite3_mprintf("%s", pa.zTableCharset);
    if( t->zTblCs==0 ) rc = mv_mirror_err(m, "out of memory");
    if( rc==0 ) rc = mv_mirror_state_columns(m, t);
  }
  sqlite3_free(w.a);
  mva_free(&pa);
  return rc;
}
