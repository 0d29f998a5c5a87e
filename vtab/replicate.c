/*
** replicate.c — mysql_replicate(src [, local [, dsn [, options]]]): the
** mirror set of mysql_mirror(src, local, dsn) kept up to date
** continuously, until stopped. `shell/mysql-sqlite replicate FILE SRC
** [DSN]` runs it.
**
**   SELECT mysql_replicate('shop.%');         -- until sqlite3_interrupt()
**   SELECT mysql_replicate('shop.%', '%', NULL,
**                          'status_ms=1000 progress=1 signals=1');
**
** It runs in rounds, each one call of mysql_mirror's body (mv_mirror_call)
** with follow hooks (mirror.h, mirror_follow). The first round of a new
** set is the mirror's first call: the copy (its progress on standard error
** with progress=1). Every later round follows the binlog past its end
** (mv_feed_open_follow: a blocking dump, the server's heartbeat every 100
** ms), applies each MySQL transaction as it arrives and commits whole
** transactions with their position at least every batch_ms (250) and at
** each heartbeat, so a reader of the file sees a source transaction about
** a quarter of a second after its commit. Everything else is mysql_mirror's
** (schema changes followed, the state tables, exactly once by the recorded
** position). A round ends when asked to stop, or with an error:
**
** - a dropped connection or a server going away or restarting (the
**   messages pure/replicate_rules.c knows): a new round after a wait of
**   0.1 s doubling to 5 s (0.1 s again once a round has received from the
**   stream). It starts from the last committed position, so nothing is
**   lost and nothing repeated;
** - any other error (a missing privilege, a purged binlog, a schema change
**   the mirror cannot follow, sqlite3_interrupt()) ends the call with it;
**   what was committed stays.
**
** Stopping: sqlite3_interrupt() (the call fails with "interrupted"), or,
** with signals=1, SIGINT or SIGTERM: the round finishes the MySQL
** transaction in hand, commits with its position, and the call returns. A
** first copy under way is abandoned (rolled back: the next call copies
** again). A second signal ends the process at once (the signal's default
** action): the file is then as of its last commit. The previous handlers
** are back when the call returns.
**
** Status (status_ms=N: one line every N ms on standard output): the row
** changes committed per second since the last line, the lag (the local
** commit time of the last commit less the binlog timestamp of its last
** transaction: binlog timestamps are whole seconds, so it reads up to 1 s
** high), the position and GTID, the changes applied since the call began;
** while reconnecting, the error and the wait. mysql_mirror_sets.lag_s is
** written at each commit too, for other readers of the file.
**
** The call returns the row changes it applied (rows of a first copy not
** counted). It commits as it goes, so it refuses to run inside a
** transaction. SQLITE_DIRECTONLY, as every function reaching the network.
*/
#include "mirror.h"
#include "pure/replicate_rules.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct repl {
  sqlite3 *db;
  mv_ctx *ctx;
  const char *zSrc, *zLocal, *zDsnArg;
  mv_repl_opts o;
  mirror_follow fw;
  int nTick;                  /* ticks of this round */
  int caughtUp;               /* the last tick was at the log's end */
  sqlite3_int64 nApplied;     /* row changes committed, every round */
  sqlite3_int64 nAtStatus;    /* ... at the last status line */
  sqlite3_int64 tStatus;      /* when it was written (monotonic ms) */
  sqlite3_int64 lagMs;        /* the last commit's lag; -1: none yet */
  char *zPos, *zGtid;         /* the last commit's position */
  /* the copy under way (progress=1) */
  char *zCopy;                /* db.tbl */
  sqlite3_int64 tCopy, tProgress, nEstimate;
  sqlite3_int64 nCopyStart;   /* its rows at its first report: a chunked
                              ** copy resumed counts those of earlier runs */
} repl;

static sqlite3_int64 monoMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}
static sqlite3_int64 wallMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* One line to fd 1 (status) or 2 (progress), written whole. */
static void say(int fd, const char *z){
  size_t n = strlen(z);
  while( n>0 ){
    ssize_t k = write(fd, z, n);
    if( k<=0 ) return;
    z += k;
    n -= (size_t)k;
  }
}

/* ---- signals (signals=1) ---- */

static volatile sig_atomic_t replStop = 0;
static struct sigaction replOldInt, replOldTerm;

static void replOnSignal(int sig){
  if( replStop ){
    /* the second: at once, as the signal's default action */
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  replStop = 1;
}

static void signalsOn(void){
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = replOnSignal;
  sa.sa_flags = SA_RESTART;         /* a blocking read goes on */
  sigemptyset(&sa.sa_mask);
  replStop = 0;
  sigaction(SIGINT, &sa, &replOldInt);
  sigaction(SIGTERM, &sa, &replOldTerm);
}
static void signalsOff(void){
  sigaction(SIGINT, &replOldInt, 0);
  sigaction(SIGTERM, &replOldTerm, 0);
}

static int stopAsked(repl *r){
  return r->o.signals && replStop;
}

/* ---- the status line ---- */

static void status(repl *r, int attempt, int waitMs, const char *zErr,
                   int stopped){
  mv_repl_status s;
  char z[1200];
  sqlite3_int64 now = monoMs();
  double secs = (double)(now - r->tStatus)/1000.0;
  memset(&s, 0, sizeof s);
  s.now = wallMs()/1000;
  s.rate = secs>0 ? (double)(r->nApplied - r->nAtStatus)/secs : 0;
  s.lagMs = r->lagMs;
  s.caughtUp = r->caughtUp;
  s.zPos = r->zPos;
  s.zGtid = r->zGtid;
  s.nApplied = r->nApplied;
  s.attempt = attempt;
  s.waitMs = waitMs;
  s.zErr = zErr;
  s.stopped = stopped;
  mv_repl_status_line(z, sizeof z - 1, &s);
  strcat(z, "\n");
  say(1, z);
  r->tStatus = now;
  r->nAtStatus = r->nApplied;
}

static void statusDue(repl *r){
  if( r->o.statusMs>0 && monoMs() - r->tStatus>=r->o.statusMs ){
    status(r, 0, 0, 0, 0);
  }
}

/* ---- the hooks (mirror_follow) ---- */

static int onTick(void *pArg, int idle){
  repl *r = (repl*)pArg;
  r->nTick++;
  r->caughtUp = idle;
  statusDue(r);
  return stopAsked(r);
}

static void onCommit(void *pArg, const char *zPos, const char *zGtid,
                     sqlite3_int64 nChanges, sqlite3_int64 ts){
  repl *r = (repl*)pArg;
  r->nApplied += nChanges;
  if( nChanges>0 && ts>0 ){
    r->lagMs = wallMs() - ts*1000;
    if( r->lagMs<0 ) r->lagMs = 0;
  }
  if( zPos ){
    sqlite3_free(r->zPos);
    r->zPos = sqlite3_mprintf("%s", zPos);
  }
  if( zGtid ){
    sqlite3_free(r->zGtid);
    r->zGtid = sqlite3_mprintf("%s", zGtid);
  }
}

/* The server's estimate of a table's rows, or -1. */
static sqlite3_int64 estimate(repl *r, const char *zDb, const char *zTbl){
  char *zErr = 0;
  mv_conn *c = mv_conn_get(r->ctx, mv_dsn_text(r->zDsnArg), &zErr);
  sqlite3_int64 n = c ? mv_table_rows_estimate(r->ctx, c, zDb, zTbl) : -1;
  sqlite3_free(zErr);
  mv_conn_release(r->ctx, c);
  return n;
}

static int onProgress(void *pArg, const char *zDb, const char *zTbl,
                      int iTab, int nTab, sqlite3_int64 nRows, int done){
  repl *r = (repl*)pArg;
  sqlite3_int64 now = monoMs();
  char *zName = sqlite3_mprintf("%s.%s", zDb, zTbl), *z = 0;
  if( zName && (r->zCopy==0 || strcmp(r->zCopy, zName)!=0) ){
    /* a new table (its first report, before its first row) */
    sqlite3_free(r->zCopy);
    r->zCopy = zName;
    zName = 0;
    r->tCopy = now;
    r->tProgress = now;
    r->nCopyStart = nRows;
    r->nEstimate = r->o.progress ? estimate(r, zDb, zTbl) : -1;
  }
  sqlite3_free(zName);
  if( r->o.progress && (done || now - r->tProgress>=1000) ){
    double secs = (double)(now - r->tCopy)/1000.0;
    double rate = secs>0 ? (double)(nRows - r->nCopyStart)/secs : 0;
    sqlite3_str *s = sqlite3_str_new(0);
    sqlite3_str_appendf(s, "copy %s (table %d of %d): %lld rows", r->zCopy,
                        iTab + 1, nTab, (long long)nRows);
    if( done ){
      sqlite3_str_appendf(s, ", done in %.1f s", secs);
    }else{
      if( r->nEstimate>0 ){
        sqlite3_str_appendf(s, " of ~%lld (%d%%)", (long long)r->nEstimate,
                            (int)(nRows*100/r->nEstimate > 99 ? 99 : nRows*100/r->nEstimate));
      }
      sqlite3_str_appendf(s, ", %.0f rows/s", rate);
      if( r->nEstimate>nRows && rate>0 ){
        sqlite3_str_appendf(s, ", ~%.0f s left", (double)(r->nEstimate - nRows)/rate);
      }
    }
    sqlite3_str_appendall(s, "\n");
    z = sqlite3_str_finish(s);
    if( z ) say(2, z);
    sqlite3_free(z);
    r->tProgress = now;
  }
  if( done ){
    sqlite3_free(r->zCopy);
    r->zCopy = 0;
  }
  return stopAsked(r);
}

/* The set's position as recorded (for the status before any commit):
** the set is named as mysql_mirror names it (mirror.c). */
static void recordedPosition(repl *r){
  sqlite3_stmt *p = 0;
  if( sqlite3_prepare_v2(r->db, "SELECT pos, gtid FROM main.mysql_mirror_sets"
        " WHERE name=CASE WHEN instr(?2, '%') THEN ?1 || ' -> ' || ?2 ELSE"
        " coalesce((SELECT set_name FROM main.mysql_mirror_state WHERE"
        " local_tbl=?2), ?2) END", -1, &p, 0)==SQLITE_OK ){
    sqlite3_bind_text(p, 1, r->zSrc, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 2, r->zLocal, -1, SQLITE_STATIC);
    if( sqlite3_step(p)==SQLITE_ROW ){
      onCommit(r, (const char*)sqlite3_column_text(p, 0),
               (const char*)sqlite3_column_text(p, 1), 0, 0);
    }
  }
  sqlite3_finalize(p);
}

/* Wait ms, or less when a stop is asked; the status line goes on. */
static void waitFor(repl *r, int ms, int attempt, const char *zErr){
  sqlite3_int64 tEnd = monoMs() + ms;
  while( !stopAsked(r) && monoMs()<tEnd ){
    if( r->o.statusMs>0 && monoMs() - r->tStatus>=r->o.statusMs ){
      status(r, attempt, (int)(tEnd - monoMs()), zErr, 0);
    }
    usleep(20000);
  }
}

static void replicateFunc(sqlite3_context *pCtx, int argc, sqlite3_value **argv){
  repl r;
  char zOptErr[200];
  const char *zOpts = argc>3 ? (const char*)sqlite3_value_text(argv[3]) : 0;
  char *zErr = 0;
  int waitMs = 0, attempt = 0;

  memset(&r, 0, sizeof r);
  r.db = sqlite3_context_db_handle(pCtx);
  r.ctx = (mv_ctx*)sqlite3_user_data(pCtx);
  r.zSrc = (const char*)sqlite3_value_text(argv[0]);
  r.zLocal = argc>1 ? (const char*)sqlite3_value_text(argv[1]) : "%";
  r.zDsnArg = argc>2 ? (const char*)sqlite3_value_text(argv[2]) : 0;
  r.lagMs = -1;
  if( r.zSrc==0 || r.zSrc[0]==0 ){
    sqlite3_result_error(pCtx, "mysql_replicate: the source table (argument 1) is empty", -1);
    return;
  }
  if( r.zLocal==0 || r.zLocal[0]==0 ){
    sqlite3_result_error(pCtx, "mysql_replicate: the local table (argument 2) is empty", -1);
    return;
  }
  if( mv_repl_parse_opts(zOpts, &r.o, zOptErr, sizeof zOptErr) ){
    char *z = sqlite3_mprintf("mysql_replicate: options (argument 4): %s", zOptErr);
    sqlite3_result_error(pCtx, z ? z : "out of memory", -1);
    sqlite3_free(z);
    return;
  }
  if( !sqlite3_get_autocommit(r.db) ){
    sqlite3_result_error(pCtx, "mysql_replicate: cannot run inside a transaction"
                         " (it commits as it goes; call mysql_mirror there)", -1);
    return;
  }
  r.fw.batchMs = r.o.batchMs;
  r.fw.zCopyOpts = r.o.zCopy;
  r.fw.pArg = &r;
  r.fw.xTick = onTick;
  r.fw.xCommit = onCommit;
  r.fw.xProgress = onProgress;
  r.tStatus = monoMs();
  if( r.o.signals ) signalsOn();
  recordedPosition(&r);

  while( !stopAsked(&r) ){
    const char *zWhy;
    r.nTick = 0;
    r.fw.n = 0;
    r.fw.zErr = 0;
    mv_mirror_call(pCtx, argc<3 ? argc : 3, argv, &r.fw);
    if( r.fw.zErr==0 ){
      if( r.nTick==0 ){
        /* a first call (an apply round ends only by its tick): the copy */
        char *z = sqlite3_mprintf("copied %lld rows; following the binlog\n",
                                  (long long)r.fw.n);
        if( r.o.progress && z ) say(2, z);
        sqlite3_free(z);
        recordedPosition(&r);
      }
      waitMs = 0;
      attempt = 0;
      continue;
    }
    zWhy = r.fw.zErr;
    if( stopAsked(&r) ){
      /* stopped mid-copy, or a read cut short by the signal: the set is
      ** as of its last commit */
      if( r.o.progress ){
        char *z = sqlite3_mprintf("%s: what it had not committed is not kept\n", zWhy);
        if( z ) say(2, z);
        sqlite3_free(z);
      }
      sqlite3_free(r.fw.zErr);
      r.fw.zErr = 0;
      break;
    }
    if( r.fw.n==-2 || !mv_repl_transient(zWhy) ){
      zErr = r.fw.zErr;
      r.fw.zErr = 0;
      break;
    }
    /* reconnect: at once the first time after a round that received
    ** from the stream, else the next wait */
    waitMs = r.nTick>0 ? MV_REPL_BACKOFF_FIRST : mv_repl_backoff_ms(waitMs);
    attempt = r.nTick>0 ? 1 : attempt + 1;
    if( r.o.statusMs>0 ) status(&r, attempt, waitMs, zWhy, 0);
    waitFor(&r, waitMs, attempt, zWhy);
    sqlite3_free(r.fw.zErr);
    r.fw.zErr = 0;
  }

  if( r.o.signals ) signalsOff();
  if( zErr ){
    char *z = sqlite3_mprintf("mysql_replicate: %s", zErr);
    sqlite3_result_error(pCtx, z ? z : "mysql_replicate: out of memory", -1);
    sqlite3_free(z);
  }else{
    if( r.o.statusMs>0 ) status(&r, 0, 0, 0, 1);
    sqlite3_result_int64(pCtx, r.nApplied);
  }
  sqlite3_free(zErr);
  sqlite3_free(r.zPos);
  sqlite3_free(r.zGtid);
  sqlite3_free(r.zCopy);
}

int mv_register_replicate(sqlite3 *db, mv_ctx *ctx){
  return mv_register_function(db, ctx, "mysql_replicate", 1, 4, replicateFunc);
}
