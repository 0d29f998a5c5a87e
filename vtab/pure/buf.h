/*
** buf.h — a growable byte buffer (no SQLite). Appends never fail silently:
** an allocation failure sets a sticky flag that the owner checks once.
*/
#ifndef MV_BUF_H
#define MV_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mv_buf {
  char *z;        /* bytes, NUL-terminated when n < cap */
  size_t n;       /* bytes used */
  size_t cap;     /* bytes allocated */
  int oom;        /* sticky: an allocation failed */
} mv_buf;

void mv_buf_init(mv_buf *b);
void mv_buf_free(mv_buf *b);
/* Make room for n more bytes; 0 on success, non-zero (and oom set) if not. */
int mv_buf_reserve(mv_buf *b, size_t n);
void mv_buf_printf(mv_buf *b, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));

static inline void mv_buf_reset(mv_buf *b){ b->n = 0; }
static inline void mv_buf_append(mv_buf *b, const void *p, size_t n){
  if( n==0 ) return;   /* p may be NULL then; memcpy must not see it */
  if( n > b->cap - b->n && mv_buf_reserve(b, n) ) return;
  memcpy(b->z + b->n, p, n);
  b->n += n;
}
static inline void mv_buf_char(mv_buf *b, char c){
  if( b->n >= b->cap && mv_buf_reserve(b, 1) ) return;
  b->z[b->n++] = c;
}
static inline void mv_buf_str(mv_buf *b, const char *z){
  mv_buf_append(b, z, strlen(z));
}
/* NUL-terminate (not counted in n) and return the text. */
const char *mv_buf_cstr(mv_buf *b);

#endif /* MV_BUF_H */
