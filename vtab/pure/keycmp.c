/*
** keycmp.c — key values in the server's order; see keycmp.h.
*/
#include "keycmp.h"
#include "types.h"

#include <stdlib.h>
#include <strings.h>

/* ---- which columns ---- */

mv_keyclass mv_key_class(const char *zDataType, const char *zColumnType,
                         const char **pzWhy){
  mv_coltype ct;
  const char *z = zDataType ? zDataType : "";
  *pzWhy = 0;
  mv_type_from_name(zDataType, zColumnType, 0, &ct);
  switch( ct.family ){
    case MVF_INTEGER: case MVF_YEAR:
      return ct.kind==MV_UINT ? MVK_UINT : MVK_INT;
    case MVF_BIT: return MVK_UINT;
    case MVF_DECIMAL: return MVK_DECIMAL;
    case MVF_DATE: return MVK_DATE;
    case MVF_DATETIME: case MVF_TIMESTAMP: return MVK_DATETIME;
    case MVF_TIME: return MVK_TIME;
    case MVF_STRING:
      if( strcasecmp(z, "binary")==0 ) return MVK_BINARY;
      if( strcasecmp(z, "varbinary")==0 || strstr(z, "blob") || strstr(z, "BLOB") ){
        return MVK_VARBINARY;
      }
      if( strcasecmp(z, "char")==0 || strcasecmp(z, "varchar")==0
       || strstr(z, "text") || strstr(z, "TEXT") ){
        return MVK_TEXT;
      }
      *pzWhy = "a key of this type orders as its own type (MariaDB's UUID,"
               " INET4, INET6)";
      return MVK_NONE;
    case MVF_ENUM: case MVF_SET:
      *pzWhy = "an ENUM or SET key orders by its members' numbers";
      return MVK_NONE;
    case MVF_FLOAT: case MVF_DOUBLE:
      *pzWhy = "a floating-point key";
      return MVK_NONE;
    default:
      *pzWhy = "a key of this type";
      return MVK_NONE;
  }
}

/* ---- comparing ---- */

static int cmpU64(uint64_t a, uint64_t b){ return a<b ? -1 : a>b; }

/* Integers of either signedness (a column's values share one, but a key
** read back from the state may not). */
static int cmpInt(const mv_value *a, const mv_value *b){
  int aNeg = a->kind==MV_INT && a->v.i<0;
  int bNeg = b->kind==MV_INT && b->v.i<0;
  if( aNeg!=bNeg ) return aNeg ? -1 : 1;
  if( aNeg ) return a->v.i<b->v.i ? -1 : a->v.i>b->v.i;
  return cmpU64(a->kind==MV_INT ? (uint64_t)a->v.i : a->v.u,
                b->kind==MV_INT ? (uint64_t)b->v.i : b->v.u);
}

/* Decimal text ("-12.3400", "7", ".5") by value. */
static void decParts(const char *z, size_t n, int *pNeg, const char **pInt,
                     size_t *pnInt, const char **pFrac, size_t *pnFrac){
  size_t i = 0, j;
  *pNeg = 0;
  if( i<n && (z[i]=='-' || z[i]=='+') ){ *pNeg = z[i]=='-'; i++; }
  while( i<n && z[i]=='0' ) i++;
  for(j=i; j<n && z[j]!='.'; j++){}
  *pInt = z + i; *pnInt = j - i;
  if( j<n ) j++;
  *pFrac = z + j; *pnFrac = n - j;
  while( *pnFrac>0 && (*pFrac)[*pnFrac-1]=='0' ) (*pnFrac)--;
  if( *pnInt==0 && *pnFrac==0 ) *pNeg = 0;   /* -0.00 is 0 */
}
static int cmpDecimal(const mv_value *a, const mv_value *b){
  int an, bn, c;
  const char *ai, *af, *bi, *bf;
  size_t ani, anf, bni, bnf, k;
  decParts(a->v.s.p, a->v.s.n, &an, &ai, &ani, &af, &anf);
  decParts(b->v.s.p, b->v.s.n, &bn, &bi, &bni, &bf, &bnf);
  if( an!=bn ) return an ? -1 : 1;
  if( ani!=bni ){
    c = ani<bni ? -1 : 1;
  }else{
    c = ani ? memcmp(ai, bi, ani) : 0;
    for(k=0; c==0 && k<anf && k<bnf; k++) c = af[k]-bf[k];
    if( c==0 ) c = anf<bnf ? -1 : anf>bnf;
  }
  c = c<0 ? -1 : c>0;
  return an ? -c : c;
}

static int cmpDate(const mv_time *a, const mv_time *b){
  unsigned x[7] = { a->year, a->month, a->day, a->hour, a->minute, a->second, a->usec };
  unsigned y[7] = { b->year, b->month, b->day, b->hour, b->minute, b->second, b->usec };
  int i;
  for(i=0; i<7; i++) if( x[i]!=y[i] ) return x[i]<y[i] ? -1 : 1;
  return 0;
}

static int64_t timeUsec(const mv_time *t){
  int64_t v = (((int64_t)t->hour*60 + t->minute)*60 + t->second)*1000000 + t->usec;
  return t->neg ? -v : v;
}

/* Bytes; pad>=0: the shorter is padded with that byte (BINARY(n)). */
static int cmpBytes(const mv_value *a, const mv_value *b, int pad){
  size_t n = a->v.s.n<b->v.s.n ? a->v.s.n : b->v.s.n, i;
  int c = n ? memcmp(a->v.s.p, b->v.s.p, n) : 0;
  const mv_value *l;
  if( c ) return c<0 ? -1 : 1;
  if( a->v.s.n==b->v.s.n ) return 0;
  if( pad<0 ) return a->v.s.n<b->v.s.n ? -1 : 1;
  l = a->v.s.n>n ? a : b;
  for(i=n; i<l->v.s.n; i++){
    unsigned char u = (unsigned char)l->v.s.p[i];
    if( u!=(unsigned)pad ) return (u>(unsigned)pad) == (l==a) ? 1 : -1;
  }
  return 0;
}

int mv_key_cmp(const mv_keyclass *aCls, int n, const mv_value *a,
               const mv_value *b, mv_key_textcmp xText, void *pArg,
               int *pCmp){
  int i, c = 0;
  for(i=0; i<n && c==0; i++){
    switch( aCls[i] ){
      case MVK_INT: case MVK_UINT: c = cmpInt(&a[i], &b[i]); break;
      case MVK_DECIMAL: c = cmpDecimal(&a[i], &b[i]); break;
      case MVK_DATE: case MVK_DATETIME: c = cmpDate(&a[i].v.t, &b[i].v.t); break;
      case MVK_TIME: {
        int64_t x = timeUsec(&a[i].v.t), y = timeUsec(&b[i].v.t);
        c = x<y ? -1 : x>y;
        break;
      }
      case MVK_VARBINARY: c = cmpBytes(&a[i], &b[i], -1); break;
      case MVK_BINARY: c = cmpBytes(&a[i], &b[i], 0); break;
      default: {
        int rc = xText(pArg, i, &a[i], &b[i], &c);
        if( rc ) return rc;
        c = c<0 ? -1 : c>0;
        break;
      }
    }
  }
  *pCmp = c;
  return 0;
}

/* ---- a key held ---- */

void mv_key_init(mv_key *k){
  memset(k, 0, sizeof *k);
}
void mv_key_free(mv_key *k){
  free(k->a);
  mv_buf_free(&k->bytes);
  memset(k, 0, sizeof *k);
}

static int isString(mv_kind kind){
  return kind==MV_TEXT || kind==MV_BYTES || kind==MV_DECIMAL || kind==MV_JSON;
}

/* Room for n values; the strings' bytes are appended to k->bytes and their
** offsets kept in v.s.p until fixKey points them there. */
static int reserveKey(mv_key *k, int n){
  mv_value *a = realloc(k->a, sizeof(mv_value)*(size_t)(n ? n : 1));
  if( a==0 ) return 1;
  k->a = a;
  k->n = 0;
  mv_buf_reset(&k->bytes);
  return 0;
}
static void fixKey(mv_key *k){
  int i;
  for(i=0; i<k->n; i++){
    if( isString(k->a[i].kind) ){
      size_t off = (size_t)(uintptr_t)k->a[i].v.s.p;
      k->a[i].v.s.p = k->bytes.z ? k->bytes.z + off : "";
    }
  }
}
/* Append value v (text converted to UTF-8). */
static void holdValue(mv_key *k, const mv_value *v){
  mv_value *h = &k->a[k->n++];
  *h = *v;
  if( isString(v->kind) ){
    size_t off = k->bytes.n;
    if( v->kind==MV_TEXT ){
      mv_to_utf8(&k->bytes, v->charset, v->v.s.p, v->v.s.n);
      h->charset = MV_CS_UTF8;
    }else{
      mv_buf_append(&k->bytes, v->v.s.p, v->v.s.n);
    }
    h->v.s.p = (const char*)(uintptr_t)off;
    h->v.s.n = k->bytes.n - off;
  }
}

int mv_key_set(mv_key *k, int n, const mv_value *a){
  int i;
  if( reserveKey(k, n) ) return 1;
  for(i=0; i<n; i++) holdValue(k, &a[i]);
  fixKey(k);
  return k->bytes.oom;
}

int mv_key_set_from(mv_key *k, int n, const mv_value *aRow, const int *aIdx){
  int i;
  if( reserveKey(k, n) ) return 1;
  for(i=0; i<n; i++) holdValue(k, &aRow[aIdx[i]]);
  fixKey(k);
  return k->bytes.oom;
}

void mv_key_json(mv_buf *b, const mv_key *k){
  int i;
  mv_buf_char(b, '[');
  for(i=0; i<k->n; i++){
    if( i ) mv_buf_char(b, ',');
    mv_encode_json(b, &k->a[i]);
  }
  mv_buf_char(b, ']');
}

/* ---- reading a key back ---- */

typedef struct kparse {
  const char *z, *zEnd;
} kparse;

static void skipSpace(kparse *p){
  while( p->z<p->zEnd && (*p->z==' ' || *p->z=='\t' || *p->z=='\n' || *p->z=='\r') ) p->z++;
}

/* A JSON string, unescaped, appended to b. */
static int parseString(kparse *p, mv_buf *b){
  size_t i = 0, n = (size_t)(p->zEnd - p->z);
  size_t m = mv_json_unescape(p->z, n, &i, 0);
  if( m==(size_t)-1 || mv_buf_reserve(b, m) ) return 1;
  i = 0;
  mv_json_unescape(p->z, n, &i, b->z + b->n);
  b->n += m;
  p->z += i;
  return 0;
}

/* A lower-case hex digit's value, -1 for anything else (the key's bytes
** are written by mv_encode_json in lower case). */
static int hexDigit(char c){
  static const char zHex[] = "0123456789abcdef";
  const char *z = c ? strchr(zHex, c) : 0;
  return z ? (int)(z - zHex) : -1;
}

/* Digits of n bytes at z into *pV; 0 if they all are digits. */
static int digitsOf(const char *z, size_t n, unsigned *pV){
  size_t i;
  *pV = 0;
  if( n==0 ) return 1;
  for(i=0; i<n; i++){
    if( z[i]<'0' || z[i]>'9' || *pV>100000000u ) return 1;
    *pV = *pV*10 + (unsigned)(z[i]-'0');
  }
  return 0;
}

/* "hh:mm:ss[.ffffff]" (hh: 2 or more digits) from z; the fraction's
** digits into *pFsp. */
static int parseClock(const char *z, size_t n, mv_time *t, int *pFsp){
  const char *c1 = memchr(z, ':', n), *c2, *dot;
  unsigned f = 0;
  size_t k;
  if( c1==0 ) return 1;
  c2 = memchr(c1+1, ':', (size_t)(z+n-(c1+1)));
  if( c2==0 ) return 1;
  dot = memchr(c2+1, '.', (size_t)(z+n-(c2+1)));
  if( digitsOf(z, (size_t)(c1-z), &t->hour)
   || digitsOf(c1+1, (size_t)(c2-c1-1), &t->minute)
   || digitsOf(c2+1, (size_t)((dot ? dot : z+n)-c2-1), &t->second) ) return 1;
  *pFsp = 0;
  t->usec = 0;
  if( dot ){
    k = (size_t)(z+n-dot-1);
    if( k>6 || digitsOf(dot+1, k, &f) ) return 1;
    *pFsp = (int)k;
    for(; k<6; k++) f *= 10;
    t->usec = f;
  }
  return 0;
}

/* The text of one value of class cls into *v (strings at offsets of
** k->bytes, fixed by fixKey). */
static int parseTemporal(mv_keyclass cls, const char *z, size_t n, mv_value *v){
  mv_time *t = &v->v.t;
  memset(t, 0, sizeof *t);
  v->fsp = 0;
  if( cls==MVK_TIME ){
    v->kind = MV_TIME;
    if( n>0 && z[0]=='-' ){ t->neg = 1; z++; n--; }
    return parseClock(z, n, t, &v->fsp);
  }
  if( n<10 || z[4]!='-' || z[7]!='-' || digitsOf(z, 4, &t->year)
   || digitsOf(z+5, 2, &t->month) || digitsOf(z+8, 2, &t->day) ) return 1;
  if( cls==MVK_DATE ){
    v->kind = MV_DATE;
    return n!=10;
  }
  v->kind = MV_DATETIME;
  if( n<19 || z[10]!=' ' ) return 1;
  return parseClock(z+11, n-11, t, &v->fsp);
}

int mv_key_parse(mv_key *k, const mv_keyclass *aCls, int n, const char *z,
                 size_t nz){
  kparse p;
  mv_buf s;
  int i, rc = 1;
  p.z = z;
  p.zEnd = z + nz;
  mv_buf_init(&s);
  if( reserveKey(k, n) ) return 1;
  skipSpace(&p);
  if( p.z>=p.zEnd || *p.z!='[' ) goto done;
  p.z++;
  for(i=0; i<n; i++){
    mv_value *v = &k->a[k->n];
    memset(v, 0, sizeof *v);
    skipSpace(&p);
    if( i>0 ){
      if( p.z>=p.zEnd || *p.z!=',' ) goto done;
      p.z++;
      skipSpace(&p);
    }
    if( aCls[i]==MVK_INT || aCls[i]==MVK_UINT ){
      char *zE;
      char zNum[32];
      size_t m = 0;
      while( p.z+m<p.zEnd && m<sizeof zNum-1 && (p.z[m]=='-' || (p.z[m]>='0' && p.z[m]<='9')) ) m++;
      if( m==0 || m>=sizeof zNum-1 ) goto done;
      memcpy(zNum, p.z, m);
      zNum[m] = 0;
      if( zNum[0]=='-' ){
        v->kind = MV_INT;
        v->v.i = strtoll(zNum, &zE, 10);
      }else{
        v->kind = aCls[i]==MVK_INT ? MV_INT : MV_UINT;
        v->v.u = strtoull(zNum, &zE, 10);
        if( v->kind==MV_INT && v->v.u>(uint64_t)INT64_MAX ) v->kind = MV_UINT;
      }
      if( *zE ) goto done;
      p.z += m;
      k->n++;
      continue;
    }
    mv_buf_reset(&s);
    if( parseString(&p, &s) || s.oom ) goto done;
    switch( aCls[i] ){
      case MVK_DATE: case MVK_DATETIME: case MVK_TIME:
        if( parseTemporal(aCls[i], s.z ? s.z : "", s.n, v) ) goto done;
        k->n++;
        continue;
      case MVK_VARBINARY: case MVK_BINARY: {
        size_t j;
        v->kind = MV_BYTES;
        if( s.n%2 ) goto done;
        v->v.s.p = (const char*)(uintptr_t)k->bytes.n;
        for(j=0; j<s.n; j+=2){
          int hi = hexDigit(s.z[j]), lo = hexDigit(s.z[j+1]);
          if( hi<0 || lo<0 ) goto done;
          mv_buf_char(&k->bytes, (char)(hi*16+lo));
        }
        v->v.s.n = s.n/2;
        k->n++;
        continue;
      }
      case MVK_DECIMAL: v->kind = MV_DECIMAL; break;
      case MVK_TEXT: v->kind = MV_TEXT; v->charset = MV_CS_UTF8; break;
      default: goto done;
    }
    v->v.s.p = (const char*)(uintptr_t)k->bytes.n;
    mv_buf_append(&k->bytes, s.z, s.n);
    v->v.s.n = s.n;
    k->n++;
  }
  skipSpace(&p);
  if( p.z>=p.zEnd || *p.z!=']' ) goto done;
  p.z++;
  skipSpace(&p);
  rc = p.z!=p.zEnd || k->bytes.oom;
done:
  mv_buf_free(&s);
  fixKey(k);
  if( rc ) k->n = 0;
  return rc;
}
