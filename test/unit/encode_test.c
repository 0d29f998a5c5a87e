/*
** encode_test.c — the shared value encoder (encode.c, charset.c): every
** value kind to JSON and to typed text, exactly.
*/
#include "encode.h"
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static mv_buf out;

static const char *json(mv_value v){
  mv_buf_reset(&out);
  mv_encode_json(&out, &v);
  return mv_buf_cstr(&out);
}
static const char *text(mv_value v){
  mv_buf_reset(&out);
  mv_encode_text(&out, &v);
  return mv_buf_cstr(&out);
}
static mv_value vInt(int64_t i){ mv_value v = {0}; v.kind = MV_INT; v.v.i = i; return v; }
static mv_value vUint(uint64_t u){ mv_value v = {0}; v.kind = MV_UINT; v.v.u = u; return v; }
static mv_value vDouble(double d){ mv_value v = {0}; v.kind = MV_DOUBLE; v.v.d = d; return v; }
static mv_value vFloat(float f){ mv_value v = {0}; v.kind = MV_FLOAT; v.v.f = f; return v; }
static mv_value vStr(mv_kind k, int cs, const char *z, size_t n){
  mv_value v = {0}; v.kind = k; v.charset = cs; v.v.s.p = z; v.v.s.n = n; return v;
}
#define S(k, cs, lit) vStr(k, cs, lit, sizeof(lit)-1)
static mv_value vTime(mv_kind k, int neg, unsigned y, unsigned mo, unsigned d,
                      unsigned h, unsigned mi, unsigned s, unsigned us, int fsp){
  mv_value v = {0};
  v.kind = k; v.fsp = fsp;
  v.v.t.neg = neg; v.v.t.year = y; v.v.t.month = mo; v.v.t.day = d;
  v.v.t.hour = h; v.v.t.minute = mi; v.v.t.second = s; v.v.t.usec = us;
  return v;
}

/* JSON string escaping done the plain way, one byte at a time: what the
** word-at-a-time mv_json_string must equal. */
static void refJsonString(mv_buf *b, const unsigned char *z, size_t n){
  size_t i = 0;
  mv_buf_char(b, '"');
  while( i<n ){
    unsigned c = z[i];
    if( c>=0x80 ){
      size_t k = mv_utf8_len((const char*)z+i, n-i);
      if( k ){ mv_buf_append(b, z+i, k); i += k; }
      else{ mv_buf_append(b, "\xEF\xBF\xBD", 3); i++; }
      continue;
    }
    if( c=='"' ) mv_buf_str(b, "\\\"");
    else if( c=='\\' ) mv_buf_str(b, "\\\\");
    else if( c=='\n' ) mv_buf_str(b, "\\n");
    else if( c=='\r' ) mv_buf_str(b, "\\r");
    else if( c=='\t' ) mv_buf_str(b, "\\t");
    else if( c=='\b' ) mv_buf_str(b, "\\b");
    else if( c=='\f' ) mv_buf_str(b, "\\f");
    else if( c<0x20 ) mv_buf_printf(b, "\\u%04x", c);
    else mv_buf_char(b, (char)c);
    i++;
  }
  mv_buf_char(b, '"');
}

/* UTF-8 text as mv_to_utf8 must pass it on: valid sequences kept, each
** byte of a broken one replaced by U+FFFD. */
static void refUtf8Copy(mv_buf *b, const unsigned char *z, size_t n){
  size_t i = 0;
  while( i<n ){
    size_t k = z[i]<0x80 ? 1 : mv_utf8_len((const char*)z+i, n-i);
    if( k ){ mv_buf_append(b, z+i, k); i += k; }
    else{ mv_buf_append(b, "\xEF\xBF\xBD", 3); i++; }
  }
}

int main(void){
  mv_value null = {0};
  null.kind = MV_NULL;
  mv_buf_init(&out);

  /* integers: exact, both extremes, unsigned 64-bit included */
  CHECK_STR(json(vInt(0)), "0");
  CHECK_STR(json(vInt(INT64_MIN)), "-9223372036854775808");
  CHECK_STR(json(vInt(INT64_MAX)), "9223372036854775807");
  CHECK_STR(json(vUint(UINT64_MAX)), "18446744073709551615");
  CHECK_STR(text(vUint(UINT64_MAX)), "18446744073709551615");
  CHECK_STR(json(vInt(-128)), "-128");
  /* every digit-pair boundary of the two-digits-per-step conversion */
  CHECK_STR(json(vInt(7)), "7");
  CHECK_STR(json(vInt(10)), "10");
  CHECK_STR(json(vInt(99)), "99");
  CHECK_STR(json(vInt(100)), "100");
  CHECK_STR(json(vInt(-1005)), "-1005");
  CHECK_STR(json(vUint(1000000007)), "1000000007");
  CHECK_STR(json(null), "null");

  /* floating point: shortest text that round-trips */
  CHECK_STR(json(vDouble(0.1)), "0.1");
  CHECK_STR(json(vDouble(1.0/3)), "0.3333333333333333");
  CHECK_STR(json(vDouble(1e20)), "1e+20");
  CHECK_STR(json(vDouble(-0.0)), "-0");
  CHECK_STR(json(vDouble(DBL_MAX)), "1.7976931348623157e+308");
  CHECK_STR(json(vDouble(5e-324)), "5e-324");
  CHECK_STR(json(vDouble(123456789012345678.0)), "1.2345678901234568e+17");
  CHECK_STR(json(vFloat(3.14f)), "3.14");
  CHECK_STR(json(vFloat(16777217.0f)), "16777216");
  CHECK_STR(json(vFloat(FLT_MAX)), "3.4028235e+38");
  CHECK_STR(json(vFloat(1.1f)), "1.1");
  CHECK_STR(json(vFloat(1e-45f)), "1e-45");
  CHECK_STR(json(vDouble(2.2250738585072009e-308)), "2.225073858507201e-308");
  CHECK_STR(text(vDouble(2.5)), "2.5");
  CHECK_STR(json(vDouble(NAN)), "\"NaN\"");
  CHECK_STR(json(vDouble(-INFINITY)), "\"-Infinity\"");
  {
    char z[40];
    double d = 0.1 + 0.2;
    mv_format_double(z, d);
    CHECK(strtod(z, 0)==d);
    CHECK_STR(z, "0.30000000000000004");
  }

  /* DECIMAL keeps its exact text and scale */
  CHECK_STR(json(S(MV_DECIMAL, 0, "-12.3400")), "\"-12.3400\"");
  CHECK_STR(text(S(MV_DECIMAL, 0, "-12.3400")), "-12.3400");

  /* temporal types in MySQL's text form */
  CHECK_STR(json(vTime(MV_DATE, 0, 2024, 2, 29, 0,0,0,0,0)), "\"2024-02-29\"");
  CHECK_STR(json(vTime(MV_DATE, 0, 0, 0, 0, 0,0,0,0,0)), "\"0000-00-00\"");
  CHECK_STR(json(vTime(MV_DATETIME, 0, 1000, 1, 1, 0,0,0,0,0)), "\"1000-01-01 00:00:00\"");
  CHECK_STR(json(vTime(MV_DATETIME, 0, 9999,12,31, 23,59,59,999999,6)), "\"9999-12-31 23:59:59.999999\"");
  CHECK_STR(json(vTime(MV_DATETIME, 0, 2001,2,3, 4,5,6,120000,2)), "\"2001-02-03 04:05:06.12\"");
  CHECK_STR(json(vTime(MV_DATETIME, 0, 2001,2,3, 4,5,6,100000,1)), "\"2001-02-03 04:05:06.1\"");
  CHECK_STR(json(vTime(MV_DATETIME, 0, 2001,2,3, 4,5,6,0,3)), "\"2001-02-03 04:05:06.000\"");
  CHECK_STR(json(vTime(MV_TIME, 1, 0,0,0, 838,59,59,0,0)), "\"-838:59:59\"");
  CHECK_STR(json(vTime(MV_TIME, 0, 0,0,0, 838,59,59,0,0)), "\"838:59:59\"");
  CHECK_STR(json(vTime(MV_TIME, 1, 0,0,0, 0,0,0,500000,1)), "\"-00:00:00.5\"");
  CHECK_STR(json(vTime(MV_TIME, 0, 0,0,0, 25,0,1,123456,6)), "\"25:00:01.123456\"");
  CHECK_STR(text(vTime(MV_TIME, 1, 0,0,0, 1,2,3,0,0)), "-01:02:03");

  /* strings: escapes, control characters, 4-byte UTF-8, invalid bytes */
  CHECK_STR(json(S(MV_TEXT, MV_CS_UTF8, "a\"b\\c/d")), "\"a\\\"b\\\\c/d\"");
  CHECK_STR(json(S(MV_TEXT, MV_CS_UTF8, "\n\r\t\b\f\x01\x1f\x7f")), "\"\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
  CHECK_STR(json(S(MV_TEXT, MV_CS_UTF8, "nul\0byte")), "\"nul\\u0000byte\"");
  CHECK_STR(json(S(MV_TEXT, 45, "\xF0\x9F\x98\x80 caf\xC3\xA9")), "\"\xF0\x9F\x98\x80 caf\xC3\xA9\"");
  CHECK_STR(json(S(MV_TEXT, 45, "bad\xFF\xC3(")), "\"bad\xEF\xBF\xBD\xEF\xBF\xBD(\"");
  CHECK_STR(json(S(MV_TEXT, 45, "\xED\xA0\x80")), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK_STR(json(S(MV_TEXT, 45, "\xC0\xAF")), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");

  /* other charsets are converted to UTF-8 */
  CHECK_STR(json(S(MV_TEXT, 8, "caf\xE9 \x80 \x81")), "\"caf\xC3\xA9 \xE2\x82\xAC \xC2\x81\"");  /* latin1 */
  CHECK_STR(text(S(MV_TEXT, 8, "\xE9")), "\xC3\xA9");
  CHECK_STR(json(S(MV_TEXT, 35, "\x00\x41\x00\xE9")), "\"A\xC3\xA9\"");                    /* ucs2 */
  CHECK_STR(json(S(MV_TEXT, 54, "\xD8\x3D\xDE\x00")), "\"\xF0\x9F\x98\x80\"");           /* utf16 */
  CHECK_STR(json(S(MV_TEXT, 60, "\x00\x01\xF6\x00")), "\"\xF0\x9F\x98\x80\"");           /* utf32 */
  CHECK_STR(json(S(MV_TEXT, 51, "\xEF\xF0")), "\"\xD0\xBF\xD1\x80\"");                   /* cp1251 */
  CHECK_STR(json(S(MV_TEXT, 28, "\xC4\xE3")), "\"\xE4\xBD\xA0\"");                       /* gbk */
  CHECK_STR(json(S(MV_TEXT, 255, "x")), "\"x\"");                                        /* MySQL 8 utf8mb4_0900_ai_ci */

  /* binary as lower-case hex; typed text keeps the bytes */
  CHECK_STR(json(S(MV_BYTES, 63, "\x00\xAB\xff\x10")), "\"00abff10\"");
  CHECK_STR(json(S(MV_BYTES, 63, "")), "\"\"");
  CHECK_STR(text(S(MV_BYTES, 63, "ab")), "ab");

  /* JSON values are embedded; invalid JSON becomes a string */
  CHECK_STR(json(S(MV_JSON, 0, "{\"a\": [1, 2.5e3, true, null, \"x\\u00e9\"]}")),
            "{\"a\": [1, 2.5e3, true, null, \"x\\u00e9\"]}");
  CHECK_STR(json(S(MV_JSON, 0, " [] ")), " [] ");
  CHECK_STR(json(S(MV_JSON, 0, "{}")), "{}");
  CHECK_STR(json(S(MV_JSON, 0, "\"s\"")), "\"s\"");
  CHECK_STR(json(S(MV_JSON, 0, "-0.5E-2")), "-0.5E-2");
  CHECK_STR(json(S(MV_JSON, 0, "{\"a\":1,}")), "\"{\\\"a\\\":1,}\"");
  CHECK_STR(json(S(MV_JSON, 0, "[1 2]")), "\"[1 2]\"");
  CHECK_STR(json(S(MV_JSON, 0, "01")), "\"01\"");
  CHECK_STR(json(S(MV_JSON, 0, "")), "\"\"");
  CHECK_STR(json(S(MV_JSON, 0, "{\"a\" 1}")), "\"{\\\"a\\\" 1}\"");
  CHECK_STR(json(S(MV_JSON, 0, "[[[[[[[[[[]]]]]]]]]]")), "[[[[[[[[[[]]]]]]]]]]");
  {
    static char deep[5000];
    mv_value v;
    memset(deep, '[', 2500); memset(deep+2500, ']', 2500);
    v = vStr(MV_JSON, 0, deep, 5000);
    json(v);
    CHECK(out.z[0]=='"');     /* deeper than the validator's limit: a string */
  }

  /* rows: names, unnamed columns as @N, absent columns left out */
  {
    mv_value row[4];
    const char *names[4] = { "id", "na\"me", 0, "gone" };
    row[0] = vInt(7);
    row[1] = S(MV_TEXT, MV_CS_UTF8, "x");
    row[2] = null;
    memset(&row[3], 0, sizeof row[3]);   /* MV_ABSENT */
    mv_buf_reset(&out);
    mv_encode_row(&out, 4, names, row);
    CHECK_STR(mv_buf_cstr(&out), "{\"id\":7,\"na\\\"me\":\"x\",\"@3\":null}");
    mv_buf_reset(&out);
    mv_encode_row(&out, 2, 0, row);
    CHECK_STR(mv_buf_cstr(&out), "{\"@1\":7,\"@2\":\"x\"}");
    mv_buf_reset(&out);
    mv_encode_row(&out, 0, 0, row);
    CHECK_STR(mv_buf_cstr(&out), "{}");
  }

  /* collation ids */
  CHECK_STR(mv_charset_name(8), "latin1");
  CHECK_STR(mv_charset_name(45), "utf8mb4");
  CHECK_STR(mv_charset_name(63), "binary");
  CHECK_STR(mv_charset_name(255), "utf8mb4");
  CHECK_STR(mv_charset_name(33), "utf8mb3");
  CHECK(mv_charset_name(0)==0);
  CHECK(mv_charset_name(99999)==0);
  CHECK(mv_charset_name(-1)==0);
  {
    mv_buf b;
    mv_buf_init(&b);
    CHECK(mv_to_utf8(&b, 4000, "ok", 2)!=0);   /* unknown: reported, passed through */
    CHECK(b.n==2 && memcmp(b.z, "ok", 2)==0);
    mv_buf_free(&b);
  }

  mv_buf_free(&out);
  /* binary DECIMAL, shared by the binlog and binary JSON decoders */
  {
    static const uint8_t pos[] = {0x8C, 0x22}, neg[] = {0x73, 0xDD},
                         zero[] = {0x80, 0x00}, bad[] = {0xFF, 0x22};
    char z[MV_DECIMAL_TEXT_MAX+1];
    int n;
    CHECK(mv_decimal_size(4, 2)==2);
    CHECK(mv_decimal_size(65, 30)==30);
    CHECK(mv_decimal_size(66, 0)<0 && mv_decimal_size(5, 6)<0);
    n = mv_decimal_text(pos, 4, 2, z); z[n<0?0:n] = 0; CHECK_STR(z, "12.34");
    n = mv_decimal_text(neg, 4, 2, z); z[n<0?0:n] = 0; CHECK_STR(z, "-12.34");
    n = mv_decimal_text(zero, 4, 2, z); z[n<0?0:n] = 0; CHECK_STR(z, "0.00");
    CHECK(mv_decimal_text(bad, 4, 2, z)<0);   /* 127 is no 2-digit group */
  }
  /* The shortest-decimal fast path of mv_format_double/float must print
  ** exactly what the %.Ng + strtod search prints: random decimals of few
  ** digits at every scale (the fast path's domain) and random bit patterns. */
  {
    unsigned long long x = 88172645463325252ull;
    int i, nBad = 0;
    for(i=0; i<400000 && nBad<5; i++){
      char zA[40], zB[40];
      double d;
      float f;
      int p, n;
      x ^= x<<13; x ^= x>>7; x ^= x<<17;
      if( i&1 ){
        memcpy(&d, &x, sizeof d);
        { uint32_t u = (uint32_t)(x>>17); memcpy(&f, &u, sizeof f); }
      }else{
        static const double aScale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12};
        long long m = (long long)(x % 100000000000000ull) >> (x>>60);
        d = (double)m / aScale[(x>>32)%13];
        if( x & 0x100 ) d = -d;
        f = (float)((double)(m % 1000000) / aScale[(x>>40)%9]);
      }
      if( !isfinite(d) ) d = 1.5;
      if( !isfinite(f) ) f = 2.5f;
      mv_format_double(zA, d);
      for(p=(fabs(d)<DBL_MIN && d!=0 ? 1 : 15); p<=17; p++){
        n = snprintf(zB, sizeof zB, "%.*g", p, d);
        if( strtod(zB, 0)==d ) break;
      }
      (void)n;
      if( strcmp(zA, zB)!=0 ){ nBad++; printf("! double %.17g: %s, not %s\n", d, zA, zB); }
      mv_format_float(zA, f);
      for(p=(fabsf(f)<FLT_MIN && f!=0 ? 1 : 6); p<=9; p++){
        snprintf(zB, sizeof zB, "%.*g", p, (double)f);
        if( strtof(zB, 0)==f ) break;
      }
      if( strcmp(zA, zB)!=0 ){ nBad++; printf("! float %.9g: %s, not %s\n", (double)f, zA, zB); }
    }
    CHECK(nBad==0);
    /* every double of %g's fixed range, by random mantissa and exponent */
    for(i=0, nBad=0; i<300000 && nBad<5; i++){
      char zA[40], zB[40];
      uint64_t u;
      double d;
      int p;
      x ^= x<<13; x ^= x>>7; x ^= x<<17;
      u = (x & 0x800fffffffffffffull) | (uint64_t)(1009 + (x>>52)%64)<<52;
      if( i%7==0 ) u &= ~0x000fffffffffffffull;       /* powers of two */
      memcpy(&d, &u, sizeof d);
      mv_format_double(zA, d);
      for(p=15; p<=17; p++){
        snprintf(zB, sizeof zB, "%.*g", p, d);
        if( strtod(zB, 0)==d ) break;
      }
      if( strcmp(zA, zB)!=0 ){ nBad++; printf("! double %.17g: %s, not %s\n", d, zA, zB); }
    }
    CHECK(nBad==0);
    /* every float of %g's fixed range, by random mantissa and exponent */
    for(i=0, nBad=0; i<300000 && nBad<5; i++){
      char zA[40], zB[40];
      uint32_t u;
      float f;
      int p;
      x ^= x<<13; x ^= x>>7; x ^= x<<17;
      u = (uint32_t)(x & 0x807fffff) | (uint32_t)(112 + (x>>40)%36)<<23;
      memcpy(&f, &u, sizeof f);
      mv_format_float(zA, f);
      for(p=6; p<=9; p++){
        snprintf(zB, sizeof zB, "%.*g", p, (double)f);
        if( strtof(zB, 0)==f ) break;
      }
      if( strcmp(zA, zB)!=0 ){ nBad++; printf("! float %.9g: %s, not %s\n", (double)f, zA, zB); }
    }
    CHECK(nBad==0);
  }
  /* mv_json_string scans 8 bytes at a time, mv_to_utf8 copies valid runs
  ** whole: random strings of every length up to 40 from ASCII, every
  ** special byte and valid and broken UTF-8. */
  {
    static const char *aPiece[] = { "a", "Z", " ", "~", "\"", "\\", "\n", "\x01",
      "\x1f", "\x7f", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xe6\xbc\xa2", "\xc3",
      "\xff", "\xed\xa0\x80", "/", "0123456789", "\xe0\x80\xaf", "\xc0\xaf",
      "\xe0\xa0\x80", "\xed\x9f\xbf", "\xef\xbf\xbf", "\xdf\xbf", "\xc2\x80",
      "\xe2\x82", "\xf4\x90\x80\x80" };
    unsigned long long x = 0x9e3779b97f4a7c15ull;
    int i, nBad = 0;
    mv_buf a, r;
    mv_buf_init(&a); mv_buf_init(&r);
    for(i=0; i<200000 && nBad<3; i++){
      char z[400];
      size_t n = 0;
      int k, nPiece;
      x ^= x<<13; x ^= x>>7; x ^= x<<17;
      nPiece = (int)(x % 24);
      for(k=0; k<nPiece; k++){
        const char *p;
        x ^= x<<13; x ^= x>>7; x ^= x<<17;
        p = aPiece[(x>>20) % (sizeof aPiece/sizeof aPiece[0])];
        memcpy(z+n, p, strlen(p)); n += strlen(p);
      }
      mv_buf_reset(&a); mv_buf_reset(&r);
      mv_json_string(&a, z, n);
      refJsonString(&r, (const unsigned char*)z, n);
      if( a.n!=r.n || memcmp(a.z, r.z, a.n)!=0 ){
        nBad++;
        printf("! mv_json_string differs: %.*s vs %.*s\n", (int)a.n, a.z, (int)r.n, r.z);
      }
      mv_buf_reset(&a); mv_buf_reset(&r);
      mv_to_utf8(&a, MV_CS_UTF8, z, n);
      refUtf8Copy(&r, (const unsigned char*)z, n);
      if( a.n!=r.n || (a.n && memcmp(a.z, r.z, a.n)!=0) ){
        nBad++;
        printf("! mv_to_utf8 differs: %.*s vs %.*s\n", (int)a.n, a.z, (int)r.n, r.z);
      }
    }
    CHECK(nBad==0);
    mv_buf_free(&a); mv_buf_free(&r);
  }
  /* integers against printf: both sides of every power of ten and of
  ** 2^32 (where the digit loops change), and random values of every width */
  {
    unsigned long long x = 0x2545f4914f6cdd1dull, p10 = 1;
    int i, nBad = 0;
    for(i=0; i<64 && nBad<3; i++){
      unsigned long long a[6];
      int k;
      a[0] = 1ull<<i; a[1] = a[0]-1; a[2] = p10; a[3] = p10-1;
      x ^= x<<13; x ^= x>>7; x ^= x<<17;
      a[4] = x >> (63-i); a[5] = (unsigned long long)INT64_MAX - (x>>i);
      if( i<19 ) p10 *= 10;
      for(k=0; k<6; k++){
        char zWant[48];
        snprintf(zWant, sizeof zWant, "%llu", a[k]);
        if( strcmp(json(vUint(a[k])), zWant)!=0 ){ nBad++; printf("! %s\n", zWant); }
        snprintf(zWant, sizeof zWant, "%lld", -(long long)(a[k] & INT64_MAX));
        if( strcmp(json(vInt(-(int64_t)(a[k] & INT64_MAX))), zWant)!=0 ){
          nBad++; printf("! %s\n", zWant);
        }
      }
    }
    CHECK(nBad==0);
    CHECK_STR(json(vUint(10000000000000000000ull)), "10000000000000000000");
    CHECK_STR(json(vUint(9999999999999999999ull)), "9999999999999999999");
    CHECK_STR(json(vUint(4294967296ull)), "4294967296");
    CHECK_STR(json(vUint(4294967295ull)), "4294967295");
  }
  /* strings longer than a chunk (64 KB): the same bytes, whichever byte of
  ** a 2-, 3- or 4-byte sequence, valid or broken, falls on the cut */
  {
    static const char *aPat[] = { "ab\"\x01\xc3\xa9\xff\n", "x\xf0\x9f\x98\x80",
      "\xe6\xbc\xa2", "\x80\x80\x80\x80\x80", "\xf0\x9f\x98" };
    size_t n = 200000, i, off;
    int k, nBad = 0;
    char *z = malloc(n);
    mv_buf a, r;
    mv_buf_init(&a); mv_buf_init(&r);
    for(k=0; k<5; k++){
      size_t np = strlen(aPat[k]);
      for(off=0; off<8; off++){
        for(i=0; i<n; i++) z[i] = i<off ? 'q' : aPat[k][(i-off)%np];
        mv_buf_reset(&a); mv_buf_reset(&r);
        mv_json_string(&a, z, n);
        refJsonString(&r, (const unsigned char*)z, n);
        if( a.n!=r.n || memcmp(a.z, r.z, a.n)!=0 ) nBad++;
      }
    }
    CHECK(nBad==0);
    mv_buf_free(&a); mv_buf_free(&r);
    free(z);
  }
  /* a row: keys longer and shorter than the block they are copied in,
  ** text in UTF-8 and latin1 side by side (the row's charset cache) */
  {
    const char *azName[4] = { "a_name_longer_than_sixteen_bytes", "b", 0, "d" };
    mv_value aVal[4];
    mv_row_keys k;
    mv_buf b;
    aVal[0] = vStr(MV_TEXT, 8, "caf\xe9", 4);
    aVal[1] = vStr(MV_TEXT, MV_CS_UTF8, "caf\xc3\xa9", 5);
    aVal[2] = vStr(MV_TEXT, 8, "\xe9", 1);
    aVal[3] = vInt(-5);
    mv_row_keys_init(&k); mv_buf_init(&b);
    CHECK(mv_row_keys_set(&k, 4, azName)==0);
    mv_encode_row_keyed(&b, &k, aVal);
    CHECK_STR(mv_buf_cstr(&b), "{\"a_name_longer_than_sixteen_bytes\":\"caf\xc3\xa9\","
              "\"b\":\"caf\xc3\xa9\",\"@3\":\"\xc3\xa9\",\"d\":-5}");
    mv_row_keys_free(&k); mv_buf_free(&b);
  }
  /* UTF-8 validity, which the references above share with the code */
  CHECK(mv_utf8_len("\xc3\xa9", 2)==2 && mv_utf8_len("\xc3", 1)==0);
  CHECK(mv_utf8_len("\xc0\xaf", 2)==0 && mv_utf8_len("\xc2\x80", 2)==2);
  CHECK(mv_utf8_len("\xe0\x80\xaf", 3)==0 && mv_utf8_len("\xe0\xa0\x80", 3)==3);
  CHECK(mv_utf8_len("\xed\xa0\x80", 3)==0 && mv_utf8_len("\xed\x9f\xbf", 3)==3);
  CHECK(mv_utf8_len("\xf0\x9f\x98\x80", 4)==4 && mv_utf8_len("\xf0\x8f\xbf\xbf", 4)==0);
  CHECK(mv_utf8_len("\xf4\x90\x80\x80", 4)==0 && mv_utf8_len("\xf0\x9f\x98", 3)==0);
  CHECK(mv_utf8_len("\xff", 1)==0 && mv_utf8_len("\x80", 1)==0);
  /* which collation ids pass through as UTF-8 */
  CHECK(mv_charset_is_utf8(45) && mv_charset_is_utf8(33) && mv_charset_is_utf8(11)
        && mv_charset_is_utf8(63) && mv_charset_is_utf8(MV_CS_UTF8)
        && mv_charset_is_utf8(MV_CS_UNKNOWN) && mv_charset_is_utf8(4000));
  CHECK(!mv_charset_is_utf8(8) && !mv_charset_is_utf8(28) && !mv_charset_is_utf8(54));
  CHECK_STR(mv_charset_name(8), "latin1");
  UNIT_DONE();
}
