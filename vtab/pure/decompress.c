/*
** decompress.c — MariaDB's zlib-compressed events and MySQL's zstd
** transaction payloads; see decompress.h. No SQLite.
**
** MariaDB (sql/log_event.cc, binlog_buf_compress/binlog_get_uncompress_len):
**   byte 0     0x80 | (algorithm<<4) | lenlen; algorithm 0 is zlib, the
**              only one defined; lenlen 1..4
**   lenlen     the uncompressed length, high byte first
**   rest       one zlib stream (compress()), inflating to exactly that length
**
** MySQL (libbinlogevents codecs/binary.cpp, Transaction_payload::decode):
**   fields     type, length, value, each a packed (length-encoded) integer:
**              1 payload size, 2 compression type (0 zstd, 255 none),
**              3 uncompressed size; unknown types are skipped by length;
**              type 0 ends the header
**   rest       payload-size bytes: the events, compressed as one zstd
**              stream (or stored as they are)
**
** Both write straight into the caller's buffer and never let it grow past
** max bytes for this call; on an error the buffer is put back as it was.
*/
#include "decompress.h"
#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static int fail(char *zErr, size_t nErr, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));
static int fail(char *zErr, size_t nErr, const char *zFmt, ...){
  va_list ap;
  if( zErr && nErr ){
    va_start(ap, zFmt);
    vsnprintf(zErr, nErr, zFmt, ap);
    va_end(ap);
  }
  return 1;
}

int mvz_maria_uncompress(const uint8_t *p, size_t n, mv_buf *out, size_t max,
                         char *zErr, size_t nErr){
  size_t start = out->n;
  unsigned lenlen, i;
  uint64_t len = 0;
  z_stream zs;
  int rc;
  if( n<1 ){
    return fail(zErr, nErr, "compressed event: no compression header");
  }
  if( (p[0] & 0x80)==0 ){
    return fail(zErr, nErr, "compressed event: header byte 0x%02x lacks the "
                "compressed flag", p[0]);
  }
  if( (p[0] & 0x70)!=0 ){
    return fail(zErr, nErr, "compressed event: algorithm %d not supported "
                "(only zlib, 0)", (p[0]>>4) & 7);
  }
  lenlen = p[0] & 0x07;
  if( lenlen<1 || lenlen>4 ){
    return fail(zErr, nErr, "compressed event: length size %u not in 1..4",
                lenlen);
  }
  if( n < 1 + (size_t)lenlen ){
    return fail(zErr, nErr, "compressed event: truncated in the %u-byte "
                "length", lenlen);
  }
  for(i=0; i<lenlen; i++) len = (len<<8) | p[1+i];
  if( len==0 ){
    return fail(zErr, nErr, "compressed event: uncompressed length is 0");
  }
  if( len > max ){
    return fail(zErr, nErr, "compressed event: uncompressed length %llu "
                "exceeds the limit %zu", (unsigned long long)len, max);
  }
  /* One byte of room past the announced length, so that a stream that
  ** inflates to more shows itself instead of stopping at the edge. */
  if( mv_buf_reserve(out, (size_t)len + 1) ){
    return fail(zErr, nErr, "compressed event: out of memory for %llu bytes",
                (unsigned long long)len);
  }
  memset(&zs, 0, sizeof zs);
  if( inflateInit(&zs)!=Z_OK ){
    return fail(zErr, nErr, "compressed event: zlib init failed");
  }
  zs.next_in = (Bytef*)(p + 1 + lenlen);
  zs.avail_in = (uInt)((n - 1 - lenlen) > 0xffffffffu ? 0xffffffffu
                                                      : (n - 1 - lenlen));
  zs.next_out = (Bytef*)(out->z + start);
  zs.avail_out = (uInt)(len + 1);
  rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if( rc==Z_STREAM_END && zs.total_out==len ){
    out->n = start + (size_t)len;
    return 0;
  }
  out->n = start;
  if( zs.total_out > len ){
    return fail(zErr, nErr, "compressed event: data inflates past the "
                "announced length %llu", (unsigned long long)len);
  }
  if( rc==Z_STREAM_END ){
    return fail(zErr, nErr, "compressed event: data inflates to %lu bytes, "
                "header says %llu", (unsigned long)zs.total_out,
                (unsigned long long)len);
  }
  if( rc==Z_BUF_ERROR ){
    return fail(zErr, nErr, "compressed event: zlib stream truncated after "
                "%lu of %llu bytes", (unsigned long)zs.total_out,
                (unsigned long long)len);
  }
  return fail(zErr, nErr, "compressed event: bad zlib data at input byte "
              "%lu (%s)", (unsigned long)zs.total_in,
              zs.msg ? zs.msg : "error");
}

/* Packed integer of the payload header: < 251 in one byte, 0xfc/0xfd/0xfe
** followed by 2, 3 or 8 bytes. 0xfb and 0xff are invalid here. */
#define TP_END           0
#define TP_PAYLOAD_SIZE  1
#define TP_COMPRESSION   2
#define TP_UNCOMP_SIZE   3
#define TP_ZSTD          0
#define TP_NONE          255

/* The header fields of a TRANSACTION_PAYLOAD body: the compression type
** and where the payload's bytes are. */
static int payloadHeader(mvz_stream *s, const uint8_t *body, size_t n,
                         char *zErr, size_t nErr){
  mv_reader r;
  uint64_t type, len, ctype = 0, psize = 0;
  int haveSize = 0, haveType = 0, ended = 0;
  size_t pos;
  mvr_init(&r, body, n);
  while( mvr_left(&r)>0 ){
    pos = (size_t)(r.p - body);
    type = mvr_lenenc(&r);
    if( !mvr_ok(&r) ){
      return fail(zErr, nErr, "transaction payload: bad field type at "
                  "offset %zu", pos);
    }
    if( type==TP_END ){ ended = 1; break; }
    len = mvr_lenenc(&r);
    if( !mvr_ok(&r) || len > mvr_left(&r) ){
      return fail(zErr, nErr, "transaction payload: field %llu at offset %zu "
                  "truncated", (unsigned long long)type, pos);
    }
    if( type==TP_PAYLOAD_SIZE || type==TP_COMPRESSION
     || type==TP_UNCOMP_SIZE ){
      mv_reader f;
      uint64_t v;
      mvr_init(&f, r.p, (size_t)len);
      v = mvr_lenenc(&f);
      if( !mvr_ok(&f) || mvr_left(&f)!=0 ){
        return fail(zErr, nErr, "transaction payload: bad value of field "
                    "%llu at offset %zu", (unsigned long long)type, pos);
      }
      if( type==TP_PAYLOAD_SIZE ){ psize = v; haveSize = 1; }
      else if( type==TP_COMPRESSION ){ ctype = v; haveType = 1; }
      else{ s->usize = v; s->haveUsize = 1; }
    }
    mvr_skip(&r, (size_t)len);   /* unknown fields are skipped */
  }
  if( !ended ){
    return fail(zErr, nErr, "transaction payload: header has no end mark");
  }
  if( !haveType ){
    return fail(zErr, nErr, "transaction payload: no compression type");
  }
  if( !haveSize ){
    return fail(zErr, nErr, "transaction payload: no payload size");
  }
  if( psize > mvr_left(&r) ){
    return fail(zErr, nErr, "transaction payload: payload size %llu but "
                "only %zu bytes follow the header", (unsigned long long)psize,
                mvr_left(&r));
  }
  if( ctype!=TP_ZSTD && ctype!=TP_NONE ){
    return fail(zErr, nErr, "transaction payload: compression type %llu not "
                "supported (0 zstd, 255 none)", (unsigned long long)ctype);
  }
  s->src = r.p;
  s->nSrc = (size_t)psize;
  s->stored = ctype==TP_NONE;
  return 0;
}

int mvz_stream_open(mvz_stream *s, const uint8_t *body, size_t n,
                    char *zErr, size_t nErr){
  memset(s, 0, sizeof *s);
  if( payloadHeader(s, body, n, zErr, nErr) ) return 1;
  if( !s->stored ){
    s->zs = ZSTD_createDCtx();
    if( s->zs==0 ){
      return fail(zErr, nErr, "transaction payload: out of memory for zstd");
    }
  }
  return 0;
}

void mvz_stream_close(mvz_stream *s){
  if( s->zs ) ZSTD_freeDCtx((ZSTD_DCtx*)s->zs);
  memset(s, 0, sizeof *s);
}

/* The end of the data: it must be as long as the header said. */
static int streamEnd(mvz_stream *s, char *zErr, size_t nErr){
  s->ended = 1;
  if( s->haveUsize && s->produced!=s->usize ){
    return fail(zErr, nErr, "transaction payload: data inflates to %llu "
                "bytes, header says %llu", (unsigned long long)s->produced,
                (unsigned long long)s->usize);
  }
  return 0;
}

int mvz_stream_read(mvz_stream *s, mv_buf *out, size_t want,
                    char *zErr, size_t nErr){
  size_t start = out->n, got = 0;
  if( s->ended || want==0 ) return 0;
  if( s->stored ){
    size_t k = s->nSrc - s->srcPos;
    if( k>want ) k = want;
    mv_buf_append(out, s->src + s->srcPos, k);
    if( out->oom ){
      out->n = start;
      return fail(zErr, nErr, "transaction payload: out of memory");
    }
    s->srcPos += k;
    s->produced += k;
    if( s->srcPos==s->nSrc ) return streamEnd(s, zErr, nErr);
    return 0;
  }
  while( got<want ){
    ZSTD_inBuffer in;
    ZSTD_outBuffer o;
    size_t ret, room = want - got, inBefore = s->srcPos;
    if( room > ZSTD_DStreamOutSize() ) room = ZSTD_DStreamOutSize();
    if( mv_buf_reserve(out, room) ){
      out->n = start;
      return fail(zErr, nErr, "transaction payload: out of memory");
    }
    in.src = s->src;
    in.size = s->nSrc;
    in.pos = s->srcPos;
    o.dst = out->z + out->n;
    o.size = room;
    o.pos = 0;
    ret = ZSTD_decompressStream((ZSTD_DCtx*)s->zs, &o, &in);
    if( ZSTD_isError(ret) ){
      out->n = start;
      return fail(zErr, nErr, "transaction payload: bad zstd data after "
                  "%zu of %zu bytes: %s", inBefore, s->nSrc,
                  ZSTD_getErrorName(ret));
    }
    s->srcPos = in.pos;
    out->n += o.pos;
    got += o.pos;
    s->produced += o.pos;
    if( s->haveUsize && s->produced > s->usize ){
      out->n = start;
      return fail(zErr, nErr, "transaction payload: data inflates past the "
                  "%llu bytes its header says", (unsigned long long)s->usize);
    }
    if( in.pos==in.size && ret==0 ) return streamEnd(s, zErr, nErr);
    if( in.pos==in.size && o.pos<o.size ){
      out->n = start;
      return fail(zErr, nErr, "transaction payload: zstd data truncated "
                  "after %llu uncompressed bytes",
                  (unsigned long long)s->produced);
    }
  }
  return 0;
}

int mvz_payload(const uint8_t *body, size_t n, mv_buf *out, size_t max,
                char *zErr, size_t nErr){
  mvz_stream s;
  size_t start = out->n;
  int rc = 0;
  if( mvz_stream_open(&s, body, n, zErr, nErr) ) return 1;
  if( s.haveUsize && s.usize > max ){
    rc = fail(zErr, nErr, "transaction payload: uncompressed size %llu "
              "exceeds the limit %zu", (unsigned long long)s.usize, max);
  }else if( s.stored && s.nSrc > max ){
    rc = fail(zErr, nErr, "transaction payload: size %zu exceeds the "
              "limit %zu", s.nSrc, max);
  }else if( s.haveUsize && mv_buf_reserve(out, (size_t)s.usize + 1) ){
    rc = fail(zErr, nErr, "transaction payload: out of memory for %llu "
              "bytes", (unsigned long long)s.usize);
  }
  /* at most max+1 bytes in all: the extra byte detects a stream that
  ** inflates past the cap */
  while( rc==0 && !s.ended ){
    rc = mvz_stream_read(&s, out, max + 1 - (out->n - start), zErr, nErr);
    if( rc==0 && out->n - start > max ){
      rc = fail(zErr, nErr, "transaction payload: data inflates past the "
                "limit %zu", max);
    }
  }
  mvz_stream_close(&s);
  if( rc ) out->n = start;
  return rc;
}
