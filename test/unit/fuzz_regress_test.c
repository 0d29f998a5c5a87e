/*
** fuzz_regress_test.c — every input the fuzzer (fuzz/fuzz_binlog.c) ever
** crashed, leaked or hung on, replayed through the same harness code, in
** the normal build and in the sanitizer build (make unit SANITIZE=1).
**
** The inputs live in test/unit/data/fuzz/, one file each, named
** <date>-<what>: the README of that folder says what each found. The
** binlog fixtures (../shared/fixtures/binlog) go through the harness too,
** so the sanitizer build walks every real event as the fuzzer does.
**
** A check fails when an input makes the decoder report MVB_ERROR without
** a message; a crash fails the whole program (test/run.sh counts it).
*/
#define FUZZ_NO_MAIN
#include "../../fuzz/fuzz_binlog.c"

#include <dirent.h>
#include <sys/stat.h>

#include "unit.h"

static int nInputs;

static uint8_t *readAll(const char *zPath, size_t *pn){
  gzFile g = gzopen(zPath, "rb");
  uint8_t *a = 0;
  size_t n = 0, cap = 0;
  if( g==0 ) return 0;
  while( 1 ){
    int got;
    if( cap - n < 65536 ){
      uint8_t *b = realloc(a, cap = cap*2 + 65536);
      if( b==0 ){ free(a); gzclose(g); return 0; }
      a = b;
    }
    got = gzread(g, a + n, 65536);
    if( got<=0 ) break;
    n += (size_t)got;
  }
  gzclose(g);
  *pn = n;
  return a;
}

static int skipName(const char *z){
  size_t n = strlen(z);
  return z[0]=='.' || (n>3 && strcmp(z+n-3, ".md")==0)
      || (n>4 && (strcmp(z+n-4, ".txt")==0 || strcmp(z+n-4, ".sql")==0));
}

/* Run every file under zPath through the harness; binlogOnly: only files
** that are binlogs (the fixtures folder also holds text). */
static void replay(const char *zPath, int binlogOnly){
  struct stat st;
  if( stat(zPath, &st) ) return;
  if( S_ISDIR(st.st_mode) ){
    DIR *d = opendir(zPath);
    struct dirent *e;
    if( d==0 ) return;
    while( (e = readdir(d))!=0 ){
      char zSub[4096];
      if( skipName(e->d_name) ) continue;
      snprintf(zSub, sizeof zSub, "%s/%s", zPath, e->d_name);
      replay(zSub, binlogOnly);
    }
    closedir(d);
  }else if( S_ISREG(st.st_mode) ){
    size_t n = 0;
    uint8_t *a = readAll(zPath, &n);
    fuzz_stats s;
    if( a==0 ){ CHECK(!"cannot read an input"); printf("! %s\n", zPath); return; }
    if( !binlogOnly || (n>=4 && memcmp(a, "\xfe" "bin", 4)==0) ){
      memset(&s, 0, sizeof s);
      fuzz_binlog_one(a, n, &s);
      nInputs++;
      if( s.bad_msgs ) printf("! %s: %ld errors without a message\n", zPath, s.bad_msgs);
      CHECK(s.bad_msgs==0);
    }
    free(a);
  }
}

int main(void){
  struct stat st;
  /* 1. Inputs the fuzzer found. */
  replay("data/fuzz", 0);
  printf("fuzz regressions: %d inputs\n", nInputs);
  /* 2. Real binlog files, whole and CRC-repaired, as the fuzzer sees them. */
  if( stat("../../../shared/fixtures/binlog", &st)==0 ){
    int before = nInputs;
    replay("../../../shared/fixtures/binlog", 1);
    printf("fixtures: %d binlog files\n", nInputs - before);
  }
  CHECK(nInputs>0);
  UNIT_DONE();
}
