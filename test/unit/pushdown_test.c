/*
** pushdown_test.c — the typed mysql_snapshot's pushdown without a server
** (vtab/pure/pushdown.c): what is pushed and trusted per pushdown class,
** plan -> idxStr -> plan, and the SELECT built from a plan.
*/
#include "pushdown.h"
#include "unit.h"

#include <string.h>

static void test_accept(void){
  static const char azOp[] = "=<l>gn";
  static const mv_pdclass aPd[] = { MV_PD_NONE, MV_PD_INT, MV_PD_INT_NOOMIT,
                                    MV_PD_EQ, MV_PD_EQ_TEMPORAL };
  /* rows: class; columns: = < l > g n ('.': not pushed) */
  static const char *azWant[] = { ".....n", "=<l>gn", "=<l>gn", "=....n",
                                  "=....n" };
  int i, k;
  for(i=0; i<5; i++){
    char z[7];
    for(k=0; k<6; k++){
      char op = mv_pd_accept(azOp[k], aPd[i]);
      z[k] = op ? op : '.';
    }
    z[6] = 0;
    CHECK_STR(z, azWant[i]);
  }
  CHECK(mv_pd_accept('x', MV_PD_INT)==0);
  CHECK(mv_pd_accept(0, MV_PD_INT)==0);

  /* omitted: integer literals on signed integers, IS NULL but on temporals */
  CHECK(mv_pd_omit('=', MV_PD_INT, 1));
  CHECK(!mv_pd_omit('=', MV_PD_INT, 0));
  CHECK(mv_pd_omit('<', MV_PD_INT, 1));
  CHECK(!mv_pd_omit('=', MV_PD_INT_NOOMIT, 1));
  CHECK(!mv_pd_omit('=', MV_PD_EQ, 1));
  CHECK(!mv_pd_omit('I', MV_PD_INT, 1));
  CHECK(mv_pd_omit('n', MV_PD_EQ, 0));
  CHECK(mv_pd_omit('n', MV_PD_NONE, 0));
  CHECK(!mv_pd_omit('n', MV_PD_EQ_TEMPORAL, 0));
  CHECK(mv_pd_orderable(MV_PD_INT));
  CHECK(!mv_pd_orderable(MV_PD_INT_NOOMIT));
  CHECK(!mv_pd_orderable(MV_PD_EQ));
}

/* plan -> idxStr -> plan -> idxStr gives the same text */
static void roundtrip(const char *zIdx){
  mv_pd_plan p;
  mv_buf b;
  mv_pd_plan_init(&p);
  mv_buf_init(&b);
  CHECK(mv_pd_decode(zIdx, &p)==0);
  mv_pd_encode(&p, &b);
  CHECK_STR(mv_buf_cstr(&b), zIdx);
  mv_buf_free(&b);
  mv_pd_plan_free(&p);
}

static void test_idxstr(void){
  mv_pd_plan p;
  mv_buf b;
  mv_pd_plan_init(&p);
  mv_buf_init(&b);
  CHECK(mv_pd_plan_add(&p, '=', 0, 1)==0);
  CHECK(mv_pd_plan_add(&p, 'I', 12, 0)==0);
  CHECK(mv_pd_plan_add(&p, 'n', 3, 1)==0);
  CHECK(mv_pd_plan_add(&p, 'L', 0, 0)==0);
  CHECK(mv_pd_plan_add(&p, 'O', 0, 0)==0);
  CHECK(mv_pd_plan_order(&p, 0, 0)==0);
  CHECK(mv_pd_plan_order(&p, 2, 1)==0);
  mv_pd_encode(&p, &b);
  CHECK_STR(mv_buf_cstr(&b), "=0!,I12,n3!,L,O;a0,d2");
  mv_pd_plan_free(&p);
  mv_buf_free(&b);

  roundtrip("=0!,I12,n3!,L,O;a0,d2");
  roundtrip(">1,g2!,<3,l4");
  roundtrip(";d7");
  roundtrip("");

  /* decoded fields */
  mv_pd_plan_init(&p);
  CHECK(mv_pd_decode("l5!,L;d1", &p)==0);
  CHECK(p.nTerm==2 && p.nOrder==1);
  CHECK(p.aTerm[0].op=='l' && p.aTerm[0].col==5 && p.aTerm[0].omit==1);
  CHECK(p.aTerm[1].op=='L');
  CHECK(p.aOrder[0].col==1 && p.aOrder[0].desc==1);
  mv_pd_plan_free(&p);
  mv_pd_plan_init(&p);
  CHECK(mv_pd_decode(0, &p)==0 && p.nTerm==0);
  mv_pd_plan_free(&p);

  /* not what the encoder writes */
  {
    static const char *azBad[] = { "x1", "=", "=a", "=1!!", "=1;x", ";a",
      "=1;a1,", "=1,", "=1,;a0", "=1234567890", "=1 ,=2" };
    size_t i;
    for(i=0; i<sizeof azBad/sizeof azBad[0]; i++){
      int rc;
      mv_pd_plan_init(&p);
      rc = mv_pd_decode(azBad[i], &p);
      if( rc==0 ) printf("! decoded bad idxStr [%s]\n", azBad[i]);
      CHECK(rc!=0);
      mv_pd_plan_free(&p);
    }
  }
}

static void select_is(const char *zIdx, const int *aArg, const char *zWant){
  static const char *azCol[] = { "id", "name", "when", "odd`name" };
  mv_pd_plan p;
  mv_buf b;
  mv_pd_plan_init(&p);
  mv_buf_init(&b);
  CHECK(mv_pd_decode(zIdx, &p)==0);
  mv_pd_select(&b, "shop", "or`ders", 4, azCol, &p, aArg);
  CHECK_STR(mv_buf_cstr(&b), zWant);
  mv_buf_free(&b);
  mv_pd_plan_free(&p);
}

static void test_select(void){
  static const char zCols[] =
    "SELECT `id`, `name`, `when`, `odd``name` FROM `shop`.`or``ders`";
  char zWant[512];
  {
    static const int a[] = { 0 };
    select_is("", a, zCols);
  }
  {
    static const int a[] = { 1, 3, 0, 1, 0 };
    snprintf(zWant, sizeof zWant, "%s WHERE `id` = ? AND `name` IN (?, ?, ?)"
             " AND `when` IS NULL ORDER BY `id`, `odd``name` DESC LIMIT ?", zCols);
    select_is("=0!,I1,n2!,L,O;a0,d3", a, zWant);
  }
  {
    /* terms xFilter could not bind stay with SQLite; so does a LIMIT
    ** whose value is not an integer */
    static const int a[] = { -1, 1, -1, -1 };
    snprintf(zWant, sizeof zWant, "%s WHERE `id` <= ?", zCols);
    select_is(">0,l0,I1,L", a, zWant);
  }
  {
    /* a column number past the table's is ignored */
    static const int a[] = { 1, 1 };
    snprintf(zWant, sizeof zWant, "%s WHERE `id` >= ? ORDER BY `id`", zCols);
    select_is("g9,g0;a9,a0", a, zWant);
  }
}

int main(void){
  test_accept();
  test_idxstr();
  test_select();
  UNIT_DONE();
}
