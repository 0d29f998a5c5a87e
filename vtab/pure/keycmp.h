/*
** keycmp.h — primary-key values in the server's order, for mysql_mirror's
** chunked copy (mirror_chunk.c): which key columns the copy can order, a
** key held (its values owned), two keys compared as MySQL orders them,
** and a key written to and read back from the state table (a JSON array).
** Pure C (no SQLite, no client library); test/unit/keycmp_test.c.
**
** Numbers, decimals, temporal values and binary strings compare here
** exactly as the server compares them. Character strings compare by their
** collation (case, accents, trailing spaces under PAD SPACE), which only
** the server knows: mv_key_cmp hands each pair of text values to the
** caller's callback, and the glue asks the server (STRCMP with the
** column's collation).
**
**   mv_keyclass aCls[2] = { MVK_TEXT, MVK_DATETIME };
**   mv_key_cmp(aCls, 2, aEvent, last.a, askServer, pArg, &c);  // c<0, 0, >0
*/
#ifndef MV_KEYCMP_H
#define MV_KEYCMP_H

#include "buf.h"
#include "encode.h"

/* How a key column orders. */
typedef enum mv_keyclass {
  MVK_NONE = 0,      /* an order the copy does not follow (mv_key_class says why) */
  MVK_INT,           /* signed integers, YEAR */
  MVK_UINT,          /* unsigned integers, BIT */
  MVK_DECIMAL,       /* DECIMAL: by value */
  MVK_DATE,          /* DATE */
  MVK_DATETIME,      /* DATETIME, TIMESTAMP (in UTC, as values come) */
  MVK_TIME,          /* TIME: a signed duration */
  MVK_VARBINARY,     /* VARBINARY, BLOB: bytes, a prefix first */
  MVK_BINARY,        /* BINARY(n): bytes padded with 0x00 */
  MVK_TEXT           /* character strings: by collation (the callback) */
} mv_keyclass;

/* The class of a key column of information_schema's DATA_TYPE and
** COLUMN_TYPE. MVK_NONE for columns whose order the copy cannot follow,
** with the reason in *pzWhy (static text). */
mv_keyclass mv_key_class(const char *zDataType, const char *zColumnType,
                         const char **pzWhy);

/* Compare the text values a and b of key column iCol by the column's
** collation: *pCmp <0, 0 or >0. Returns 0, or non-zero on an error (the
** callback reports it), which mv_key_cmp returns. */
typedef int (*mv_key_textcmp)(void *pArg, int iCol, const mv_value *a,
                              const mv_value *b, int *pCmp);

/* Compare the keys a[n] and b[n] (values in key order) column by column as
** the server orders them: *pCmp <0, 0 or >0. Text columns go to xText.
** Returns 0, or xText's error. */
int mv_key_cmp(const mv_keyclass *aCls, int n, const mv_value *a,
               const mv_value *b, mv_key_textcmp xText, void *pArg,
               int *pCmp);

/* A key held: n values (0: none) whose strings point into `bytes`; text
** is held as UTF-8 (charset MV_CS_UTF8). */
typedef struct mv_key {
  int n;
  mv_value *a;
  mv_buf bytes;
} mv_key;

void mv_key_init(mv_key *k);
void mv_key_free(mv_key *k);
/* Hold a copy of the n values a[]. 0, or non-zero when out of memory. */
int mv_key_set(mv_key *k, int n, const mv_value *a);
/* The same from a row: the values aRow[aIdx[i]], i < n. */
int mv_key_set_from(mv_key *k, int n, const mv_value *aRow, const int *aIdx);
static inline void mv_key_clear(mv_key *k){ k->n = 0; }

/* Append the key as a JSON array (the encoding of DESIGN.md: numbers,
** strings, binary as lower-case hex). */
void mv_key_json(mv_buf *b, const mv_key *k);
/* Read such an array back, one value of class aCls[i] per element. 0, or
** non-zero when the text is not a key of those classes (or no memory). */
int mv_key_parse(mv_key *k, const mv_keyclass *aCls, int n, const char *z,
                 size_t nz);

#endif /* MV_KEYCMP_H */
