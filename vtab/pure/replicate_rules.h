/*
** replicate_rules.h — what mysql_replicate decides without a server or
** SQLite: its options, which errors it retries (a dropped connection, a
** server going away or restarting) and how long it waits before the next
** attempt, and the text of its status line. The glue is vtab/replicate.c;
** unit-tested in test/unit/replicate_rules_test.c.
*/
#ifndef MV_REPLICATE_RULES_H
#define MV_REPLICATE_RULES_H

#include <stddef.h>
#include <stdint.h>

/* The options argument: "key=value" pairs separated by spaces. */
typedef struct mv_repl_opts {
  int statusMs;       /* status_ms: a status line this often on standard
                      ** output (0, the default: none) */
  int batchMs;        /* batch_ms: commit applied transactions at least
                      ** this often (default 250, 10..10000) */
  int progress;       /* progress=1: the copies' progress on standard error */
  int signals;        /* signals=1: SIGINT and SIGTERM stop the call cleanly */
  char zCopy[96];     /* the copy=... and chunk_rows=... pairs as given,
                      ** space-separated: mysql_mirror's own options, which
                      ** its parser checks (vtab/mirror_copy.c) */
} mv_repl_opts;

#define MV_REPL_BATCH_MS 250

/* Parse zOpts (NULL or "" for the defaults) into *p. 0 on success; else 1
** with the message in zErr[nErr] naming the bad pair. copy= and chunk_rows=
** are collected into p->zCopy unchecked. */
int mv_repl_parse_opts(const char *zOpts, mv_repl_opts *p, char *zErr,
                       size_t nErr);

/* Is zMsg, the message of a failed mysql_mirror call, one of a connection
** that dropped or of a server that is going away, restarting or not up
** yet, which a new attempt may get past? (An interrupt, a missing
** privilege, a purged binlog, a schema change that cannot be followed:
** not.) */
int mv_repl_transient(const char *zMsg);

/* The wait before the next attempt, in ms, after one of prevMs (0 for
** the first): 100, doubling, at most 5000. */
#define MV_REPL_BACKOFF_FIRST 100
#define MV_REPL_BACKOFF_MAX   5000
int mv_repl_backoff_ms(int prevMs);

/* What one status line says. */
typedef struct mv_repl_status {
  int64_t now;          /* wall clock, Unix seconds (the line's UTC time) */
  double rate;          /* row changes committed per second since the last line */
  int64_t lagMs;        /* the last commit's: its local commit time less
                        ** its source transaction's binlog timestamp; <0:
                        ** none yet */
  int caughtUp;         /* the stream is at the end of the log */
  int stopped;          /* the last line: the call is ending */
  const char *zPos;     /* the last commit's position (NULL: none yet) */
  const char *zGtid;    /* its GTID (NULL: none) */
  int64_t nApplied;     /* row changes committed since the call began */
  int attempt;          /* >0: reconnecting, this attempt is next */
  int waitMs;           /* ... in this long */
  const char *zErr;     /* ... after this error */
} mv_repl_status;

/* The line (no newline) into z[n], cut to fit; returns its length. */
size_t mv_repl_status_line(char *z, size_t n, const mv_repl_status *s);

#endif /* MV_REPLICATE_RULES_H */
