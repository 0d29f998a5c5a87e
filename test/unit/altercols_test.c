/*
** altercols_test.c — the ALTER TABLE parser (vtab/pure/altercols.c) on
** statements as MySQL 8/9 and MariaDB write them into the binlog, the
** clauses it must refuse, and bad input.
*/
#include "altercols.h"
#include "encode.h"
#include "unit.h"

#include <stdlib.h>

static mva_alter a;
static char zWhy[200];

/* Parse z; returns mva_parse's code (the result stays in a). */
static int parse(const char *z){
  mva_free(&a);
  return mva_parse(z, strlen(z), &a, zWhy, sizeof zWhy);
}

static void truncates(void){
  /* TRUNCATE: every row gone, no column changed */
  CHECK(parse("TRUNCATE TABLE vt.mr_other")==0);
  CHECK(a.truncate==1 && a.nOp==0);
  CHECK_STR(a.zDb, "vt");
  CHECK_STR(a.zTbl, "mr_other");
  CHECK(parse("truncate `t``x`;")==0);
  CHECK(a.truncate==1 && a.zDb==0);
  CHECK_STR(a.zTbl, "t`x");
  CHECK(parse("TRUNCATE TABLE t, u")==1);
  CHECK(parse("TRUNCATE TABLE")==1);
  CHECK(parse("TRUNCATE TABLE `t")==1);
  CHECK(parse("ALTER TABLE t ADD COLUMN c INT")==0 && a.truncate==0);
}

static void followable(void){
  /* MySQL 8 writes the statement as typed, comments and all */
  CHECK(parse("ALTER TABLE vt.mw_a ADD COLUMN extra INT DEFAULT 7")==0);
  CHECK_STR(a.zDb, "vt");
  CHECK_STR(a.zTbl, "mw_a");
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_ADD);
  CHECK_STR(a.aOp[0].zName, "extra");
  CHECK_STR(a.aOp[0].def.zType, "int");
  CHECK_STR(a.aOp[0].def.zBase, "int");
  CHECK(a.aOp[0].def.defKind==MVA_DEF_INT);
  CHECK_STR(a.aOp[0].def.zDefault, "7");
  CHECK(a.aOp[0].pos==MVA_POS_KEEP);

  CHECK(parse("alter table `my db`.`t``x` add `we ird` varchar(40) character set utf8"
              " collate utf8_bin not null default 'it''s' /* c */ after `id`")==0);
  CHECK_STR(a.zDb, "my db");
  CHECK_STR(a.zTbl, "t`x");
  CHECK_STR(a.aOp[0].zName, "we ird");
  CHECK_STR(a.aOp[0].def.zType, "varchar(40)");
  CHECK_STR(a.aOp[0].def.zCharset, "utf8mb3");
  CHECK(a.aOp[0].def.notNull==1);
  CHECK(a.aOp[0].def.defKind==MVA_DEF_STR);
  CHECK_STR(a.aOp[0].def.zDefault, "it's");
  CHECK(a.aOp[0].pos==MVA_POS_AFTER);
  CHECK_STR(a.aOp[0].zAfter, "id");

  /* MariaDB: IF [NOT] EXISTS, the parenthesised ADD, WAIT, comments */
  CHECK(parse("ALTER ONLINE TABLE t WAIT 5 ADD COLUMN IF NOT EXISTS (a INT UNSIGNED NULL,"
              " b BIGINT(20) DEFAULT -3), DROP COLUMN IF EXISTS c, -- gone\n"
              " CHANGE COLUMN IF EXISTS d e DECIMAL(12,2) FIRST, MODIFY f TEXT COMMENT 'x'"
              " # tail\n")==0);
  CHECK(a.zDb==0);
  CHECK(a.nOp==5);
  CHECK(a.aOp[0].op==MVA_ADD && a.aOp[0].ifExists && a.aOp[0].def.isNull);
  CHECK_STR(a.aOp[0].def.zType, "int unsigned");
  CHECK_STR(a.aOp[1].def.zType, "bigint(20)");
  CHECK_STR(a.aOp[1].def.zDefault, "-3");
  CHECK(a.aOp[2].op==MVA_DROP && a.aOp[2].ifExists);
  CHECK_STR(a.aOp[2].zName, "c");
  CHECK(a.aOp[3].op==MVA_CHANGE && a.aOp[3].pos==MVA_POS_FIRST);
  CHECK_STR(a.aOp[3].zName, "d");
  CHECK_STR(a.aOp[3].zNew, "e");
  CHECK_STR(a.aOp[3].def.zType, "decimal(12,2)");
  CHECK(a.aOp[4].op==MVA_MODIFY);
  CHECK_STR(a.aOp[4].def.zBase, "text");

  CHECK(parse("ALTER TABLE t RENAME COLUMN `at` TO happened")==0);
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_RENAME);
  CHECK_STR(a.aOp[0].zName, "at");
  CHECK_STR(a.aOp[0].zNew, "happened");

  /* clauses that change no column: no operation */
  CHECK(parse("ALTER TABLE t ADD INDEX ix (a, b(10)), ADD UNIQUE KEY u (c),"
              " DROP INDEX old, RENAME INDEX a TO b, ALTER COLUMN c SET DEFAULT 'q',"
              " ALTER COLUMN d DROP DEFAULT, ALGORITHM=INPLACE, LOCK=NONE, COMMENT='z',"
              " ENGINE=InnoDB, FORCE, ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES p(id),"
              " DEFAULT CHARSET=latin1")==0);
  CHECK(a.nOp==0);
  CHECK_STR(a.zTableCharset, "latin1");

  /* defaults that are no plain literal */
  CHECK(parse("ALTER TABLE t ADD ts DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE"
              " CURRENT_TIMESTAMP(3), ADD x INT DEFAULT (1+2), ADD y DOUBLE DEFAULT 1.5,"
              " ADD z VARCHAR(5) DEFAULT 'a\\'b', ADD w INT DEFAULT NULL")==0);
  CHECK(a.nOp==5);
  CHECK(a.aOp[0].def.defKind==MVA_DEF_OTHER);
  CHECK(a.aOp[1].def.defKind==MVA_DEF_OTHER);
  CHECK(a.aOp[2].def.defKind==MVA_DEF_OTHER);
  CHECK(a.aOp[3].def.defKind==MVA_DEF_OTHER);
  CHECK(a.aOp[4].def.defKind==MVA_DEF_NULL);
  CHECK_STR(a.aOp[0].def.zType, "datetime(3)");
  CHECK(parse("ALTER TABLE t ADD e ENUM('a','b''c') NOT NULL, ADD b BOOL")==0);
  CHECK_STR(a.aOp[0].def.zType, "enum('a','b''c')");
  CHECK_STR(a.aOp[1].def.zType, "tinyint(1)");
}

/* Statements as real binlogs hold them (../shared/fixtures/binlog: MySQL
** 8's mysql_common files, MySQL 5.7's canal ones), byte for byte. */
static void fromFixtures(void){
  CHECK(parse("ALTER TABLE `foobar` CHANGE `foo` `old_foo` varchar(100) CHARACTER SET\n"
              "utf8mb4 NOT NULL")==0);
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_CHANGE);
  CHECK_STR(a.aOp[0].zName, "foo");
  CHECK_STR(a.aOp[0].zNew, "old_foo");
  CHECK_STR(a.aOp[0].def.zType, "varchar(100)");
  CHECK_STR(a.aOp[0].def.zCharset, "utf8mb4");
  CHECK(a.aOp[0].def.notNull);
  CHECK(parse("ALTER TABLE t ADD COLUMN b TEXT")==0);
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_ADD && a.aOp[0].def.defKind==MVA_DEF_NONE);
  CHECK(parse("ALTER TABLE `exception` ADD KEY `idx_task_worker` (`task_name`,`worker_name`)")==0);
  CHECK(a.nOp==0);
  CHECK_STR(a.zTbl, "exception");
  CHECK(parse("ALTER TABLE `exception` DROP KEY `idx_task_worker`")==0 && a.nOp==0);
  CHECK(parse("ALTER TABLE `exception` modify column exp_str longtext NOT NULL COMMENT"
              " '\345\274\202\345\270\270'")==0);
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_MODIFY);
  CHECK_STR(a.aOp[0].def.zType, "longtext");
  CHECK(parse("alter table wanshao_test add column col1 bigint(20)")==0);
  CHECK_STR(a.aOp[0].def.zType, "bigint(20)");
  CHECK(parse("alter table wanshao_test drop column col1")==0);
  CHECK(a.nOp==1 && a.aOp[0].op==MVA_DROP);
}

static void notFollowable(void){
  static const char *az[] = {
    "ALTER TABLE t ADD PRIMARY KEY (a)",
    "ALTER TABLE t DROP PRIMARY KEY",
    "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b)",
    "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a)",
    "ALTER TABLE t ADD c INT AUTO_INCREMENT",
    "ALTER TABLE t ADD c INT PRIMARY KEY",
    "ALTER TABLE t ADD c INT AS (a+1) VIRTUAL",
    "ALTER TABLE t ADD c INT GENERATED ALWAYS AS (a+1) STORED",
    "ALTER TABLE t ADD c INT INVISIBLE",
    "ALTER TABLE t ALTER COLUMN c SET INVISIBLE",
    "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
    "ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4",
    "ALTER TABLE t ADD c INT, PARTITION BY HASH(id)",
    "ALTER TABLE t ORDER BY a",
    "ALTER TABLE t RENAME TO u",
    "ALTER TABLE t ADD c INT, RENAME TO u",
    "ALTER IGNORE TABLE t ADD UNIQUE (a)",
    "ALTER TABLE t ENGINE=MyISAM",
    "ALTER TABLE t ADD c SERIAL",
    "ALTER TABLE t ADD c INT ZEROFILL",
    "ALTER TABLE t ADD c NATIONAL VARCHAR(3)",
    "ALTER TABLE t ADD c WEIRDTYPE",
    "ALTER TABLE t /*!80000 ADD c INT */",
    "ALTER TABLE t ADD c INT DEFAULT 'a' 'b'",
    "ALTER TABLE t ADD c VARCHAR(3) DEFAULT _utf8mb4'x'",
    "ALTER TABLE t FROB",
    "ALTER TABLE t ADD c INT; DROP TABLE u",
    "CREATE TABLE t (a INT)",
    "ALTER TABLE t ADD c INT FIRST garbage",
  };
  size_t i;
  for(i=0; i<sizeof az/sizeof az[0]; i++){
    int rc = parse(az[i]);
    if( rc!=1 ) printf("! followable? %s\n", az[i]);
    CHECK(rc==1 && zWhy[0]!=0);
  }
}

/* Every prefix of good statements, and broken ones: an answer, no crash
** (run under ASan with make test SANITIZE=1). */
static void badInput(void){
  static const char *az[] = {
    "ALTER TABLE `a`.`b` ADD COLUMN `c` VARCHAR(10) DEFAULT 'x' AFTER `d`, DROP e",
    "ALTER TABLE t ADD (a INT, b ENUM('x','y')) /* done */",
    "ALTER TABLE t CHANGE a b INT NOT NULL DEFAULT -1 FIRST",
  };
  size_t i, n;
  for(i=0; i<sizeof az/sizeof az[0]; i++){
    size_t len = strlen(az[i]);
    for(n=0; n<len; n++){
      char *z = malloc(n ? n : 1);        /* exactly n bytes: ASan sees an overread */
      int rc;
      memcpy(z, az[i], n);
      mva_free(&a);
      rc = mva_parse(z, n, &a, zWhy, sizeof zWhy);
      CHECK(rc==0 || rc==1);
      free(z);
    }
  }
  CHECK(parse("ALTER TABLE t ADD c VARCHAR(3) DEFAULT 'unterminated")==1);
  CHECK(parse("ALTER TABLE `t ADD c INT")==1);
  CHECK(parse("ALTER TABLE t ADD c INT /* open")==1);
  CHECK(parse("ALTER TABLE t ADD c ENUM('a',")==1);
  CHECK(parse("")==1);
  mva_free(&a);
  CHECK(mva_parse(0, 0, &a, zWhy, sizeof zWhy)==1);
  mva_free(&a);
  CHECK(mva_parse("ALTER TABLE t FROB", 18, &a, 0, 0)==1);
}

static void types(void){
  CHECK(mva_type_exact("int(11)", 0, "int", 0));
  CHECK(mva_type_exact("int(11)", 0, "bigint", 0));
  CHECK(mva_type_exact("int(10) unsigned", 0, "bigint(20)", 0));
  CHECK(!mva_type_exact("int(10) unsigned", 0, "int", 0));
  CHECK(!mva_type_exact("bigint(20)", 0, "int", 0));
  CHECK(!mva_type_exact("int(11)", 0, "bigint unsigned", 0));
  CHECK(mva_type_exact("smallint unsigned", 0, "int unsigned", 0));
  CHECK(mva_type_exact("varchar(10)", "utf8mb4", "varchar(40)", "utf8mb4"));
  CHECK(!mva_type_exact("varchar(40)", "utf8mb4", "varchar(10)", "utf8mb4"));
  CHECK(!mva_type_exact("varchar(10)", "utf8mb4", "varchar(40)", "latin1"));
  CHECK(!mva_type_exact("varchar(10)", 0, "varchar(40)", 0));
  CHECK(mva_type_exact("varchar(10)", "utf8", "varchar(10)", "utf8mb3"));
  CHECK(mva_type_exact("varchar(10)", "latin1", "longtext", "latin1"));
  CHECK(!mva_type_exact("varchar(10)", "latin1", "tinytext", "latin1"));
  CHECK(mva_type_exact("text", "utf8mb4", "mediumtext", "utf8mb4"));
  CHECK(mva_type_exact("varbinary(8)", 0, "varbinary(8)", 0));
  CHECK(mva_type_exact("varbinary(8)", 0, "varbinary(80)", 0));
  CHECK(!mva_type_exact("binary(4)", 0, "binary(8)", 0));
  CHECK(mva_type_exact("blob", 0, "longblob", 0));
  CHECK(mva_type_exact("decimal(10,2)", 0, "decimal(12,2)", 0));
  CHECK(!mva_type_exact("decimal(10,2)", 0, "decimal(12,3)", 0));
  CHECK(!mva_type_exact("decimal(10,2)", 0, "int", 0));
  CHECK(mva_type_exact("decimal(10,0)", 0, "decimal", 0));
  CHECK(mva_type_exact("datetime(6)", 0, "datetime(6)", 0));
  CHECK(!mva_type_exact("datetime(6)", 0, "datetime(3)", 0));
  CHECK(!mva_type_exact("double", 0, "float", 0));
  CHECK(mva_type_exact("enum('a','b')", "latin1", "enum('a','b')", "latin1"));
  CHECK(!mva_type_exact("int(11) zerofill", 0, "int(11) zerofill", 0));
  CHECK(!mva_type_exact("int(", 0, "int", 0));
  CHECK(mva_type_is_text("varchar(3)") && !mva_type_is_text("varbinary(3)"));
  CHECK(mva_type_is_integer("bigint unsigned") && !mva_type_is_integer("decimal(3,1)"));
  {
    char z[16];
    mva_collation_charset("utf8mb4_0900_ai_ci", z, sizeof z);
    CHECK_STR(z, "utf8mb4");
    mva_collation_charset("utf8_general_ci", z, sizeof z);
    CHECK_STR(z, "utf8mb3");
    mva_collation_charset("binary", z, sizeof z);
    CHECK_STR(z, "binary");
  }
}

/* The collation ids the mirror gives a table map from recorded charsets. */
static void charsets(void){
  CHECK_STR(mv_charset_name(mv_charset_collation("latin1")), "latin1");
  CHECK_STR(mv_charset_name(mv_charset_collation("utf8mb4")), "utf8mb4");
  CHECK_STR(mv_charset_name(mv_charset_collation("utf8mb3")), "utf8mb3");
  CHECK_STR(mv_charset_name(mv_charset_collation("binary")), "binary");
  CHECK(mv_charset_collation("nosuch")==MV_CS_UNKNOWN);
  CHECK(mv_charset_collation(0)==MV_CS_UNKNOWN);
}

int main(void){
  charsets();
  truncates();
  followable();
  fromFixtures();
  notFollowable();
  badInput();
  types();
  mva_free(&a);
  UNIT_DONE();
}
