/*
** encode.c — MySQL values (mv_value) to JSON text and to the plain text of
** typed columns; see encode.h and DESIGN.md "Value encoding". mysql_snapshot
** and the binlog decoder both come through here, so one row encodes to the
** same bytes from both. Pure: no SQLite, no client library.
**
** This is on the hot path of every row: no allocation besides the output
** buffer, digits written by hand, strings copied in runs.
*/
#include "encode.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- numbers ---- */

/* Write the decimal digits of v at the end of z[0..n), return the start. */
/* Two digits per division (bench/README.md: integer text was 8% of a
** narrow snapshot). */
static const char aDigitPairs[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";
static char *digitsU32(char *z, uint32_t v){
  while( v>=100 ){
    unsigned k = (v%100)*2;
    v /= 100;
    *--z = aDigitPairs[k+1];
    *--z = aDigitPairs[k];
  }
  if( v>=10 ){
    *--z = aDigitPairs[v*2+1];
    *--z = aDigitPairs[v*2];
  }else{
    *--z = (char)('0' + v);
  }
  return z;
}
/* Above 2^32, eight digits at a time in 32-bit arithmetic: one 64-bit
** division per eight digits instead of one per two. */
static char *digitsU64(char *zEnd, uint64_t v){
  char *z = zEnd;
  while( v>UINT32_MAX ){
    uint64_t q = v/100000000;
    uint32_t r = (uint32_t)(v - q*100000000);
    int i;
    for(i=0; i<4; i++){
      unsigned k = (r%100)*2;
      r /= 100;
      *--z = aDigitPairs[k+1];
      *--z = aDigitPairs[k];
    }
    v = q;
  }
  return digitsU32(z, (uint32_t)v);
}

/* The number of decimal digits of v (1 for 0). */
static int digitCount(uint64_t v){
  static const uint64_t aPow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
    10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
    100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull,
    10000000000000000000ull
  };
  int t;
  if( v<10 ) return 1;
  t = ((64 - __builtin_clzll(v)) * 1233) >> 12;   /* log10(2^bits), floored */
  return t + (v>=aPow10[t]);
}

/* Write v's digits at z (room for 20); the end. */
static char *putU64(char *z, uint64_t v){
  char *e = z + digitCount(v);
  digitsU64(e, v);
  return e;
}
static char *putI64(char *z, int64_t v){
  if( v<0 ){
    *z++ = '-';
    return putU64(z, (uint64_t)0 - (uint64_t)v);
  }
  return putU64(z, (uint64_t)v);
}

void mv_append_u64(mv_buf *b, uint64_t v){
  if( b->cap - b->n < 24 && mv_buf_reserve(b, 24) ) return;
  b->n = (size_t)(putU64(b->z + b->n, v) - b->z);
}

void mv_append_i64(mv_buf *b, int64_t v){
  if( b->cap - b->n < 24 && mv_buf_reserve(b, 24) ) return;
  b->n = (size_t)(putI64(b->z + b->n, v) - b->z);
}

/* Shortest "%.*g" text that reads back as the same double. For normal
** numbers DBL_DIG (15) digits are exact whenever any shorter form is, so
** trying 15, 16, 17 finds the shortest (printf drops trailing zeros);
** subnormals carry fewer digits, so there the search starts at 1. */
/* Powers of ten, all exact doubles, for the fixed-notation fast paths of
** mv_format_double and mv_format_float below (bench/README.md: glibc's
** exact printf and strtod were a third of a wide change stream's CPU). */
static const double aExact10[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
  1e14, 1e15, 1e16, 1e17, 1e18, 1e19
};

/* The "%.{p}g" text of the p-digit decimal m * 10^(E-p+1) in fixed
** notation (-4 <= E < p): trailing zeros of the fraction dropped. */
static int writeFixed(char *z, int neg, uint64_t m, int p, int E){
  char d[24];
  int n = 0, i, nInt;
  digitsU64(d+p, m);                         /* exactly p digits */
  if( neg ) z[n++] = '-';
  if( E>=0 ){
    nInt = E+1;
    memcpy(z+n, d, (size_t)nInt); n += nInt;
  }else{
    nInt = 0;
    z[n++] = '0';
  }
  i = p;
  while( i>nInt && d[i-1]=='0' ) i--;
  if( i>nInt ){
    z[n++] = '.';
    if( E<0 ){ int k; for(k=0; k< -E-1; k++) z[n++] = '0'; }
    memcpy(z+n, d+nInt, (size_t)(i-nInt)); n += i-nInt;
  }
  z[n] = 0;
  return n;
}

/* A DOUBLE in %g's fixed range [1e-4, 1e15) with 15 to 17 digits, exactly,
** in 128-bit integers: a = M * 2^E2 (M of 53 bits), so a * 10^s is
** M * 5^s / 2^k (k > 0 here), rounded half to even as printf does; the
** decimal reads back as a (as strtod would) when it lies within half the
** gap to a's neighbours (a quarter below a power of two), a tie going to
** the even mantissa. 0 where it does not apply. */
static int formatDoubleFixed(char *z, double d){
  typedef unsigned __int128 u128;
  double a = fabs(d);
  int e, p, E2;
  uint64_t M;
  if( !(a>=1e-4 && a<1e15) ) return 0;
  M = (uint64_t)ldexp(frexp(a, &E2), 53);
  E2 -= 53;
  if( a>=1.0 ){
    for(e=0; e<14 && a>=aExact10[e+1]; e++){}
  }else{
    for(e=-1; a*aExact10[-e]<1.0; e--){}    /* a*10^k exact for k <= 4 */
  }
  for(p=15; p<=17; p++){
    int E = e, t = p-1-e, k = -(E2+t);
    u128 pow5 = 1, N, half, r, diff;
    uint64_t m;
    int i;
    if( k<1 || k>70 ) return 0;              /* m<<k stays below 2^127 */
    for(i=0; i<t; i++) pow5 *= 5;
    N = (u128)M * pow5;
    m = (uint64_t)(N >> k);
    r = N & (((u128)1<<k) - 1);
    half = (u128)1<<(k-1);
    if( r>half || (r==half && (m & 1)) ) m++;
    if( m>=(uint64_t)aExact10[p] ){ m /= 10; E++; }   /* 99..9 carried */
    if( E>=p ) return 0;                     /* %g would use an exponent */
    t = p-1-E;
    k = -(E2+t);
    if( k<1 || k>70 ) return 0;              /* m<<k stays below 2^127 */
    for(pow5=1, i=0; i<t; i++) pow5 *= 5;
    /* |m * 2^k - M * 5^t| against half the gap, in units of 5^t / 2 */
    N = (u128)M * pow5;
    if( ((u128)m<<k) >= N ){
      diff = ((u128)m<<k) - N;
      if( 2*diff<pow5 || (2*diff==pow5 && (M & 1)==0) ){
        return writeFixed(z, d<0, m, p, E);
      }
    }else{
      diff = N - ((u128)m<<k);
      if( M==((uint64_t)1<<52) ){            /* the gap below is half */
        if( 4*diff<pow5 || (4*diff==pow5 && (M & 1)==0) ){
          return writeFixed(z, d<0, m, p, E);
        }
      }else if( 2*diff<pow5 || (2*diff==pow5 && (M & 1)==0) ){
        return writeFixed(z, d<0, m, p, E);
      }
    }
  }
  return 0;
}

int mv_format_double(char *z, double d){
  int p, n = 0;
  if( (n = formatDoubleFixed(z, d))>0 ) return n;
  if( !isfinite(d) ){
    return snprintf(z, 32, "%s", isnan(d) ? "NaN" : d<0 ? "-Infinity" : "Infinity");
  }
  for(p=(fabs(d)<DBL_MIN && d!=0 ? 1 : 15); p<=17; p++){
    n = snprintf(z, 32, "%.*g", p, d);
    if( strtod(z, 0)==d ) break;
  }
  return n;
}

/* The same for a float, reading back as a float (FLT_DIG is 6). */
/* A FLOAT in %g's fixed range [1e-4, 1e6), without printf or strtof: for
** p = 6..9 digits, a * 10^s (s <= 12) is exact in a double (24 + 28 bits),
** so nearbyint() rounds it to p digits as printf does (ties to even); the
** decimal m / 10^t (m < 10^9, t <= 12, both exact) divides to the correctly
** rounded double, and rounding that to float is correct (as strtof) unless
** it fell exactly on a midpoint between two floats: then 0, the slow way. */
static int formatFloatFixed(char *z, float f){
  double a = fabs((double)f);
  int e, p;
  if( !(a>=1e-4 && a<1e6) ) return 0;
  if( a>=1.0 ){
    for(e=0; e<5 && a>=aExact10[e+1]; e++){}
  }else{
    for(e=-1; a*aExact10[-e]<1.0; e--){}    /* a*10^k exact for k <= 4 */
  }
  for(p=6; p<=9; p++){
    double m = nearbyint(a*aExact10[p-1-e]), q;
    int E = e, t;
    uint64_t bits;
    if( m>=aExact10[p] ){ m = aExact10[p-1]; E++; }
    if( E>=p ) return 0;                     /* %g would use an exponent */
    t = p-1-E;
    q = m / aExact10[t];
    /* A midpoint between two floats (normal here) has, below the float's
    ** 23 fraction bits, exactly the top one of the double's 29 more set. */
    memcpy(&bits, &q, sizeof bits);
    if( (bits & 0x1fffffffu)==0x10000000u ) return 0;
    if( (float)q!=(float)a ) continue;
    return writeFixed(z, f<0, (uint64_t)m, p, E);
  }
  return 0;
}

int mv_format_float(char *z, float f){
  int p, n = 0;
  if( (n = formatFloatFixed(z, f))>0 ) return n;
  if( !isfinite(f) ){
    return snprintf(z, 32, "%s", isnan(f) ? "NaN" : f<0 ? "-Infinity" : "Infinity");
  }
  for(p=(fabsf(f)<FLT_MIN && f!=0 ? 1 : 6); p<=9; p++){
    n = snprintf(z, 32, "%.*g", p, (double)f);
    if( strtof(z, 0)==f ) break;
  }
  return n;
}

/* ---- temporal ---- */

static char *put2(char *z, unsigned v){
  memcpy(z, aDigitPairs + (v%100)*2, 2);
  return z + 2;
}

/* ".ffffff" cut to fsp digits (nothing when fsp is 0). */
static char *putFraction(char *z, unsigned usec, int fsp){
  char t[6];
  if( fsp<=0 ) return z;
  if( fsp>6 ) fsp = 6;
  usec %= 1000000;
  put2(t, usec/10000);
  put2(t+2, usec/100);
  put2(t+4, usec);
  *z++ = '.';
  memcpy(z, t, (size_t)fsp);
  return z + fsp;
}

/* MySQL's text form of a DATE, DATETIME or TIME into z (>= 40 bytes). */
static size_t formatTemporal(char *z0, const mv_value *v){
  const mv_time *t = &v->v.t;
  char *z = z0;
  if( v->kind==MV_TIME ){
    if( t->neg ) *z++ = '-';
    if( t->hour>=100 ){
      char h[12];
      char *s = digitsU64(h + sizeof h, t->hour);
      size_t k = (size_t)(h + sizeof h - s);
      memcpy(z, s, k);
      z += k;
    }else{
      z = put2(z, t->hour);
    }
    *z++ = ':'; z = put2(z, t->minute);
    *z++ = ':'; z = put2(z, t->second);
    z = putFraction(z, t->usec, v->fsp);
    return (size_t)(z - z0);
  }
  z = put2(z, (t->year/100)%100);
  z = put2(z, t->year%100);
  *z++ = '-'; z = put2(z, t->month);
  *z++ = '-'; z = put2(z, t->day);
  if( v->kind==MV_DATETIME ){
    *z++ = ' '; z = put2(z, t->hour);
    *z++ = ':'; z = put2(z, t->minute);
    *z++ = ':'; z = put2(z, t->second);
    z = putFraction(z, t->usec, v->fsp);
  }
  return (size_t)(z - z0);
}

/* ---- strings ---- */

/* Bytes that need no escaping in a JSON string. */
static const unsigned char aJsonPlain[256] = {
#define R16(x) x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x
  R16(0), R16(0),
  1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,   /* 0x20..0x2F: '"' escaped */
  R16(1), R16(1),
  1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,   /* 0x50..0x5F: '\\' escaped */
  R16(1), R16(1),
  R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

/* Are all 8 bytes of w plain ASCII for JSON (no control character, '"',
** '\\' or byte >= 0x80)? The "has a byte less than / equal to" word tricks
** never miss such a byte; a false alarm only sends the word byte by byte. */
static int jsonPlainWord(uint64_t w){
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t q = w ^ (ones*0x22), s = w ^ (ones*0x5c);
  return ( ((w - ones*0x20) & ~w)          /* a byte < 0x20 */
         | ((q - ones) & ~q)               /* a '"' */
         | ((s - ones) & ~s)               /* a '\\' */
         | w ) & high ? 0 : 1;             /* a byte >= 0x80 */
}

/* Escape n bytes for a JSON string into o, which has room for the worst
** case (6 bytes out per byte in, plus 8 of slack for the word stores): no
** capacity checks and no calls per run. Runs of plain bytes are found 8
** at a time; valid UTF-8 is kept, invalid bytes become U+FFFD. */
static char *jsonEscapeReserved(char *o, const unsigned char *z, size_t n){
  static const char hex[] = "0123456789abcdef";
  size_t i = 0;
  while( i<n ){
    uint64_t w;
    unsigned char c;
    while( i+8<=n ){
      memcpy(&w, z+i, 8);
      memcpy(o, &w, 8);                 /* kept only if all 8 are plain */
      if( !jsonPlainWord(w) ) break;
      i += 8; o += 8;
    }
    while( i<n && aJsonPlain[z[i]] ) *o++ = (char)z[i++];
    if( i>=n ) break;
    c = z[i];
    if( c>=0x80 ){
      size_t k = mv_utf8_len((const char*)z+i, n-i);
      if( k ){
        memcpy(o, z+i, k); o += k; i += k;
      }else{                            /* not valid UTF-8 */
        memcpy(o, "\xEF\xBF\xBD", 3); o += 3; i++;
      }
      continue;
    }
    *o++ = '\\';
    switch( c ){
      case '"':  *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '\n': *o++ = 'n'; break;
      case '\r': *o++ = 'r'; break;
      case '\t': *o++ = 't'; break;
      case '\b': *o++ = 'b'; break;
      case '\f': *o++ = 'f'; break;
      default:
        memcpy(o, "u00", 3);
        o[3] = hex[c>>4];
        o[4] = hex[c&15];
        o += 5;
    }
    i++;
  }
  return o;
}

/* Strings are escaped in chunks of at most this many bytes, each into
** reserved room (6x: 384 KB), so memory stays near the output's size. */
#define JSON_CHUNK 65536

void mv_json_string(mv_buf *b, const char *zIn, size_t n){
  const unsigned char *z = (const unsigned char*)zIn;
  mv_buf_char(b, '"');
  while( n>0 ){
    size_t k = n;
    if( k>JSON_CHUNK ){
      /* end the chunk before a byte that is not a UTF-8 continuation byte,
      ** so that no valid sequence is split; after four continuation bytes
      ** in a row none can be, and the cut stays where it was */
      int j;
      k = JSON_CHUNK;
      for(j=0; j<4 && (z[k-(size_t)j] & 0xC0)==0x80; j++){}
      if( j<4 ) k -= (size_t)j;
    }
    if( b->cap - b->n < 6*k+8 && mv_buf_reserve(b, 6*k+8) ) return;
    b->n = (size_t)(jsonEscapeReserved(b->z + b->n, z, k) - b->z);
    z += k;
    n -= k;
  }
  mv_buf_char(b, '"');
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

size_t mv_json_unescape(const char *z, size_t n, size_t *pi, char *zOut){
  size_t o = 0, i = *pi;
  if( i>=n || z[i]!='"' ) return (size_t)-1;
  i++;
  while( i<n ){
    unsigned char c = (unsigned char)z[i++];
    if( c=='"' ){ *pi = i; return o; }
    if( c!='\\' ){
      if( zOut ) zOut[o] = (char)c;
      o++;
      continue;
    }
    if( i>=n ) return (size_t)-1;
    c = (unsigned char)z[i++];
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
        if( n - i < 4 ) return (size_t)-1;
        for(k=0; k<4; k++){
          if( (h = hexVal(z[i+k]))<0 ) return (size_t)-1;
          cp = cp*16 + (uint32_t)h;
        }
        i += 4;
        if( cp>=0xd800 && cp<0xdc00 && n - i >= 6 && z[i]=='\\' && z[i+1]=='u' ){
          uint32_t lo = 0;
          int ok = 1;
          for(k=0; k<4; k++){
            if( (h = hexVal(z[i+2+k]))<0 ){ ok = 0; break; }
            lo = lo*16 + (uint32_t)h;
          }
          if( ok && lo>=0xdc00 && lo<0xe000 ){
            cp = 0x10000 + ((cp - 0xd800)<<10) + (lo - 0xdc00);
            i += 6;
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

/* Text as a JSON string; isUtf8: mv_charset_is_utf8(v->charset), which the
** row encoder answers once per row. Other charsets are converted first. */
static void jsonText(mv_buf *b, const mv_value *v, int isUtf8){
  int cs = v->charset;
  if( isUtf8 ){
    mv_json_string(b, v->v.s.p, v->v.s.n);
  }else{
    mv_buf tmp;
    mv_buf_init(&tmp);
    mv_to_utf8(&tmp, cs, v->v.s.p, v->v.s.n);
    if( tmp.oom ) b->oom = 1;
    mv_json_string(b, tmp.z ? tmp.z : "", tmp.n);
    mv_buf_free(&tmp);
  }
}

static void appendHex(mv_buf *b, const unsigned char *z, size_t n){
  static const char hex[] = "0123456789abcdef";
  size_t i;
  char *o;
  if( n > (SIZE_MAX-1)/2 || mv_buf_reserve(b, n*2) ) return;
  o = b->z + b->n;
  for(i=0; i<n; i++){
    o[2*i] = hex[z[i]>>4];
    o[2*i+1] = hex[z[i]&15];
  }
  b->n += 2*n;
}

/* ---- JSON values: check before embedding ---- */

/* Index just past the JSON string that starts at z[i] (a '"'), or 0. */
static size_t jsonStringEnd(const unsigned char *z, size_t n, size_t i){
  i++;
  while( i<n && z[i]!='"' ){
    if( z[i]<0x20 ) return 0;
    if( z[i]=='\\' ){
      i++;
      if( i>=n ) return 0;
      if( z[i]=='u' ){
        int k;
        for(k=1; k<=4; k++){
          unsigned char c = i+k<n ? z[i+k] : 0;
          if( !((c>='0'&&c<='9') || (c>='a'&&c<='f') || (c>='A'&&c<='F')) ) return 0;
        }
        i += 4;
      }else if( z[i]==0 || !strchr("\"\\/bfnrt", z[i]) ){
        return 0;
      }
    }
    i++;
  }
  return i<n ? i+1 : 0;
}

/* Index just past the JSON number that starts at z[i], or 0. */
static size_t jsonNumberEnd(const unsigned char *z, size_t n, size_t i){
#define DIGIT(k) ((k)<n && z[k]>='0' && z[k]<='9')
  if( i<n && z[i]=='-' ) i++;
  if( i<n && z[i]=='0' ) i++;
  else if( DIGIT(i) ){ while( DIGIT(i) ) i++; }
  else return 0;
  if( i<n && z[i]=='.' ){
    i++;
    if( !DIGIT(i) ) return 0;
    while( DIGIT(i) ) i++;
  }
  if( i<n && (z[i]=='e' || z[i]=='E') ){
    i++;
    if( i<n && (z[i]=='+' || z[i]=='-') ) i++;
    if( !DIGIT(i) ) return 0;
    while( DIGIT(i) ) i++;
  }
  return i;
#undef DIGIT
}

/* Is z[0..n) one valid JSON value (RFC 8259), optionally surrounded by
** white space? Iterative, so no input can exhaust the stack. A MariaDB JSON
** column is a LONGTEXT: a value that is not valid JSON is emitted as a
** string rather than breaking the row's JSON object. */
static int jsonValid(const unsigned char *z, size_t n){
  enum { MAXDEPTH = 1024 };
  unsigned char stack[MAXDEPTH];   /* '{' or '[' of each open container */
  int depth = 0;
  size_t i = 0;
#define WS() while( i<n && (z[i]==' '||z[i]=='\t'||z[i]=='\n'||z[i]=='\r') ) i++
  WS();
  while( 1 ){
    /* a value at z[i] */
    if( i>=n ) return 0;
    if( z[i]=='{' || z[i]=='[' ){
      if( depth>=MAXDEPTH ) return 0;
      stack[depth++] = z[i++];
      WS();
      if( i<n && z[i]==(stack[depth-1]=='{' ? '}' : ']') ){
        i++; depth--;
      }else if( stack[depth-1]=='{' ){
        goto member;
      }else{
        continue;
      }
    }else if( z[i]=='"' ){
      if( (i = jsonStringEnd(z, n, i))==0 ) return 0;
    }else if( z[i]=='-' || (z[i]>='0' && z[i]<='9') ){
      if( (i = jsonNumberEnd(z, n, i))==0 ) return 0;
    }else if( n-i>=4 && memcmp(z+i, "true", 4)==0 ){ i += 4; }
    else if( n-i>=5 && memcmp(z+i, "false", 5)==0 ){ i += 5; }
    else if( n-i>=4 && memcmp(z+i, "null", 4)==0 ){ i += 4; }
    else return 0;
    /* after a value: a separator, a close, or the end */
    while( 1 ){
      WS();
      if( depth==0 ) return i==n;
      if( i>=n ) return 0;
      if( z[i]==(stack[depth-1]=='{' ? '}' : ']') ){ i++; depth--; continue; }
      if( z[i]!=',' ) return 0;
      i++; WS();
      break;
    }
    if( stack[depth-1]=='[' ) continue;
  member:
    /* an object member: "key" ':' then the value */
    if( i>=n || z[i]!='"' || (i = jsonStringEnd(z, n, i))==0 ) return 0;
    WS();
    if( i>=n || z[i]!=':' ) return 0;
    i++; WS();
  }
#undef WS
}

/* ---- the encoders ---- */

/* Keys up to this long are copied in one fixed-size block. */
#define KEY_COPY 16

/* The JSON of a value whose text has a small bound (null, numbers,
** temporals), written at o, which has room for FIXED_MAX bytes; the end,
** or NULL for the other kinds (strings, and floats that are not finite:
** not JSON numbers, so they are written as strings to stay visible). */
#define FIXED_MAX 48
static char *jsonFixed(char *o, const mv_value *v){
  switch( v->kind ){
    case MV_NULL: memcpy(o, "null", 4); return o + 4;
    case MV_INT: return putI64(o, v->v.i);
    case MV_UINT: return putU64(o, v->v.u);
    case MV_FLOAT:
      return isfinite(v->v.f) ? o + mv_format_float(o, v->v.f) : 0;
    case MV_DOUBLE:
      return isfinite(v->v.d) ? o + mv_format_double(o, v->v.d) : 0;
    case MV_DATE: case MV_DATETIME: case MV_TIME:
      *o++ = '"';
      o += formatTemporal(o, v);
      *o++ = '"';
      return o;
    default:
      return 0;
  }
}

/* The kinds jsonFixed leaves: strings of any length. */
static void jsonVariable(mv_buf *b, const mv_value *v){
  char t[48];
  switch( v->kind ){
    case MV_FLOAT: case MV_DOUBLE:        /* NaN, -Infinity, Infinity */
      mv_json_string(b, t, (size_t)(v->kind==MV_FLOAT
                                    ? mv_format_float(t, v->v.f)
                                    : mv_format_double(t, v->v.d)));
      return;
    case MV_DECIMAL:
      mv_json_string(b, v->v.s.p, v->v.s.n);
      return;
    case MV_TEXT:
      jsonText(b, v, mv_charset_is_utf8(v->charset));
      return;
    case MV_BYTES:
      mv_buf_char(b, '"');
      appendHex(b, (const unsigned char*)v->v.s.p, v->v.s.n);
      mv_buf_char(b, '"');
      return;
    case MV_JSON:
      if( jsonValid((const unsigned char*)v->v.s.p, v->v.s.n) ){
        mv_buf_append(b, v->v.s.p, v->v.s.n);
      }else{
        mv_json_string(b, v->v.s.p, v->v.s.n);
      }
      return;
    default:
      return;
  }
}

void mv_encode_json(mv_buf *b, const mv_value *v){
  char *o;
  if( v->kind==MV_ABSENT ) return;
  if( b->cap - b->n < FIXED_MAX && mv_buf_reserve(b, FIXED_MAX) ) return;
  if( (o = jsonFixed(b->z + b->n, v))!=0 ){
    b->n = (size_t)(o - b->z);
  }else{
    jsonVariable(b, v);
  }
}

void mv_encode_text(mv_buf *b, const mv_value *v){
  char t[48];
  switch( v->kind ){
    case MV_ABSENT: case MV_NULL: return;
    case MV_INT: mv_append_i64(b, v->v.i); return;
    case MV_UINT: mv_append_u64(b, v->v.u); return;
    case MV_FLOAT: mv_buf_append(b, t, (size_t)mv_format_float(t, v->v.f)); return;
    case MV_DOUBLE: mv_buf_append(b, t, (size_t)mv_format_double(t, v->v.d)); return;
    case MV_DATE: case MV_DATETIME: case MV_TIME:
      mv_buf_append(b, t, formatTemporal(t, v));
      return;
    case MV_TEXT:
      mv_to_utf8(b, v->charset, v->v.s.p, v->v.s.n);
      return;
    case MV_DECIMAL: case MV_BYTES: case MV_JSON:
      mv_buf_append(b, v->v.s.p, v->v.s.n);
      return;
  }
}

void mv_row_keys_init(mv_row_keys *k){
  memset(k, 0, sizeof *k);
  mv_buf_init(&k->text);
}

void mv_row_keys_free(mv_row_keys *k){
  mv_buf_free(&k->text);
  free(k->aEnd);
  memset(k, 0, sizeof *k);
}

int mv_row_keys_set(mv_row_keys *k, int nCol, const char *const *azName){
  int i;
  size_t *aEnd = realloc(k->aEnd, sizeof(size_t)*(size_t)(nCol>0 ? nCol : 1));
  if( aEnd==0 ) return 1;
  k->aEnd = aEnd;
  k->nCol = nCol;
  mv_buf_reset(&k->text);
  for(i=0; i<nCol; i++){
    const char *zName = azName ? azName[i] : 0;
    if( zName ){
      mv_json_string(&k->text, zName, strlen(zName));
    }else{
      char t[16];
      int n = snprintf(t, sizeof t, "\"@%d\"", i+1);
      mv_buf_append(&k->text, t, (size_t)n);
    }
    mv_buf_char(&k->text, ':');
    aEnd[i] = k->text.n;
  }
  /* KEY_COPY zero bytes after the last key: short keys are copied as one
  ** block of KEY_COPY bytes (mv_encode_row_keyed) */
  if( mv_buf_reserve(&k->text, KEY_COPY)==0 ){
    memset(k->text.z + k->text.n, 0, KEY_COPY);
  }
  return k->text.oom;
}

void mv_encode_row_keyed(mv_buf *b, const mv_row_keys *k, const mv_value *aVal){
  int i, first = 1;
  int lastCs = -1, lastUtf8 = 0;        /* a row's text columns share one */
  size_t start = 0;
  mv_buf_char(b, '{');
  for(i=0; i<k->nCol; i++){
    const mv_value *v = &aVal[i];
    const char *zKey = k->text.z + start;
    size_t nKey = k->aEnd[i] - start, need = nKey + KEY_COPY + FIXED_MAX + 2;
    char *o, *e;
    start = k->aEnd[i];
    if( v->kind==MV_ABSENT ) continue;
    if( b->cap - b->n < need && mv_buf_reserve(b, need) ) return;
    o = b->z + b->n;
    if( !first ) *o++ = ',';
    first = 0;
    memcpy(o, zKey, nKey<=KEY_COPY ? KEY_COPY : nKey);
    o += nKey;
    if( (e = jsonFixed(o, v))!=0 ){
      b->n = (size_t)(e - b->z);
      continue;
    }
    b->n = (size_t)(o - b->z);
    if( v->kind==MV_TEXT ){
      if( v->charset!=lastCs ){
        lastCs = v->charset;
        lastUtf8 = mv_charset_is_utf8(lastCs);
      }
      jsonText(b, v, lastUtf8);
    }else{
      jsonVariable(b, v);
    }
  }
  mv_buf_char(b, '}');
}

void mv_encode_row(mv_buf *b, int nCol, const char *const *azName,
                   const mv_value *aVal){
  mv_row_keys k;
  mv_row_keys_init(&k);
  if( mv_row_keys_set(&k, nCol, azName) ) b->oom = 1;
  else mv_encode_row_keyed(b, &k, aVal);
  mv_row_keys_free(&k);
}

/* ---- binary DECIMAL ---- */

static const uint32_t aDecPow10[10] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
};
static const int aDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

int mv_decimal_size(int prec, int scale){
  int intg = prec - scale;
  if( prec<1 || prec>65 || scale<0 || scale>prec || scale>38 ) return -1;
  return (intg/9)*4 + aDig2Bytes[intg%9] + (scale/9)*4 + aDig2Bytes[scale%9];
}

int mv_decimal_text(const uint8_t *p, int prec, int scale, char *zOut){
  int intg = prec - scale, size = mv_decimal_size(prec, scale);
  int intg0 = intg/9, intg0x = intg%9, frac0 = scale/9, frac0x = scale%9;
  uint8_t b[40];
  char z[MV_DECIMAL_TEXT_MAX+8];
  char *o = z + 1, *s;        /* z[0]: room for the sign */
  int neg, i, k = 0, nz = 0;
  if( size<0 ) return -1;
  memcpy(b, p, (size_t)size);
  neg = (b[0] & 0x80)==0;
  b[0] ^= 0x80;
  if( neg ) for(i=0; i<size; i++) b[i] ^= 0xff;
#define GROUP(nbytes, ndig) do{ \
    uint32_t g_ = 0; int j_; \
    for(j_=0; j_<(nbytes); j_++) g_ = (g_<<8) | b[k++]; \
    if( g_>=aDecPow10[ndig] ) return -1; \
    for(j_=(ndig)-1; j_>=0; j_--){ o[j_] = (char)('0' + g_%10); g_ /= 10; } \
    o += (ndig); \
  }while(0)
  if( intg0x ) GROUP(aDig2Bytes[intg0x], intg0x);
  for(i=0; i<intg0; i++) GROUP(4, 9);
  /* drop the integer part's leading zeros, keeping one digit */
  s = z + 1;
  while( s<o-1 && *s=='0' ) s++;
  if( o==z+1 ){
    *o++ = '0';
  }else if( s>z+1 ){
    memmove(z+1, s, (size_t)(o - s));
    o -= (s - (z+1));
  }
  if( scale>0 ){
    *o++ = '.';
    for(i=0; i<frac0; i++) GROUP(4, 9);
    if( frac0x ) GROUP(aDig2Bytes[frac0x], frac0x);
  }
#undef GROUP
  for(s=z+1; s<o; s++) if( *s>'0' && *s<='9' ){ nz = 1; break; }
  if( neg && nz ){
    z[0] = '-';
    memcpy(zOut, z, (size_t)(o - z));
    return (int)(o - z);
  }
  memcpy(zOut, z+1, (size_t)(o - z - 1));
  return (int)(o - z - 1);
}
