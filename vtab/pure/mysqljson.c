/*
** mysqljson.c — MySQL's binary JSON (sql-common/json_binary.cc) to the text
** MySQL prints for it, and the PARTIAL_UPDATE_ROWS JSON diffs
** (sql/json_diff.cc: mysqljson_diff.c); see mysqljson.h. No SQLite.
**
** Binary value: one type byte, then the data.
**   0x00/0x01  small/large object     0x02/0x03  small/large array
**   0x04 literal (0 null, 1 true, 2 false)
**   0x05 int16  0x06 uint16  0x07 int32  0x08 uint32  0x09 int64
**   0x0a uint64 0x0b double (all little-endian)
**   0x0c utf8mb4 string: variable-length length, bytes
**   0x0f opaque: MySQL field type byte, variable-length length, bytes
** A container is: element count, byte size (2 bytes each when small, 4 when
** large), then for objects count key entries (offset, 2-byte length), then
** count value entries (type byte, offset or inlined value), then the keys
** and values. Offsets count from the count field. Literals and 16-bit
** integers are inlined in the entry; 32-bit ones too in large containers.
** The variable-length length has 7 bits a byte, low first, high bit set
** on every byte but the last, at most 5 bytes.
**
** Text: exactly as JSON_EXTRACT(col, '$') prints (Json_wrapper::to_string):
** ", " between elements, ": " after keys; doubles through my_gcvt rules
** plus ".0" when neither '.' nor 'e' appears; DECIMAL with its own scale;
** DATE/TIME/DATETIME/TIMESTAMP as quoted strings with 6 fraction digits;
** other opaque values as "base64:typeNN:..." (MIME base64, a newline every
** 76 characters, escaped); opaque VAR_STRING as a plain string.
**
** The diffs of PARTIAL_UPDATE_ROWS are applied in mysqljson_diff.c.
*/
#include "mysqljson.h"
#include "mysqljson_int.h"
#include "bytes.h"
#include "encode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- errors */

int mvj_fail(jctx *j, const char *zFmt, ...){
  va_list ap;
  if( !j->failed && j->zErr && j->nErr ){
    va_start(ap, zFmt);
    vsnprintf(j->zErr, j->nErr, zFmt, ap);
    va_end(ap);
  }
  j->failed = 1;
  return 1;
}

/* ------------------------------------------------------------- text output */


/* A JSON string as MySQL's double_quote() writes it ('"' and '\\' escaped,
** control characters as \b \t \n \f \r or lower-case \u00xx) is exactly the
** shared encoder's JSON string (invalid UTF-8, never in MySQL's own values,
** becomes U+FFFD there so that the output stays valid JSON). */
#define jstring mv_json_string

/* A double as MySQL's JSON printer writes it: my_gcvt(d, DOUBLE, 34) —
** the shortest digits that read back to d, 'f' format when the decimal
** exponent allows (-14 <= decpt <= 15, or all 17 digits with decpt 16),
** else "D.DDDe[-]X" — then ".0" when neither '.' nor 'e' appeared. */
static int fmtDouble(mv_buf *b, double d){
  char t[40], dig[20];
  int p, len = 0, decpt, neg, i, e;
  char *s;
  if( !isfinite(d) ) return 1;
  neg = signbit(d) ? 1 : 0;
  if( d==0 ){
    mv_buf_str(b, neg ? "-0.0" : "0.0");
    return 0;
  }
  for(p=0; p<=16; p++){
    snprintf(t, sizeof t, "%.*e", p, fabs(d));
    if( strtod(t, 0)==fabs(d) ) break;
  }
  /* t is "D.DDDDe[+-]XX": collect the digits and the exponent */
  for(s=t; *s && *s!='e'; s++){
    if( *s>='0' && *s<='9' ) dig[len++] = *s;
  }
  e = atoi(s+1);
  while( len>1 && dig[len-1]=='0' ) len--;
  decpt = e + 1;
  if( neg ) mv_buf_char(b, '-');
  if( decpt>=-14 && (decpt<=15 || len>decpt) ){
    int dot = 0;
    if( decpt<=0 ){
      mv_buf_append(b, "0.", 2);
      dot = 1;
      for(i=decpt; i<0; i++) mv_buf_char(b, '0');
      mv_buf_append(b, dig, (size_t)len);
    }else{
      for(i=1; i<=len; i++){
        mv_buf_char(b, dig[i-1]);
        if( i==decpt && i<len ){ mv_buf_char(b, '.'); dot = 1; }
      }
      for(; i<=decpt; i++) mv_buf_char(b, '0');
    }
    if( !dot ) mv_buf_append(b, ".0", 2);
  }else{
    int x = decpt - 1;
    mv_buf_char(b, dig[0]);
    if( len>1 ){
      mv_buf_char(b, '.');
      mv_buf_append(b, dig+1, (size_t)len-1);
    }
    mv_buf_char(b, 'e');
    if( x<0 ){ mv_buf_char(b, '-'); x = -x; }
    mv_append_u64(b, (uint64_t)x);
  }
  return 0;
}

/* ---------------------------------------------------------- binary values */

#define JB_SMALL_OBJ 0x00
#define JB_LARGE_OBJ 0x01
#define JB_SMALL_ARR 0x02
#define JB_LARGE_ARR 0x03
#define JB_LITERAL   0x04
#define JB_INT16     0x05
#define JB_UINT16    0x06
#define JB_INT32     0x07
#define JB_UINT32    0x08
#define JB_INT64     0x09
#define JB_UINT64    0x0a
#define JB_DOUBLE    0x0b
#define JB_STRING    0x0c
#define JB_OPAQUE    0x0f

/* MySQL field types that opaque values carry with a meaning of their own. */
#define FT_TIMESTAMP   7
#define FT_DATE        10
#define FT_TIME        11
#define FT_DATETIME    12
#define FT_VAR_STRING  253
#define FT_NEWDECIMAL  246

/* Variable-length length: 7 bits a byte, at most 5 bytes, below 2^32. */
static int readVarLen(const uint8_t *p, size_t n, uint32_t *pLen,
                      size_t *pUsed){
  uint64_t v = 0;
  size_t i;
  for(i=0; i<5 && i<n; i++){
    v |= (uint64_t)(p[i] & 0x7f) << (7*i);
    if( (p[i] & 0x80)==0 ){
      if( v>0xffffffffu ) return 1;
      *pLen = (uint32_t)v;
      *pUsed = i+1;
      return 0;
    }
  }
  return 1;
}


/* DECIMAL in a JSON opaque: precision byte, scale byte, then MySQL's
** binary decimal (encode.h), printed as decimal2string does: leading zeros
** dropped, exactly `scale` fraction digits. */
static int decimalText(jctx *j, const uint8_t *p, size_t n){
  char z[MV_DECIMAL_TEXT_MAX];
  int prec, scale, size, len;
  if( n<2 ) return mvj_fail(j, "DECIMAL value of %zu bytes", n);
  prec = p[0];
  scale = p[1];
  size = scale>30 ? -1 : mv_decimal_size(prec, scale);
  if( size<0 ){
    return mvj_fail(j, "DECIMAL precision %d scale %d out of range", prec, scale);
  }
  if( (size_t)size != n-2 ){
    return mvj_fail(j, "DECIMAL(%d,%d) needs %d bytes, has %zu", prec, scale,
                 size, n-2);
  }
  if( (len = mv_decimal_text(p+2, prec, scale, z))<0 ){
    return mvj_fail(j, "bad DECIMAL digits");
  }
  mv_buf_append(j->out, z, (size_t)len);
  return 0;
}

/* DATE/TIME/DATETIME/TIMESTAMP in a JSON opaque: 8 bytes, little-endian,
** MySQL's packed longlong (TIME_from_longlong_*_packed), printed as
** my_TIME_to_str(t, 6) does, in quotes. */
static int temporalText(jctx *j, int ft, const uint8_t *p, size_t n){
  int64_t v;
  uint64_t u, intpart;
  unsigned frac;
  char t[64];
  int neg, len;
  mv_reader r;
  if( n!=8 ) return mvj_fail(j, "temporal value of %zu bytes, not 8", n);
  mvr_init(&r, p, n);
  v = (int64_t)mvr_u64(&r);
  neg = v<0;
  u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  frac = (unsigned)(u % (1u<<24));
  intpart = u >> 24;
  if( ft==FT_TIME ){
    unsigned hour = (unsigned)((intpart >> 12) % (1u<<10));
    unsigned minute = (unsigned)((intpart >> 6) % (1u<<6));
    unsigned second = (unsigned)(intpart % (1u<<6));
    len = snprintf(t, sizeof t, "\"%s%02u:%02u:%02u.%06u\"", neg ? "-" : "",
                   hour, minute, second, frac % 1000000u);
  }else{
    uint64_t ymd = intpart >> 17, ym = ymd >> 5, hms = intpart % (1u<<17);
    unsigned day = (unsigned)(ymd % (1u<<5));
    unsigned month = (unsigned)(ym % 13);
    unsigned year = (unsigned)((ym / 13) % 10000);
    unsigned second = (unsigned)(hms % (1u<<6));
    unsigned minute = (unsigned)((hms >> 6) % (1u<<6));
    unsigned hour = (unsigned)(hms >> 12);
    if( ft==FT_DATE ){
      len = snprintf(t, sizeof t, "\"%04u-%02u-%02u\"", year, month, day);
    }else{
      len = snprintf(t, sizeof t, "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"",
                     year, month, day, hour, minute, second,
                     frac % 1000000u);
    }
  }
  mv_buf_append(j->out, t, (size_t)len);
  return 0;
}

/* "base64:typeNN:" + MIME base64 (a newline after every 76 characters),
** as one JSON string. */
static void opaqueText(jctx *j, int ft, const uint8_t *p, size_t n){
  static const char aB64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  mv_buf *b = j->out;
  size_t i = 0, col = 0;
  char t[24];
  int len = snprintf(t, sizeof t, "\"base64:type%d:", ft);
  mv_buf_append(b, t, (size_t)len);
  while( i<n ){
    uint32_t c = (uint32_t)p[i] << 16;
    char q[4];
    if( col==76 ){ mv_buf_append(b, "\\n", 2); col = 0; }
    if( i+1<n ) c |= (uint32_t)p[i+1] << 8;
    if( i+2<n ) c |= p[i+2];
    q[0] = aB64[(c>>18) & 63];
    q[1] = aB64[(c>>12) & 63];
    q[2] = i+1<n ? aB64[(c>>6) & 63] : '=';
    q[3] = i+2<n ? aB64[c & 63] : '=';
    mv_buf_append(b, q, 4);
    col += 4;
    i += 3;
  }
  mv_buf_char(b, '"');
}

static int valueText(jctx *j, int type, const uint8_t *p, size_t n,
                     int depth, size_t base);

/* An object or array at p[n] (n: bytes up to the end of the enclosing
** value); base is p's offset in the whole value, for messages. */
static int containerText(jctx *j, int type, const uint8_t *p, size_t n,
                         int depth, size_t base){
  int large = (type==JB_LARGE_OBJ || type==JB_LARGE_ARR);
  int isObj = (type==JB_SMALL_OBJ || type==JB_LARGE_OBJ);
  size_t osz = large ? 4 : 2;
  size_t count, size, hdr, i, keyEntry = osz + 2, valEntry = 1 + osz;
  mv_reader r;
  if( depth>=MVJ_MAX_DEPTH ){
    return mvj_fail(j, "nesting deeper than %d at offset %zu", MVJ_MAX_DEPTH,
                 base);
  }
  mvr_init(&r, p, n);
  count = (size_t)mvr_le(&r, (int)osz);
  size = (size_t)mvr_le(&r, (int)osz);
  if( !mvr_ok(&r) ){
    return mvj_fail(j, "%s header truncated at offset %zu",
                 isObj ? "object" : "array", base);
  }
  if( size>n ){
    return mvj_fail(j, "%s at offset %zu claims %zu bytes, only %zu remain",
                 isObj ? "object" : "array", base, size, n);
  }
  /* count*entries must fit: divide first so that nothing overflows */
  if( count > size / (isObj ? keyEntry + valEntry : valEntry) ){
    return mvj_fail(j, "%s at offset %zu: %zu elements do not fit in %zu bytes",
                 isObj ? "object" : "array", base, count, size);
  }
  hdr = 2*osz + count*(isObj ? keyEntry + valEntry : valEntry);
  if( hdr>size ){
    return mvj_fail(j, "%s at offset %zu: header past its %zu bytes",
                 isObj ? "object" : "array", base, size);
  }
  mv_buf_char(j->out, isObj ? '{' : '[');
  for(i=0; i<count; i++){
    const uint8_t *ve = p + 2*osz + (isObj ? count*keyEntry : 0) + i*valEntry;
    int vt = ve[0];
    uint64_t off;
    mv_reader e;
    if( i>0 ) mv_buf_append(j->out, ", ", 2);
    if( isObj ){
      const uint8_t *ke = p + 2*osz + i*keyEntry;
      size_t koff, klen;
      mvr_init(&e, ke, keyEntry);
      koff = (size_t)mvr_le(&e, (int)osz);
      klen = mvr_u16(&e);
      if( koff>size || klen>size-koff || koff<hdr ){
        return mvj_fail(j, "key %zu of the object at offset %zu out of bounds",
                     i, base);
      }
      jstring(j->out, (const char*)p+koff, klen);
      mv_buf_append(j->out, ": ", 2);
    }
    mvr_init(&e, ve+1, osz);
    off = mvr_le(&e, (int)osz);
    switch( vt ){
      case JB_LITERAL:
        if( off==0 ) mv_buf_append(j->out, "null", 4);
        else if( off==1 ) mv_buf_append(j->out, "true", 4);
        else if( off==2 ) mv_buf_append(j->out, "false", 5);
        else return mvj_fail(j, "bad literal %llu at offset %zu",
                          (unsigned long long)off, base + (size_t)(ve-p));
        continue;
      case JB_INT16:
        mv_append_i64(j->out, (int16_t)(uint16_t)off);
        continue;
      case JB_UINT16:
        mv_append_u64(j->out, (uint16_t)off);
        continue;
      case JB_INT32:
        if( large ){ mv_append_i64(j->out, (int32_t)(uint32_t)off); continue; }
        break;
      case JB_UINT32:
        if( large ){ mv_append_u64(j->out, (uint32_t)off); continue; }
        break;
      default:
        break;
    }
    if( off<hdr || off>=size ){
      return mvj_fail(j, "value %zu of the %s at offset %zu: offset %llu out of "
                   "bounds", i, isObj ? "object" : "array", base,
                   (unsigned long long)off);
    }
    if( valueText(j, vt, p+off, size-(size_t)off, depth+1,
                  base+(size_t)off) ) return 1;
  }
  mv_buf_char(j->out, isObj ? '}' : ']');
  return 0;
}

/* The value of type `type` whose data starts at p (n bytes available). */
static int valueText(jctx *j, int type, const uint8_t *p, size_t n,
                     int depth, size_t base){
  mv_reader r;
  mvr_init(&r, p, n);
  switch( type ){
    case JB_SMALL_OBJ: case JB_LARGE_OBJ: case JB_SMALL_ARR: case JB_LARGE_ARR:
      return containerText(j, type, p, n, depth, base);
    case JB_LITERAL: {
      int v = mvr_u8(&r);
      if( !mvr_ok(&r) ) break;
      if( v==0 ) mv_buf_append(j->out, "null", 4);
      else if( v==1 ) mv_buf_append(j->out, "true", 4);
      else if( v==2 ) mv_buf_append(j->out, "false", 5);
      else return mvj_fail(j, "bad literal %d at offset %zu", v, base);
      return 0;
    }
    case JB_INT16: {
      int16_t v = (int16_t)mvr_u16(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_i64(j->out, v);
      return 0;
    }
    case JB_UINT16: {
      uint16_t v = mvr_u16(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_u64(j->out, v);
      return 0;
    }
    case JB_INT32: {
      int32_t v = (int32_t)mvr_u32(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_i64(j->out, v);
      return 0;
    }
    case JB_UINT32: {
      uint32_t v = mvr_u32(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_u64(j->out, v);
      return 0;
    }
    case JB_INT64: {
      int64_t v = (int64_t)mvr_u64(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_i64(j->out, v);
      return 0;
    }
    case JB_UINT64: {
      uint64_t v = mvr_u64(&r);
      if( !mvr_ok(&r) ) break;
      mv_append_u64(j->out, v);
      return 0;
    }
    case JB_DOUBLE: {
      double d = mvr_f64(&r);
      if( !mvr_ok(&r) ) break;
      if( fmtDouble(j->out, d) ){
        return mvj_fail(j, "double at offset %zu is not finite", base);
      }
      return 0;
    }
    case JB_STRING: {
      uint32_t len;
      size_t used;
      if( readVarLen(p, n, &len, &used) || len>n-used ){
        return mvj_fail(j, "string at offset %zu: bad or truncated length",
                     base);
      }
      jstring(j->out, (const char*)p+used, len);
      return 0;
    }
    case JB_OPAQUE: {
      uint32_t len;
      size_t used;
      int ft;
      if( n<1 ) break;
      ft = p[0];
      if( readVarLen(p+1, n-1, &len, &used) || len>n-1-used ){
        return mvj_fail(j, "opaque value at offset %zu: bad or truncated length",
                     base);
      }
      p += 1 + used;
      switch( ft ){
        case FT_NEWDECIMAL:
          return decimalText(j, p, len);
        case FT_DATE: case FT_TIME: case FT_DATETIME: case FT_TIMESTAMP:
          return temporalText(j, ft, p, len);
        case FT_VAR_STRING:
          jstring(j->out, (const char*)p, len);
          return 0;
        default:
          opaqueText(j, ft, p, len);
          return 0;
      }
    }
    default:
      return mvj_fail(j, "unknown value type 0x%02x at offset %zu", type,
                   base ? base-1 : 0);
  }
  return mvj_fail(j, "value of type 0x%02x truncated at offset %zu", type, base);
}

int mvj_binary_to_text(const uint8_t *p, size_t n, mv_buf *out,
                       char *zErr, size_t nErr){
  jctx j;
  size_t start = out->n;
  j.out = out; j.zErr = zErr; j.nErr = nErr; j.failed = 0;
  if( n<1 ){
    mvj_fail(&j, "empty binary JSON value");
    return 1;
  }
  if( valueText(&j, p[0], p+1, n-1, 0, 1) ){
    out->n = start;
    return 1;
  }
  if( out->oom ){
    out->n = start;
    mvj_fail(&j, "out of memory");
    return 1;
  }
  return 0;
}

