/*
** calls.c — the client library's calls that wait for the server, made
** interruptible by sqlite3_interrupt() (see mysqlvtab.h), and mv_query /
** mv_exec on top of them.
*/
#include "mysqlvtab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#ifdef MARIADB_PACKAGE_VERSION_ID
#include <poll.h>
#endif

MYSQL_RES *mv_query_as(mv_ctx *ctx, mv_conn *c, const char *zSql,
                       const char *zLog, const char *zWhat, char **pzErr){
  MYSQL_RES *res;
  *pzErr = 0;
  if( zLog==0 ) zLog = zSql;
  if( zWhat==0 ) zWhat = zLog;
  mv_log_query(ctx, zLog);
  if( mv_real_query(c, zSql) ){
    *pzErr = mv_conn_error(c, zWhat);
    return 0;
  }
  res = mv_store_result(c);
  if( res==0 && (mysql_errno(c->mysql) || mysql_field_count(c->mysql)>0) ){
    *pzErr = mv_conn_error(c, zWhat);
  }
  return res;
}

MYSQL_RES *mv_query(mv_ctx *ctx, mv_conn *c, const char *zSql,
                    const char *zWhat, char **pzErr){
  MYSQL_RES *res = mv_query_as(ctx, c, zSql, 0, zWhat, pzErr);
  if( res==0 && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s: no result from: %s", zWhat, zSql);
  }
  return res;
}

int mv_exec(mv_ctx *ctx, mv_conn *c, const char *zSql, char **pzErr){
  MYSQL_RES *res;
  mv_log_query(ctx, zSql);
  if( mv_real_query(c, zSql) ){
    *pzErr = mv_conn_error(c, zSql);
    return 1;
  }
  res = mv_store_result(c);
  if( res ) mysql_free_result(res);
  return 0;
}

/* ---- interruptible calls (see mysqlvtab.h) ---- */

static int64_t monotonicMs(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec*1000 + t.tv_nsec/1000000;
}

/* Stop thread id's running statement from a second connection with the
** DSN zDsn. Its own user may KILL QUERY its own threads, no privilege
** needed. (Also from libmysqlclient's watcher thread, below.) */
static void killQueryOf(const char *zDsn, unsigned long id){
  mv_dsn dsn;
  char *zErr = 0;
  MYSQL *m;
  if( mv_dsn_parse(zDsn ? zDsn : "", &dsn, &zErr)==0 ){
    m = mv_connect(&dsn, &zErr);
    if( m ){
      char zSql[40];
      snprintf(zSql, sizeof zSql, "KILL QUERY %lu", id);
      (void)mysql_real_query(m, zSql, (unsigned long)strlen(zSql));
      mysql_close(m);
    }
    mv_dsn_free(&dsn);
  }
  sqlite3_free(zErr);
}

#ifdef MARIADB_PACKAGE_VERSION_ID

/* Wait for the events a non-blocking call asked for (MYSQL_WAIT_*), 100 ms
** at a time, listening for sqlite3_interrupt() in between; return the
** events that happened, for the call's _cont. A call may wait several
** times: c->interrupted (when the kill was sent) carries over. */
static int connWait(mv_conn *c, int status){
  struct pollfd pfd;
  int64_t deadline = -1;
  memset(&pfd, 0, sizeof pfd);
  pfd.fd = (int)mysql_get_socket(c->mysql);
  if( status & MYSQL_WAIT_READ ) pfd.events |= POLLIN;
  if( status & MYSQL_WAIT_WRITE ) pfd.events |= POLLOUT;
  if( status & MYSQL_WAIT_EXCEPT ) pfd.events |= POLLPRI;
  if( status & MYSQL_WAIT_TIMEOUT ){
    deadline = monotonicMs() + mysql_get_timeout_value_ms(c->mysql);
  }
  for(;;){
    int rc = poll(&pfd, 1, 100);
    if( rc>0 ){
      int r = 0;
      if( pfd.revents & (POLLIN|POLLHUP|POLLERR) ) r |= MYSQL_WAIT_READ;
      if( pfd.revents & (POLLOUT|POLLHUP|POLLERR) ) r |= MYSQL_WAIT_WRITE;
      if( pfd.revents & POLLPRI ) r |= MYSQL_WAIT_EXCEPT;
      /* the library finds out itself what a hang-up means */
      r &= status;
      if( r ) return r;
    }else if( rc<0 && errno!=EINTR ){
      return status & (MYSQL_WAIT_READ|MYSQL_WAIT_WRITE);
    }
    if( deadline>=0 && monotonicMs()>=deadline ) return MYSQL_WAIT_TIMEOUT;
    if( c->interrupted==0 ){
      if( c->db && mv_interrupted(c->db) ){
        killQueryOf(c->zDsn, mysql_thread_id(c->mysql));
        c->interrupted = monotonicMs();
      }
    }else if( c->interrupted>0 && monotonicMs() - c->interrupted >= 2000 ){
      /* the kill did not end it (no second connection, say): drop the
      ** connection, which fails the call; the pool will not lend it */
      shutdown(pfd.fd, SHUT_RDWR);
      c->interrupted = -1;
    }
  }
}

/* Run a _start/_cont pair to the end: START the call that starts it,
** CONT the one that goes on after the events st_. */
#define MV_NONBLOCKING(c, START, CONT) do{     \
    int st_;                                      \
    (c)->interrupted = 0;                         \
    st_ = START;                                  \
    while( st_ ){                                 \
      st_ = connWait((c), st_);                   \
      st_ = CONT;                                 \
    }                                             \
  }while(0)

int mv_real_query(mv_conn *c, const char *zSql){
  int ret = 1;
  MV_NONBLOCKING(c,
      mysql_real_query_start(&ret, c->mysql, zSql, (unsigned long)strlen(zSql)),
      mysql_real_query_cont(&ret, c->mysql, st_));
  return ret;
}

MYSQL_RES *mv_store_result(mv_conn *c){
  MYSQL_RES *res = 0;
  MV_NONBLOCKING(c, mysql_store_result_start(&res, c->mysql),
                 mysql_store_result_cont(&res, c->mysql, st_));
  return res;
}

int mv_stmt_prepare(mv_conn *c, MYSQL_STMT *stmt, const char *zSql){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_prepare_start(&ret, stmt, zSql,
                                             (unsigned long)strlen(zSql)),
                 mysql_stmt_prepare_cont(&ret, stmt, st_));
  return ret;
}

int mv_stmt_execute(mv_conn *c, MYSQL_STMT *stmt){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_execute_start(&ret, stmt),
                 mysql_stmt_execute_cont(&ret, stmt, st_));
  return ret;
}

int mv_stmt_fetch(mv_conn *c, MYSQL_STMT *stmt){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_fetch_start(&ret, stmt),
                 mysql_stmt_fetch_cont(&ret, stmt, st_));
  return ret;
}

#else  /* MySQL's libmysqlclient: no _start/_cont API for statements */

/* A watcher thread does what connWait does above: every 100 ms it looks
** at the calls in progress (each registers itself for its duration) and,
** for one whose connection's SQLite handle was interrupted, sends KILL QUERY
** from a second connection, and two seconds later shuts the socket down.
** The registry's mutex makes a call's connection safe to touch: a call
** unregisters before its connection can go. KILL connects, so it runs
** outside the mutex, on copies of what it needs. Interrupts are seen with
** SQLite 3.41+ (sqlite3_is_interrupted, safe from another thread); older
** SQLite cannot be asked from outside its statement. */
#include <pthread.h>

typedef struct mv_watch {
  mv_conn *c;
  int64_t killedAt;            /* when KILL QUERY was sent; 0 not yet */
  struct mv_watch *pNext;
} mv_watch;

static pthread_mutex_t watchMutex = PTHREAD_MUTEX_INITIALIZER;
static mv_watch *watchList = 0;
static int watcherStarted = 0;
static int watcherStop = 0;
static pthread_t watcherThread;

static int canAskInterrupt(void){
#if SQLITE_VERSION_NUMBER>=3041000
  return sqlite3_libversion_number()>=3041000;
#else
  return 0;
#endif
}

static void *watcher(void *pArg){
  (void)pArg;
  mysql_thread_init();
  for(;;){
    struct timespec pause = { 0, 100*1000*1000 };
    char *zDsn = 0;
    unsigned long id = 0;
    mv_watch *w;
    nanosleep(&pause, 0);
    pthread_mutex_lock(&watchMutex);
    if( watcherStop ){
      pthread_mutex_unlock(&watchMutex);
      break;
    }
    for(w=watchList; w; w=w->pNext){
      if( w->killedAt==0 ){
        if( w->c->db && canAskInterrupt() && sqlite3_is_interrupted(w->c->db)
         && zDsn==0 ){
          zDsn = sqlite3_mprintf("%s", w->c->zDsn ? w->c->zDsn : "");
          id = mysql_thread_id(w->c->mysql);
          w->killedAt = w->c->interrupted = monotonicMs();
        }
      }else if( w->killedAt>0 && monotonicMs() - w->killedAt>=2000 ){
        /* the kill did not end it: drop the connection, which fails the
        ** call; the pool will not lend it */
        shutdown((int)w->c->mysql->net.fd, SHUT_RDWR);
        w->killedAt = w->c->interrupted = -1;
      }
    }
    pthread_mutex_unlock(&watchMutex);
    if( zDsn ){
      killQueryOf(zDsn, id);
      sqlite3_free(zDsn);
    }
  }
  mysql_thread_end();
  return 0;
}

/* The thread runs this library's code: it must end before the library is
** unloaded (sqlite3_close of the last connection that loaded it). */
__attribute__((destructor)) static void watcherUnload(void){
  int started;
  pthread_mutex_lock(&watchMutex);
  watcherStop = 1;
  started = watcherStarted;
  pthread_mutex_unlock(&watchMutex);
  if( started ) pthread_join(watcherThread, 0);
}

/* reset: a call that starts a statement (not one that reads the result of
** an interrupted one, which must still say "interrupted") */
static void watchBegin(mv_conn *c, mv_watch *w, int reset){
  if( reset ) c->interrupted = 0;
  w->c = c;
  w->killedAt = 0;
  pthread_mutex_lock(&watchMutex);
  if( !watcherStarted && !watcherStop ){
    watcherStarted = pthread_create(&watcherThread, 0, watcher, 0)==0;
  }
  w->pNext = watchList;
  watchList = w;
  pthread_mutex_unlock(&watchMutex);
}

static void watchEnd(mv_watch *w){
  mv_watch **pp;
  pthread_mutex_lock(&watchMutex);
  for(pp=&watchList; *pp; pp=&(*pp)->pNext){
    if( *pp==w ){ *pp = w->pNext; break; }
  }
  pthread_mutex_unlock(&watchMutex);
}

/* CALL (an expression) with c's calls watched for its duration. */
#define MV_WATCHED(c, RESET, CALL) do{ \
    mv_watch w_;                 \
    watchBegin((c), &w_, RESET); \
    CALL;                        \
    watchEnd(&w_);               \
  }while(0)

int mv_real_query(mv_conn *c, const char *zSql){
  int rc;
  MV_WATCHED(c, 1, rc = mysql_real_query(c->mysql, zSql, (unsigned long)strlen(zSql)));
  return rc;
}
MYSQL_RES *mv_store_result(mv_conn *c){
  MYSQL_RES *res;
  MV_WATCHED(c, 0, res = mysql_store_result(c->mysql));
  return res;
}
int mv_stmt_prepare(mv_conn *c, MYSQL_STMT *stmt, const char *zSql){
  int rc;
  MV_WATCHED(c, 1, rc = mysql_stmt_prepare(stmt, zSql, (unsigned long)strlen(zSql)));
  return rc;
}
int mv_stmt_execute(mv_conn *c, MYSQL_STMT *stmt){
  int rc;
  MV_WATCHED(c, 1, rc = mysql_stmt_execute(stmt));
  return rc;
}
int mv_stmt_fetch(mv_conn *c, MYSQL_STMT *stmt){
  int rc;
  MV_WATCHED(c, 0, rc = mysql_stmt_fetch(stmt));
  return rc;
}

#endif
