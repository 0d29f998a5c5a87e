/*
** binlog_build.h — a tiny builder of byte-exact binlog events for the
** decoder tests: common header, body, and a correct CRC32 when asked.
**
**   eb e;
**   eb_start(&e, MVB_XID);  eb_u64(&e, 42);  eb_finish(&e, 1);
**   mvb_parse(d, e.b, e.n, &ev);
*/
#ifndef MV_BINLOG_BUILD_H
#define MV_BINLOG_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct eb {
  uint8_t *b;
  size_t n, cap;
  uint32_t pos;          /* log position of the next event (for log_pos) */
} eb;

static inline void eb_need(eb *e, size_t k){
  if( e->n + k > e->cap ){
    e->cap = (e->n + k)*2 + 256;
    e->b = realloc(e->b, e->cap);
    if( e->b==0 ) abort();
  }
}
static inline void eb_bytes(eb *e, const void *p, size_t k){
  eb_need(e, k);
  if( k ) memcpy(e->b + e->n, p, k);
  e->n += k;
}
static inline void eb_le(eb *e, uint64_t v, int k){
  int i;
  eb_need(e, (size_t)k);
  for(i=0; i<k; i++){ e->b[e->n++] = (uint8_t)(v & 0xff); v >>= 8; }
}
static inline void eb_be(eb *e, uint64_t v, int k){
  int i;
  eb_need(e, (size_t)k);
  for(i=k-1; i>=0; i--) e->b[e->n++] = (uint8_t)((v >> (8*i)) & 0xff);
}
static inline void eb_u8(eb *e, unsigned v){ eb_le(e, v, 1); }
static inline void eb_u16(eb *e, unsigned v){ eb_le(e, v, 2); }
static inline void eb_u32(eb *e, uint32_t v){ eb_le(e, v, 4); }
static inline void eb_u64(eb *e, uint64_t v){ eb_le(e, v, 8); }
static inline void eb_str(eb *e, const char *z){ eb_bytes(e, z, strlen(z)); }
static inline void eb_lenenc(eb *e, uint64_t v){
  if( v<251 ){ eb_u8(e, (unsigned)v); }
  else if( v<65536 ){ eb_u8(e, 0xfc); eb_le(e, v, 2); }
  else if( v<16777216 ){ eb_u8(e, 0xfd); eb_le(e, v, 3); }
  else{ eb_u8(e, 0xfe); eb_le(e, v, 8); }
}

/* Begin an event: the 19-byte header with size and log_pos left to
** eb_finish. The buffer holds one event at a time. */
static inline void eb_start_ex(eb *e, int type, uint32_t ts, uint32_t server_id,
                        uint16_t flags){
  e->n = 0;
  eb_u32(e, ts);
  eb_u8(e, (unsigned)type);
  eb_u32(e, server_id);
  eb_u32(e, 0);          /* size */
  eb_u32(e, 0);          /* log_pos */
  eb_u16(e, flags);
}
static inline void eb_start(eb *e, int type){
  eb_start_ex(e, type, 1700000000, 1, 0);
}
/* Fill in size and log_pos; append the CRC32 of everything before it. */
static inline void eb_finish(eb *e, int crc){
  uint32_t size = (uint32_t)e->n + (crc ? 4 : 0), c;
  e->b[9] = (uint8_t)size; e->b[10] = (uint8_t)(size>>8);
  e->b[11] = (uint8_t)(size>>16); e->b[12] = (uint8_t)(size>>24);
  if( e->pos==0 ) e->pos = 4;
  e->pos += size;
  e->b[13] = (uint8_t)e->pos; e->b[14] = (uint8_t)(e->pos>>8);
  e->b[15] = (uint8_t)(e->pos>>16); e->b[16] = (uint8_t)(e->pos>>24);
  if( crc ){
    c = (uint32_t)crc32(0, e->b, (uInt)e->n);
    eb_u32(e, c);
  }
}

/* A v4 FORMAT_DESCRIPTION of server version zVer, checksum alg (0 or 1;
** -1 writes no alg byte, as servers before 5.6.1 did). Post-header lengths
** are MySQL 8.0's for types 1..42 and MariaDB's 160..171 when nTypes is
** larger. */
static inline void eb_fde(eb *e, const char *zVer, int alg, int nTypes){
  static const uint8_t mysql8[42] = {
    56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 84, 0, 4, 26, 8, 0, 0, 0,
    8, 8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0, 42
  };
  char ver[50];
  int i;
  memset(ver, 0, sizeof ver);
  strncpy(ver, zVer, sizeof ver - 1);
  eb_start(e, 15);
  eb_u16(e, 4);
  eb_bytes(e, ver, 50);
  eb_u32(e, 1700000000);
  eb_u8(e, 19);
  for(i=0; i<nTypes; i++){
    uint8_t v = 0;
    if( i<42 ) v = mysql8[i];
    if( i+1==15 ) v = 84;
    if( i+1>=166 && i+1<=168 ) v = 8;
    if( i+1>=169 && i+1<=171 ) v = 10;
    if( i+1==165 ) v = 13;
    if( i+1==162 ) v = 19;
    eb_u8(e, v);
  }
  if( alg>=0 ){
    eb_u8(e, (unsigned)alg);
    if( alg==0 ){ eb_u32(e, 0); eb_finish(e, 0); return; }
  }
  eb_finish(e, alg==1);
}

#endif /* MV_BINLOG_BUILD_H */
