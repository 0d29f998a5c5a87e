/*
** binlog_test.c — the decoder over byte-exact events built here from the
** format documentation (binlog_build.h): every event type, every column
** type with its edge values, and malformed input. Row images are checked
** through the shared encoder (mv_encode_row), byte for byte, so what is
** pinned here is exactly what mysql_changes / mysql_binlog emit.
*/
#include "binlog.h"
#include "binlog_int.h"      /* the payload window's size (test_payload_big) */
#include "binlog_build.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

static mvb_decoder *d;
static eb e;                 /* the event being built */
static mvb_event ev;
static int crc = 1;          /* events get a CRC32 (the FDE said so) */
static mv_buf out;

/* ---- building ---- */

/* Hex digits (spaces ignored) appended to the event. */
static void eb_hex(eb *b, const char *z){
  while( *z ){
    unsigned v;
    if( *z==' ' ){ z++; continue; }
    sscanf(z, "%2x", &v);
    eb_u8(b, v);
    z += 2;
  }
}
static void eb_lstr(eb *b, const char *z){      /* lenenc-prefixed string */
  eb_lenenc(b, strlen(z));
  eb_str(b, z);
}

static int feed(void){ return mvb_parse(d, e.b, e.n, &ev); }
static void fin(void){ eb_finish(&e, crc); }

/* A fresh decoder after a format description of server zVer. */
static void fresh(const char *zVer, int alg, int nTypes){
  if( d ) mvb_free(d);
  d = mvb_new();
  e.pos = 0;
  eb_fde(&e, zVer, alg, nTypes);
  crc = alg==1;
  CHECK(feed()==MVB_OK);
}
static void fresh_mysql(void){ fresh("8.0.40", 1, 42); }
static void fresh_maria(void){ fresh("10.11.6-MariaDB-log", 1, 171); }

/* The error of the last call must start with zPrefix and contain zSub. */
#define CHECK_ERR(zPrefix, zSub) do{ \
  const char *m_ = mvb_errmsg(d); \
  int ok_ = strncmp(m_, zPrefix, strlen(zPrefix))==0 && strstr(m_, zSub)!=0; \
  if( ok_ ){ unit_pass++; } \
  else{ unit_fail++; printf("! %s:%d: error [%s] lacks [%s]...[%s]\n", \
                           __FILE__, __LINE__, m_, zPrefix, zSub); } \
}while(0)

/* ---- rows ---- */

/* Decode every row of the event in ev; each as "before -> after" (an image
** that is absent is empty), rows separated by " | ". */
static const char *rows_text(void){
  mvb_rows rows;
  int rc, first = 1;
  mv_buf_reset(&out);
  if( mvb_rows_open(d, &ev, &rows)!=MVB_OK ) return "ERROR";
  while( (rc = mvb_rows_next(d, &rows))==MVB_ROW ){
    const char *const *az = (const char*const*)rows.table->names;
    if( !first ) mv_buf_str(&out, " | ");
    first = 0;
    if( rows.before ) mv_encode_row(&out, rows.table->ncol, az, rows.before);
    mv_buf_str(&out, " -> ");
    if( rows.after ) mv_encode_row(&out, rows.table->ncol, az, rows.after);
  }
  if( rc!=MVB_DONE ) return "ERROR";
  return mv_buf_cstr(&out);
}

/* A column for one-column tables: type, table-map metadata (hex),
** collation (-1: none given), unsigned, ENUM/SET labels ("a|b|c"). */
typedef struct tcol {
  uint8_t type;
  const char *meta;
  int cs;
  int uns;
  const char *labels;
} tcol;

static int is_num(int t){
  return t==MVT_TINY || t==MVT_SHORT || t==MVT_INT24 || t==MVT_LONG
      || t==MVT_LONGLONG || t==MVT_NEWDECIMAL || t==MVT_FLOAT
      || t==MVT_DOUBLE;
}

/* Real type of a column: STRING's first metadata byte. */
static int real_type(const tcol *c){
  if( c->type==MVT_STRING && c->meta && strlen(c->meta)>=2 ){
    unsigned v;
    sscanf(c->meta, "%2x", &v);
    if( v==MVT_ENUM || v==MVT_SET ) return (int)v;
  }
  return c->type;
}

static void add_labels(eb *b, const char *z){
  int n = 1;
  const char *s;
  for(s=z; *s; s++) if( *s=='|' ) n++;
  eb_lenenc(b, (uint64_t)n);
  while( 1 ){
    const char *q = strchr(z, '|');
    size_t k = q ? (size_t)(q - z) : strlen(z);
    eb_lenenc(b, k);
    eb_bytes(b, z, k);
    if( !q ) break;
    z = q + 1;
  }
}

/* TABLE_MAP of table id for db.tbl with columns c[0..n), names "c1".."cN"
** (or "c" for one column) in FULL optional metadata. */
static void table_map(uint64_t id, const char *zDb, const char *zTbl, int n,
                      const tcol *c){
  eb m, o;
  int i, k;
  uint8_t sign = 0, nulls[8];
  memset(&m, 0, sizeof m);
  memset(&o, 0, sizeof o);
  memset(nulls, 0xff, sizeof nulls);
  for(i=0; i<n; i++) if( c[i].meta ) eb_hex(&m, c[i].meta);
  /* SIGNEDNESS: one bit per numeric column, high bit first */
  {
    eb s;
    memset(&s, 0, sizeof s);
    for(i=0, k=0; i<n; i++){
      if( !is_num(c[i].type) ) continue;
      if( c[i].uns ) sign |= (uint8_t)(0x80>>(k%8));
      k++;
      if( k%8==0 ){ eb_u8(&s, sign); sign = 0; }
    }
    if( k%8 ) eb_u8(&s, sign);
    if( k ){ eb_u8(&o, 1); eb_lenenc(&o, s.n); eb_bytes(&o, s.b, s.n); }
    free(s.b);
  }
  /* COLUMN_CHARSET (character columns) and ENUM_AND_SET_COLUMN_CHARSET */
  {
    eb s, t;
    memset(&s, 0, sizeof s);
    memset(&t, 0, sizeof t);
    for(i=0; i<n; i++){
      int rt = real_type(&c[i]);
      int cs = c[i].cs<0 ? 255 : c[i].cs;
      if( rt==MVT_ENUM || rt==MVT_SET ){
        eb_lenenc(&t, (uint64_t)cs);
      }else if( rt==MVT_STRING || rt==MVT_VARCHAR || rt==MVT_VAR_STRING
             || rt==MVT_BLOB ){
        eb_lenenc(&s, (uint64_t)cs);
      }
    }
    if( s.n ){ eb_u8(&o, 3); eb_lenenc(&o, s.n); eb_bytes(&o, s.b, s.n); }
    if( t.n ){ eb_u8(&o, 11); eb_lenenc(&o, t.n); eb_bytes(&o, t.b, t.n); }
    free(s.b);
    free(t.b);
  }
  /* COLUMN_NAME */
  {
    eb s;
    memset(&s, 0, sizeof s);
    for(i=0; i<n; i++){
      char z[16];
      if( n==1 ) snprintf(z, sizeof z, "c");
      else snprintf(z, sizeof z, "c%d", i+1);
      eb_lstr(&s, z);
    }
    eb_u8(&o, 4); eb_lenenc(&o, s.n); eb_bytes(&o, s.b, s.n);
    free(s.b);
  }
  /* SET_STR_VALUE, ENUM_STR_VALUE */
  for(k=0; k<2; k++){
    eb s;
    int want = k==0 ? MVT_SET : MVT_ENUM;
    memset(&s, 0, sizeof s);
    for(i=0; i<n; i++){
      if( real_type(&c[i])==want && c[i].labels ) add_labels(&s, c[i].labels);
    }
    if( s.n ){
      eb_u8(&o, k==0 ? 5 : 6); eb_lenenc(&o, s.n); eb_bytes(&o, s.b, s.n);
    }
    free(s.b);
  }
  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, id, 6);
  eb_u16(&e, 1);
  eb_u8(&e, (unsigned)strlen(zDb)); eb_str(&e, zDb); eb_u8(&e, 0);
  eb_u8(&e, (unsigned)strlen(zTbl)); eb_str(&e, zTbl); eb_u8(&e, 0);
  eb_lenenc(&e, (uint64_t)n);
  for(i=0; i<n; i++) eb_u8(&e, c[i].type);
  eb_lenenc(&e, m.n);
  eb_bytes(&e, m.b, m.n);
  eb_bytes(&e, nulls, (size_t)(n+7)/8);
  eb_bytes(&e, o.b, o.n);
  fin();
  free(m.b);
  free(o.b);
}

/* Start a rows event of `type` on table id with width columns, all present
** (after the post-header, extra data for v2, width and the bitmaps);
** the caller appends the rows and calls fin(). */
static void rows_start(int type, uint64_t id, int width){
  int i;
  eb_start(&e, type);
  eb_le(&e, id, 6);
  eb_u16(&e, 1);                               /* STMT_END_F */
  if( (type>=MVB_WRITE_ROWS_V2 && type<=MVB_DELETE_ROWS_V2)
   || type==MVB_PARTIAL_UPDATE_ROWS ){
    eb_u16(&e, 2);                             /* no extra data */
  }
  eb_lenenc(&e, (uint64_t)width);
  for(i=0; i<(width+7)/8; i++) eb_u8(&e, 0xff);
  if( type==MVB_UPDATE_ROWS_V1 || type==MVB_UPDATE_ROWS_V2
   || type==MVB_PARTIAL_UPDATE_ROWS ){
    for(i=0; i<(width+7)/8; i++) eb_u8(&e, 0xff);
  }
}

/* One value of a one-column table, inserted with WRITE_ROWS_V2: the value's
** bytes in hex (NULL: the value is NULL); the row as mv_encode_row writes
** it must be {"c":<zWant>}. */
static void check_value_at(int line, tcol c, const char *zHex,
                           const char *zWant){
  char zRow[4000];
  const char *zGot;
  table_map(77, "d", "t", 1, &c);
  if( feed()!=MVB_OK ){
    unit_fail++;
    printf("! %s:%d: table map: %s\n", __FILE__, line, mvb_errmsg(d));
    return;
  }
  rows_start(MVB_WRITE_ROWS_V2, 77, 1);
  eb_u8(&e, zHex ? 0 : 1);                      /* null bitmap */
  if( zHex ) eb_hex(&e, zHex);
  fin();
  if( feed()!=MVB_OK ){
    unit_fail++;
    printf("! %s:%d: rows event: %s\n", __FILE__, line, mvb_errmsg(d));
    return;
  }
  zGot = rows_text();
  if( strcmp(zGot, "ERROR")==0 ) zGot = mvb_errmsg(d);
  snprintf(zRow, sizeof zRow, " -> {\"c\":%s}", zWant);
  if( strcmp(zGot, zRow)==0 ){
    unit_pass++;
  }else{
    unit_fail++;
    printf("! %s:%d: expected [%s]\n!   got      [%s]\n", __FILE__, line,
           zRow, zGot);
  }
}
#define CHECK_VALUE(c, zHex, zWant) check_value_at(__LINE__, c, zHex, zWant)

/* The value must fail to decode, the error naming zSub. */
static void check_bad_value_at(int line, tcol c, const char *zHex,
                               const char *zSub){
  const char *zGot;
  table_map(77, "d", "t", 1, &c);
  if( feed()!=MVB_OK ){
    zGot = mvb_errmsg(d);
  }else{
    rows_start(MVB_WRITE_ROWS_V2, 77, 1);
    eb_u8(&e, 0);
    eb_hex(&e, zHex);
    fin();
    if( feed()!=MVB_OK ){
      zGot = mvb_errmsg(d);
    }else{
      zGot = rows_text();
      if( strcmp(zGot, "ERROR")==0 ) zGot = mvb_errmsg(d);
      else zGot = "(decoded without error)";
    }
  }
  if( strstr(zGot, zSub) && strncmp(zGot, "(decoded", 8)!=0 ){
    unit_pass++;
  }else{
    unit_fail++;
    printf("! %s:%d: expected an error with [%s]\n!   got [%s]\n", __FILE__,
           line, zSub, zGot);
  }
}
#define CHECK_BAD_VALUE(c, zHex, zSub) check_bad_value_at(__LINE__, c, zHex, zSub)

/* ---- value encoders written from the format documentation ---- */

static char zHexBuf[8][600];
static int iHexBuf;
static const char *hexof(const eb *b){
  char *z = zHexBuf[iHexBuf++ % 8];
  size_t i;
  for(i=0; i<b->n && i<290; i++) sprintf(z + 2*i, "%02x", b->b[i]);
  z[2*i] = 0;
  return z;
}

/* NEWDECIMAL(prec, scale) of the digit string "[-]ddd.ddd": groups of 9
** digits in 4 big-endian bytes, the leading and trailing partial groups in
** 1-4 bytes; the top bit of the first byte flipped; every byte inverted
** for a negative number. */
static const char *dec_hex(const char *z, int prec, int scale){
  static const int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  char ip[80], fp[40];
  int neg = 0, nI = 0, nF = 0, intg = prec - scale, i, k;
  const char *dot;
  eb b;
  memset(&b, 0, sizeof b);
  if( *z=='-' ){ neg = 1; z++; }
  dot = strchr(z, '.');
  k = dot ? (int)(dot - z) : (int)strlen(z);
  while( k>intg && *z=='0' ){ z++; k--; }         /* "0.5" in (3,3) */
  memset(ip, '0', sizeof ip);
  memset(fp, '0', sizeof fp);
  nI = k;
  memcpy(ip + (intg - nI), z, (size_t)nI);          /* right-aligned */
  if( dot ){ nF = (int)strlen(dot+1); memcpy(fp, dot+1, (size_t)nF); }
  /* integer part: leading partial group, then groups of 9 */
  {
    int lead = intg % 9, pos = 0;
    if( lead ){
      uint32_t g = 0;
      for(i=0; i<lead; i++) g = g*10 + (uint32_t)(ip[pos++]-'0');
      eb_be(&b, g, dig2bytes[lead]);
    }
    for(k=0; k<intg/9; k++){
      uint32_t g = 0;
      for(i=0; i<9; i++) g = g*10 + (uint32_t)(ip[pos++]-'0');
      eb_be(&b, g, 4);
    }
  }
  {
    int pos = 0, trail = scale % 9;
    for(k=0; k<scale/9; k++){
      uint32_t g = 0;
      for(i=0; i<9; i++) g = g*10 + (uint32_t)(fp[pos++]-'0');
      eb_be(&b, g, 4);
    }
    if( trail ){
      uint32_t g = 0;
      for(i=0; i<trail; i++) g = g*10 + (uint32_t)(fp[pos++]-'0');
      eb_be(&b, g, dig2bytes[trail]);
    }
  }
  b.b[0] ^= 0x80;
  if( neg ) for(i=0; i<(int)b.n; i++) b.b[i] ^= 0xff;
  z = hexof(&b);
  free(b.b);
  return z;
}

/* Fraction bytes of DATETIME2/TIMESTAMP2/TIME2 (positive values). */
static void frac_bytes(eb *b, unsigned usec, int fsp){
  if( fsp==1 || fsp==2 ) eb_be(b, usec/10000, 1);
  else if( fsp==3 || fsp==4 ) eb_be(b, usec/100, 2);
  else if( fsp==5 || fsp==6 ) eb_be(b, usec, 3);
}

static const char *datetime2_hex(unsigned Y, unsigned M, unsigned D,
                                 unsigned h, unsigned m, unsigned s,
                                 unsigned usec, int fsp){
  uint64_t ymd = ((uint64_t)(Y*13 + M) << 5) | D;
  uint64_t hms = ((uint64_t)h << 12) | (m << 6) | s;
  eb b;
  const char *z;
  memset(&b, 0, sizeof b);
  eb_be(&b, ((ymd << 17) | hms) + 0x8000000000ULL, 5);
  frac_bytes(&b, usec, fsp);
  z = hexof(&b);
  free(b.b);
  return z;
}

static const char *timestamp2_hex(uint32_t secs, unsigned usec, int fsp){
  eb b;
  const char *z;
  memset(&b, 0, sizeof b);
  eb_be(&b, secs, 4);
  frac_bytes(&b, usec, fsp);
  z = hexof(&b);
  free(b.b);
  return z;
}

/* TIME2 as MySQL's my_time_packed_to_binary writes it: the packed value
** (hms<<24 | usec, negated for a negative time); the integer part is the
** packed value shifted right (rounding down), the fraction its remainder
** (truncating, so negative), stored in 1 or 2 bytes two's complement; with
** 5-6 digits the whole packed value in 6 bytes. */
static const char *time2_hex(int neg, unsigned h, unsigned m, unsigned s,
                             unsigned usec, int fsp){
  int64_t hms = ((int64_t)h << 12) | (int64_t)(m << 6) | s;
  int64_t nr = hms * (1LL<<24) + usec, ip, fr;
  eb b;
  const char *z;
  memset(&b, 0, sizeof b);
  if( neg ) nr = -nr;
  fr = nr % (1LL<<24);
  ip = nr / (1LL<<24) - (fr<0 ? 1 : 0);
  if( fsp>=5 ){
    eb_be(&b, (uint64_t)(nr + 0x800000000000LL), 6);
  }else{
    eb_be(&b, (uint64_t)(ip + 0x800000), 3);
    if( fsp==1 || fsp==2 ) eb_be(&b, (uint64_t)(fr/10000) & 0xff, 1);
    if( fsp==3 || fsp==4 ) eb_be(&b, (uint64_t)(fr/100) & 0xffff, 2);
  }
  z = hexof(&b);
  free(b.b);
  return z;
}

/* ---- column types ---- */

static void test_integers(void){
  tcol tiny = {MVT_TINY, 0, -1, 0, 0}, utiny = {MVT_TINY, 0, -1, 1, 0};
  tcol sh = {MVT_SHORT, 0, -1, 0, 0}, ush = {MVT_SHORT, 0, -1, 1, 0};
  tcol i24 = {MVT_INT24, 0, -1, 0, 0}, ui24 = {MVT_INT24, 0, -1, 1, 0};
  tcol lo = {MVT_LONG, 0, -1, 0, 0}, ulo = {MVT_LONG, 0, -1, 1, 0};
  tcol ll = {MVT_LONGLONG, 0, -1, 0, 0}, ull = {MVT_LONGLONG, 0, -1, 1, 0};
  fresh_mysql();
  CHECK_VALUE(tiny, "80", "-128");
  CHECK_VALUE(tiny, "7f", "127");
  CHECK_VALUE(tiny, "ff", "-1");
  CHECK_VALUE(utiny, "ff", "255");
  CHECK_VALUE(utiny, "00", "0");
  CHECK_VALUE(sh, "0080", "-32768");
  CHECK_VALUE(sh, "ff7f", "32767");
  CHECK_VALUE(ush, "ffff", "65535");
  CHECK_VALUE(i24, "000080", "-8388608");
  CHECK_VALUE(i24, "ffff7f", "8388607");
  CHECK_VALUE(i24, "ffffff", "-1");
  CHECK_VALUE(ui24, "ffffff", "16777215");
  CHECK_VALUE(lo, "00000080", "-2147483648");
  CHECK_VALUE(lo, "ffffff7f", "2147483647");
  CHECK_VALUE(ulo, "ffffffff", "4294967295");
  CHECK_VALUE(ll, "0000000000000080", "-9223372036854775808");
  CHECK_VALUE(ll, "ffffffffffffff7f", "9223372036854775807");
  CHECK_VALUE(ull, "ffffffffffffffff", "18446744073709551615");
  CHECK_VALUE(ull, "0000000000000080", "9223372036854775808");
  CHECK_VALUE(lo, 0, "null");
  /* YEAR: one byte, years since 1900; 0 is the zero year */
  {
    tcol y = {MVT_YEAR, 0, -1, 0, 0};
    CHECK_VALUE(y, "00", "0");
    CHECK_VALUE(y, "01", "1901");
    CHECK_VALUE(y, "7c", "2024");
    CHECK_VALUE(y, "ff", "2155");
  }
  /* BIT(n): metadata bits%8, bytes; the value big-endian */
  {
    tcol b1 = {MVT_BIT, "0100", -1, 0, 0};
    tcol b10 = {MVT_BIT, "0201", -1, 0, 0};
    tcol b64 = {MVT_BIT, "0008", -1, 0, 0};
    CHECK_VALUE(b1, "01", "1");
    CHECK_VALUE(b10, "0201", "513");
    CHECK_VALUE(b64, "ffffffffffffffff", "18446744073709551615");
    CHECK_VALUE(b64, "8000000000000001", "9223372036854775809");
  }
  /* truncated values */
  CHECK_BAD_VALUE(lo, "ffff", "column 1 (LONG): value truncated");
  CHECK_BAD_VALUE(ll, "01", "Write_rows_v2: row 1, column 1 (LONGLONG)");
}

static void test_floats_decimals(void){
  tcol f = {MVT_FLOAT, "04", -1, 0, 0}, g = {MVT_DOUBLE, "08", -1, 0, 0};
  fresh_mysql();
  CHECK_VALUE(f, "cdcc8c3f", "1.1");              /* 1.1f */
  CHECK_VALUE(f, "0000c0ff", "\"NaN\"");
  CHECK_VALUE(f, "000080ff", "\"-Infinity\"");
  CHECK_VALUE(f, "ffff7f7f", "3.4028235e+38");      /* FLT_MAX */
  CHECK_VALUE(g, "9a9999999999f13f", "1.1");
  CHECK_VALUE(g, "0000000000000080", "-0");
  CHECK_VALUE(g, "ffffffffffffef7f", "1.7976931348623157e+308");
  CHECK_VALUE(g, "0100000000000000", "5e-324");

  /* NEWDECIMAL: the documented examples of DECIMAL(14,4) first */
  {
    tcol d14 = {MVT_NEWDECIMAL, "0e04", -1, 0, 0};
    tcol d65 = {MVT_NEWDECIMAL, "411e", -1, 0, 0};     /* (65,30) */
    tcol d10 = {MVT_NEWDECIMAL, "0a05", -1, 0, 0};
    tcol d5 = {MVT_NEWDECIMAL, "0500", -1, 0, 0};
    tcol d3 = {MVT_NEWDECIMAL, "0303", -1, 0, 0};
    CHECK_STR(dec_hex("1234567890.1234", 14, 4), "810dfb38d204d2");
    CHECK_STR(dec_hex("-1234567890.1234", 14, 4), "7ef204c72dfb2d");
    CHECK_VALUE(d14, "810dfb38d204d2", "\"1234567890.1234\"");
    CHECK_VALUE(d14, "7ef204c72dfb2d", "\"-1234567890.1234\"");
    CHECK_VALUE(d14, dec_hex("0", 14, 4), "\"0.0000\"");
    CHECK_VALUE(d14, dec_hex("-0.0001", 14, 4), "\"-0.0001\"");
    CHECK_VALUE(d65, dec_hex("99999999999999999999999999999999999."
                             "999999999999999999999999999999", 65, 30),
                "\"99999999999999999999999999999999999."
                "999999999999999999999999999999\"");
    CHECK_VALUE(d65, dec_hex("-12345678901234567890123456789012345."
                             "123456789012345678901234567890", 65, 30),
                "\"-12345678901234567890123456789012345."
                "123456789012345678901234567890\"");
    CHECK_VALUE(d65, dec_hex("0.000000000000000000000000000001", 65, 30),
                "\"0.000000000000000000000000000001\"");
    CHECK_VALUE(d10, dec_hex("0.1", 10, 5), "\"0.10000\"");
    CHECK_VALUE(d10, dec_hex("-99999.99999", 10, 5), "\"-99999.99999\"");
    CHECK_VALUE(d5, dec_hex("-12345", 5, 0), "\"-12345\"");
    CHECK_VALUE(d3, dec_hex("0.5", 3, 3), "\"0.500\"");
    /* bad precision in the table map; digits out of range */
    {
      tcol bad = {MVT_NEWDECIMAL, "4a1e", -1, 0, 0};   /* (74,30) */
      CHECK_BAD_VALUE(bad, "80", "bad DECIMAL precision");
      CHECK_BAD_VALUE(d5, "ffffffff", "bad DECIMAL digits");
    }
  }
}

static void test_temporal(void){
  static const char *const azFrac[7] = {
    "", ".1", ".12", ".123", ".1234", ".12345", ".123456"
  };
  static const unsigned aUsec[7] = {
    0, 100000, 120000, 123000, 123400, 123450, 123456
  };
  int fsp;
  char zMeta[8], zWant[80];
  fresh_mysql();
  /* DATE: 3 bytes, day | month<<5 | year<<9 */
  {
    tcol c = {MVT_DATE, 0, -1, 0, 0};
    eb b;
    memset(&b, 0, sizeof b);
    eb_le(&b, 29 | (2<<5) | (2024<<9), 3);
    CHECK_VALUE(c, hexof(&b), "\"2024-02-29\"");
    CHECK_VALUE(c, "000000", "\"0000-00-00\"");
    b.n = 0;
    eb_le(&b, 31 | (12<<5) | (9999<<9), 3);
    CHECK_VALUE(c, hexof(&b), "\"9999-12-31\"");
    free(b.b);
  }
  /* DATETIME2 / TIMESTAMP2 / TIME2 with every precision */
  for(fsp=0; fsp<=6; fsp++){
    tcol dt = {MVT_DATETIME2, zMeta, -1, 0, 0};
    tcol ts = {MVT_TIMESTAMP2, zMeta, -1, 0, 0};
    tcol tm = {MVT_TIME2, zMeta, -1, 0, 0};
    snprintf(zMeta, sizeof zMeta, "%02x", fsp);
    snprintf(zWant, sizeof zWant, "\"2024-02-29 13:14:15%s\"", azFrac[fsp]);
    CHECK_VALUE(dt, datetime2_hex(2024, 2, 29, 13, 14, 15, aUsec[fsp], fsp),
                zWant);
    /* 1709212455 is 2024-02-29 13:14:15 UTC */
    CHECK_VALUE(ts, timestamp2_hex(1709212455, aUsec[fsp], fsp), zWant);
    snprintf(zWant, sizeof zWant, "\"838:59:59%s\"", azFrac[fsp]);
    CHECK_VALUE(tm, time2_hex(0, 838, 59, 59, aUsec[fsp], fsp), zWant);
    snprintf(zWant, sizeof zWant, "\"-838:59:59%s\"", azFrac[fsp]);
    CHECK_VALUE(tm, time2_hex(1, 838, 59, 59, aUsec[fsp], fsp), zWant);
    /* negative, zero hours, a fraction: the hard case of TIME2 */
    snprintf(zWant, sizeof zWant, "\"-00:00:01%s\"", azFrac[fsp]);
    CHECK_VALUE(tm, time2_hex(1, 0, 0, 1, aUsec[fsp], fsp), zWant);
    snprintf(zWant, sizeof zWant, "\"-00:00:00%s\"", azFrac[fsp]);
    if( fsp>0 ) CHECK_VALUE(tm, time2_hex(1, 0, 0, 0, aUsec[fsp], fsp), zWant);
    snprintf(zWant, sizeof zWant, "\"25:00:00%s\"", azFrac[fsp]);
    CHECK_VALUE(tm, time2_hex(0, 25, 0, 0, aUsec[fsp], fsp), zWant);
  }
  {
    /* the documented disk values of TIME(2): 7FFFFF.FF is -00:00:00.01,
    ** 7FFFFE.F6 is -00:00:01.10, 800000.00 is 00:00:00.00 */
    tcol t2 = {MVT_TIME2, "02", -1, 0, 0};
    tcol t0 = {MVT_TIME2, "00", -1, 0, 0};
    tcol t6 = {MVT_TIME2, "06", -1, 0, 0};
    CHECK_VALUE(t2, "7fffffff", "\"-00:00:00.01\"");
    CHECK_VALUE(t2, "7ffffef6", "\"-00:00:01.10\"");
    CHECK_VALUE(t2, "80000000", "\"00:00:00.00\"");
    CHECK_VALUE(t2, "7fffff9d", "\"-00:00:00.99\"");
    CHECK_STR(time2_hex(1, 0, 0, 0, 990000, 2), "7fffff9d");
    CHECK_VALUE(t0, "800000", "\"00:00:00\"");
    CHECK_VALUE(t6, time2_hex(1, 0, 0, 0, 1, 6), "\"-00:00:00.000001\"");
    CHECK_BAD_VALUE(t0, "8000", "column 1 (TIME2): value truncated");
  }
  {
    tcol dt = {MVT_DATETIME2, "00", -1, 0, 0};
    tcol ts = {MVT_TIMESTAMP2, "03", -1, 0, 0};
    tcol bad = {MVT_DATETIME2, "07", -1, 0, 0};
    CHECK_VALUE(dt, "8000000000", "\"0000-00-00 00:00:00\"");
    CHECK_VALUE(dt, datetime2_hex(1000, 1, 1, 0, 0, 0, 0, 0),
                "\"1000-01-01 00:00:00\"");
    CHECK_VALUE(dt, datetime2_hex(9999, 12, 31, 23, 59, 59, 0, 0),
                "\"9999-12-31 23:59:59\"");
    CHECK_VALUE(ts, "00000000" "0000", "\"0000-00-00 00:00:00.000\"");
    CHECK_VALUE(ts, timestamp2_hex(2147483647, 999000, 3),
                "\"2038-01-19 03:14:07.999\"");
    CHECK_BAD_VALUE(bad, "8000000000", "bad fractional-second precision");
    CHECK_BAD_VALUE(ts, "00000001" "ffff", "bad fraction");
  }
  /* the pre-5.6 forms: TIMESTAMP (4 bytes LE seconds), DATETIME (8 bytes
  ** LE YYYYMMDDhhmmss), TIME (3 bytes LE signed hhmmss) */
  {
    tcol ts = {MVT_TIMESTAMP, 0, -1, 0, 0};
    tcol dt = {MVT_DATETIME, 0, -1, 0, 0};
    tcol tm = {MVT_TIME, 0, -1, 0, 0};
    eb b;
    memset(&b, 0, sizeof b);
    eb_le(&b, 1709212455, 4);
    CHECK_VALUE(ts, hexof(&b), "\"2024-02-29 13:14:15\"");
    CHECK_VALUE(ts, "00000000", "\"0000-00-00 00:00:00\"");
    b.n = 0;
    eb_le(&b, 20240229131415ULL, 8);
    CHECK_VALUE(dt, hexof(&b), "\"2024-02-29 13:14:15\"");
    CHECK_VALUE(dt, "0000000000000000", "\"0000-00-00 00:00:00\"");
    b.n = 0;
    eb_le(&b, (uint64_t)(0x1000000 - 8385959), 3);           /* -838:59:59 */
    CHECK_VALUE(tm, hexof(&b), "\"-838:59:59\"");
    b.n = 0;
    eb_le(&b, 1000000, 3);                                    /* 100:00:00 */
    CHECK_VALUE(tm, hexof(&b), "\"100:00:00\"");
    b.n = 0;
    eb_le(&b, (uint64_t)(0x1000000 - 1), 3);                  /* -00:00:01 */
    CHECK_VALUE(tm, hexof(&b), "\"-00:00:01\"");
    free(b.b);
  }
}

static void test_strings(void){
  fresh_mysql();
  /* VARCHAR: 1 length byte up to 255 bytes of maximum length, then 2 */
  {
    tcol v = {MVT_VARCHAR, "ff00", 255, 0, 0};          /* utf8mb4 */
    tcol v2 = {MVT_VARCHAR, "9001", 255, 0, 0};         /* 400 bytes max */
    tcol lat = {MVT_VARCHAR, "0a00", 8, 0, 0};          /* latin1_swedish_ci */
    tcol vb = {MVT_VARCHAR, "1000", 63, 0, 0};          /* VARBINARY(16) */
    CHECK_VALUE(v, "03616263", "\"abc\"");
    CHECK_VALUE(v, "00", "\"\"");
    CHECK_VALUE(v, "04f09f9880", "\"\xf0\x9f\x98\x80\"");   /* U+1F600 */
    CHECK_VALUE(v, "0522085c0a01", "\"\\\"\\b\\\\\\n\\u0001\"");
    CHECK_VALUE(v2, "0800f09f9880f09f9881",
                "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x81\"");
    CHECK_VALUE(lat, "03e9e0ff", "\"\xc3\xa9\xc3\xa0\xc3\xbf\"");  /* éàÿ */
    CHECK_VALUE(vb, "0300ff10", "\"00ff10\"");
    CHECK_BAD_VALUE(v, "0561", "column 1 (VARCHAR): value truncated");
  }
  /* CHAR(n): 1 or 2 length bytes after the maximum byte length; CHAR(100)
  ** in utf8mb4 is 400 bytes, which the metadata folds into the type byte */
  {
    tcol ch = {MVT_STRING, "fe28", 255, 0, 0};            /* CHAR(10) */
    tcol ch400 = {MVT_STRING, "ee90", 255, 0, 0};         /* CHAR(100) */
    tcol bin = {MVT_STRING, "fe04", 63, 0, 0};            /* BINARY(4) */
    tcol bin300 = {MVT_STRING, "ee2c", 63, 0, 0};         /* BINARY(300) */
    tcol lat = {MVT_STRING, "fe05", 8, 0, 0};
    char zWant[1000], zHex[1400];
    int i;
    CHECK_VALUE(ch, "026869", "\"hi\"");
    CHECK_VALUE(ch400, "0800f09f9880f09f9881",
                "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x81\"");
    /* BINARY keeps its length: trailing zero bytes the server stripped
    ** are put back */
    CHECK_VALUE(bin, "026162", "\"61620000\"");
    CHECK_VALUE(bin, "0400000001", "\"00000001\"");
    CHECK_VALUE(bin, "00", "\"00000000\"");
    snprintf(zWant, sizeof zWant, "\"6162");
    for(i=0; i<298; i++) strcat(zWant, "00");
    strcat(zWant, "\"");
    CHECK_VALUE(bin300, "02006162", zWant);
    CHECK_VALUE(lat, "02c4d6", "\"\xc3\x84\xc3\x96\"");          /* ÄÖ */
    /* a CHAR(100) value of 100 four-byte characters */
    snprintf(zHex, sizeof zHex, "9001");
    zWant[0] = '"';
    for(i=0; i<100; i++){
      strcat(zHex, "f09f9880");
      memcpy(zWant + 1 + 4*i, "\xf0\x9f\x98\x80", 4);
    }
    memcpy(zWant + 401, "\"", 2);
    CHECK_VALUE(ch400, zHex, zWant);
  }
  /* BLOB and TEXT with 1, 2, 3 and 4 length bytes */
  {
    tcol t1 = {MVT_BLOB, "01", 255, 0, 0};
    tcol t2 = {MVT_BLOB, "02", 255, 0, 0};
    tcol t3 = {MVT_BLOB, "03", 8, 0, 0};
    tcol t4 = {MVT_BLOB, "04", 255, 0, 0};
    tcol b1 = {MVT_BLOB, "01", 63, 0, 0};
    tcol b4 = {MVT_BLOB, "04", 63, 0, 0};
    tcol bad = {MVT_BLOB, "05", 63, 0, 0};
    CHECK_VALUE(t1, "026869", "\"hi\"");
    CHECK_VALUE(t2, "03006869c3", "\"hi\xef\xbf\xbd\"");    /* bad UTF-8 */
    CHECK_VALUE(t3, "000000", "\"\"");
    CHECK_VALUE(t3, "010000e9", "\"\xc3\xa9\"");
    CHECK_VALUE(t4, "04000000f09f9880", "\"\xf0\x9f\x98\x80\"");
    CHECK_VALUE(b1, "0300ff7f", "\"00ff7f\"");
    CHECK_VALUE(b4, "00000000", "\"\"");
    CHECK_BAD_VALUE(t4, "05000000616263", "column 1 (BLOB): value truncated");
    CHECK_BAD_VALUE(t4, "ffffffff", "value truncated");
    CHECK_BAD_VALUE(bad, "0100000000", "bad length size in the table map");
  }
  /* GEOMETRY: a length-prefixed WKB with its SRID, as hex */
  {
    tcol g = {MVT_GEOMETRY, "04", -1, 0, 0};
    CHECK_VALUE(g, "19000000" "00000000" "0101000000"
                "000000000000f03f" "0000000000000040",
                "\"000000000101000000000000000000f03f0000000000000040\"");
  }
  /* ENUM and SET: labels from the optional metadata, numbers without */
  {
    tcol en = {MVT_STRING, "f701", 255, 0, "small|medium|large"};
    tcol en2 = {MVT_STRING, "f702", 255, 0, "a|b"};
    tcol st = {MVT_STRING, "f801", 255, 0, "one|two|three|four"};
    tcol st8 = {MVT_STRING, "f808", 255, 0, 0};
    tcol enl = {MVT_STRING, "f701", 8, 0, "caf\xe9|th\xe9"};  /* latin1 */
    tcol enx = {MVT_STRING, "f701", 255, 0, 0};
    CHECK_VALUE(en, "01", "\"small\"");
    CHECK_VALUE(en, "03", "\"large\"");
    CHECK_VALUE(en, "00", "\"\"");                 /* the error value '' */
    CHECK_VALUE(en, "04", "4");                    /* no such label */
    CHECK_VALUE(en2, "0200", "\"b\"");
    CHECK_VALUE(st, "05", "\"one,three\"");
    CHECK_VALUE(st, "0f", "\"one,two,three,four\"");
    CHECK_VALUE(st, "00", "\"\"");
    CHECK_VALUE(st, "10", "16");                   /* a bit with no label */
    CHECK_VALUE(st8, "0100000000000080", "9223372036854775809");
    CHECK_VALUE(enl, "01", "\"caf\xc3\xa9\"");
    CHECK_VALUE(enx, "02", "2");
    {
      tcol bad = {MVT_STRING, "f703", 255, 0, 0};
      CHECK_BAD_VALUE(bad, "01", "bad ENUM length in the table map");
    }
  }
  /* VECTOR (MySQL 9): float32 values as bytes */
  {
    tcol vec = {MVT_VECTOR, "04", -1, 0, 0};
    CHECK_VALUE(vec, "0c000000cdcc8c3fcdcc0c4033335340",
                "\"cdcc8c3fcdcc0c4033335340\"");
  }
}

/* MySQL binary JSON (JSON columns, type 245, 4 length bytes). Needs
** mysqljson.c. */
static void test_json(void){
  tcol j = {MVT_JSON, "04", -1, 0, 0};
  fresh_mysql();
  CHECK_VALUE(j, "02000000" "0400", "null");
  CHECK_VALUE(j, "03000000" "052a00", "42");
  CHECK_VALUE(j, "05000000" "0c03616263", "\"abc\"");
  /* {"a": 1}: small object, 1 member, 12 bytes; key at 11, inline int16 */
  CHECK_VALUE(j, "0d000000" "00" "0100" "0c00" "0b000100" "050100" "61",
              "{\"a\": 1}");
  /* an empty JSON value (a NOT NULL column added later) is JSON null */
  CHECK_VALUE(j, "00000000", "null");
  CHECK_BAD_VALUE(j, "03000000" "00ffff", "bad binary JSON");
}

/* ---- events ---- */

static void test_fde(void){
  mvb_decoder *d2;
  /* with CRC32 */
  fresh_mysql();
  CHECK(ev.type==MVB_FORMAT_DESCRIPTION);
  CHECK(ev.u.fde.binlog_version==4);
  CHECK_STR(ev.u.fde.server_version, "8.0.40");
  CHECK(ev.u.fde.checksum_alg==1);
  /* the events after it carry a checksum: a correct one passes */
  eb_start(&e, MVB_XID); eb_u64(&e, 7); fin();
  CHECK(feed()==MVB_OK && ev.u.xid.xid==7);
  /* a flipped bit anywhere fails with the event's name */
  e.b[20] ^= 0x10;
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Xid: ", "checksum mismatch");
  e.b[20] ^= 0x10;
  e.b[e.n-1] ^= 1;
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Xid: ", "checksum mismatch");

  /* checksum off (alg byte 0 and four unused bytes) */
  fresh("5.7.40-log", 0, 42);
  CHECK(ev.u.fde.checksum_alg==0);
  eb_start(&e, MVB_XID); eb_u64(&e, 8); fin();
  CHECK(feed()==MVB_OK && ev.u.xid.xid==8);

  /* a server older than 5.6.1 writes no algorithm byte at all */
  fresh("5.5.62-log", -1, 27);
  CHECK(ev.u.fde.checksum_alg==0);
  eb_start(&e, MVB_XID); eb_u64(&e, 9); fin();
  CHECK(feed()==MVB_OK && ev.u.xid.xid==9);

  /* a bad checksum on the format description itself */
  d2 = mvb_new();
  eb_fde(&e, "8.0.40", 1, 42);
  e.b[30] ^= 1;
  CHECK(mvb_parse(d2, e.b, e.n, &ev)==MVB_ERROR);
  CHECK(strncmp(mvb_errmsg(d2), "Format_desc: checksum mismatch", 30)==0);
  /* the "binlog in use" flag (0x01) is not covered by the checksum */
  eb_fde(&e, "8.0.40", 1, 42);
  e.b[17] |= 1;
  CHECK(mvb_parse(d2, e.b, e.n, &ev)==MVB_OK);
  /* a truncated format description; a binlog version other than 4 */
  eb_fde(&e, "8.0.40", 1, 42);
  CHECK(mvb_parse(d2, e.b, 60, &ev)==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d2), "truncated")!=0);
  eb_fde(&e, "8.0.40", 0, 42);
  e.b[19] = 3;
  CHECK(mvb_parse(d2, e.b, e.n, &ev)==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d2), "binlog version 3 not supported")!=0);
  /* an unknown checksum algorithm */
  eb_fde(&e, "8.0.40", 0, 42);
  e.b[e.n-5] = 7;
  CHECK(mvb_parse(d2, e.b, e.n, &ev)==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d2), "unknown checksum algorithm 7")!=0);
  mvb_free(d2);

  /* before any format description (a replication stream's artificial
  ** Rotate): the checksum setting comes from the caller */
  d2 = mvb_new();
  mvb_set_checksum(d2, 1);
  e.pos = 0;
  eb_start_ex(&e, MVB_ROTATE, 0, 1, 0x20);
  eb_u64(&e, 4); eb_str(&e, "mysql-bin.000002");
  eb_finish(&e, 1);
  CHECK(mvb_parse(d2, e.b, e.n, &ev)==MVB_OK);
  CHECK(ev.u.rotate.file_len==16 && ev.flags==0x20);
  mvb_free(d2);
}

static void test_rotate_query_xid(void){
  fresh_mysql();
  eb_start(&e, MVB_ROTATE);
  eb_u64(&e, 4);
  eb_str(&e, "binlog.000042");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.rotate.pos==4);
  CHECK(ev.u.rotate.file_len==13
        && memcmp(ev.u.rotate.file, "binlog.000042", 13)==0);
  /* a name padded with NUL by its sender */
  eb_start(&e, MVB_ROTATE);
  eb_u64(&e, 120);
  eb_str(&e, "mariadb-bin.000003"); eb_u8(&e, 0); eb_u8(&e, 0x5a);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rotate.file_len==18 && ev.u.rotate.pos==120);
  eb_start(&e, MVB_ROTATE); eb_u32(&e, 4); fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Rotate: ", "truncated");

  /* QUERY: thread id, exec time, db length, error code, status variables
  ** (skipped by their length), db NUL, the statement */
  eb_start(&e, MVB_QUERY);
  eb_u32(&e, 1234);                     /* thread id */
  eb_u32(&e, 0);                        /* exec time */
  eb_u8(&e, 4);                         /* db length */
  eb_u16(&e, 0);                        /* error code */
  eb_u16(&e, 26);                       /* status variables */
  eb_hex(&e, "00 00000000");            /* Q_FLAGS2_CODE */
  eb_hex(&e, "01 0000200000000000");    /* Q_SQL_MODE_CODE */
  eb_hex(&e, "06 03 737464");           /* Q_CATALOG_NZ_CODE "std" */
  eb_hex(&e, "04 2100 2100 2d00");      /* Q_CHARSET_CODE */
  eb_str(&e, "shop"); eb_u8(&e, 0);
  eb_str(&e, "CREATE TABLE t (id INT)");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.query.thread_id==1234 && ev.u.query.error_code==0);
  CHECK(ev.u.query.db_len==4 && memcmp(ev.u.query.db, "shop", 4)==0);
  CHECK(ev.u.query.sql_len==23
        && memcmp(ev.u.query.sql, "CREATE TABLE t (id INT)", 23)==0);
  /* status variables longer than the event */
  eb_start(&e, MVB_QUERY);
  eb_u32(&e, 1); eb_u32(&e, 0); eb_u8(&e, 0); eb_u16(&e, 0);
  eb_u16(&e, 500);
  eb_str(&e, "BEGIN");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Query: ", "truncated");
  /* a db name longer than the event */
  eb_start(&e, MVB_QUERY);
  eb_u32(&e, 1); eb_u32(&e, 0); eb_u8(&e, 200); eb_u16(&e, 0); eb_u16(&e, 0);
  eb_str(&e, "x");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Query: ", "truncated");

  /* XID */
  eb_start(&e, MVB_XID); eb_u64(&e, 0xfedcba9876543210ULL); fin();
  CHECK(feed()==MVB_OK && ev.u.xid.xid==0xfedcba9876543210ULL);
  CHECK(ev.size==e.n && ev.next_pos==e.pos && ev.server_id==1);
  CHECK(ev.timestamp==1700000000);
  CHECK(ev.body_len==8);
  eb_start(&e, MVB_XID); eb_u32(&e, 1); fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Xid: ", "truncated");
}

static void test_table_map(void){
  tcol c[6] = {
    {MVT_LONG, 0, -1, 1, 0},
    {MVT_VARCHAR, "2000", 8, 0, 0},
    {MVT_STRING, "f701", 255, 0, "x|y"},
    {MVT_STRING, "f801", 255, 0, "p|q|r"},
    {MVT_GEOMETRY, "04", -1, 0, 0},
    {MVT_NEWDECIMAL, "0a02", -1, 0, 0},
  };
  mvb_table *t;
  fresh_mysql();
  table_map(9, "shop", "items", 6, c);
  CHECK(feed()==MVB_OK);
  t = ev.u.table_map.table;
  CHECK(t!=0);
  if( !t ) return;
  CHECK(t->id==9 && t->ncol==6);
  CHECK_STR(t->db, "shop");
  CHECK_STR(t->name, "items");
  CHECK(t->has_names);
  CHECK_STR(t->names[0], "c1");
  CHECK_STR(t->names[5], "c6");
  CHECK(t->cols[0].is_unsigned && !t->cols[5].is_unsigned);
  CHECK(t->cols[1].charset==8 && t->cols[1].meta==32);
  CHECK(t->cols[2].real_type==MVT_ENUM && t->cols[2].n_labels==2);
  CHECK_STR(t->cols[2].labels[1], "y");
  CHECK(t->cols[3].real_type==MVT_SET && t->cols[3].n_labels==3);
  CHECK_STR(t->cols[3].labels[2], "r");
  CHECK(t->cols[2].charset==255 && t->cols[3].charset==255);
  CHECK(t->cols[5].meta==(10<<8 | 2));
  CHECK(t->cols[0].nullable);

  /* every other optional field: DEFAULT_CHARSET (a default and exceptions),
  ** GEOMETRY_TYPE, SIMPLE_PRIMARY_KEY, PRIMARY_KEY_WITH_PREFIX,
  ** ENUM_AND_SET_DEFAULT_CHARSET, COLUMN_VISIBILITY,
  ** VECTOR_DIMENSIONALITY and a field of a later server */
  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 10, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 5);
  eb_hex(&e, "03 0f fe fe ff");              /* LONG VARCHAR CHAR ENUM GEO */
  eb_lenenc(&e, 7);
  eb_hex(&e, "1400" "fe14" "f701" "04");
  eb_u8(&e, 0x1a);                           /* nullable: 2, 4, 5 */
  eb_hex(&e, "02 03 21 01 08");      /* DEFAULT_CHARSET 33, col #1 -> 8 */
  eb_hex(&e, "07 01 01");            /* GEOMETRY_TYPE: POINT */
  eb_hex(&e, "08 01 00");            /* SIMPLE_PRIMARY_KEY: column 0 */
  eb_hex(&e, "09 02 02 04");         /* PRIMARY_KEY_WITH_PREFIX: 2 (4) */
  eb_hex(&e, "0a 01 08");            /* ENUM_AND_SET_DEFAULT_CHARSET 8 */
  eb_hex(&e, "0c 01 a0");            /* COLUMN_VISIBILITY */
  eb_hex(&e, "0d 01 03");            /* VECTOR_DIMENSIONALITY */
  eb_hex(&e, "63 03 010203");        /* field 99: skipped */
  fin();
  CHECK(feed()==MVB_OK);
  t = ev.u.table_map.table;
  CHECK(t && t->cols[0].is_pk && !t->cols[1].is_pk && t->cols[2].is_pk);
  CHECK(t && t->cols[1].charset==33 && t->cols[2].charset==8);
  CHECK(t && t->cols[3].charset==8 && t->cols[3].real_type==MVT_ENUM);
  CHECK(t && !t->has_names && strcmp(t->names[0], "@1")==0);
  CHECK(t && t->cols[1].nullable && !t->cols[0].nullable);

  /* the same table id mapped again, identical: the same table */
  {
    mvb_table *t1, *t2;
    table_map(11, "a", "b", 6, c);
    CHECK(feed()==MVB_OK);
    t1 = ev.u.table_map.table;
    e.pos = 0;
    table_map(11, "a", "b", 6, c);
    CHECK(feed()==MVB_OK);
    t2 = ev.u.table_map.table;
    CHECK(t1==t2);
    /* a different map under the same id replaces it */
    table_map(11, "a", "c", 1, c);
    CHECK(feed()==MVB_OK);
    CHECK(ev.u.table_map.table->ncol==1);
    CHECK_STR(ev.u.table_map.table->name, "c");
  }

  /* malformed table maps */
  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 2);
  eb_hex(&e, "0f 0f");
  eb_lenenc(&e, 3);                         /* two VARCHARs need 4 bytes */
  eb_hex(&e, "140014");
  eb_u8(&e, 0);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "s.t: column metadata truncated");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 1);
  eb_u8(&e, 0x63);                          /* type 99 */
  eb_lenenc(&e, 0);
  eb_u8(&e, 0);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "column 1: unknown type 99");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 1);
  eb_u8(&e, MVT_LONG);
  eb_lenenc(&e, 0);
  eb_u8(&e, 0);
  eb_hex(&e, "04 05 03616263");             /* COLUMN_NAME past its field */
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "optional metadata field 4 is malformed");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 1);
  eb_u8(&e, MVT_LONG);
  eb_lenenc(&e, 0);
  eb_u8(&e, 0);
  eb_hex(&e, "01 09 00");                   /* length past the event */
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "optional metadata field 1 is malformed");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 0);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "absurd column count 0");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 30); eb_str(&e, "s");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "truncated");

  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 12, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "t"); eb_u8(&e, 0);
  eb_lenenc(&e, 100000);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Table_map: ", "absurd column count 100000");
}

/* A three-column table for the rows events: id INT, name VARCHAR(20)
** utf8mb4, score SMALLINT UNSIGNED. */
static const tcol aRowCols[3] = {
  {MVT_LONG, 0, -1, 0, 0},
  {MVT_VARCHAR, "1400", 255, 0, 0},
  {MVT_SHORT, 0, -1, 1, 0},
};
static void row_bytes(int id, const char *zName, int score){
  eb_u8(&e, zName ? 0 : 2);                  /* null bitmap */
  eb_u32(&e, (uint32_t)id);
  if( zName ){ eb_u8(&e, (unsigned)strlen(zName)); eb_str(&e, zName); }
  eb_u16(&e, (unsigned)score);
}

static void test_rows(void){
  int v;
  static const int aWrite[] = { MVB_WRITE_ROWS_V0, MVB_WRITE_ROWS_V1,
                                MVB_WRITE_ROWS_V2 };
  static const int aUpd[] = { MVB_UPDATE_ROWS_V0, MVB_UPDATE_ROWS_V1,
                              MVB_UPDATE_ROWS_V2 };
  static const int aDel[] = { MVB_DELETE_ROWS_V0, MVB_DELETE_ROWS_V1,
                              MVB_DELETE_ROWS_V2 };
  fresh_mysql();
  table_map(5, "shop", "people", 3, aRowCols);
  CHECK(feed()==MVB_OK);
  for(v=0; v<3; v++){
    /* insert two rows */
    rows_start(aWrite[v], 5, 3);
    row_bytes(1, "Ann", 65535);
    row_bytes(-2, 0, 7);
    fin();
    CHECK(feed()==MVB_OK);
    CHECK(ev.u.rows.op==MVB_OP_INSERT && ev.u.rows.table_id==5);
    CHECK(ev.u.rows.table && strcmp(ev.u.rows.table->name, "people")==0);
    CHECK(ev.u.rows.flags==1);
    CHECK_STR(rows_text(),
      " -> {\"c1\":1,\"c2\":\"Ann\",\"c3\":65535} | "
      " -> {\"c1\":-2,\"c2\":null,\"c3\":7}");
    /* update: before and after images (v0 has one column bitmap) */
    if( v==0 ){
      eb_start(&e, aUpd[v]);
      eb_le(&e, 5, 6); eb_u16(&e, 1);
      eb_lenenc(&e, 3); eb_u8(&e, 0x07);
    }else{
      rows_start(aUpd[v], 5, 3);
    }
    row_bytes(1, "Ann", 1);
    row_bytes(1, "Bob", 2);
    fin();
    CHECK(feed()==MVB_OK);
    CHECK(ev.u.rows.op==MVB_OP_UPDATE);
    CHECK_STR(rows_text(),
      "{\"c1\":1,\"c2\":\"Ann\",\"c3\":1} -> {\"c1\":1,\"c2\":\"Bob\",\"c3\":2}");
    /* delete */
    rows_start(aDel[v], 5, 3);
    row_bytes(1, "Bob", 2);
    fin();
    CHECK(feed()==MVB_OK);
    CHECK(ev.u.rows.op==MVB_OP_DELETE);
    CHECK_STR(rows_text(), "{\"c1\":1,\"c2\":\"Bob\",\"c3\":2} -> ");
  }

  /* v2 with extra data (NDB-style info: extra length 8 counts itself) */
  eb_start(&e, MVB_WRITE_ROWS_V2);
  eb_le(&e, 5, 6); eb_u16(&e, 1);
  eb_u16(&e, 8); eb_hex(&e, "00 04 01020304");
  eb_lenenc(&e, 3); eb_u8(&e, 0x07);
  row_bytes(3, "Cy", 3);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), " -> {\"c1\":3,\"c2\":\"Cy\",\"c3\":3}");

  /* minimal images: columns not in the bitmap are left out */
  eb_start(&e, MVB_UPDATE_ROWS_V2);
  eb_le(&e, 5, 6); eb_u16(&e, 1); eb_u16(&e, 2);
  eb_lenenc(&e, 3);
  eb_u8(&e, 0x01);                          /* before: id */
  eb_u8(&e, 0x06);                          /* after: name, score */
  eb_u8(&e, 0); eb_u32(&e, 9);
  eb_u8(&e, 0x01); eb_u16(&e, 5);           /* name NULL, score 5 */
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "{\"c1\":9} -> {\"c2\":null,\"c3\":5}");

  /* a row event for a table the caller does not want is skipped without
  ** decoding: the event parses, the rows need not be opened */
  rows_start(MVB_WRITE_ROWS_V2, 5, 3);
  eb_hex(&e, "00 ff");                     /* garbage rows: never read */
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.rows.table!=0);
  eb_start(&e, MVB_XID); eb_u64(&e, 1); fin();
  CHECK(feed()==MVB_OK);

  /* malformed rows events */
  rows_start(MVB_WRITE_ROWS_V2, 6, 3);                  /* unknown id */
  row_bytes(1, "A", 1);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.table==0);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "unknown table id 6");

  rows_start(MVB_WRITE_ROWS_V2, 5, 4);                  /* width 4 > 3 */
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "4 columns in the rows event, 3 in the table map");

  eb_start(&e, MVB_WRITE_ROWS_V2);                      /* extra < 2 */
  eb_le(&e, 5, 6); eb_u16(&e, 1); eb_u16(&e, 1);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "extra-data length 1");

  eb_start(&e, MVB_WRITE_ROWS_V2);                      /* extra too long */
  eb_le(&e, 5, 6); eb_u16(&e, 1); eb_u16(&e, 300);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "truncated");

  eb_start(&e, MVB_UPDATE_ROWS_V1);                     /* no bitmaps */
  eb_le(&e, 5, 6); eb_u16(&e, 1); eb_lenenc(&e, 3); eb_u8(&e, 7);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Update_rows_v1: ", "bitmaps");

  rows_start(MVB_WRITE_ROWS_V2, 5, 3);                  /* row cut short */
  row_bytes(1, "Ann", 1);
  e.n -= 3;
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "row 1, column 2 (VARCHAR): value truncated");

  rows_start(MVB_WRITE_ROWS_V2, 5, 3);                  /* second row bad */
  row_bytes(1, "Ann", 1);
  eb_u8(&e, 0); eb_u32(&e, 2); eb_u8(&e, 50);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v2: ", "row 2, column 2 (VARCHAR)");

  eb_start(&e, MVB_UPDATE_ROWS_V2);                     /* empty images */
  eb_le(&e, 5, 6); eb_u16(&e, 1); eb_u16(&e, 2);
  eb_lenenc(&e, 3); eb_u8(&e, 0); eb_u8(&e, 0);
  eb_u8(&e, 0);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Update_rows_v2: ", "no bytes");

  eb_start(&e, MVB_WRITE_ROWS_V2);                      /* post-header cut */
  eb_le(&e, 5, 4);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Write_rows_v2: ", "truncated");

  /* an event whose size field is more than the bytes given, or less than
  ** a header */
  rows_start(MVB_WRITE_ROWS_V2, 5, 3);
  row_bytes(1, "Ann", 1);
  fin();
  CHECK(mvb_parse(d, e.b, e.n - 1, &ev)==MVB_ERROR);
  CHECK_ERR("Write_rows_v2: ", "event truncated: header says");
  CHECK(mvb_parse(d, e.b, 10, &ev)==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d), "less than a 19-byte header")!=0);
  e.b[9] = 5; e.b[10] = e.b[11] = e.b[12] = 0;
  CHECK(mvb_parse(d, e.b, e.n, &ev)==MVB_ERROR);
  CHECK_ERR("Write_rows_v2: ", "event size 5 is less than its header");

  /* mvb_rows_open on an event that is not a rows event */
  eb_start(&e, MVB_XID); eb_u64(&e, 1); fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Xid: ", "not a rows event");
}

/* MariaDB: v1 rows, GTID, GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS,
** compressed query and rows events. */
static void maria_compress(eb *b, const char *z, size_t n){
  uLongf cap = compressBound((uLong)n);
  uint8_t *c = malloc(cap);
  compress(c, &cap, (const Bytef*)z, (uLong)n);
  eb_u8(b, 0x80 | 4);
  eb_be(b, n, 4);
  eb_bytes(b, c, cap);
  free(c);
}

static void test_mariadb(void){
  eb r;
  fresh_maria();
  /* GTID 0-1-1 standalone; 1-7-99 with a commit id */
  eb_start_ex(&e, MVB_MARIA_GTID, 1700000000, 1, 0x08);
  eb_u64(&e, 1); eb_u32(&e, 0); eb_u8(&e, 0x01); eb_hex(&e, "000000000000");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(ev.u.gtid.text, "0-1-1");
  CHECK(ev.u.gtid.standalone==1);
  eb_start_ex(&e, MVB_MARIA_GTID, 1700000000, 7, 0);
  eb_u64(&e, 99); eb_u32(&e, 1); eb_u8(&e, 0x02); eb_u64(&e, 5);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(ev.u.gtid.text, "1-7-99");
  CHECK(ev.u.gtid.standalone==0);
  eb_start(&e, MVB_MARIA_GTID); eb_u64(&e, 1); fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Gtid: ", "truncated");
  /* GTID_LIST of two, BINLOG_CHECKPOINT */
  eb_start(&e, MVB_MARIA_GTID_LIST);
  eb_u32(&e, 2);
  eb_u32(&e, 0); eb_u32(&e, 1); eb_u64(&e, 10);
  eb_u32(&e, 1); eb_u32(&e, 2); eb_u64(&e, 20);
  fin();
  CHECK(feed()==MVB_OK && ev.type==MVB_MARIA_GTID_LIST);
  eb_start(&e, MVB_MARIA_GTID_LIST);
  eb_u32(&e, 3); eb_u32(&e, 0);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Gtid_list: ", "truncated (3 GTIDs)");
  eb_start(&e, MVB_MARIA_BINLOG_CHECKPOINT);
  eb_u32(&e, 16); eb_str(&e, "mariadb-bin.0001");
  fin();
  CHECK(feed()==MVB_OK);
  eb_start(&e, MVB_MARIA_BINLOG_CHECKPOINT);
  eb_u32(&e, 17); eb_str(&e, "mariadb-bin.0001");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Binlog_checkpoint: ", "truncated");
  /* ANNOTATE_ROWS: the statement is the body */
  eb_start(&e, MVB_MARIA_ANNOTATE_ROWS);
  eb_str(&e, "INSERT INTO t VALUES (1)");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.annotate.sql_len==24
        && memcmp(ev.u.annotate.sql, "INSERT INTO t VALUES (1)", 24)==0);

  /* v1 rows (MariaDB writes v1) */
  table_map(40, "m", "t", 3, aRowCols);
  CHECK(feed()==MVB_OK);
  rows_start(MVB_WRITE_ROWS_V1, 40, 3);
  row_bytes(5, "Eve", 500);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), " -> {\"c1\":5,\"c2\":\"Eve\",\"c3\":500}");

  /* compressed rows: the row data after the bitmaps, zlib behind a header
  ** of 0x80|length bytes and the big-endian uncompressed length */
  memset(&r, 0, sizeof r);
  {
    eb save = e;
    e = r;
    e.n = 0;
    row_bytes(6, "Fay", 6);
    row_bytes(7, 0, 7);
    r = e;
    e = save;
  }
  eb_start(&e, MVB_MARIA_WRITE_ROWS_COMPRESSED_V1);
  eb_le(&e, 40, 6); eb_u16(&e, 1);
  eb_lenenc(&e, 3); eb_u8(&e, 7);
  maria_compress(&e, (const char*)r.b, r.n);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.op==MVB_OP_INSERT);
  CHECK_STR(rows_text(), " -> {\"c1\":6,\"c2\":\"Fay\",\"c3\":6} | "
                         " -> {\"c1\":7,\"c2\":null,\"c3\":7}");
  eb_start(&e, MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1);
  eb_le(&e, 40, 6); eb_u16(&e, 1);
  eb_lenenc(&e, 3); eb_u8(&e, 7); eb_u8(&e, 7);
  maria_compress(&e, (const char*)r.b, r.n);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.op==MVB_OP_UPDATE);
  CHECK_STR(rows_text(), "{\"c1\":6,\"c2\":\"Fay\",\"c3\":6} -> "
                         "{\"c1\":7,\"c2\":null,\"c3\":7}");
  eb_start(&e, MVB_MARIA_DELETE_ROWS_COMPRESSED);     /* with extra data */
  eb_le(&e, 40, 6); eb_u16(&e, 1); eb_u16(&e, 2);
  eb_lenenc(&e, 3); eb_u8(&e, 7);
  maria_compress(&e, (const char*)r.b, r.n);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.op==MVB_OP_DELETE);
  CHECK_STR(rows_text(), "{\"c1\":6,\"c2\":\"Fay\",\"c3\":6} -> "
                         " | {\"c1\":7,\"c2\":null,\"c3\":7} -> ");
  /* corrupt compressed data */
  eb_start(&e, MVB_MARIA_WRITE_ROWS_COMPRESSED_V1);
  eb_le(&e, 40, 6); eb_u16(&e, 1);
  eb_lenenc(&e, 3); eb_u8(&e, 7);
  eb_hex(&e, "84 00000010 789c0102");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_compressed_v1: ", "compressed event");
  free(r.b);

  /* compressed query */
  {
    const char *zSql = "UPDATE t SET a = a + 1 WHERE b > 100";
    eb_start(&e, MVB_MARIA_QUERY_COMPRESSED);
    eb_u32(&e, 3); eb_u32(&e, 0); eb_u8(&e, 1); eb_u16(&e, 0); eb_u16(&e, 0);
    eb_str(&e, "m"); eb_u8(&e, 0);
    maria_compress(&e, zSql, strlen(zSql));
    fin();
    CHECK(feed()==MVB_OK);
    CHECK(ev.u.query.sql_len==strlen(zSql)
          && memcmp(ev.u.query.sql, zSql, strlen(zSql))==0);
    CHECK(ev.u.query.db_len==1 && ev.u.query.db[0]=='m');
    eb_start(&e, MVB_MARIA_QUERY_COMPRESSED);
    eb_u32(&e, 3); eb_u32(&e, 0); eb_u8(&e, 1); eb_u16(&e, 0); eb_u16(&e, 0);
    eb_str(&e, "m"); eb_u8(&e, 0);
    eb_hex(&e, "01 02");
    fin();
    CHECK(feed()==MVB_ERROR);
    CHECK_ERR("Query_compressed: ", "compressed event");
  }

  /* MariaDB JSON is a LONGTEXT; told by mvb_table_apply, it is JSON */
  {
    tcol c[2] = { {MVT_LONG, 0, -1, 0, 0}, {MVT_BLOB, "04", 45, 0, 0} };
    mvb_colinfo ci[2] = {
      {"id", "int", "int(11)", MV_CS_UNKNOWN, 0},
      {"doc", "longtext", "longtext", 45, 1}
    };
    table_map(41, "m", "j", 2, c);
    CHECK(feed()==MVB_OK);
    CHECK(mvb_table_apply(d, ev.u.table_map.table, 2, ci)==0);
    rows_start(MVB_WRITE_ROWS_V1, 41, 2);
    eb_u8(&e, 0); eb_u32(&e, 1); eb_u32(&e, 9); eb_str(&e, "{\"a\":[1]}");
    fin();
    CHECK(feed()==MVB_OK);
    /* names from optional metadata are kept over the live ones */
    CHECK_STR(rows_text(), " -> {\"c1\":1,\"c2\":{\"a\":[1]}}");
  }

  /* MariaDB's SIGNEDNESS has a bit for YEAR (an unsigned TINYINT there; a
  ** 10.11 server writes 0x80 for YEAR, SMALLINT and 0x00 for BIT, SMALLINT):
  ** id INT, y YEAR, u BIGINT UNSIGNED, m MEDIUMINT UNSIGNED, sm SMALLINT
  ** give 0 1 1 1 0 (the bitmap of a MariaDB 10.11 server) */
  {
    eb_start(&e, MVB_TABLE_MAP);
    eb_le(&e, 43, 6); eb_u16(&e, 1);
    eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
    eb_u8(&e, 1); eb_str(&e, "y"); eb_u8(&e, 0);
    eb_lenenc(&e, 5);
    eb_hex(&e, "03 0d 08 09 02");
    eb_lenenc(&e, 0);
    eb_u8(&e, 0x1e);
    eb_hex(&e, "01 01 70");                         /* SIGNEDNESS 0111 0 */
    fin();
    CHECK(feed()==MVB_OK);
    rows_start(MVB_WRITE_ROWS_V1, 43, 5);
    eb_u8(&e, 0);
    eb_hex(&e, "ffffffff 7c ffffffffffffffff ffffff 0080");
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), " -> {\"@1\":-1,\"@2\":2024,"
              "\"@3\":18446744073709551615,\"@4\":16777215,\"@5\":-32768}");
    /* MariaDB's charset fields count GEOMETRY (a MariaDB 10.11 server's
    ** DEFAULT_CHARSET for GEOMETRY, TINYTEXT utf8mb4, ENUM, TINYBLOB is
    ** 63 then (1 -> 45)); MySQL's do not */
    eb_start(&e, MVB_TABLE_MAP);
    eb_le(&e, 44, 6); eb_u16(&e, 1);
    eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
    eb_u8(&e, 1); eb_str(&e, "g"); eb_u8(&e, 0);
    eb_lenenc(&e, 4);
    eb_hex(&e, "ff fc fe fc");
    eb_lenenc(&e, 5);
    eb_hex(&e, "04 01 f701 01");
    eb_u8(&e, 0x0f);
    eb_hex(&e, "02 03 3f012d");
    fin();
    CHECK(feed()==MVB_OK);
    rows_start(MVB_WRITE_ROWS_V1, 44, 4);
    eb_u8(&e, 0);
    eb_hex(&e, "02000000 0102 0178 01 0101");
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), " -> {\"@1\":\"0102\",\"@2\":\"x\",\"@3\":1,\"@4\":\"01\"}");
    fresh_mysql();
    eb_start(&e, MVB_TABLE_MAP);
    eb_le(&e, 44, 6); eb_u16(&e, 1);
    eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
    eb_u8(&e, 1); eb_str(&e, "g"); eb_u8(&e, 0);
    eb_lenenc(&e, 4);
    eb_hex(&e, "ff fc fe fc");
    eb_lenenc(&e, 5);
    eb_hex(&e, "04 01 f701 01");
    eb_u8(&e, 0x0f);
    eb_hex(&e, "02 03 3f002d");
    fin();
    CHECK(feed()==MVB_OK);
    rows_start(MVB_WRITE_ROWS_V2, 44, 4);
    eb_u8(&e, 0);
    eb_hex(&e, "02000000 0102 0178 01 0101");
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), " -> {\"@1\":\"0102\",\"@2\":\"x\",\"@3\":1,\"@4\":\"01\"}");

    /* MySQL's has no bit for YEAR */
    fresh_mysql();
    eb_start(&e, MVB_TABLE_MAP);
    eb_le(&e, 43, 6); eb_u16(&e, 1);
    eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
    eb_u8(&e, 1); eb_str(&e, "y"); eb_u8(&e, 0);
    eb_lenenc(&e, 5);
    eb_hex(&e, "03 0d 08 09 02");
    eb_lenenc(&e, 0);
    eb_u8(&e, 0x1e);
    eb_hex(&e, "01 01 60");                         /* SIGNEDNESS 0110 */
    fin();
    CHECK(feed()==MVB_OK);
    rows_start(MVB_WRITE_ROWS_V2, 43, 5);
    eb_u8(&e, 0);
    eb_hex(&e, "ffffffff 7c ffffffffffffffff ffffff 0080");
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), " -> {\"@1\":-1,\"@2\":2024,"
              "\"@3\":18446744073709551615,\"@4\":16777215,\"@5\":-32768}");
    fresh_maria();
  }

  /* MariaDB 5.3 high-resolution TIMESTAMP(3) (type 7, 4+2 bytes) cannot be
  ** told from a plain TIMESTAMP: refused, not misread */
  {
    tcol c[2] = { {MVT_LONG, 0, -1, 0, 0}, {MVT_TIMESTAMP, 0, -1, 0, 0} };
    table_map(42, "m", "old", 2, c);
    CHECK(feed()==MVB_OK);
    rows_start(MVB_WRITE_ROWS_V1, 42, 2);
    eb_u8(&e, 0); eb_u32(&e, 1); eb_u32(&e, 1709212455); eb_u16(&e, 123);
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), "ERROR");
    CHECK_ERR("Write_rows_v1: ", "m.old: the rows do not decode with column 2");
    rows_start(MVB_WRITE_ROWS_V1, 42, 2);               /* a plain one */
    eb_u8(&e, 0); eb_u32(&e, 1); eb_u32(&e, 1709212455);
    fin();
    CHECK(feed()==MVB_OK);
    CHECK_STR(rows_text(), " -> {\"c1\":1,\"c2\":\"2024-02-29 13:14:15\"}");
  }
}

/* MySQL GTID family, ROWS_QUERY, HEARTBEAT, XA PREPARE, payloads. */
static void varlen(eb *b, uint64_t v){
  /* MySQL serialization library: N-1 trailing one bits of the first byte
  ** say N bytes; the value is shifted left by N */
  int nb = 1;
  while( nb<9 && v >= (1ULL << (7*nb)) ) nb++;
  if( nb==9 ){ eb_u8(b, 0xff); eb_le(b, v, 8); return; }
  eb_le(b, (v << nb) | ((1ULL << (nb-1)) - 1), nb);
}

static void test_mysql_events(void){
  static const char *zUuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  static const uint8_t aUuid[16] = {
    0x3e,0x11,0xfa,0x47,0x71,0xca,0x11,0xe1,0x9e,0x33,0xc8,0x0a,0xa9,0x42,
    0x95,0x62
  };
  char z[100];
  int i;
  fresh_mysql();
  /* GTID: flags, uuid, gno, then 5.7/8.0 logical clock and timestamps */
  eb_start(&e, MVB_GTID);
  eb_u8(&e, 1); eb_bytes(&e, aUuid, 16); eb_u64(&e, 23);
  eb_u8(&e, 2); eb_u64(&e, 5); eb_u64(&e, 6);
  eb_hex(&e, "01020304050607"); eb_lenenc(&e, 300); eb_u32(&e, 80040);
  fin();
  CHECK(feed()==MVB_OK);
  snprintf(z, sizeof z, "%s:23", zUuid);
  CHECK_STR(ev.u.gtid.text, z);
  /* 5.6: no logical clock */
  eb_start(&e, MVB_GTID);
  eb_u8(&e, 1); eb_bytes(&e, aUuid, 16); eb_u64(&e, 9007199254740991ULL);
  fin();
  CHECK(feed()==MVB_OK);
  snprintf(z, sizeof z, "%s:9007199254740991", zUuid);
  CHECK_STR(ev.u.gtid.text, z);
  eb_start(&e, MVB_GTID); eb_u8(&e, 1); eb_bytes(&e, aUuid, 10); fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Gtid: ", "truncated");
  /* ANONYMOUS_GTID: no GTID */
  eb_start(&e, MVB_ANONYMOUS_GTID);
  eb_u8(&e, 1); memset(z, 0, 16); eb_bytes(&e, z, 16); eb_u64(&e, 0);
  eb_u8(&e, 2); eb_u64(&e, 0); eb_u64(&e, 1);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(ev.u.gtid.text, "");

  /* GTID_TAGGED (8.3+): version 2, payload size (counting the whole
  ** serialized message), last non-ignorable field, then fields */
  {
    eb f, m;
    memset(&f, 0, sizeof f);
    memset(&m, 0, sizeof m);
    varlen(&f, 0); varlen(&f, 0);                         /* flags */
    varlen(&f, 1); for(i=0; i<16; i++) varlen(&f, aUuid[i]);
    varlen(&f, 2); varlen(&f, 4242ULL << 1);              /* gno, zigzag */
    varlen(&f, 3); varlen(&f, 5); eb_str(&f, "mytag");
    varlen(&f, 4); varlen(&f, 10);
    varlen(&f, 5); varlen(&f, 12);
    varlen(&f, 6); varlen(&f, 1700000000000000ULL);
    varlen(&f, 8); varlen(&f, 999);
    varlen(&f, 9); varlen(&f, 80400);
    eb_u8(&m, 2);
    {
      /* the size counts the version byte, itself and the field-id byte */
      uint64_t sz = 1 + 1 + 1 + f.n;
      if( sz>=128 ) sz++;
      varlen(&m, sz);
    }
    varlen(&m, 3);
    eb_bytes(&m, f.b, f.n);
    eb_start(&e, MVB_GTID_TAGGED);
    eb_bytes(&e, m.b, m.n);
    fin();
    CHECK(feed()==MVB_OK);
    snprintf(z, sizeof z, "%s:mytag:4242", zUuid);
    CHECK_STR(ev.u.gtid.text, z);
    if( strcmp(ev.u.gtid.text, z) ) printf("!   %s\n", mvb_errmsg(d));
    /* payload size past the event */
    eb_start(&e, MVB_GTID_TAGGED);
    eb_bytes(&e, m.b, m.n - 3);
    fin();
    CHECK(feed()==MVB_ERROR);
    CHECK_ERR("Gtid_tagged: ", "does not fit");
    /* another serialization version */
    eb_start(&e, MVB_GTID_TAGGED);
    eb_u8(&e, 3); eb_bytes(&e, m.b+1, m.n-1);
    fin();
    CHECK(feed()==MVB_ERROR);
    CHECK_ERR("Gtid_tagged: ", "serialization version 3");
    free(f.b);
    free(m.b);
  }

  /* PREVIOUS_GTIDS: untagged (count, uuid, intervals) and tagged (format
  ** byte 1 in the low and high byte of the count) */
  eb_start(&e, MVB_PREVIOUS_GTIDS);
  eb_u64(&e, 1); eb_bytes(&e, aUuid, 16); eb_u64(&e, 1);
  eb_u64(&e, 1); eb_u64(&e, 3);
  fin();
  CHECK(feed()==MVB_OK);
  eb_start(&e, MVB_PREVIOUS_GTIDS);
  eb_u64(&e, (1ULL<<56) | (2ULL<<8) | 1);
  eb_bytes(&e, aUuid, 16); varlen(&e, 0); eb_u64(&e, 1);
  eb_u64(&e, 1); eb_u64(&e, 3);
  eb_bytes(&e, aUuid, 16); varlen(&e, 3); eb_str(&e, "abc"); eb_u64(&e, 2);
  eb_u64(&e, 1); eb_u64(&e, 3); eb_u64(&e, 7); eb_u64(&e, 9);
  fin();
  CHECK(feed()==MVB_OK);
  eb_start(&e, MVB_PREVIOUS_GTIDS);
  eb_u64(&e, 1); eb_bytes(&e, aUuid, 16); eb_u64(&e, 1000);
  eb_u64(&e, 1); eb_u64(&e, 3);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Previous_gtids: ", "truncated");

  /* ROWS_QUERY: a length byte (ignored: wrong past 255), the statement */
  eb_start(&e, MVB_ROWS_QUERY);
  eb_u8(&e, 9); eb_str(&e, "DELETE FROM t");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.annotate.sql_len==13
        && memcmp(ev.u.annotate.sql, "DELETE FROM t", 13)==0);

  /* HEARTBEAT v1 (the file name; log_pos in the header) and v2 (fields) */
  eb_start(&e, MVB_HEARTBEAT);
  eb_str(&e, "binlog.000007");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.rotate.file_len==13 && memcmp(ev.u.rotate.file, "binlog.000007", 13)==0);
  CHECK(ev.u.rotate.pos==ev.next_pos);
  eb_start(&e, MVB_HEARTBEAT_V2);
  eb_lenenc(&e, 1); eb_lenenc(&e, 13); eb_str(&e, "binlog.000008");
  eb_lenenc(&e, 2); eb_lenenc(&e, 9); eb_u8(&e, 0xfe); eb_u64(&e, 5000000000ULL);
  eb_lenenc(&e, 0);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK(ev.u.rotate.file_len==13 && memcmp(ev.u.rotate.file, "binlog.000008", 13)==0);
  CHECK(ev.u.rotate.pos==5000000000ULL);
  eb_start(&e, MVB_HEARTBEAT_V2);
  eb_lenenc(&e, 1); eb_lenenc(&e, 40); eb_str(&e, "binlog");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Heartbeat_v2: ", "truncated");

  /* XA PREPARE: one-phase flag, format id, gtrid and bqual lengths, data */
  eb_start(&e, MVB_XA_PREPARE);
  eb_u8(&e, 0); eb_u32(&e, 1); eb_u32(&e, 3); eb_u32(&e, 2); eb_str(&e, "abcde");
  fin();
  CHECK(feed()==MVB_OK && ev.type==MVB_XA_PREPARE);
  eb_start(&e, MVB_XA_PREPARE);
  eb_u8(&e, 0); eb_u32(&e, 1); eb_u32(&e, 65); eb_u32(&e, 2);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("XA_prepare: ", "bad XID lengths");

  /* events that are skipped by their length: STOP, INTVAR, RAND, USER_VAR,
  ** INCIDENT, VIEW_CHANGE, TRANSACTION_CONTEXT, IGNORABLE */
  {
    static const int aSkip[] = { MVB_STOP, MVB_INTVAR, MVB_RAND,
      MVB_USER_VAR, MVB_INCIDENT, MVB_VIEW_CHANGE, MVB_TRANSACTION_CONTEXT,
      MVB_IGNORABLE, MVB_BEGIN_LOAD_QUERY };
    for(i=0; i<(int)(sizeof aSkip/sizeof aSkip[0]); i++){
      eb_start(&e, aSkip[i]); eb_hex(&e, "0102030405"); fin();
      CHECK(feed()==MVB_OK && ev.type==aSkip[i] && ev.body_len==5);
    }
  }
  /* an unknown type: skipped only with the ignorable flag (0x80) */
  eb_start_ex(&e, 100, 1700000000, 1, 0x80);
  eb_hex(&e, "00000000000000");
  fin();
  CHECK(feed()==MVB_OK && ev.type==100);
  eb_start(&e, 100);
  eb_hex(&e, "00000000000000");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d), "unknown event type 100")!=0);
  eb_start(&e, 0);
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK(strstr(mvb_errmsg(d), "unknown event type 0")!=0);
  /* encrypted MariaDB logs are refused by name */
  eb_start(&e, MVB_MARIA_START_ENCRYPTION);
  eb_hex(&e, "01 00000000 000000000000000000000000");
  fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Start_encryption: ", "not supported");
}

/* A TRANSACTION_PAYLOAD event in e: its fields (payload size, compression
** type, uncompressed size: packed integers of 3 or 4 bytes), then the
** payload c[cap]. */
static void payload_event(const uint8_t *c, size_t cap, int ctype, size_t usize){
  eb pl;
  const size_t v[3] = { cap, (size_t)ctype, usize };
  int f;
  memset(&pl, 0, sizeof pl);
  for(f=0; f<3; f++){
    eb_u8(&pl, f + 1);
    if( v[f]==0 ){ eb_u8(&pl, 1); eb_u8(&pl, 0); }
    else if( v[f]<65536 ){ eb_u8(&pl, 3); eb_u8(&pl, 0xfc); eb_u16(&pl, (unsigned)v[f]); }
    else{ eb_u8(&pl, 4); eb_u8(&pl, 0xfd); eb_le(&pl, v[f], 3); }
  }
  eb_u8(&pl, 0);
  eb_bytes(&pl, c, cap);
  eb_start(&e, MVB_TRANSACTION_PAYLOAD);
  eb_bytes(&e, pl.b, pl.n);
  fin();
  free(pl.b);
}

/* TRANSACTION_PAYLOAD: inner events without checksums, zstd or stored. */
static void test_payload(void){
  eb in, pl;
  mvb_event x;
  int rc, k, n;
  size_t cap;
  uint8_t *c;
  fresh_mysql();
  memset(&in, 0, sizeof in);
  memset(&pl, 0, sizeof pl);
  /* the inner events: QUERY BEGIN, TABLE_MAP, WRITE_ROWS, XID */
  crc = 0;
  eb_start(&e, MVB_QUERY);
  eb_u32(&e, 1); eb_u32(&e, 0); eb_u8(&e, 0); eb_u16(&e, 0); eb_u16(&e, 0);
  eb_u8(&e, 0); eb_str(&e, "BEGIN");
  fin(); eb_bytes(&in, e.b, e.n);
  table_map(50, "p", "q", 3, aRowCols);
  eb_bytes(&in, e.b, e.n);
  rows_start(MVB_WRITE_ROWS_V2, 50, 3);
  row_bytes(11, "Pia", 11);
  fin(); eb_bytes(&in, e.b, e.n);
  eb_start(&e, MVB_XID); eb_u64(&e, 77); fin(); eb_bytes(&in, e.b, e.n);
  crc = 1;
  for(k=0; k<2; k++){
    /* k=0 zstd, k=1 stored (compression type 255) */
    pl.n = 0;
    if( k==0 ){
      cap = ZSTD_compressBound(in.n);
      c = malloc(cap);
      cap = ZSTD_compress(c, cap, in.b, in.n, 3);
    }else{
      cap = in.n;
      c = malloc(cap);
      memcpy(c, in.b, cap);
    }
    payload_event(c, cap, k==0 ? 0 : 255, in.n);
    free(c);
    CHECK(feed()==MVB_OK);
    n = 0;
    while( (rc = mvb_payload_next(d, &x))==MVB_OK ){
      n++;
      if( n==1 ) CHECK(x.type==MVB_QUERY && x.u.query.sql_len==5);
      if( n==2 ) CHECK(x.type==MVB_TABLE_MAP);
      if( n==3 ){
        mvb_event keep = ev;
        CHECK(x.type==MVB_WRITE_ROWS_V2);
        ev = x;
        CHECK_STR(rows_text(), " -> {\"c1\":11,\"c2\":\"Pia\",\"c3\":11}");
        ev = keep;
      }
      if( n==4 ) CHECK(x.type==MVB_XID && x.u.xid.xid==77);
    }
    CHECK(rc==MVB_DONE && n==4);
    CHECK(mvb_payload_next(d, &x)==MVB_DONE);
  }
  /* a payload whose inner event claims more bytes than there are */
  pl.n = 0;
  eb_u8(&pl, 1); eb_u8(&pl, 1); eb_u8(&pl, 25);
  eb_u8(&pl, 2); eb_u8(&pl, 2); eb_u8(&pl, 0xfc);
  /* the value of field 2 must be one lenenc: 0xfc then 2 bytes -> bad */
  eb_u8(&pl, 0);
  eb_start(&e, MVB_TRANSACTION_PAYLOAD); eb_bytes(&e, pl.b, pl.n); fin();
  CHECK(feed()==MVB_ERROR);
  CHECK_ERR("Transaction_payload: ", "transaction payload");
  pl.n = 0;
  eb_u8(&pl, 1); eb_u8(&pl, 1); eb_u8(&pl, 25);
  eb_u8(&pl, 2); eb_u8(&pl, 3); eb_u8(&pl, 0xfc); eb_u16(&pl, 255);
  eb_u8(&pl, 0);
  eb_bytes(&pl, in.b, 19);
  pl.b[pl.n-10] = 0xff;                       /* size of the inner event */
  eb_hex(&pl, "000000000000");
  eb_start(&e, MVB_TRANSACTION_PAYLOAD); eb_bytes(&e, pl.b, pl.n); fin();
  CHECK(feed()==MVB_OK);
  CHECK(mvb_payload_next(d, &x)==MVB_ERROR);
  CHECK_ERR("Transaction_payload: ", "does not fit");
  free(in.b);
  free(pl.b);
}

/* A payload of 40,000 rows events (about 2 MB inflated) comes out whole,
** in order, while the decoder holds a window of a few read sizes, not the
** transaction (test/changes_large01.test measures it live on MySQL). */
static void test_payload_big(void){
  eb in;
  mvb_event x;
  int rc, n = 0, nRows = 0, ok = 1;
  size_t cap, maxWindow = 0;
  uint8_t *c;
  const int N = 40000;
  fresh_mysql();
  memset(&in, 0, sizeof in);
  crc = 0;
  table_map(51, "p", "big", 3, aRowCols);
  eb_bytes(&in, e.b, e.n);
  for(n=0; n<N; n++){
    char zName[16];
    snprintf(zName, sizeof zName, "r%d", n);
    rows_start(MVB_WRITE_ROWS_V2, 51, 3);
    row_bytes(n, zName, n % 100);
    fin(); eb_bytes(&in, e.b, e.n);
  }
  eb_start(&e, MVB_XID); eb_u64(&e, 78); fin(); eb_bytes(&in, e.b, e.n);
  crc = 1;
  cap = ZSTD_compressBound(in.n);
  c = malloc(cap);
  cap = ZSTD_compress(c, cap, in.b, in.n, 3);
  payload_event(c, cap, 0, in.n);
  free(c);
  CHECK(feed()==MVB_OK);
  n = 0;
  while( (rc = mvb_payload_next(d, &x))==MVB_OK ){
    if( d->payload.cap>maxWindow ) maxWindow = d->payload.cap;
    if( n>0 && n<=N ){
      mvb_rows rows;
      mvb_event keep = ev;
      ev = x;
      if( x.type!=MVB_WRITE_ROWS_V2 || mvb_rows_open(d, &x, &rows)!=MVB_OK ){
        ok = 0;
      }else{
        while( (rc = mvb_rows_next(d, &rows))==MVB_ROW ){
          if( rows.after[0].kind!=MV_INT || rows.after[0].v.i!=nRows ) ok = 0;
          nRows++;
        }
        if( rc!=MVB_DONE ) ok = 0;
      }
      ev = keep;
    }
    if( n==N+1 ) CHECK(x.type==MVB_XID && x.u.xid.xid==78);
    n++;
  }
  CHECK(rc==MVB_DONE);
  CHECK(n==N+2 && nRows==N && ok);
  CHECK(in.n > 1500000);
  CHECK(maxWindow < 300000);
  free(in.b);
}

/* A PARTIAL_UPDATE_ROWS event of table 80 under binlog_row_image=MINIMAL:
** the before image holds c1=7 alone, the after image c2 as a partial
** column with the diff list given in hex (its 4-byte length first). */
static void minimal_partial(const char *zDiffHex){
  eb_start(&e, MVB_PARTIAL_UPDATE_ROWS);
  eb_le(&e, 80, 6); eb_u16(&e, 1); eb_u16(&e, 2);
  eb_lenenc(&e, 3); eb_u8(&e, 0x01); eb_u8(&e, 0x02);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_u8(&e, 1); eb_u8(&e, 0x01);
  eb_u8(&e, 0);
  eb_hex(&e, zDiffHex);
  fin();
}

/* PARTIAL_UPDATE_ROWS (MySQL binlog_row_value_options=PARTIAL_JSON): after
** the before image, value options (1: partial JSON) and one bit per JSON
** column of the table; a partial column holds the diffs (operation, path,
** value) that turn the before document into the after one. */
static void test_partial_json(void){
  tcol c[3] = { {MVT_LONG, 0, -1, 0, 0}, {MVT_JSON, "04", -1, 0, 0},
                {MVT_JSON, "04", -1, 0, 0} };
  fresh_mysql();
  table_map(80, "d", "pj", 3, c);
  CHECK(feed()==MVB_OK);
  /* c2 {"a": 1} -> REPLACE $.a 2, INSERT $.b "x"; c3 [1] sent whole: [2] */
  rows_start(MVB_PARTIAL_UPDATE_ROWS, 80, 3);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "0d000000 00 0100 0c00 0b000100 050100 61");
  eb_hex(&e, "08000000 02 0100 0700 050100");
  eb_u8(&e, 1); eb_u8(&e, 0x01);                   /* options, bits */
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "12000000 00 03 242e61 03 050200 01 03 242e62 03 0c0178");
  eb_hex(&e, "08000000 02 0100 0700 050200");
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.partial);
  CHECK_STR(rows_text(), "{\"c1\":7,\"c2\":{\"a\": 1},\"c3\":[1]} -> "
                         "{\"c1\":7,\"c2\":{\"a\": 2, \"b\": \"x\"},\"c3\":[2]}");
  /* value options 0: no partial bits, whole values */
  rows_start(MVB_PARTIAL_UPDATE_ROWS, 80, 3);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "02000000 0400 02000000 0400");
  eb_u8(&e, 0);
  eb_u8(&e, 0); eb_u32(&e, 8);
  eb_hex(&e, "03000000 052a00 02000000 0400");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "{\"c1\":7,\"c2\":null,\"c3\":null} -> "
                         "{\"c1\":8,\"c2\":42,\"c3\":null}");
  /* the before image lacks the column (binlog_row_image=MINIMAL) */
  minimal_partial("09000000 00 03 242e61 03 050200");
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Partial_update_rows: ", "row 1, column 2 (JSON): partial JSON "
            "update, but the before image lacks the column");
  CHECK_ERR("Partial_update_rows: ", "with json_diff=1");
  /* the same with mvb_set_json_diff: the row, with the diff as the value */
  mvb_set_json_diff(d, 1);
  minimal_partial("09000000 00 03 242e61 03 050200");
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "{\"c1\":7} -> {\"c2\":{\"json_diff\":[{\"op\":"
            "\"replace\",\"path\":\"$.a\",\"value\":2}]}}");
  /* with the document present the option changes nothing: applied */
  rows_start(MVB_PARTIAL_UPDATE_ROWS, 80, 3);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "0d000000 00 0100 0c00 0b000100 050100 61");
  eb_hex(&e, "08000000 02 0100 0700 050100");
  eb_u8(&e, 1); eb_u8(&e, 0x01);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "09000000 00 03 242e61 03 050200");
  eb_hex(&e, "08000000 02 0100 0700 050100");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "{\"c1\":7,\"c2\":{\"a\": 1},\"c3\":[1]} -> "
                         "{\"c1\":7,\"c2\":{\"a\": 2},\"c3\":[1]}");
  /* a bad diff is still an error, naming the diff */
  minimal_partial("05000000 07 03 242e61");
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Partial_update_rows: ", "bad partial JSON diff: diff 1 at byte 0: "
            "unknown operation 7");
  mvb_set_json_diff(d, 0);
  /* a diff cut short */
  rows_start(MVB_PARTIAL_UPDATE_ROWS, 80, 3);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "0d000000 00 0100 0c00 0b000100 050100 61");
  eb_hex(&e, "02000000 0400");
  eb_u8(&e, 1); eb_u8(&e, 0x01);
  eb_u8(&e, 0); eb_u32(&e, 7);
  eb_hex(&e, "05000000 00 03 242e61");
  eb_hex(&e, "02000000 0400");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Partial_update_rows: ", "row 1, column 2 (JSON): bad partial JSON diff");
}

/* Names and types from information_schema when the map has none. */
static void test_table_apply(void){
  mvb_table *t;
  mvb_colinfo ok[4] = {
    {"id", "int", "int(10) unsigned", MV_CS_UNKNOWN, 0},
    {"size", "enum", "enum('s','m''x','l')", 8, 0},
    {"code", "binary", "binary(4)", 63, 0},
    {"bits", "set", "set('a','b')", 8, 0},
  };
  mvb_colinfo wrong[4];
  fresh_mysql();
  /* a map with no optional metadata at all (binlog_row_metadata=MINIMAL
  ** on an old server) */
  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 60, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "s"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
  eb_lenenc(&e, 4);
  eb_hex(&e, "03 fe fe fe");
  eb_lenenc(&e, 6);
  eb_hex(&e, "f701 fe04 f801");
  eb_u8(&e, 0);
  fin();
  CHECK(feed()==MVB_OK);
  t = ev.u.table_map.table;
  rows_start(MVB_WRITE_ROWS_V2, 60, 4);
  eb_u8(&e, 0); eb_u32(&e, 4000000000u); eb_u8(&e, 2); eb_hex(&e, "02 4142");
  eb_u8(&e, 3);
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), " -> {\"@1\":-294967296,\"@2\":2,\"@3\":\"AB\",\"@4\":3}");
  /* a mismatch (column count, then a type family) changes nothing */
  memcpy(wrong, ok, sizeof ok);
  wrong[2].data_type = "varchar";
  CHECK(mvb_table_apply(d, t, 3, ok)!=0);
  CHECK(mvb_table_apply(d, t, 4, wrong)!=0);
  CHECK(!t->has_names && strcmp(t->names[0], "@1")==0 && strcmp(t->names[3], "@4")==0);
  CHECK(mvb_table_apply(d, t, 4, ok)==0);
  CHECK(t->has_names);
  CHECK_STR(rows_text(),
            " -> {\"id\":4000000000,\"size\":\"m'x\",\"code\":\"41420000\","
            "\"bits\":\"a,b\"}");
}

/* MariaDB INET4 / INET6 / UUID: BINARY(4) / BINARY(16) in the binlog;
** told by information_schema, they come out as the text the server prints
** (what mysql_snapshot reads), checked against a 10.11 server's snapshot. */
static void check_inet6(int line, const char *zHex, const char *zWant){
  char z[200];
  rows_start(MVB_WRITE_ROWS_V1, 61, 3);
  eb_u8(&e, 0x06);                               /* INET4, UUID NULL */
  eb_u8(&e, (unsigned)strlen(zHex)/2);
  eb_hex(&e, zHex);
  fin();
  CHECK(feed()==MVB_OK);
  snprintf(z, sizeof z, " -> {\"i6\":\"%s\",\"i4\":null,\"u\":null}", zWant);
  if( strcmp(rows_text(), z)==0 ){
    unit_pass++;
  }else{
    unit_fail++;
    printf("! %s:%d: expected [%s]\n!   got      [%s]\n", __FILE__, line, z,
           mv_buf_cstr(&out));
  }
}

static void test_text_forms(void){
  mvb_colinfo ci[3] = {
    {"i6", "inet6", "inet6", MV_CS_UNKNOWN, 0},
    {"i4", "inet4", "inet4", MV_CS_UNKNOWN, 0},
    {"u", "uuid", "uuid", MV_CS_UNKNOWN, 0},
  };
  fresh_maria();
  eb_start(&e, MVB_TABLE_MAP);
  eb_le(&e, 61, 6); eb_u16(&e, 1);
  eb_u8(&e, 1); eb_str(&e, "m"); eb_u8(&e, 0);
  eb_u8(&e, 1); eb_str(&e, "n"); eb_u8(&e, 0);
  eb_lenenc(&e, 3);
  eb_hex(&e, "fe fe fe");
  eb_lenenc(&e, 6);
  eb_hex(&e, "fe10 fe04 fe10");
  eb_u8(&e, 0x07);
  eb_hex(&e, "03 03 3f3f3f");                  /* COLUMN_CHARSET binary */
  fin();
  CHECK(feed()==MVB_OK);
  /* without the live information: the bytes */
  rows_start(MVB_WRITE_ROWS_V1, 61, 3);
  eb_u8(&e, 0);
  eb_hex(&e, "10 20010db8000000000000ff0000428329 04 c0a80001"
             "10 123e4567e89b12d3a456426655440000");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), " -> {\"@1\":\"20010db8000000000000ff0000428329\","
            "\"@2\":\"c0a80001\",\"@3\":\"123e4567e89b12d3a456426655440000\"}");
  {
    /* naming the columns hands out a new names_gen (caches of encoded
    ** keys depend on it) */
    uint64_t gen = ev.u.rows.table->names_gen;
    CHECK(gen!=0);
    CHECK(mvb_table_apply(d, ev.u.rows.table, 3, ci)==0);
    CHECK(ev.u.rows.table->names_gen!=0 && ev.u.rows.table->names_gen!=gen);
  }
  CHECK_STR(rows_text(), " -> {\"i6\":\"2001:db8::ff00:42:8329\","
            "\"i4\":\"192.168.0.1\",\"u\":\"123e4567-e89b-12d3-a456-426655440000\"}");
  check_inet6(__LINE__, "00000000000000000000ffff01020304", "::ffff:1.2.3.4");
  check_inet6(__LINE__, "000000000000000000000000", "::");   /* zeros stripped */
  check_inet6(__LINE__, "", "::");
  check_inet6(__LINE__, "00000000000000000000000000000001", "::1");
  check_inet6(__LINE__, "00000000000000000000000001020304", "::1.2.3.4");
  check_inet6(__LINE__, "20010db8000000010001000100010001", "2001:db8::1:1:1:1:1");
  check_inet6(__LINE__, "20010db8000000000001000100010001", "2001:db8::1:1:1:1");
  check_inet6(__LINE__, "00010000000000020003000000000004", "1::2:3:0:0:4");
  check_inet6(__LINE__, "00010000000000020000000000000003", "1:0:0:2::3");
  check_inet6(__LINE__, "ffffffffffffffffffffffffffffffff",
              "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  /* a value longer than the type is an error, not a truncation */
  rows_start(MVB_WRITE_ROWS_V1, 61, 3);
  eb_u8(&e, 0x06);
  eb_hex(&e, "11 0000000000000000000000000000000000");
  fin();
  CHECK(feed()==MVB_OK);
  CHECK_STR(rows_text(), "ERROR");
  CHECK_ERR("Write_rows_v1: ", "column 1 (STRING): INET/UUID value longer");
}

/* Table maps stay bounded: past MVB_MAX_TABLES the oldest goes. */
static void test_many_tables(void){
  tcol c = {MVT_LONG, 0, -1, 0, 0};
  int i;
  fresh_mysql();
  for(i=0; i<MVB_MAX_TABLES+10; i++){
    table_map((uint64_t)(1000+i), "d", "t", 1, &c);
    if( feed()!=MVB_OK ) break;
  }
  CHECK(i==MVB_MAX_TABLES+10);
  rows_start(MVB_WRITE_ROWS_V2, 1000, 1);           /* evicted */
  eb_u8(&e, 0); eb_u32(&e, 1);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.table==0);
  rows_start(MVB_WRITE_ROWS_V2, 1000+MVB_MAX_TABLES+9, 1);
  eb_u8(&e, 0); eb_u32(&e, 1);
  fin();
  CHECK(feed()==MVB_OK && ev.u.rows.table!=0);
  CHECK_STR(rows_text(), " -> {\"c\":1}");
  mvb_forget_tables(d);
  CHECK(feed()==MVB_OK && ev.u.rows.table==0);
}

/* Every prefix of a valid event stream must fail cleanly or succeed, and
** every single-byte corruption of a rows event must not crash. */
static void test_truncations(void){
  eb all;
  size_t cut;
  int i;
  memset(&all, 0, sizeof all);
  fresh_mysql();
  table_map(70, "d", "t", 3, aRowCols);
  eb_bytes(&all, e.b, e.n);
  rows_start(MVB_UPDATE_ROWS_V2, 70, 3);
  row_bytes(1, "Ann", 1);
  row_bytes(2, "Bo", 2);
  fin();
  eb_bytes(&all, e.b, e.n);
  crc = 0;
  fresh("8.0.40", 0, 42);                  /* no CRC: corruption gets in */
  table_map(70, "d", "t", 3, aRowCols);
  CHECK(feed()==MVB_OK);
  rows_start(MVB_UPDATE_ROWS_V2, 70, 3);
  row_bytes(1, "Ann", 1);
  row_bytes(2, "Bo", 2);
  fin();
  for(cut=0; cut<e.n; cut++){
    uint8_t *p = malloc(cut ? cut : 1);
    memcpy(p, e.b, cut);
    CHECK(mvb_parse(d, p, cut, &ev)==MVB_ERROR);
    free(p);
  }
  for(i=19; i<(int)e.n; i++){
    int bit;
    for(bit=0; bit<8; bit++){
      uint8_t *p = malloc(e.n);
      mvb_rows rows;
      memcpy(p, e.b, e.n);
      p[i] ^= (uint8_t)(1<<bit);
      if( mvb_parse(d, p, e.n, &ev)==MVB_OK && ev.u.rows.table
       && mvb_rows_open(d, &ev, &rows)==MVB_OK ){
        int rc, k = 0;
        while( (rc = mvb_rows_next(d, &rows))==MVB_ROW && k<100 ) k++;
        if( rc==MVB_ERROR && mvb_errmsg(d)[0]==0 ) unit_fail++;
      }
      free(p);
    }
  }
  unit_pass++;
  free(all.b);
}

int main(void){
  mv_buf_init(&out);
  test_fde();
  test_rotate_query_xid();
  test_table_map();
  test_rows();
  test_integers();
  test_floats_decimals();
  test_temporal();
  test_strings();
  test_json();
  test_mariadb();
  test_mysql_events();
  test_payload();
  test_payload_big();
  test_partial_json();
  test_table_apply();
  test_text_forms();
  test_many_tables();
  test_truncations();
  mvb_free(d);
  free(e.b);
  mv_buf_free(&out);
  UNIT_DONE();
}
