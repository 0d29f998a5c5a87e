/*
** bytes.h — the bounds-checked little/big-endian reader every parse goes
** through. No SQLite, no MySQL headers.
**
** A failed read sets a sticky error flag and returns zero (or NULL for
** byte runs); the caller checks mvr_ok() once per record instead of after
** every read. Bounds are tested as "n > end - p" so they cannot overflow.
*/
#ifndef MV_BYTES_H
#define MV_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct mv_reader {
  const uint8_t *p;     /* next byte to read */
  const uint8_t *end;   /* one past the last readable byte */
  int err;              /* sticky: non-zero once any read failed */
} mv_reader;

static inline void mvr_init(mv_reader *r, const void *buf, size_t n){
  r->p = (const uint8_t*)buf;
  r->end = r->p + n;
  r->err = 0;
}
static inline int mvr_ok(const mv_reader *r){ return r->err==0; }
static inline size_t mvr_left(const mv_reader *r){
  return r->err ? 0 : (size_t)(r->end - r->p);
}
/* Claim n bytes; NULL (and the sticky error) if fewer remain. */
static inline const uint8_t *mvr_take(mv_reader *r, size_t n){
  const uint8_t *p;
  if( r->err || n > (size_t)(r->end - r->p) ){ r->err = 1; return 0; }
  p = r->p;
  r->p += n;
  return p;
}
static inline void mvr_skip(mv_reader *r, size_t n){ (void)mvr_take(r, n); }

/* Unsigned little-endian integer of n bytes (1..8). */
static inline uint64_t mvr_le(mv_reader *r, int n){
  const uint8_t *p = mvr_take(r, (size_t)n);
  uint64_t v = 0;
  int i;
  if( p==0 ) return 0;
  for(i=n-1; i>=0; i--) v = (v<<8) | p[i];
  return v;
}
/* Unsigned big-endian integer of n bytes (1..8). */
static inline uint64_t mvr_be(mv_reader *r, int n){
  const uint8_t *p = mvr_take(r, (size_t)n);
  uint64_t v = 0;
  int i;
  if( p==0 ) return 0;
  for(i=0; i<n; i++) v = (v<<8) | p[i];
  return v;
}
static inline uint8_t  mvr_u8(mv_reader *r){ return (uint8_t)mvr_le(r, 1); }
static inline uint16_t mvr_u16(mv_reader *r){ return (uint16_t)mvr_le(r, 2); }
static inline uint32_t mvr_u24(mv_reader *r){ return (uint32_t)mvr_le(r, 3); }
static inline uint32_t mvr_u32(mv_reader *r){ return (uint32_t)mvr_le(r, 4); }
static inline uint64_t mvr_u48(mv_reader *r){ return mvr_le(r, 6); }
static inline uint64_t mvr_u64(mv_reader *r){ return mvr_le(r, 8); }

/* MySQL length-encoded integer (0xfb is NULL in result rows; here an error). */
static inline uint64_t mvr_lenenc(mv_reader *r){
  uint8_t b = mvr_u8(r);
  if( b<0xfb ) return b;
  if( b==0xfc ) return mvr_le(r, 2);
  if( b==0xfd ) return mvr_le(r, 3);
  if( b==0xfe ) return mvr_le(r, 8);
  r->err = 1;
  return 0;
}

/* Read the IEEE-754 double MySQL stores little-endian. */
static inline double mvr_f64(mv_reader *r){
  uint64_t u = mvr_u64(r);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

#endif /* MV_BYTES_H */
