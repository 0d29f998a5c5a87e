/*
** crc32.h — the CRC-32 of binlog event checksums (zlib's crc32_z, the
** IEEE polynomial, reflected), faster where the CPU has carry-less
** multiplication (no SQLite, no client library).
*/
#ifndef MV_CRC32_H
#define MV_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* As zlib's crc32_z(crc, p, n): start with crc 0, chain by passing the
** previous result. */
uint32_t mv_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif /* MV_CRC32_H */
