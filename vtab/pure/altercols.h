/*
** altercols.h — what an ALTER TABLE statement, as MySQL 8/9 and MariaDB
** write it into the binlog, does to a table's columns: a list of column
** operations (ADD, DROP, RENAME, CHANGE, MODIFY COLUMN) when every clause
** of the statement is one whose effect on the columns and the rows is
** known, else "not followable in place" with the reason. mysql_mirror
** (vtab/mirror_alter.c) applies the list to a local table, or copies the
** table afresh. Pure C (no SQLite); test/unit/altercols_test.c.
**
**   mva_alter a;
**   char zWhy[200];
**   mva_parse("ALTER TABLE t ADD COLUMN c INT DEFAULT 7 AFTER id", n, &a,
**             zWhy, sizeof zWhy);
**     -> 0, a.nOp 1: {MVA_ADD, zName "c", def {zType "int", zBase "int",
**        defKind MVA_DEF_INT, zDefault "7"}, pos MVA_POS_AFTER, zAfter "id"}
**   mva_free(&a);
**
** Clauses that change no column and no row (indexes and keys other than
** the primary key, ALGORITHM, LOCK, FORCE, ENGINE=InnoDB, COMMENT, ALTER
** COLUMN SET/DROP DEFAULT, RENAME INDEX, other table options) give no
** operation. Not followable: the primary key added or dropped, a column
** that is part of a key defined in the clause (PRIMARY KEY, AUTO_INCREMENT),
** generated and invisible columns, CONVERT TO CHARACTER SET, partitioning,
** ORDER BY, a table rename, IGNORE, versioned comments (slash-star-bang:
** their text runs or not by the server's version), anything not understood.
*/
#ifndef MV_ALTERCOLS_H
#define MV_ALTERCOLS_H

#include <stddef.h>

/* mva_op.op */
#define MVA_ADD     1
#define MVA_DROP    2
#define MVA_RENAME  3   /* RENAME COLUMN a TO b */
#define MVA_CHANGE  4   /* CHANGE a b <definition> */
#define MVA_MODIFY  5

/* mva_coldef.defKind: what DEFAULT says */
#define MVA_DEF_NONE  0   /* no DEFAULT */
#define MVA_DEF_NULL  1   /* DEFAULT NULL */
#define MVA_DEF_INT   2   /* an integer literal, zDefault its digits (sign first) */
#define MVA_DEF_STR   3   /* a plain single-quoted string, zDefault its value */
#define MVA_DEF_OTHER 4   /* an expression, CURRENT_TIMESTAMP, a fraction, a
                          ** string with a backslash (its value depends on the
                          ** session's sql_mode), ... */

/* mva_op.pos */
#define MVA_POS_KEEP  0
#define MVA_POS_FIRST 1
#define MVA_POS_AFTER 2

typedef struct mva_coldef {
  char *zType;       /* the type, lower case, spaces normalised:
                     ** "varchar(40)", "int unsigned", "decimal(10,2)" */
  char *zBase;       /* its name as information_schema's DATA_TYPE: "varchar" */
  char *zCharset;    /* CHARACTER SET given (or implied by COLLATE), lower
                     ** case; NULL: the table's default */
  int notNull;       /* NOT NULL */
  int isNull;        /* NULL said */
  int defKind;       /* MVA_DEF_* */
  char *zDefault;
} mva_coldef;

typedef struct mva_op {
  int op;            /* MVA_* */
  int ifExists;      /* IF EXISTS (DROP, CHANGE, MODIFY), IF NOT EXISTS (ADD) */
  char *zName;       /* the column; CHANGE and RENAME: its old name */
  char *zNew;        /* CHANGE and RENAME: the new name */
  mva_coldef def;    /* ADD, CHANGE, MODIFY */
  int pos;           /* MVA_POS_* */
  char *zAfter;
} mva_op;

typedef struct mva_alter {
  char *zDb, *zTbl;  /* the table (zDb NULL if not written) */
  int nOp;
  mva_op *aOp;
  char *zTableCharset; /* a new table default (DEFAULT CHARSET=), lower case */
  int truncate;      /* TRUNCATE [TABLE] t: every row gone, the columns kept */
} mva_alter;

/* Parse zSql[n], an ALTER TABLE or a TRUNCATE TABLE (p->truncate). 0:
** followable, the operations in *p (none for a
** statement that changes no column); 1: not followable in place, zWhy says
** why; 2: out of memory. *p must be freed with mva_free in every case. */
int mva_parse(const char *zSql, size_t n, mva_alter *p, char *zWhy,
              size_t nWhy);
void mva_free(mva_alter *p);

/* Does a column of type zOld (information_schema's COLUMN_TYPE, or an
** mva_coldef.zType) in charset zOldCs keep every value the same when
** altered to type zNew in charset zNewCs (charsets NULL when not known)?
** The same type (an integer's display width aside); a wider integer (a
** signed one wider than the old, signed or not; an unsigned one from an
** unsigned); a longer VARCHAR, CHAR, VARBINARY; a bigger TEXT or BLOB; a
** DECIMAL with more digits and the same scale. Text types need both
** charsets known and the same. 1 yes, 0 no. */
int mva_type_exact(const char *zOld, const char *zOldCs, const char *zNew,
                   const char *zNewCs);

/* Is zType (as above) a text type (CHAR, VARCHAR, the TEXTs, ENUM, SET),
** whose values depend on a charset? An integer type? */
int mva_type_is_text(const char *zType);
int mva_type_is_integer(const char *zType);

/* The charset of a collation name ("utf8mb4_general_ci" -> "utf8mb4",
** "utf8_bin" -> "utf8mb3"), into zOut[nOut]. */
void mva_collation_charset(const char *zColl, char *zOut, size_t nOut);

#endif /* MV_ALTERCOLS_H */
