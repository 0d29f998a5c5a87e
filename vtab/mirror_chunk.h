/*
** mirror_chunk.h — what the four files of mysql_mirror's chunked first
** copy share: mirror_chunk.c (the design, a chunk read between its
** watermarks, the copy's loop), mirror_pass.c (the binlog between them,
** applied or skipped key by key), mirror_copy.c (the choice of method,
** the options, the copy's state in mysql_mirror_state), mirror_cfail.c
** (going on on another server after a failover). Internal.
*/
#ifndef MV_MIRROR_CHUNK_H
#define MV_MIRROR_CHUNK_H

#include "mirror.h"
#include "changes.h"
#include "pure/keycmp.h"

#include <time.h>

#define CHUNK_DEFAULT_ROWS 10000  /* chunk_rows when not given */
#define MV_CHUNK_AUTO_ROWS 100000 /* copy=auto: chunked above this estimate */
#define CHUNK_COMMIT_MS    500    /* a commit this often, at least */
#define CHUNK_WAIT_MS      30000  /* how long a watermark may be waited for */
#define CHUNK_KEY_MAX      64     /* key columns, at most (MariaDB: 32) */

static inline sqlite3_int64 mv_chunk_now_ms(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* ---- binlog positions ---- */

typedef struct bpos {
  char zFile[MVS_NAME_MAX];
  uint64_t off;
} bpos;

static inline int posCmp(const bpos *a, const bpos *b){
  int c = mvs_compare_files(a->zFile, b->zFile);
  if( c ) return c;
  return a->off<b->off ? -1 : a->off>b->off;
}
/* "file:offset" into *p; 0, or non-zero when z is not one */
static inline int posSet(bpos *p, const char *z){
  return z==0 || mvs_parse_pos(z, p->zFile, sizeof p->zFile, &p->off);
}
static inline char *posText(const bpos *p){
  return sqlite3_mprintf("%s:%llu", p->zFile, (unsigned long long)p->off);
}
/* Is the event at zPos before p? */
static inline int posBefore(const char *zPos, const bpos *p){
  bpos e;
  return posSet(&e, zPos)==0 && posCmp(&e, p)<0;
}

/* ---- one table's copy ---- */

typedef struct ctab {
  int chunked;             /* copied in chunks (else by the snapshot) */
  int done;                /* copied (or left the set) */
  int nKey;                /* its key columns (t->nPk) */
  mv_keyclass *aCls;
  char **azCs, **azColl;   /* text key columns: charset and collation */
  MYSQL_STMT **apCmp;      /* text key columns: STRCMP in that collation */
  mv_key last;             /* the copied range: keys up to this (n 0: none) */
  int inFlight;            /* a chunk read and not yet reconciled: */
  mv_key end;              /*   its last key (n 0: the table's end) */
  bpos lo, hi;             /*   its watermarks */
  char *zSeen;             /*   GTIDs its read may have seen (a failover) */
  sqlite3_int64 rows;      /* rows copied */
  sqlite3_int64 estimate;  /* the server's TABLE_ROWS */
  sqlite3_int64 rows0, t0; /* rows when this call began it, and when (ms) */
  char *zKey, *zChunkEnd;  /* as read from the state, until parsed */
  int reported;            /* its progress was reported in this call */
  int missing;             /* its source was not found at the last read */
  int lost;                /* not found as the call began: copied again */
  sqlite3_int64 tMissing;  /* since when (ms; 0: found) */
} ctab;

/* ---- the copy of a set ---- */

typedef struct copier {
  mirror *m;
  const char *zDsnArg, *zDsn;
  mv_conn *c;               /* chunks, watermarks, collations */
  int isMaria;
  ctab *aT;                 /* per table of the set (m->aTab's order) */
  int nT;
  ctab *pCur;               /* the table whose key is being compared */
  mv_feed *f;               /* the stream, kept open from pass to pass */
  int checked;              /* its sender was checked */
  const mvs_row *pending;   /* its next row, past the last Hi */
  bpos p;                   /* P: applied up to here (a commit's end) */
  bpos s;                   /* the stream was read up to here (>= P) */
  char *zGtid;              /* the GTID of the last transaction before P */
  int byGtid;               /* catching up on a new server: the stream
                            ** from the set's GTID position, no commit */
  sqlite3_int64 lastTs;
  int inTxn;                /* inside a MySQL transaction (a savepoint) */
  sqlite3_int64 nUnrecorded, nApplied, tCommit;
  mv_value *aK;             /* a row's key values */
  mv_buf cmpA, cmpB;        /* text values as UTF-8, for STRCMP */
  mv_key held;              /* a chunk's last row */
  sqlite3_int64 nRead;      /* rows of the chunk being read */
  int pauseMs;              /* MYSQL_VTAB_TEST_CHUNK_PAUSE_MS */
} copier;

/* mirror_copy.c: the choice, the state */
int mv_chunk_key_info(mirror *m, mv_conn *c, mtable *t, ctab *tc, char **pzWhy);
char *mv_chunk_watermark_problem(mirror *m, mv_conn *c);
void mv_chunk_ctab_free(ctab *tc);
int mv_chunk_state_load(copier *cp);
int mv_chunk_commit(copier *cp);
int mv_chunk_maybe_commit(copier *cp);

/* mirror_chunk.c: the binlog position now (a watermark); 0, 1 on error */
int mv_chunk_read_pos(copier *cp, bpos *p);
/* mirror_cfail.c: the copy goes on on another server (server_id cur) */
int mv_chunk_switch(copier *cp, unsigned cur);

/* mirror_chunk.c: the copy of a first call (the set's GTID position and
** server already set from its snapshot) */
sqlite3_int64 mv_chunk_copy_first(mirror *m, const char *zDsnArg,
                                  const char *zPos);

/* mirror_pass.c: the binlog between the watermarks */
int mv_chunk_sync_tabs(copier *cp);
int mv_chunk_pass(copier *cp, const bpos *hi);
int mv_chunk_restart(copier *cp, int i);
void mv_chunk_drop_txn(copier *cp);

#endif /* MV_MIRROR_CHUNK_H */
