/*
** crc32.c — mv_crc32 (crc32.h). Every event is checksummed, so this runs
** over every byte the server sends: zlib's table-driven crc32_z was 3-5% of
** a change stream's CPU (bench/README.md). On x86-64 CPUs with PCLMULQDQ
** the bytes are folded 64 at a time with carry-less multiplications and
** the 128-bit remainder reduced with Barrett's method (Gopal et al., "Fast
** CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction",
** Intel, 2009; the constants are those of the reflected IEEE polynomial
** 0x104C11DB7); the tail under 16 bytes, short buffers and other CPUs use
** zlib. test/unit/crc32_test.c compares the two on every length and
** alignment that matters.
*/
#include "crc32.h"

#include <zlib.h>

static uint32_t crc32Zlib(uint32_t crc, const uint8_t *p, size_t n){
  return (uint32_t)crc32_z(crc, p, n);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The raw (not inverted) CRC state of p[0..n), n >= 64 and a multiple of
** 16, folded into crc. */
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32Fold(uint32_t crc, const uint8_t *p, size_t n){
  /* x^(4*128+32) mod P, x^(4*128-32) mod P; x^(128+32), x^(128-32); x^64;
  ** then P and floor(x^64 / P) for the Barrett reduction (bit-reflected) */
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
  const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124LL);
  const __m128i poly = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
  const __m128i mask32 = _mm_setr_epi32(-1, 0, -1, 0);
  __m128i x1, x2, x3, x4, x5, x6, x7, x8;
  x1 = _mm_loadu_si128((const __m128i*)(p + 0));
  x2 = _mm_loadu_si128((const __m128i*)(p + 16));
  x3 = _mm_loadu_si128((const __m128i*)(p + 32));
  x4 = _mm_loadu_si128((const __m128i*)(p + 48));
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
  p += 64; n -= 64;
  while( n>=64 ){
    x5 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
    x6 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
    x7 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
    x8 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
    x1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
    x2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
    x3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
    x4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), _mm_loadu_si128((const __m128i*)(p + 0)));
    x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), _mm_loadu_si128((const __m128i*)(p + 16)));
    x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), _mm_loadu_si128((const __m128i*)(p + 32)));
    x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), _mm_loadu_si128((const __m128i*)(p + 48)));
    p += 64; n -= 64;
  }
  /* four lanes into one */
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
  x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
  x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
  x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);
  /* the remaining 16-byte blocks */
  while( n>=16 ){
    x2 = _mm_loadu_si128((const __m128i*)p);
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
    p += 16; n -= 16;
  }
  /* 128 bits to 64 */
  x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_and_si128(x1, mask32);
  x1 = _mm_clmulepi64_si128(x1, k5k0, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  /* Barrett: 64 bits to 32 */
  x2 = _mm_and_si128(x1, mask32);
  x2 = _mm_clmulepi64_si128(x2, poly, 0x10);
  x2 = _mm_and_si128(x2, mask32);
  x2 = _mm_clmulepi64_si128(x2, poly, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return (uint32_t)_mm_extract_epi32(x1, 1);
}

/* libgcc's CPU detection has run (a constructor) by the time any query
** does: these are reads of its result. */
static int hasClmul(void){
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

uint32_t mv_crc32(uint32_t crc, const uint8_t *p, size_t n){
  if( n>=64 && hasClmul() ){
    size_t m = n & ~(size_t)15;
    crc = ~crc32Fold(~crc, p, m);
    p += m;
    n -= m;
  }
  return n ? crc32Zlib(crc, p, n) : crc;
}
#else
uint32_t mv_crc32(uint32_t crc, const uint8_t *p, size_t n){
  return crc32Zlib(crc, p, n);
}
#endif
