/*
** mysqljson_test.c — vtab/pure/mysqljson.c: MySQL binary JSON to text and the
** PARTIAL_UPDATE_ROWS JSON diffs.
**
** Part 1 replays the real PARTIAL_UPDATE_ROWS_EVENTs of
** ../../../shared/fixtures/binlog/vitess-partial-json (MySQL 8.0.40): every
** before image must print exactly as mysqlbinlog printed it, and every
** partial after image must come out as the JSON function mysqlbinlog shows
** would leave it. Part 2 builds values by hand for every node type; part 3
** feeds malformed and mutated input, which must fail cleanly (run it under
** SANITIZE=1 too).
*/
#include "mysqljson.h"
#include "unit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FIXDIR "../../../shared/fixtures/binlog/vitess-partial-json/"

static char zErr[256];
static mv_buf out;

/* Text of binary value p[n], or NULL (error in zErr). */
static const char *b2t(const uint8_t *p, size_t n){
  mv_buf_reset(&out);
  if( mvj_binary_to_text(p, n, &out, zErr, sizeof zErr) ) return 0;
  return mv_buf_cstr(&out);
}
static const char *diffApply(const char *zDoc, const uint8_t *d, size_t n){
  mv_buf_reset(&out);
  if( mvj_apply_diff(zDoc, strlen(zDoc), d, n, &out, zErr, sizeof zErr) ){
    return 0;
  }
  return mv_buf_cstr(&out);
}

/* ------------------------------------------------------------ fixtures */

static uint8_t *readFile(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  uint8_t *p;
  long n;
  if( f==0 ) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  p = malloc((size_t)n + 1);
  if( p && fread(p, 1, (size_t)n, f)!=(size_t)n ){ free(p); p = 0; }
  fclose(f);
  if( p ){ p[n] = 0; *pn = (size_t)n; }
  return p;
}

/* The @3 texts of a mysqlbinlog -vvv listing, in order: '...' values
** (quotes stripped), or the JSON function expression as it is. */
static int listing(const char *zTxt, char azVal[][256], int nMax){
  int n = 0;
  const char *z = zTxt;
  while( (z = strstr(z, "###   @3="))!=0 && n<nMax ){
    const char *s = z + 9, *e;
    if( *s=='\'' ){
      s++;
      e = strstr(s, "' /*");
    }else{
      e = strstr(s, " /*");
    }
    if( e==0 || e-s>=255 ) return -1;
    memcpy(azVal[n], s, (size_t)(e-s));
    azVal[n][e-s] = 0;
    n++;
    z = e;
  }
  return n;
}

static uint64_t packed(const uint8_t **pp){
  const uint8_t *p = *pp;
  uint64_t v;
  if( p[0]<251 ){ v = p[0]; *pp = p+1; }
  else if( p[0]==0xfc ){ v = p[1] | (p[2]<<8); *pp = p+3; }
  else{ v = 0; *pp = p+1; }
  return v;
}

/* One fixture: table (BIGINT, VARBINARY(128), JSON). aAfter[i] is the
** expected after text of row i; zBefore0, when not NULL, replaces the
** listing's before text of row 0 (see 07 below). */
static void fixture(const char *zName, const char **aAfter, int nRow,
                    const char *zBefore0){
  char zPath[300];
  uint8_t *ev, *txt;
  size_t nEv, nTxt;
  char azVal[20][256];
  int nVal, row = 0;
  const uint8_t *p, *end;
  snprintf(zPath, sizeof zPath, FIXDIR "%s.event", zName);
  ev = readFile(zPath, &nEv);
  snprintf(zPath, sizeof zPath, FIXDIR "%s.mysqlbinlog.txt", zName);
  txt = readFile(zPath, &nTxt);
  CHECK( ev!=0 && txt!=0 );
  if( ev==0 || txt==0 ){ free(ev); free(txt); return; }
  nVal = listing((const char*)txt, azVal, 20);
  CHECK( nVal==2*nRow );
  CHECK( ev[4]==39 );                      /* PARTIAL_UPDATE_ROWS_EVENT */
  p = ev + 19 + 6 + 2;                     /* header, table id, flags */
  p += p[0] | (p[1]<<8);                   /* extra data, with its length */
  CHECK( packed(&p)==3 );
  p += 2;                                  /* the two column bitmaps */
  end = ev + nEv;
  while( p<end && row<nRow ){
    char zBefore[256];
    const char *zGot;
    uint32_t n;
    uint64_t opts;
    int partial = 0, isNull;
    /* before image */
    isNull = p[0] & 4;
    p += 1 + 8;
    p += 1 + p[0];
    CHECK( !isNull );
    n = (uint32_t)(p[0] | (p[1]<<8) | (p[2]<<16) | ((uint32_t)p[3]<<24));
    p += 4;
    zGot = b2t(p, n);
    CHECK_STR( zGot, row==0 && zBefore0 ? zBefore0 : azVal[2*row] );
    snprintf(zBefore, sizeof zBefore, "%s", zGot ? zGot : "");
    p += n;
    /* after image */
    opts = packed(&p);
    if( opts & 1 ){ partial = p[0] & 1; p++; }
    isNull = p[0] & 4;
    p += 1 + 8;
    p += 1 + p[0];
    n = (uint32_t)(p[0] | (p[1]<<8) | (p[2]<<16) | ((uint32_t)p[3]<<24));
    p += 4;
    if( partial ){
      /* the diff's paths are the ones mysqlbinlog shows */
      CHECK( strstr(azVal[2*row+1], "(@3, '$.")!=0 );
      zGot = diffApply(zBefore, p, n);
    }else{
      zGot = b2t(p, n);
      CHECK_STR( zGot, azVal[2*row+1] );
    }
    CHECK_STR( zGot, aAfter[row] );
    p += n;
    row++;
  }
  CHECK( row==nRow && p==end );
  free(ev);
  free(txt);
}

static void testFixtures(void){
  static const char *a01[] = {
    "{\"role\": \"manager\", \"salary\": 100}",
    "{\"role\": \"manager\", \"salary\": 99}",
    "{\"role\": \"manager\", \"salary\": 99}",
    "{\"role\": \"manager\", \"salary\": 99}",
    "{\"role\": \"manager\", \"salary\": 100}",
  };
  static const char *a02[] = { "{\"role\": \"IC\", \"salary\": 100}" };
  static const char *a03[] = { "{\"role\": \"manager\"}" };
  static const char *a04[] = {
    "{\"day\": \"monday\", \"role\": \"manager\", \"color\": \"red\", \"salary\": 100}",
    "{\"day\": \"monday\", \"role\": \"manager\", \"color\": \"red\", \"salary\": 99}",
    "{\"day\": \"monday\", \"role\": \"manager\", \"color\": \"red\", \"salary\": 99}",
    "{\"day\": \"monday\", \"role\": \"manager\", \"color\": \"red\", \"salary\": 99}",
    "{\"day\": \"monday\", \"role\": \"manager\", \"color\": \"red\", \"salary\": 100}",
  };
  static const char *a06[] = { "{\"role\": \"manager\", \"salary\": null}" };
  static const char *a07[] = { "{\"role\": \"IC\", \"salary\": 110}" };
  static const char *a08[] = { "null" };
  fixture("01_insert", a01, 5, 0);
  fixture("02_replace", a02, 1, 0);
  fixture("03_remove", a03, 1, 0);
  fixture("04_remove_and_replace", a04, 5, 0);
  fixture("06_replace_with_null", a06, 1, 0);
  /* 07: the event's before image holds "salary" as int16 0x0063 (bytes
  ** 05 63 00 at file offset 0x4d), the same bytes as 06's; the quoted
  ** listing shows the row after 06 ("salary": null). The bytes win. */
  fixture("07_replace_2_paths", a07, 1,
          "{\"role\": \"manager\", \"salary\": 99}");
  fixture("08_json_null", a08, 1, 0);
}

/* ------------------------------------------------------- value builder */

/* An encoded value: type byte + data. */
typedef struct bv { uint8_t t; uint8_t d[4096]; size_t n; } bv;

static void put(uint8_t *p, uint64_t v, int nb){
  int i;
  for(i=0; i<nb; i++) p[i] = (uint8_t)(v >> (8*i));
}
static bv scalar(uint8_t t, uint64_t v, int nb){
  bv r; r.t = t; r.n = (size_t)nb; put(r.d, v, nb); return r;
}
static size_t varlen(uint8_t *p, size_t n){
  size_t k = 0;
  do{ p[k++] = (uint8_t)((n & 0x7f) | (n>0x7f ? 0x80 : 0)); n >>= 7; }while( n );
  return k;
}
static bv str(const char *z, size_t n){
  bv r; r.t = 0x0c; r.n = varlen(r.d, n); memcpy(r.d + r.n, z, n); r.n += n;
  return r;
}
static bv opaque(int ft, const uint8_t *z, size_t n){
  bv r; r.t = 0x0f; r.d[0] = (uint8_t)ft; r.n = 1 + varlen(r.d+1, n);
  memcpy(r.d + r.n, z, n); r.n += n;
  return r;
}
static bv dbl(double d){
  uint64_t u; memcpy(&u, &d, 8); return scalar(0x0b, u, 8);
}
static int inlined(uint8_t t, int large){
  return t==0x04 || t==0x05 || t==0x06 || (large && (t==0x07 || t==0x08));
}
/* Object (keys!=NULL) or array of n values; large or small. */
static bv container(int large, const char **keys, const bv *v, size_t n){
  bv r;
  size_t os = large ? 4 : 2, i, hdr, pos;
  r.t = (uint8_t)((keys ? 0 : 2) + large);
  hdr = 2*os + (keys ? n*(os+2) : 0) + n*(1+os);
  pos = hdr;
  put(r.d, n, (int)os);
  if( keys ){
    for(i=0; i<n; i++){
      size_t kl = strlen(keys[i]);
      put(r.d + 2*os + i*(os+2), pos, (int)os);
      put(r.d + 2*os + i*(os+2) + os, kl, 2);
      memcpy(r.d + pos, keys[i], kl);
      pos += kl;
    }
  }
  for(i=0; i<n; i++){
    uint8_t *e = r.d + 2*os + (keys ? n*(os+2) : 0) + i*(1+os);
    e[0] = v[i].t;
    if( inlined(v[i].t, large) ){
      uint64_t x = 0; size_t k;
      for(k=0; k<v[i].n; k++) x |= (uint64_t)v[i].d[k] << (8*k);
      put(e+1, x, (int)os);
    }else{
      put(e+1, pos, (int)os);
      memcpy(r.d + pos, v[i].d, v[i].n);
      pos += v[i].n;
    }
  }
  put(r.d + os, pos, (int)os);
  r.n = pos;
  return r;
}
/* Flatten to the column bytes: type byte + data. */
static size_t flat(const bv *v, uint8_t *p){
  p[0] = v->t; memcpy(p+1, v->d, v->n); return v->n + 1;
}
static const char *bvText(bv v){
  static uint8_t buf[5000];
  size_t n = flat(&v, buf);
  return b2t(buf, n);
}

/* MySQL binary DECIMAL (decimal2bin) of digits "123.4500" with
** precision/scale, for opaque type 246; neg for a negative value. */
static bv decimal(int prec, int scale, const char *zInt, const char *zFrac,
                  int neg){
  static const int dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  uint8_t b[64];
  char digits[80];
  int intg = prec - scale, k = 0, i, pos = 0;
  int li = (int)strlen(zInt);
  /* left-pad the integer digits to intg, right-pad the fraction to scale */
  for(i=0; i<intg-li; i++) digits[pos++] = '0';
  memcpy(digits+pos, zInt, (size_t)li); pos += li;
  for(i=0; i<scale; i++){
    digits[pos++] = i<(int)strlen(zFrac) ? zFrac[i] : '0';
  }
  b[0] = (uint8_t)prec; b[1] = (uint8_t)scale;
  k = 2;
  pos = 0;
  /* integer part: leading partial group, then full groups of 9 */
  {
    int lead = intg % 9, g;
    if( lead ){
      uint32_t v = 0;
      for(i=0; i<lead; i++) v = v*10 + (uint32_t)(digits[pos++]-'0');
      for(i=dig2bytes[lead]-1; i>=0; i--) b[k++] = (uint8_t)(v >> (8*i));
    }
    for(g=0; g<intg/9; g++){
      uint32_t v = 0;
      for(i=0; i<9; i++) v = v*10 + (uint32_t)(digits[pos++]-'0');
      for(i=3; i>=0; i--) b[k++] = (uint8_t)(v >> (8*i));
    }
    for(g=0; g<scale/9; g++){
      uint32_t v = 0;
      for(i=0; i<9; i++) v = v*10 + (uint32_t)(digits[pos++]-'0');
      for(i=3; i>=0; i--) b[k++] = (uint8_t)(v >> (8*i));
    }
    if( scale%9 ){
      uint32_t v = 0;
      for(i=0; i<scale%9; i++) v = v*10 + (uint32_t)(digits[pos++]-'0');
      for(i=dig2bytes[scale%9]-1; i>=0; i--) b[k++] = (uint8_t)(v >> (8*i));
    }
  }
  b[2] ^= 0x80;
  if( neg ) for(i=2; i<k; i++) b[i] ^= 0xff;
  return opaque(246, b, (size_t)k);
}

static bv packedTime(int ft, int neg, unsigned y, unsigned mo, unsigned d,
                     unsigned h, unsigned mi, unsigned s, unsigned us){
  uint8_t b[8];
  int64_t v;
  if( ft==11 ){
    v = (int64_t)((((uint64_t)h<<12) | (mi<<6) | s) << 24) + us;
  }else{
    uint64_t ymd = ((uint64_t)(y*13 + mo) << 5) | d;
    uint64_t hms = ((uint64_t)h<<12) | (mi<<6) | s;
    v = (int64_t)((((ymd<<17) | hms) << 24) + us);
  }
  if( neg ) v = -v;
  put(b, (uint64_t)v, 8);
  return opaque(ft, b, 8);
}

static void testScalars(void){
  bv v;
  CHECK_STR( bvText(scalar(0x04, 0, 1)), "null" );
  CHECK_STR( bvText(scalar(0x04, 1, 1)), "true" );
  CHECK_STR( bvText(scalar(0x04, 2, 1)), "false" );
  CHECK_STR( bvText(scalar(0x05, 0xffff, 2)), "-1" );
  CHECK_STR( bvText(scalar(0x05, 0x8000, 2)), "-32768" );
  CHECK_STR( bvText(scalar(0x06, 0xffff, 2)), "65535" );
  CHECK_STR( bvText(scalar(0x07, 0x80000000u, 4)), "-2147483648" );
  CHECK_STR( bvText(scalar(0x08, 0xffffffffu, 4)), "4294967295" );
  CHECK_STR( bvText(scalar(0x09, 0x8000000000000000ull, 8)),
             "-9223372036854775808" );
  CHECK_STR( bvText(scalar(0x0a, 0xffffffffffffffffull, 8)),
             "18446744073709551615" );
  /* doubles: my_gcvt's shortest digits, 'e' outside -14..15, ".0" added */
  CHECK_STR( bvText(dbl(1.0)), "1.0" );
  CHECK_STR( bvText(dbl(0.1)), "0.1" );
  CHECK_STR( bvText(dbl(-2.5)), "-2.5" );
  CHECK_STR( bvText(dbl(123.456)), "123.456" );
  CHECK_STR( bvText(dbl(0.0)), "0.0" );
  CHECK_STR( bvText(dbl(-0.0)), "-0.0" );
  CHECK_STR( bvText(dbl(1e14)), "100000000000000.0" );
  CHECK_STR( bvText(dbl(1e15)), "1e15" );
  CHECK_STR( bvText(dbl(1.5e300)), "1.5e300" );
  CHECK_STR( bvText(dbl(1e-15)), "0.000000000000001" );
  CHECK_STR( bvText(dbl(1e-16)), "1e-16" );
  CHECK_STR( bvText(dbl(1.25e-20)), "1.25e-20" );
  CHECK_STR( bvText(dbl(1234567890123456.7)), "1234567890123456.8" );
  CHECK_STR( bvText(dbl(12345678901234567.0)), "1.2345678901234568e16" );
  CHECK_STR( bvText(dbl(1.7976931348623157e308)), "1.7976931348623157e308" );
  CHECK_STR( bvText(dbl(5e-324)), "5e-324" );
  CHECK_STR( bvText(dbl(0.30000000000000004)), "0.30000000000000004" );
  CHECK( bvText(dbl(NAN))==0 );
  /* strings: MySQL's escapes, \u00xx lower-case, 0x7f and UTF-8 as is */
  CHECK_STR( bvText(str("hello", 5)), "\"hello\"" );
  CHECK_STR( bvText(str("", 0)), "\"\"" );
  CHECK_STR( bvText(str("a\"b\\c/\n\r\t\b\f\x01\x1f\x7f", 14)),
             "\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"" );
  CHECK_STR( bvText(str("h\xc3\xa9 \xf0\x9f\x98\x80", 8)),
             "\"h\xc3\xa9 \xf0\x9f\x98\x80\"" );
  CHECK_STR( bvText(str("a\xff" "b", 3)), "\"a\xef\xbf\xbd" "b\"" );
  {
    char z[300];
    const char *t;
    memset(z, 'x', sizeof z);
    v = str(z, 300);                 /* two-byte length: 0xac 0x02 */
    CHECK( v.d[0]==0xac && v.d[1]==0x02 );
    t = bvText(v);
    CHECK( t && strlen(t)==302 && t[0]=='"' && t[1]=='x' && t[301]=='"' );
  }
  /* opaque DECIMAL, with its own scale */
  CHECK_STR( bvText(decimal(5, 2, "1", "5", 0)), "1.50" );
  CHECK_STR( bvText(decimal(5, 2, "1", "5", 1)), "-1.50" );
  CHECK_STR( bvText(decimal(2, 2, "", "05", 0)), "0.05" );
  CHECK_STR( bvText(decimal(10, 0, "0", "", 0)), "0" );
  CHECK_STR( bvText(decimal(20, 0, "12345678901234567890", "", 0)),
             "12345678901234567890" );
  CHECK_STR( bvText(decimal(30, 12, "987654321012345678", "000000000001", 1)),
             "-987654321012345678.000000000001" );
  CHECK_STR( bvText(decimal(65, 30, "1", "", 0)),
             "1.000000000000000000000000000000" );
  /* opaque temporal: packed, printed with 6 fraction digits */
  CHECK_STR( bvText(packedTime(10, 0, 2020, 1, 2, 0, 0, 0, 0)),
             "\"2020-01-02\"" );
  CHECK_STR( bvText(packedTime(12, 0, 2020, 1, 2, 10, 11, 12, 0)),
             "\"2020-01-02 10:11:12.000000\"" );
  CHECK_STR( bvText(packedTime(12, 0, 1999, 12, 31, 23, 59, 59, 999999)),
             "\"1999-12-31 23:59:59.999999\"" );
  CHECK_STR( bvText(packedTime(7, 0, 2038, 1, 19, 3, 14, 7, 120000)),
             "\"2038-01-19 03:14:07.120000\"" );
  CHECK_STR( bvText(packedTime(11, 0, 0, 0, 0, 10, 11, 12, 0)),
             "\"10:11:12.000000\"" );
  CHECK_STR( bvText(packedTime(11, 1, 0, 0, 0, 838, 59, 59, 1)),
             "\"-838:59:59.000001\"" );
  /* other opaque: base64 with MySQL's newline every 76 characters */
  CHECK_STR( bvText(opaque(252, (const uint8_t*)"hello", 5)),
             "\"base64:type252:aGVsbG8=\"" );
  CHECK_STR( bvText(opaque(15, (const uint8_t*)"", 0)), "\"base64:type15:\"" );
  CHECK_STR( bvText(opaque(16, (const uint8_t*)"\x01\x02", 2)),
             "\"base64:type16:AQI=\"" );
  {
    uint8_t z[60];
    const char *t;
    int i;
    for(i=0; i<60; i++) z[i] = (uint8_t)i;
    t = bvText(opaque(252, z, 60));
    CHECK_STR( t, "\"base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
                  "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\\nOTo7\"" );
  }
  /* opaque VAR_STRING prints as a plain string */
  CHECK_STR( bvText(opaque(253, (const uint8_t*)"a\"b", 3)), "\"a\\\"b\"" );
}

static void testContainers(void){
  bv kids[4], inner[2], v;
  const char *ab[] = { "a", "b" };
  /* {"a": 1, "b": [1, 2]} small */
  inner[0] = scalar(0x05, 1, 2);
  inner[1] = scalar(0x05, 2, 2);
  kids[0] = scalar(0x05, 1, 2);
  kids[1] = container(0, 0, inner, 2);
  CHECK_STR( bvText(container(0, ab, kids, 2)), "{\"a\": 1, \"b\": [1, 2]}" );
  /* the same, large */
  kids[1] = container(1, 0, inner, 2);
  CHECK_STR( bvText(container(1, ab, kids, 2)), "{\"a\": 1, \"b\": [1, 2]}" );
  /* empty ones */
  CHECK_STR( bvText(container(0, ab, kids, 0)), "{}" );
  CHECK_STR( bvText(container(0, 0, kids, 0)), "[]" );
  CHECK_STR( bvText(container(1, 0, kids, 0)), "[]" );
  /* inline int32/uint32 in large, by offset in small */
  kids[0] = scalar(0x07, 0xfffffffe, 4);
  kids[1] = scalar(0x08, 4000000000u, 4);
  kids[2] = scalar(0x04, 1, 1);
  kids[3] = str("x", 1);
  CHECK_STR( bvText(container(1, 0, kids, 4)), "[-2, 4000000000, true, \"x\"]" );
  CHECK_STR( bvText(container(0, 0, kids, 4)), "[-2, 4000000000, true, \"x\"]" );
  /* keys escaped like strings, order as stored */
  {
    const char *k[] = { "z", "a\"\n" };
    kids[0] = scalar(0x04, 0, 1);
    kids[1] = dbl(2.0);
    CHECK_STR( bvText(container(0, k, kids, 2)), "{\"z\": null, \"a\\\"\\n\": 2.0}" );
  }
  /* nesting and mixed values */
  {
    const char *k[] = { "d", "t", "x" };
    bv arr[3];
    arr[0] = decimal(4, 1, "12", "3", 0);
    arr[1] = packedTime(10, 0, 2021, 3, 4, 0, 0, 0, 0);
    arr[2] = container(0, 0, kids, 0);
    kids[0] = container(0, 0, arr, 3);
    kids[1] = scalar(0x04, 2, 1);
    kids[2] = container(0, ab, inner, 2);
    v = container(0, k, kids, 3);
    CHECK_STR( bvText(v), "{\"d\": [12.3, \"2021-03-04\", []], \"t\": false, "
                          "\"x\": {\"a\": 1, \"b\": 2}}" );
  }
}

/* n nested arrays around an empty one: [[[...[]...]]] */
static size_t nestedArrays(uint8_t *buf, int n){
  /* build from the inside out: each level is 02, count 1, size, entry */
  static uint8_t tmp[2][4096];
  size_t len = 4;
  int i, cur = 0;
  tmp[0][0] = 0; tmp[0][1] = 0; tmp[0][2] = 4; tmp[0][3] = 0;   /* [] data */
  for(i=0; i<n; i++){
    uint8_t *o = tmp[1-cur];
    size_t sz = 7 + len;
    o[0] = 1; o[1] = 0; o[2] = (uint8_t)sz; o[3] = (uint8_t)(sz>>8);
    o[4] = 0x02; o[5] = 7; o[6] = 0;
    memcpy(o+7, tmp[cur], len);
    len = sz;
    cur = 1-cur;
  }
  buf[0] = 0x02;
  memcpy(buf+1, tmp[cur], len);
  return len + 1;
}

static void testMalformed(void){
  static uint8_t buf[8192];
  size_t n, i;
  const char *t;
  uint8_t *p;
  bv kids[2];
  const char *ab[] = { "a", "b" };

  CHECK( b2t(buf, 0)==0 );
  CHECK( b2t((const uint8_t*)"\x0d", 1)==0 );
  CHECK( strstr(zErr, "unknown value type 0x0d")!=0 );
  CHECK( b2t((const uint8_t*)"\x04\x03", 2)==0 );
  CHECK( b2t((const uint8_t*)"\x04", 1)==0 );
  CHECK( b2t((const uint8_t*)"\x09\1\2\3", 4)==0 );
  CHECK( b2t((const uint8_t*)"\x0b\0\0\0\0\0\0\xf0", 8)==0 );
  CHECK( b2t((const uint8_t*)"\x0c\x05" "abc", 5)==0 );           /* truncated */
  CHECK( b2t((const uint8_t*)"\x0c\xff\xff\xff\xff\xff\x01", 7)==0 );/* > 5 bytes */
  CHECK( b2t((const uint8_t*)"\x0c\x80", 2)==0 );
  CHECK( b2t((const uint8_t*)"\x0f\xfc\x05" "ab", 5)==0 );
  CHECK( b2t((const uint8_t*)"\x0f\x0a\x02" "ab", 5)==0 );       /* DATE of 2 */
  CHECK( b2t((const uint8_t*)"\x0f\xf6\x03\x05\x02\x80", 6)==0 ); /* short dec */
  CHECK( b2t((const uint8_t*)"\x0f\xf6\x02\x50\x02", 5)==0 );     /* prec 80 */
  CHECK( b2t((const uint8_t*)"\x0f\xf6\x03\x01\x00\x8a", 6)==0 ); /* digit 10 */
  /* containers: size past the end, count too big, offsets out of range */
  kids[0] = str("xy", 2);
  kids[1] = scalar(0x05, 7, 2);
  {
    bv o = container(0, ab, kids, 2);
    n = flat(&o, buf);
  }
  CHECK_STR( b2t(buf, n), "{\"a\": \"xy\", \"b\": 7}" );
  for(i=0; i<n; i++){                         /* every truncation fails */
    if( b2t(buf, i)!=0 ){ CHECK( 0 ); break; }
  }
  p = buf + 1;
  p[2] = 0xff;                                /* size 0x00ff > remaining */
  CHECK( b2t(buf, n)==0 );
  CHECK( strstr(zErr, "claims")!=0 );
  p[2] = (uint8_t)(n-1);
  p[0] = 200;                                 /* 200 elements */
  CHECK( b2t(buf, n)==0 );
  p[0] = 2;
  p[4] = 0xf0;                                /* key 0 offset 0xf0 */
  CHECK( b2t(buf, n)==0 );
  CHECK( strstr(zErr, "key 0")!=0 );
  p[4] = 0x12;
  CHECK( b2t(buf, n)!=0 );
  p[13] = 0x40;                               /* value 0 offset past size */
  CHECK( b2t(buf, n)==0 );
  CHECK( strstr(zErr, "out of bounds")!=0 );
  p[13] = 2;                                  /* inside the header */
  CHECK( b2t(buf, n)==0 );
  /* depth: 100 nested arrays are fine, 101 are not */
  n = nestedArrays(buf, 99);
  t = b2t(buf, n);
  CHECK( t && strlen(t)==200 );
  n = nestedArrays(buf, 100);
  CHECK( b2t(buf, n)==0 );
  CHECK( strstr(zErr, "nesting deeper than 100")!=0 );
  /* mutated values never crash and never leave half output */
  {
    bv arr[4], o;
    const char *k[] = { "d", "t", "x", "yy" };
    size_t m, okCount = 0;
    unsigned seed = 12345;
    arr[0] = decimal(4, 1, "12", "3", 0);
    arr[1] = packedTime(12, 0, 2021, 3, 4, 1, 2, 3, 4);
    arr[2] = dbl(3.5);
    arr[3] = str("hello", 5);
    kids[0] = container(0, 0, arr, 4);
    kids[1] = container(1, k, arr, 4);
    o = container(0, ab, kids, 2);
    m = flat(&o, buf);
    for(i=0; i<30000; i++){
      static uint8_t mut[8192];
      size_t len = m, j;
      int nFlip;
      memcpy(mut, buf, m);
      seed = seed*1103515245u + 12345u;
      nFlip = 1 + (int)((seed>>16) % 4);
      for(j=0; j<(size_t)nFlip; j++){
        seed = seed*1103515245u + 12345u;
        mut[(seed>>8) % m] = (uint8_t)(seed>>20);
      }
      seed = seed*1103515245u + 12345u;
      if( (seed>>16) % 3==0 ) len = (seed>>4) % m;
      mv_buf_reset(&out);
      if( mvj_binary_to_text(mut, len, &out, zErr, sizeof zErr)==0 ) okCount++;
      else if( out.n!=0 ){ CHECK( 0 ); break; }
    }
    CHECK( okCount>0 && okCount<30000 );
  }
}

/* ------------------------------------------------------------- diffs */

typedef struct dbuf { uint8_t d[4096]; size_t n; } dbuf;

static void addDiff(dbuf *b, int op, const char *zPath, const bv *v){
  size_t pl = strlen(zPath);
  b->d[b->n++] = (uint8_t)op;
  b->d[b->n++] = (uint8_t)pl;          /* paths here are < 251 bytes */
  memcpy(b->d + b->n, zPath, pl);
  b->n += pl;
  if( v ){
    uint8_t tmp[4200];
    size_t vn = flat(v, tmp);
    if( vn<251 ){
      b->d[b->n++] = (uint8_t)vn;
    }else{
      b->d[b->n++] = 0xfc;
      b->d[b->n++] = (uint8_t)vn;
      b->d[b->n++] = (uint8_t)(vn>>8);
    }
    memcpy(b->d + b->n, tmp, vn);
    b->n += vn;
  }
}
static const char *apply1(const char *zDoc, int op, const char *zPath,
                          const bv *v){
  static dbuf b;
  b.n = 0;
  addDiff(&b, op, zPath, v);
  return diffApply(zDoc, b.d, b.n);
}

static void testDiffs(void){
  const char *doc = "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}";
  bv one = scalar(0x05, 1, 2), s = str("v", 1), e;
  bv kids[2];
  dbuf b;
  const char *ab[] = { "a", "b" };

  /* REPLACE in arrays and objects, nested */
  CHECK_STR( apply1(doc, 0, "$.a[1]", &s),
             "{\"a\": [1, \"v\", 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 0, "$.b.c", &one),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": 1}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 0, "$.\"b\".\"c\"", &one),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": 1}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 0, "$.a[last]", &one),
             "{\"a\": [1, 2, 1], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 0, "$.a[last-2]", &s),
             "{\"a\": [\"v\", 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  kids[0] = one; kids[1] = container(0, 0, kids, 0);
  e = container(0, ab, kids, 2);
  CHECK_STR( apply1(doc, 0, "$.ccc", &e),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": {\"a\": 1, \"b\": []}}" );
  /* INSERT: keys in MySQL's order (length, then bytes); arrays by index */
  CHECK_STR( apply1(doc, 1, "$.bb", &one),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}, \"bb\": 1, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 1, "$.A", &one),
             "{\"A\": 1, \"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 1, "$.dddd", &one),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null, \"dddd\": 1}" );
  CHECK_STR( apply1(doc, 1, "$.b.\"a b\"", &s),
             "{\"a\": [1, 2, 3], \"b\": {\"c\": \"x\", \"a b\": \"v\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 1, "$.a[0]", &s),
             "{\"a\": [\"v\", 1, 2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 1, "$.a[3]", &s),
             "{\"a\": [1, 2, 3, \"v\"], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 1, "$.a[99]", &s),
             "{\"a\": [1, 2, 3, \"v\"], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1("[]", 1, "$[0]", &s), "[\"v\"]" );
  CHECK_STR( apply1("{}", 1, "$.k", &s), "{\"k\": \"v\"}" );
  /* REMOVE */
  CHECK_STR( apply1(doc, 2, "$.a[0]", 0),
             "{\"a\": [2, 3], \"b\": {\"c\": \"x\"}, \"ccc\": null}" );
  CHECK_STR( apply1(doc, 2, "$.b", 0), "{\"a\": [1, 2, 3], \"ccc\": null}" );
  CHECK_STR( apply1(doc, 2, "$.b.c", 0),
             "{\"a\": [1, 2, 3], \"b\": {}, \"ccc\": null}" );
  /* several diffs, each on the result of the previous */
  b.n = 0;
  kids[0] = container(0, 0, kids, 0);
  e = container(0, ab, kids, 0);                     /* {} */
  addDiff(&b, 1, "$.n", &e);
  addDiff(&b, 1, "$.n.k", &s);
  addDiff(&b, 0, "$.a[2]", &one);
  addDiff(&b, 2, "$.ccc", 0);
  CHECK_STR( diffApply(doc, b.d, b.n),
             "{\"a\": [1, 2, 1], \"b\": {\"c\": \"x\"}, \"n\": {\"k\": \"v\"}}" );
  /* the document's own escapes: keys decoded, strings kept, keys printed
  ** as MySQL would */
  CHECK_STR( apply1("{\"\\u00e9\": \"a\\u0001\\\"\", \"k\": [ 1 ,2 ] }", 0,
                    "$.\"\xc3\xa9\"", &one),
             "{\"\xc3\xa9\": 1, \"k\": [1, 2]}" );
  CHECK_STR( apply1("{\"q\\\"\": 1.5e3}", 1, "$.\"q\\\"x\"", &one),
             "{\"q\\\"\": 1.5e3, \"q\\\"x\": 1}" );
  CHECK_STR( apply1("[\"\\ud83d\\ude00\", true]", 2, "$[1]", 0),
             "[\"\\ud83d\\ude00\"]" );

  /* errors: bad operations, paths, values, documents */
  CHECK( apply1(doc, 3, "$.a", &one)==0 );
  CHECK( strstr(zErr, "unknown operation 3")!=0 );
  CHECK( apply1(doc, 0, "$.zz", &one)==0 );
  CHECK( strstr(zErr, "not found")!=0 );
  CHECK( apply1(doc, 0, "$.a[3]", &one)==0 );
  CHECK( apply1(doc, 0, "$.a.b", &one)==0 );
  CHECK( apply1(doc, 0, "$.b[0]", &one)==0 );
  CHECK( apply1(doc, 1, "$.b", &one)==0 );
  CHECK( strstr(zErr, "exists")!=0 );
  CHECK( apply1(doc, 1, "$.x.y", &one)==0 );
  CHECK( apply1(doc, 1, "$.a.y", &one)==0 );
  CHECK( apply1(doc, 1, "$.ccc[0]", &one)==0 );
  CHECK( apply1(doc, 2, "$.zz", 0)==0 );
  CHECK( strstr(zErr, "does not exist")!=0 );
  CHECK( apply1(doc, 2, "$.a[3]", 0)==0 );
  CHECK( apply1(doc, 2, "$.a[last-3]", 0)==0 );
  CHECK( apply1(doc, 0, "$", &one)==0 );
  CHECK( strstr(zErr, "whole document")!=0 );
  CHECK( apply1(doc, 0, "a", &one)==0 );
  CHECK( apply1(doc, 0, "$.a[", &one)==0 );
  CHECK( strstr(zErr, "bad path")!=0 );
  CHECK( apply1(doc, 0, "$.a[*]", &one)==0 );
  CHECK( apply1(doc, 0, "$.*", &one)==0 );
  CHECK( apply1(doc, 0, "$**.a", &one)==0 );
  CHECK( apply1(doc, 0, "$.\"a", &one)==0 );
  CHECK( apply1(doc, 0, "$.a[1 to 2]", &one)==0 );
  CHECK( apply1(doc, 0, "$.a[99999999999]", &one)==0 );
  {
    bv bad = scalar(0x04, 9, 1);
    CHECK( apply1(doc, 0, "$.a", &bad)==0 );
    CHECK( strstr(zErr, "bad value")!=0 );
  }
  CHECK( apply1("{\"a\": 1", 0, "$.a", &one)==0 );
  CHECK( apply1("{\"a\" 1}", 0, "$.a", &one)==0 );
  CHECK( apply1("{\"a\": 1} x", 0, "$.a", &one)==0 );
  CHECK( apply1("", 0, "$.a", &one)==0 );
  /* truncated diff lists: every proper prefix fails (or is a complete
  ** shorter list), nothing is read past the end */
  b.n = 0;
  addDiff(&b, 0, "$.a[1]", &s);
  addDiff(&b, 2, "$.b", 0);
  {
    size_t i, first = 1 + 1 + 6 + 1 + 3;   /* the first diff alone */
    for(i=0; i<b.n; i++){
      const char *r = diffApply(doc, b.d, i);
      if( i==0 || i==first ) CHECK( r!=0 );
      else CHECK( r==0 );
    }
  }
  {
    static const uint8_t bigLen[] = { 0, 0xfc, 0xff, 0xff };
    CHECK( diffApply(doc, bigLen, sizeof bigLen)==0 );
    CHECK( strstr(zErr, "path truncated")!=0 );
  }
  /* depth: a value that would nest past 100 is refused */
  {
    static uint8_t nb[8192];
    static dbuf big;
    size_t vn = nestedArrays(nb, 98);     /* 99 levels */
    big.n = 0;
    big.d[big.n++] = 1;
    big.d[big.n++] = 3;
    memcpy(big.d + big.n, "$.z", 3); big.n += 3;
    big.d[big.n++] = 0xfc;
    big.d[big.n++] = (uint8_t)vn;
    big.d[big.n++] = (uint8_t)(vn>>8);
    memcpy(big.d + big.n, nb, vn);
    big.n += vn;
    CHECK( diffApply("{}", big.d, big.n)!=0 );          /* 1 + 99 = 100 */
    CHECK( diffApply("{\"z\": 1}", big.d, big.n)==0 );  /* exists */
    big.d[0] = 0;
    CHECK( diffApply("{\"z\": 1}", big.d, big.n)!=0 );  /* replace: 100 */
    vn = nestedArrays(nb, 99);                          /* 100 levels */
    big.n = 6;
    big.d[big.n++] = (uint8_t)vn;
    big.d[big.n++] = (uint8_t)(vn>>8);
    memcpy(big.d + big.n, nb, vn);
    big.n += vn;
    CHECK( diffApply("{\"z\": 1}", big.d, big.n)==0 );
    CHECK( strstr(zErr, "deeper than 100")!=0 );
  }
  {
    /* mutated diff lists and documents never crash and never leave half
    ** output */
    static dbuf m;
    char zDoc[128];
    size_t i, j, okCount = 0, nDoc = strlen(doc);
    unsigned seed = 777;
    bv arr = container(0, 0, kids, 0);
    b.n = 0;
    addDiff(&b, 0, "$.a[1]", &s);
    addDiff(&b, 1, "$.b.\"n m\"", &arr);
    addDiff(&b, 2, "$.ccc", 0);
    addDiff(&b, 1, "$.a[last-1]", &one);
    CHECK_STR( diffApply(doc, b.d, b.n), "{\"a\": [1, 1, \"v\", 3], \"b\": "
               "{\"c\": \"x\", \"n m\": []}}" );
    for(i=0; i<30000; i++){
      int nFlip, rc;
      size_t nd = b.n;
      memcpy(m.d, b.d, b.n);
      memcpy(zDoc, doc, nDoc + 1);
      seed = seed*1103515245u + 12345u;
      nFlip = 1 + (int)((seed>>16) % 3);
      for(j=0; j<(size_t)nFlip; j++){
        seed = seed*1103515245u + 12345u;
        if( (seed>>28) & 1 ) zDoc[(seed>>8) % nDoc] = (char)(seed>>20);
        else m.d[(seed>>8) % b.n] = (uint8_t)(seed>>20);
      }
      seed = seed*1103515245u + 12345u;
      if( (seed>>16) % 4==0 ) nd = (seed>>4) % b.n;
      mv_buf_reset(&out);
      rc = mvj_apply_diff(zDoc, nDoc, m.d, nd, &out, zErr, sizeof zErr);
      if( rc==0 ) okCount++;
      else if( out.n!=0 ){ CHECK( 0 ); break; }
    }
    CHECK( okCount>0 && okCount<30000 );
  }
  {
    /* a document nested past 100 is refused, not recursed into */
    char z[520];
    memset(z, '[', 101); memset(z+101, ']', 101); z[202] = 0;
    CHECK( apply1(z, 2, "$[0]", 0)==0 );
    memset(z, '[', 100); memset(z+100, ']', 100); z[200] = 0;
    CHECK_STR( apply1(z, 2, "$[0]", 0), "[]" );
  }
}

int main(void){
  mv_buf_init(&out);
  testFixtures();
  testScalars();
  testContainers();
  testMalformed();
  testDiffs();
  mv_buf_free(&out);
  UNIT_DONE();
}
