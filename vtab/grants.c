/*
** grants.c — SHOW GRANTS, parsed: which privileges a user holds where;
** see grants.h.
*/
#include "grants.h"

#include <string.h>

void mv_grants_free(mv_grants *g){
  int i;
  for(i=0; i<g->n; i++){ sqlite3_free(g->a[i].zDb); sqlite3_free(g->a[i].zTbl); }
  sqlite3_free(g->a);
  sqlite3_free(g->zUser);
  memset(g, 0, sizeof *g);
}

/* Read one identifier of a grant object at *pz: `quoted`, * or a bare
** word. Returns a copy (NULL for *) and advances *pz. */
static char *fnGrantIdent(const char **pz, int *pStar){
  const char *z = *pz;
  sqlite3_str *s = sqlite3_str_new(0);
  *pStar = 0;
  if( *z=='*' ){
    *pStar = 1;
    *pz = z+1;
    sqlite3_free(sqlite3_str_finish(s));
    return 0;
  }
  if( *z=='`' ){
    z++;
    while( *z ){
      if( *z=='`' ){
        if( z[1]=='`' ){ sqlite3_str_appendchar(s, 1, '`'); z += 2; continue; }
        z++;
        break;
      }
      sqlite3_str_appendchar(s, 1, *z++);
    }
  }else{
    while( *z && *z!='.' && *z!=' ' ) sqlite3_str_appendchar(s, 1, *z++);
  }
  *pz = z;
  return sqlite3_str_finish(s);
}

/* Parse one line of SHOW GRANTS and add what it grants to g. Lines that
** grant roles or proxies, or routine privileges, add nothing. */
static void fnGrantsLine(mv_grants *g, const char *zLine){
  const char *z, *zOn, *zTo;
  unsigned m = 0;
  mv_grant *pNew;
  char *zDb = 0, *zTbl = 0;
  int star;
  if( sqlite3_strnicmp(zLine, "GRANT ", 6)!=0 ) return;
  zOn = strstr(zLine, " ON ");
  zTo = strstr(zLine, " TO ");
  if( zOn==0 || zTo==0 || zTo<zOn ) return;   /* a role grant */
  /* The privilege list: comma-separated at parenthesis depth 0; a
  ** privilege with a column list (SELECT (a, b)) is column-level and
  ** does not count. */
  z = zLine + 6;
  while( z<zOn ){
    const char *zStart;
    int n, depth = 0, cols = 0;
    while( z<zOn && *z==' ' ) z++;
    zStart = z;
    while( z<zOn && (depth>0 || *z!=',') ){
      if( *z=='(' ){ depth++; cols = 1; }
      else if( *z==')' ) depth--;
      z++;
    }
    n = (int)(z - zStart);
    while( n>0 && zStart[n-1]==' ' ) n--;
    if( z<zOn ) z++;   /* the comma */
    if( cols ) continue;
#define PRIV(name) (n==(int)sizeof(name)-1 && sqlite3_strnicmp(zStart, name, n)==0)
    if( PRIV("ALL PRIVILEGES") || PRIV("ALL") ) m |= P_ALL & ~P_GRANT_OPTION;
    else if( PRIV("REPLICATION SLAVE") || PRIV("REPLICATION REPLICA") ) m |= P_REPL_SLAVE;
    else if( PRIV("REPLICATION CLIENT") || PRIV("BINLOG MONITOR") ) m |= P_REPL_CLIENT;
    else if( PRIV("SELECT") ) m |= P_SELECT;
    else if( PRIV("CREATE USER") ) m |= P_CREATE_USER;
    else if( PRIV("GRANT OPTION") ) m |= P_GRANT_OPTION;
    else if( !PRIV("USAGE") && n>0 ) m |= P_OTHER;
#undef PRIV
  }
  if( strstr(zTo, " WITH GRANT OPTION") ) m |= P_GRANT_OPTION;
  if( m==0 ) return;
  z = zOn + 4;
  if( sqlite3_strnicmp(z, "TABLE ", 6)==0 ) z += 6;
  else if( sqlite3_strnicmp(z, "PROCEDURE ", 10)==0
        || sqlite3_strnicmp(z, "FUNCTION ", 9)==0
        || sqlite3_strnicmp(z, "PACKAGE ", 8)==0 ) return;
  zDb = fnGrantIdent(&z, &star);
  if( *z=='.' ){
    z++;
    zTbl = fnGrantIdent(&z, &star);
  }else{
    /* "ON *" or "ON `t`": relative to the default schema; not global. */
    sqlite3_free(zDb);
    return;
  }
  /* A global grant lists every privilege; a schema or table grant can
  ** only be about SELECT here (the others are global privileges). */
  if( zDb ) m &= P_SELECT|P_GRANT_OPTION|P_OTHER;
  pNew = sqlite3_realloc64(g->a, (g->n+1)*sizeof(mv_grant));
  if( pNew==0 ){ sqlite3_free(zDb); sqlite3_free(zTbl); return; }
  g->a = pNew;
  g->a[g->n].zDb = zDb;
  g->a[g->n].zTbl = zTbl;
  g->a[g->n].m = m;
  g->n++;
}

/* Does g hold privilege p on table zDb.zTbl (NULL, NULL: on *.*)? */
int mv_grants_has(const mv_grants *g, unsigned p, const char *zDb,
                  const char *zTbl){
  int i;
  for(i=0; i<g->n; i++){
    const mv_grant *a = &g->a[i];
    if( (a->m & p)!=p ) continue;
    if( a->zDb==0 ) return 1;
    if( zDb==0 || strcmp(a->zDb, zDb)!=0 ) continue;
    if( a->zTbl==0 ) return 1;
    if( zTbl && strcmp(a->zTbl, zTbl)==0 ) return 1;
  }
  return 0;
}

/* Does g hold anything beyond the agent's three privileges on *.*? */
int mv_grants_extra(const mv_grants *g){
  int i;
  for(i=0; i<g->n; i++){
    unsigned m = g->a[i].m;
    if( g->a[i].zDb ) return 1;
    if( m & ~(P_REPL_SLAVE|P_REPL_CLIENT|P_SELECT) ) return 1;
  }
  return 0;
}

/* "'user'@'host'" from CURRENT_USER()'s "user@host". */
char *mv_quote_account(const char *zAcct){
  const char *zAt = strrchr(zAcct, '@');
  if( zAt==0 ) return sqlite3_mprintf("'%s'", zAcct);
  return sqlite3_mprintf("'%.*s'@'%s'", (int)(zAt-zAcct), zAcct, zAt+1);
}

/* Load the grants of zFor ("'u'@'h'") or, when NULL, of the connected
** user (whose name goes to g->zUser). 0 on success, else *pzErr set. */
int mv_grants_load(mv_ctx *ctx, mv_conn *c, const char *zFor,
                   mv_grants *g, char **pzErr){
  MYSQL_RES *res;
  MYSQL_ROW row;
  char *zSql;
  memset(g, 0, sizeof *g);
  if( zFor==0 ){
    res = mv_query_as(ctx, c, "SELECT CURRENT_USER()", 0, 0, pzErr);
    if( res==0 ){
      if( *pzErr==0 ) *pzErr = sqlite3_mprintf("SELECT CURRENT_USER(): no result");
      return 1;
    }
    row = mysql_fetch_row(res);
    g->zUser = mv_quote_account(row && row[0] ? row[0] : "");
    mysql_free_result(res);
    zSql = sqlite3_mprintf("SHOW GRANTS");
  }else{
    g->zUser = sqlite3_mprintf("%s", zFor);
    zSql = sqlite3_mprintf("SHOW GRANTS FOR %s", zFor);
  }
  if( zSql==0 || g->zUser==0 ){
    sqlite3_free(zSql);
    *pzErr = sqlite3_mprintf("out of memory");
    return 1;
  }
  res = mv_query_as(ctx, c, zSql, 0, 0, pzErr);
  sqlite3_free(zSql);
  if( res==0 ){
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("SHOW GRANTS: no result");
    return 1;
  }
  while( (row = mysql_fetch_row(res))!=0 ){
    if( row[0] ) fnGrantsLine(g, row[0]);
  }
  mysql_free_result(res);
  return 0;
}

