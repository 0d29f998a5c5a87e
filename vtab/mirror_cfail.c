/*
** mirror_cfail.c — a chunked first copy (mirror_chunk.c) that goes on on
** another server after a failover (README "The first copy", "Failover").
**
** The copy's positions (P, a chunk's watermarks) are file:offset of the
** server it read; on another server they mean nothing. The set's GTID
** position does: the new server must hold it (mirror_resume.c's check,
** the same error when it does not). Then:
**
**   - N, the new server's binlog position now, is read, and the stream is
**     read from the set's GTID position up to N (the server skips what
**     the set has) with nothing committed on the way: a file position in
**     the middle of a stream started by GTID need not be a resume point.
**     At N every transaction the server has is before N, so P = N is one:
**     from then on the copy is by the new server's file:offset, recorded
**     with its server_id at the next commit.
**   - Tables done are applied on; tables not begun stay so (their
**     changes skipped: their chunks will read them).
**   - The chunk in flight (its rows in the local table, its Lo and Hi the
**     old server's): every change of a key in its range is applied during
**     the catch-up (Lo before everything), and its Hi is N. Every image is
**     a whole row, so a change the chunk's read already saw, applied again,
**     gives the same row: exact, provided the new server holds every
**     transaction the read saw (one lost in the failover would stay in the
**     table). The chunk records the server's GTIDs read after its read (a
**     superset of what it saw); a server that lacks them, or a chunk
**     recorded without them, copies that one table again from its first
**     key (mv_chunk_restart); the other tables keep what they have.
*/
#include "mirror_chunk.h"

#include <string.h>

int mv_chunk_switch(copier *cp, unsigned cur){
  mirror *m = cp->m;
  char *zP = posText(&cp->p), *zHave = 0, *zGone = 0;
  bpos n;
  int i, rc = 1;
  if( zP==0 ) return mv_mirror_err(m, "out of memory");
  if( mv_mirror_switch_check(m, cp->c, zP, &zHave, &zGone) ) goto done;
  for(i=0; i<cp->nT; i++){
    ctab *tc = &cp->aT[i];
    char zWhy[300];
    if( !tc->inFlight || tc->done || m->aTab[i].gone ) continue;
    if( tc->zSeen
     && mvg_server_lacks(m->kind, tc->zSeen, zHave, zGone, zWhy, sizeof zWhy)==0 ){
      memset(&tc->lo, 0, sizeof tc->lo);     /* before every position */
      continue;
    }
    /* its rows may hold a transaction the new server never had */
    if( mv_chunk_restart(cp, i) ) goto done;
  }
  m->posServer = m->recServer = cur;
  if( mv_chunk_read_pos(cp, &n) ) goto done;
  mv_feed_close(cp->f);
  cp->f = 0;
  cp->pending = 0;
  memset(&cp->s, 0, sizeof cp->s);            /* before N, whatever N is */
  cp->byGtid = 1;
  rc = mv_chunk_pass(cp, &n);
  cp->byGtid = 0;
  if( rc ) goto done;
  cp->p = cp->s = n;
  for(i=0; i<cp->nT; i++){
    if( cp->aT[i].inFlight ) cp->aT[i].lo = cp->aT[i].hi = n;
  }
done:
  sqlite3_free(zP);
  sqlite3_free(zHave);
  sqlite3_free(zGone);
  return rc || m->zErr!=0;
}
