/*
** schema.c — live column information for the binlog decoder (schema.h).
**
** Two queries per table, the first time a cursor sees its table map:
**
**   SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLLATION_NAME
**     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=? AND TABLE_NAME=?
**    ORDER BY ORDINAL_POSITION
**   SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
**    WHERE CONSTRAINT_SCHEMA=? AND TABLE_NAME=?          (MariaDB only)
**
** and information_schema.COLLATIONS once, for the collation ids. A MariaDB
** JSON column is a LONGTEXT with the check json_valid(`col`) (MySQL has a
** real JSON type, and its CHECK_CONSTRAINTS has no TABLE_NAME). The queries
** are plain single-table ones on purpose: MariaDB 10.11.19 crashed on one
** that joined COLUMNS to COLLATIONS and CHECK_CONSTRAINTS in subqueries.
**
** The answer describes the table as it is now, not when the event was
** written. Two guards keep a name off the wrong value:
**   - the table's CREATE_TIME (information_schema.TABLES), which every
**     ALTER TABLE renews (INSTANT ones too): an event older than it was
**     written under another definition, so it keeps "@1", "@2", ...; an
**     event of the same second, or of the second after, is ambiguous,
**     and the cursor reads the log ahead (a second stream, to the end of
**     the second after CREATE_TIME) for a DDL naming the table; only
**     without one are the names applied. The second after, because
**     CREATE_TIME is the .frm file's ctime, stamped by the kernel's coarse
**     clock, which lags the server's clock (the binlog's timestamps) by up
**     to a tick: an ALTER run a few milliseconds after an event, across a
**     second boundary, shows a CREATE_TIME a second before the event's
**     own (test/changes_metadata01.test, reorder_clock);
**   - mvb_table_apply() itself refuses unless the column count and every
**     type family agree with the table map.
** binlog_row_metadata=FULL puts the names into the events themselves, and
** those always win.
*/
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#define SC_MAX_ENTRIES 512

typedef struct sc_entry {
  char *zDb, *zTbl;
  int ncol;                  /* 0: no such table now */
  sqlite3_int64 ctime;       /* CREATE_TIME, Unix seconds; -1 unknown */
  int probed;                /* events of ctime and ctime+1: 0 not asked
                             ** yet, 1 no DDL follows, 2 one may */
  mvb_colinfo *cols;
  char **az;                 /* strings owned by this entry */
  int naz;
  struct sc_entry *next;
} sc_entry;

struct mv_schema {
  mv_ctx *ctx;
  char *zDsn;
  sc_entry *list;
  int nEntry;
  int nLookup;
  mv_ddl_probe xProbe;
  void *pProbeArg;
  char **azColl;             /* collation names and ids */
  int *aiColl;
  int nColl;
};

static void entryFree(sc_entry *e){
  int i;
  for(i=0; i<e->naz; i++) sqlite3_free(e->az[i]);
  sqlite3_free(e->az);
  sqlite3_free(e->cols);
  sqlite3_free(e->zDb);
  sqlite3_free(e->zTbl);
  sqlite3_free(e);
}

mv_schema *mv_schema_new(mv_ctx *ctx, const char *zDsn, mv_ddl_probe xProbe,
                         void *pProbeArg){
  mv_schema *s = sqlite3_malloc(sizeof *s);
  if( s==0 ) return 0;
  memset(s, 0, sizeof *s);
  s->ctx = ctx;
  s->xProbe = xProbe;
  s->pProbeArg = pProbeArg;
  s->zDsn = sqlite3_mprintf("%s", zDsn ? zDsn : "");
  if( s->zDsn==0 ){ sqlite3_free(s); return 0; }
  return s;
}

void mv_schema_reset(mv_schema *s){
  if( s==0 ) return;
  while( s->list ){
    sc_entry *e = s->list;
    s->list = e->next;
    entryFree(e);
  }
  s->nEntry = 0;
}

void mv_schema_free(mv_schema *s){
  int i;
  if( s==0 ) return;
  mv_schema_reset(s);
  for(i=0; i<s->nColl; i++) sqlite3_free(s->azColl[i]);
  sqlite3_free(s->azColl);
  sqlite3_free(s->aiColl);
  sqlite3_free(s->zDsn);
  sqlite3_free(s);
}

int mv_schema_lookups(mv_schema *s){ return s ? s->nLookup : 0; }

/* Keep a copy of z (may be NULL) in e; NULL on out of memory too. */
static const char *keep(sc_entry *e, const char *z){
  char *c;
  if( z==0 ) return 0;
  c = sqlite3_mprintf("%s", z);
  if( c ) e->az[e->naz++] = c;
  return c;
}

/* "json_valid(`name`)" with the backquotes of name doubled. */
static char *quoteCheck(const char *zName){
  sqlite3_str *x = sqlite3_str_new(0);
  sqlite3_str_appendall(x, "json_valid(");
  mv_quote_ident(x, zName);
  sqlite3_str_appendchar(x, 1, ')');
  return sqlite3_str_finish(x);
}

static int isBinaryType(const char *zType){
  static const char *az[] = { "binary", "varbinary", "tinyblob", "blob",
                              "mediumblob", "longblob", 0 };
  int i;
  for(i=0; az[i]; i++) if( sqlite3_stricmp(zType, az[i])==0 ) return 1;
  return 0;
}

/* What a failed information_schema query says it was doing. */
static const char zWhat[] = "reading information_schema";

/* Collation name -> id, learnt once per cache. */
static int loadCollations(mv_schema *s, mv_conn *c, char **pzErr){
  MYSQL_RES *res;
  MYSQL_ROW row;
  int n, i = 0;
  if( s->azColl ) return 0;
  /* MariaDB 10.10+ lists a collation under its full name (the one COLUMNS
  ** gives, as utf16_uca1400_ai_ci) only in the applicability table:
  ** COLLATIONS has just uca1400_ai_ci, with no id. */
  res = 0;
  if( mv_is_mariadb(c->mysql) ){
    char *zIgnored = 0;
    res = mv_query(s->ctx, c, "SELECT FULL_COLLATION_NAME, ID FROM"
                   " information_schema.COLLATION_CHARACTER_SET_APPLICABILITY",
                   zWhat, &zIgnored);
    sqlite3_free(zIgnored);
  }
  if( res==0 ){
    res = mv_query(s->ctx, c, "SELECT COLLATION_NAME, ID FROM"
                   " information_schema.COLLATIONS", zWhat, pzErr);
  }
  if( res==0 ) return 1;
  n = (int)mysql_num_rows(res);
  s->azColl = sqlite3_malloc64(sizeof(char*)*(size_t)(n + 1));
  s->aiColl = sqlite3_malloc64(sizeof(int)*(size_t)(n + 1));
  if( s->azColl==0 || s->aiColl==0 ){
    mysql_free_result(res);
    *pzErr = sqlite3_mprintf("out of memory");
    return 1;
  }
  while( i<n && (row = mysql_fetch_row(res))!=0 ){
    if( row[0]==0 || row[1]==0 ) continue;
    s->azColl[i] = sqlite3_mprintf("%s", row[0]);
    if( s->azColl[i]==0 ) break;
    s->aiColl[i] = atoi(row[1]);
    i++;
  }
  s->nColl = i;
  mysql_free_result(res);
  return 0;
}

static int collationId(mv_schema *s, const char *zName){
  int i;
  for(i=0; i<s->nColl; i++){
    if( strcmp(s->azColl[i], zName)==0 ) return s->aiColl[i];
  }
  return MV_CS_UNKNOWN;
}

/* Read the live columns of db.tbl into a new entry. Plain single-table
** queries: MariaDB 10.11 crashes on some correlated subqueries over
** information_schema tables. */
static sc_entry *lookup(mv_schema *s, const char *zDb, const char *zTbl,
                        char **pzErr){
  mv_conn *c;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  sc_entry *e = 0;
  char *zEdb = 0, *zEtbl = 0, *zSql = 0;
  int isMaria, nRow, i;
  c = mv_conn_get(s->ctx, s->zDsn, pzErr);
  if( c==0 ) return 0;
  isMaria = mv_is_mariadb(c->mysql);
  zEdb = mv_literal(c->mysql, zDb);
  zEtbl = mv_literal(c->mysql, zTbl);
  if( zEdb==0 || zEtbl==0 ) goto oom;
  if( loadCollations(s, c, pzErr) ) goto fail;
  zSql = sqlite3_mprintf(
      "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLLATION_NAME"
      " FROM information_schema.COLUMNS"
      " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s"
      " ORDER BY ORDINAL_POSITION", zEdb, zEtbl);
  if( zSql==0 ) goto oom;
  s->nLookup++;
  res = mv_query(s->ctx, c, zSql, zWhat, pzErr);
  if( res==0 ) goto fail;
  nRow = (int)mysql_num_rows(res);
  e = sqlite3_malloc(sizeof *e);
  if( e==0 ) goto oom;
  memset(e, 0, sizeof *e);
  e->zDb = sqlite3_mprintf("%s", zDb);
  e->zTbl = sqlite3_mprintf("%s", zTbl);
  e->cols = sqlite3_malloc64(sizeof(mvb_colinfo)*(size_t)(nRow ? nRow : 1));
  e->az = sqlite3_malloc64(sizeof(char*)*(size_t)(nRow*3 + 1));
  if( e->zDb==0 || e->zTbl==0 || e->cols==0 || e->az==0 ) goto oom;
  memset(e->cols, 0, sizeof(mvb_colinfo)*(size_t)(nRow ? nRow : 1));
  for(i=0; i<nRow && (row = mysql_fetch_row(res))!=0; i++){
    mvb_colinfo *ci = &e->cols[i];
    ci->name = keep(e, row[0]);
    ci->data_type = keep(e, row[1]);
    ci->column_type = keep(e, row[2]);
    if( (row[0] && !ci->name) || (row[1] && !ci->data_type)
     || (row[2] && !ci->column_type) ){
      goto oom;
    }
    if( row[3] ){
      ci->charset = collationId(s, row[3]);
    }else if( row[1] && isBinaryType(row[1]) ){
      ci->charset = MV_CS_BINARY;
    }else{
      ci->charset = MV_CS_UNKNOWN;
    }
  }
  e->ncol = i;
  e->ctime = -1;
  mysql_free_result(res);
  res = 0;
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT UNIX_TIMESTAMP(CREATE_TIME) FROM"
      " information_schema.TABLES WHERE TABLE_SCHEMA = %s"
      " AND TABLE_NAME = %s", zEdb, zEtbl);
  if( zSql==0 ) goto oom;
  res = mv_query(s->ctx, c, zSql, zWhat, pzErr);
  if( res==0 ) goto fail;
  if( (row = mysql_fetch_row(res))!=0 && row[0] ){
    e->ctime = (sqlite3_int64)strtoll(row[0], 0, 10);
  }
  mysql_free_result(res);
  res = 0;
  if( isMaria && e->ncol>0 ){
    /* MariaDB's JSON: a LONGTEXT with the check json_valid(`col`) */
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT CHECK_CLAUSE FROM"
        " information_schema.CHECK_CONSTRAINTS"
        " WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s", zEdb, zEtbl);
    if( zSql==0 ) goto oom;
    res = mv_query(s->ctx, c, zSql, zWhat, pzErr);
    if( res==0 ) goto fail;
    while( (row = mysql_fetch_row(res))!=0 ){
      for(i=0; row[0] && i<e->ncol; i++){
        char *zWant;
        if( e->cols[i].name==0 ) continue;
        zWant = quoteCheck(e->cols[i].name);
        if( zWant==0 ) goto oom;
        if( strcmp(row[0], zWant)==0 ) e->cols[i].is_json = 1;
        sqlite3_free(zWant);
      }
    }
  }
  goto done;
oom:
  *pzErr = sqlite3_mprintf("out of memory");
fail:
  if( e ){ entryFree(e); e = 0; }
  if( c && *pzErr && res==0 ){ mv_conn_put(s->ctx, c, 0); c = 0; }
done:
  if( res ) mysql_free_result(res);
  if( c ) mv_conn_put(s->ctx, c, 1);
  sqlite3_free(zEdb);
  sqlite3_free(zEtbl);
  sqlite3_free(zSql);
  return e;
}

/* The cached entry of zDb.zTbl, looked up when not cached; NULL on an
** error (*pzErr set). */
static sc_entry *entryFor(mv_schema *s, const char *zDb, const char *zTbl,
                          char **pzErr){
  sc_entry *e;
  for(e=s->list; e; e=e->next){
    if( strcmp(e->zDb, zDb)==0 && strcmp(e->zTbl, zTbl)==0 ) return e;
  }
  if( s->nEntry>=SC_MAX_ENTRIES ) mv_schema_reset(s);
  e = lookup(s, zDb, zTbl, pzErr);
  if( e==0 ) return 0;
  e->next = s->list;
  s->list = e;
  s->nEntry++;
  return e;
}

int mv_schema_columns(mv_schema *s, const char *zDb, const char *zTbl,
                      const mvb_colinfo **paCol, char **pzErr){
  sc_entry *e;
  *pzErr = 0;
  *paCol = 0;
  if( (e = entryFor(s, zDb, zTbl, pzErr))==0 ) return -1;
  *paCol = e->cols;
  return e->ncol;
}

int mv_schema_apply(mv_schema *s, mvb_decoder *d, mvb_table *t, uint32_t ts,
                    char **pzErr){
  sc_entry *e;
  *pzErr = 0;
  if( t==0 || t->db==0 || t->name==0 ) return 1;
  if( (e = entryFor(s, t->db, t->name, pzErr))==0 ) return -1;
  if( e->ncol==0 ) return 1;
  /* Without CREATE_TIME nothing says the table was not altered since the
  ** event: a reorder of same-typed columns would pass the type check. */
  if( e->ctime<0 ) return 1;
  {
    if( (sqlite3_int64)ts<e->ctime ) return 1;      /* altered since */
    if( (sqlite3_int64)ts<=e->ctime+1 ){           /* see the top */
      if( e->probed==0 ){
        int r = s->xProbe ? s->xProbe(s->pProbeArg, t->db, t->name,
                                      (uint32_t)(e->ctime+1), pzErr) : 1;
        if( r<0 ) return -1;
        e->probed = r ? 2 : 1;
      }
      if( e->probed==2 ) return 1;
    }
  }
  return mvb_table_apply(d, t, e->ncol, e->cols) ? 1 : 0;
}
