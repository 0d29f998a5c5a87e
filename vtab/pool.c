/*
** pool.c — the connections of one SQLite connection, kept per DSN text:
** borrowed for a statement, given back idle when the statement completed
** cleanly, closed otherwise. The pool owns its list and closes it
** (mv_pool_close); ext.c's context holds one pool and lends it to the
** modules through mv_conn_get / mv_conn_put / mv_conn_release.
*/
#include "mysqlvtab.h"

#include <errmsg.h>

#include <string.h>

/* Close c's connection and free it (it is no longer on the list). */
static void closeConn(mv_conn *c){
  if( c->mysql ) mysql_close(c->mysql);
  sqlite3_free(c->zDsn);
  sqlite3_free(c->zLabel);
  sqlite3_free(c);
}

void mv_pool_init(mv_pool *pool, sqlite3 *db){
  pool->pHead = 0;
  pool->db = db;
}

void mv_pool_close(mv_pool *pool){
  while( pool->pHead ){
    mv_conn *c = pool->pHead;
    pool->pHead = c->pNext;
    closeConn(c);
  }
}

mv_conn *mv_pool_get(mv_pool *pool, const char *zDsn, char **pzErr){
  mv_conn *c;
  mv_dsn dsn;
  *pzErr = 0;
  if( zDsn==0 ) zDsn = "";
  for(c=pool->pHead; c; c=c->pNext){
    if( !c->inUse && strcmp(c->zDsn, zDsn)==0 ){
      /* A pooled connection may have been closed by the server
      ** (wait_timeout, restart): check before lending it out. */
      if( mysql_ping(c->mysql)==0 ){
        c->inUse = 1;
        c->interrupted = 0;
        c->db = pool->db;
        return c;
      }
      mv_pool_put(pool, (c->inUse = 1, c), 0);
      break;
    }
  }
  if( mv_dsn_parse(zDsn, &dsn, pzErr) ) return 0;
  c = sqlite3_malloc(sizeof *c);
  if( c==0 ){ mv_dsn_free(&dsn); *pzErr = sqlite3_mprintf("out of memory"); return 0; }
  memset(c, 0, sizeof *c);
  c->mysql = mv_connect(&dsn, pzErr);
  if( c->mysql==0 ){ mv_dsn_free(&dsn); sqlite3_free(c); return 0; }
  c->zLabel = mv_dsn_label(&dsn, c->mysql);
  c->zDsn = sqlite3_mprintf("%s", zDsn);
  mv_dsn_free(&dsn);
  c->inUse = 1;
  c->db = pool->db;
  c->pNext = pool->pHead;
  pool->pHead = c;
  return c;
}

void mv_pool_put(mv_pool *pool, mv_conn *c, int reusable){
  mv_conn **pp;
  if( c==0 ) return;
  c->inUse = 0;
  if( reusable ) return;
  for(pp=&pool->pHead; *pp; pp=&(*pp)->pNext){
    if( *pp==c ){ *pp = c->pNext; break; }
  }
  closeConn(c);
}

void mv_pool_release(mv_pool *pool, mv_conn *c){
  unsigned e;
  if( c==0 ) return;
  e = c->mysql ? mysql_errno(c->mysql) : CR_MIN_ERROR;
  mv_pool_put(pool, c, mv_error_class(e)!=MV_ERR_CLIENT);
}
