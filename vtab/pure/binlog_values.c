/*
** binlog_values.c — one column value of a row image, by binlog type:
** numbers, DECIMAL, the temporal types (and MariaDB 5.3's high-resolution
** forms), strings, ENUM and SET labels, BINARY re-padding, MariaDB's
** INET4/INET6/UUID text forms, BLOBs, binary JSON. Derived text goes to the
** row scratch (add_fixup); everything else points into the event.
*/
#include "binlog_int.h"
#include "mysqljson.h"

#include <stdio.h>
#include <string.h>

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

/* DATETIME (the old format, and MariaDB 5.3's high-resolution one). */
static const char *decode_datetime(mv_reader *r, const mvb_column *c,
                                   mv_value *v){
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
    return 0;
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
  return 0;
}

/* DATETIME2 (MySQL 5.6.4+, MariaDB 10.1+ with mysql56_temporal_format). */
static const char *decode_datetime2(mv_reader *r, const mvb_column *c,
                                    mv_value *v){
  int64_t ip = (int64_t)mvr_be(r, 5) - 0x8000000000LL;
  uint64_t ymd, hms, ym;
  unsigned usec = 0;
  if( c->meta>6 ) return "bad fractional-second precision";
  if( read_frac(r, c->meta, &usec) && mvr_ok(r) ) return "bad fraction";
  if( !mvr_ok(r) ) return 0;
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
  return 0;
}

/* TIMESTAMP: Unix seconds (and MariaDB 5.3's high-resolution form). */
static const char *decode_timestamp(mvb_decoder *d, mv_reader *r,
                                    const mvb_column *c, mv_value *v){
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
    return 0;
  }
  x = mvr_u32(r);
  unix_to_datetime(d, x, v);
  return 0;
}

/* TIMESTAMP2: big-endian seconds and the fraction. */
static const char *decode_timestamp2(mvb_decoder *d, mv_reader *r,
                                     const mvb_column *c, mv_value *v){
  uint32_t x = (uint32_t)mvr_be(r, 4);
  unsigned usec = 0;
  if( c->meta>6 ) return "bad fractional-second precision";
  if( read_frac(r, c->meta, &usec) && mvr_ok(r) ) return "bad fraction";
  unix_to_datetime(d, x, v);
  v->fsp = c->meta;
  v->v.t.usec = usec;
  return 0;
}

/* TIME (the old format, and MariaDB 5.3's high-resolution one). */
static const char *decode_time(mv_reader *r, const mvb_column *c, mv_value *v){
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
    return 0;
  }
  x = mvr_u24(r);
  s = (x & 0x800000) ? (int64_t)x - 0x1000000 : (int64_t)x;
  memset(&v->v.t, 0, sizeof v->v.t);
  v->kind = MV_TIME;
  if( s<0 ){ v->v.t.neg = 1; s = -s; }
  v->v.t.hour = (unsigned)(s/10000);
  v->v.t.minute = (unsigned)(s/100 % 100);
  v->v.t.second = (unsigned)(s % 100);
  return 0;
}

/* TIME2 (MySQL 5.6.4+, MariaDB 10.1+ with mysql56_temporal_format). */
static const char *decode_time2(mv_reader *r, const mvb_column *c,
                                mv_value *v){
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
  return 0;
}

/* ENUM: the label (1 or 2 bytes of index), or the number when the labels
** are not known. */
static const char *decode_enum(mv_reader *r, const mvb_column *c,
                               unsigned maxlen, mv_value *v){
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
  return 0;
}

/* SET: the labels of the bits, comma-joined, or the number when the
** labels are not known. */
static const char *decode_set(mvb_decoder *d, mv_reader *r,
                              const mvb_column *c, unsigned maxlen,
                              mv_value *v){
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
  return 0;
}

/* CHAR and BINARY (re-padded to their length), and MariaDB's INET4, INET6
** and UUID as the text the server prints. */
static const char *decode_char(mvb_decoder *d, mv_reader *r,
                               const mvb_column *c, unsigned maxlen,
                               mv_value *v){
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
    return 0;
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
      return 0;
    }
  }else{
    v->kind = MV_TEXT;
  }
  v->v.s.p = (const char*)p;
  v->v.s.n = n;
  return 0;
}

/* CHAR, BINARY, ENUM and SET: all STRING in the table map, told apart
** by the real type in its metadata. */
static const char *decode_string(mvb_decoder *d, mv_reader *r,
                                 const mvb_column *c, mv_value *v){
  uint8_t real;
  unsigned maxlen;
  mvb_string_meta(c->meta, &real, &maxlen);
  if( c->type!=MVT_STRING ) real = c->type;
  if( real==MVT_ENUM ) return decode_enum(r, c, maxlen, v);
  if( real==MVT_SET ) return decode_set(d, r, c, maxlen, v);
  return decode_char(d, r, c, maxlen, v);
}

/* BLOB and TEXT of every size, GEOMETRY, VECTOR. */
static const char *decode_blob(mv_reader *r, const mvb_column *c, mv_value *v){
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
  return 0;
}

/* MySQL's binary JSON, as JSON text in the scratch. */
static const char *decode_json(mvb_decoder *d, mv_reader *r,
                               const mvb_column *c, mv_value *v){
  size_t n, off;
  const uint8_t *p = read_lenbytes(r, c->meta, &n);
  char zE[160];
  if( c->meta<1 || c->meta>4 ) return "bad length size in the table map";
  if( p==0 ) return 0;
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
  return 0;
}

/* One value of column c. Returns 0, or a message on failure (a constant,
** or d->zVal). */
const char *mvb_decode_value(mvb_decoder *d, mv_reader *r,
                             const mvb_column *c, mv_value *v){
  const char *zE = 0;
  v->charset = 0;
  v->fsp = 0;
  switch( c->type ){
    case MVT_TINY: case MVT_SHORT: case MVT_INT24: case MVT_LONG:
    case MVT_LONGLONG: case MVT_FLOAT: case MVT_DOUBLE:
      if( decode_number(r, c, v) ) break;
      return "value truncated";
    case MVT_NEWDECIMAL:
      zE = decode_decimal(d, r, c->meta>>8, c->meta & 0xff, v);
      break;
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
    case MVT_DATETIME:
      zE = decode_datetime(r, c, v);
      break;
    case MVT_DATETIME2:
      zE = decode_datetime2(r, c, v);
      break;
    case MVT_TIMESTAMP:
      zE = decode_timestamp(d, r, c, v);
      break;
    case MVT_TIMESTAMP2:
      zE = decode_timestamp2(d, r, c, v);
      break;
    case MVT_TIME:
      zE = decode_time(r, c, v);
      break;
    case MVT_TIME2:
      zE = decode_time2(r, c, v);
      break;
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
    case MVT_STRING: case MVT_ENUM: case MVT_SET:
      zE = decode_string(d, r, c, v);
      break;
    case MVT_BLOB: case MVT_TINY_BLOB: case MVT_MEDIUM_BLOB:
    case MVT_LONG_BLOB: case MVT_GEOMETRY: case MVT_VECTOR:
      zE = decode_blob(r, c, v);
      break;
    case MVT_JSON:
      zE = decode_json(d, r, c, v);
      break;
    case MVT_NULL:
      v->kind = MV_NULL;
      break;
    default:
      return "column type not supported";
  }
  if( zE ) return zE;
  if( !mvr_ok(r) ) return "value truncated";
  return 0;
}
