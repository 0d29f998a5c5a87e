/*
** fuzz_args.c — libFuzzer target for the two parsers of user text that
** reach MySQL: the DSN (vtab/pure/dsnparse.c mv_dsn_parse_text) and the
** table argument of mysql_snapshot / mysql_check (vtab/tblarg.c
** mv_tblarg_parse).
**
**   fuzz/args.sh SECONDS          build with clang and run
**
** Byte 0 chooses the parser (even: DSN, odd: table argument); the rest,
** cut at its first NUL, is the text. Beyond crashes (ASan, UBSan) it
** checks the contracts:
**   - an error has a message, a success none;
**   - DSN: a parse error never holds the password: the text is parsed
**     again with its password=WORD value replaced by a marker of the same
**     length, which must not be in the message;
**   - table argument: every name has a table part; a db.% pattern is
**     flagged only when unquoted.
** The table-argument parser uses SQLite's allocator through the extension
** API, so the harness loads the routines table SQLite hands an extension
** (an auto extension on an in-memory database); the DSN parser is pure.
*/
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const void *gApi;
static int captureApi(sqlite3 *db, char **pzErr, const void *pApi){
  (void)db; (void)pzErr;
  gApi = pApi;
  return SQLITE_OK;
}
static void loadApi(void){
  sqlite3 *db = 0;
  sqlite3_auto_extension((void(*)(void))captureApi);
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK || gApi==0 ){
    fprintf(stderr, "fuzz_args: no SQLite extension API\n");
    abort();
  }
  sqlite3_close(db);
  sqlite3_cancel_auto_extension((void(*)(void))captureApi);
}

/* From here on, sqlite3_* calls go through the routines table, as in
** the extension itself. */
#include "mysqlvtab.h"
const sqlite3_api_routines *sqlite3_api;

static void fail(const char *zWhat, const char *zIn, const char *zErr){
  fprintf(stderr, "fuzz_args: %s\n  input: [%s]\n  error: [%s]\n", zWhat, zIn,
          zErr ? zErr : "(none)");
  abort();
}

/* Where the first unquoted password value of z starts, and its length;
** 0 if none. z is walked as dsnparse.c reads a DSN (key=value pairs split by
** white space, values maybe single-quoted with '' \' \\ escapes), so a
** "password=" inside another key's quoted value is not taken for one. */
static const char *passwordAt(const char *z, size_t *pn){
  const char *p = z;
  while( 1 ){
    const char *k;
    size_t nk;
    while( isspace((unsigned char)*p) ) p++;
    if( *p==0 ) return 0;
    k = p;
    while( *p && *p!='=' && !isspace((unsigned char)*p) ) p++;
    nk = (size_t)(p - k);
    if( *p!='=' || nk==0 ) return 0;     /* the parser stops here */
    p++;
    if( *p=='\'' ){
      p++;
      while( 1 ){
        if( *p==0 ) return 0;
        if( p[0]=='\\' && (p[1]=='\'' || p[1]=='\\') ){ p += 2; continue; }
        if( p[0]=='\'' ){
          if( p[1]!='\'' ){ p++; break; }
          p += 2; continue;
        }
        p++;
      }
      if( nk==8 && memcmp(k, "password", 8)==0 ) return 0;  /* quoted */
    }else{
      const char *v = p;
      while( *p && !isspace((unsigned char)*p) ) p++;
      if( nk==8 && memcmp(k, "password", 8)==0 ){
        *pn = (size_t)(p - v);
        return *pn ? v : 0;
      }
    }
  }
}

static void fuzzDsn(const char *z){
  mv_dsn d;
  char *zErr = 0;
  int rc = mv_dsn_parse_text(z, &d, &zErr);
  if( rc ){
    const char *v;
    size_t n = 0;
    if( zErr==0 || zErr[0]==0 ) fail("DSN error without a message", z, zErr);
    /* The same text with the password replaced by a marker of the same
    ** length (no white space or quote: parsed alike) must not show it. */
    if( (v = passwordAt(z, &n))!=0 && n>=4 ){
      char *z2 = strdup(z), *zErr2 = 0;
      char *zMark = malloc(n + 1);
      size_t i;
      mv_dsn d2;
      static const char *azAlpha[] = { "Qz7Jx", "wV3kP", "9fLq2", "Hb8mT" };
      int k;
      for(k=0; z2 && zMark && k<4; k++){
        /* a marker the rest of the text does not already hold */
        for(i=0; i<n; i++) zMark[i] = azAlpha[k][i % 5];
        zMark[n] = 0;
        memcpy(z2, z, strlen(z) + 1);
        memcpy(z2 + (v - z), zMark, n);
        if( strstr(z2, zMark)!=z2 + (v - z) ) continue;
        if( strstr(z2 + (v - z) + 1, zMark) ) continue;
        if( n<5 && strstr(z2 + (v - z) + n, azAlpha[k]) ) continue;
        if( mv_dsn_parse_text(z2, &d2, &zErr2)==0 ){
          mv_dsn_free(&d2);
        }else if( zErr2 && strstr(zErr2, zMark) ){
          fail("DSN error holds the password", z2, zErr2);
        }
        free(zErr2);
        zErr2 = 0;
        break;
      }
      free(z2);
      free(zMark);
    }
  }else{
    if( zErr ) fail("DSN success with a message", z, zErr);
    mv_dsn_free(&d);
  }
  free(zErr);
}

static void fuzzTblarg(const char *z){
  mv_tblname *a = 0;
  int n = 0, i;
  char *zErr = 0;
  int rc = mv_tblarg_parse("mysql_snapshot", z, &a, &n, &zErr);
  if( rc ){
    if( zErr==0 || zErr[0]==0 ) fail("table argument error without a message", z, zErr);
  }else{
    if( zErr ) fail("table argument success with a message", z, zErr);
    for(i=0; i<n; i++){
      if( a[i].zTbl==0 ) fail("a name without a table part", z, 0);
      (void)strlen(a[i].zTbl);
      if( a[i].zDb ) (void)strlen(a[i].zDb);
      if( a[i].isPattern && strchr(a[i].zTbl, '%')==0 ){
        fail("a pattern without %", z, 0);
      }
    }
    mv_tblarg_free(a, n);
  }
  sqlite3_free(zErr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char *z;
  size_t n;
  if( sqlite3_api==0 ){ loadApi(); sqlite3_api = gApi; }
  if( size==0 ) return 0;
  n = strnlen((const char*)data + 1, size - 1);
  z = malloc(n + 1);                  /* exactly the text and its NUL */
  if( z==0 ) return 0;
  memcpy(z, data + 1, n);
  z[n] = 0;
  if( data[0] & 1 ) fuzzTblarg(z); else fuzzDsn(z);
  free(z);
  return 0;
}
