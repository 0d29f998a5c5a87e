/*
** keycmp_test.c — key values in the server's order (vtab/pure/keycmp.c):
** the classes of key columns, comparisons of every class (text through the
** callback), and a key held, written as JSON and read back.
*/
#include "keycmp.h"
#include "unit.h"

#include <stdlib.h>

static mv_value vInt(int64_t i){ mv_value v; memset(&v, 0, sizeof v); v.kind = MV_INT; v.v.i = i; return v; }
static mv_value vUint(uint64_t u){ mv_value v; memset(&v, 0, sizeof v); v.kind = MV_UINT; v.v.u = u; return v; }
static mv_value vStr(mv_kind k, const char *z, size_t n){
  mv_value v; memset(&v, 0, sizeof v); v.kind = k; v.v.s.p = z; v.v.s.n = n; return v;
}
static mv_value vDec(const char *z){ return vStr(MV_DECIMAL, z, strlen(z)); }
static mv_value vText(const char *z){ mv_value v = vStr(MV_TEXT, z, strlen(z)); v.charset = MV_CS_UTF8; return v; }
static mv_value vDt(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned us){
  mv_value v; memset(&v, 0, sizeof v); v.kind = MV_DATETIME; v.fsp = 3;
  v.v.t.year = y; v.v.t.month = mo; v.v.t.day = d; v.v.t.hour = h; v.v.t.minute = mi;
  v.v.t.second = s; v.v.t.usec = us; return v;
}
static mv_value vTime(int neg, unsigned h, unsigned mi, unsigned s, unsigned us){
  mv_value v; memset(&v, 0, sizeof v); v.kind = MV_TIME; v.fsp = 6;
  v.v.t.neg = neg; v.v.t.hour = h; v.v.t.minute = mi; v.v.t.second = s; v.v.t.usec = us; return v;
}

/* A stand-in for the server's collation: case-insensitive, trailing
** spaces ignored (utf8mb4_general_ci, PAD SPACE, for ASCII). */
static int nText;
static int ciPad(void *pArg, int iCol, const mv_value *a, const mv_value *b, int *pCmp){
  size_t i, na = a->v.s.n, nb = b->v.s.n;
  (void)pArg; (void)iCol;
  nText++;
  while( na && a->v.s.p[na-1]==' ' ) na--;
  while( nb && b->v.s.p[nb-1]==' ' ) nb--;
  for(i=0; i<na && i<nb; i++){
    int x = a->v.s.p[i] | 0x20, y = b->v.s.p[i] | 0x20;
    if( x!=y ){ *pCmp = x - y; return 0; }
  }
  *pCmp = na<nb ? -1 : na>nb;
  return 0;
}
static int failText(void *pArg, int iCol, const mv_value *a, const mv_value *b, int *pCmp){
  (void)pArg; (void)iCol; (void)a; (void)b; (void)pCmp;
  return 7;
}

static int cmp1(mv_keyclass cls, mv_value a, mv_value b){
  int c = 99;
  CHECK(mv_key_cmp(&cls, 1, &a, &b, ciPad, 0, &c)==0);
  return c;
}

static const char *json(const mv_key *k){
  static mv_buf b;
  mv_buf_reset(&b);
  mv_key_json(&b, k);
  return mv_buf_cstr(&b);
}

int main(void){
  const char *zWhy;
  /* classes */
  CHECK(mv_key_class("int", "int(11)", &zWhy)==MVK_INT);
  CHECK(mv_key_class("bigint", "bigint(20) unsigned", &zWhy)==MVK_UINT);
  CHECK(mv_key_class("year", "year(4)", &zWhy)==MVK_INT);
  CHECK(mv_key_class("bit", "bit(8)", &zWhy)==MVK_UINT);
  CHECK(mv_key_class("decimal", "decimal(10,2)", &zWhy)==MVK_DECIMAL);
  CHECK(mv_key_class("timestamp", "timestamp(3)", &zWhy)==MVK_DATETIME);
  CHECK(mv_key_class("time", "time", &zWhy)==MVK_TIME);
  CHECK(mv_key_class("date", "date", &zWhy)==MVK_DATE);
  CHECK(mv_key_class("varchar", "varchar(20)", &zWhy)==MVK_TEXT);
  CHECK(mv_key_class("char", "char(4)", &zWhy)==MVK_TEXT);
  CHECK(mv_key_class("binary", "binary(4)", &zWhy)==MVK_BINARY);
  CHECK(mv_key_class("varbinary", "varbinary(4)", &zWhy)==MVK_VARBINARY);
  CHECK(mv_key_class("enum", "enum('a','b')", &zWhy)==MVK_NONE && strstr(zWhy, "ENUM"));
  CHECK(mv_key_class("double", "double", &zWhy)==MVK_NONE && strstr(zWhy, "floating"));
  CHECK(mv_key_class("uuid", "uuid", &zWhy)==MVK_NONE && strstr(zWhy, "UUID"));

  /* integers, either signedness */
  CHECK(cmp1(MVK_INT, vInt(-5), vInt(3))<0);
  CHECK(cmp1(MVK_INT, vInt(3), vInt(3))==0);
  CHECK(cmp1(MVK_UINT, vUint(UINT64_MAX), vUint(1))>0);
  CHECK(cmp1(MVK_UINT, vInt(-1), vUint(0))<0);
  CHECK(cmp1(MVK_UINT, vUint(9223372036854775808ull), vInt(INT64_MAX))>0);
  /* decimals by value */
  CHECK(cmp1(MVK_DECIMAL, vDec("-12.3400"), vDec("-12.34"))==0);
  CHECK(cmp1(MVK_DECIMAL, vDec("-12.35"), vDec("-12.34"))<0);
  CHECK(cmp1(MVK_DECIMAL, vDec("9.99"), vDec("10.00"))<0);
  CHECK(cmp1(MVK_DECIMAL, vDec("0.00"), vDec("-0.00"))==0);
  CHECK(cmp1(MVK_DECIMAL, vDec("-1.00"), vDec("0.50"))<0);
  CHECK(cmp1(MVK_DECIMAL, vDec("007.1"), vDec("7.05"))>0);
  CHECK(cmp1(MVK_DECIMAL, vDec("-2"), vDec("-10"))>0);
  /* temporal */
  CHECK(cmp1(MVK_DATETIME, vDt(2024,1,1,0,0,0,1000), vDt(2024,1,1,0,0,0,0))>0);
  CHECK(cmp1(MVK_DATETIME, vDt(2023,12,31,23,59,59,999000), vDt(2024,1,1,0,0,0,0))<0);
  CHECK(cmp1(MVK_TIME, vTime(1,0,0,1,0), vTime(0,0,0,0,0))<0);
  CHECK(cmp1(MVK_TIME, vTime(0,100,0,0,0), vTime(0,99,59,59,999999))>0);
  CHECK(cmp1(MVK_TIME, vTime(1,2,0,0,0), vTime(1,1,0,0,0))<0);
  /* bytes: a prefix first; BINARY(n) padded with 0x00 */
  CHECK(cmp1(MVK_VARBINARY, vStr(MV_BYTES, "a", 1), vStr(MV_BYTES, "a\0", 2))<0);
  CHECK(cmp1(MVK_BINARY, vStr(MV_BYTES, "a", 1), vStr(MV_BYTES, "a\0", 2))==0);
  CHECK(cmp1(MVK_BINARY, vStr(MV_BYTES, "a\0\1", 3), vStr(MV_BYTES, "a", 1))>0);
  CHECK(cmp1(MVK_VARBINARY, vStr(MV_BYTES, "\xff", 1), vStr(MV_BYTES, "\x01\x02", 2))>0);
  /* text: the callback's collation */
  nText = 0;
  CHECK(cmp1(MVK_TEXT, vText("abc"), vText("ABC "))==0);
  CHECK(cmp1(MVK_TEXT, vText("abd"), vText("ABC"))>0);
  CHECK(nText==2);
  {
    /* composite: the text decides only when it differs; then the datetime */
    mv_keyclass aCls[3] = { MVK_TEXT, MVK_DATETIME, MVK_INT };
    mv_value a[3], b[3];
    int c;
    a[0] = vText("abc"); a[1] = vDt(2024,1,2,0,0,0,0); a[2] = vInt(1);
    b[0] = vText("ABC"); b[1] = vDt(2024,1,1,0,0,0,0); b[2] = vInt(9);
    CHECK(mv_key_cmp(aCls, 3, a, b, ciPad, 0, &c)==0 && c>0);
    b[1] = a[1];
    CHECK(mv_key_cmp(aCls, 3, a, b, ciPad, 0, &c)==0 && c<0);
    b[2] = a[2];
    CHECK(mv_key_cmp(aCls, 3, a, b, ciPad, 0, &c)==0 && c==0);
    CHECK(mv_key_cmp(aCls, 3, a, b, failText, 0, &c)==7);
    /* an integer column first: no callback when it decides */
    aCls[0] = MVK_INT; a[0] = vInt(1); b[0] = vInt(2);
    CHECK(mv_key_cmp(aCls, 3, a, b, failText, 0, &c)==0 && c<0);
  }

  /* held, written and read back */
  {
    mv_keyclass aCls[6] = { MVK_INT, MVK_TEXT, MVK_DATETIME, MVK_VARBINARY, MVK_DECIMAL, MVK_TIME };
    mv_value a[6];
    mv_key k, r;
    int c;
    char zLatin[3] = { 'a', (char)0xe9, 0 };       /* "aé" in latin1 */
    mv_key_init(&k);
    mv_key_init(&r);
    a[0] = vInt(-42);
    a[1] = vStr(MV_TEXT, zLatin, 2); a[1].charset = 8;   /* latin1_swedish_ci */
    a[2] = vDt(2024,2,29,10,0,0,120000);
    a[3] = vStr(MV_BYTES, "\x00\xff", 2);
    a[4] = vDec("-12.340");
    a[5] = vTime(1,838,59,59,0);
    CHECK(mv_key_set(&k, 6, a)==0);
    CHECK_STR(json(&k), "[-42,\"a\xc3\xa9\",\"2024-02-29 10:00:00.120\",\"00ff\",\"-12.340\",\"-838:59:59.000000\"]");
    CHECK(k.a[1].charset==MV_CS_UTF8);
    {
      char *zK = strdup(json(&k));
      CHECK(mv_key_parse(&r, aCls, 6, zK, strlen(zK))==0);
      CHECK(r.n==6);
      CHECK_STR(json(&r), zK);
      free(zK);
    }
    CHECK(mv_key_cmp(aCls, 6, r.a, k.a, ciPad, 0, &c)==0 && c==0);
    CHECK(r.a[2].fsp==3 && r.a[2].v.t.usec==120000);
    CHECK(r.a[5].v.t.neg==1 && r.a[5].v.t.hour==838);
    /* escapes and surrogates */
    {
      mv_keyclass t1 = MVK_TEXT;
      const char *z = "[\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\\n\"]";
      CHECK(mv_key_parse(&r, &t1, 1, z, strlen(z))==0);
      CHECK(r.n==1 && r.a[0].v.s.n==strlen("a\"b\\c\xc3\xa9\xf0\x9f\x98\x80\n")
            && memcmp(r.a[0].v.s.p, "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80\n", r.a[0].v.s.n)==0);
    }
    /* unsigned above 2^63-1, an empty string */
    {
      mv_keyclass t2[2] = { MVK_UINT, MVK_TEXT };
      const char *z = "[18446744073709551615, \"\"]";
      CHECK(mv_key_parse(&r, t2, 2, z, strlen(z))==0);
      CHECK(r.n==2 && r.a[0].kind==MV_UINT && r.a[0].v.u==UINT64_MAX && r.a[1].v.s.n==0);
      CHECK_STR(json(&r), "[18446744073709551615,\"\"]");
    }
    /* malformed: refused, nothing held */
    {
      mv_keyclass t3[2] = { MVK_INT, MVK_DATE };
      const char *az[] = { "", "[1]", "[1,\"2024-1-01\"]", "[\"x\",\"2024-01-01\"]",
                           "[1,\"2024-01-01\"", "[1,\"2024-01-01\"] x", "[1,\"2024-01-01\",3]" };
      size_t i;
      for(i=0; i<sizeof az/sizeof az[0]; i++){
        CHECK(mv_key_parse(&r, t3, 2, az[i], strlen(az[i]))!=0 && r.n==0);
      }
      CHECK(mv_key_parse(&r, t3, 2, "[ 1 , \"2024-01-01\" ]", 20)==0 && r.n==2);
    }
    mv_key_free(&k);
    mv_key_free(&r);
  }
  UNIT_DONE();
}
