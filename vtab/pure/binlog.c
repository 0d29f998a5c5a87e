/*
** binlog.c — the binlog decoder; see binlog.h for the contract.
**
** Pure C over the bounds-checked reader of bytes.h: no SQLite, no client
** library. Every read goes through an mv_reader whose sticky error is
** checked once per record (header, post-header, table map, row value), so
** no parse can read past the buffer it was given, and every failure becomes
** MVB_ERROR with a message "<Event_name>: <what was wrong>".
**
** Memory: the decoder owns a few growable buffers (decompressed MariaDB
** rows and queries, the decompressed transaction payload, the per-row
** scratch that holds derived text such as DECIMAL digits, re-padded BINARY
** values, joined SET labels and JSON text, and the two mv_value arrays of
** a row). They grow to the largest event and are reused: decoding a row
** allocates nothing. Table maps live in one small arena each, remembered by
** table id in a hash of at most MVB_MAX_TABLES entries.
**
** Format references: MySQL's libbinlogevents (control_events, rows_event,
** statement_events) and log_event.cc print functions, MariaDB's
** log_event.cc, and the MariaDB KB replication-protocol pages.
*/
#include "binlog.h"
#include "bytes.h"
#include "crc32.h"
#include "decompress.h"
#include "jsondiff.h"
#include "mysqljson.h"
#include "types.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_LEN      19
#define MAX_COLUMNS     4096          /* MySQL's and MariaDB's own limit */
#define MAX_INFLATE     (1u<<30)      /* cap of one decompressed event */
#define TABLE_BUCKETS   256

/* Event flags. */
#define F_IGNORABLE     0x80

/* Optional metadata field types of a TABLE_MAP (MySQL 8.0.1+, MariaDB 10.5+). */
enum {
  OM_SIGNEDNESS = 1, OM_DEFAULT_CHARSET, OM_COLUMN_CHARSET, OM_COLUMN_NAME,
  OM_SET_STR_VALUE, OM_ENUM_STR_VALUE, OM_GEOMETRY_TYPE,
  OM_SIMPLE_PRIMARY_KEY, OM_PRIMARY_KEY_WITH_PREFIX,
  OM_ENUM_AND_SET_DEFAULT_CHARSET, OM_ENUM_AND_SET_COLUMN_CHARSET,
  OM_COLUMN_VISIBILITY, OM_VECTOR_DIMENSIONALITY
};

/* ---- small arena: one per table map ---- */

typedef struct arena_blk {
  struct arena_blk *next;
  size_t used, cap;
  /* data follows, 16-byte aligned */
} arena_blk;

static void *arena_alloc(arena_blk **pa, size_t n){
  arena_blk *a = *pa;
  n = (n + 15) & ~(size_t)15;
  if( a==0 || n > a->cap - a->used ){
    size_t cap = n > 4000 ? n : 4000;
    arena_blk *b = malloc(sizeof(arena_blk) + 16 + cap);
    if( b==0 ) return 0;
    b->next = a;
    b->used = 0;
    b->cap = cap;
    *pa = a = b;
  }
  {
    char *base = (char*)a + ((sizeof(arena_blk) + 15) & ~(size_t)15);
    void *p = base + a->used;
    a->used += n;
    return p;
  }
}

static void arena_free(arena_blk *a){
  while( a ){
    arena_blk *n = a->next;
    free(a);
    a = n;
  }
}

static char *arena_strndup(arena_blk **pa, const void *z, size_t n){
  char *s = arena_alloc(pa, n + 1);
  if( s ){
    memcpy(s, z, n);
    s[n] = 0;
  }
  return s;
}

/* ---- remembered table maps ---- */

typedef struct tbl_entry {
  mvb_table t;               /* what callers see */
  struct tbl_entry *next;    /* hash chain */
  uint64_t tick;             /* age, for eviction */
  arena_blk *arena;          /* everything of this table */
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
  mv_buf payload;            /* inner events of a TRANSACTION_PAYLOAD */
  size_t payload_off;
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

/* ---- names ---- */

const char *mvb_event_name(int type){
  static const char *const az[] = {
    "Unknown", "Start_v3", "Query", "Stop", "Rotate", "Intvar", "Load",
    "Slave", "Create_file", "Append_block", "Exec_load", "Delete_file",
    "New_load", "Rand", "User_var", "Format_desc", "Xid",
    "Begin_load_query", "Execute_load_query", "Table_map",
    "Write_rows_v0", "Update_rows_v0", "Delete_rows_v0",
    "Write_rows_v1", "Update_rows_v1", "Delete_rows_v1",
    "Incident", "Heartbeat", "Ignorable", "Rows_query",
    "Write_rows_v2", "Update_rows_v2", "Delete_rows_v2",
    "Gtid", "Anonymous_gtid", "Previous_gtids", "Transaction_context",
    "View_change", "XA_prepare", "Partial_update_rows",
    "Transaction_payload", "Heartbeat_v2", "Gtid_tagged"
  };
  static const char *const azMaria[] = {
    "Annotate_rows", "Binlog_checkpoint", "Gtid", "Gtid_list",
    "Start_encryption", "Query_compressed",
    "Write_rows_compressed_v1", "Update_rows_compressed_v1",
    "Delete_rows_compressed_v1", "Write_rows_compressed",
    "Update_rows_compressed", "Delete_rows_compressed"
  };
  if( type>=0 && type<(int)(sizeof az/sizeof az[0]) ) return az[type];
  if( type>=160 && type<160+(int)(sizeof azMaria/sizeof azMaria[0]) ){
    return azMaria[type-160];
  }
  return "Unknown";
}

static int is_enum_or_set(const mvb_column *c){
  return c->real_type==MVT_ENUM || c->real_type==MVT_SET;
}

/* The binlog's name of a column's type (types.c); ENUM and SET are STRING
** codes with that real type. */
static const char *type_name(const mvb_column *c){
  if( c->type==MVT_STRING && is_enum_or_set(c) ){
    return mv_type_code_name(c->real_type);
  }
  return mv_type_code_name(c->type);
}

/* ---- errors ---- */

static int fail(mvb_decoder *d, int type, const char *zFmt, ...)
  __attribute__((format(printf, 3, 4)));
static int fail(mvb_decoder *d, int type, const char *zFmt, ...){
  va_list ap;
  int n = snprintf(d->zErr, sizeof d->zErr, "%s: ", mvb_event_name(type));
  if( n<0 || (size_t)n>=sizeof d->zErr ) n = 0;
  va_start(ap, zFmt);
  vsnprintf(d->zErr + n, sizeof d->zErr - (size_t)n, zFmt, ap);
  va_end(ap);
  return MVB_ERROR;
}

const char *mvb_errmsg(mvb_decoder *d){
  return d ? d->zErr : "out of memory";
}

/* ---- decoder lifetime ---- */

/* Post-header lengths of a v4 binlog, used until a format description
** says otherwise (a replication stream starts with a Rotate). */
static void default_post_lengths(mvb_decoder *d){
  memset(d->post_len, 0, sizeof d->post_len);
  d->post_len[MVB_QUERY] = 13;
  d->post_len[MVB_ROTATE] = 8;
  d->post_len[MVB_FORMAT_DESCRIPTION] = 84;
  d->post_len[MVB_TABLE_MAP] = 8;
  d->post_len[MVB_WRITE_ROWS_V0] = 8;
  d->post_len[MVB_UPDATE_ROWS_V0] = 8;
  d->post_len[MVB_DELETE_ROWS_V0] = 8;
  d->post_len[MVB_WRITE_ROWS_V1] = 8;
  d->post_len[MVB_UPDATE_ROWS_V1] = 8;
  d->post_len[MVB_DELETE_ROWS_V1] = 8;
  d->post_len[MVB_WRITE_ROWS_V2] = 10;
  d->post_len[MVB_UPDATE_ROWS_V2] = 10;
  d->post_len[MVB_DELETE_ROWS_V2] = 10;
  d->post_len[MVB_PARTIAL_UPDATE_ROWS] = 10;
  d->post_len[MVB_MARIA_QUERY_COMPRESSED] = 13;
  d->post_len[MVB_MARIA_WRITE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_DELETE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_WRITE_ROWS_COMPRESSED] = 10;
  d->post_len[MVB_MARIA_UPDATE_ROWS_COMPRESSED] = 10;
  d->post_len[MVB_MARIA_DELETE_ROWS_COMPRESSED] = 10;
}

mvb_decoder *mvb_new(void){
  mvb_decoder *d = calloc(1, sizeof *d);
  if( d==0 ) return 0;
  default_post_lengths(d);
  d->ts_y = 1970;
  d->ts_m = d->ts_d = 1;
  mv_buf_init(&d->unz);
  mv_buf_init(&d->payload);
  mv_buf_init(&d->scratch);
  mv_buf_init(&d->jtmp);
  return d;
}

static void free_entry(tbl_entry *e){
  arena_blk *a = e->arena;
  free(e);
  arena_free(a);
}

void mvb_forget_tables(mvb_decoder *d){
  int i;
  if( d==0 ) return;
  for(i=0; i<TABLE_BUCKETS; i++){
    tbl_entry *e = d->buckets[i];
    while( e ){
      tbl_entry *n = e->next;
      free_entry(e);
      e = n;
    }
    d->buckets[i] = 0;
  }
  d->ntables = 0;
}

void mvb_free(mvb_decoder *d){
  if( d==0 ) return;
  mvb_forget_tables(d);
  mv_buf_free(&d->unz);
  mv_buf_free(&d->payload);
  mv_buf_free(&d->scratch);
  mv_buf_free(&d->jtmp);
  free(d->vals);
  free(d->fix);
  free(d);
}

void mvb_set_checksum(mvb_decoder *d, int alg){
  if( d ) d->checksum = alg==1;
}

void mvb_set_json_diff(mvb_decoder *d, int on){
  if( d ) d->json_diff = on!=0;
}

static tbl_entry *find_table(mvb_decoder *d, uint64_t id){
  tbl_entry *e = d->buckets[id % TABLE_BUCKETS];
  while( e && e->t.id!=id ) e = e->next;
  return e;
}

static void unlink_table(mvb_decoder *d, tbl_entry *x){
  tbl_entry **pp = &d->buckets[x->t.id % TABLE_BUCKETS];
  while( *pp && *pp!=x ) pp = &(*pp)->next;
  if( *pp ){
    *pp = x->next;
    d->ntables--;
  }
}

/* Drop the oldest mapping (the cap is reached). */
static void evict_oldest(mvb_decoder *d){
  tbl_entry *old = 0;
  int i;
  for(i=0; i<TABLE_BUCKETS; i++){
    tbl_entry *e;
    for(e=d->buckets[i]; e; e=e->next){
      if( old==0 || e->tick < old->tick ) old = e;
    }
  }
  if( old ){
    unlink_table(d, old);
    free_entry(old);
  }
}

/* ---- column type classes ---- */

/* Real type and maximum byte length of a STRING column from its table-map
** metadata: byte 0 is the real type, byte 1 the length, and for CHAR
** columns longer than 255 bytes two high length bits are folded
** (inverted) into bits 4-5 of the real-type byte. */
static void string_meta(uint16_t meta, uint8_t *pReal, unsigned *pMax){
  if( meta>=256 ){
    unsigned b0 = meta>>8, b1 = meta & 0xff;
    if( (b0 & 0x30)!=0x30 ){
      *pMax = b1 | (((b0 & 0x30) ^ 0x30) << 4);
      *pReal = (uint8_t)(b0 | 0x30);
    }else{
      *pReal = (uint8_t)b0;
      *pMax = b1;
    }
  }else{
    *pReal = MVT_STRING;
    *pMax = meta;
  }
}

static int is_numeric(const mvb_column *c){
  switch( c->type ){
    case MVT_TINY: case MVT_SHORT: case MVT_INT24: case MVT_LONG:
    case MVT_LONGLONG: case MVT_NEWDECIMAL: case MVT_FLOAT: case MVT_DOUBLE:
      return 1;
  }
  return 0;
}

/* Columns that the (DEFAULT_|COLUMN_)CHARSET fields describe. */
static int is_character(const mvb_column *c){
  switch( c->type ){
    case MVT_STRING: return c->real_type==MVT_STRING;
    case MVT_VAR_STRING: case MVT_VARCHAR: case MVT_BLOB:
    case MVT_TINY_BLOB: case MVT_MEDIUM_BLOB: case MVT_LONG_BLOB:
      return 1;
  }
  return 0;
}

/* MariaDB's charset fields count GEOMETRY columns too (a BLOB underneath,
** with the binary charset); MySQL's do not. */
static int is_character_maria(const mvb_column *c){
  return is_character(c) || c->type==MVT_GEOMETRY;
}

/* ---- the format description ---- */

/* Does this server version write a checksum-algorithm byte (and 4 checksum
** bytes) in its format description? MySQL from 5.6.1, MariaDB from 5.3. */
static int version_has_checksum(const char *zVer){
  unsigned v[3] = {0, 0, 0};
  int i = 0;
  const char *z = zVer;
  while( i<3 ){
    if( *z<'0' || *z>'9' ) break;
    while( *z>='0' && *z<='9' ){ v[i] = v[i]*10 + (unsigned)(*z - '0'); z++; }
    i++;
    if( *z!='.' ) break;
    z++;
  }
  if( strstr(zVer, "MariaDB") || strstr(zVer, "mariadb") ){
    return v[0]>5 || (v[0]==5 && v[1]>=3);
  }
  return v[0]>5 || (v[0]==5 && (v[1]>6 || (v[1]==6 && v[2]>=1)));
}

static int parse_fde(mvb_decoder *d, mvb_event *ev, const uint8_t *buf,
                     size_t n){
  mv_reader r;
  const uint8_t *ver;
  size_t nTypes, i;
  uint8_t hdr;
  int alg = 0;
  mvr_init(&r, buf + HEADER_LEN, n - HEADER_LEN);
  d->binlog_version = mvr_u16(&r);
  ver = mvr_take(&r, 50);
  mvr_skip(&r, 4);                          /* create timestamp */
  hdr = mvr_u8(&r);
  if( !mvr_ok(&r) ) return fail(d, MVB_FORMAT_DESCRIPTION, "event truncated");
  if( d->binlog_version!=4 ){
    return fail(d, MVB_FORMAT_DESCRIPTION, "binlog version %u not supported",
                d->binlog_version);
  }
  if( hdr!=HEADER_LEN ){
    return fail(d, MVB_FORMAT_DESCRIPTION, "common header length %u, not 19",
                hdr);
  }
  memcpy(d->server_version, ver, 50);
  d->server_version[50] = 0;
  d->is_maria = strstr(d->server_version, "MariaDB")!=0
             || strstr(d->server_version, "mariadb")!=0;
  nTypes = mvr_left(&r);
  if( version_has_checksum(d->server_version) ){
    uint8_t a;
    if( nTypes<5 ) return fail(d, MVB_FORMAT_DESCRIPTION, "event truncated");
    nTypes -= 5;
    a = r.p[nTypes];
    if( a==1 ){
      uint32_t want = (uint32_t)r.p[nTypes+1] | (uint32_t)r.p[nTypes+2]<<8
                    | (uint32_t)r.p[nTypes+3]<<16 | (uint32_t)r.p[nTypes+4]<<24;
      /* The server computes it with the "binlog in use" flag clear (the
      ** flag is set while the file is open and cleared, without updating
      ** the checksum, when it is closed). */
      uint8_t hdr19[HEADER_LEN];
      uint32_t got;
      memcpy(hdr19, buf, HEADER_LEN);
      hdr19[17] &= (uint8_t)~0x01;               /* LOG_EVENT_BINLOG_IN_USE_F */
      got = mv_crc32(0, hdr19, HEADER_LEN);
      got = mv_crc32(got, buf + HEADER_LEN, n - 4 - HEADER_LEN);
      if( got!=want ){
        return fail(d, MVB_FORMAT_DESCRIPTION,
                    "checksum mismatch (event has 0x%08x, computed 0x%08x)",
                    want, got);
      }
      alg = 1;
    }else if( a!=0 && a!=255 ){
      return fail(d, MVB_FORMAT_DESCRIPTION, "unknown checksum algorithm %u", a);
    }
  }
  default_post_lengths(d);
  for(i=0; i<nTypes && i<255; i++) d->post_len[i+1] = r.p[i];
  d->checksum = alg;
  d->have_fde = 1;
  /* A new format description starts a new log: forget the old mappings. */
  mvb_forget_tables(d);
  ev->u.fde.binlog_version = d->binlog_version;
  memcpy(ev->u.fde.server_version, d->server_version, 51);
  ev->u.fde.checksum_alg = (uint8_t)alg;
  ev->body = buf + HEADER_LEN;
  ev->body_len = n - HEADER_LEN - (alg ? 4 : 0);
  return MVB_OK;
}

/* ---- table map ---- */

/* Set the charsets of the columns picked by pick(): "default" form is a
** default collation then (index, collation) pairs over the picked columns;
** the per-column form is one collation per picked column. */
static int apply_charsets(mvb_table *t, const uint8_t *p, size_t n,
                          int (*pick)(const mvb_column*), int isDefault){
  mv_reader r;
  int i, k;
  mvr_init(&r, p, n);
  if( isDefault ){
    int def = (int)mvr_lenenc(&r);
    if( !mvr_ok(&r) ) return 1;
    for(i=0; i<t->ncol; i++){
      if( pick(&t->cols[i]) ) t->cols[i].charset = def;
    }
    while( mvr_left(&r) ){
      uint64_t idx = mvr_lenenc(&r);
      int cs = (int)mvr_lenenc(&r);
      if( !mvr_ok(&r) ) return 1;
      for(i=0, k=0; i<t->ncol; i++){
        if( !pick(&t->cols[i]) ) continue;
        if( (uint64_t)k==idx ){ t->cols[i].charset = cs; break; }
        k++;
      }
    }
  }else{
    for(i=0; i<t->ncol; i++){
      if( !pick(&t->cols[i]) ) continue;
      t->cols[i].charset = (int)mvr_lenenc(&r);
    }
  }
  return !mvr_ok(&r);
}

/* ENUM_STR_VALUE / SET_STR_VALUE: for each such column, a count and the
** labels as length-prefixed strings. */
static int apply_labels(tbl_entry *e, const uint8_t *p, size_t n, int real){
  mvb_table *t = &e->t;
  mv_reader r;
  int i;
  mvr_init(&r, p, n);
  for(i=0; i<t->ncol; i++){
    mvb_column *c = &t->cols[i];
    uint64_t cnt, j;
    if( c->real_type!=real ) continue;
    cnt = mvr_lenenc(&r);
    if( !mvr_ok(&r) || cnt>65535 || cnt>mvr_left(&r) ) return 1;
    c->labels = arena_alloc(&e->arena, (size_t)(cnt ? cnt : 1)*sizeof(char*));
    if( c->labels==0 ) return 1;
    for(j=0; j<cnt; j++){
      uint64_t len = mvr_lenenc(&r);
      const uint8_t *z = mvr_take(&r, (size_t)len);
      if( z==0 ) return 1;
      c->labels[j] = arena_strndup(&e->arena, z, (size_t)len);
      if( c->labels[j]==0 ) return 1;
    }
    c->n_labels = (int)cnt;
  }
  return !mvr_ok(&r);
}

/* isMaria: MariaDB's SIGNEDNESS has a bit for YEAR too (its YEAR is an
** UNSIGNED TINYINT underneath), MySQL's only for the numeric types; and
** MariaDB's charset fields count GEOMETRY columns (checked against a 10.11
** server). */
static int parse_optional_metadata(tbl_entry *e, mv_reader *r, int isMaria,
                                   int *pField){
  mvb_table *t = &e->t;
  while( mvr_left(r) ){
    uint8_t f = mvr_u8(r);
    uint64_t len = mvr_lenenc(r);
    const uint8_t *p;
    int i, k, bad = 0;
    mv_reader s;
    *pField = f;
    if( !mvr_ok(r) || len>mvr_left(r) ) return 1;
    p = mvr_take(r, (size_t)len);
    mvr_init(&s, p, (size_t)len);
    switch( f ){
      case OM_SIGNEDNESS:
        for(i=0, k=0; i<t->ncol; i++){
          if( !is_numeric(&t->cols[i])
           && !(isMaria && t->cols[i].type==MVT_YEAR) ) continue;
          if( (size_t)(k/8) >= len ){ bad = 1; break; }
          t->cols[i].is_unsigned = (p[k/8] & (0x80>>(k%8)))!=0;
          k++;
        }
        e->has_signedness = 1;
        break;
      case OM_DEFAULT_CHARSET:
        bad = apply_charsets(t, p, (size_t)len,
                             isMaria ? is_character_maria : is_character, 1);
        break;
      case OM_COLUMN_CHARSET:
        bad = apply_charsets(t, p, (size_t)len,
                             isMaria ? is_character_maria : is_character, 0);
        break;
      case OM_ENUM_AND_SET_DEFAULT_CHARSET:
        bad = apply_charsets(t, p, (size_t)len, is_enum_or_set, 1);
        break;
      case OM_ENUM_AND_SET_COLUMN_CHARSET:
        bad = apply_charsets(t, p, (size_t)len, is_enum_or_set, 0);
        break;
      case OM_COLUMN_NAME:
        for(i=0; i<t->ncol && !bad; i++){
          uint64_t n = mvr_lenenc(&s);
          const uint8_t *z = mvr_take(&s, (size_t)n);
          if( z==0 ){ bad = 1; break; }
          t->names[i] = arena_strndup(&e->arena, z, (size_t)n);
          if( t->names[i]==0 ) bad = 1;
        }
        if( !bad ) t->has_names = 1;
        break;
      case OM_SET_STR_VALUE:
        bad = apply_labels(e, p, (size_t)len, MVT_SET);
        break;
      case OM_ENUM_STR_VALUE:
        bad = apply_labels(e, p, (size_t)len, MVT_ENUM);
        break;
      case OM_SIMPLE_PRIMARY_KEY:
        while( mvr_left(&s) ){
          uint64_t idx = mvr_lenenc(&s);
          if( mvr_ok(&s) && idx<(uint64_t)t->ncol ) t->cols[idx].is_pk = 1;
        }
        bad = !mvr_ok(&s);
        break;
      case OM_PRIMARY_KEY_WITH_PREFIX:
        while( mvr_left(&s) ){
          uint64_t idx = mvr_lenenc(&s);
          (void)mvr_lenenc(&s);
          if( mvr_ok(&s) && idx<(uint64_t)t->ncol ) t->cols[idx].is_pk = 1;
        }
        bad = !mvr_ok(&s);
        break;
      default:
        /* GEOMETRY_TYPE, COLUMN_VISIBILITY, VECTOR_DIMENSIONALITY and
        ** fields of later servers: nothing the values need. */
        break;
    }
    if( bad ) return 1;
  }
  return 0;
}

static int parse_table_map(mvb_decoder *d, mvb_event *ev){
  mv_reader r;
  uint64_t id, ncol, nmeta;
  const uint8_t *zDb, *zTbl, *types, *meta, *nulls;
  uint8_t nDb, nTbl;
  int post = d->post_len[MVB_TABLE_MAP];
  tbl_entry *e, *old;
  mvb_table *t;
  int i, field = 0;

  mvr_init(&r, ev->body, ev->body_len);
  if( post==6 ){
    id = mvr_u32(&r);
  }else{
    id = mvr_u48(&r);
  }
  mvr_skip(&r, 2);                                   /* flags */
  if( post>8 ) mvr_skip(&r, (size_t)(post - 8));
  nDb = mvr_u8(&r);
  zDb = mvr_take(&r, (size_t)nDb + 1);
  nTbl = mvr_u8(&r);
  zTbl = mvr_take(&r, (size_t)nTbl + 1);
  ncol = mvr_lenenc(&r);
  if( !mvr_ok(&r) ) return fail(d, MVB_TABLE_MAP, "event truncated");
  if( ncol==0 || ncol>MAX_COLUMNS ){
    return fail(d, MVB_TABLE_MAP, "table id %llu: absurd column count %llu",
                (unsigned long long)id, (unsigned long long)ncol);
  }
  types = mvr_take(&r, (size_t)ncol);
  nmeta = mvr_lenenc(&r);
  meta = mvr_take(&r, (size_t)nmeta);
  nulls = mvr_take(&r, (size_t)(ncol+7)/8);
  if( !mvr_ok(&r) ){
    return fail(d, MVB_TABLE_MAP, "table id %llu: event truncated",
                (unsigned long long)id);
  }

  /* The same table mapped again, byte for byte: keep what we have (and
  ** what mvb_table_apply added to it). */
  old = find_table(d, id);
  if( old && old->nraw==ev->body_len
   && memcmp(old->raw, ev->body, ev->body_len)==0 ){
    old->tick = ++d->tick;
    ev->u.table_map.table = &old->t;
    return MVB_OK;
  }

  e = calloc(1, sizeof *e);
  if( e==0 ) return fail(d, MVB_TABLE_MAP, "out of memory");
  t = &e->t;
  t->id = id;
  t->ncol = (int)ncol;
  t->db = arena_strndup(&e->arena, zDb, nDb);
  t->name = arena_strndup(&e->arena, zTbl, nTbl);
  t->cols = arena_alloc(&e->arena, sizeof(mvb_column)*(size_t)ncol);
  t->names = arena_alloc(&e->arena, sizeof(char*)*(size_t)ncol);
  e->raw = (const uint8_t*)arena_strndup(&e->arena, ev->body, ev->body_len);
  e->nraw = ev->body_len;
  if( !t->db || !t->name || !t->cols || !t->names || !e->raw ){
    free_entry(e);
    return fail(d, MVB_TABLE_MAP, "out of memory");
  }
  memset(t->cols, 0, sizeof(mvb_column)*(size_t)ncol);
  memset(t->names, 0, sizeof(char*)*(size_t)ncol);
  {
    mv_reader m;
    mvr_init(&m, meta, (size_t)nmeta);
    for(i=0; i<t->ncol; i++){
      mvb_column *c = &t->cols[i];
      int sz = mv_type_meta_size(types[i]);
      c->type = types[i];
      c->real_type = types[i];
      c->charset = MV_CS_UNKNOWN;
      c->nullable = (nulls[i/8]>>(i%8)) & 1;
      if( sz<0 ){
        int rc_ = fail(d, MVB_TABLE_MAP, "%s.%s: column %d: unknown type %u",
                    t->db, t->name, i+1, types[i]);
        free_entry(e);
        return rc_;
      }
      switch( c->type ){
        case MVT_VARCHAR: case MVT_VAR_STRING:
          c->meta = mvr_u16(&m);                     /* little-endian */
          break;
        case MVT_BIT:
          c->meta = mvr_u16(&m);          /* bits%8 | bytes<<8 */
          break;
        case MVT_NEWDECIMAL: case MVT_STRING: case MVT_ENUM: case MVT_SET:
          c->meta = (uint16_t)mvr_be(&m, 2);
          break;
        default:
          if( sz==1 ) c->meta = mvr_u8(&m);
          break;
      }
      if( d->is_maria && e->ambiguous==0 && (c->type==MVT_TIMESTAMP
          || c->type==MVT_TIME || c->type==MVT_DATETIME) ){
        e->ambiguous = i + 1;
      }
      if( c->type==MVT_STRING || c->type==MVT_ENUM || c->type==MVT_SET ){
        unsigned maxlen;
        string_meta(c->meta, &c->real_type, &maxlen);
        if( c->type!=MVT_STRING ) c->real_type = c->type;
      }
    }
    if( !mvr_ok(&m) ){
      int rc_ = fail(d, MVB_TABLE_MAP, "%s.%s: column metadata truncated "
                  "(%llu bytes for %d columns)", t->db, t->name,
                  (unsigned long long)nmeta, t->ncol);
      free_entry(e);
      return rc_;
    }
  }
  if( parse_optional_metadata(e, &r, d->is_maria, &field) ){
    int rc_ = fail(d, MVB_TABLE_MAP, "%s.%s: optional metadata field %d is "
                "malformed", t->db, t->name, field);
    free_entry(e);
    return rc_;
  }
  for(i=0; i<t->ncol; i++){
    mvb_column *c = &t->cols[i];
    if( c->type==MVT_STRING && c->real_type==MVT_STRING
     && c->charset==MV_CS_BINARY ){
      unsigned maxlen;
      uint8_t real;
      string_meta(c->meta, &real, &maxlen);
      c->binary_len = maxlen;
    }
  }
  if( !t->has_names ){
    /* "@1", "@2", ... as the names (what mysqlbinlog prints): the encoder
    ** then writes every key the same way, without formatting numbers */
    char *buf = arena_alloc(&e->arena, 12*(size_t)ncol);
    e->unnamed = arena_alloc(&e->arena, (size_t)ncol);
    if( buf==0 || e->unnamed==0 ){
      free_entry(e);
      return fail(d, MVB_TABLE_MAP, "out of memory");
    }
    for(i=0; i<t->ncol; i++){
      snprintf(buf + 12*i, 12, "@%d", i+1);
      t->names[i] = buf + 12*i;
      e->unnamed[i] = 1;
    }
  }
  t->names_gen = ++d->names_gen;

  if( old ){
    unlink_table(d, old);
    free_entry(old);
  }
  if( d->ntables>=MVB_MAX_TABLES ) evict_oldest(d);
  e->tick = ++d->tick;
  e->next = d->buckets[id % TABLE_BUCKETS];
  d->buckets[id % TABLE_BUCKETS] = e;
  d->ntables++;
  ev->u.table_map.table = t;
  return MVB_OK;
}

/* ---- events ---- */

static int is_rows_event(int type){
  return (type>=MVB_WRITE_ROWS_V0 && type<=MVB_DELETE_ROWS_V1)
      || (type>=MVB_WRITE_ROWS_V2 && type<=MVB_DELETE_ROWS_V2)
      || type==MVB_PARTIAL_UPDATE_ROWS
      || (type>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
          && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

static int rows_has_extra(int type){
  return (type>=MVB_WRITE_ROWS_V2 && type<=MVB_DELETE_ROWS_V2)
      || type==MVB_PARTIAL_UPDATE_ROWS
      || (type>=MVB_MARIA_WRITE_ROWS_COMPRESSED
          && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

static int rows_op(int type){
  switch( type ){
    case MVB_WRITE_ROWS_V0: case MVB_WRITE_ROWS_V1: case MVB_WRITE_ROWS_V2:
    case MVB_MARIA_WRITE_ROWS_COMPRESSED_V1:
    case MVB_MARIA_WRITE_ROWS_COMPRESSED:
      return MVB_OP_INSERT;
    case MVB_DELETE_ROWS_V0: case MVB_DELETE_ROWS_V1: case MVB_DELETE_ROWS_V2:
    case MVB_MARIA_DELETE_ROWS_COMPRESSED_V1:
    case MVB_MARIA_DELETE_ROWS_COMPRESSED:
      return MVB_OP_DELETE;
  }
  return MVB_OP_UPDATE;
}

static int rows_compressed(int type){
  return type>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
      && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED;
}

/* Table id and flags of a rows event: a 4-byte id when the post-header is
** 6 bytes (old servers), else 6 bytes. */
static void rows_post_header(mvb_decoder *d, int type, mv_reader *r,
                             uint64_t *pId, uint16_t *pFlags){
  int post = d->post_len[type];
  if( post==0 ) post = rows_has_extra(type) ? 10 : 8;
  if( post==6 ){
    *pId = mvr_u32(r);
  }else{
    *pId = mvr_u48(r);
  }
  *pFlags = mvr_u16(r);
}

static void format_uuid(char *z, const uint8_t *u){
  static const char hex[] = "0123456789abcdef";
  int i;
  for(i=0; i<16; i++){
    *z++ = hex[u[i]>>4];
    *z++ = hex[u[i]&15];
    if( i==3 || i==5 || i==7 || i==9 ) *z++ = '-';
  }
  *z = 0;
}

/* MySQL serialization library varint: the count of trailing one bits of
** the first byte is the count of extra bytes; the value is the
** little-endian whole shifted right by the byte count (9 bytes: 0xff and a
** plain 8-byte value). */
static uint64_t read_varlen(mv_reader *r){
  const uint8_t *p;
  int nb = 1;
  uint8_t b0;
  uint64_t v = 0;
  int i;
  if( r->err || r->p>=r->end ){ r->err = 1; return 0; }
  b0 = r->p[0];
  while( nb<9 && (b0 & (1u<<(nb-1))) ) nb++;
  p = mvr_take(r, (size_t)nb);
  if( p==0 ) return 0;
  if( nb==9 ){
    for(i=8; i>=1; i--) v = (v<<8) | p[i];
    return v;
  }
  for(i=nb-1; i>=0; i--) v = (v<<8) | p[i];
  return v >> nb;
}

static int parse_gtid_tagged(mvb_decoder *d, mvb_event *ev){
  mv_reader r, f;
  uint64_t size, lnif;
  uint8_t uuid[16];
  const uint8_t *tag = 0;
  uint64_t ntag = 0, gno = 0;
  int have_sid = 0, have_gno = 0, i;
  size_t consumed;
  char zUuid[40];
  mvr_init(&r, ev->body, ev->body_len);
  if( mvr_u8(&r)!=2 && mvr_ok(&r) ){
    return fail(d, MVB_GTID_TAGGED, "unsupported serialization version %u",
                ev->body[0]);
  }
  size = read_varlen(&r);
  lnif = read_varlen(&r);
  (void)lnif;
  if( !mvr_ok(&r) ) return fail(d, MVB_GTID_TAGGED, "event truncated");
  consumed = (size_t)(r.p - ev->body);
  if( size<consumed || size - consumed > mvr_left(&r) ){
    return fail(d, MVB_GTID_TAGGED, "payload size %llu does not fit the event",
                (unsigned long long)size);
  }
  mvr_init(&f, r.p, (size_t)(size - consumed));
  while( mvr_left(&f) ){
    uint64_t fid = read_varlen(&f);
    switch( fid ){
      case 0: (void)read_varlen(&f); break;                 /* flags */
      case 1:
        for(i=0; i<16; i++) uuid[i] = (uint8_t)read_varlen(&f);
        have_sid = 1;
        break;
      case 2: gno = read_varlen(&f) >> 1; have_gno = 1; break;   /* zigzag */
      case 3:
        ntag = read_varlen(&f);
        tag = mvr_take(&f, (size_t)ntag);
        break;
      case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11:
        (void)read_varlen(&f);
        break;
      default:
        /* a later field: we have what we need */
        f.p = f.end;
        break;
    }
    if( !mvr_ok(&f) ) return fail(d, MVB_GTID_TAGGED, "field %llu truncated",
                                  (unsigned long long)fid);
  }
  if( !have_sid || !have_gno ){
    return fail(d, MVB_GTID_TAGGED, "no %s field", have_sid ? "gno" : "uuid");
  }
  format_uuid(zUuid, uuid);
  if( tag && ntag>0 ){
    if( ntag>32 ) ntag = 32;
    snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%.*s:%llu", zUuid,
             (int)ntag, (const char*)tag, (unsigned long long)gno);
  }else{
    snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%llu", zUuid,
             (unsigned long long)gno);
  }
  return MVB_OK;
}

/* Parse one event whose bytes are buf[0..n) (n as the header says). The
** checksum has been verified and is excluded by the caller (hasCrc). */
static int parse_event(mvb_decoder *d, const uint8_t *buf, size_t n,
                       int hasCrc, mvb_event *ev){
  mv_reader r;
  int type = ev->type;
  if( type==MVB_FORMAT_DESCRIPTION ) return parse_fde(d, ev, buf, n);
  ev->body = buf + HEADER_LEN;
  ev->body_len = n - HEADER_LEN - (hasCrc ? 4 : 0);
  mvr_init(&r, ev->body, ev->body_len);

  switch( type ){
    case MVB_ROTATE: {
      int post = d->post_len[MVB_ROTATE] ? d->post_len[MVB_ROTATE] : 8;
      size_t k;
      ev->u.rotate.pos = mvr_u64(&r);
      if( post>8 ) mvr_skip(&r, (size_t)(post-8));
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      ev->u.rotate.file = (const char*)r.p;
      ev->u.rotate.file_len = mvr_left(&r);
      /* a name ends at a NUL when the sender padded it */
      for(k=0; k<ev->u.rotate.file_len && r.p[k]; k++){}
      ev->u.rotate.file_len = k;
      return MVB_OK;
    }
    case MVB_HEARTBEAT: {
      /* the body is the file name; the header's log_pos the position */
      size_t k;
      ev->u.rotate.pos = ev->next_pos;
      ev->u.rotate.file = (const char*)ev->body;
      for(k=0; k<ev->body_len && ev->body[k]; k++){}
      ev->u.rotate.file_len = k;
      return MVB_OK;
    }
    case MVB_HEARTBEAT_V2: {
      /* (type, length, value) fields, lenenc type and length, ending at
      ** type 0: 1 the file name, 2 the position (a lenenc integer) */
      ev->u.rotate.pos = ev->next_pos;
      ev->u.rotate.file = "";
      ev->u.rotate.file_len = 0;
      while( mvr_left(&r) ){
        uint64_t fld = mvr_lenenc(&r), len;
        const uint8_t *v;
        if( fld==0 ) break;
        len = mvr_lenenc(&r);
        v = mvr_take(&r, (size_t)len);
        if( v==0 ) break;
        if( fld==1 ){
          ev->u.rotate.file = (const char*)v;
          ev->u.rotate.file_len = (size_t)len;
        }else if( fld==2 ){
          mv_reader q;
          mvr_init(&q, v, (size_t)len);
          ev->u.rotate.pos = mvr_lenenc(&q);
          if( !mvr_ok(&q) ) r.err = 1;
        }
      }
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      return MVB_OK;
    }
    case MVB_QUERY:
    case MVB_MARIA_QUERY_COMPRESSED: {
      int post = d->post_len[type] ? d->post_len[type] : 13;
      uint8_t nDb;
      uint16_t nStatus = 0;
      const uint8_t *zDb;
      ev->u.query.thread_id = mvr_u32(&r);
      mvr_skip(&r, 4);                                 /* exec time */
      nDb = mvr_u8(&r);
      ev->u.query.error_code = mvr_u16(&r);
      if( post>=13 ){
        nStatus = mvr_u16(&r);
        mvr_skip(&r, (size_t)(post - 13));
      }else if( post!=11 ){
        return fail(d, type, "post-header length %d not supported", post);
      }
      mvr_skip(&r, nStatus);
      zDb = mvr_take(&r, (size_t)nDb + 1);
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      ev->u.query.db = (const char*)zDb;
      ev->u.query.db_len = nDb;
      if( type==MVB_MARIA_QUERY_COMPRESSED ){
        char zE[200];
        mv_buf_reset(&d->unz);
        if( mvz_maria_uncompress(r.p, mvr_left(&r), &d->unz, MAX_INFLATE,
                                 zE, sizeof zE) ){
          return fail(d, type, "%s", zE);
        }
        ev->u.query.sql = d->unz.z ? d->unz.z : "";
        ev->u.query.sql_len = d->unz.n;
      }else{
        ev->u.query.sql = (const char*)r.p;
        ev->u.query.sql_len = mvr_left(&r);
      }
      return MVB_OK;
    }
    case MVB_XID:
      ev->u.xid.xid = mvr_u64(&r);
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      return MVB_OK;
    case MVB_TABLE_MAP:
      return parse_table_map(d, ev);
    case MVB_GTID:
    case MVB_ANONYMOUS_GTID: {
      const uint8_t *sid;
      uint64_t gno;
      char zUuid[40];
      ev->u.gtid.flags = mvr_u8(&r);
      sid = mvr_take(&r, 16);
      gno = mvr_u64(&r);
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      /* 5.7+ adds logical-clock fields, 8.0 timestamps, lengths and server
      ** versions: nothing the stream needs. */
      if( type==MVB_ANONYMOUS_GTID ){
        ev->u.gtid.text[0] = 0;
      }else{
        format_uuid(zUuid, sid);
        snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%llu", zUuid,
                 (unsigned long long)gno);
      }
      return MVB_OK;
    }
    case MVB_GTID_TAGGED:
      return parse_gtid_tagged(d, ev);
    case MVB_MARIA_GTID: {
      uint64_t seq = mvr_u64(&r);
      uint32_t domain = mvr_u32(&r);
      uint8_t fl = mvr_u8(&r);
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      ev->u.gtid.flags = fl;
      ev->u.gtid.standalone = (fl & 1)!=0;
      snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%u-%u-%llu",
               (unsigned)domain, (unsigned)ev->server_id,
               (unsigned long long)seq);
      return MVB_OK;
    }
    case MVB_MARIA_GTID_LIST: {
      uint32_t cnt = mvr_u32(&r) & 0x0fffffff;
      if( !mvr_ok(&r) || (uint64_t)cnt*16 > mvr_left(&r) ){
        return fail(d, type, "event truncated (%u GTIDs)", (unsigned)cnt);
      }
      return MVB_OK;
    }
    case MVB_MARIA_BINLOG_CHECKPOINT: {
      uint32_t len = mvr_u32(&r);
      mvr_skip(&r, len);
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      return MVB_OK;
    }
    case MVB_MARIA_ANNOTATE_ROWS:
      ev->u.annotate.sql = (const char*)ev->body;
      ev->u.annotate.sql_len = ev->body_len;
      return MVB_OK;
    case MVB_ROWS_QUERY:
      mvr_skip(&r, 1);          /* a length byte, wrong past 255: ignored */
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      ev->u.annotate.sql = (const char*)r.p;
      ev->u.annotate.sql_len = mvr_left(&r);
      return MVB_OK;
    case MVB_XA_PREPARE: {
      uint32_t gl, bl;
      mvr_skip(&r, 1 + 4);                  /* one phase, format id */
      gl = mvr_u32(&r);
      bl = mvr_u32(&r);
      if( !mvr_ok(&r) || gl>64 || bl>64 || (size_t)gl+bl > mvr_left(&r) ){
        return fail(d, type, "bad XID lengths");
      }
      return MVB_OK;
    }
    case MVB_PREVIOUS_GTIDS: {
      /* n_sids (8 bytes; tagged format: the high byte says so), then per
      ** sid: uuid, [tag], n_intervals, intervals of 16 bytes. */
      uint64_t nsid = mvr_u64(&r), k;
      int tagged = (int)(nsid>>56)==1;
      nsid = tagged ? (nsid>>8) & 0xffffffffffffULL : nsid & 0xffffffffffffffULL;
      for(k=0; k<nsid && mvr_ok(&r); k++){
        uint64_t nint;
        mvr_skip(&r, 16);
        if( tagged ){
          uint64_t ntag = read_varlen(&r);
          mvr_skip(&r, (size_t)ntag);
        }
        nint = mvr_u64(&r);
        if( nint > mvr_left(&r)/16 ){ r.err = 1; break; }
        mvr_skip(&r, (size_t)nint*16);
      }
      if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
      return MVB_OK;
    }
    case MVB_TRANSACTION_PAYLOAD: {
      char zE[200];
      mv_buf_reset(&d->payload);
      if( mvz_payload(ev->body, ev->body_len, &d->payload, MAX_INFLATE,
                      zE, sizeof zE) ){
        return fail(d, type, "%s", zE);
      }
      d->payload_off = 0;
      d->in_payload = 1;
      return MVB_OK;
    }
    case MVB_MARIA_START_ENCRYPTION:
      return fail(d, type, "encrypted binlogs are not supported");
    default:
      break;
  }
  if( is_rows_event(type) ){
    uint64_t id;
    uint16_t fl;
    tbl_entry *e;
    rows_post_header(d, type, &r, &id, &fl);
    if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
    e = find_table(d, id);
    ev->u.rows.table_id = id;
    ev->u.rows.table = e ? &e->t : 0;
    ev->u.rows.op = rows_op(type);
    ev->u.rows.flags = fl;
    ev->u.rows.partial = type==MVB_PARTIAL_UPDATE_ROWS;
    return MVB_OK;
  }
  if( type>=1 && type<=MVB_GTID_TAGGED ) return MVB_OK;    /* skipped */
  if( type>=MVB_MARIA_ANNOTATE_ROWS && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED ){
    return MVB_OK;
  }
  if( ev->flags & F_IGNORABLE ) return MVB_OK;
  snprintf(d->zErr, sizeof d->zErr, "unknown event type %d", type);
  return MVB_ERROR;
}

/* Common header, size and checksum of the event at buf[0..n). */
static int parse_common(mvb_decoder *d, const uint8_t *buf, size_t n,
                        int checksum, mvb_event *ev){
  mv_reader r;
  int hasCrc;
  memset(ev, 0, sizeof *ev);
  mvr_init(&r, buf, n);
  ev->timestamp = mvr_u32(&r);
  ev->type = mvr_u8(&r);
  ev->server_id = mvr_u32(&r);
  ev->size = mvr_u32(&r);
  ev->next_pos = mvr_u32(&r);
  ev->flags = mvr_u16(&r);
  if( !mvr_ok(&r) ){
    snprintf(d->zErr, sizeof d->zErr,
             "event truncated: %zu bytes, less than a 19-byte header", n);
    return MVB_ERROR;
  }
  if( ev->size<HEADER_LEN ){
    return fail(d, ev->type, "event size %u is less than its header",
                (unsigned)ev->size);
  }
  if( ev->size>n ){
    return fail(d, ev->type, "event truncated: header says %u bytes, %zu "
                "present", (unsigned)ev->size, n);
  }
  n = ev->size;
  hasCrc = checksum && ev->type!=MVB_FORMAT_DESCRIPTION;
  if( hasCrc ){
    uint32_t want, got;
    if( n<HEADER_LEN+4 ){
      return fail(d, ev->type, "event of %zu bytes has no room for its "
                  "checksum", n);
    }
    want = (uint32_t)buf[n-4] | (uint32_t)buf[n-3]<<8
         | (uint32_t)buf[n-2]<<16 | (uint32_t)buf[n-1]<<24;
    got = mv_crc32(0, buf, n - 4);
    if( want!=got ){
      return fail(d, ev->type, "checksum mismatch (event has 0x%08x, "
                  "computed 0x%08x)", want, got);
    }
  }
  if( ev->type==MVB_FORMAT_DESCRIPTION && n<HEADER_LEN+57 ){
    return fail(d, ev->type, "event truncated");
  }
  return parse_event(d, buf, n, hasCrc, ev);
}

int mvb_parse(mvb_decoder *d, const uint8_t *buf, size_t n, mvb_event *ev){
  d->in_payload = 0;
  d->zErr[0] = 0;
  return parse_common(d, buf, n, d->checksum, ev);
}

int mvb_payload_next(mvb_decoder *d, mvb_event *inner){
  size_t left;
  uint32_t size;
  const uint8_t *p;
  int rc;
  if( !d->in_payload ) return MVB_DONE;
  left = d->payload.n - d->payload_off;
  if( left==0 ){
    d->in_payload = 0;
    return MVB_DONE;
  }
  p = (const uint8_t*)d->payload.z + d->payload_off;
  if( left<HEADER_LEN ){
    d->in_payload = 0;
    return fail(d, MVB_TRANSACTION_PAYLOAD, "inner event truncated: %zu "
                "bytes left", left);
  }
  size = (uint32_t)p[9] | (uint32_t)p[10]<<8 | (uint32_t)p[11]<<16
       | (uint32_t)p[12]<<24;
  if( size<HEADER_LEN || size>left ){
    d->in_payload = 0;
    return fail(d, MVB_TRANSACTION_PAYLOAD, "inner event at offset %zu: "
                "size %u does not fit (%zu bytes left)", d->payload_off,
                (unsigned)size, left);
  }
  d->payload_off += size;
  /* Inner events carry no checksum: the payload event has one. */
  rc = parse_common(d, p, size, 0, inner);
  if( rc==MVB_OK && inner->type==MVB_TRANSACTION_PAYLOAD ){
    d->in_payload = 0;
    return fail(d, MVB_TRANSACTION_PAYLOAD, "nested transaction payload");
  }
  if( rc!=MVB_OK ) d->in_payload = 0;
  return rc;
}

/* ---- rows ---- */

static int popcount_bits(const uint8_t *p, int nbits){
  int i, n = 0;
  for(i=0; i<nbits/8; i++) n += __builtin_popcount(p[i]);
  if( nbits%8 ) n += __builtin_popcount(p[nbits/8] & ((1u<<(nbits%8))-1));
  return n;
}

int mvb_rows_open(mvb_decoder *d, const mvb_event *ev, mvb_rows *rows){
  mv_reader r;
  uint64_t id, width;
  uint16_t fl;
  int type = ev->type, i;
  tbl_entry *e;
  mvb_table *t;
  memset(rows, 0, sizeof *rows);
  if( !is_rows_event(type) ){
    return fail(d, type, "not a rows event");
  }
  mvr_init(&r, ev->body, ev->body_len);
  rows_post_header(d, type, &r, &id, &fl);
  if( rows_has_extra(type) ){
    uint16_t extra = mvr_u16(&r);
    if( mvr_ok(&r) && extra<2 ){
      return fail(d, type, "extra-data length %u is less than 2", extra);
    }
    mvr_skip(&r, (size_t)extra - 2);
  }
  width = mvr_lenenc(&r);
  if( !mvr_ok(&r) ) return fail(d, type, "event truncated");
  e = find_table(d, id);
  if( e==0 ){
    return fail(d, type, "unknown table id %llu", (unsigned long long)id);
  }
  t = &e->t;
  if( width>(uint64_t)t->ncol ){
    return fail(d, type, "%s.%s: %llu columns in the rows event, %d in the "
                "table map", t->db, t->name, (unsigned long long)width,
                t->ncol);
  }
  rows->width = (int)width;
  rows->present_before = mvr_take(&r, (size_t)(width+7)/8);
  rows->present_after = rows->present_before;
  if( type==MVB_UPDATE_ROWS_V1 || type==MVB_UPDATE_ROWS_V2
   || type==MVB_PARTIAL_UPDATE_ROWS
   || type==MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1
   || type==MVB_MARIA_UPDATE_ROWS_COMPRESSED ){
    rows->present_after = mvr_take(&r, (size_t)(width+7)/8);
  }
  if( !mvr_ok(&r) ) return fail(d, type, "event truncated in the column "
                                "bitmaps");
  rows->n_before = popcount_bits(rows->present_before, (int)width);
  rows->n_after = popcount_bits(rows->present_after, (int)width);
  if( rows_compressed(type) ){
    char zE[200];
    mv_buf_reset(&d->unz);
    if( mvz_maria_uncompress(r.p, mvr_left(&r), &d->unz, MAX_INFLATE,
                             zE, sizeof zE) ){
      return fail(d, type, "%s", zE);
    }
    rows->p = (const uint8_t*)d->unz.z;
    rows->end = rows->p + d->unz.n;
    if( rows->p==0 ) rows->end = rows->p;
  }else{
    rows->p = r.p;
    rows->end = r.end;
  }
  rows->table = t;
  rows->op = rows_op(type);
  rows->type = type;
  for(i=0; i<t->ncol; i++) if( t->cols[i].type==MVT_JSON ) rows->n_json++;
  /* room for a row: two value arrays, the fix-ups */
  if( d->nvals<t->ncol ){
    mv_value *v = realloc(d->vals, sizeof(mv_value)*2*(size_t)t->ncol);
    fixup *f;
    if( v==0 ) return fail(d, type, "out of memory");
    d->vals = v;
    f = realloc(d->fix, sizeof(fixup)*2*(size_t)t->ncol);
    if( f==0 ) return fail(d, type, "out of memory");
    d->fix = f;
    d->nvals = t->ncol;
    d->nfixalloc = 2*t->ncol;
  }
  if( e->ambiguous ){
    /* Decode every row once before handing out the first: if the column
    ** is in fact high-resolution, the rows do not come out exactly to the
    ** end of the event, and no wrong value must be seen. */
    mvb_rows probe = *rows;
    int rc;
    while( (rc = mvb_rows_next(d, &probe))==MVB_ROW ){}
    if( rc!=MVB_DONE ){
      const mvb_column *c = &t->cols[e->ambiguous-1];
      return fail(d, type, "%s.%s: the rows do not decode with column %d as "
                  "a plain %s; it may be MariaDB 5.3's high-resolution %s(n), "
                  "whose width the binlog does not record", t->db, t->name,
                  e->ambiguous, type_name(c), type_name(c));
    }
  }
  return MVB_OK;
}

/* Error while decoding a value: name the row, the column and its type. */
static int value_fail(mvb_decoder *d, mvb_rows *rows, int col,
                      const char *zWhat){
  const mvb_column *c = &rows->table->cols[col];
  return fail(d, rows->type, "row %llu, column %d (%s): %s",
              (unsigned long long)rows->row_no, col+1, type_name(c), zWhat);
}

/* Append to the row scratch; nothing for no bytes (an empty buffer has
** no memory yet, and memcpy must not see its NULL). */
static void scratch_append(mvb_decoder *d, const void *p, size_t n){
  if( n ) mv_buf_append(&d->scratch, p, n);
}

/* Remember that v's text starts at scratch offset off. */
static void add_fixup(mvb_decoder *d, mv_value *v, size_t off){
  d->fix[d->nfix].v = v;
  d->fix[d->nfix].off = off;
  d->nfix++;
}

static const uint32_t aPow10[10] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};

/* NEWDECIMAL (encode.h's binary DECIMAL): the text, with exactly `scale`
** fraction digits, to the scratch. */
static const char *decode_decimal(mvb_decoder *d, mv_reader *r, int prec,
                                  int scale, mv_value *v){
  char z[MV_DECIMAL_TEXT_MAX];
  int size = mv_decimal_size(prec, scale), n;
  const uint8_t *p;
  size_t off;
  if( size<0 ) return "bad DECIMAL precision/scale in the table map";
  p = mvr_take(r, (size_t)size);
  if( p==0 ) return "value truncated";
  if( (n = mv_decimal_text(p, prec, scale, z))<0 ) return "bad DECIMAL digits";
  off = d->scratch.n;
  mv_buf_append(&d->scratch, z, (size_t)n);
  v->kind = MV_DECIMAL;
  v->v.s.n = d->scratch.n - off;
  add_fixup(d, v, off);
  return 0;
}

/* Fraction of a temporal value: fsp digits in (fsp+1)/2 big-endian bytes. */
static int read_frac(mv_reader *r, int fsp, unsigned *pUsec){
  switch( fsp ){
    case 0: *pUsec = 0; return 0;
    case 1: case 2: *pUsec = (unsigned)mvr_u8(r) * 10000; break;
    case 3: case 4: *pUsec = (unsigned)mvr_be(r, 2) * 100; break;
    case 5: case 6: *pUsec = (unsigned)mvr_be(r, 3); break;
    default: return 1;
  }
  return *pUsec>999999;
}

/* Days since 1970-01-01 to a proleptic Gregorian date. */
static void civil_from_days(int64_t z, unsigned *py, unsigned *pm,
                            unsigned *pd){
  int64_t era, y;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z>=0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era*146097);
  yoe = (doe - doe/1460 + doe/36524 - doe/146096) / 365;
  y = (int64_t)yoe + era*400;
  doy = doe - (365*yoe + yoe/4 - yoe/100);
  mp = (5*doy + 2)/153;
  *pd = doy - (153*mp + 2)/5 + 1;
  *pm = mp<10 ? mp+3 : mp-9;
  *py = (unsigned)(y + (*pm<=2));
}

static void unix_to_datetime(mvb_decoder *d, uint32_t secs, mv_value *v){
  mv_time *t = &v->v.t;
  uint32_t days = secs/86400;
  memset(t, 0, sizeof *t);
  v->kind = MV_DATETIME;
  if( secs==0 ) return;              /* the zero timestamp: 0000-00-00 */
  if( days!=d->ts_days ){            /* rows of one event share the day */
    civil_from_days((int64_t)days, &d->ts_y, &d->ts_m, &d->ts_d);
    d->ts_days = days;
  }
  t->year = d->ts_y;
  t->month = d->ts_m;
  t->day = d->ts_d;
  secs %= 86400;
  t->hour = secs/3600;
  t->minute = (secs/60)%60;
  t->second = secs%60;
}

/* Length-prefixed bytes: nb (1..4) little-endian length bytes. */
static const uint8_t *read_lenbytes(mv_reader *r, int nb, size_t *pn){
  uint64_t len;
  if( nb<1 || nb>4 ){ r->err = 1; return 0; }
  len = mvr_le(r, nb);
  *pn = (size_t)len;
  return mvr_take(r, (size_t)len);
}

/* The text MariaDB prints for an INET4, INET6 or UUID value of n bytes
** (4, 16, 16), into z (at least 64 bytes); its length. INET6 follows
** MariaDB's Inet6::to_string: the first longest run of zero groups (even a
** single one) becomes "::", IPv4-compatible and IPv4-mapped addresses end
** in a dotted quad. */
static size_t text_form(int form, const uint8_t *b, char *z){
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  int i;
  if( form==MVB_TF_INET4 ){
    return (size_t)snprintf(z, 64, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  }
  if( form==MVB_TF_UUID ){
    for(i=0; i<16; i++){
      z[n++] = hex[b[i]>>4];
      z[n++] = hex[b[i]&15];
      if( i==3 || i==5 || i==7 || i==9 ) z[n++] = '-';
    }
    z[n] = 0;
    return n;
  }
  {
    unsigned w[8];
    int gapPos = -1, gapLen = -1, rgPos = -1, rgLen = -1;
    for(i=0; i<8; i++) w[i] = (unsigned)b[2*i]<<8 | b[2*i+1];
    for(i=0; i<8; i++){
      if( w[i]!=0 ){
        if( rgPos>=0 ){
          if( rgLen>gapLen ){ gapPos = rgPos; gapLen = rgLen; }
          rgPos = rgLen = -1;
        }
      }else if( rgPos>=0 ){
        rgLen++;
      }else{
        rgPos = i;
        rgLen = 1;
      }
    }
    if( rgPos>=0 && rgLen>gapLen ){ gapPos = rgPos; gapLen = rgLen; }
    for(i=0; i<8; i++){
      if( i==gapPos ){
        if( i==0 ) z[n++] = ':';
        z[n++] = ':';
        i += gapLen - 1;
      }else if( i==6 && gapPos==0
             && (gapLen==6 || (gapLen==5 && w[5]==0xffff)) ){
        n += (size_t)snprintf(z+n, 64-n, "%u.%u.%u.%u", b[12], b[13], b[14],
                              b[15]);
        return n;
      }else{
        n += (size_t)snprintf(z+n, 64-n, "%x", w[i]);
        if( i!=7 ) z[n++] = ':';
      }
    }
    z[n] = 0;
    return n;
  }
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

/* One value of column c. Returns 0, or a message on failure (a constant,
** or d->zVal). */
static const char *decode_value(mvb_decoder *d, mv_reader *r,
                                const mvb_column *c, mv_value *v){
  v->charset = 0;
  v->fsp = 0;
  switch( c->type ){
    case MVT_TINY: case MVT_SHORT: case MVT_INT24: case MVT_LONG:
    case MVT_LONGLONG: case MVT_FLOAT: case MVT_DOUBLE:
      if( decode_number(r, c, v) ) break;
      return "value truncated";
    case MVT_NEWDECIMAL: {
      const char *zE = decode_decimal(d, r, c->meta>>8, c->meta & 0xff, v);
      if( zE ) return zE;
      break;
    }
    case MVT_YEAR: {
      uint8_t x = mvr_u8(r);
      v->kind = MV_INT;
      v->v.i = x ? 1900 + x : 0;
      break;
    }
    case MVT_DATE: case MVT_NEWDATE: {
      uint32_t x = mvr_u24(r);
      memset(&v->v.t, 0, sizeof v->v.t);
      v->kind = MV_DATE;
      v->v.t.day = x & 31;
      v->v.t.month = (x>>5) & 15;
      v->v.t.year = x>>9;
      break;
    }
    case MVT_DATETIME: {
      uint64_t x, dd, tt;
      if( c->hires_fsp ){
        /* MariaDB 5.3 DATETIME(n): pack_time() (((((Y*13+M)*32+D)*24+h)*60
        ** +m)*60+s)*1000000+us cut to n digits, big-endian in 5-8 bytes */
        static const int aBytes[7] = {5, 6, 6, 7, 7, 7, 8};
        int fsp = c->hires_fsp>6 ? 6 : c->hires_fsp;
        uint64_t pk = mvr_be(r, aBytes[fsp]) * aPow10[6-fsp];
        memset(&v->v.t, 0, sizeof v->v.t);
        v->kind = MV_DATETIME;
        v->fsp = fsp;
        v->v.t.usec = (unsigned)(pk % 1000000); pk /= 1000000;
        v->v.t.second = (unsigned)(pk % 60); pk /= 60;
        v->v.t.minute = (unsigned)(pk % 60); pk /= 60;
        v->v.t.hour = (unsigned)(pk % 24); pk /= 24;
        v->v.t.day = (unsigned)(pk % 32); pk /= 32;
        v->v.t.month = (unsigned)(pk % 13); pk /= 13;
        v->v.t.year = (unsigned)(pk % 10000);
        break;
      }
      x = mvr_u64(r);
      dd = x/1000000;
      tt = x%1000000;
      memset(&v->v.t, 0, sizeof v->v.t);
      v->kind = MV_DATETIME;
      v->v.t.year = (unsigned)(dd/10000 % 10000);
      v->v.t.month = (unsigned)(dd/100 % 100);
      v->v.t.day = (unsigned)(dd % 100);
      v->v.t.hour = (unsigned)(tt/10000);
      v->v.t.minute = (unsigned)(tt/100 % 100);
      v->v.t.second = (unsigned)(tt % 100);
      break;
    }
    case MVT_DATETIME2: {
      int64_t ip = (int64_t)mvr_be(r, 5) - 0x8000000000LL;
      uint64_t ymd, hms, ym;
      unsigned usec = 0;
      if( c->meta>6 ) return "bad fractional-second precision";
      if( read_frac(r, c->meta, &usec) && mvr_ok(r) ) return "bad fraction";
      if( !mvr_ok(r) ) break;
      if( ip<0 ) return "negative DATETIME";
      ymd = (uint64_t)ip >> 17;
      hms = (uint64_t)ip % (1<<17);
      ym = ymd >> 5;
      v->kind = MV_DATETIME;
      v->fsp = c->meta;
      v->v.t.neg = 0;
      v->v.t.year = (unsigned)(ym/13);
      v->v.t.month = (unsigned)(ym%13);
      v->v.t.day = (unsigned)(ymd % 32);
      v->v.t.hour = (unsigned)(hms >> 12);
      v->v.t.minute = (unsigned)((hms >> 6) % 64);
      v->v.t.second = (unsigned)(hms % 64);
      v->v.t.usec = usec;
      break;
    }
    case MVT_TIMESTAMP: {
      uint32_t x;
      if( c->hires_fsp ){
        /* MariaDB 5.3 TIMESTAMP(n): big-endian seconds, then the fraction
        ** cut to n digits, big-endian in 1-3 bytes */
        static const int aBytes[7] = {0, 1, 1, 2, 2, 3, 3};
        int fsp = c->hires_fsp>6 ? 6 : c->hires_fsp;
        uint64_t fr;
        x = (uint32_t)mvr_be(r, 4);
        fr = mvr_be(r, aBytes[fsp]) * aPow10[6-fsp];
        if( fr>999999 && mvr_ok(r) ) return "bad fraction";
        unix_to_datetime(d, x, v);
        v->fsp = fsp;
        v->v.t.usec = (unsigned)fr;
        break;
      }
      x = mvr_u32(r);
      unix_to_datetime(d, x, v);
      break;
    }
    case MVT_TIMESTAMP2: {
      uint32_t x = (uint32_t)mvr_be(r, 4);
      unsigned usec = 0;
      if( c->meta>6 ) return "bad fractional-second precision";
      if( read_frac(r, c->meta, &usec) && mvr_ok(r) ) return "bad fraction";
      unix_to_datetime(d, x, v);
      v->fsp = c->meta;
      v->v.t.usec = usec;
      break;
    }
    case MVT_TIME: {
      uint32_t x;
      int64_t s;
      if( c->hires_fsp ){
        /* MariaDB 5.3 TIME(n): pack_time() of the signed interval cut to n
        ** digits, plus the zero point (838:59:59 + 1 s in those units),
        ** big-endian in 3-6 bytes */
        static const int aBytes[7] = {3, 4, 4, 5, 5, 5, 6};
        int fsp = c->hires_fsp>6 ? 6 : c->hires_fsp;
        int64_t zero = (int64_t)3020400 * 1000000 / aPow10[6-fsp];
        int64_t pk = ((int64_t)mvr_be(r, aBytes[fsp]) - zero)
                   * (int64_t)aPow10[6-fsp];
        memset(&v->v.t, 0, sizeof v->v.t);
        v->kind = MV_TIME;
        v->fsp = fsp;
        if( pk<0 ){ v->v.t.neg = 1; pk = -pk; }
        v->v.t.usec = (unsigned)(pk % 1000000); pk /= 1000000;
        v->v.t.second = (unsigned)(pk % 60); pk /= 60;
        v->v.t.minute = (unsigned)(pk % 60); pk /= 60;
        v->v.t.hour = (unsigned)pk;
        break;
      }
      x = mvr_u24(r);
      s = (x & 0x800000) ? (int64_t)x - 0x1000000 : (int64_t)x;
      memset(&v->v.t, 0, sizeof v->v.t);
      v->kind = MV_TIME;
      if( s<0 ){ v->v.t.neg = 1; s = -s; }
      v->v.t.hour = (unsigned)(s/10000);
      v->v.t.minute = (unsigned)(s/100 % 100);
      v->v.t.second = (unsigned)(s % 100);
      break;
    }
    case MVT_TIME2: {
      /* packed = intpart * 2^24 + signed microseconds; a negative value
      ** stores its fraction as the complement of the next integer */
      int64_t ip, packed;
      int fsp = c->meta;
      switch( fsp ){
        case 0:
          ip = (int64_t)mvr_be(r, 3) - 0x800000;
          packed = ip * (1<<24);
          break;
        case 1: case 2: {
          int64_t fr;
          ip = (int64_t)mvr_be(r, 3) - 0x800000;
          fr = mvr_u8(r);
          if( ip<0 && fr ){ ip++; fr -= 0x100; }
          packed = ip * (1<<24) + fr * 10000;
          break;
        }
        case 3: case 4: {
          int64_t fr;
          ip = (int64_t)mvr_be(r, 3) - 0x800000;
          fr = (int64_t)mvr_be(r, 2);
          if( ip<0 && fr ){ ip++; fr -= 0x10000; }
          packed = ip * (1<<24) + fr * 100;
          break;
        }
        case 5: case 6:
          packed = (int64_t)mvr_be(r, 6) - 0x800000000000LL;
          break;
        default:
          return "bad fractional-second precision";
      }
      memset(&v->v.t, 0, sizeof v->v.t);
      v->kind = MV_TIME;
      v->fsp = fsp;
      if( packed<0 ){ v->v.t.neg = 1; packed = -packed; }
      {
        uint64_t hms = (uint64_t)packed >> 24;
        v->v.t.usec = (unsigned)((uint64_t)packed & 0xffffff);
        v->v.t.hour = (unsigned)((hms >> 12) & 0x3ff);
        v->v.t.minute = (unsigned)((hms >> 6) & 0x3f);
        v->v.t.second = (unsigned)(hms & 0x3f);
      }
      if( v->v.t.usec>999999 && mvr_ok(r) ) return "bad fraction";
      break;
    }
    case MVT_BIT: {
      int nb = (c->meta>>8) + ((c->meta & 0xff) ? 1 : 0);
      if( nb<1 || nb>8 ) return "bad BIT length in the table map";
      v->kind = MV_UINT;
      v->v.u = mvr_be(r, nb);
      break;
    }
    case MVT_VARCHAR: case MVT_VAR_STRING: {
      size_t n;
      const uint8_t *p = read_lenbytes(r, c->meta<256 ? 1 : 2, &n);
      v->kind = c->charset==MV_CS_BINARY ? MV_BYTES : MV_TEXT;
      v->charset = c->charset;
      v->v.s.p = (const char*)p;
      v->v.s.n = n;
      break;
    }
    case MVT_STRING: case MVT_ENUM: case MVT_SET: {
      uint8_t real;
      unsigned maxlen;
      string_meta(c->meta, &real, &maxlen);
      if( c->type!=MVT_STRING ) real = c->type;
      if( real==MVT_ENUM ){
        uint64_t x;
        if( maxlen!=1 && maxlen!=2 ) return "bad ENUM length in the table map";
        x = mvr_le(r, (int)maxlen);
        if( c->n_labels>0 && x<=(uint64_t)c->n_labels ){
          v->kind = MV_TEXT;
          v->charset = c->charset;
          v->v.s.p = x ? c->labels[x-1] : "";
          v->v.s.n = x ? strlen(c->labels[x-1]) : 0;
        }else{
          v->kind = MV_UINT;
          v->v.u = x;
        }
      }else if( real==MVT_SET ){
        uint64_t x;
        if( maxlen<1 || maxlen>8 ) return "bad SET length in the table map";
        x = mvr_le(r, (int)maxlen);
        if( c->n_labels>0 && (c->n_labels>=64 || (x>>c->n_labels)==0) ){
          size_t off = d->scratch.n;
          int i, first = 1;
          for(i=0; i<c->n_labels && i<64; i++){
            if( (x>>i) & 1 ){
              if( !first ) mv_buf_char(&d->scratch, ',');
              scratch_append(d, c->labels[i], strlen(c->labels[i]));
              first = 0;
            }
          }
          v->kind = MV_TEXT;
          v->charset = c->charset;
          v->v.s.n = d->scratch.n - off;
          add_fixup(d, v, off);
        }else{
          v->kind = MV_UINT;
          v->v.u = x;
        }
      }else{
        size_t n;
        const uint8_t *p = read_lenbytes(r, maxlen<256 ? 1 : 2, &n);
        v->charset = c->charset;
        if( c->text_form && p ){
          /* MariaDB INET4/INET6/UUID: the bytes, re-padded if the server
          ** stripped trailing zeros, as the text the server prints */
          uint8_t raw[16];
          char zt[64];
          size_t want = c->text_form==MVB_TF_INET4 ? 4 : 16, off;
          if( n>want ) return "INET/UUID value longer than its type";
          memset(raw, 0, sizeof raw);
          memcpy(raw, p, n);
          off = d->scratch.n;
          scratch_append(d, zt, text_form(c->text_form, raw, zt));
          v->kind = MV_TEXT;
          v->charset = MV_CS_UTF8;
          v->v.s.n = d->scratch.n - off;
          add_fixup(d, v, off);
          break;
        }
        if( c->charset==MV_CS_BINARY ){
          v->kind = MV_BYTES;
          if( p && c->binary_len>n ){
            /* the server strips trailing zero bytes of BINARY(n) */
            size_t off = d->scratch.n;
            size_t pad = c->binary_len - n;
            scratch_append(d, p, n);
            if( mv_buf_reserve(&d->scratch, pad)==0 ){
              memset(d->scratch.z + d->scratch.n, 0, pad);
              d->scratch.n += pad;
            }
            v->v.s.n = c->binary_len;
            add_fixup(d, v, off);
            break;
          }
        }else{
          v->kind = MV_TEXT;
        }
        v->v.s.p = (const char*)p;
        v->v.s.n = n;
      }
      break;
    }
    case MVT_BLOB: case MVT_TINY_BLOB: case MVT_MEDIUM_BLOB:
    case MVT_LONG_BLOB: case MVT_GEOMETRY: case MVT_VECTOR: {
      size_t n;
      const uint8_t *p = read_lenbytes(r, c->meta, &n);
      if( c->meta<1 || c->meta>4 ) return "bad length size in the table map";
      if( c->type==MVT_GEOMETRY || c->type==MVT_VECTOR
       || c->charset==MV_CS_BINARY ){
        v->kind = MV_BYTES;
      }else if( c->is_json ){
        v->kind = MV_JSON;
      }else{
        v->kind = MV_TEXT;
      }
      v->charset = c->charset;
      v->v.s.p = (const char*)p;
      v->v.s.n = n;
      break;
    }
    case MVT_JSON: {
      size_t n, off;
      const uint8_t *p = read_lenbytes(r, c->meta, &n);
      char zE[160];
      if( c->meta<1 || c->meta>4 ) return "bad length size in the table map";
      if( p==0 ) break;
      off = d->scratch.n;
      if( n==0 ){
        mv_buf_append(&d->scratch, "null", 4);
      }else if( mvj_binary_to_text(p, n, &d->scratch, zE, sizeof zE) ){
        snprintf(d->zVal, sizeof d->zVal, "bad binary JSON: %s", zE);
        return d->zVal;
      }
      v->kind = MV_JSON;
      v->v.s.n = d->scratch.n - off;
      add_fixup(d, v, off);
      break;
    }
    case MVT_NULL:
      v->kind = MV_NULL;
      break;
    default:
      return "column type not supported";
  }
  if( !mvr_ok(r) ) return "value truncated";
  return 0;
}

/* v is the JSON text in d->jtmp, copied to the row's scratch. */
static void json_value(mvb_decoder *d, mv_value *v){
  size_t off = d->scratch.n;
  scratch_append(d, d->jtmp.z, d->jtmp.n);
  v->kind = MV_JSON;
  v->charset = 0;
  v->fsp = 0;
  v->v.s.n = d->scratch.n - off;
  add_fixup(d, v, off);
}

/* A partial JSON after-image: the diff applied to the before image, or
** with mvb_set_json_diff and no before document, the diff itself. */
static const char *decode_partial_json(mvb_decoder *d, mv_reader *r,
                                       const mvb_column *c, mv_value *v,
                                       const mv_value *before){
  size_t n, i;
  const uint8_t *p = read_lenbytes(r, c->meta, &n);
  const char *zDoc = 0;
  char zE[160];
  if( p==0 ) return "value truncated";
  if( before && before->kind==MV_ABSENT ){
    if( !d->json_diff ){
      return "partial JSON update, but the before image lacks the column "
             "(binlog_row_image=MINIMAL): the new document cannot be rebuilt "
             "(with json_diff=1, mysql_changes and mysql_binlog deliver the "
             "diff instead)";
    }
    /* the diff itself, as {"json_diff":[...]}: never a guessed document */
    mv_buf_reset(&d->jtmp);
    if( mvj_diff_to_json(p, n, &d->jtmp, zE, sizeof zE) ){
      snprintf(d->zVal, sizeof d->zVal, "bad partial JSON diff: %s", zE);
      return d->zVal;
    }
    json_value(d, v);
    return 0;
  }
  if( before==0 || before->kind!=MV_JSON ){
    return "partial JSON update without a JSON before image";
  }
  /* the before text lives in the scratch: find its offset */
  for(i=0; i<(size_t)d->nfix; i++){
    if( d->fix[i].v==before ){
      zDoc = d->scratch.z ? d->scratch.z + d->fix[i].off : "";
      break;
    }
  }
  if( zDoc==0 ) return "partial JSON update without a JSON before image";
  mv_buf_reset(&d->jtmp);
  if( mvj_apply_diff(zDoc, before->v.s.n, p, n, &d->jtmp, zE, sizeof zE) ){
    snprintf(d->zVal, sizeof d->zVal, "bad partial JSON diff: %s", zE);
    return d->zVal;
  }
  json_value(d, v);
  return 0;
}

/* One row image into vals[0..ncol). isAfterOfUpdate: the second image of
** an update (value options of a partial update come first). */
static int decode_image(mvb_decoder *d, mvb_rows *rows, mv_reader *r,
                        const uint8_t *present, int npresent, mv_value *vals,
                        const mv_value *before){
  const mvb_table *t = rows->table;
  const uint8_t *nulls, *partial = 0;
  int i, k = 0, j = 0;
  if( rows->type==MVB_PARTIAL_UPDATE_ROWS && before ){
    uint64_t opts = mvr_lenenc(r);
    if( opts & 1 ) partial = mvr_take(r, (size_t)(rows->n_json+7)/8);
    if( !mvr_ok(r) ){
      return fail(d, rows->type, "row %llu: value options truncated",
                  (unsigned long long)rows->row_no);
    }
  }
  nulls = mvr_take(r, (size_t)(npresent+7)/8);
  if( nulls==0 ){
    return fail(d, rows->type, "row %llu: null bitmap truncated",
                (unsigned long long)rows->row_no);
  }
  for(i=0; i<t->ncol; i++){
    const mvb_column *c = &t->cols[i];
    mv_value *v = &vals[i];
    const char *zE;
    int isPartial = 0;
    if( c->type==MVT_JSON ){
      isPartial = partial && ((partial[j/8]>>(j%8)) & 1);
      j++;
    }
    if( i>=rows->width || ((present[i/8]>>(i%8)) & 1)==0 ){
      v->kind = MV_ABSENT;
      continue;
    }
    if( (nulls[k/8]>>(k%8)) & 1 ){
      k++;
      v->kind = MV_NULL;
      continue;
    }
    k++;
    if( isPartial ){
      zE = decode_partial_json(d, r, c, v, &before[i]);
    }else if( decode_number(r, c, v) ){
      continue;
    }else{
      zE = decode_value(d, r, c, v);
    }
    if( zE ) return value_fail(d, rows, i, zE);
  }
  return MVB_OK;
}

int mvb_rows_next(mvb_decoder *d, mvb_rows *rows){
  mv_reader r;
  mv_value *a, *b;
  int rc, i;
  if( rows->table==0 ) return MVB_DONE;
  if( rows->p>=rows->end ) return MVB_DONE;
  rows->row_no++;
  mvr_init(&r, rows->p, (size_t)(rows->end - rows->p));
  mv_buf_reset(&d->scratch);
  d->nfix = 0;
  a = d->vals;
  b = d->vals + d->nvals;
  rows->before = rows->after = 0;
  if( rows->op==MVB_OP_INSERT ){
    rc = decode_image(d, rows, &r, rows->present_before, rows->n_before, b, 0);
  }else{
    rc = decode_image(d, rows, &r, rows->present_before, rows->n_before, a, 0);
    if( rc==MVB_OK && rows->op==MVB_OP_UPDATE ){
      rc = decode_image(d, rows, &r, rows->present_after, rows->n_after, b, a);
    }
  }
  if( rc!=MVB_OK ){
    rows->p = rows->end;           /* no further rows from a broken event */
    return rc;
  }
  if( d->scratch.oom ){
    rows->p = rows->end;
    return fail(d, rows->type, "row %llu: out of memory",
                (unsigned long long)rows->row_no);
  }
  for(i=0; i<d->nfix; i++){
    /* an empty scratch has no memory yet: its values are all empty */
    d->fix[i].v->v.s.p = d->scratch.z ? d->scratch.z + d->fix[i].off : "";
  }
  if( r.p==rows->p ){
    /* an image of no columns: it would repeat for ever */
    rows->p = rows->end;
    return fail(d, rows->type, "row %llu: a row image of no bytes",
                (unsigned long long)rows->row_no);
  }
  rows->p = r.p;
  if( rows->op!=MVB_OP_INSERT ) rows->before = a;
  if( rows->op!=MVB_OP_DELETE ) rows->after = b;
  return MVB_ROW;
}

/* ---- live column information ---- */

/* Labels of "enum('a','b''c')" / "set(...)" into the table's arena; the
** quote is doubled inside a label. Returns the count, -1 on error. */
static int parse_labels(arena_blk **pa, const char *z, char ***paz){
  const char *s = strchr(z, '(');
  int n = 0, cap = 0, k;
  char **az = 0;
  char *buf;
  if( s==0 ) return -1;
  s++;
  /* first pass: count labels */
  {
    const char *q = s;
    while( *q=='\'' ){
      q++;
      while( *q ){
        if( q[0]=='\'' && q[1]=='\'' ){ q += 2; continue; }
        if( q[0]=='\'' ) break;
        q++;
      }
      if( *q!='\'' ) return -1;
      q++;
      cap++;
      if( *q==',' ) q++;
    }
    if( *q!=')' ) return -1;
  }
  az = arena_alloc(pa, sizeof(char*)*(size_t)(cap ? cap : 1));
  buf = arena_alloc(pa, strlen(s) + 1);
  if( az==0 || buf==0 ) return -1;
  while( *s=='\'' && n<cap ){
    s++;
    az[n] = buf;
    k = 0;
    while( *s ){
      if( s[0]=='\'' && s[1]=='\'' ){ buf[k++] = '\''; s += 2; continue; }
      if( s[0]=='\'' ) break;
      buf[k++] = *s++;
    }
    buf[k++] = 0;
    buf += k;
    s++;
    n++;
    if( *s==',' ) s++;
  }
  *paz = az;
  return n;
}

int mvb_table_apply(mvb_decoder *d, mvb_table *t, int ncol,
                    const mvb_colinfo *info){
  tbl_entry *e = (tbl_entry*)t;      /* t is the first member */
  int i;
  if( t==0 || info==0 || ncol!=t->ncol ) return 1;
  for(i=0; i<ncol; i++){
    if( !mv_type_name_fits(info[i].data_type, t->cols[i].type,
                           t->cols[i].real_type) ) return 1;
  }
  for(i=0; i<ncol; i++){
    mvb_column *c = &t->cols[i];
    const mvb_colinfo *ci = &info[i];
    if( (t->names[i]==0 || (e->unnamed && e->unnamed[i])) && ci->name ){
      char *z = arena_strndup(&e->arena, ci->name, strlen(ci->name));
      if( z ){
        t->names[i] = z;
        if( e->unnamed ) e->unnamed[i] = 0;
        t->names_gen = d ? ++d->names_gen : 0;
      }
    }
    if( !e->has_signedness && is_numeric(c) ){
      c->is_unsigned = mv_type_is_unsigned(ci->column_type);
    }
    if( c->charset==MV_CS_UNKNOWN && ci->charset!=MV_CS_UNKNOWN
     && (is_character(c) || is_enum_or_set(c)) ){
      c->charset = ci->charset;
    }
    if( c->type==MVT_STRING && c->real_type==MVT_STRING
     && c->charset==MV_CS_BINARY && c->binary_len==0 ){
      unsigned maxlen;
      uint8_t real;
      string_meta(c->meta, &real, &maxlen);
      c->binary_len = maxlen;
    }
    if( is_enum_or_set(c) && c->n_labels==0 && ci->column_type ){
      char **az = 0;
      int n = parse_labels(&e->arena, ci->column_type, &az);
      if( n>0 ){
        c->labels = az;
        c->n_labels = n;
      }
    }
    if( ci->is_json && c->type!=MVT_JSON ) c->is_json = 1;
    if( d && d->is_maria && ci->column_type && (c->type==MVT_TIMESTAMP
        || c->type==MVT_DATETIME || c->type==MVT_TIME) ){
      /* "timestamp(3)" on an old type code: MariaDB 5.3's hires form */
      const char *z = strchr(ci->column_type, '(');
      if( z && z[1]>='1' && z[1]<='6' && z[2]==')' ){
        c->hires_fsp = (uint8_t)(z[1] - '0');
      }
    }
    if( c->type==MVT_STRING && c->real_type==MVT_STRING && ci->data_type ){
      unsigned maxlen;
      uint8_t real;
      string_meta(c->meta, &real, &maxlen);
      if( strcasecmp(ci->data_type, "inet4")==0 && maxlen==4 ){
        c->text_form = MVB_TF_INET4;
      }else if( strcasecmp(ci->data_type, "inet6")==0 && maxlen==16 ){
        c->text_form = MVB_TF_INET6;
      }else if( strcasecmp(ci->data_type, "uuid")==0 && maxlen==16 ){
        c->text_form = MVB_TF_UUID;
      }
    }
  }
  t->has_names = 1;
  for(i=0; i<ncol; i++){
    if( t->names[i]==0 || (e->unnamed && e->unnamed[i]) ) t->has_names = 0;
  }
  return 0;
}
