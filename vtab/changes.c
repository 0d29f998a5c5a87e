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
** mysql_mirror reads too (mv_feed, changes.h); changes_source.c brings it
** events from the server or a file, and this file turns its rows into SQL
** values.
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
** same cursor with a table filter and a column map (changes_typed.c).
**
** The tables are SQLITE_VTAB_DIRECTONLY: they reach a server or a file, so
** a trigger or view of an untrusted schema may not use them (as SQLite's
** csv.c reasons). mysql_changes is eponymous and creatable (xCreate is
** xConnect), mysql_binlog eponymous only.
**
** Above 800 lines (a little): the two modules' SQL face (xBestIndex,
** xFilter's arguments, xColumn) and mv_feed drive one cursor through the
** same static steps (cursorStart, mcNext). The cursor's sources are in
** changes_source.c, the columns and the typed table in changes_typed.c,
** the event rules in pure/rowstream.c.
*/
#include "mysqlvtab.h"
#include "pure/binlog.h"
#include "pure/rowstream.h"
#include "changes.h"
#include "changes_int.h"
#include "schema.h"
#include "transport.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the row part of a commit row's rowid that follows a DDL statement */
#define MC_ROWID_COMMIT ((sqlite3_uint64)MVS_ROW_COMMIT)


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


/* ---- small helpers ---- */

static sqlite3_int64 nowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* Where the stream is: the current event's file, start and next offset;
** 0 before the first event with a position. */
int mv_changes_where(mc_cursor *pCur, const char **pzFile, uint64_t *pPos,
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

int mv_changes_error(mc_cursor *pCur, const char *zFmt, ...){
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
int mv_changes_event_error(mc_cursor *pCur, const char *zMsg){
  const char *zEvFile;
  uint64_t evPos, evNext;
  if( pCur->fp ){
    /* mysql_binlog: the path as given, and the file offset */
    return mv_changes_error(pCur, "%s: %s:%llu: %s", pCur->zName, pCur->zPath,
                            (unsigned long long)pCur->fEvOff, zMsg);
  }
  if( mv_changes_where(pCur, &zEvFile, &evPos, &evNext) ){
    return mv_changes_error(pCur, "%s: %s:%llu: %s", pCur->zName,
                            zEvFile, (unsigned long long)evPos, zMsg);
  }
  return mv_changes_error(pCur, "%s: %s: %s", pCur->zName,
                          pCur->zStart ? pCur->zStart : "?", zMsg);
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
    mv_changes_error(pCur, "%s: interrupted", pCur->zName);
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
    if( pCur->xMap && !t->has_names ) pCur->xMap(pCur->pWantArg, d, t);
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
    if( rc==MVS_ERROR ){
      return mv_changes_event_error(pCur, mvs_errmsg(pCur->rs));
    }
    if( checkInterrupt(pCur, 0) ) return SQLITE_INTERRUPT;
    if( pCur->fp ){
      rc = mv_changes_file_next(pCur, &p, &n);
      if( rc==MVT_ERROR ) return SQLITE_ERROR;
    }else{
      rc = mvt_next(pCur->stream, &p, &n);
      if( rc==MVT_ERROR ){
        /* a blocking read cut short by the signal that interrupted SQLite
        ** (libmysqlclient reports the EINTR as a lost connection) */
        if( checkInterrupt(pCur, 1) ) return SQLITE_INTERRUPT;
        return mv_changes_stream_error(pCur, mvt_errno(pCur->stream),
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
          mv_changes_where(pCur, &zEvFile, &evPos, &evNext);
          return mv_changes_error(pCur, "%s: %s:%llu: event of %zu bytes,"
                                  " less than its header", pCur->zName,
                                  mvs_file(pCur->rs),
                                  (unsigned long long)evNext, n);
        }
      }
    }
    if( rc==MVT_EOF ){
      /* A blocking dump (follow) has no end: the server ended it, as
      ** MySQL does when it shuts down. Not a silent end of the rows. */
      if( pCur->follow && !pCur->fp ){
        static const char zWhy[] = "the server ended the binlog stream (it"
                                   " shut down, or the dump was stopped)";
        if( !mv_changes_where(pCur, &zEvFile, &evPos, &evNext) ){
          return mv_changes_error(pCur, "%s: %s: %s", pCur->zName,
                                  pCur->zStart, zWhy);
        }
        return mv_changes_error(pCur, "%s: %s:%llu: %s", pCur->zName, zEvFile,
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
    if( rc==MVS_ERROR ){
      return mv_changes_event_error(pCur, mvs_errmsg(pCur->rs));
    }
  }
  /* (a rows event of more than 2^28-2 rows, which no server writes below
  ** a 1 GB event of 4-byte rows, would share ids with the next event) */
  pCur->iRowid = (sqlite3_int64)((pCur->row.event_no<<28)
      | (pCur->row.row_no<MC_ROWID_COMMIT ? pCur->row.row_no : MC_ROWID_COMMIT));
  return SQLITE_OK;
}

/* A 0/1 argument (follow, json_diff): NULL leaves *pOn as it is;
** returns non-zero with the error set for anything but an integer. */
static int flagArg(mc_cursor *pCur, sqlite3_value *v, const char *zArg,
                   int *pOn){
  if( sqlite3_value_numeric_type(v)==SQLITE_INTEGER ){
    *pOn = sqlite3_value_int64(v)!=0;
  }else if( sqlite3_value_type(v)!=SQLITE_NULL ){
    mv_changes_error(pCur, "%s: %s must be 0 or 1, not '%s'", pCur->zName,
                     zArg, sqlite3_value_text(v));
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
        return mv_changes_error(pCur, "%s: malformed stop_pos '%s': expected"
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
      return mv_changes_error(pCur, "%s: timeout_ms must be a number of"
                              " milliseconds, not '%s'", pCur->zName,
                              sqlite3_value_text(v));
    }
    if( sqlite3_value_type(v)!=SQLITE_NULL ){
      pCur->timeoutMs = sqlite3_value_int64(v);
      if( pCur->timeoutMs<0 ){
        return mv_changes_error(pCur, "%s: timeout_ms must not be negative",
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
    return mv_changes_error(pCur, pTab->isFile
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
    rc = mv_changes_open_file(pCur);
  }else{
    rc = mv_changes_open_live(pCur, zDsnArg);
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

static mv_feed *feedOpen(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                         const char *zDsnArg, mvs_want_fn xWant,
                         mv_feed_map_fn xMap, void *pArg, int follow,
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
  pCur->xMap = xMap;
  pCur->pWantArg = pArg;
  /* following: a blocking dump, and each heartbeat ends mcNext as a
  ** timeout would (mv_feed_next makes that MV_FEED_IDLE) */
  pCur->follow = follow;
  pCur->timeoutMs = follow ? 1 : 0;
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

mv_feed *mv_feed_open(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                      const char *zDsnArg, mvs_want_fn xWant,
                      mv_feed_map_fn xMap, void *pArg, char **pzErr){
  return feedOpen(db, ctx, zStart, zDsnArg, xWant, xMap, pArg, 0, pzErr);
}

mv_feed *mv_feed_open_follow(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                             const char *zDsnArg, mvs_want_fn xWant,
                             mv_feed_map_fn xMap, void *pArg, char **pzErr){
  return feedOpen(db, ctx, zStart, zDsnArg, xWant, xMap, pArg, 1, pzErr);
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
  if( pCur->eof && pCur->follow ){
    /* a heartbeat: the end of a followed stream is an error, never eof */
    pCur->eof = 0;
    return MV_FEED_IDLE;
  }
  if( pCur->eof ) return SQLITE_DONE;
  *ppRow = &pCur->row;
  return SQLITE_ROW;
}

int mv_feed_where(mv_feed *f, char *zFile, size_t nFile, uint64_t *pNext){
  const char *z;
  uint64_t pos;
  if( !mv_changes_where((mc_cursor*)f->cur, &z, &pos, pNext) || strlen(z)>=nFile ){
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

unsigned mv_feed_source_id(mv_feed *f){
  mc_cursor *pCur = (mc_cursor*)f->cur;
  return pCur->rs ? mvs_source_id(pCur->rs) : 0;
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





static int mcColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  mc_cursor *pCur = (mc_cursor*)cur;
  const mvs_row *r = &pCur->row;
  int isRows = r->op>=MVS_INSERT && r->op<=MVS_DELETE;
  i = mv_changes_column_role(pCur->pTab, i);
  if( i<0 ){
    mv_changes_typed_column(pCur, ctx, -2 - i);
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
  enum { nRole = sizeof aRole / sizeof aRole[0] };
  int aCol[nRole], aBit[nRole], aIdx[3] = { -1, -1, -1 };
  int nHidden = 0, nArg = 0, idxNum = 0, i, k, rc;
  int nDecl = mv_changes_column_count(pTab);
  unsigned mask = 0;
  double cost = 1e6;
  /* the hidden arguments this table declares, in argv order */
  for(k=0; k<nRole; k++){
    for(i=0; i<nDecl && mv_changes_column_role(pTab, i)!=aRole[k]; i++){}
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
    int col = mv_changes_column_role(pTab, c->iColumn);
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
    rc = mv_changes_typed_connect(db, pTab, argc, argv, pzErr);
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
