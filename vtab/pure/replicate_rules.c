/*
** replicate_rules.c — mysql_replicate's decisions (replicate_rules.h):
** options, retried errors, the backoff, the status line.
*/
#include "replicate_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- options ---- */

/* A whole number in [lo, hi] from z[0..n); 0 on success. */
static int number(const char *z, size_t n, int lo, int hi, int *pOut){
  long v = 0;
  size_t i;
  if( n==0 || n>9 ) return 1;
  for(i=0; i<n; i++){
    if( !isdigit((unsigned char)z[i]) ) return 1;
    v = v*10 + (z[i] - '0');
  }
  if( v<lo || v>hi ) return 1;
  *pOut = (int)v;
  return 0;
}

/* Is the pair at zPair, whose '=' is at zEq, the key zKey? */
static int isKey(const char *zPair, const char *zEq, const char *zKey){
  size_t nKey = strlen(zKey);
  return (size_t)(zEq - zPair)==nKey && memcmp(zPair, zKey, nKey)==0;
}

int mv_repl_parse_opts(const char *zOpts, mv_repl_opts *p, char *zErr,
                       size_t nErr){
  static const struct { const char *zKey; int lo, hi; size_t off; } aKey[] = {
    { "status_ms", 0, 86400000, offsetof(mv_repl_opts, statusMs) },
    { "batch_ms",  10, 10000,   offsetof(mv_repl_opts, batchMs) },
    { "progress",  0, 1,        offsetof(mv_repl_opts, progress) },
    { "signals",   0, 1,        offsetof(mv_repl_opts, signals) },
  };
  const char *z = zOpts ? zOpts : "";
  memset(p, 0, sizeof *p);
  p->batchMs = MV_REPL_BATCH_MS;
  if( nErr ) zErr[0] = 0;
  while( *z ){
    const char *zPair, *zEq;
    size_t nPair, k;
    while( *z==' ' || *z=='\t' ) z++;
    if( *z==0 ) break;
    zPair = z;
    while( *z && *z!=' ' && *z!='\t' ) z++;
    nPair = (size_t)(z - zPair);
    zEq = memchr(zPair, '=', nPair);
    if( zEq && (isKey(zPair, zEq, "copy") || isKey(zPair, zEq, "chunk_rows")) ){
      size_t nHave = strlen(p->zCopy);
      if( nHave + 1 + nPair >= sizeof p->zCopy ){
        snprintf(zErr, nErr, "option '%.*s': the copy options are too long",
                 (int)nPair, zPair);
        return 1;
      }
      if( nHave ) p->zCopy[nHave++] = ' ';
      memcpy(p->zCopy + nHave, zPair, nPair);
      p->zCopy[nHave + nPair] = 0;
      continue;
    }
    for(k=0; zEq && k<sizeof aKey/sizeof aKey[0]; k++){
      if( isKey(zPair, zEq, aKey[k].zKey) ) break;
    }
    if( zEq==0 || k==sizeof aKey/sizeof aKey[0] ){
      snprintf(zErr, nErr, "unknown option '%.*s' (the options are"
               " status_ms=N, batch_ms=N, progress=0|1, signals=0|1, and"
               " mysql_mirror's copy=auto|chunked|snapshot and chunk_rows=N)",
               (int)nPair, zPair);
      return 1;
    }
    if( number(zEq + 1, nPair - (size_t)(zEq + 1 - zPair), aKey[k].lo,
               aKey[k].hi, (int*)((char*)p + aKey[k].off)) ){
      snprintf(zErr, nErr, "bad option '%.*s': %s must be a whole number"
               " from %d to %d", (int)nPair, zPair, aKey[k].zKey, aKey[k].lo,
               aKey[k].hi);
      return 1;
    }
  }
  return 0;
}

/* ---- retried errors ---- */

/* Does z hold zPat, ignoring ASCII case? */
static int hasWord(const char *z, const char *zPat){
  size_t n = strlen(zPat);
  for(; *z; z++){
    size_t i;
    for(i=0; i<n && z[i] && tolower((unsigned char)z[i])==zPat[i]; i++){}
    if( i==n ) return 1;
  }
  return 0;
}

int mv_repl_transient(const char *zMsg){
  /* The words of the client libraries (Connector/C and libmysqlclient
  ** differ: "Lost connection to server" / "to MySQL server") and of the
  ** servers, and the numbers where a message carries one: 2002, 2003
  ** cannot connect, 2006 gone away, 2013 and 2055 lost, 1040 too many
  ** connections, 1053 shutting down, 1927 and 3169 killed (MariaDB,
  ** MySQL), 1317 interrupted by the server, 4031 disconnected for
  ** inactivity. The stream's own: the server ended it. */
  static const char *azWord[] = {
    "lost connection", "gone away", "can't connect", "connection refused",
    "connection was killed", "session was killed", "shutdown in progress",
    "server shutdown", "too many connections", "ended the binlog stream",
    "error 2002", "error 2003", "error 2006", "error 2013", "error 2055",
    "error 1040", "error 1053", "error 1317", "error 1927", "error 3169",
    "error 4031",
  };
  size_t i, n;
  if( zMsg==0 ) return 0;
  /* sqlite3_interrupt(): the user's, never retried */
  n = strlen(zMsg);
  if( n>=13 && strcmp(zMsg + n - 13, ": interrupted")==0 ) return 0;
  for(i=0; i<sizeof azWord/sizeof azWord[0]; i++){
    if( hasWord(zMsg, azWord[i]) ) return 1;
  }
  return 0;
}

int mv_repl_backoff_ms(int prevMs){
  if( prevMs<MV_REPL_BACKOFF_FIRST ) return MV_REPL_BACKOFF_FIRST;
  if( prevMs>=MV_REPL_BACKOFF_MAX/2 ) return MV_REPL_BACKOFF_MAX;
  return prevMs*2;
}

/* ---- the status line ---- */

size_t mv_repl_status_line(char *z, size_t n, const mv_repl_status *s){
  char zTime[32], zLag[48], zGtid[160];
  time_t t = (time_t)s->now;
  struct tm tm;
  int k;
  if( n==0 ) return 0;
  if( gmtime_r(&t, &tm)==0 ) memset(&tm, 0, sizeof tm);
  strftime(zTime, sizeof zTime, "%Y-%m-%d %H:%M:%S", &tm);
  if( s->lagMs<0 ) snprintf(zLag, sizeof zLag, "lag -");
  else snprintf(zLag, sizeof zLag, "lag %.1f s", (double)s->lagMs/1000.0);
  if( s->zGtid && s->zGtid[0] ) snprintf(zGtid, sizeof zGtid, ", gtid %s", s->zGtid);
  else zGtid[0] = 0;
  if( s->attempt>0 ){
    k = snprintf(z, n, "%s reconnecting in %.1f s (attempt %d) after: %s;"
                 " pos %s%s, %lld applied", zTime, (double)s->waitMs/1000.0,
                 s->attempt, s->zErr ? s->zErr : "?",
                 s->zPos ? s->zPos : "-", zGtid, (long long)s->nApplied);
  }else{
    k = snprintf(z, n, "%s %s%.0f changes/s, %s%s, pos %s%s, %lld applied",
                 zTime, s->stopped ? "stopped: " : "", s->rate, zLag,
                 s->caughtUp ? " (caught up)" : "",
                 s->zPos ? s->zPos : "-", zGtid, (long long)s->nApplied);
  }
  if( k<0 ){ z[0] = 0; return 0; }
  return (size_t)k<n ? (size_t)k : n-1;
}
