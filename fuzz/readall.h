/*
** readall.h — read a whole file, gunzipping it if it is gzip (at most
** 256 MB): the fuzz seed cutter and the fuzz regression test share it.
** Needs <zlib.h>, <stdint.h>, <stdlib.h>.
*/
#ifndef MV_FUZZ_READALL_H
#define MV_FUZZ_READALL_H

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
    if( n > (size_t)256<<20 ) break;
  }
  gzclose(g);
  *pn = n;
  return a;
}

#endif
