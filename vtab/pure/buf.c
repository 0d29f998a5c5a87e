/*
** buf.c — growable byte buffer; see buf.h.
*/
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void mv_buf_init(mv_buf *b){
  memset(b, 0, sizeof *b);
}

void mv_buf_free(mv_buf *b){
  free(b->z);
  memset(b, 0, sizeof *b);
}

int mv_buf_reserve(mv_buf *b, size_t n){
  size_t want;
  char *z;
  if( b->oom ) return 1;
  if( n < b->cap - b->n ) return 0;
  if( n > SIZE_MAX/2 - b->n ){ b->oom = 1; return 1; }
  want = b->cap ? b->cap : 256;
  while( want < b->n + n + 1 ) want *= 2;
  z = realloc(b->z, want);
  if( z==0 ){ b->oom = 1; return 1; }
  b->z = z;
  b->cap = want;
  return 0;
}

void mv_buf_printf(mv_buf *b, const char *zFmt, ...){
  va_list ap;
  int n;
  char small[128];
  va_start(ap, zFmt);
  n = vsnprintf(small, sizeof small, zFmt, ap);
  va_end(ap);
  if( n<0 ) return;
  if( (size_t)n < sizeof small ){
    mv_buf_append(b, small, (size_t)n);
    return;
  }
  if( mv_buf_reserve(b, (size_t)n + 1) ) return;
  va_start(ap, zFmt);
  vsnprintf(b->z + b->n, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

const char *mv_buf_cstr(mv_buf *b){
  if( b->n >= b->cap && mv_buf_reserve(b, 1) ) return "";
  if( b->z==0 ) return "";
  b->z[b->n] = 0;
  return b->z;
}
