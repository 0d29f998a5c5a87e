/*
** rowstream.c — events to change rows with the commit/resume rules
** (rowstream.h says what a caller sees). Moved out of changes.c so that
** mysql_changes, mysql_binlog and mysql_mirror share one implementation
** and the unit tests can run it on binlog files.
*/
#include "rowstream.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mvs_stream {
  mvb_decoder *d;
  int opMask;
  void *hookArg;
  mvs_want_fn xWant;
  mvs_table_fn xTable;
  mvs_ddl_fn xDdl;
  int allDdl;                       /* DDL rows not filtered by table */

  /* position */
  char zFile[MVS_NAME_MAX];         /* current binlog file */
  char zEvFile[MVS_NAME_MAX];       /* the file of the current event */
  uint64_t evPos, evNext;           /* the current outer event */
  int havePos;                      /* an event with a real position seen */
  char zStopFile[MVS_NAME_MAX];
  uint64_t stopOff;
  int hasStop;
  uint32_t sourceId;                /* server_id of an artificial Rotate */

  /* decoding state */
  mvb_event ev, inner;
  int haveEvent;                    /* ev fed, not handled yet */
  int inPayload, inRows;
  mvb_rows rows;
  char zGtid[128];
  int inTxn;
  int pendingCommit;
  uint32_t ts;                      /* of the last row */
  uint64_t nEvent, nEventRow;       /* events handled; rows of the last */

  /* the row being built */
  int op;
  const char *zDb, *zTbl, *zSql;
  size_t nDb, nTbl, nSql;
  mvb_table *table;
  mv_buf ddlDb, ddlTbl;             /* names parsed from a DDL statement */
  char zPos[MVS_NAME_MAX + 24], zNext[MVS_NAME_MAX + 24];
  mv_buf err;
};

static uint32_t get32(const uint8_t *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}

mvs_stream *mvs_new(void){
  mvs_stream *s = malloc(sizeof *s);
  if( s==0 ) return 0;
  memset(s, 0, sizeof *s);
  s->d = mvb_new();
  if( s->d==0 ){ free(s); return 0; }
  s->opMask = MVS_ALL_OPS;
  mv_buf_init(&s->ddlDb);
  mv_buf_init(&s->ddlTbl);
  mv_buf_init(&s->err);
  return s;
}

void mvs_free(mvs_stream *s){
  if( s==0 ) return;
  mvb_free(s->d);
  mv_buf_free(&s->ddlDb);
  mv_buf_free(&s->ddlTbl);
  mv_buf_free(&s->err);
  free(s);
}

mvb_decoder *mvs_decoder(mvs_stream *s){ return s->d; }
void mvs_set_ops(mvs_stream *s, int mask){ s->opMask = mask; }
void mvs_set_hooks(mvs_stream *s, void *arg, mvs_want_fn want,
                   mvs_table_fn table, mvs_ddl_fn ddl){
  s->hookArg = arg;
  s->xWant = want;
  s->xTable = table;
  s->xDdl = ddl;
}
void mvs_set_all_ddl(mvs_stream *s, int all){ s->allDdl = all; }
void mvs_set_file(mvs_stream *s, const char *zFile){
  snprintf(s->zFile, sizeof s->zFile, "%s", zFile);
}
void mvs_set_stop(mvs_stream *s, const char *zFile, uint64_t off){
  snprintf(s->zStopFile, sizeof s->zStopFile, "%s", zFile);
  s->stopOff = off;
  s->hasStop = 1;
}
const char *mvs_errmsg(mvs_stream *s){
  return s->err.n ? mv_buf_cstr(&s->err) : "out of memory";
}
int mvs_where(mvs_stream *s, const char **pzFile, uint64_t *pPos,
              uint64_t *pNext){
  *pzFile = s->zEvFile;
  *pPos = s->evPos;
  *pNext = s->evNext;
  return s->havePos;
}
const char *mvs_file(mvs_stream *s){ return s->zFile; }
int mvs_in_txn(mvs_stream *s){ return s->inTxn; }
uint32_t mvs_source_id(mvs_stream *s){ return s->sourceId; }

static int streamErr(mvs_stream *s, const char *zMsg){
  mv_buf_reset(&s->err);
  mv_buf_str(&s->err, zMsg);
  return MVS_ERROR;
}

/* ---- positions ---- */

int mvs_parse_pos(const char *z, char *zFile, size_t nFile, uint64_t *pOff){
  const char *c = strrchr(z, ':');
  const char *p;
  uint64_t v = 0;
  if( c==0 || c==z || (size_t)(c - z)>=nFile || c[1]==0 ) return 1;
  for(p=c+1; *p; p++){
    if( !isdigit((unsigned char)*p) || p - c > 19 ) return 1;
    v = v*10 + (uint64_t)(*p - '0');
  }
  for(p=z; p<c; p++){
    if( *p=='/' || *p=='\\' || isspace((unsigned char)*p)
     || (unsigned char)*p<0x20 ) return 1;
  }
  memcpy(zFile, z, (size_t)(c - z));
  zFile[c - z] = 0;
  *pOff = v;
  return 0;
}

int mvs_compare_files(const char *a, const char *b){
  const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
  size_t pa = da ? (size_t)(da - a) : strlen(a);
  size_t pb = db ? (size_t)(db - b) : strlen(b);
  if( da && db && pa==pb && memcmp(a, b, pa)==0 ){
    unsigned long long na = strtoull(da+1, 0, 10), nb = strtoull(db+1, 0, 10);
    return na<nb ? -1 : na>nb ? 1 : 0;
  }
  return strcmp(a, b);
}

static void rowPositions(mvs_stream *s){
  snprintf(s->zPos, sizeof s->zPos, "%s:%llu", s->zEvFile,
           (unsigned long long)s->evPos);
  snprintf(s->zNext, sizeof s->zNext, "%s:%llu", s->zEvFile,
           (unsigned long long)s->evNext);
}

/* ---- statements ---- */

static const char *skipSpace(const char *z, const char *zEnd){
  while( z<zEnd ){
    if( isspace((unsigned char)*z) ){ z++; continue; }
    if( z+1<zEnd && z[0]=='/' && z[1]=='*' ){
      const char *e = z + 2;
      while( e+1<zEnd && !(e[0]=='*' && e[1]=='/') ) e++;
      z = e+1<zEnd ? e + 2 : zEnd;
      continue;
    }
    if( z+1<zEnd && z[0]=='-' && z[1]=='-' ){
      while( z<zEnd && *z!='\n' ) z++;
      continue;
    }
    break;
  }
  return z;
}

static int isWordByte(char c){
  return isalnum((unsigned char)c) || c=='_' || c=='$';
}

/* If the next word is zWord (ASCII, case-insensitive), step past it. */
static int word(const char **pz, const char *zEnd, const char *zWord){
  const char *z = skipSpace(*pz, zEnd);
  size_t n = strlen(zWord), i;
  if( (size_t)(zEnd - z)<n ) return 0;
  for(i=0; i<n; i++){
    if( toupper((unsigned char)z[i])!=toupper((unsigned char)zWord[i]) ) return 0;
  }
  if( z + n<zEnd && isWordByte(z[n]) ) return 0;
  *pz = z + n;
  return 1;
}

/* One identifier into b; 0 if there is none. */
static int ident(const char **pz, const char *zEnd, mv_buf *b){
  const char *z = skipSpace(*pz, zEnd);
  mv_buf_reset(b);
  if( z<zEnd && *z=='`' ){
    z++;
    while( z<zEnd ){
      if( *z=='`' ){
        if( z+1<zEnd && z[1]=='`' ){ mv_buf_char(b, '`'); z += 2; continue; }
        z++;
        *pz = z;
        mv_buf_cstr(b);
        return !b->oom;
      }
      mv_buf_char(b, *z++);
    }
    return 0;
  }
  while( z<zEnd && (isWordByte(*z) || (unsigned char)*z>=0x80) ){
    mv_buf_char(b, *z++);
  }
  if( b->n==0 ) return 0;
  *pz = z;
  mv_buf_cstr(b);
  return !b->oom;
}

/* Skip "IF EXISTS" or "IF NOT EXISTS". */
static void skipIfExists(const char **pz, const char *zEnd){
  const char *z = *pz;
  if( word(&z, zEnd, "IF") ){
    word(&z, zEnd, "NOT");
    if( word(&z, zEnd, "EXISTS") ) *pz = z;
  }
}

/* After CREATE [UNIQUE...] or DROP: "INDEX [IF [NOT] EXISTS] i ON" or
** "[TEMPORARY] TABLE [IF [NOT] EXISTS]"; *pz is left at the table name. */
static int indexOrTable(const char **pz, const char *zEnd){
  int ok;
  if( word(pz, zEnd, "INDEX") ){
    mv_buf tmp;
    mv_buf_init(&tmp);
    skipIfExists(pz, zEnd);
    ok = ident(pz, zEnd, &tmp) && word(pz, zEnd, "ON");
    mv_buf_free(&tmp);
    return ok;
  }
  word(pz, zEnd, "TEMPORARY");
  ok = word(pz, zEnd, "TABLE");
  if( ok ) skipIfExists(pz, zEnd);
  return ok;
}

int mvs_ddl_target(const char *z, size_t n, mv_buf *db, mv_buf *tbl){
  const char *zEnd = z + n;
  int ok = 0;
  mv_buf_reset(db);
  if( word(&z, zEnd, "CREATE") ){
    if( word(&z, zEnd, "OR") ) word(&z, zEnd, "REPLACE");
    if( word(&z, zEnd, "UNIQUE") || word(&z, zEnd, "FULLTEXT")
     || word(&z, zEnd, "SPATIAL") ){}
    ok = indexOrTable(&z, zEnd);
  }else if( word(&z, zEnd, "ALTER") ){
    word(&z, zEnd, "ONLINE");
    word(&z, zEnd, "IGNORE");
    ok = word(&z, zEnd, "TABLE");
    if( ok ) skipIfExists(&z, zEnd);
  }else if( word(&z, zEnd, "DROP") ){
    ok = indexOrTable(&z, zEnd);
  }else if( word(&z, zEnd, "TRUNCATE") ){
    word(&z, zEnd, "TABLE");
    ok = 1;
  }else if( word(&z, zEnd, "RENAME") ){
    ok = word(&z, zEnd, "TABLE");
  }
  if( !ok || !ident(&z, zEnd, tbl) ) return 0;
  z = skipSpace(z, zEnd);
  if( z<zEnd && *z=='.' ){
    /* db.tbl: what was read is the schema */
    mv_buf t = *db;
    *db = *tbl;
    *tbl = t;
    z++;
    if( !ident(&z, zEnd, tbl) ){
      mv_buf_reset(db);
      return 0;
    }
  }
  return 1;
}

int mvs_ddl_kind(const char *z, size_t n){
  const char *zEnd = z + n;
  if( word(&z, zEnd, "CREATE") ){
    if( word(&z, zEnd, "OR") && !word(&z, zEnd, "REPLACE") ) return MVS_DDL_OTHER;
    if( word(&z, zEnd, "UNIQUE") || word(&z, zEnd, "FULLTEXT")
     || word(&z, zEnd, "SPATIAL") ){}
    if( word(&z, zEnd, "INDEX") ) return MVS_DDL_INDEX;
    return word(&z, zEnd, "TABLE") ? MVS_DDL_CREATE_TABLE : MVS_DDL_OTHER;
  }
  if( word(&z, zEnd, "RENAME") ){
    return word(&z, zEnd, "TABLE") ? MVS_DDL_RENAME_TABLE : MVS_DDL_OTHER;
  }
  if( word(&z, zEnd, "DROP") ){
    if( word(&z, zEnd, "INDEX") ) return MVS_DDL_INDEX;
    return word(&z, zEnd, "TABLE") ? MVS_DDL_DROP_TABLE : MVS_DDL_OTHER;
  }
  return MVS_DDL_OTHER;
}

/* [db.]tbl into db (empty if not written) and tbl. */
static int qualifiedName(const char **pz, const char *zEnd, mv_buf *db,
                         mv_buf *tbl){
  const char *z;
  mv_buf_reset(db);
  if( !ident(pz, zEnd, tbl) ) return 0;
  z = skipSpace(*pz, zEnd);
  if( z<zEnd && *z=='.' ){
    mv_buf t = *db;
    *db = *tbl;
    *tbl = t;
    z++;
    *pz = z;
    if( !ident(pz, zEnd, tbl) ) return 0;
  }
  return 1;
}

int mvs_rename_next(const char *z0, size_t n, size_t *pi, mv_buf *oldDb,
                    mv_buf *oldTbl, mv_buf *newDb, mv_buf *newTbl){
  const char *zEnd = z0 + n, *z = z0 + *pi;
  if( *pi==0 ){
    if( word(&z, zEnd, "RENAME") ){
      if( !word(&z, zEnd, "TABLE") ) return 0;
    }else if( word(&z, zEnd, "ALTER") ){
      const char *zEnd2;
      word(&z, zEnd, "ONLINE");
      word(&z, zEnd, "IGNORE");
      if( !word(&z, zEnd, "TABLE") || !qualifiedName(&z, zEnd, oldDb, oldTbl)
       || !word(&z, zEnd, "RENAME") ) return 0;
      if( !word(&z, zEnd, "TO") ) word(&z, zEnd, "AS");
      if( !qualifiedName(&z, zEnd, newDb, newTbl) ) return 0;
      zEnd2 = skipSpace(z, zEnd);
      if( zEnd2<zEnd && *zEnd2==';' ) zEnd2 = skipSpace(zEnd2 + 1, zEnd);
      if( zEnd2!=zEnd ) return 0;      /* more alterations: not a rename */
      *pi = n;
      return 1;
    }else{
      return 0;
    }
  }else{
    z = skipSpace(z, zEnd);
    if( z>=zEnd || *z!=',' ) return 0;
    z++;
  }
  if( !qualifiedName(&z, zEnd, oldDb, oldTbl) || !word(&z, zEnd, "TO")
   || !qualifiedName(&z, zEnd, newDb, newTbl) ) return 0;
  *pi = (size_t)(z - z0);
  return 1;
}

int mvs_starts_with(const char *z, size_t n, const char *zWord){
  const char *p = z;
  return word(&p, z + n, zWord);
}

int mvs_is_txn_statement(const char *z, size_t n){
  return mvs_starts_with(z, n, "BEGIN") || mvs_starts_with(z, n, "COMMIT")
      || mvs_starts_with(z, n, "ROLLBACK") || mvs_starts_with(z, n, "SAVEPOINT")
      || mvs_starts_with(z, n, "XA") || mvs_starts_with(z, n, "RELEASE");
}

/* ---- events to rows ---- */

static void rowReset(mvs_stream *s){
  s->op = 0;
  s->zDb = s->zTbl = s->zSql = 0;
  s->nDb = s->nTbl = s->nSql = 0;
  s->table = 0;
}

static int wanted(mvs_stream *s, const char *db, size_t nDb, const char *tbl,
                  size_t nTbl){
  return s->xWant==0 || s->xWant(s->hookArg, db, nDb, tbl, nTbl);
}

/* A commit row for the current event; 1 if it passes the op mask. */
static int commitRow(mvs_stream *s, uint32_t ts){
  rowReset(s);
  s->op = MVS_COMMIT;
  s->ts = ts;
  rowPositions(s);
  return (s->opMask & (1<<MVS_COMMIT))!=0;
}

static int isRowsEvent(int t){
  return (t>=MVB_WRITE_ROWS_V0 && t<=MVB_DELETE_ROWS_V1)
      || (t>=MVB_WRITE_ROWS_V2 && t<=MVB_DELETE_ROWS_V2)
      || t==MVB_PARTIAL_UPDATE_ROWS
      || (t>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
          && t<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

/* One decoded event (outer or inside a payload): 1 when a row is ready,
** 0 when the event gave none, MVS_ERROR (message set). */
static int handleEvent(mvs_stream *s, mvb_event *ev){
  s->nEvent++;
  s->nEventRow = 0;
  switch( ev->type ){
    case MVB_ROTATE: {
      size_t n = ev->u.rotate.file_len;
      /* a live dump's first event: its server_id is the sender's */
      if( ev->flags & 0x20 ) s->sourceId = ev->server_id;
      if( n==0 ) return 0;
      if( n>=MVS_NAME_MAX ) return streamErr(s, "Rotate: file name too long");
      memcpy(s->zFile, ev->u.rotate.file, n);
      s->zFile[n] = 0;
      return 0;
    }
    case MVB_GTID: case MVB_GTID_TAGGED: case MVB_MARIA_GTID:
    case MVB_ANONYMOUS_GTID:
      snprintf(s->zGtid, sizeof s->zGtid, "%s", ev->u.gtid.text);
      return 0;
    case MVB_XID:
      s->inTxn = 0;
      return commitRow(s, ev->timestamp);
    case MVB_QUERY:
    case MVB_MARIA_QUERY_COMPRESSED: {
      const char *zSql = ev->u.query.sql;
      size_t nSql = ev->u.query.sql_len;
      if( mvs_starts_with(zSql, nSql, "BEGIN") ){
        s->inTxn = 1;
        return 0;
      }
      if( mvs_starts_with(zSql, nSql, "COMMIT") ){
        s->inTxn = 0;
        return commitRow(s, ev->timestamp);
      }
      if( mvs_starts_with(zSql, nSql, "ROLLBACK") ){
        const char *p = zSql;
        word(&p, zSql + nSql, "ROLLBACK");
        if( !word(&p, zSql + nSql, "TO") ){ s->inTxn = 0; }
        return 0;
      }
      if( mvs_is_txn_statement(zSql, nSql) ) return 0;
      if( mvs_starts_with(zSql, nSql, "INSERT")
       || mvs_starts_with(zSql, nSql, "UPDATE")
       || mvs_starts_with(zSql, nSql, "DELETE")
       || mvs_starts_with(zSql, nSql, "REPLACE")
       || mvs_starts_with(zSql, nSql, "LOAD") ){
        return streamErr(s, "a statement-based change (binlog_format STATEMENT"
                         " or MIXED when it was written); row changes need"
                         " binlog_format=ROW");
      }
      rowReset(s);
      s->op = MVS_DDL;
      s->ts = ev->timestamp;
      if( ev->u.query.db_len ){
        s->zDb = ev->u.query.db;
        s->nDb = ev->u.query.db_len;
      }
      s->zSql = zSql;
      s->nSql = nSql;
      if( mvs_ddl_target(zSql, nSql, &s->ddlDb, &s->ddlTbl) ){
        if( s->ddlDb.n ){
          s->zDb = s->ddlDb.z;
          s->nDb = s->ddlDb.n;
        }
        s->zTbl = s->ddlTbl.z;
        s->nTbl = s->ddlTbl.n;
      }
      rowPositions(s);
      if( s->xDdl ) s->xDdl(s->hookArg);
      if( !s->inTxn ) s->pendingCommit = 1;
      return (s->opMask & (1<<MVS_DDL))!=0
          && (s->allDdl || wanted(s, s->zDb, s->nDb, s->zTbl, s->nTbl));
    }
    case MVB_TABLE_MAP: {
      mvb_table *t = ev->u.table_map.table;
      if( s->xTable && t
       && wanted(s, t->db, strlen(t->db), t->name, strlen(t->name)) ){
        char zErr[512];
        zErr[0] = 0;
        if( s->xTable(s->hookArg, s->d, t, ev->timestamp, zErr, sizeof zErr) ){
          return streamErr(s, zErr[0] ? zErr : "out of memory");
        }
      }
      return 0;
    }
    case MVB_TRANSACTION_PAYLOAD:
      s->inPayload = 1;
      return 0;
    default:
      break;
  }
  if( isRowsEvent(ev->type) ){
    mvb_table *t = ev->u.rows.table;
    int op = ev->u.rows.op;
    if( (s->opMask & (1<<op))==0 ) return 0;
    if( t==0 ){
      uint64_t id = ev->u.rows.table_id;
      /* a dummy rows event (table id all ones) only ends a statement */
      if( id==0xffffffULL || id==0xffffffffULL || id==0xffffffffffffULL ){
        return 0;
      }
    }else if( !wanted(s, t->db, strlen(t->db), t->name, strlen(t->name)) ){
      return 0;                   /* another table: not decoded */
    }
    if( mvb_rows_open(s->d, ev, &s->rows)!=MVB_OK ){
      return streamErr(s, mvb_errmsg(s->d));
    }
    s->inRows = 1;
    s->ts = ev->timestamp;
    rowPositions(s);
    return 0;
  }
  return 0;
}

int mvs_feed(mvs_stream *s, const uint8_t *p, size_t n, int64_t off){
  uint32_t size, next;
  int placed;                       /* the event has a place in the file */
  if( n<19 ) return streamErr(s, "event shorter than its header");
  size = get32(p + 9);
  next = get32(p + 13);
  if( off>=0 ){
    memcpy(s->zEvFile, s->zFile, sizeof s->zFile);
    s->evPos = (uint64_t)off;
    s->evNext = (uint64_t)off + n;
    s->havePos = 1;
    placed = next!=0;
  }else{
    /* artificial events (log_pos 0) have no place in the file. But
    ** MariaDB 11.4+ also writes log_pos 0 into the events inside a
    ** transaction (unless binlog_legacy_event_pos): those follow the
    ** previous event in the file, so count on from there. */
    if( next==0 && s->havePos && !(p[17] & 0x20)
     && p[4]!=MVB_ROTATE && p[4]!=MVB_FORMAT_DESCRIPTION
     && p[4]!=MVB_HEARTBEAT && p[4]!=MVB_HEARTBEAT_V2
     && p[4]!=MVB_MARIA_GTID_LIST ){
      next = (uint32_t)s->evNext + size;
    }
    placed = next!=0;
    if( next!=0 ){
      memcpy(s->zEvFile, s->zFile, sizeof s->zFile);
      s->evNext = next;
      s->evPos = next>=size ? next - size : 0;
      s->havePos = 1;
    }
  }
  /* stop_pos: stop before the first event at or past it (an event with a
  ** place in the file: MariaDB 11.4+'s log_pos 0 ones are counted on) */
  if( s->hasStop && s->havePos && placed ){
    int c = mvs_compare_files(s->zEvFile, s->zStopFile);
    if( c>0 || (c==0 && s->evPos>=s->stopOff) ) return MVS_STOP;
  }
  if( mvb_parse(s->d, p, n, &s->ev)!=MVB_OK ){
    return streamErr(s, mvb_errmsg(s->d));
  }
  s->haveEvent = 1;
  return MVS_OK;
}

static void rowOut(mvs_stream *s, mvs_row *row){
  row->op = s->op;
  row->ts = s->ts;
  row->pos = s->zPos;
  row->next_pos = s->zNext;
  row->gtid = s->zGtid[0] ? s->zGtid : 0;
  row->db = s->zDb; row->n_db = s->nDb;
  row->tbl = s->zTbl; row->n_tbl = s->nTbl;
  row->sql = s->zSql; row->n_sql = s->nSql;
  row->table = s->table;
  row->before = s->table ? s->rows.before : 0;
  row->after = s->table ? s->rows.after : 0;
  row->event_no = s->nEvent;
  row->row_no = s->nEventRow;
}

int mvs_next(mvs_stream *s, mvs_row *row){
  int rc;
  while( 1 ){
    if( s->pendingCommit ){
      s->pendingCommit = 0;
      s->nEventRow = MVS_ROW_COMMIT;
      if( commitRow(s, s->ts) ) break;
      continue;
    }
    if( s->inRows ){
      rc = mvb_rows_next(s->d, &s->rows);
      if( rc==MVB_ROW ){
        mvb_table *t = s->rows.table;
        s->nEventRow++;
        s->op = s->rows.op;
        s->table = t;
        s->zDb = t->db; s->nDb = strlen(t->db);
        s->zTbl = t->name; s->nTbl = strlen(t->name);
        s->zSql = 0; s->nSql = 0;
        break;
      }
      s->inRows = 0;
      if( rc!=MVB_DONE ) return streamErr(s, mvb_errmsg(s->d));
      continue;
    }
    if( s->inPayload ){
      rc = mvb_payload_next(s->d, &s->inner);
      if( rc==MVB_OK ){
        rc = handleEvent(s, &s->inner);
        if( rc<0 ) return MVS_ERROR;
        if( rc>0 ) break;
        continue;
      }
      s->inPayload = 0;
      if( rc!=MVB_DONE ) return streamErr(s, mvb_errmsg(s->d));
      continue;
    }
    if( s->haveEvent ){
      s->haveEvent = 0;
      rc = handleEvent(s, &s->ev);
      if( rc<0 ) return MVS_ERROR;
      if( rc>0 ) break;
      continue;
    }
    return MVS_MORE;
  }
  rowOut(s, row);
  return MVS_ROW;
}
