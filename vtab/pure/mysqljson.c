/*
** mysqljson.c — MySQL's binary JSON (sql-common/json_binary.cc) to the text
** MySQL prints for it, and the PARTIAL_UPDATE_ROWS JSON diffs
** (sql/json_diff.cc); see mysqljson.h. No SQLite.
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
** Diffs (Json_diff_vector::read_binary, after its 4-byte total length):
** per diff an operation byte (0 REPLACE, 1 INSERT, 2 REMOVE), the path
** length (packed integer) and path text, and for REPLACE/INSERT the value
** length (packed integer) and binary value. They are applied in order to a
** small tree parsed from the before text, with MySQL's rules
** (apply_json_diffs): REPLACE needs the path to exist, INSERT needs the
** parent and, in an object, a new key (placed in MySQL's key order: shorter
** keys first, then bytewise), REMOVE needs the path to exist.
*/
#include "mysqljson.h"
#include "bytes.h"
#include "encode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- errors */

typedef struct jctx {
  mv_buf *out;
  char *zErr;
  size_t nErr;
  int failed;
} jctx;

static int jfail(jctx *j, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));
static int jfail(jctx *j, const char *zFmt, ...){
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
  if( n<2 ) return jfail(j, "DECIMAL value of %zu bytes", n);
  prec = p[0];
  scale = p[1];
  size = scale>30 ? -1 : mv_decimal_size(prec, scale);
  if( size<0 ){
    return jfail(j, "DECIMAL precision %d scale %d out of range", prec, scale);
  }
  if( (size_t)size != n-2 ){
    return jfail(j, "DECIMAL(%d,%d) needs %d bytes, has %zu", prec, scale,
                 size, n-2);
  }
  if( (len = mv_decimal_text(p+2, prec, scale, z))<0 ){
    return jfail(j, "bad DECIMAL digits");
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
  if( n!=8 ) return jfail(j, "temporal value of %zu bytes, not 8", n);
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
    return jfail(j, "nesting deeper than %d at offset %zu", MVJ_MAX_DEPTH,
                 base);
  }
  mvr_init(&r, p, n);
  count = (size_t)mvr_le(&r, (int)osz);
  size = (size_t)mvr_le(&r, (int)osz);
  if( !mvr_ok(&r) ){
    return jfail(j, "%s header truncated at offset %zu",
                 isObj ? "object" : "array", base);
  }
  if( size>n ){
    return jfail(j, "%s at offset %zu claims %zu bytes, only %zu remain",
                 isObj ? "object" : "array", base, size, n);
  }
  /* count*entries must fit: divide first so that nothing overflows */
  if( count > size / (isObj ? keyEntry + valEntry : valEntry) ){
    return jfail(j, "%s at offset %zu: %zu elements do not fit in %zu bytes",
                 isObj ? "object" : "array", base, count, size);
  }
  hdr = 2*osz + count*(isObj ? keyEntry + valEntry : valEntry);
  if( hdr>size ){
    return jfail(j, "%s at offset %zu: header past its %zu bytes",
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
        return jfail(j, "key %zu of the object at offset %zu out of bounds",
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
        else return jfail(j, "bad literal %llu at offset %zu",
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
      return jfail(j, "value %zu of the %s at offset %zu: offset %llu out of "
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
      else return jfail(j, "bad literal %d at offset %zu", v, base);
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
        return jfail(j, "double at offset %zu is not finite", base);
      }
      return 0;
    }
    case JB_STRING: {
      uint32_t len;
      size_t used;
      if( readVarLen(p, n, &len, &used) || len>n-used ){
        return jfail(j, "string at offset %zu: bad or truncated length",
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
        return jfail(j, "opaque value at offset %zu: bad or truncated length",
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
      return jfail(j, "unknown value type 0x%02x at offset %zu", type,
                   base ? base-1 : 0);
  }
  return jfail(j, "value of type 0x%02x truncated at offset %zu", type, base);
}

int mvj_binary_to_text(const uint8_t *p, size_t n, mv_buf *out,
                       char *zErr, size_t nErr){
  jctx j;
  size_t start = out->n;
  j.out = out; j.zErr = zErr; j.nErr = nErr; j.failed = 0;
  if( n<1 ){
    jfail(&j, "empty binary JSON value");
    return 1;
  }
  if( valueText(&j, p[0], p+1, n-1, 0, 1) ){
    out->n = start;
    return 1;
  }
  if( out->oom ){
    out->n = start;
    jfail(&j, "out of memory");
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------- the text tree */

/* A node of a parsed JSON text. Scalars keep their text (a span of the
** document, or of a diff value's text); containers hold their children;
** a child of an object carries its key, decoded to UTF-8. */
typedef struct jnode jnode;
struct jnode {
  int kind;                 /* 0 scalar, 1 object, 2 array */
  const char *z;            /* scalar text */
  size_t n;
  jnode **a;                /* children */
  size_t nChild, nAlloc;
  char *zKey;               /* key, when the parent is an object */
  size_t nKey;
  jnode *pAll;              /* every node, for freeing */
};

#define JN_SCALAR 0
#define JN_OBJECT 1
#define JN_ARRAY  2

typedef struct jtree {
  jctx *j;
  jnode *pAll;              /* list of all nodes */
  mv_buf *aText;            /* texts of the diff values */
  size_t nText, nTextAlloc;
} jtree;

static jnode *newNode(jtree *t, int kind){
  jnode *p = calloc(1, sizeof *p);
  if( p==0 ){ jfail(t->j, "out of memory"); return 0; }
  p->kind = kind;
  p->pAll = t->pAll;
  t->pAll = p;
  return p;
}

static void freeTree(jtree *t){
  jnode *p, *q;
  size_t i;
  for(p=t->pAll; p; p=q){
    q = p->pAll;
    free(p->a);
    free(p->zKey);
    free(p);
  }
  for(i=0; i<t->nText; i++) mv_buf_free(&t->aText[i]);
  free(t->aText);
  t->pAll = 0;
}

static int addChild(jtree *t, jnode *parent, size_t at, jnode *child){
  if( parent->nChild==parent->nAlloc ){
    size_t nNew = parent->nAlloc ? parent->nAlloc*2 : 4;
    jnode **a = realloc(parent->a, nNew * sizeof *a);
    if( a==0 ) return jfail(t->j, "out of memory");
    parent->a = a;
    parent->nAlloc = nNew;
  }
  if( at>parent->nChild ) at = parent->nChild;
  memmove(parent->a+at+1, parent->a+at, (parent->nChild-at) * sizeof *parent->a);
  parent->a[at] = child;
  parent->nChild++;
  return 0;
}

typedef struct jparse {
  const char *z;
  size_t n, i;
} jparse;

static void skipWs(jparse *s){
  while( s->i<s->n && (s->z[s->i]==' ' || s->z[s->i]=='\t'
                    || s->z[s->i]=='\n' || s->z[s->i]=='\r') ) s->i++;
}

static int hexVal(int c){
  if( c>='0' && c<='9' ) return c - '0';
  if( c>='a' && c<='f' ) return c - 'a' + 10;
  if( c>='A' && c<='F' ) return c - 'A' + 10;
  return -1;
}

static size_t putUtf8(char *o, uint32_t cp){
  if( cp<0x80 ){ o[0] = (char)cp; return 1; }
  if( cp<0x800 ){
    o[0] = (char)(0xc0 | (cp>>6)); o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if( cp<0x10000 ){
    o[0] = (char)(0xe0 | (cp>>12)); o[1] = (char)(0x80 | ((cp>>6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | (cp>>18)); o[1] = (char)(0x80 | ((cp>>12) & 0x3f));
  o[2] = (char)(0x80 | ((cp>>6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* Parse the JSON string at s->z[s->i] (the opening quote). With zOut
** (capacity: the string's raw length), write the decoded UTF-8 there.
** Returns the decoded length, or (size_t)-1 on a bad string. */
static size_t parseString(jparse *s, char *zOut){
  size_t o = 0;
  if( s->i>=s->n || s->z[s->i]!='"' ) return (size_t)-1;
  s->i++;
  while( s->i<s->n ){
    unsigned char c = (unsigned char)s->z[s->i++];
    if( c=='"' ) return o;
    if( c!='\\' ){
      if( zOut ) zOut[o] = (char)c;
      o++;
      continue;
    }
    if( s->i>=s->n ) return (size_t)-1;
    c = (unsigned char)s->z[s->i++];
    switch( c ){
      case '"': case '\\': case '/': break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'u': {
        uint32_t cp = 0;
        int k, h;
        char u[4];
        size_t m;
        if( s->n - s->i < 4 ) return (size_t)-1;
        for(k=0; k<4; k++){
          if( (h = hexVal(s->z[s->i+k]))<0 ) return (size_t)-1;
          cp = cp*16 + (uint32_t)h;
        }
        s->i += 4;
        if( cp>=0xd800 && cp<0xdc00 && s->n - s->i >= 6
         && s->z[s->i]=='\\' && s->z[s->i+1]=='u' ){
          uint32_t lo = 0;
          int ok = 1;
          for(k=0; k<4; k++){
            if( (h = hexVal(s->z[s->i+2+k]))<0 ){ ok = 0; break; }
            lo = lo*16 + (uint32_t)h;
          }
          if( ok && lo>=0xdc00 && lo<0xe000 ){
            cp = 0x10000 + ((cp - 0xd800)<<10) + (lo - 0xdc00);
            s->i += 6;
          }
        }
        if( cp>=0xd800 && cp<0xe000 ) cp = 0xfffd;
        m = putUtf8(u, cp);
        if( zOut ) memcpy(zOut+o, u, m);
        o += m;
        continue;
      }
      default:
        return (size_t)-1;
    }
    if( zOut ) zOut[o] = (char)c;
    o++;
  }
  return (size_t)-1;
}

/* Decode the string at s->z[s->i] into a new allocation. */
static int decodeString(jtree *t, jparse *s, char **pz, size_t *pn){
  size_t start = s->i, n;
  char *z;
  n = parseString(s, 0);
  if( n==(size_t)-1 ) return jfail(t->j, "bad string at offset %zu", start);
  z = malloc(n + 1);
  if( z==0 ) return jfail(t->j, "out of memory");
  s->i = start;
  parseString(s, z);
  z[n] = 0;
  *pz = z;
  *pn = n;
  return 0;
}

static jnode *parseValue(jtree *t, jparse *s, int depth){
  jnode *p;
  size_t start;
  skipWs(s);
  if( s->i>=s->n ){ jfail(t->j, "JSON text ends early"); return 0; }
  start = s->i;
  switch( s->z[s->i] ){
    case '{': case '[': {
      int isObj = s->z[s->i]=='{';
      char close = isObj ? '}' : ']';
      if( depth>=MVJ_MAX_DEPTH ){
        jfail(t->j, "JSON text nested deeper than %d", MVJ_MAX_DEPTH);
        return 0;
      }
      p = newNode(t, isObj ? JN_OBJECT : JN_ARRAY);
      if( p==0 ) return 0;
      s->i++;
      skipWs(s);
      if( s->i<s->n && s->z[s->i]==close ){ s->i++; return p; }
      for(;;){
        char *zKey = 0;
        size_t nKey = 0;
        jnode *c;
        if( isObj ){
          skipWs(s);
          if( decodeString(t, s, &zKey, &nKey) ) return 0;
          skipWs(s);
          if( s->i>=s->n || s->z[s->i]!=':' ){
            free(zKey);
            jfail(t->j, "JSON text: ':' expected at offset %zu", s->i);
            return 0;
          }
          s->i++;
        }
        c = parseValue(t, s, depth+1);
        if( c==0 ){ free(zKey); return 0; }
        c->zKey = zKey;
        c->nKey = nKey;
        if( addChild(t, p, p->nChild, c) ) return 0;
        skipWs(s);
        if( s->i<s->n && s->z[s->i]==',' ){ s->i++; continue; }
        if( s->i<s->n && s->z[s->i]==close ){ s->i++; return p; }
        jfail(t->j, "JSON text: ',' or '%c' expected at offset %zu", close,
              s->i);
        return 0;
      }
    }
    case '"':
      if( parseString(s, 0)==(size_t)-1 ){
        jfail(t->j, "JSON text: bad string at offset %zu", start);
        return 0;
      }
      break;
    default: {
      /* number or literal: a run of the characters they are made of */
      while( s->i<s->n ){
        char c = s->z[s->i];
        if( (c>='0' && c<='9') || (c>='a' && c<='z') || c=='-' || c=='+'
         || c=='.' || c=='E' ) s->i++;
        else break;
      }
      if( s->i==start ){
        jfail(t->j, "JSON text: unexpected '%c' at offset %zu", s->z[start],
              start);
        return 0;
      }
    }
  }
  p = newNode(t, JN_SCALAR);
  if( p==0 ) return 0;
  p->z = s->z + start;
  p->n = s->i - start;
  return p;
}

static int nodeDepth(const jnode *p){
  int d = 0, c;
  size_t i;
  if( p->kind==JN_SCALAR ) return 0;
  for(i=0; i<p->nChild; i++){
    c = nodeDepth(p->a[i]);
    if( c>d ) d = c;
  }
  return d + 1;
}

static void printNode(mv_buf *b, const jnode *p){
  size_t i;
  if( p->kind==JN_SCALAR ){
    mv_buf_append(b, p->z, p->n);
    return;
  }
  mv_buf_char(b, p->kind==JN_OBJECT ? '{' : '[');
  for(i=0; i<p->nChild; i++){
    if( i>0 ) mv_buf_append(b, ", ", 2);
    if( p->kind==JN_OBJECT ){
      jstring(b, p->a[i]->zKey, p->a[i]->nKey);
      mv_buf_append(b, ": ", 2);
    }
    printNode(b, p->a[i]);
  }
  mv_buf_char(b, p->kind==JN_OBJECT ? '}' : ']');
}

/* ------------------------------------------------------------- paths */

typedef struct jleg {
  int isMember;             /* 1: .name, 0: [index] */
  char *zName;              /* member name, decoded */
  size_t nName;
  uint64_t idx;             /* array index */
  int fromEnd;              /* [last-N] */
} jleg;

typedef struct jpath {
  jleg *a;
  size_t n;
} jpath;

static void freePath(jpath *p){
  size_t i;
  for(i=0; i<p->n; i++) free(p->a[i].zName);
  free(p->a);
  p->a = 0;
  p->n = 0;
}

/* Parse a diff path: '$' then legs .name, ."quoted", [N], [last], [last-N].
** Wildcards, ranges and '**' never appear in a diff and are errors. */
static int parsePath(jtree *t, const char *z, size_t n, jpath *out,
                     int iDiff){
  jparse s;
  s.z = z; s.n = n; s.i = 0;
  out->a = 0; out->n = 0;
  skipWs(&s);
  if( s.i>=n || z[s.i]!='$' ){
    return jfail(t->j, "diff %d: path '%.*s' does not start with '$'", iDiff,
                 (int)(n>60 ? 60 : n), z);
  }
  s.i++;
  for(;;){
    jleg leg;
    skipWs(&s);
    if( s.i>=n ) break;
    memset(&leg, 0, sizeof leg);
    if( z[s.i]=='.' ){
      s.i++;
      skipWs(&s);
      leg.isMember = 1;
      if( s.i<n && z[s.i]=='"' ){
        if( decodeString(t, &s, &leg.zName, &leg.nName) ) goto bad;
      }else{
        size_t st = s.i;
        while( s.i<n && z[s.i]!='.' && z[s.i]!='[' && z[s.i]!=' '
            && z[s.i]!='*' ) s.i++;
        if( s.i==st ) goto bad;
        leg.nName = s.i - st;
        leg.zName = malloc(leg.nName + 1);
        if( leg.zName==0 ) return jfail(t->j, "out of memory");
        memcpy(leg.zName, z+st, leg.nName);
        leg.zName[leg.nName] = 0;
      }
    }else if( z[s.i]=='[' ){
      s.i++;
      skipWs(&s);
      if( n-s.i>=4 && memcmp(z+s.i, "last", 4)==0 ){
        leg.fromEnd = 1;
        s.i += 4;
        skipWs(&s);
        if( s.i<n && z[s.i]=='-' ){
          s.i++;
          skipWs(&s);
          if( s.i>=n || z[s.i]<'0' || z[s.i]>'9' ) goto bad;
        }
      }else if( s.i>=n || z[s.i]<'0' || z[s.i]>'9' ){
        goto bad;
      }
      while( s.i<n && z[s.i]>='0' && z[s.i]<='9' ){
        if( leg.idx > 0xffffffffu ) goto bad;
        leg.idx = leg.idx*10 + (uint64_t)(z[s.i]-'0');
        s.i++;
      }
      skipWs(&s);
      if( s.i>=n || z[s.i]!=']' ) goto bad;
      s.i++;
    }else{
      goto bad;
    }
    {
      jleg *a = realloc(out->a, (out->n+1) * sizeof *a);
      if( a==0 ){ free(leg.zName); return jfail(t->j, "out of memory"); }
      out->a = a;
      out->a[out->n++] = leg;
    }
    continue;
  bad:
    free(leg.zName);
    return jfail(t->j, "diff %d: bad path '%.*s' at character %zu", iDiff,
                 (int)(n>60 ? 60 : n), z, s.i);
  }
  if( out->n==0 ){
    return jfail(t->j, "diff %d: the path is the whole document", iDiff);
  }
  return 0;
}

/* Position of array leg `leg` in an array of nSize elements (MySQL's
** first_array_index): may be past the end. */
static uint64_t legIndex(const jleg *leg, size_t nSize){
  if( !leg->fromEnd ) return leg->idx;
  if( leg->idx < nSize ) return nSize - 1 - leg->idx;
  return (uint64_t)-1;       /* before the start: out of bounds */
}

static jnode *findMember(jnode *obj, const jleg *leg, size_t *pAt){
  size_t i;
  for(i=0; i<obj->nChild; i++){
    jnode *c = obj->a[i];
    if( c->nKey==leg->nName && memcmp(c->zKey, leg->zName, c->nKey)==0 ){
      if( pAt ) *pAt = i;
      return c;
    }
  }
  return 0;
}

/* Follow legs [0, nLeg) from the root (seek_exact_path); NULL if absent. */
static jnode *seek(jnode *p, const jpath *path, size_t nLeg){
  size_t i;
  for(i=0; i<nLeg && p; i++){
    const jleg *leg = &path->a[i];
    if( p->kind==JN_ARRAY && !leg->isMember ){
      uint64_t k = legIndex(leg, p->nChild);
      p = k < p->nChild ? p->a[k] : 0;
    }else if( p->kind==JN_OBJECT && leg->isMember ){
      p = findMember(p, leg, 0);
    }else{
      p = 0;
    }
  }
  return p;
}

/* MySQL's key order (Json_key_comparator): shorter first, then bytes. */
static int keyCmp(const char *a, size_t na, const char *b, size_t nb){
  if( na!=nb ) return na<nb ? -1 : 1;
  return memcmp(a, b, na);
}

/* Read a packed (net_field_length) integer, bounds-checked. */
static int readPacked(mv_reader *r, uint64_t *pv){
  *pv = mvr_lenenc(r);
  return !mvr_ok(r);
}

int mvj_apply_diff(const char *zDoc, size_t nDoc, const uint8_t *diff,
                   size_t nDiff, mv_buf *out, char *zErr, size_t nErr){
  jctx j;
  jtree t;
  jparse s;
  jnode *root;
  mv_reader r;
  int iDiff = 0, rc = 1;
  size_t start = out->n;
  jpath path = {0, 0};

  j.out = out; j.zErr = zErr; j.nErr = nErr; j.failed = 0;
  memset(&t, 0, sizeof t);
  t.j = &j;
  s.z = zDoc; s.n = nDoc; s.i = 0;
  root = parseValue(&t, &s, 0);
  if( root==0 ) goto done;
  skipWs(&s);
  if( s.i!=s.n ){
    jfail(&j, "JSON text: trailing characters at offset %zu", s.i);
    goto done;
  }

  mvr_init(&r, diff, nDiff);
  while( mvr_left(&r)>0 ){
    size_t at = (size_t)(r.p - diff);
    int op = mvr_u8(&r);
    uint64_t nPath, nVal = 0;
    const char *zPath;
    const uint8_t *pVal = 0;
    jnode *val = 0, *parent;
    const jleg *last;
    iDiff++;
    if( op>2 ){
      jfail(&j, "diff %d at byte %zu: unknown operation %d", iDiff, at, op);
      goto done;
    }
    if( readPacked(&r, &nPath) || nPath>mvr_left(&r) ){
      jfail(&j, "diff %d at byte %zu: path truncated", iDiff, at);
      goto done;
    }
    zPath = (const char*)mvr_take(&r, (size_t)nPath);
    if( op!=2 ){
      if( readPacked(&r, &nVal) || nVal>mvr_left(&r) ){
        jfail(&j, "diff %d at byte %zu: value truncated", iDiff, at);
        goto done;
      }
      pVal = mvr_take(&r, (size_t)nVal);
    }
    freePath(&path);
    if( parsePath(&t, zPath, (size_t)nPath, &path, iDiff) ) goto done;
    if( op!=2 ){
      /* the value: binary to text, kept alive, parsed into nodes */
      mv_buf *txt;
      jparse vs;
      char zE[160];
      if( t.nText==t.nTextAlloc ){
        size_t nNew = t.nTextAlloc ? t.nTextAlloc*2 : 4;
        mv_buf *a = realloc(t.aText, nNew * sizeof *a);
        if( a==0 ){ jfail(&j, "out of memory"); goto done; }
        t.aText = a;
        t.nTextAlloc = nNew;
      }
      txt = &t.aText[t.nText++];
      mv_buf_init(txt);
      if( mvj_binary_to_text(pVal, (size_t)nVal, txt, zE, sizeof zE) ){
        jfail(&j, "diff %d: bad value: %s", iDiff, zE);
        goto done;
      }
      vs.z = txt->z; vs.n = txt->n; vs.i = 0;
      val = parseValue(&t, &vs, 0);
      if( val==0 ) goto done;
      if( path.n + (size_t)nodeDepth(val) > MVJ_MAX_DEPTH ){
        jfail(&j, "diff %d: the document would nest deeper than %d", iDiff,
              MVJ_MAX_DEPTH);
        goto done;
      }
    }
    parent = seek(root, &path, path.n-1);
    last = &path.a[path.n-1];
    if( parent==0 ){
      jfail(&j, "diff %d: path '%.*s' not found", iDiff,
            (int)(nPath>60 ? 60 : nPath), zPath);
      goto done;
    }
    if( op==0 ){                                      /* REPLACE */
      jnode *old = seek(parent, &(jpath){(jleg*)last, 1}, 1);
      size_t k;
      if( old==0 ){
        jfail(&j, "diff %d: path '%.*s' not found", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath);
        goto done;
      }
      for(k=0; k<parent->nChild && parent->a[k]!=old; k++){}
      val->zKey = old->zKey;
      val->nKey = old->nKey;
      old->zKey = 0;
      parent->a[k] = val;
    }else if( op==1 ){                                /* INSERT */
      if( parent->kind==JN_OBJECT && last->isMember ){
        size_t k;
        if( findMember(parent, last, 0) ){
          jfail(&j, "diff %d: INSERT of '%.*s', which exists", iDiff,
                (int)(nPath>60 ? 60 : nPath), zPath);
          goto done;
        }
        val->zKey = malloc(last->nName + 1);
        if( val->zKey==0 ){ jfail(&j, "out of memory"); goto done; }
        memcpy(val->zKey, last->zName, last->nName + 1);
        val->nKey = last->nName;
        for(k=0; k<parent->nChild; k++){
          if( keyCmp(parent->a[k]->zKey, parent->a[k]->nKey,
                     val->zKey, val->nKey)>0 ) break;
        }
        if( addChild(&t, parent, k, val) ) goto done;
      }else if( parent->kind==JN_ARRAY && !last->isMember ){
        uint64_t k = legIndex(last, parent->nChild);
        if( k==(uint64_t)-1 ) k = 0;
        if( addChild(&t, parent, k>parent->nChild ? parent->nChild
                                                  : (size_t)k, val) ){
          goto done;
        }
      }else{
        jfail(&j, "diff %d: INSERT at '%.*s' into a %s", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath,
              parent->kind==JN_OBJECT ? "object by index" :
              parent->kind==JN_ARRAY ? "array by name" : "scalar");
        goto done;
      }
    }else{                                            /* REMOVE */
      size_t k = 0;
      int found = 0;
      if( parent->kind==JN_OBJECT && last->isMember ){
        found = findMember(parent, last, &k)!=0;
      }else if( parent->kind==JN_ARRAY && !last->isMember ){
        uint64_t q = legIndex(last, parent->nChild);
        if( q<parent->nChild ){ k = (size_t)q; found = 1; }
      }
      if( !found ){
        jfail(&j, "diff %d: REMOVE of '%.*s', which does not exist", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath);
        goto done;
      }
      memmove(parent->a+k, parent->a+k+1,
              (parent->nChild-k-1) * sizeof *parent->a);
      parent->nChild--;
    }
  }
  printNode(out, root);
  if( out->oom ){
    jfail(&j, "out of memory");
    goto done;
  }
  rc = 0;
done:
  freePath(&path);
  freeTree(&t);
  if( rc ) out->n = start;
  return rc;
}
