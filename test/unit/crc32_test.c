/*
** crc32_test.c — mv_crc32 (vtab/pure/crc32.c) against zlib's crc32_z: every
** length from 0 to 600 at every alignment of 0 to 15, chained calls, and
** a few large random buffers.
*/
#include "crc32.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(void){
  size_t nBuf = 1 << 20, len, off, i;
  uint8_t *buf = malloc(nBuf + 16);
  unsigned long long x = 0x9e3779b97f4a7c15ull;
  int nBad = 0;
  for(i=0; i<nBuf + 16; i++){
    x ^= x<<13; x ^= x>>7; x ^= x<<17;
    buf[i] = (uint8_t)(x >> 24);
  }
  for(off=0; off<16; off++){
    for(len=0; len<=600 && nBad<5; len++){
      uint32_t want = (uint32_t)crc32_z(0, buf + off, len);
      uint32_t got = mv_crc32(0, buf + off, len);
      if( want!=got ){
        nBad++;
        printf("! offset %zu, length %zu: 0x%08x, zlib 0x%08x\n", off, len, got, want);
      }
    }
  }
  CHECK(nBad==0);
  /* chained: a header and the rest, as binlog.c checks a format
  ** description; and the same bytes in one call */
  for(len=19; len<400; len+=37){
    uint32_t a = mv_crc32(mv_crc32(0, buf, 19), buf + 19, len);
    CHECK(a==(uint32_t)crc32_z(0, buf, 19 + len));
  }
  /* large buffers, and all zero and all one bytes */
  CHECK(mv_crc32(0, buf, nBuf)==(uint32_t)crc32_z(0, buf, nBuf));
  CHECK(mv_crc32(0, buf + 3, nBuf - 7)==(uint32_t)crc32_z(0, buf + 3, nBuf - 7));
  memset(buf, 0, 4096);
  CHECK(mv_crc32(0, buf, 4096)==(uint32_t)crc32_z(0, buf, 4096));
  memset(buf, 0xff, 4096);
  CHECK(mv_crc32(0, buf, 4096)==(uint32_t)crc32_z(0, buf, 4096));
  CHECK(mv_crc32(0, (const uint8_t*)"123456789", 9)==0xcbf43926u);
  free(buf);
  UNIT_DONE();
}
