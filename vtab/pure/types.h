/*
** types.h — the one type table: what the extension knows about each MySQL
** column type, in one place. Pure C (no SQLite, no client headers).
**
** Three views of a column meet here:
**   - the type code (MVT_*, encode.h) that a table map or a result set's
**     metadata gives, with its binlog name and its table-map metadata size;
**   - the information_schema DATA_TYPE names ("int", "varchar", "enum"...);
**   - what the extension makes of the column: the value kind a decoder
**     produces (mv_kind), the SQLite class of typed tables and mysql_mirror
**     (declared type and how a value is stored), and the pushdown class of
**     the typed mysql_snapshot's xBestIndex.
** Both views resolve to a family (mv_family), and the family, with a few
** modifiers (unsigned, binary charset, MariaDB JSON, 64-bit BIT), decides
** the rest. Adding a column type means adding its rows here.
**
**   mv_coltype t;
**   mv_type_from_code(MVT_LONGLONG, MV_TM_UNSIGNED, &t);
**     -> t.kind MV_UINT, t.sq MV_SQ_U64 (declared type ""), t.pd MV_PD_INT_NOOMIT
**   mv_type_from_name("varbinary", "varbinary(16)", 0, &t);
**     -> t.kind MV_BYTES, t.sq MV_SQ_BLOB, t.pd MV_PD_EQ
*/
#ifndef MV_TYPES_H
#define MV_TYPES_H

#include "encode.h"

/* Type families: columns that the binlog, the result metadata and
** information_schema describe alike. */
typedef enum mv_family {
  MVF_UNKNOWN = 0,
  MVF_INTEGER,     /* TINYINT..BIGINT */
  MVF_YEAR,
  MVF_BIT,
  MVF_FLOAT,
  MVF_DOUBLE,
  MVF_DECIMAL,
  MVF_DATE,
  MVF_DATETIME,
  MVF_TIMESTAMP,
  MVF_TIME,
  MVF_STRING,      /* CHAR, VARCHAR, TEXT, BINARY, VARBINARY, BLOB, UUID, INET */
  MVF_ENUM,
  MVF_SET,
  MVF_JSON,
  MVF_GEOMETRY,
  MVF_VECTOR,
  MVF_NULL         /* the NULL type (an expression's, never a column's) */
} mv_family;

/* How a typed table (the typed mysql_snapshot, mysql_mirror) declares and
** stores the column. The order and the names (mv_sq_name) are mysql_mirror's
** persisted "kind" of a column: do not reorder. */
typedef enum mv_sqclass {
  MV_SQ_INT = 0,   /* INTEGER */
  MV_SQ_U64,       /* INTEGER, or the exact decimal TEXT above 2^63-1: no
                   ** declared type, so that no affinity turns that text into
                   ** an inexact REAL (BIGINT UNSIGNED, BIT(64)) */
  MV_SQ_REAL,      /* REAL */
  MV_SQ_TEXT,      /* TEXT, the plain text form (mv_encode_text) */
  MV_SQ_BLOB,      /* BLOB */
  MV_SQ_JSON       /* TEXT holding the JSON value */
} mv_sqclass;

/* Pushdown classes of the typed mysql_snapshot (snapshot.c, above
** typedBestIndex, says what each pushes). */
typedef enum mv_pdclass {
  MV_PD_NONE = 0,      /* nothing pushed */
  MV_PD_INT,           /* comparisons and ORDER BY, omitted */
  MV_PD_INT_NOOMIT,    /* comparisons, SQLite re-checks (values SQLite and
                       ** MySQL compare differently: above 2^63-1, YEAR, BIT) */
  MV_PD_EQ,            /* = and IN compared as binary, SQLite re-checks */
  MV_PD_EQ_TEMPORAL    /* = and IN of temporal text, SQLite re-checks */
} mv_pdclass;

/* Modifiers of a type code. */
#define MV_TM_UNSIGNED  0x01   /* UNSIGNED numeric */
#define MV_TM_BINARY    0x02   /* the binary charset (bytes, not text) */
#define MV_TM_ENUM      0x04   /* ENUM carried as a STRING code */
#define MV_TM_SET       0x08   /* SET carried as a STRING code */
#define MV_TM_JSON      0x10   /* MariaDB JSON (LONGTEXT CHECK json_valid) */
#define MV_TM_BIT64     0x20   /* BIT(64): values above 2^63-1 */

typedef struct mv_coltype {
  mv_family family;
  mv_kind kind;        /* what a non-NULL value of the column becomes */
  mv_sqclass sq;
  mv_pdclass pd;
} mv_coltype;

/* Resolve a type code and its modifiers. Returns 0, or non-zero for a code
** the table does not know (then *t is a TEXT column of MVF_UNKNOWN). */
int mv_type_from_code(int code, unsigned mods, mv_coltype *t);

/* Resolve information_schema's DATA_TYPE and COLUMN_TYPE (either may be
** NULL); isJson: MariaDB's JSON check. Unsigned and BIT(64) are read from
** COLUMN_TYPE. Returns 0, or non-zero for an unknown DATA_TYPE (then *t is
** a TEXT column, or JSON with isJson, of MVF_UNKNOWN). */
int mv_type_from_name(const char *zDataType, const char *zColumnType,
                      int isJson, mv_coltype *t);

/* Does COLUMN_TYPE say UNSIGNED ("int(10) unsigned")? */
int mv_type_is_unsigned(const char *zColumnType);

/* Does DATA_TYPE fit a table map's column of this code (realType: the
** real type of a STRING code, ENUM/SET/STRING; the code itself otherwise)? */
int mv_type_name_fits(const char *zDataType, int code, int realType);

/* The binlog's name of a type code ("LONGLONG", "VARCHAR"; the BLOB codes
** are all "BLOB"), "UNKNOWN" for others. */
const char *mv_type_code_name(int code);

/* Bytes of table-map metadata of a type code; -1 if a binlog cannot hold
** a column of that code. */
int mv_type_meta_size(int code);

/* SQLite's declared type of a class ("INTEGER", "" for MV_SQ_U64, ...) and
** the class's name ("int", "u64", "real", "text", "blob", "json"); NULL
** names for values out of range. mv_sq_from_name: -1 if unknown. */
const char *mv_sq_decltype(int sq);
const char *mv_sq_name(int sq);
int mv_sq_from_name(const char *z);

/* An mv_value as typed tables store it (the typed mysql_snapshot's
** columns, mysql_mirror's bound values): integers INTEGER (an unsigned
** value above 2^63-1 the exact decimal TEXT), FLOAT/DOUBLE REAL (a FLOAT
** as the double of its shortest text, so 0.1 stays 0.1), bytes a BLOB
** (pointing into the value), everything else the plain text form
** (mv_encode_text) written into b. */
typedef enum mv_sqtype {
  MV_SQV_NULL = 0, MV_SQV_INT, MV_SQV_REAL, MV_SQV_TEXT, MV_SQV_BLOB
} mv_sqtype;
typedef struct mv_sqval {
  mv_sqtype type;
  int64_t i;
  double d;
  const char *p;       /* TEXT (in b) and BLOB bytes; p may be NULL if n==0 */
  size_t n;
} mv_sqval;
void mv_sq_value(const mv_value *v, mv_buf *b, mv_sqval *out);

/* The family's name, for messages ("integer", "datetime"). */
const char *mv_family_name(mv_family f);

#endif /* MV_TYPES_H */
