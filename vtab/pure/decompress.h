/*
** decompress.h — the two compressed forms a binlog can hold (no SQLite).
**   MariaDB log_bin_compress: QUERY_COMPRESSED and *_ROWS_COMPRESSED events,
**     whose statement or row data is one zlib block behind a small header.
**   MySQL binlog_transaction_compression: TRANSACTION_PAYLOAD_EVENT, a zstd
**     frame holding the transaction's events back to back.
** Both append to out and refuse to inflate past max bytes (a bomb is an
** error, not an allocation). Return 0 on success; otherwise non-zero with
** a message in zErr[nErr] that says what was wrong.
*/
#ifndef MV_DECOMPRESS_H
#define MV_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* p[n]: the compressed part of a MariaDB compressed event, starting at its
** header byte (0x80 | bytes-of-length, then the uncompressed length
** big-endian, then the zlib stream). */
int mvz_maria_uncompress(const uint8_t *p, size_t n, mv_buf *out, size_t max,
                         char *zErr, size_t nErr);

/* body[n]: a TRANSACTION_PAYLOAD_EVENT body (after the common header, no
** checksum): its type-length-value fields (payload size, compression type,
** uncompressed size) and the payload. Appends the uncompressed events. */
int mvz_payload(const uint8_t *body, size_t n, mv_buf *out, size_t max,
                char *zErr, size_t nErr);

#endif /* MV_DECOMPRESS_H */
