/*
** binlog_int.h — private to the decoder's files (binlog*.c): the decoder's
** state, a remembered table map, and the few helpers more than one of them
** calls. Nothing outside vtab/pure/binlog*.c includes it; the contract is
** binlog.h.
**
**   binlog.c           lifetime, errors, the common header and checksum,
**                      mvb_parse and the transaction payload's inner events
**   binlog_events.c    the body of each non-rows event (format description,
**                      rotate, heartbeat, query, GTIDs, ...)
**   binlog_tablemap.c  table maps: parsing, optional metadata, the table
**                      store, live column information (mvb_table_apply)
**   binlog_rows.c      rows events: header, images, partial JSON
**   binlog_values.c    one column value of a row image (mvb_decode_value)
*/
#ifndef MV_BINLOG_INT_H
#define MV_BINLOG_INT_H

#include "decompress.h"
#include "binlog.h"
#include "buf.h"
#include "bytes.h"
#include "types.h"

#include <string.h>

#define HEADER_LEN      19
#define MAX_INFLATE     (1u<<30)      /* cap of one decompressed event */
#define TABLE_BUCKETS   256

/* Event flags. */
#define F_IGNORABLE     0x80

/* A remembered table map. */
typedef struct tbl_entry {
  mvb_table t;               /* what callers see */
  struct tbl_entry *next;    /* hash chain */
  uint64_t tick;             /* age, for eviction */
  struct arena_blk *arena;   /* everything of this table (tablemap.c) */
  const uint8_t *raw;        /* the table map body (reuse when identical) */
  size_t nraw;
  int has_signedness;        /* optional metadata gave SIGNEDNESS */
  uint8_t *unnamed;          /* ncol flags: names[i] is the "@N" stand-in */
  int ambiguous;             /* 1-based column of an old-format TIMESTAMP,
                             ** TIME or DATETIME in a MariaDB log: it may be
                             ** MariaDB 5.3's high-resolution form, whose
                             ** width the table map does not record */
} tbl_entry;

/* One derived value whose text lives in the row scratch: its pointer is
** set when the row is complete (the scratch may move while it grows). */
typedef struct fixup {
  mv_value *v;
  size_t off;
} fixup;

struct mvb_decoder {
  uint64_t names_gen;        /* the last mvb_table.names_gen handed out */
  /* from the format description */
  int have_fde;
  int is_maria;              /* the format description is MariaDB's */
  int checksum;              /* 1: CRC32 on every event */
  int json_diff;             /* mvb_set_json_diff */
  uint16_t binlog_version;
  char server_version[51];
  uint8_t post_len[256];     /* post-header length by event type */

  /* table maps */
  tbl_entry *buckets[TABLE_BUCKETS];
  int ntables;
  uint64_t tick;

  /* buffers reused across events */
  mv_buf unz;                /* decompressed MariaDB query / rows */
  /* a TRANSACTION_PAYLOAD, read an inner event at a time (memory is one
  ** event and a zstd window, however large the transaction) */
  mv_buf payload_src;        /* the payload event's body, copied */
  mvz_stream pz;             /* its decompression */
  mv_buf payload;            /* decompressed bytes not yet handed out ... */
  size_t payload_off;        /* ... from here (the current inner event) */
  uint64_t payload_base;     /* payload offset of payload.z[0] */
  int in_payload;
  mv_buf scratch;            /* derived text of the current row */
  mv_buf jtmp;               /* partial JSON result before copying */
  mv_value *vals;            /* 2 * nvals values: before, after */
  int nvals;
  fixup *fix;
  int nfix, nfixalloc;

  char zErr[512];
  char zVal[300];            /* a value's error text (decode_value) */
  uint32_t ts_days;          /* the day of the last TIMESTAMP decoded */
  unsigned ts_y, ts_m, ts_d; /* and its date (0 days: 1970-01-01) */
};

/* binlog.c */
int mvb_fail(mvb_decoder *d, int type, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));   /* MVB_ERROR, "<Event>: ..." */
void mvb_default_post_lengths(mvb_decoder *d);

/* binlog_events.c: the body of the event in buf[0..n) */
int mvb_parse_event(mvb_decoder *d, const uint8_t *buf, size_t n,
                    int hasCrc, mvb_event *ev);

/* binlog_tablemap.c */
int mvb_parse_table_map(mvb_decoder *d, mvb_event *ev);
tbl_entry *mvb_find_table(mvb_decoder *d, uint64_t id);
void mvb_string_meta(uint16_t meta, uint8_t *pReal, unsigned *pMax);

/* binlog_rows.c */
int mvb_is_rows_event(int type);
int mvb_parse_rows_header(mvb_decoder *d, mvb_event *ev, mv_reader *r);

/* binlog_values.c: one value of column c; 0, or what was wrong */
const char *mvb_decode_value(mvb_decoder *d, mv_reader *r,
                             const mvb_column *c, mv_value *v);

static inline int is_enum_or_set(const mvb_column *c){
  return c->real_type==MVT_ENUM || c->real_type==MVT_SET;
}

/* The binlog's name of a column's type (types.c); ENUM and SET are STRING
** codes with that real type. */
static inline const char *type_name(const mvb_column *c){
  if( c->type==MVT_STRING && is_enum_or_set(c) ){
    return mv_type_code_name(c->real_type);
  }
  return mv_type_code_name(c->type);
}

/* Append to the row scratch; nothing for no bytes (an empty buffer has
** no memory yet, and memcpy must not see its NULL). */
static inline void scratch_append(mvb_decoder *d, const void *p, size_t n){
  if( n ) mv_buf_append(&d->scratch, p, n);
}

/* Remember that v's text starts at scratch offset off. */
static inline void add_fixup(mvb_decoder *d, mv_value *v, size_t off){
  d->fix[d->nfix].v = v;
  d->fix[d->nfix].off = off;
  d->nfix++;
}

/* Length-prefixed bytes: nb (1..4) little-endian length bytes. */
static inline const uint8_t *read_lenbytes(mv_reader *r, int nb, size_t *pn){
  uint64_t len;
  if( nb<1 || nb>4 ){ r->err = 1; return 0; }
  len = mvr_le(r, nb);
  *pn = (size_t)len;
  return mvr_take(r, (size_t)len);
}

/* The integer and floating-point columns, the most common kinds. Returns
** 1 when decoded; 0, with nothing read, for any other type or when the
** bytes are not all there. decode_image tries it before decode_value, to
** spare these columns that call and its dispatch (bench/README.md). */
static inline __attribute__((always_inline))
int decode_number(mv_reader *r, const mvb_column *c, mv_value *v){
  const uint8_t *p = r->p;
  size_t left = (size_t)(r->end - r->p);
  uint64_t x;
  int n, i;
  if( r->err ) return 0;
  /* the little-endian bytes, at constant widths (each read one load) */
  switch( c->type ){
    case MVT_TINY:
      if( left<1 ) return 0;
      x = p[0]; n = 1;
      break;
    case MVT_SHORT:
      if( left<2 ) return 0;
      x = (uint32_t)p[0] | (uint32_t)p[1]<<8; n = 2;
      break;
    case MVT_INT24:
      if( left<3 ) return 0;
      x = (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16; n = 3;
      break;
    case MVT_LONG: case MVT_FLOAT:
      if( left<4 ) return 0;
      x = (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
        | (uint32_t)p[3]<<24;
      n = 4;
      break;
    case MVT_LONGLONG: case MVT_DOUBLE:
      if( left<8 ) return 0;
      for(x=0, i=7; i>=0; i--) x = (x<<8) | p[i];
      n = 8;
      break;
    default:
      return 0;
  }
  r->p += n;
  v->charset = 0;
  v->fsp = 0;
  if( c->type==MVT_FLOAT ){
    uint32_t u = (uint32_t)x;
    v->kind = MV_FLOAT;
    memcpy(&v->v.f, &u, sizeof v->v.f);
  }else if( c->type==MVT_DOUBLE ){
    v->kind = MV_DOUBLE;
    memcpy(&v->v.d, &x, sizeof v->v.d);
  }else if( c->is_unsigned ){
    v->kind = MV_UINT;
    v->v.u = x;
  }else{
    uint64_t sign = (uint64_t)1 << (8*n - 1);  /* sign-extend n bytes */
    v->kind = MV_INT;
    v->v.i = (int64_t)((x ^ sign) - sign);
  }
  return 1;
}

#endif /* MV_BINLOG_INT_H */
