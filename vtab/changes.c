/*
** changes.c — mysql_changes and mysql_binlog: one cursor, two sources.
**
**   SELECT op, db, tbl, before, after FROM mysql_changes('mysql-bin.000003:4');
**   SELECT * FROM mysql_changes('0-1-42');                  -- MariaDB GTID
**   SELECT * FROM mysql_changes('mysql-bin.000003:4', 'host=h user=u ...')
**    WHERE tbl = 'orders' AND op IN ('insert','update');
**   SELECT next_pos FROM mysql_changes($pos) WHERE op = 'commit';
**   SELECT * FROM mysql_changes WHERE start_pos = $pos AND follow = 1
**      AND timeout_ms = 5000;                  -- tail the log as it grows
**   SELECT * FROM mysql_binlog('/var/lib/mysql/mysql-bin.000003');
**
** Columns (DESIGN.md): pos, next_pos, gtid, ts, op, db, tbl, before, after,
** sql. Hidden arguments of mysql_changes, in order: start_pos, dsn,
** stop_pos, follow, timeout_ms, json_diff; of mysql_binlog: path,
** json_diff (1: a partial JSON update whose before image lacks the
** document gives its diff as the column's value, {"json_diff":[...]},
** instead of an error).
**
** Rows:
**   insert / update / delete   one per row of a rows event; pos and next_pos
**                              are the rows event's (shared by its rows)
**   ddl                        a statement event other than BEGIN, COMMIT,
**                              ROLLBACK, SAVEPOINT and XA; db and tbl are
**                              the statement's target where it names a
**                              table (CREATE/ALTER/DROP/TRUNCATE/RENAME
**                              TABLE, CREATE/DROP INDEX ... ON), else db
**                              is the default schema and tbl NULL
**   commit                     an XID event or a COMMIT statement; a DDL
**                              statement outside a transaction (it commits
**                              by itself) is followed by a commit row with
**                              the DDL's positions. Every transaction thus
**                              ends with exactly one commit row, and its
**                              next_pos resumes exactly after it.
** Inside a MySQL TRANSACTION_PAYLOAD, rows carry the payload's positions.
** These rules live in the pure row stream (pure/rowstream.h), which
** mysql_mirror reads too (mv_feed, changes.h); this file brings it events
** from the server or a file and turns its rows into SQL values.
**
** One event at a time: the cursor holds the current event and its current
** row, never a transaction, so memory is bounded by the largest event.
** Each live cursor has its own replication connection (a dump occupies
** it), closed when the cursor ends or is reset. Table names, ENUM/SET
** labels and MariaDB JSON columns come from the event's optional metadata,
** or live from information_schema (schema.c) on a pooled connection.
**
** The typed change table of one table (README "mysql_changes"):
**   CREATE VIRTUAL TABLE orders_log USING mysql_changes('shop.orders' [, dsn]);
**   SELECT id, status FROM orders_log WHERE start_pos = $pos AND op = 'update';
** has the columns op, pos, next_pos, gtid, ts, the table's columns as at
** the CREATE (the after image, the before image for a delete; values as
** the typed mysql_snapshot gives them), before_<column> for the before
** image, and the hidden start_pos, stop_pos, follow, timeout_ms. It is the
** same cursor with a table filter and a column map (columnRole).
**
** The tables are SQLITE_VTAB_DIRECTONLY: they reach a server or a file, so
** a trigger or view of an untrusted schema may not use them (as SQLite's
** csv.c reasons). mysql_changes is eponymous and creatable (xCreate is
** xConnect), mysql_binlog eponymous only.
**
** Above 800 lines: the cursor's sources (server, file), its SQL face and
** the typed table share the cursor struct; the event rules are in
** pure/rowstream.c.
*/
#include "mysqlvtab.h"
#include "pure/checkrules.h"
#include "pure/binlog.h"
#include "pure/rowstream.h"
#include "pure/types.h"
#include "changes.h"
#include "schema.h"
#include "transport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Column numbers; the schema strings below list them in this order. */
/* the row part of a commit row's rowid that follows a DDL statement */
#define MC_ROWID_COMMIT ((sqlite3_uint64)MVS_ROW_COMMIT)

#define MC_POS        0
#define MC_NEXT_POS   1
#define MC_GTID       2
#define MC_TS         3
#define MC_OP         4
#define MC_DB         5
#define MC_TBL        6
#define MC_BEFORE     7
#define MC_AFTER      8
#define MC_SQL        9
#define MC_START     10      /* mysql_binlog: path */
#define MC_DSN       11
#define MC_STOP      12
#define MC_FOLLOW    13
#define MC_TIMEOUT   14
#define MC_JSON_DIFF 15      /* mysql_binlog: column 11 (MB_JSON_DIFF) */
#define MB_JSON_DIFF 11

#define MC_COLUMNS "pos TEXT, next_pos TEXT, gtid TEXT, ts INTEGER, op TEXT," \
                   " db TEXT, tbl TEXT, before TEXT, after TEXT, sql TEXT"
static const char zChangesSchema[] = "CREATE TABLE x(" MC_COLUMNS ","
  " start_pos HIDDEN, dsn HIDDEN, stop_pos HIDDEN, follow HIDDEN,"
  " timeout_ms HIDDEN, json_diff HIDDEN)";
static const char zBinlogSchema[] = "CREATE TABLE x(" MC_COLUMNS ","
  " path HIDDEN, json_diff HIDDEN)";

/* idxNum bits (xBestIndex). The argv of xFilter holds, in this order, the
** value of each present bit: start_pos (path), dsn, stop_pos, follow,
** timeout_ms, json_diff (mv_hidden_args), then db, tbl, op. A db/tbl/op value is one
** value for `=`, or with its *_IN bit the whole IN list (sqlite3_vtab_in,
** all at once). */
#define MCI_START     0x001
#define MCI_DSN       0x002
#define MCI_STOP      0x004
#define MCI_FOLLOW    0x008
#define MCI_TIMEOUT   0x010
#define MCI_DB        0x020
#define MCI_TBL       0x040
#define MCI_OP        0x080
#define MCI_DB_IN     0x100
#define MCI_TBL_IN    0x200
#define MCI_OP_IN     0x400
#define MCI_JSON_DIFF 0x800

/* Row operations (op column): MVS_INSERT .. MVS_COMMIT. */
static const char *const azOpName[] = {
  "", "insert", "update", "delete", "ddl", "commit"
};

#define MC_NAME_MAX MVS_NAME_MAX    /* a binlog file name */
#define MC_MAX_EVENT (1u<<30)       /* max_allowed_packet's ceiling */

typedef struct mc_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  mv_ctx *ctx;
  int isFile;                       /* mysql_binlog */
  /* the typed change table of one table (CREATE VIRTUAL TABLE x USING
  ** mysql_changes('db.tbl' [, dsn])): its columns as at the CREATE */
  int typed;
  char *zDb, *zTbl, *zDsn;          /* zDsn NULL: $MYSQL_VTAB_DSN */
  int nCol;
  char **azCol;
} mc_vtab;

/* The typed table's columns: op, pos, next_pos, gtid, ts, the table's
** columns, the same with TC_BEFORE_PREFIX, then the hidden arguments
** start_pos, stop_pos, follow, timeout_ms. */
#define TC_FIXED 5
#define TC_BEFORE_PREFIX "before_"

/* A set of accepted values for db, tbl or op; n<0: no constraint. */
typedef struct mc_set {
  int n;
  char **az;
} mc_set;

typedef struct mc_cursor {
  sqlite3_vtab_cursor base;
  mc_vtab *pTab;
  const char *zName;                /* "mysql_changes" / "mysql_binlog" */

  /* the source */
  mvt_stream *stream;               /* live */
  FILE *fp;                         /* file */
  char *zPath;
  uint64_t fOff;                    /* file offset of the next event */
  uint64_t fEvOff;                  /* file offset of the current event */
  mv_buf fbuf;
  mvs_stream *rs;                   /* events to rows (pure/rowstream.h) */
  mv_schema *schema;                /* live only */
  mvs_want_fn xWant;                /* mv_feed: the caller's table filter */
  void *pWantArg;

  /* arguments */
  char *zStart;                     /* start_pos / path as given */
  char *zDsn;                       /* the DSN text (live) */
  char *zStop;
  int follow;
  sqlite3_int64 timeoutMs;
  int jsonDiff;                     /* json_diff: deliver partial diffs */
  mc_set fDb, fTbl;
  int opMask;                       /* accepted ops, 1<<op; all if 0x3e */

  int checksum;                     /* the server's binlog_checksum is CRC32 */
  sqlite3_int64 lastCheck, lastEvent;
  int nSinceCheck;

  /* the current row; its rowid is (event ordinal since the start) << 28
  ** | (row of that event): the same row has the same rowid in every scan
  ** from the same start, whatever the filters, which SQLite's OR
  ** optimization (MULTI-INDEX OR) relies on when it drops duplicates */
  sqlite3_int64 iRowid;
  int eof;
  mvs_row row;
  mv_buf before, after;
  mv_buf out;                       /* typed table: a value's text */
  mvb_table *tMap;                  /* typed table: the event columns of */
  uint64_t mapGen;                  /* each declared column (-1: none), */
  int *aMap;                        /* for tMap as named at mapGen */
  mv_row_keys keys;         /* the keys of `table`, tag = its names_gen */
  int haveBefore, haveAfter;
} mc_cursor;

/* ---- small helpers ---- */

static sqlite3_int64 nowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

static uint32_t get32(const uint8_t *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}

/* Where the stream is: the current event's file, start and next offset;
** 0 before the first event with a position. */
static int streamWhere(mc_cursor *pCur, const char **pzFile, uint64_t *pPos,
                       uint64_t *pNext){
  *pzFile = "";
  *pPos = *pNext = 0;
  return pCur->rs ? mvs_where(pCur->rs, pzFile, pPos, pNext) : 0;
}

static void setFree(mc_set *s){
  int i;
  for(i=0; i<s->n; i++) sqlite3_free(s->az[i]);
  sqlite3_free(s->az);
  s->az = 0;
  s->n = -1;
}

/* Add the text of v to s (a NULL value matches nothing: not added). */
static int setAdd(mc_set *s, sqlite3_value *v){
  const char *z = (const char*)sqlite3_value_text(v);
  char **az;
  if( s->n<0 ) s->n = 0;
  if( z==0 ) return SQLITE_OK;
  az = sqlite3_realloc64(s->az, sizeof(char*)*(size_t)(s->n + 1));
  if( az==0 ) return SQLITE_NOMEM;
  s->az = az;
  s->az[s->n] = sqlite3_mprintf("%s", z);
  if( s->az[s->n]==0 ) return SQLITE_NOMEM;
  s->n++;
  return SQLITE_OK;
}

static int setHas(const mc_set *s, const char *z, size_t n){
  int i;
  if( s->n<0 ) return 1;
  if( z==0 ) return 0;
  for(i=0; i<s->n; i++){
    if( strlen(s->az[i])==n && memcmp(s->az[i], z, n)==0 ) return 1;
  }
  return 0;
}

/* Fill s from argv value v: one value, or the IN list when isIn. */
static int setFill(mc_set *s, sqlite3_value *v, int isIn){
  int rc = SQLITE_OK;
  s->n = 0;
  if( isIn ){
    sqlite3_value *x = 0;
    for(rc=sqlite3_vtab_in_first(v, &x); rc==SQLITE_OK && x;
        rc=sqlite3_vtab_in_next(v, &x)){
      rc = setAdd(s, x);
      if( rc ) return rc;
    }
    return rc==SQLITE_DONE ? SQLITE_OK : rc;
  }
  return setAdd(s, v);
}

/* ---- errors ---- */

static int cursorError(mc_cursor *pCur, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_free(pCur->pTab->base.zErrMsg);
  pCur->pTab->base.zErrMsg = z;
  return z ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* "mysql_changes: mysql-bin.000003:1234: <msg>" for the current event. */
static int eventError(mc_cursor *pCur, const char *zMsg){
  const char *zEvFile;
  uint64_t evPos, evNext;
  if( pCur->fp ){
    /* mysql_binlog: the path as given, and the file offset */
    return cursorError(pCur, "%s: %s:%llu: %s", pCur->zName, pCur->zPath,
                       (unsigned long long)pCur->fEvOff, zMsg);
  }
  if( streamWhere(pCur, &zEvFile, &evPos, &evNext) ){
    return cursorError(pCur, "%s: %s:%llu: %s", pCur->zName,
                       zEvFile, (unsigned long long)evPos, zMsg);
  }
  return cursorError(pCur, "%s: %s: %s", pCur->zName,
                     pCur->zStart ? pCur->zStart : "?", zMsg);
}

/* ---- sources ---- */

/* The next event of the file: MVT_EVENT, MVT_EOF or MVT_ERROR (message
** set). Positions come from the file offset. */
static int fileNext(mc_cursor *pCur, const uint8_t **pz, size_t *pn){
  uint8_t hdr[19];
  size_t got;
  uint32_t size;
  pCur->fEvOff = pCur->fOff;
  got = fread(hdr, 1, sizeof hdr, pCur->fp);
  if( got==0 ){
    if( ferror(pCur->fp) ){
      eventError(pCur, strerror(errno));
      return MVT_ERROR;
    }
    return MVT_EOF;
  }
  if( got<sizeof hdr ){
    char z[100];
    snprintf(z, sizeof z, "file truncated: an event header of %zu of 19"
             " bytes", got);
    eventError(pCur, z);
    return MVT_ERROR;
  }
  size = get32(hdr + 9);
  if( size<19 || size>MC_MAX_EVENT ){
    char z[100];
    snprintf(z, sizeof z, "corrupt event header: event size %u", (unsigned)size);
    eventError(pCur, z);
    return MVT_ERROR;
  }
  mv_buf_reset(&pCur->fbuf);
  if( mv_buf_reserve(&pCur->fbuf, size) ){
    eventError(pCur, "out of memory");
    return MVT_ERROR;
  }
  memcpy(pCur->fbuf.z, hdr, sizeof hdr);
  got = fread(pCur->fbuf.z + sizeof hdr, 1, size - sizeof hdr, pCur->fp);
  if( got<size - sizeof hdr ){
    char z[120];
    snprintf(z, sizeof z, "file truncated: the event header says %u bytes,"
             " %zu present", (unsigned)size, got + sizeof hdr);
    eventError(pCur, z);
    return MVT_ERROR;
  }
  pCur->fbuf.n = size;
  pCur->fOff += size;
  *pz = (const uint8_t*)pCur->fbuf.z;
  *pn = size;
  return MVT_EVENT;
}

/* For a file the server does not have: purged (older than its oldest
** binlog) or never written? From SHOW BINARY LOGS on a pooled connection;
** NULL when that cannot be told. */
static char *whyNoFile(mc_cursor *pCur){
  char zFile[MC_NAME_MAX];
  uint64_t off;
  char *zErr = 0, *zWhy = 0, *zFirst = 0, *zLast = 0;
  mv_conn *c;
  if( mvs_parse_pos(pCur->zStart, zFile, sizeof zFile, &off) ) return 0;
  c = mv_conn_get(pCur->pTab->ctx, pCur->zDsn, &zErr);
  if( c && mv_binlog_files(pCur->pTab->ctx, c, 0, &zFirst, &zLast, 0, &zErr)==0 ){
    zWhy = mv_binlog_start_problem(zFile, off, zFirst, zLast, -1);
  }
  mv_conn_release(pCur->pTab->ctx, c);
  sqlite3_free(zErr);
  sqlite3_free(zFirst);
  sqlite3_free(zLast);
  return zWhy;
}

/* A message for a server error on the stream. Before the first event the
** position is the requested one, and the server's complaint is about it. */
static int streamError(mc_cursor *pCur, unsigned err, const char *zMsg){
  const char *zWhy = 0, *zEvFile;
  char *zWhy2 = 0;
  uint64_t evPos, evNext;
  int rc;
  if( streamWhere(pCur, &zEvFile, &evPos, &evNext) ){
    /* where the stream was: just past the last event read */
    return cursorError(pCur, "%s: %s:%llu: server error %u: %s", pCur->zName,
                       zEvFile, (unsigned long long)evNext, err, zMsg);
  }
  if( strstr(zMsg, "Could not find first log file name") ){
    zWhy = zWhy2 = whyNoFile(pCur);
    if( zWhy==0 ){
      zWhy = "no such binlog file on the server (purged, or never written)";
    }
  }else if( strstr(zMsg, "Could not find GTID state")
         || strstr(zMsg, "which is not in the master's binlog") ){
    zWhy = "GTID position not in the server's binlogs (purged, or never"
           " written)";
  }else if( strstr(zMsg, "more GTIDs than the source") ){
    /* MySQL 8.0.26+ */
    zWhy = "the GTID set has transactions this server never wrote";
  }else if( strstr(zMsg, "purged binary logs containing GTIDs") ){
    zWhy = "binlogs with transactions not in the GTID set are purged from"
           " the server";
  }else if( strstr(zMsg, "impossible position") ){
    zWhy = "offset past the end of the binlog file";
  }else if( strstr(zMsg, "bogus data") || strstr(zMsg, "binlog truncated")
         || strstr(zMsg, "max_allowed_packet") || strstr(zMsg, "wrong magic")
         || strstr(zMsg, "checksum") ){
    zWhy = "offset is not an event boundary (resume from a next_pos)";
  }
  if( err==0 ){
    rc = cursorError(pCur, "%s: %s: %s", pCur->zName, pCur->zStart, zMsg);
  }else if( zWhy ){
    rc = cursorError(pCur, "%s: %s: %s (server error %u: %s)", pCur->zName,
                     pCur->zStart, zWhy, err, zMsg);
  }else{
    rc = cursorError(pCur, "%s: %s: server error %u: %s", pCur->zName,
                     pCur->zStart, err, zMsg);
  }
  sqlite3_free(zWhy2);
  return rc;
}

/* Check sqlite3_interrupt() about every 100 ms. */
static int checkInterrupt(mc_cursor *pCur, int force){
  sqlite3_int64 now;
  if( !force && ++pCur->nSinceCheck<256 ) return 0;
  pCur->nSinceCheck = 0;
  now = nowMs();
  if( !force && now - pCur->lastCheck<100 ) return 0;
  pCur->lastCheck = now;
  if( mv_interrupted(pCur->pTab->db) ){
    cursorError(pCur, "%s: interrupted", pCur->zName);
    return 1;
  }
  return 0;
}

/* ---- the cursor ---- */

static void cursorReset(mc_cursor *pCur){
  if( pCur->stream ){ mvt_close(pCur->stream); pCur->stream = 0; }
  if( pCur->fp ){ fclose(pCur->fp); pCur->fp = 0; }
  if( pCur->rs ){ mvs_free(pCur->rs); pCur->rs = 0; }
  pCur->keys.tag = 0;       /* names_gen counts again in a new decoder */
  if( pCur->schema ){ mv_schema_free(pCur->schema); pCur->schema = 0; }
  sqlite3_free(pCur->zPath); pCur->zPath = 0;
  sqlite3_free(pCur->zStart); pCur->zStart = 0;
  sqlite3_free(pCur->zDsn); pCur->zDsn = 0;
  sqlite3_free(pCur->zStop); pCur->zStop = 0;
  setFree(&pCur->fDb);
  setFree(&pCur->fTbl);
  mv_buf_free(&pCur->fbuf);
  pCur->fOff = pCur->fEvOff = 0;
  pCur->follow = 0;
  pCur->timeoutMs = 0;
  pCur->jsonDiff = 0;
  pCur->opMask = 0;
  pCur->iRowid = 0;
  pCur->eof = 1;
  memset(&pCur->row, 0, sizeof pCur->row);
}

/* The row stream's hooks (pure/rowstream.h). */
static int wantTable(void *pArg, const char *zDb, size_t nDb,
                     const char *zTbl, size_t nTbl){
  mc_cursor *pCur = (mc_cursor*)pArg;
  mc_vtab *pTab = pCur->pTab;
  if( pCur->xWant ) return pCur->xWant(pCur->pWantArg, zDb, nDb, zTbl, nTbl);
  if( pTab->typed ){
    return zDb && zTbl && strlen(pTab->zDb)==nDb && memcmp(pTab->zDb, zDb, nDb)==0
        && strlen(pTab->zTbl)==nTbl && memcmp(pTab->zTbl, zTbl, nTbl)==0;
  }
  return setHas(&pCur->fDb, zDb, nDb) && setHas(&pCur->fTbl, zTbl, nTbl);
}
static int mapTable(void *pArg, mvb_decoder *d, mvb_table *t, uint32_t ts,
                    char *zErr, size_t nErr){
  mc_cursor *pCur = (mc_cursor*)pArg;
  char *z = 0;
  if( pCur->schema==0 || mv_schema_apply(pCur->schema, d, t, ts, &z)>=0 ){
    return 0;
  }
  snprintf(zErr, nErr, "%s", z ? z : "out of memory");
  sqlite3_free(z);
  return 1;
}
static void ddlSeen(void *pArg){
  mc_cursor *pCur = (mc_cursor*)pArg;
  if( pCur->schema ) mv_schema_reset(pCur->schema);
}

static int mcOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  mc_vtab *pTab = (mc_vtab*)pVtab;
  mc_cursor *pCur = sqlite3_malloc(sizeof *pCur);
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof *pCur);
  pCur->pTab = pTab;
  pCur->zName = pTab->isFile ? "mysql_binlog" : "mysql_changes";
  pCur->fDb.n = pCur->fTbl.n = -1;
  mv_buf_init(&pCur->fbuf);
  mv_buf_init(&pCur->before);
  mv_buf_init(&pCur->after);
  mv_buf_init(&pCur->out);
  mv_row_keys_init(&pCur->keys);
  pCur->eof = 1;
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int mcClose(sqlite3_vtab_cursor *cur){
  mc_cursor *pCur = (mc_cursor*)cur;
  cursorReset(pCur);
  mv_buf_free(&pCur->before);
  mv_buf_free(&pCur->after);
  mv_buf_free(&pCur->out);
  sqlite3_free(pCur->aMap);
  mv_row_keys_free(&pCur->keys);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

/* Step to the next row (or EOF). */
static int mcNext(sqlite3_vtab_cursor *cur){
  mc_cursor *pCur = (mc_cursor*)cur;
  pCur->haveBefore = pCur->haveAfter = 0;
  while( 1 ){
    const uint8_t *p;
    size_t n;
    int rc = mvs_next(pCur->rs, &pCur->row);
    const char *zEvFile;
    uint64_t evPos, evNext;
    if( rc==MVS_ROW ) break;
    if( rc==MVS_ERROR ) return eventError(pCur, mvs_errmsg(pCur->rs));
    if( checkInterrupt(pCur, 0) ) return SQLITE_INTERRUPT;
    if( pCur->fp ){
      rc = fileNext(pCur, &p, &n);
      if( rc==MVT_ERROR ) return SQLITE_ERROR;
    }else{
      rc = mvt_next(pCur->stream, &p, &n);
      if( rc==MVT_ERROR ){
        /* a blocking read cut short by the signal that interrupted SQLite
        ** (libmysqlclient reports the EINTR as a lost connection) */
        if( checkInterrupt(pCur, 1) ) return SQLITE_INTERRUPT;
        return streamError(pCur, mvt_errno(pCur->stream),
                           mvt_errmsg(pCur->stream));
      }
      if( rc==MVT_IDLE ){
        if( checkInterrupt(pCur, 1) ) return SQLITE_INTERRUPT;
        if( pCur->timeoutMs>0 && nowMs() - pCur->lastEvent>=pCur->timeoutMs ){
          pCur->eof = 1;
          return SQLITE_OK;
        }
        continue;
      }
      if( rc==MVT_EVENT ){
        pCur->lastEvent = nowMs();
        if( n<19 ){
          streamWhere(pCur, &zEvFile, &evPos, &evNext);
          return cursorError(pCur, "%s: %s:%llu: event of %zu bytes, less"
                             " than its header", pCur->zName,
                             mvs_file(pCur->rs), (unsigned long long)evNext, n);
        }
      }
    }
    if( rc==MVT_EOF ){
      /* A blocking dump (follow) has no end: the server ended it, as
      ** MySQL does when it shuts down. Not a silent end of the rows. */
      if( pCur->follow && !pCur->fp ){
        static const char zWhy[] = "the server ended the binlog stream (it"
                                   " shut down, or the dump was stopped)";
        if( !streamWhere(pCur, &zEvFile, &evPos, &evNext) ){
          return cursorError(pCur, "%s: %s: %s", pCur->zName, pCur->zStart, zWhy);
        }
        return cursorError(pCur, "%s: %s:%llu: %s", pCur->zName, zEvFile,
                           (unsigned long long)evNext, zWhy);
      }
      pCur->eof = 1;
      return SQLITE_OK;
    }
    rc = mvs_feed(pCur->rs, p, n, pCur->fp ? (int64_t)pCur->fEvOff : -1);
    if( rc==MVS_STOP ){
      pCur->eof = 1;
      return SQLITE_OK;
    }
    if( rc==MVS_ERROR ) return eventError(pCur, mvs_errmsg(pCur->rs));
  }
  /* (a rows event of more than 2^28-2 rows, which no server writes below
  ** a 1 GB event of 4-byte rows, would share ids with the next event) */
  pCur->iRowid = (sqlite3_int64)((pCur->row.event_no<<28)
      | (pCur->row.row_no<MC_ROWID_COMMIT ? pCur->row.row_no : MC_ROWID_COMMIT));
  return SQLITE_OK;
}

/* mv_ddl_probe (schema.h): read the log ahead, on a stream of its own,
** from the current event to the last event of second `upto`, for a DDL
** statement that mentions zTbl (any statement but BEGIN, COMMIT and the
** like; a mention is enough: a false alarm only costs names). Bounded by
** that second of log, and by MC_PROBE_MAX events (then: "cannot tell"). */
#define MC_PROBE_MAX 200000
static int ddlProbe(void *pArg, const char *zDb, const char *zTbl,
                    uint32_t upto, char **pzErr){
  mc_cursor *pCur = (mc_cursor*)pArg;
  mv_dsn dsn;
  MYSQL *m;
  mvt_stream *st = 0;
  mvb_decoder *d = 0;
  mvt_start o;
  char *zErr = 0;
  int rc = 0, n = 0;
  size_t nTbl = strlen(zTbl);
  const char *zEvFile;
  uint64_t evPos, evNext;
  (void)zDb;
  *pzErr = 0;
  if( !streamWhere(pCur, &zEvFile, &evPos, &evNext) ) return 1;
  if( mv_dsn_parse(pCur->zDsn, &dsn, &zErr) ){ *pzErr = zErr; return -1; }
  m = mv_connect(&dsn, &zErr);
  mv_dsn_free(&dsn);
  if( m==0 ){ *pzErr = zErr; return -1; }
  memset(&o, 0, sizeof o);
  o.file = zEvFile;
  o.pos = evPos;
  mv_log_query(pCur->pTab->ctx, "COM_BINLOG_DUMP (read ahead for DDL)");
  if( mvt_open(m, &o, &st, &zErr, 0) ){ *pzErr = zErr; return -1; }
  d = mvb_new();
  if( d==0 ){ mvt_close(st); *pzErr = sqlite3_mprintf("out of memory"); return -1; }
  mvb_set_checksum(d, pCur->checksum);
  while( 1 ){
    const uint8_t *p;
    size_t np;
    mvb_event ev;
    int r = mvt_next(st, &p, &np);
    if( r==MVT_EOF ){ rc = 0; break; }
    if( r==MVT_ERROR ){
      *pzErr = sqlite3_mprintf("reading ahead: %s", mvt_errmsg(st));
      rc = -1;
      break;
    }
    if( r!=MVT_EVENT || np<19 ) continue;
    if( ++n>MC_PROBE_MAX ){ rc = 1; break; }
    if( get32(p + 13)!=0 && get32(p)>upto ){ rc = 0; break; }
    if( p[4]!=MVB_FORMAT_DESCRIPTION && p[4]!=MVB_QUERY
     && p[4]!=MVB_MARIA_QUERY_COMPRESSED ){
      continue;
    }
    if( mvb_parse(d, p, np, &ev)!=MVB_OK ){ rc = 1; break; }
    if( ev.type==MVB_QUERY || ev.type==MVB_MARIA_QUERY_COMPRESSED ){
      const char *z = ev.u.query.sql;
      size_t nz = ev.u.query.sql_len, k;
      if( mvs_is_txn_statement(z, nz) ) continue;
      for(k=0; k+nTbl<=nz; k++){
        if( sqlite3_strnicmp(z + k, zTbl, (int)nTbl)==0 ){ rc = 1; break; }
      }
      if( rc ) break;
    }
  }
  mvb_free(d);
  mvt_close(st);
  return rc;
}

/* What a stream needs of the server, asked on a pooled connection through
** the interruptible calls before the stream's own connection opens: a ROW
** binlog (pure/checkrules.c's words), a GTID of the server's kind, a file
** position the server has; and its checksum setting, which the stream's
** first event (an artificial Rotate, before any format description) uses.
** zFile is NULL for a GTID start. */
static int streamPreflight(mc_cursor *pCur, int isGtid, const char *zFile,
                           uint64_t off){
  mv_ctx *ctx = pCur->pTab->ctx;
  const char *zCheck = "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format,"
                       " @@GLOBAL.binlog_checksum";
  char *zErr = 0, *zWhy = 0, *zFirst = 0, *zLast = 0, *zLogsErr = 0;
  char zDetail[300];
  long long size = -1;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  int rc = SQLITE_OK;
  mv_conn *c = mv_conn_get(ctx, pCur->zDsn, &zErr);
  if( c==0 ) goto done;
  res = mv_query(ctx, c, zCheck, 0, &zErr);
  if( res==0 ) goto done;
  row = mysql_fetch_row(res);
  if( row==0 ){
    zErr = sqlite3_mprintf("%s: no result", zCheck);
  }else if( !mv_check_log_bin(row[0], zDetail, sizeof zDetail)
         || !mv_check_binlog_format(row[1], zDetail, sizeof zDetail) ){
    zWhy = sqlite3_mprintf("%s", zDetail);
  }else if( isGtid && mv_is_mariadb(c->mysql)!=mvt_is_maria_gtid(pCur->zStart) ){
    zWhy = sqlite3_mprintf(mv_is_mariadb(c->mysql)
        ? "%s: a MySQL GTID set, but the server is MariaDB: start from"
          " a MariaDB GTID position (domain-server-seq) or file:offset"
        : "%s: a MariaDB GTID position, but the server is MySQL: start"
          " from a GTID set (uuid:1-42) or file:offset", pCur->zStart);
  }else{
    pCur->checksum = row[2] && sqlite3_stricmp(row[2], "CRC32")==0;
    mvb_set_checksum(mvs_decoder(pCur->rs), pCur->checksum);
    /* the file must be on the server, the offset within it: the server's
    ** own answer to a bad offset varies with what lies there. A user who
    ** may not list the binlogs still may stream: then the server says. */
    if( zFile
     && mv_binlog_files(ctx, c, zFile, &zFirst, &zLast, &size, &zLogsErr)==0 ){
      char *z = mv_binlog_start_problem(zFile, off, zFirst, zLast, size);
      if( z ){
        zWhy = sqlite3_mprintf("%s: %s", pCur->zStart, z);
        sqlite3_free(z);
      }
    }
    sqlite3_free(zLogsErr);
  }
done:
  if( res ) mysql_free_result(res);
  mv_conn_release(ctx, c);
  if( zErr || zWhy ){
    rc = cursorError(pCur, "%s: %s", pCur->zName, zErr ? zErr : zWhy);
  }
  sqlite3_free(zErr);
  sqlite3_free(zWhy);
  sqlite3_free(zFirst);
  sqlite3_free(zLast);
  return rc;
}

/* Open the live stream: check the server, connect, start the dump. */
static int openLive(mc_cursor *pCur, const char *zDsnArg){
  mc_vtab *pTab = pCur->pTab;
  const char *zDsn = mv_dsn_text(zDsnArg);
  mv_dsn dsn;
  MYSQL *m;
  char *zErr = 0;
  mvt_start o;
  unsigned err = 0;
  char zFile[MC_NAME_MAX];
  uint64_t off = 0;
  int isGtid = 0;

  memset(&o, 0, sizeof o);
  /* A MySQL GTID ("uuid:42", a commit row's gtid) also reads as name:offset:
  ** a GTID first, since no binlog file is named like a UUID. */
  if( mvt_is_mysql_gtid(pCur->zStart) ){
    o.gtid = pCur->zStart;
    isGtid = 1;
  }else if( mvs_parse_pos(pCur->zStart, zFile, sizeof zFile, &off)==0 ){
    if( off<4 ){
      return cursorError(pCur, "%s: %s: malformed position: the offset must"
                         " be at least 4 (the first event of a binlog)",
                         pCur->zName, pCur->zStart);
    }
    if( off>0xffffffffULL ){
      return cursorError(pCur, "%s: %s: malformed position: offset past 4 GB",
                         pCur->zName, pCur->zStart);
    }
    o.file = zFile;
    o.pos = off;
    mvs_set_file(pCur->rs, zFile);
  }else if( mvt_is_maria_gtid(pCur->zStart) || mvt_is_mysql_gtid(pCur->zStart) ){
    o.gtid = pCur->zStart;
    isGtid = 1;
  }else{
    return cursorError(pCur, "%s: malformed position '%s': expected"
                       " file:offset (e.g. mysql-bin.000003:4) or a GTID"
                       " position (MariaDB 0-1-42, MySQL uuid:1-42)",
                       pCur->zName, pCur->zStart);
  }
  pCur->zDsn = sqlite3_mprintf("%s", zDsn);
  if( pCur->zDsn==0 ) return SQLITE_NOMEM;
  if( streamPreflight(pCur, isGtid, o.file, off) ) return SQLITE_ERROR;
  if( mv_dsn_parse(zDsn, &dsn, &zErr) ){
    int rc = cursorError(pCur, "%s: %s", pCur->zName, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  o.server_id = dsn.has_server_id ? dsn.server_id : 0;
  o.follow = pCur->follow;
  o.heartbeat_ms = 100;
  m = mv_connect(&dsn, &zErr);
  mv_dsn_free(&dsn);
  if( m==0 ){
    int rc = cursorError(pCur, "%s: %s", pCur->zName, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  {
    char *zLog = sqlite3_mprintf("COM_BINLOG_DUMP %s%s%s", isGtid ? "gtid " : "",
                                 pCur->zStart, pCur->follow ? " (follow)" : "");
    if( zLog ){ mv_log_query(pTab->ctx, zLog); sqlite3_free(zLog); }
  }
  if( mvt_open(m, &o, &pCur->stream, &zErr, &err) ){
    int rc = streamError(pCur, err, zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return rc;
  }
  pCur->schema = mv_schema_new(pTab->ctx, zDsn, ddlProbe, pCur);
  if( pCur->schema==0 ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

static int openFile(mc_cursor *pCur){
  uint8_t magic[4];
  const char *zBase;
  pCur->zPath = sqlite3_mprintf("%s", pCur->zStart);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  pCur->fp = fopen(pCur->zPath, "rb");
  if( pCur->fp==0 ){
    return cursorError(pCur, "%s: cannot open '%s': %s", pCur->zName,
                       pCur->zPath, strerror(errno));
  }
  if( fread(magic, 1, 4, pCur->fp)!=4
   || memcmp(magic, "\xfe\x62\x69\x6e", 4)!=0 ){
    return cursorError(pCur, "%s: %s:0: not a binlog file (no binlog magic"
                       " number)", pCur->zName, pCur->zPath);
  }
  pCur->fOff = 4;
  zBase = strrchr(pCur->zPath, '/');
  mvs_set_file(pCur->rs, zBase ? zBase + 1 : pCur->zPath);
  return SQLITE_OK;
}

/* A 0/1 argument (follow, json_diff): NULL leaves *pOn as it is;
** returns non-zero with the error set for anything but an integer. */
static int flagArg(mc_cursor *pCur, sqlite3_value *v, const char *zArg,
                   int *pOn){
  if( sqlite3_value_numeric_type(v)==SQLITE_INTEGER ){
    *pOn = sqlite3_value_int64(v)!=0;
  }else if( sqlite3_value_type(v)!=SQLITE_NULL ){
    cursorError(pCur, "%s: %s must be 0 or 1, not '%s'", pCur->zName, zArg,
                sqlite3_value_text(v));
    return 1;
  }
  return 0;
}

static int cursorStart(mc_cursor *pCur, const char *zStart,
                       const char *zDsnArg);

static int mcFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                    int argc, sqlite3_value **argv){
  mc_cursor *pCur = (mc_cursor*)cur;
  mc_vtab *pTab = pCur->pTab;
  int i = 0, rc;
  sqlite3_value *vStart = 0, *vDsn = 0;
  (void)idxStr;
  cursorReset(pCur);
  pCur->opMask = MVS_ALL_OPS;
  pCur->rs = mvs_new();
  if( pCur->rs==0 ) return SQLITE_NOMEM;
  if( idxNum & MCI_START ) vStart = argv[i++];
  if( idxNum & MCI_DSN ) vDsn = argv[i++];
  if( idxNum & MCI_STOP ){
    const char *z = (const char*)sqlite3_value_text(argv[i++]);
    if( z ){
      char zStopFile[MC_NAME_MAX];
      uint64_t stopOff;
      pCur->zStop = sqlite3_mprintf("%s", z);
      if( pCur->zStop==0 ) return SQLITE_NOMEM;
      if( mvs_parse_pos(z, zStopFile, sizeof zStopFile, &stopOff) ){
        return cursorError(pCur, "%s: malformed stop_pos '%s': expected"
                           " file:offset", pCur->zName, z);
      }
      mvs_set_stop(pCur->rs, zStopFile, stopOff);
    }
  }
  if( (idxNum & MCI_FOLLOW) && flagArg(pCur, argv[i++], "follow", &pCur->follow) ){
    return SQLITE_ERROR;
  }
  if( idxNum & MCI_TIMEOUT ){
    sqlite3_value *v = argv[i++];
    if( sqlite3_value_type(v)!=SQLITE_NULL
     && sqlite3_value_numeric_type(v)!=SQLITE_INTEGER ){
      return cursorError(pCur, "%s: timeout_ms must be a number of"
                         " milliseconds, not '%s'", pCur->zName,
                         sqlite3_value_text(v));
    }
    if( sqlite3_value_type(v)!=SQLITE_NULL ){
      pCur->timeoutMs = sqlite3_value_int64(v);
      if( pCur->timeoutMs<0 ){
        return cursorError(pCur, "%s: timeout_ms must not be negative",
                           pCur->zName);
      }
    }
  }
  if( (idxNum & MCI_JSON_DIFF)
   && flagArg(pCur, argv[i++], "json_diff", &pCur->jsonDiff) ){
    return SQLITE_ERROR;
  }
  if( idxNum & MCI_DB ){
    rc = setFill(&pCur->fDb, argv[i++], (idxNum & MCI_DB_IN)!=0);
    if( rc ) return rc;
  }
  if( idxNum & MCI_TBL ){
    rc = setFill(&pCur->fTbl, argv[i++], (idxNum & MCI_TBL_IN)!=0);
    if( rc ) return rc;
  }
  if( idxNum & MCI_OP ){
    mc_set ops;
    int k, j;
    ops.n = -1; ops.az = 0;
    rc = setFill(&ops, argv[i++], (idxNum & MCI_OP_IN)!=0);
    if( rc ){ setFree(&ops); return rc; }
    pCur->opMask = 0;
    for(k=0; k<ops.n; k++){
      for(j=1; j<=MVS_COMMIT; j++){
        if( strcmp(ops.az[k], azOpName[j])==0 ) pCur->opMask |= 1<<j;
      }
    }
    setFree(&ops);
  }
  (void)argc;
  if( vStart==0 ){
    return cursorError(pCur, pTab->isFile
        ? "%s: the path argument is required: mysql_binlog('path/to/binlog')"
        : "%s: start_pos is required: mysql_changes('file:offset') or"
          " mysql_changes('gtid')", pCur->zName);
  }
  if( sqlite3_value_type(vStart)==SQLITE_NULL ) return SQLITE_OK;  /* no rows */
  return cursorStart(pCur, (const char*)sqlite3_value_text(vStart),
                     pTab->typed ? pTab->zDsn
                     : vDsn ? (const char*)sqlite3_value_text(vDsn) : 0);
}

/* Open the source at zStart (a position, or mysql_binlog's path) and read
** the first row; the filters and arguments are set. */
static int cursorStart(mc_cursor *pCur, const char *zStart,
                       const char *zDsnArg){
  mc_vtab *pTab = pCur->pTab;
  int rc;
  pCur->zStart = sqlite3_mprintf("%s", zStart ? zStart : "");
  if( pCur->zStart==0 ) return SQLITE_NOMEM;
  /* a commit row belongs to no table: a db or tbl filter drops it */
  mvs_set_ops(pCur->rs, pCur->fDb.n<0 && pCur->fTbl.n<0 ? pCur->opMask
                        : pCur->opMask & ~(1<<MVS_COMMIT));
  mvs_set_hooks(pCur->rs, pCur, wantTable, pTab->isFile ? 0 : mapTable,
                ddlSeen);
  mvb_set_json_diff(mvs_decoder(pCur->rs), pCur->jsonDiff);
  pCur->eof = 0;
  pCur->lastCheck = pCur->lastEvent = nowMs();
  if( pTab->isFile ){
    rc = openFile(pCur);
  }else{
    rc = openLive(pCur, zDsnArg);
  }
  if( rc ){
    pCur->eof = 1;
    return rc;
  }
  rc = mcNext(&pCur->base);
  if( rc ) pCur->eof = 1;
  return rc;
}

/* ---- mv_feed (changes.h): the rows of the live stream, for C callers ---- */

struct mv_feed {
  mc_vtab tab;
  sqlite3_vtab_cursor *cur;
  int started;                      /* the first row was delivered */
};

mv_feed *mv_feed_open(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                      const char *zDsnArg, mvs_want_fn xWant, void *pArg,
                      char **pzErr){
  mv_feed *f = sqlite3_malloc(sizeof *f);
  mc_cursor *pCur;
  int rc;
  *pzErr = 0;
  if( f==0 ) return 0;
  memset(f, 0, sizeof *f);
  f->tab.db = db;
  f->tab.ctx = ctx;
  if( mcOpen(&f->tab.base, &f->cur) ){ sqlite3_free(f); return 0; }
  f->cur->pVtab = &f->tab.base;
  pCur = (mc_cursor*)f->cur;
  pCur->opMask = MVS_ALL_OPS;
  pCur->xWant = xWant;
  pCur->pWantArg = pArg;
  pCur->rs = mvs_new();
  if( pCur->rs ) mvs_set_all_ddl(pCur->rs, 1);
  rc = pCur->rs ? cursorStart(pCur, zStart, zDsnArg) : SQLITE_NOMEM;
  if( rc ){
    *pzErr = f->tab.base.zErrMsg ? sqlite3_mprintf("%s", f->tab.base.zErrMsg)
                                 : sqlite3_mprintf("%s", sqlite3_errstr(rc));
    mv_feed_close(f);
    return 0;
  }
  return f;
}

int mv_feed_next(mv_feed *f, const mvs_row **ppRow, char **pzErr){
  mc_cursor *pCur = (mc_cursor*)f->cur;
  int rc = SQLITE_OK;
  *pzErr = 0;
  if( f->started && !pCur->eof ) rc = mcNext(f->cur);
  f->started = 1;
  if( rc ){
    pCur->eof = 1;
    *pzErr = f->tab.base.zErrMsg ? sqlite3_mprintf("%s", f->tab.base.zErrMsg)
                                 : sqlite3_mprintf("%s", sqlite3_errstr(rc));
    return rc;
  }
  if( pCur->eof ) return SQLITE_DONE;
  *ppRow = &pCur->row;
  return SQLITE_ROW;
}

int mv_feed_where(mv_feed *f, char *zFile, size_t nFile, uint64_t *pNext){
  const char *z;
  uint64_t pos;
  if( !streamWhere((mc_cursor*)f->cur, &z, &pos, pNext) || strlen(z)>=nFile ){
    return 0;
  }
  memcpy(zFile, z, strlen(z)+1);
  return 1;
}

void mv_feed_close(mv_feed *f){
  if( f==0 ) return;
  if( f->cur ) mcClose(f->cur);
  sqlite3_free(f->tab.base.zErrMsg);
  sqlite3_free(f);
}

static int mcEof(sqlite3_vtab_cursor *cur){
  return ((mc_cursor*)cur)->eof;
}

/* Text results: where z is NUL-terminated at n, length -1 lets SQLite
** copy the terminator too (with an explicit length it copies n bytes and
** later reallocates to add one for the first sqlite3_value_text(): the
** benchmark's profile found that copy to be a third of the CPU). */
static void resultText(sqlite3_context *ctx, const char *z, size_t n){
  if( z==0 ) sqlite3_result_null(ctx);
  else sqlite3_result_text64(ctx, z, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
static void resultCstr(sqlite3_context *ctx, const char *z){
  if( z==0 ) sqlite3_result_null(ctx);
  else sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}
/* db / tbl: NUL-terminated where they come from a table map or a parsed
** DDL name; a statement's default schema is followed by its NUL too. */
static void resultName(sqlite3_context *ctx, const char *z, size_t n){
  if( z && z[n]==0 ) resultCstr(ctx, z);
  else resultText(ctx, z, n);
}

static void resultImage(sqlite3_context *ctx, mc_cursor *pCur, mv_buf *b,
                        int *pHave, const mv_value *a){
  mvb_table *t = pCur->row.table;
  if( t==0 || a==0 ){ sqlite3_result_null(ctx); return; }
  if( !*pHave ){
    /* the keys are escaped once per table and naming, not per row */
    if( t->names_gen==0 || pCur->keys.tag!=t->names_gen ){
      pCur->keys.tag = 0;
      if( mv_row_keys_set(&pCur->keys, t->ncol, (const char *const*)t->names) ){
        sqlite3_result_error_nomem(ctx);
        return;
      }
      pCur->keys.tag = t->names_gen;
    }
    mv_buf_reset(b);
    mv_encode_row_keyed(b, &pCur->keys, a);
    *pHave = 1;
  }
  if( b->oom ){ sqlite3_result_error_nomem(ctx); return; }
  /* JSON text holds no NUL byte (control characters are escaped) */
  resultCstr(ctx, b->n ? mv_buf_cstr(b) : "");
}

/* The role of column i: an MC_* column of mysql_changes, or for the typed
** table's own columns -2-k (k: 0..nCol-1 the after image, nCol.. the
** before image). */
static int columnRole(mc_vtab *pTab, int i){
  static const int aFixed[TC_FIXED] = { MC_OP, MC_POS, MC_NEXT_POS, MC_GTID, MC_TS };
  static const int aHidden[4] = { MC_START, MC_STOP, MC_FOLLOW, MC_TIMEOUT };
  if( !pTab->typed ) return pTab->isFile && i==MB_JSON_DIFF ? MC_JSON_DIFF : i;
  if( i<TC_FIXED ) return aFixed[i];
  if( i<TC_FIXED + 2*pTab->nCol ) return -2 - (i - TC_FIXED);
  i -= TC_FIXED + 2*pTab->nCol;
  return i<4 ? aHidden[i] : MC_DSN;
}

/* The typed table's declared columns in the event's table: by name (by
** position for images the decoder could not name, "@1"..., when their
** number is right), -1 for one the event does not have. */
static int typedMap(mc_cursor *pCur, mvb_table *t){
  mc_vtab *pTab = pCur->pTab;
  int i, j, positional;
  if( pCur->aMap && t==pCur->tMap && t->names_gen!=0 && t->names_gen==pCur->mapGen ){
    return 0;
  }
  if( pCur->aMap==0 ){
    pCur->aMap = sqlite3_malloc64(sizeof(int)*(size_t)(pTab->nCol+1));
    if( pCur->aMap==0 ) return SQLITE_NOMEM;
  }
  positional = t->ncol>0 && strcmp(t->names[0], "@1")==0
            && strcmp(pTab->azCol[0], "@1")!=0;
  for(i=0; i<pTab->nCol; i++){
    pCur->aMap[i] = -1;
    if( positional ){
      if( t->ncol==pTab->nCol ) pCur->aMap[i] = i;
      continue;
    }
    for(j=0; j<t->ncol && strcmp(t->names[j], pTab->azCol[i])!=0; j++){}
    if( j<t->ncol ) pCur->aMap[i] = j;
  }
  pCur->tMap = t;
  pCur->mapGen = t->names_gen;
  return 0;
}

/* Column k of the typed table's images (-2-k roles). */
static void typedColumn(mc_cursor *pCur, sqlite3_context *ctx, int k){
  const mvs_row *r = &pCur->row;
  mc_vtab *pTab = pCur->pTab;
  int isBefore = k>=pTab->nCol, e;
  const mv_value *a;
  if( r->op<MVS_INSERT || r->op>MVS_DELETE || r->table==0 ) return;
  a = isBefore ? r->before : (r->after ? r->after : r->before);
  if( a==0 ) return;
  if( typedMap(pCur, r->table) ){ sqlite3_result_error_nomem(ctx); return; }
  e = pCur->aMap[isBefore ? k - pTab->nCol : k];
  if( e>=0 ) mv_result_value(ctx, &a[e], &pCur->out);
}

static int mcColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  mc_cursor *pCur = (mc_cursor*)cur;
  const mvs_row *r = &pCur->row;
  int isRows = r->op>=MVS_INSERT && r->op<=MVS_DELETE;
  i = columnRole(pCur->pTab, i);
  if( i<0 ){
    typedColumn(pCur, ctx, -2 - i);
    return SQLITE_OK;
  }
  switch( i ){
    case MC_POS: resultCstr(ctx, r->pos); break;
    case MC_NEXT_POS: resultCstr(ctx, r->next_pos); break;
    case MC_GTID: resultCstr(ctx, r->gtid); break;
    case MC_TS: sqlite3_result_int64(ctx, r->ts); break;
    case MC_OP:
      sqlite3_result_text(ctx, azOpName[r->op], -1, SQLITE_STATIC);
      break;
    case MC_DB: resultName(ctx, r->db, r->n_db); break;
    case MC_TBL: resultName(ctx, r->tbl, r->n_tbl); break;
    case MC_BEFORE:
      if( isRows ) resultImage(ctx, pCur, &pCur->before, &pCur->haveBefore,
                               r->before);
      break;
    case MC_AFTER:
      if( isRows ) resultImage(ctx, pCur, &pCur->after, &pCur->haveAfter,
                               r->after);
      break;
    case MC_SQL: resultText(ctx, r->sql, r->n_sql); break;
    case MC_START:
      resultCstr(ctx, pCur->zStart);
      break;
    case MC_STOP:
      resultCstr(ctx, pCur->zStop);
      break;
    case MC_FOLLOW: sqlite3_result_int(ctx, pCur->follow); break;
    case MC_TIMEOUT:
      if( pCur->timeoutMs ) sqlite3_result_int64(ctx, pCur->timeoutMs);
      break;
    case MC_JSON_DIFF: sqlite3_result_int(ctx, pCur->jsonDiff); break;
    default: break;      /* dsn: never echoed (it may hold a password) */
  }
  return SQLITE_OK;
}

static int mcRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((mc_cursor*)cur)->iRowid;
  return SQLITE_OK;
}

/*
** xBestIndex. idxNum bits (MCI_*): which hidden arguments are given
** (START = start_pos or path, DSN, STOP, FOLLOW, TIMEOUT, JSON_DIFF) and
** which of db, tbl, op are constrained by `=` (DB, TBL, OP) or by an IN
** list processed all at once (DB_IN, TBL_IN, OP_IN, with their DB/TBL/OP
** bit). argv of xFilter: the hidden arguments in the bit order above
** (mv_hidden_args), then db, tbl, op. db/tbl/op constraints are
** omitted: the cursor applies them exactly as SQLite would (byte-wise
** equality, NULL matches nothing), and before decoding, so rows of other
** tables are never decoded. A hidden argument constrained only by an
** unusable constraint makes the plan SQLITE_CONSTRAINT.
** Each db/tbl/op constraint takes only a tenth off the cost: the stream is
** read whole either way, and an OR of two such terms must cost more than
** one scan (2 x 0.9^3 > 1), or SQLite would read the log once per term
** (MULTI-INDEX OR), and in follow mode never get to the second term.
*/
static int mcBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *p){
  mc_vtab *pTab = (mc_vtab*)pVtab;
  static const int aRole[] = { MC_START, MC_DSN, MC_STOP, MC_FOLLOW,
                               MC_TIMEOUT, MC_JSON_DIFF };
  static const int aRoleBit[] = { MCI_START, MCI_DSN, MCI_STOP, MCI_FOLLOW,
                                  MCI_TIMEOUT, MCI_JSON_DIFF };
  int aCol[6], aBit[6], aIdx[3] = { -1, -1, -1 };
  int nHidden = 0, nArg = 0, idxNum = 0, i, k, rc;
  int nDecl = pTab->typed ? TC_FIXED + 2*pTab->nCol + 5
                          : pTab->isFile ? MB_JSON_DIFF + 1 : MC_JSON_DIFF + 1;
  unsigned mask = 0;
  double cost = 1e6;
  /* the hidden arguments this table declares, in argv order */
  for(k=0; k<6; k++){
    for(i=0; i<nDecl && columnRole(pTab, i)!=aRole[k]; i++){}
    if( i==nDecl ) continue;
    aCol[nHidden] = i;
    aBit[nHidden++] = aRoleBit[k];
  }
  rc = mv_hidden_args(p, aCol, nHidden, &nArg, &mask);
  if( rc!=SQLITE_OK ) return rc;
  for(k=0; k<nHidden; k++){
    if( mask & (1u<<k) ) idxNum |= aBit[k];
  }
  /* then db, tbl, op */
  for(i=0; i<p->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &p->aConstraint[i];
    int col = columnRole(pTab, c->iColumn);
    k = col==MC_DB ? 0 : col==MC_TBL ? 1 : col==MC_OP ? 2 : -1;
    if( k<0 || c->op!=SQLITE_INDEX_CONSTRAINT_EQ || !c->usable ) continue;
    if( aIdx[k]<0 ) aIdx[k] = i;
  }
  for(k=0; k<3; k++){
    int bit = MCI_DB<<k;            /* MCI_DB, MCI_TBL, MCI_OP */
    if( aIdx[k]<0 ) continue;
    idxNum |= bit;
    p->aConstraintUsage[aIdx[k]].argvIndex = ++nArg;
    p->aConstraintUsage[aIdx[k]].omit = 1;
    cost *= 0.9;
    if( sqlite3_vtab_in(p, aIdx[k], -1) ){
      sqlite3_vtab_in(p, aIdx[k], 1);
      idxNum |= bit<<3;             /* MCI_DB -> MCI_DB_IN, ... */
    }
  }
  if( (idxNum & MCI_START)==0 ) cost = 1e12;
  p->idxNum = idxNum;
  p->estimatedCost = cost;
  p->estimatedRows = (sqlite3_int64)cost;
  return SQLITE_OK;
}

/* ---- the tables ---- */

static int mcDisconnect(sqlite3_vtab *pVtab){
  mc_vtab *pTab = (mc_vtab*)pVtab;
  int i;
  for(i=0; i<pTab->nCol; i++) sqlite3_free(pTab->azCol[i]);
  sqlite3_free(pTab->azCol);
  sqlite3_free(pTab->zDb);
  sqlite3_free(pTab->zTbl);
  sqlite3_free(pTab->zDsn);
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* The typed change table of one table: learn its columns (the SQLite types
** of the typed mysql_snapshot) and declare them. */
static int typedConnect(sqlite3 *db, mc_vtab *pTab, int argc,
                        const char *const *argv, char **pzErr){
  char *zArg = 0, *zErr = 0;
  mv_tblname *aName = 0;
  int nName = 0, nCol = -1, i, rc = SQLITE_ERROR;
  mv_schema *sc = 0;
  const mvb_colinfo *aCol = 0;
  sqlite3_str *s = 0;
  if( argc>5 ){
    *pzErr = sqlite3_mprintf("mysql_changes: expected ('db.table' [, dsn]),"
                             " got %d arguments", argc-3);
    return SQLITE_ERROR;
  }
  zArg = mv_dequote_arg(argv[3]);
  if( argc>4 && (pTab->zDsn = mv_dequote_arg(argv[4]))==0 ) goto nomem;
  if( zArg==0 ) goto nomem;
  if( mv_tblarg_parse("mysql_changes", zArg, &aName, &nName, &zErr) ) goto done;
  if( nName!=1 || aName[0].isPattern ){
    zErr = sqlite3_mprintf("mysql_changes: a typed change table reads one"
                           " table, not '%s'", zArg);
    goto done;
  }
  if( aName[0].zDb==0 ){
    mv_conn *c = mv_conn_get(pTab->ctx, mv_dsn_text(pTab->zDsn), &zErr);
    MYSQL_RES *res = c ? mv_query(pTab->ctx, c, "SELECT DATABASE()",
                                  "mysql_changes", &zErr) : 0;
    MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
    if( row && row[0] ) pTab->zDb = sqlite3_mprintf("%s", row[0]);
    else if( res ){
      zErr = sqlite3_mprintf("mysql_changes: table '%s' names no database and"
                             " the DSN has none (write db.table)", zArg);
    }
    if( res ) mysql_free_result(res);
    mv_conn_release(pTab->ctx, c);
    if( zErr ) goto done;
  }else{
    pTab->zDb = sqlite3_mprintf("%s", aName[0].zDb);
  }
  pTab->zTbl = sqlite3_mprintf("%s", aName[0].zTbl);
  if( pTab->zDb==0 || pTab->zTbl==0 ) goto nomem;
  sc = mv_schema_new(pTab->ctx, mv_dsn_text(pTab->zDsn), 0, 0);
  if( sc==0 ) goto nomem;
  nCol = mv_schema_columns(sc, pTab->zDb, pTab->zTbl, &aCol, &zErr);
  if( nCol<0 ) goto done;
  if( nCol==0 ){
    zErr = sqlite3_mprintf("mysql_changes: no such table %s.%s (or the user"
                           " cannot see it)", pTab->zDb, pTab->zTbl);
    goto done;
  }
  pTab->azCol = sqlite3_malloc64(sizeof(char*)*(size_t)nCol);
  if( pTab->azCol==0 ) goto nomem;
  s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "CREATE TABLE x(op TEXT, pos TEXT, next_pos TEXT,"
                           " gtid TEXT, ts INTEGER");
  for(i=0; i<2*nCol; i++){
    const mvb_colinfo *ci = &aCol[i % nCol];
    mv_coltype ct;
    const char *zType;
    mv_type_from_name(ci->data_type, ci->column_type, ci->is_json, &ct);
    zType = mv_sq_decltype(ct.sq);
    sqlite3_str_appendf(s, ", \"%s%w\"%s%s", i<nCol ? "" : TC_BEFORE_PREFIX,
                        ci->name ? ci->name : "", *zType ? " " : "", zType);
    if( i<nCol ){
      pTab->azCol[i] = sqlite3_mprintf("%s", ci->name ? ci->name : "");
      if( pTab->azCol[i]==0 ) goto nomem;
      pTab->nCol++;
    }
  }
  sqlite3_str_appendall(s, ", start_pos HIDDEN, stop_pos HIDDEN, follow HIDDEN,"
                           " timeout_ms HIDDEN)");
  {
    char *zSchema = sqlite3_str_finish(s);
    s = 0;
    if( zSchema==0 ) goto nomem;
    rc = sqlite3_declare_vtab(db, zSchema);
    if( rc ){
      zErr = sqlite3_mprintf("mysql_changes: cannot declare %s: %s", zSchema,
                             sqlite3_errmsg(db));
    }
    sqlite3_free(zSchema);
  }
  pTab->typed = 1;
  goto done;
nomem:
  rc = SQLITE_NOMEM;
done:
  if( s ) sqlite3_free(sqlite3_str_finish(s));
  mv_schema_free(sc);
  mv_tblarg_free(aName, nName);
  sqlite3_free(zArg);
  if( zErr ){
    /* the connection's and the catalog's messages, as mysql_changes' */
    *pzErr = strncmp(zErr, "mysql_changes: ", 15)==0 ? zErr
             : sqlite3_mprintf("mysql_changes: %s", zErr);
    if( *pzErr!=zErr ) sqlite3_free(zErr);
  }
  return zErr ? SQLITE_ERROR : rc;
}

static int mcConnect(sqlite3 *db, void *pAux, int argc,
                     const char *const *argv, sqlite3_vtab **ppVtab,
                     char **pzErr, int isFile){
  mc_vtab *pTab;
  int rc;
  pTab = sqlite3_malloc(sizeof *pTab);
  if( pTab==0 ) return SQLITE_NOMEM;
  memset(pTab, 0, sizeof *pTab);
  pTab->db = db;
  pTab->ctx = (mv_ctx*)pAux;
  pTab->isFile = isFile;
  if( !isFile && argc>3 ){
    rc = typedConnect(db, pTab, argc, argv, pzErr);
  }else{
    rc = sqlite3_declare_vtab(db, isFile ? zBinlogSchema : zChangesSchema);
  }
  if( rc ){
    mcDisconnect(&pTab->base);
    return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &pTab->base;
  return SQLITE_OK;
}

static int changesConnect(sqlite3 *db, void *pAux, int argc,
                          const char *const *argv, sqlite3_vtab **ppVtab,
                          char **pzErr){
  return mcConnect(db, pAux, argc, argv, ppVtab, pzErr, 0);
}
static int binlogConnect(sqlite3 *db, void *pAux, int argc,
                         const char *const *argv, sqlite3_vtab **ppVtab,
                         char **pzErr){
  return mcConnect(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

/* xCreate is xConnect: mysql_changes is eponymous, and CREATE VIRTUAL
** TABLE x USING mysql_changes('db.tbl') makes the typed change table. */
static sqlite3_module changesModule = {
  0,                /* iVersion */
  changesConnect,   /* xCreate */
  changesConnect,
  mcBestIndex,
  mcDisconnect,
  mcDisconnect,     /* xDestroy */
  mcOpen, mcClose, mcFilter, mcNext, mcEof, mcColumn, mcRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 MV_XINTEGRITY
};

static sqlite3_module binlogModule = {
  0, 0, binlogConnect, mcBestIndex, mcDisconnect, 0,
  mcOpen, mcClose, mcFilter, mcNext, mcEof, mcColumn, mcRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 MV_XINTEGRITY
};

int mv_register_changes(sqlite3 *db, mv_ctx *ctx){
  int rc = sqlite3_create_module_v2(db, "mysql_changes", &changesModule,
                                    mv_ctx_ref(ctx), mv_ctx_unref);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module_v2(db, "mysql_binlog", &binlogModule,
                                  mv_ctx_ref(ctx), mv_ctx_unref);
  }
  return rc;
}
