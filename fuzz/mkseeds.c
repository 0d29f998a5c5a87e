/*
** mkseeds.c — the seed corpus of fuzz_binlog.c, cut from real binlog files.
**
**   mkseeds OUTDIR FILE|DIR...
**
** Directories are walked recursively; every file that is a binlog (the
** magic "\xfebin", gzip-compressed or not) gives:
**   - form A seeds (see fuzz_binlog.c): the whole file if it is small,
**     else magic + format description + runs of ~8 KB of events, cut only
**     where no rows event follows (so table maps stay with their rows);
**   - form B seeds: a selector byte for the nearest built-in format
**     description (CRC32 flag set if the file has checksums), then one
**     event without its checksum, or a table map followed by a rows event
**     that uses it (also once wrapped into a TRANSACTION_PAYLOAD).
** Other files under 64 KB are copied as they are. Seeds are named by a
** hash of their bytes, so the same seed is written once.
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "readall.h"

#define HDR 19
#define SMALL_FILE 16384
#define CHUNK 8192
#define MAX_CHUNKS 24
#define PER_TYPE 4

static const char *zOut;
static int nSeeds;

static uint32_t le32(const uint8_t *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16 | (uint32_t)p[3]<<24;
}
static void put32(uint8_t *p, uint32_t v){
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v>>8); p[2] = (uint8_t)(v>>16); p[3] = (uint8_t)(v>>24);
}

static void writeSeed(const char *zKind, const uint8_t *a, size_t n){
  uint64_t h = 1469598103934665603ull;
  size_t i;
  char zPath[4096];
  FILE *f;
  for(i=0; i<n; i++){ h ^= a[i]; h *= 1099511628211ull; }
  snprintf(zPath, sizeof zPath, "%s/%s-%016llx", zOut, zKind, (unsigned long long)h);
  f = fopen(zPath, "wb");
  if( f==0 ){ perror(zPath); exit(1); }
  fwrite(a, 1, n, f);
  fclose(f);
  nSeeds++;
}

static int isRows(int t){
  return (t>=20 && t<=25) || (t>=30 && t<=32) || t==39 || (t>=166 && t<=171);
}

/* The built-in format description (fdes.h order) nearest to this one. */
static int fdeFamily(const uint8_t *ev, size_t n){
  char ver[51];
  if( n < HDR + 52 ) return 0;
  memcpy(ver, ev + HDR + 2, 50);
  ver[50] = 0;
  if( strstr(ver, "MariaDB") ) return 4;
  if( ver[0]=='9' ) return 3;
  if( ver[0]=='8' ) return 2;
  if( strncmp(ver, "5.6", 3)==0 || strncmp(ver, "5.7", 3)==0 ) return 1;
  return 0;
}
static int fdeCrc(const uint8_t *ev, size_t n){
  unsigned v[3] = {0, 0, 0};
  char ver[51];
  if( n < HDR + 2 + 50 + 4 + 1 + 5 ) return 0;
  memcpy(ver, ev + HDR + 2, 50);
  ver[50] = 0;
  if( sscanf(ver, "%u.%u.%u", &v[0], &v[1], &v[2])<2 ) return 0;
  if( v[0]<5 || (v[0]==5 && (v[1]<6 || (v[1]==6 && v[2]<1))) ) return 0;
  return ev[n-5]==1;
}

/* Form B seed: selector, then events with their checksums removed. */
static void eventSeed(int sel, int crc, const uint8_t *e1, size_t n1,
                      const uint8_t *e2, size_t n2){
  uint8_t *a = malloc(1 + n1 + n2);
  size_t k = 1;
  const uint8_t *ev[2];
  size_t nv[2];
  int i;
  ev[0] = e1; nv[0] = n1; ev[1] = e2; nv[1] = n2;
  a[0] = (uint8_t)sel;
  for(i=0; i<2; i++){
    size_t m = nv[i];
    if( ev[i]==0 ) continue;
    if( crc && m >= HDR + 4 ) m -= 4;
    memcpy(a + k, ev[i], m);
    if( m >= HDR ) put32(a + k + 9, (uint32_t)m);
    k += m;
  }
  writeSeed("event", a, k);
  free(a);
}

static void doBinlog(const uint8_t *a, size_t n){
  size_t off = 4, fdeOff = 0, fdeLen = 0, tmOff = 0, tmLen = 0;
  int crc = 0, family = 0;
  int perType[256];
  size_t chunkStart[4096];
  int nChunk = 0;
  memset(perType, 0, sizeof perType);
  if( n <= SMALL_FILE ) writeSeed("file", a, n);
  chunkStart[nChunk++] = 4;
  while( off + HDR <= n ){
    uint32_t len = le32(a + off + 9);
    int type = a[off + 4];
    if( len < HDR || len > n - off ) break;
    if( type==15 ){
      fdeOff = off; fdeLen = len;
      crc = fdeCrc(a + off, len);
      family = fdeFamily(a + off, len);
    }else if( type==19 ){
      tmOff = off; tmLen = len;
    }else if( isRows(type) && tmLen ){
      if( perType[type]++ < PER_TYPE ){
        int sel = family | (crc ? 0x80 : 0);
        eventSeed(sel, crc, a + tmOff, tmLen, a + off, len);
        if( perType[type]==1 ){
          eventSeed(sel | 0x40, crc, a + tmOff, tmLen, a + off, len);
          eventSeed(sel | 0x20, crc, a + tmOff, tmLen, a + off, len);
        }
      }
    }else if( perType[type]++ < PER_TYPE ){
      eventSeed(family | (crc ? 0x80 : 0), crc, a + off, len, 0, 0);
    }
    off += len;
    /* Cut a chunk here if it is big enough and no rows event follows. */
    if( n > SMALL_FILE && off - chunkStart[nChunk-1] >= CHUNK
     && nChunk < 4096 && off + HDR <= n && !isRows(a[off + 4]) ){
      chunkStart[nChunk++] = off;
    }
  }
  if( n > SMALL_FILE && fdeLen ){
    int step = nChunk / MAX_CHUNKS + 1, i;
    for(i=0; i<nChunk; i+=step){
      size_t s = chunkStart[i];
      size_t e = i+1<nChunk ? chunkStart[i+1] : off;
      uint8_t *c;
      size_t k = 0;
      if( s==4 ){ s = fdeOff + fdeLen; }
      if( e <= s || e - s > 65536 ) continue;
      c = malloc(4 + fdeLen + (e - s));
      memcpy(c, a, 4); k = 4;
      memcpy(c + k, a + fdeOff, fdeLen); k += fdeLen;
      memcpy(c + k, a + s, e - s); k += e - s;
      writeSeed("chunk", c, k);
      free(c);
    }
  }
}

static void doPath(const char *zPath){
  struct stat st;
  if( stat(zPath, &st) ) return;
  if( S_ISDIR(st.st_mode) ){
    DIR *d = opendir(zPath);
    struct dirent *e;
    if( d==0 ) return;
    while( (e = readdir(d))!=0 ){
      char zSub[4096];
      if( e->d_name[0]=='.' ) continue;
      snprintf(zSub, sizeof zSub, "%s/%s", zPath, e->d_name);
      doPath(zSub);
    }
    closedir(d);
  }else if( S_ISREG(st.st_mode) ){
    size_t n = 0;
    uint8_t *a = readAll(zPath, &n);
    if( a==0 ) return;
    if( n>=4 && memcmp(a, "\xfe" "bin", 4)==0 ){
      doBinlog(a, n);
    }else if( n>0 && n<65536 && !strstr(zPath, ".txt") && !strstr(zPath, ".md")
           && !strstr(zPath, ".sql") && !strstr(zPath, ".c") ){
      writeSeed("raw", a, n);
    }
    free(a);
  }
}

int main(int argc, char **argv){
  int i;
  if( argc<3 ){
    fprintf(stderr, "usage: %s OUTDIR FILE|DIR...\n", argv[0]);
    return 2;
  }
  zOut = argv[1];
  mkdir(zOut, 0777);
  for(i=2; i<argc; i++) doPath(argv[i]);
  printf("mkseeds: %d seeds in %s\n", nSeeds, zOut);
  return 0;
}
