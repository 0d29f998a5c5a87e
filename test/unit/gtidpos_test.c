/*
** gtidpos_test.c — GTID positions and sets (vtab/pure/gtidpos.c): parse
** the servers' texts, add commits, canonical text, subset and difference,
** and what a server lacks of a replica's position.
*/
#include "gtidpos.h"
#include "unit.h"

#define U1 "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define U2 "4f22fa47-71ca-11e1-9e33-c80aa9429562"

static mv_buf out;

/* p's text, in a static buffer. */
static const char *fmt(const mvg_pos *p){
  mv_buf_reset(&out);
  mvg_format(p, &out);
  return mv_buf_cstr(&out);
}

/* Parse z as kind and give its canonical text ("!" if it does not parse). */
static const char *canon(int kind, const char *z){
  mvg_pos p;
  int rc;
  mvg_init(&p, kind);
  rc = mvg_parse(&p, z);
  mv_buf_reset(&out);
  if( rc ) mv_buf_str(&out, "!");
  else mvg_format(&p, &out);
  mvg_free(&p);
  return mv_buf_cstr(&out);
}

/* z, then each GTID of the NULL-terminated list added: the text. */
static const char *added(int kind, const char *z, const char **az){
  mvg_pos p;
  int bad = 0;
  mvg_init(&p, kind);
  if( mvg_parse(&p, z) ) bad = 1;
  for(; !bad && *az; az++) bad = mvg_add(&p, *az)!=0;
  mv_buf_reset(&out);
  if( bad ) mv_buf_str(&out, "!");
  else mvg_format(&p, &out);
  mvg_free(&p);
  return mv_buf_cstr(&out);
}

static int subset(int kind, const char *a, const char *b){
  mvg_pos pa, pb;
  int r;
  mvg_init(&pa, kind);
  mvg_init(&pb, kind);
  r = mvg_parse(&pa, a)==0 && mvg_parse(&pb, b)==0 ? mvg_subset(&pa, &pb) : -1;
  mvg_free(&pa);
  mvg_free(&pb);
  return r;
}

static int same(int kind, const char *a, const char *b){
  mvg_pos pa, pb;
  int r;
  mvg_init(&pa, kind);
  mvg_init(&pb, kind);
  r = mvg_parse(&pa, a)==0 && mvg_parse(&pb, b)==0 ? mvg_same(&pa, &pb) : -1;
  mvg_free(&pa);
  mvg_free(&pb);
  return r;
}

static const char *minus(const char *a, const char *b){
  mvg_pos pa, pb, d;
  mvg_init(&pa, MVG_MYSQL);
  mvg_init(&pb, MVG_MYSQL);
  mvg_init(&d, MVG_MYSQL);
  mvg_parse(&pa, a);
  mvg_parse(&pb, b);
  mvg_minus(&pa, &pb, &d);
  fmt(&d);
  mvg_free(&pa);
  mvg_free(&pb);
  mvg_free(&d);
  return mv_buf_cstr(&out);
}

static char zWhy[600];

int main(void){
  mv_buf_init(&out);

  /* ---- MariaDB ---- */
  CHECK_STR(canon(MVG_MARIADB, ""), "");
  CHECK_STR(canon(MVG_MARIADB, "0-1-42"), "0-1-42");
  /* domains in order whatever the server's order (BINLOG_GTID_POS gives
  ** "1-1-1,0-1-5") */
  CHECK_STR(canon(MVG_MARIADB, "1-1-1,0-1-5"), "0-1-5,1-1-1");
  CHECK_STR(canon(MVG_MARIADB, " 2-3-4 ,\n0-1-5"), "0-1-5,2-3-4");
  /* a binlog state: several servers of one domain */
  CHECK_STR(canon(MVG_MARIADB, "0-2-510,0-1-500"), "0-1-500,0-2-510");
  CHECK_STR(canon(MVG_MARIADB, "0-1"), "!");
  CHECK_STR(canon(MVG_MARIADB, "0-1-2-3"), "!");
  CHECK_STR(canon(MVG_MARIADB, "0-1-5,"), "!");
  CHECK_STR(canon(MVG_MARIADB, "4294967296-1-5"), "!");     /* domain is 32 bits */
  CHECK_STR(canon(MVG_MARIADB, "0-1-18446744073709551615"), "0-1-18446744073709551615");
  CHECK_STR(canon(MVG_MARIADB, "0-1-18446744073709551616"), "!");
  CHECK_STR(canon(MVG_MARIADB, U1 ":1-5"), "!");
  {
    /* each commit becomes its domain's GTID; a new domain joins; after a
    ** failover the new primary's server_id replaces the old one's */
    const char *az[] = { "0-1-6", "1-1-2", "0-1-7", "3-9-1", 0 };
    const char *az2[] = { "0-2-8", 0 };
    const char *azBad[] = { U1 ":7", 0 };
    CHECK_STR(added(MVG_MARIADB, "0-1-5,1-1-1", az), "0-1-7,1-1-2,3-9-1");
    CHECK_STR(added(MVG_MARIADB, "0-1-7,1-1-2", az2), "0-2-8,1-1-2");
    CHECK_STR(added(MVG_MARIADB, "", az2), "0-2-8");
    CHECK_STR(added(MVG_MARIADB, "0-1-7", azBad), "!");
    /* a state's several servers of a domain: the commit's alone stays */
    CHECK_STR(added(MVG_MARIADB, "0-1-500,0-2-510", az2), "0-2-8");
  }
  CHECK(same(MVG_MARIADB, "1-1-1,0-1-5", "0-1-5,1-1-1")==1);
  CHECK(same(MVG_MARIADB, "0-1-5", "0-1-5,1-1-1")==0);
  CHECK(same(MVG_MARIADB, "0-1-5", "0-2-5")==0);
  CHECK(same(MVG_MARIADB, "", "")==1);
  CHECK(subset(MVG_MARIADB, "0-1-500", "0-1-500,0-2-510")==1);
  CHECK(subset(MVG_MARIADB, "0-1-500", "0-1-499,0-2-510")==0);
  CHECK(subset(MVG_MARIADB, "0-1-500,2-1-7", "0-1-600")==0);

  /* what a MariaDB server lacks: nothing, a GTID it never logged, a
  ** server or a whole domain it never logged */
  CHECK(mvg_server_lacks(MVG_MARIADB, "0-1-500", "0-1-500,0-2-510", 0, zWhy, sizeof zWhy)==0);
  CHECK(mvg_server_lacks(MVG_MARIADB, "", "0-1-5", 0, zWhy, sizeof zWhy)==0);
  CHECK(mvg_server_lacks(MVG_MARIADB, "0-1-505", "0-1-500", 0, zWhy, sizeof zWhy)==1);
  CHECK_STR(zWhy, "the server never logged 0-1-505 (its last of domain 0 from server_id 1 is 0-1-500)");
  CHECK(mvg_server_lacks(MVG_MARIADB, "0-5-4", "0-1-500", 0, zWhy, sizeof zWhy)==1);
  CHECK_STR(zWhy, "the server never logged 0-5-4 (it logged nothing of domain 0 from server_id 5)");
  CHECK(mvg_server_lacks(MVG_MARIADB, "0-1-5,2-1-7", "0-1-5,1-1-1", 0, zWhy, sizeof zWhy)==1);
  CHECK_STR(zWhy, "the server never logged 2-1-7 (it logged nothing of domain 2)");
  CHECK(mvg_server_lacks(MVG_MARIADB, "x", "0-1-5", 0, zWhy, sizeof zWhy)==-1);
  CHECK_STR(zWhy, "not a GTID position: 'x'");
  {
    /* a short buffer is cut, not overrun */
    char zS[8];
    zS[7] = 'x';
    mvg_server_lacks(MVG_MARIADB, "0-1-505", "0-1-500", 0, zS, 7);
    CHECK(zS[6]==0 && zS[7]=='x');
  }

  /* ---- MySQL ---- */
  CHECK_STR(canon(MVG_MYSQL, ""), "");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-5"), U1 ":1-5");
  /* upper case, no dashes, white space and newlines as gtid_executed has
  ** them; intervals sorted and merged, sources sorted */
  CHECK_STR(canon(MVG_MYSQL, "4F22FA47-71CA-11E1-9E33-C80AA9429562:3-4:1-2,\n" U1 ":7:1-5:6"),
            U1 ":1-7," U2 ":1-4");
  CHECK_STR(canon(MVG_MYSQL, "3e11fa4771ca11e19e33c80aa9429562:1-3:5"), U1 ":1-3:5");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-3:5-9:4"), U1 ":1-9");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-3:10-12:5-11"), U1 ":1-3:5-12");
  /* uuid:n is n alone, as the server means it (mysql_changes' start_pos
  ** reads a lone one as 1-n; a recorded set is never read so) */
  CHECK_STR(canon(MVG_MYSQL, U1 ":42"), U1 ":42");
  CHECK_STR(canon(MVG_MYSQL, U1 ":42," U2 ":3"), U1 ":42," U2 ":3");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-3:5"), U1 ":1-3:5");
  /* tags (8.3+): after the untagged intervals, in order, lower case */
  CHECK_STR(canon(MVG_MYSQL, U1 ":Tb:1-2," U1 ":1-5:ta:7"), U1 ":1-5:ta:7:tb:1-2");
  /* the intervals after a tag are the tag's */
  CHECK_STR(canon(MVG_MYSQL, U1 ":tb:1-2:4-5"), U1 ":tb:1-2:4-5");
  CHECK_STR(canon(MVG_MYSQL, U1 ":ta:1-3"), U1 ":ta:1-3");
  CHECK_STR(canon(MVG_MYSQL, U1 ":tag:tag2:1"), "!");
  CHECK_STR(canon(MVG_MYSQL, U1 ":tag"), "!");
  CHECK_STR(canon(MVG_MYSQL, U1 ":0"), "!");
  CHECK_STR(canon(MVG_MYSQL, U1 ":5-3"), "!");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-9223372036854775807"), U1 ":1-9223372036854775807");
  CHECK_STR(canon(MVG_MYSQL, U1 ":1-9223372036854775808"), "!");
  CHECK_STR(canon(MVG_MYSQL, U1), "!");
  CHECK_STR(canon(MVG_MYSQL, "3e11fa47:1"), "!");
  CHECK_STR(canon(MVG_MYSQL, "0-1-5"), "!");
  {
    /* each commit joins the set: in order, out of order (a hole filled),
    ** another source, a tag */
    const char *az[] = { U1 ":6", U1 ":8", U2 ":1", U1 ":7", U1 ":ta:1", 0 };
    const char *azRange[] = { U1 ":6-7", 0 };
    const char *azMaria[] = { "0-1-5", 0 };
    CHECK_STR(added(MVG_MYSQL, U1 ":1-5", az), U1 ":1-8:ta:1," U2 ":1");
    CHECK_STR(added(MVG_MYSQL, "", az), U1 ":6-8:ta:1," U2 ":1");
    CHECK_STR(added(MVG_MYSQL, U1 ":1-5", azRange), "!");
    CHECK_STR(added(MVG_MYSQL, U1 ":1-5", azMaria), "!");
  }
  {
    /* union */
    mvg_pos a, b;
    mvg_init(&a, MVG_MYSQL);
    mvg_init(&b, MVG_MYSQL);
    mvg_parse(&a, U1 ":1-5:9");
    mvg_parse(&b, U1 ":6-8," U2 ":1-2");
    CHECK(mvg_union(&a, &b)==0);
    CHECK_STR(fmt(&a), U1 ":1-9," U2 ":1-2");
    mvg_free(&a);
    mvg_free(&b);
  }
  CHECK(subset(MVG_MYSQL, U1 ":2-4", U1 ":1-5")==1);
  CHECK(subset(MVG_MYSQL, U1 ":2-6", U1 ":1-5")==0);
  CHECK(subset(MVG_MYSQL, U1 ":2-4:8", U1 ":1-5:7-9," U2 ":1")==1);
  CHECK(subset(MVG_MYSQL, U1 ":1-5", U1 ":1-2:3-5")==1);
  CHECK(subset(MVG_MYSQL, U2 ":1", U1 ":1-5")==0);
  CHECK(subset(MVG_MYSQL, "", U1 ":1-5")==1);
  CHECK(subset(MVG_MYSQL, U1 ":ta:1", U1 ":1-5")==0);
  CHECK(same(MVG_MYSQL, U1 ":1-3:4-5", U1 ":1-5")==1);
  CHECK(same(MVG_MYSQL, U1 ":1-4", U1 ":1-5")==0);
  CHECK_STR(minus(U1 ":1-10," U2 ":1-3", U1 ":2-3:5-20"), U1 ":1:4," U2 ":1-3");
  CHECK_STR(minus(U1 ":1-10", U1 ":1-10"), "");
  CHECK_STR(minus(U1 ":1-10", ""), U1 ":1-10");
  CHECK_STR(minus(U1 ":5-6", U1 ":1-2:8-9"), U1 ":5-6");
  CHECK_STR(minus(U1 ":1-9", U1 ":3:5:7"), U1 ":1-2:4:6:8-9");

  /* what a MySQL server lacks: transactions the replica applied that it
  ** never executed; transactions it purged that the replica never had */
  CHECK(mvg_server_lacks(MVG_MYSQL, U1 ":1-50", U1 ":1-60," U2 ":1-3", U1 ":1-40", zWhy, sizeof zWhy)==0);
  CHECK(mvg_server_lacks(MVG_MYSQL, U1 ":1-50", U1 ":1-42", "", zWhy, sizeof zWhy)==1);
  CHECK_STR(zWhy, "the server never executed " U1 ":43-50");
  CHECK(mvg_server_lacks(MVG_MYSQL, U1 ":1-50", U1 ":1-60," U2 ":1-3", U1 ":1-55," U2 ":1", zWhy, sizeof zWhy)==1);
  CHECK_STR(zWhy, "the server has purged " U1 ":51-55," U2 ":1, which the replica never applied");
  CHECK(mvg_server_lacks(MVG_MYSQL, U1 ":1-50", "junk", "", zWhy, sizeof zWhy)==-1);

  mv_buf_free(&out);
  UNIT_DONE();
}
