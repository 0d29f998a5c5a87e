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
**
** 3. A short mutation run, so that every `make test` (and `make test
** SANITIZE=1`) fuzzes a little without clang: for FUZZ_REGRESS_SECONDS
** (default 10) windows of up to 32 KB of the fixture binlogs, and the
** regression inputs, get random byte changes, bit flips, inserted and
** removed runs, truncation and event-size edits, and go through the same
** harness. The generator is seeded with FUZZ_REGRESS_SEED (default: the
** time, printed), so a run can be repeated; an input that crashes is
** written to fuzz_regress_crash.bin (in test/unit) before the program
** dies: move it to data/fuzz/ to keep it.
*/
#define FUZZ_NO_MAIN
#include "../../fuzz/fuzz_binlog.c"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "../../fuzz/readall.h"

static int nInputs;

/* Inputs kept for the mutation run (section 3). */
#define MUT_MAX_POOL 512
#define MUT_MAX_LEN  32768
static uint8_t *aPool[MUT_MAX_POOL];
static size_t anPool[MUT_MAX_POOL];
static int nPool;
static void poolAdd(const uint8_t *a, size_t n){
  if( nPool>=MUT_MAX_POOL || n==0 ) return;
  aPool[nPool] = malloc(n);
  if( aPool[nPool]==0 ) return;
  memcpy(aPool[nPool], a, n);
  anPool[nPool++] = n;
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
      poolAdd(a, n);
    }
    free(a);
  }
}

/* ---- 3. the mutation run ---- */
static uint64_t rngState;
static uint32_t rnd(void){                 /* splitmix64 */
  uint64_t z = (rngState += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z>>30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z>>27)) * 0x94d049bb133111ebull;
  return (uint32_t)((z ^ (z>>31)) >> 32);
}
static uint8_t *pCur;                      /* the input being decoded */
static size_t nCur;
static void saveCurrent(void){
  int fd = open("fuzz_regress_crash.bin", O_WRONLY|O_CREAT|O_TRUNC, 0644);
  if( fd>=0 ){
    if( write(fd, pCur, nCur)<0 ){ /* nothing more to do while dying */ }
    close(fd);
  }
  (void)!write(2, "fuzz_regress_test: crashing input in fuzz_regress_crash.bin\n", 61);
}
static void onSignal(int sig){
  saveCurrent();
  signal(sig, SIG_DFL);
  raise(sig);
}
/* The sanitizers' runtimes call this before they exit (weak: absent
** in the normal build). */
extern void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

/* One mutated copy of pool input k into buf (capacity MUT_MAX_LEN+64). */
static size_t mutate(uint8_t *buf, int k){
  const uint8_t *a = aPool[k];
  size_t n = anPool[k], off = 0, len, i;
  int edits, e;
  /* A window: binlog files keep their magic and start at an event. */
  if( n>MUT_MAX_LEN ){
    if( n>=4 && memcmp(a, "\xfe" "bin", 4)==0 ){
      size_t p = 4, q;
      memcpy(buf, a, 4);
      len = 4;
      /* the format description, then a run of events from a random one */
      q = p + (n-p>=13 ? (size_t)(a[p+9] | a[p+10]<<8 | a[p+11]<<16) : 0);
      if( q>p && q<=n && q-p<=4096 ){ memcpy(buf+len, a+p, q-p); len += q-p; p = q; }
      {
        size_t skip = rnd() % 64, j;
        for(j=0; j<skip && p+13<n; j++){
          size_t sz = (size_t)(a[p+9] | a[p+10]<<8 | a[p+11]<<16 | (size_t)a[p+12]<<24);
          if( sz<19 || sz>n-p ) break;
          p += sz;
        }
      }
      i = n - p < MUT_MAX_LEN - len ? n - p : MUT_MAX_LEN - len;
      memcpy(buf+len, a+p, i);
      len += i;
    }else{
      off = rnd() % (n - MUT_MAX_LEN);
      memcpy(buf, a+off, MUT_MAX_LEN);
      len = MUT_MAX_LEN;
    }
  }else{
    memcpy(buf, a, n);
    len = n;
  }
  edits = 1 + (int)(rnd() % 8);
  for(e=0; e<edits && len>0; e++){
    size_t at = rnd() % len;
    switch( rnd() % 8 ){
      case 0: buf[at] = (uint8_t)rnd(); break;
      case 1: buf[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
      case 2: {                                /* interesting values */
        static const uint8_t v[] = {0, 1, 0x7f, 0x80, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};
        buf[at] = v[rnd() % sizeof v];
        break;
      }
      case 3: {                                /* a 4-byte size */
        uint32_t x = rnd() % 4 ? rnd() % 70000 : rnd();
        for(i=0; i<4 && at+i<len; i++) buf[at+i] = (uint8_t)(x >> (8*i));
        break;
      }
      case 4: len = at; break;                 /* truncate */
      case 5: {                                /* remove a run */
        size_t m = 1 + rnd() % 16;
        if( m > len - at ) m = len - at;
        memmove(buf+at, buf+at+m, len-at-m);
        len -= m;
        break;
      }
      case 6: {                                /* insert a run */
        size_t m = 1 + rnd() % 16;
        if( len + m > MUT_MAX_LEN + 64 ) break;
        memmove(buf+at+m, buf+at, len-at);
        for(i=0; i<m; i++) buf[at+i] = (uint8_t)rnd();
        len += m;
        break;
      }
      default: {                               /* copy a run elsewhere */
        size_t from = rnd() % len, m = 1 + rnd() % 32;
        if( m > len - from ) m = len - from;
        if( m > len - at ) m = len - at;
        memmove(buf+at, buf+from, m);
        break;
      }
    }
  }
  return len;
}

static void mutationRun(void){
  const char *zSec = getenv("FUZZ_REGRESS_SECONDS");
  const char *zSeed = getenv("FUZZ_REGRESS_SEED");
  double secs = zSec ? atof(zSec) : 10.0;
  uint64_t seed = zSeed ? strtoull(zSeed, 0, 10) : (uint64_t)time(0);
  uint8_t *buf = malloc(MUT_MAX_LEN + 64);
  long n = 0, bad = 0, events = 0;
  struct timespec t0, t;
  if( buf==0 || nPool==0 || secs<=0 ){ free(buf); return; }
  rngState = seed;
  printf("mutation run: FUZZ_REGRESS_SEED=%llu, %.0f s, %d inputs\n",
         (unsigned long long)seed, secs, nPool);
  fflush(stdout);
  pCur = buf;
  if( __sanitizer_set_death_callback ) __sanitizer_set_death_callback(saveCurrent);
  signal(SIGSEGV, onSignal);
  signal(SIGBUS, onSignal);
  signal(SIGABRT, onSignal);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while( 1 ){
    fuzz_stats st;
    if( (n & 63)==0 ){
      clock_gettime(CLOCK_MONOTONIC, &t);
      if( (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec)/1e9 >= secs ) break;
    }
    nCur = mutate(buf, (int)(rnd() % (uint32_t)nPool));
    memset(&st, 0, sizeof st);
    fuzz_binlog_one(buf, nCur, &st);
    events += st.events;
    if( st.bad_msgs ){
      bad++;
      if( bad==1 ){ saveCurrent(); printf("! an error without a message\n"); }
    }
    n++;
  }
  signal(SIGSEGV, SIG_DFL);
  signal(SIGBUS, SIG_DFL);
  signal(SIGABRT, SIG_DFL);
  printf("mutation run: %ld inputs (%ld events), clean\n", n, events);
  CHECK(bad==0);
  CHECK(n>0);
  free(buf);
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
  /* 3. A short mutation run over all of them. */
  mutationRun();
  while( nPool>0 ) free(aPool[--nPool]);
  UNIT_DONE();
}
