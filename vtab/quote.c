/*
** quote.c — SQL text sent to MySQL: identifiers in backticks, string
** literals escaped for the connection's charset.
*/
#include "mysqlvtab.h"

#include <string.h>

void mv_quote_ident(sqlite3_str *s, const char *z){
  sqlite3_str_appendchar(s, 1, '`');
  for(; *z; z++){
    if( *z=='`' ) sqlite3_str_appendchar(s, 1, '`');
    sqlite3_str_appendchar(s, 1, *z);
  }
  sqlite3_str_appendchar(s, 1, '`');
}

char *mv_literal(MYSQL *m, const char *z){
  size_t n = strlen(z);
  char *zOut = sqlite3_malloc64(2*n+3);
  unsigned long k;
  if( zOut==0 ) return 0;
  zOut[0] = '\'';
  k = mysql_real_escape_string(m, zOut+1, z, (unsigned long)n);
  zOut[k+1] = '\'';
  zOut[k+2] = 0;
  return zOut;
}

