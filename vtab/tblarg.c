/*
** tblarg.c — the table argument that mysql_snapshot and mysql_check share:
** "db.t", "t", "a, b.c", "db.%" patterns, with `quoted` parts (` doubled
** inside). One parser, so both functions accept exactly the same names.
*/
#include "mysqlvtab.h"

#include <string.h>

/* One part of a name at *pz: `quoted` or a bare run. Returns the part
** (sqlite3_malloc'd) or NULL with *pzErr set. */
static char *parsePart(const char *zFunc, const char **pz, const char *zArg,
                       char **pzErr){
  const char *z = *pz;
  sqlite3_str *s = sqlite3_str_new(0);
  char *zOut;
  if( *z=='`' ){
    z++;
    while( 1 ){
      if( *z==0 ){
        sqlite3_free(sqlite3_str_finish(s));
        *pzErr = sqlite3_mprintf("%s: unterminated ` in the table"
                                 " argument '%s'", zFunc, zArg);
        return 0;
      }
      if( *z=='`' ){
        if( z[1]!='`' ){ z++; break; }
        z++;
      }
      sqlite3_str_appendchar(s, 1, *z);
      z++;
    }
  }else{
    const char *zStart = z;
    while( *z && *z!='.' && *z!=',' && *z!='`' && *z!=' ' && *z!='\t'
        && *z!='\n' && *z!='\r' ) z++;
    sqlite3_str_append(s, zStart, (int)(z - zStart));
  }
  zOut = sqlite3_str_finish(s);
  if( zOut==0 || zOut[0]==0 ){
    sqlite3_free(zOut);
    *pzErr = sqlite3_mprintf("%s: bad table argument '%s' at"
        " position %d: expected db.table, table, a comma-separated list or"
        " db.%%", zFunc, zArg, (int)(*pz - zArg) + 1);
    return 0;
  }
  *pz = z;
  return zOut;
}

void mv_tblarg_free(mv_tblname *a, int n){
  int i;
  for(i=0; i<n; i++){ sqlite3_free(a[i].zDb); sqlite3_free(a[i].zTbl); }
  sqlite3_free(a);
}

static int isWs(char c){ return c==' ' || c=='\t' || c=='\n' || c=='\r'; }

int mv_tblarg_parse(const char *zFunc, const char *zArg,
                    mv_tblname **paName, int *pnName, char **pzErr){
  const char *z = zArg;
  mv_tblname *a = 0;
  int n = 0;
  while( 1 ){
    mv_tblname *aNew;
    char *zA, *zB = 0;
    int quotedB = 0;
    while( isWs(*z) ) z++;
    if( (zA = parsePart(zFunc, &z, zArg, pzErr))==0 ) goto fail;
    if( *z=='.' ){
      z++;
      quotedB = (*z=='`');
      zB = parsePart(zFunc, &z, zArg, pzErr);
      if( zB==0 ){ sqlite3_free(zA); goto fail; }
    }else{
      quotedB = (z>zArg && z[-1]=='`');
    }
    while( isWs(*z) ) z++;
    if( *z!=',' && *z!=0 ){
      sqlite3_free(zA); sqlite3_free(zB);
      *pzErr = sqlite3_mprintf("%s: bad table argument '%s' at"
          " position %d: expected db.table, table, a comma-separated list or"
          " db.%%", zFunc, zArg, (int)(z - zArg) + 1);
      goto fail;
    }
    aNew = sqlite3_realloc64(a, sizeof(mv_tblname)*(n+1));
    if( aNew==0 ){
      sqlite3_free(zA); sqlite3_free(zB);
      *pzErr = sqlite3_mprintf("out of memory");
      goto fail;
    }
    a = aNew;
    a[n].zDb = zB ? zA : 0;
    a[n].zTbl = zB ? zB : zA;
    a[n].isPattern = !quotedB && strchr(a[n].zTbl, '%')!=0;
    n++;
    if( *z==0 ) break;
    z++;
  }
  *paName = a;
  *pnName = n;
  return 0;
fail:
  mv_tblarg_free(a, n);
  return 1;
}

/* Strip SQL quotes from a module argument ('x', "x", [x], `x`). */
char *mv_dequote_arg(const char *z){
  size_t n = strlen(z);
  char q = z[0], e;
  char *zOut;
  size_t i, j;
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t') ) n--;
  while( n>0 && (z[0]==' ' || z[0]=='\t') ){ z++; n--; }
  q = n ? z[0] : 0;
  if( n<2 || (q!='\'' && q!='"' && q!='[') ) return sqlite3_mprintf("%.*s", (int)n, z);
  e = q=='[' ? ']' : q;
  if( z[n-1]!=e ) return sqlite3_mprintf("%.*s", (int)n, z);
  zOut = sqlite3_malloc64(n);
  if( zOut==0 ) return 0;
  for(i=1, j=0; i<n-1; i++){
    if( z[i]==e && q!='[' && i+1<n-1 && z[i+1]==e ) i++;
    zOut[j++] = z[i];
  }
  zOut[j] = 0;
  return zOut;
}
