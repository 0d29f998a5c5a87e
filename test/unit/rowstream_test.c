/*
** rowstream_test.c — the change-row rules (pure/rowstream.h) on real binlog
** files, with no server:
**   - every row change is inside a transaction that ends with one commit
**     row; a DDL statement outside a transaction is followed by its own;
**   - resuming from any commit row's next_pos (the file read again from
**     that offset, after its format description) gives exactly the rows
**     after that commit: nothing lost, nothing repeated;
**   - stop_pos at a commit's next_pos gives exactly the rows up to it;
**   - the table filter drops other tables' rows (never decoded) and keeps
**     every commit row; the op mask drops ops;
**   - the DDL target parser and the position parser;
**   - the sending server's id, from a live dump's artificial Rotate.
** Run from test/unit (test/run.sh does).
*/
#include "rowstream.h"
#include "unit.h"
#include "binlog_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURES "../../../shared/fixtures/binlog/"

/* Files that decode to the end, of several servers and event forms:
** MariaDB 10.11 (FULL metadata; compressed events with MINIMAL), MySQL 8
** with GTIDs, CRC32 checksums, savepoints, a TRANSACTION_PAYLOAD. */
static const char *const azFile[] = {
  "data/binlog/mariadb-10.11-full.000001",
  "data/binlog/mariadb-10.11-compressed-minimal.000001",
  FIXTURES "mysql_common/binlog-invisible-columns.000001",
  FIXTURES "mysql-binlog-connector-rust/mysql-bin.000057",
  FIXTURES "mysql_common/transaction_compression.000001",
  FIXTURES "mysql-binlog-connector-java/mysql-bin.checksum-crc32",
  FIXTURES "mysql-binlog-connector-java/mysql-bin.compressed",
  FIXTURES "mysql-binlog-connector-rust/mysql-bin.000080",
  0
};

typedef struct rowlist {
  char **az;           /* one text per row */
  uint64_t *aNext;     /* its next_pos offset */
  int *aOp;
  int n, cap;
} rowlist;

static void rl_free(rowlist *l){
  int i;
  for(i=0; i<l->n; i++) free(l->az[i]);
  free(l->az);
  free(l->aNext);
  free(l->aOp);
  memset(l, 0, sizeof *l);
}

static void rl_add(rowlist *l, const mvs_row *r){
  mv_buf b;
  const char *c;
  if( l->n==l->cap ){
    l->cap = l->cap ? l->cap*2 : 64;
    l->az = realloc(l->az, sizeof(char*)*l->cap);
    l->aNext = realloc(l->aNext, sizeof(uint64_t)*l->cap);
    l->aOp = realloc(l->aOp, sizeof(int)*l->cap);
  }
  mv_buf_init(&b);
  mv_buf_printf(&b, "%d ", r->op);
  if( r->db ) mv_buf_append(&b, r->db, r->n_db);
  mv_buf_char(&b, '.');
  if( r->tbl ) mv_buf_append(&b, r->tbl, r->n_tbl);
  mv_buf_printf(&b, " %s %s %s ", r->pos, r->next_pos, r->gtid ? r->gtid : "-");
  if( r->sql ) mv_buf_append(&b, r->sql, r->n_sql);
  if( r->before ){
    mv_buf_str(&b, " B");
    mv_encode_row(&b, r->table->ncol, (const char *const*)r->table->names, r->before);
  }
  if( r->after ){
    mv_buf_str(&b, " A");
    mv_encode_row(&b, r->table->ncol, (const char *const*)r->table->names, r->after);
  }
  l->az[l->n] = strdup(mv_buf_cstr(&b));
  c = strrchr(r->next_pos, ':');
  l->aNext[l->n] = c ? strtoull(c+1, 0, 10) : 0;
  l->aOp[l->n] = r->op;
  l->n++;
  mv_buf_free(&b);
}

static unsigned char *slurp(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  unsigned char *a;
  long n;
  if( f==0 ) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  a = malloc((size_t)n + 1);
  if( fread(a, 1, (size_t)n, f)!=(size_t)n ){ free(a); fclose(f); return 0; }
  fclose(f);
  *pn = (size_t)n;
  return a;
}

static uint32_t get32(const unsigned char *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}

typedef struct wantarg { const char *zTbl; int asked; } wantarg;
static int want_one(void *pArg, const char *db, size_t nDb, const char *tbl,
                    size_t nTbl){
  wantarg *w = (wantarg*)pArg;
  (void)db; (void)nDb;
  w->asked++;
  return tbl && strlen(w->zTbl)==nTbl && memcmp(tbl, w->zTbl, nTbl)==0;
}

/* Read a[0..n) as a binlog file: the format description (offset 4) and
** then the events from `from` (0: all); stop at `stop` (0: none). Rows
** into l; 0, or 1 with the error printed. */
static int run(const unsigned char *a, size_t n, const char *zName,
               uint64_t from, uint64_t stop, int ops, wantarg *w, rowlist *l){
  mvs_stream *s = mvs_new();
  uint64_t off = 4;
  int rc = 0;
  mvs_set_file(s, zName);
  if( ops ) mvs_set_ops(s, ops);
  if( w ) mvs_set_hooks(s, w, want_one, 0, 0);
  if( stop ) mvs_set_stop(s, zName, stop);
  while( off + 19<=n ){
    uint32_t size = get32(a + off + 9);
    mvs_row r;
    int k;
    if( size<19 || off + size>n ) break;
    k = mvs_feed(s, a + off, size, (int64_t)off);
    if( k==MVS_STOP ) break;
    if( k==MVS_ERROR ){ printf("! %s:%llu: %s\n", zName, (unsigned long long)off, mvs_errmsg(s)); rc = 1; break; }
    while( (k = mvs_next(s, &r))==MVS_ROW ) rl_add(l, &r);
    if( k==MVS_ERROR ){ printf("! %s:%llu: %s\n", zName, (unsigned long long)off, mvs_errmsg(s)); rc = 1; break; }
    /* after the format description, jump to the resume point */
    off = (off==4 && from>4) ? from : off + size;
  }
  mvs_free(s);
  return rc;
}

static void test_file(const char *zPath){
  size_t n = 0;
  unsigned char *a = slurp(zPath, &n);
  const char *zName = strrchr(zPath, '/') + 1;
  rowlist all = {0};
  int i, j, inTxn = 0, bad = 0, nCommit = 0, nChange = 0, nResume = 0;
  CHECK(a!=0);
  if( a==0 ){ printf("! cannot read %s\n", zPath); return; }
  CHECK(run(a, n, zName, 0, 0, 0, 0, &all)==0);

  /* every change is followed by a commit before the file ends; DDL outside
  ** a transaction is followed at once by a commit with its positions */
  for(i=0; i<all.n; i++){
    int op = all.aOp[i];
    if( op>=MVS_INSERT && op<=MVS_DELETE ){ inTxn = 1; nChange++; }
    if( op==MVS_COMMIT ){ inTxn = 0; nCommit++; }
    if( op==MVS_DDL && !inTxn ){
      if( i+1>=all.n || all.aOp[i+1]!=MVS_COMMIT
       || all.aNext[i+1]!=all.aNext[i] ) bad++;
    }
  }
  CHECK(nCommit>0);
  CHECK(nChange>0);
  CHECK(!inTxn);
  CHECK(bad==0);

  /* resume from every commit (at most 40 of them, spread over the file) */
  for(i=0; i<all.n; i++){
    rowlist tail = {0}, head = {0};
    int same;
    if( all.aOp[i]!=MVS_COMMIT ) continue;
    if( nCommit>40 && (i*7)%(nCommit/40+1)!=0 ) continue;
    nResume++;
    run(a, n, zName, all.aNext[i], 0, 0, 0, &tail);
    same = tail.n==all.n - (i+1);
    for(j=0; same && j<tail.n; j++) same = strcmp(tail.az[j], all.az[i+1+j])==0;
    if( !same ){
      printf("! %s: resuming at %llu: %d rows, %d expected\n", zName,
             (unsigned long long)all.aNext[i], tail.n, all.n - (i+1));
    }
    CHECK(same);
    /* stop there: exactly the rows up to the commit */
    run(a, n, zName, 0, all.aNext[i], 0, 0, &head);
    same = head.n==i+1;
    for(j=0; same && j<head.n; j++) same = strcmp(head.az[j], all.az[j])==0;
    CHECK(same);
    rl_free(&tail);
    rl_free(&head);
  }
  CHECK(nResume>0);

  /* a table filter: the first changed table's rows, every commit row */
  for(i=0; i<all.n && !(all.aOp[i]>=MVS_INSERT && all.aOp[i]<=MVS_DELETE); i++){}
  if( i<all.n ){
    rowlist f = {0}, o = {0};
    char zTbl[256];
    const char *p = strchr(strchr(all.az[i], ' '), '.'), *q;
    int nWant = 0, nGot = 0, nC = 0;
    wantarg w;
    q = strchr(p, ' ');
    snprintf(zTbl, sizeof zTbl, "%.*s", (int)(q - p - 1), p + 1);
    w.zTbl = zTbl;
    w.asked = 0;
    for(j=0; j<all.n; j++){
      if( all.aOp[j]>=MVS_INSERT && all.aOp[j]<=MVS_DELETE ){
        char zKey[300];
        const char *t = strchr(strchr(all.az[j], ' '), '.') + 1;
        snprintf(zKey, sizeof zKey, "%s ", zTbl);
        if( strncmp(t, zKey, strlen(zKey))==0 ) nWant++;
      }
    }
    run(a, n, zName, 0, 0, 0, &w, &f);
    for(j=0; j<f.n; j++){
      if( f.aOp[j]==MVS_COMMIT ) nC++;
      else if( f.aOp[j]!=MVS_DDL ) nGot++;
    }
    CHECK(w.asked>0);
    if( nGot!=nWant ) printf("! %s: table %s: %d rows, %d expected\n", zName, zTbl, nGot, nWant);
    CHECK(nGot==nWant);
    CHECK(nC==nCommit);
    /* the op mask: commits only */
    run(a, n, zName, 0, 0, 1<<MVS_COMMIT, 0, &o);
    CHECK(o.n==nCommit);
    rl_free(&f);
    rl_free(&o);
  }
  printf("%s: %d rows, %d commits, %d resumes\n", zName, all.n, nCommit, nResume);
  rl_free(&all);
  free(a);
}

static void test_parsers(void){
  static const struct { const char *zSql; const char *zDb, *zTbl; } aDdl[] = {
    { "ALTER TABLE t ADD COLUMN x INT", "", "t" },
    { "alter online ignore table `d`.`t``x` add x int", "d", "t`x" },
    { "/* c */ CREATE TABLE IF NOT EXISTS shop.orders(id INT)", "shop", "orders" },
    { "CREATE OR REPLACE TABLE a(x int)", "", "a" },
    { "CREATE UNIQUE INDEX i ON db.t(x)", "db", "t" },
    { "DROP INDEX IF EXISTS i ON t", "", "t" },
    { "DROP TEMPORARY TABLE IF EXISTS tmp", "", "tmp" },
    { "TRUNCATE TABLE x.y", "x", "y" },
    { "TRUNCATE y", "", "y" },
    { "RENAME TABLE a TO b, c TO d", "", "a" },
    { "-- x\nDROP TABLE t1, t2", "", "t1" },
    { "CREATE DATABASE d", 0, 0 },
    { "GRANT ALL ON *.* TO u", 0, 0 },
    { "ALTER TABLE", 0, 0 },
    { "ALTER TABLE d.", 0, 0 },
  };
  mv_buf db, tbl;
  size_t i;
  char zFile[MVS_NAME_MAX];
  uint64_t off = 0;
  mv_buf_init(&db);
  mv_buf_init(&tbl);
  for(i=0; i<sizeof aDdl/sizeof aDdl[0]; i++){
    int ok = mvs_ddl_target(aDdl[i].zSql, strlen(aDdl[i].zSql), &db, &tbl);
    CHECK(ok==(aDdl[i].zTbl!=0));
    if( ok && aDdl[i].zTbl ){
      CHECK_STR(mv_buf_cstr(&tbl), aDdl[i].zTbl);
      CHECK_STR(db.n ? mv_buf_cstr(&db) : "", aDdl[i].zDb);
    }
  }
  mv_buf_free(&db);
  mv_buf_free(&tbl);
  CHECK(mvs_parse_pos("mysql-bin.000003:1234", zFile, sizeof zFile, &off)==0);
  CHECK_STR(zFile, "mysql-bin.000003");
  CHECK(off==1234);
  CHECK(mvs_parse_pos("a/b:4", zFile, sizeof zFile, &off)!=0);
  CHECK(mvs_parse_pos("f:", zFile, sizeof zFile, &off)!=0);
  CHECK(mvs_parse_pos(":4", zFile, sizeof zFile, &off)!=0);
  CHECK(mvs_parse_pos("f:12345678901234567890", zFile, sizeof zFile, &off)!=0);
  CHECK(mvs_compare_files("b.000009", "b.000010")<0);
  CHECK(mvs_compare_files("b.000010", "b.000010")==0);
  CHECK(mvs_is_txn_statement("  begin", 7));
  CHECK(mvs_is_txn_statement("XA START 'x'", 12));
  CHECK(!mvs_is_txn_statement("BEGINNING", 9));
  CHECK(!mvs_is_txn_statement("ALTER TABLE t", 13));
  {
    static const struct { const char *z; int kind; } aKind[] = {
      { "CREATE TABLE t(x int)", MVS_DDL_CREATE_TABLE },
      { "create or replace table t(x int)", MVS_DDL_CREATE_TABLE },
      { "CREATE TEMPORARY TABLE t(x int)", MVS_DDL_OTHER },
      { "CREATE INDEX i ON t(x)", MVS_DDL_INDEX },
      { "create unique index i on t(x)", MVS_DDL_INDEX },
      { "DROP INDEX i ON t", MVS_DDL_INDEX },
      { "ANALYZE TABLE t", MVS_DDL_OTHER },
      { "/* x */ RENAME TABLE a TO b", MVS_DDL_RENAME_TABLE },
      { "DROP TABLE IF EXISTS t", MVS_DDL_DROP_TABLE },
      { "DROP TEMPORARY TABLE t", MVS_DDL_OTHER },
      { "DROP DATABASE d", MVS_DDL_OTHER },
      { "ALTER TABLE t ADD x INT", MVS_DDL_OTHER },
      { "TRUNCATE t", MVS_DDL_OTHER },
    };
    for(i=0; i<sizeof aKind/sizeof aKind[0]; i++){
      CHECK(mvs_ddl_kind(aKind[i].z, strlen(aKind[i].z))==aKind[i].kind);
    }
  }
}

static void test_renames(void){
  static const struct { const char *z; const char *zWant; } a[] = {
    { "RENAME TABLE a TO b", ".a>.b " },
    { "rename table d.a to e.b, `x``y` TO z", "d.a>e.b .x`y>.z " },
    { "ALTER TABLE s.t RENAME TO u", "s.t>.u " },
    { "ALTER TABLE t RENAME AS s.u;", ".t>s.u " },
    { "ALTER TABLE t RENAME TO u, ADD x INT", "" },
    { "ALTER TABLE t RENAME COLUMN a TO b", "" },
    { "RENAME TABLE a", "" },
    { "DROP TABLE a", "" },
  };
  size_t k;
  mv_buf od, ot, nd, nt, out;
  mv_buf_init(&od); mv_buf_init(&ot); mv_buf_init(&nd); mv_buf_init(&nt);
  mv_buf_init(&out);
  for(k=0; k<sizeof a/sizeof a[0]; k++){
    size_t i = 0;
    mv_buf_reset(&out);
    while( mvs_rename_next(a[k].z, strlen(a[k].z), &i, &od, &ot, &nd, &nt) ){
      mv_buf_printf(&out, "%s.%s>%s.%s ", od.n ? mv_buf_cstr(&od) : "",
                    mv_buf_cstr(&ot), nd.n ? mv_buf_cstr(&nd) : "", mv_buf_cstr(&nt));
    }
    CHECK_STR(out.n ? mv_buf_cstr(&out) : "", a[k].zWant);
  }
  mv_buf_free(&od); mv_buf_free(&ot); mv_buf_free(&nd); mv_buf_free(&nt);
  mv_buf_free(&out);
}

/* A live dump starts with an artificial Rotate whose server_id is the
** sender's (mysql_mirror's check of which server a position belongs to);
** a Rotate of the log itself (the end of a file) does not change it. */
static void test_source_id(void){
  mvs_stream *s = mvs_new();
  mvs_row r;
  eb e;
  memset(&e, 0, sizeof e);
  mvb_set_checksum(mvs_decoder(s), 0);
  CHECK(mvs_source_id(s)==0);
  eb_start_ex(&e, MVB_ROTATE, 0, 7, 0x20);
  eb_u64(&e, 4); eb_str(&e, "mysql-bin.000002");
  eb_finish(&e, 0);
  CHECK(mvs_feed(s, e.b, e.n, -1)==MVS_OK);
  CHECK(mvs_next(s, &r)==MVS_MORE);
  CHECK(mvs_source_id(s)==7);
  CHECK_STR(mvs_file(s), "mysql-bin.000002");
  eb_start_ex(&e, MVB_ROTATE, 1700000000, 9, 0);
  eb_u64(&e, 4); eb_str(&e, "mysql-bin.000003");
  eb_finish(&e, 0);
  CHECK(mvs_feed(s, e.b, e.n, -1)==MVS_OK);
  CHECK(mvs_next(s, &r)==MVS_MORE);
  CHECK(mvs_source_id(s)==7);
  CHECK_STR(mvs_file(s), "mysql-bin.000003");
  free(e.b);
  mvs_free(s);
}

int main(void){
  test_renames();
  test_source_id();
  int i;
  test_parsers();
  for(i=0; azFile[i]; i++) test_file(azFile[i]);
  UNIT_DONE();
}
