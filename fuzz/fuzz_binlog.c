/*
** fuzz_binlog.c — libFuzzer target for the binlog decoder (vtab/pure/binlog.c).
**
**   make fuzz FUZZ_TIME=60        build with clang and run for 60 seconds
**
** Every input is decoded the way mysql_changes / mysql_binlog use the
** decoder: mvb_parse on each event, mvb_rows_open / mvb_rows_next on rows
** events, mvb_payload_next inside TRANSACTION_PAYLOAD, and every row image
** encoded with mv_encode_row (JSON) and mv_encode_text (typed tables).
** Each event is handed over in its own malloc'd buffer of exactly the
** bytes given, so that ASan sees any read past the event.
**
** Two input forms:
**
**  A. A binlog file: the 4-byte magic "\xfebin", then events. The stream is
**     cut into events by the size in each common header (a size below 19
**     or past the end hands over the bytes that are there: the decoder
**     must reject them). It is decoded twice: as it is (so checksum
**     mismatches are seen), then with every CRC32 recomputed where the
**     format description asks for one, so that mutations are not all
**     stopped by the checksum; this second pass also has json_diff on
**     (mvb_set_json_diff: partial JSON diffs without a before document
**     are delivered as {"json_diff":[...]}).
**
**  B. Anything else: byte 0 chooses one of the real format descriptions
**     in fdes.h (bits 0..3, modulo their number) and options, the rest is
**     events WITHOUT checksums:
**       0x80  the format description asks for CRC32: the harness appends
**             a correct CRC to each event
**       0x40  table maps are completed with mvb_table_apply(), as the live
**             path does with information_schema
**       0x20  the events are wrapped, zstd-compressed, into one MySQL 8
**             TRANSACTION_PAYLOAD event (mvb_payload_next)
**       0x10  no format description: mvb_set_checksum() instead, as for
**             the events a replication stream sends before it
**
** The same entry point serves test/unit/fuzz_regress_test.c, which
** replays every crash found (test/unit/data/fuzz/) in the normal build.
** An error without a message breaks the "clear error" contract: the fuzzer
** treats it as a crash (FUZZ_ABORT_ON_BAD_MSG), the unit test counts it.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "binlog.h"
#include "buf.h"
#include "encode.h"

#include "fdes.h"

#define FUZZ_MAX_EVENTS 20000      /* per input */
#define FUZZ_MAX_ROWS   200000     /* per input */
#define FUZZ_HDR        19         /* common header */

typedef struct fuzz_stats {
  long events;      /* events handed to mvb_parse / found by payload_next */
  long parsed;      /* ... of which decoded without error */
  long errors;      /* MVB_ERROR results of any call */
  long rows;        /* row images decoded */
  long bad_msgs;    /* MVB_ERROR with no message */
} fuzz_stats;

typedef struct fuzz_run {
  mvb_decoder *d;
  mv_buf json, text;
  fuzz_stats *st;
  int apply;        /* 0 never, 1 always, 2 on odd table ids */
  int forget_xid;   /* mvb_forget_tables after each XID */
} fuzz_run;

static uint32_t fuzzLe32(const uint8_t *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}
static void fuzzPut32(uint8_t *p, uint32_t v){
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v>>8);
  p[2] = (uint8_t)(v>>16); p[3] = (uint8_t)(v>>24);
}

static void fuzzError(fuzz_run *r){
  const char *z = mvb_errmsg(r->d);
  r->st->errors++;
  if( z==0 || z[0]==0 ){
    r->st->bad_msgs++;
#ifdef FUZZ_ABORT_ON_BAD_MSG
    fprintf(stderr, "fuzz_binlog: MVB_ERROR without a message\n");
    abort();
#endif
  }else{
    /* The message must be a plain C string: walk it (ASan checks). */
    mv_json_string(&r->text, z, strlen(z));
  }
}

static int fuzzIsRows(int t){
  return (t>=MVB_WRITE_ROWS_V0 && t<=MVB_DELETE_ROWS_V1)
      || (t>=MVB_WRITE_ROWS_V2 && t<=MVB_DELETE_ROWS_V2)
      || t==MVB_PARTIAL_UPDATE_ROWS
      || (t>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
          && t<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

/* information_schema's DATA_TYPE for a binlog column type (what the live
** path would pass to mvb_table_apply). */
static const char *fuzzDataType(const mvb_column *c){
  switch( c->type ){
    case MVT_TINY: return "tinyint";
    case MVT_SHORT: return "smallint";
    case MVT_INT24: return "mediumint";
    case MVT_LONG: return "int";
    case MVT_LONGLONG: return "bigint";
    case MVT_FLOAT: return "float";
    case MVT_DOUBLE: return "double";
    case MVT_DECIMAL: case MVT_NEWDECIMAL: return "decimal";
    case MVT_DATE: case MVT_NEWDATE: return "date";
    case MVT_TIME: case MVT_TIME2: return "time";
    case MVT_DATETIME: case MVT_DATETIME2: return "datetime";
    case MVT_TIMESTAMP: case MVT_TIMESTAMP2: return "timestamp";
    case MVT_YEAR: return "year";
    case MVT_BIT: return "bit";
    case MVT_JSON: return "json";
    case MVT_GEOMETRY: return "geometry";
    case MVT_ENUM: return "enum";
    case MVT_SET: return "set";
    case MVT_VARCHAR: case MVT_VAR_STRING: return "varchar";
    case MVT_BLOB: case MVT_TINY_BLOB: case MVT_MEDIUM_BLOB:
    case MVT_LONG_BLOB: return (c->meta & 1) ? "blob" : "longtext";
    case MVT_STRING:
      if( c->real_type==MVT_ENUM ) return "enum";
      if( c->real_type==MVT_SET ) return "set";
      return "char";
    default: return "int";
  }
}

/* Complete a table map the way the live path does. Column types and labels
** are made up but well formed, with quotes and backslashes in the labels. */
static void fuzzApply(fuzz_run *r, mvb_table *t){
  mvb_colinfo *a;
  char (*names)[16];
  int i;
  if( t==0 || t->ncol<=0 || t->ncol>4096 ) return;
  a = calloc((size_t)t->ncol, sizeof *a);
  names = calloc((size_t)t->ncol, sizeof *names);
  if( a==0 || names==0 ){ free(a); free(names); return; }
  for(i=0; i<t->ncol; i++){
    const mvb_column *c = &t->cols[i];
    const char *dt = fuzzDataType(c);
    snprintf(names[i], sizeof names[i], "c%d", i+1);
    a[i].name = names[i];
    a[i].data_type = dt;
    if( strcmp(dt, "enum")==0 ){
      a[i].column_type = "enum('a','b''c','d\\\\e','')";
    }else if( strcmp(dt, "set")==0 ){
      a[i].column_type = "set('x','y,z','w')";
    }else if( c->type==MVT_STRING ){
      a[i].column_type = (i & 1) ? "binary(4)" : "char(3)";
    }else if( i & 1 ){
      a[i].column_type = "int(10) unsigned";
    }else{
      a[i].column_type = dt;
    }
    a[i].charset = (i % 3)==0 ? 63 : (i % 3)==1 ? 8 : 45;
    a[i].is_json = strcmp(dt, "longtext")==0 && (i & 2);
  }
  (void)mvb_table_apply(r->d, t, t->ncol, a);
  free(a);
  free(names);
}

/* Look at every byte of a table definition (ASan checks the lengths). */
static void fuzzTouchTable(fuzz_run *r, const mvb_table *t){
  int i, j;
  if( t==0 ) return;
  if( t->db ) mv_json_string(&r->text, t->db, strlen(t->db));
  if( t->name ) mv_json_string(&r->text, t->name, strlen(t->name));
  for(i=0; i<t->ncol; i++){
    if( t->names && t->names[i] ){
      mv_json_string(&r->text, t->names[i], strlen(t->names[i]));
    }
    for(j=0; j<t->cols[i].n_labels; j++){
      if( t->cols[i].labels[j] ){
        mv_json_string(&r->text, t->cols[i].labels[j],
                       strlen(t->cols[i].labels[j]));
      }
    }
  }
}

static void fuzzRows(fuzz_run *r, const mvb_event *ev){
  mvb_rows rows;
  int rc;
  memset(&rows, 0, sizeof rows);
  if( mvb_rows_open(r->d, ev, &rows)!=MVB_OK ){ fuzzError(r); return; }
  while( r->st->rows < FUZZ_MAX_ROWS ){
    rc = mvb_rows_next(r->d, &rows);
    if( rc==MVB_DONE ) break;
    if( rc!=MVB_ROW ){ fuzzError(r); break; }
    r->st->rows++;
    if( rows.table ){
      const mvb_table *t = rows.table;
      const mv_value *img[2];
      int k, i;
      img[0] = rows.before;
      img[1] = rows.after;
      for(k=0; k<2; k++){
        if( img[k]==0 ) continue;
        mv_buf_reset(&r->json);
        mv_encode_row(&r->json, t->ncol, (const char *const*)t->names, img[k]);
        for(i=0; i<t->ncol; i++){
          mv_buf_reset(&r->text);
          mv_encode_text(&r->text, &img[k][i]);
        }
      }
    }
  }
}

/* Use one decoded event as mysql_changes would. */
static void fuzzUse(fuzz_run *r, mvb_event *ev, int depth){
  const char *zName = mvb_event_name(ev->type);
  mv_buf_reset(&r->text);
  if( zName ) mv_json_string(&r->text, zName, strlen(zName));
  switch( ev->type ){
    case MVB_QUERY:
    case MVB_MARIA_QUERY_COMPRESSED:
      if( ev->u.query.db ) mv_json_string(&r->text, ev->u.query.db, ev->u.query.db_len);
      if( ev->u.query.sql ) mv_json_string(&r->text, ev->u.query.sql, ev->u.query.sql_len);
      break;
    case MVB_ROTATE:
      if( ev->u.rotate.file ){
        mv_json_string(&r->text, ev->u.rotate.file, ev->u.rotate.file_len);
      }
      mvb_forget_tables(r->d);
      break;
    case MVB_XID:
      if( r->forget_xid ) mvb_forget_tables(r->d);
      break;
    case MVB_GTID: case MVB_ANONYMOUS_GTID: case MVB_GTID_TAGGED:
    case MVB_MARIA_GTID:
      mv_json_string(&r->text, ev->u.gtid.text,
                     strnlen(ev->u.gtid.text, sizeof ev->u.gtid.text));
      break;
    case MVB_FORMAT_DESCRIPTION:
      mv_json_string(&r->text, ev->u.fde.server_version,
                     strnlen(ev->u.fde.server_version,
                             sizeof ev->u.fde.server_version));
      break;
    case MVB_TABLE_MAP: {
      mvb_table *t = ev->u.table_map.table;
      if( t && (r->apply==1 || (r->apply==2 && (t->id & 1))) ) fuzzApply(r, t);
      fuzzTouchTable(r, t);
      break;
    }
    case MVB_MARIA_ANNOTATE_ROWS:
    case MVB_ROWS_QUERY:
      if( ev->u.annotate.sql ){
        mv_json_string(&r->text, ev->u.annotate.sql, ev->u.annotate.sql_len);
      }
      break;
    case MVB_TRANSACTION_PAYLOAD:
      if( depth==0 ){
        mvb_event inner;
        int rc, n = 0;
        while( n++ < FUZZ_MAX_EVENTS ){
          memset(&inner, 0, sizeof inner);
          rc = mvb_payload_next(r->d, &inner);
          if( rc==MVB_DONE ) break;
          r->st->events++;
          if( rc!=MVB_OK ){ fuzzError(r); break; }
          r->st->parsed++;
          fuzzUse(r, &inner, depth+1);
        }
      }
      break;
    default:
      break;
  }
  if( fuzzIsRows(ev->type) ){
    fuzzTouchTable(r, ev->u.rows.table);
    fuzzRows(r, ev);
  }
}

/* Hand over n bytes as one event, in a buffer of exactly n bytes. */
static void fuzzEvent(fuzz_run *r, const uint8_t *p, size_t n){
  uint8_t *copy = malloc(n ? n : 1);
  mvb_event ev;
  if( copy==0 ) return;
  memcpy(copy, p, n);
  memset(&ev, 0, sizeof ev);
  r->st->events++;
  if( mvb_parse(r->d, copy, n, &ev)==MVB_OK ){
    r->st->parsed++;
    fuzzUse(r, &ev, 0);
  }else{
    fuzzError(r);
  }
  free(copy);
}

/* Length of the event starting at p (left bytes remain): the header's
** size, at least a header, at most what is there. */
static size_t fuzzEventLen(const uint8_t *p, size_t left){
  size_t len;
  if( left < FUZZ_HDR ) return left;
  len = fuzzLe32(p + 9);
  if( len < FUZZ_HDR ) len = FUZZ_HDR;
  return len > left ? left : len;
}

/* Does this format description (a whole event, checksum included) ask
** for CRC32? Server 5.6.1 and later end it with the algorithm byte and a
** 4-byte checksum. */
static int fuzzFdeCrc(const uint8_t *ev, size_t n){
  unsigned v[3] = {0, 0, 0};
  const uint8_t *z;
  if( n < FUZZ_HDR + 2 + 50 + 4 + 1 + 5 ) return 0;
  z = ev + FUZZ_HDR + 2;
  {
    char ver[51];
    memcpy(ver, z, 50);
    ver[50] = 0;
    if( sscanf(ver, "%u.%u.%u", &v[0], &v[1], &v[2])<2 ) return 0;
  }
  if( v[0]<5 || (v[0]==5 && (v[1]<6 || (v[1]==6 && v[2]<1))) ) return 0;
  return ev[n-5]==1;
}

/* Form A: a binlog file. */
static void fuzzFile(const uint8_t *data, size_t size, int repair,
                     fuzz_stats *st){
  fuzz_run r;
  size_t off = 4;
  int n = 0, crc = 0;
  memset(&r, 0, sizeof r);
  r.d = mvb_new();
  r.st = st;
  r.apply = repair ? 2 : 0;
  r.forget_xid = repair;
  if( r.d==0 ) return;
  mvb_set_json_diff(r.d, repair);
  mv_buf_init(&r.json);
  mv_buf_init(&r.text);
  while( off < size && n++ < FUZZ_MAX_EVENTS && st->rows < FUZZ_MAX_ROWS ){
    size_t len = fuzzEventLen(data + off, size - off);
    if( repair && len >= FUZZ_HDR + 4 ){
      uint8_t *copy = malloc(len);
      if( copy==0 ) break;
      memcpy(copy, data + off, len);
      if( copy[4]==MVB_FORMAT_DESCRIPTION ) crc = fuzzFdeCrc(copy, len);
      if( crc ){
        fuzzPut32(copy + len - 4,
                  (uint32_t)crc32(0, copy, (uInt)(len - 4)));
      }
      fuzzEvent(&r, copy, len);
      free(copy);
    }else{
      fuzzEvent(&r, data + off, len);
    }
    off += len;
  }
  mv_buf_free(&r.json);
  mv_buf_free(&r.text);
  mvb_free(r.d);
}

/* Append the MySQL length-encoded integer v to p; returns its length. */
static size_t fuzzLenenc(uint8_t *p, uint64_t v){
  if( v < 251 ){ p[0] = (uint8_t)v; return 1; }
  if( v < 65536 ){ p[0] = 0xfc; p[1] = (uint8_t)v; p[2] = (uint8_t)(v>>8); return 3; }
  if( v < 16777216 ){
    p[0] = 0xfd; p[1] = (uint8_t)v; p[2] = (uint8_t)(v>>8); p[3] = (uint8_t)(v>>16);
    return 4;
  }
  p[0] = 0xfe;
  { int i; for(i=0; i<8; i++) p[1+i] = (uint8_t)(v>>(8*i)); }
  return 9;
}

/* Append a payload header field (type, length, value). */
static size_t fuzzField(uint8_t *p, unsigned type, uint64_t v){
  uint8_t val[9];
  size_t nv = fuzzLenenc(val, v), k = 0;
  k += fuzzLenenc(p + k, type);
  k += fuzzLenenc(p + k, nv);
  memcpy(p + k, val, nv);
  return k + nv;
}

/* Form B: a real format description, then events without checksums. */
static void fuzzEvents(const uint8_t *data, size_t size, fuzz_stats *st){
  fuzz_run r;
  uint8_t sel = data[0];
  const fuzz_fde *f = &fuzz_fdes[(sel & 0x0f) % FUZZ_NFDE];
  int crc = f->has_alg && (sel & 0x80);
  uint8_t *fde;
  size_t nfde = f->n + (f->has_alg ? 5 : 0), off = 1;
  int n = 0;
  memset(&r, 0, sizeof r);
  r.d = mvb_new();
  r.st = st;
  r.apply = (sel & 0x40) ? 1 : 0;
  r.forget_xid = 0;
  if( r.d==0 ) return;
  mv_buf_init(&r.json);
  mv_buf_init(&r.text);

  /* The format description, with the checksum algorithm asked for. */
  fde = malloc(nfde);
  if( fde==0 ) goto done;
  memcpy(fde, f->a, f->n);
  if( f->has_alg ){
    fde[f->n] = crc ? 1 : 0;
    fuzzPut32(fde + 9, (uint32_t)nfde);
    fuzzPut32(fde + nfde - 4, (uint32_t)crc32(0, fde, (uInt)(nfde - 4)));
  }
  if( sel & 0x10 ){
    mvb_set_checksum(r.d, crc);
  }else{
    fuzzEvent(&r, fde, nfde);
  }
  free(fde);

  if( sel & 0x20 ){
    /* One TRANSACTION_PAYLOAD event holding the rest, zstd-compressed. */
    size_t raw = size - off, bound = ZSTD_compressBound(raw);
    uint8_t *ev = malloc(FUZZ_HDR + 40 + bound + 4);
    size_t k = FUZZ_HDR, zn;
    if( ev==0 ) goto done;
    memset(ev, 0, FUZZ_HDR);
    ev[4] = MVB_TRANSACTION_PAYLOAD;
    fuzzPut32(ev + 5, 1);                        /* server id */
    zn = ZSTD_compress(ev + FUZZ_HDR + 40, bound, data + off, raw, 1);
    if( ZSTD_isError(zn) ){ free(ev); goto done; }
    k += fuzzField(ev + k, 2, 0);                /* compression: ZSTD */
    k += fuzzField(ev + k, 3, raw);              /* uncompressed size */
    k += fuzzField(ev + k, 1, zn);               /* payload size */
    k += fuzzLenenc(ev + k, 0);                  /* end of the header */
    memmove(ev + k, ev + FUZZ_HDR + 40, zn);
    k += zn;
    if( crc ) k += 4;
    fuzzPut32(ev + 9, (uint32_t)k);
    fuzzPut32(ev + 13, (uint32_t)(4 + nfde + k)); /* log_pos */
    if( crc ) fuzzPut32(ev + k - 4, (uint32_t)crc32(0, ev, (uInt)(k - 4)));
    fuzzEvent(&r, ev, k);
    free(ev);
    goto done;
  }

  while( off < size && n++ < FUZZ_MAX_EVENTS && st->rows < FUZZ_MAX_ROWS ){
    size_t len = fuzzEventLen(data + off, size - off);
    if( crc && len >= FUZZ_HDR ){
      uint8_t *copy = malloc(len + 4);
      if( copy==0 ) break;
      memcpy(copy, data + off, len);
      fuzzPut32(copy + 9, (uint32_t)(len + 4));
      fuzzPut32(copy + len, (uint32_t)crc32(0, copy, (uInt)len));
      fuzzEvent(&r, copy, len + 4);
      free(copy);
    }else{
      fuzzEvent(&r, data + off, len);
    }
    off += len;
  }
done:
  mv_buf_free(&r.json);
  mv_buf_free(&r.text);
  mvb_free(r.d);
}

/* Decode one input in every way it is meant for; st may be NULL. */
void fuzz_binlog_one(const uint8_t *data, size_t size, fuzz_stats *st){
  fuzz_stats dummy;
  if( st==0 ){ memset(&dummy, 0, sizeof dummy); st = &dummy; }
  if( size==0 ) return;
  if( size>=4 && memcmp(data, "\xfe" "bin", 4)==0 ){
    fuzzFile(data, size, 0, st);
    fuzzFile(data, size, 1, st);
  }else{
    fuzzEvents(data, size, st);
  }
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  fuzz_binlog_one(data, size, 0);
  return 0;
}
#endif
