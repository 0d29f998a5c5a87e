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

/* The same payload read piece by piece, so that memory is what the reader
** asks for at a time, however large the transaction: open on the body
** (which must stay valid until close), then each read appends up to want
** bytes to out, fewer only at the end of the data (then s->ended). An
** error (1, message in zErr) leaves out as it was. */
typedef struct mvz_stream {
  const uint8_t *src;        /* the payload's bytes */
  size_t nSrc, srcPos;
  int stored;                /* compression type 255: the bytes as they are */
  uint64_t usize;            /* the header's uncompressed size, if any */
  int haveUsize;
  uint64_t produced;         /* bytes handed out so far */
  int ended;
  void *zs;                  /* the zstd context */
} mvz_stream;
int mvz_stream_open(mvz_stream *s, const uint8_t *body, size_t n,
                    char *zErr, size_t nErr);
int mvz_stream_read(mvz_stream *s, mv_buf *out, size_t want,
                    char *zErr, size_t nErr);
void mvz_stream_close(mvz_stream *s);

#endif /* MV_DECOMPRESS_H */
