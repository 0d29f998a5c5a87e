/*
** pushdown.h — the typed mysql_snapshot's pushdown, without SQLite or the
** client library: which constraint is pushed (and trusted) for a column of
** a pushdown class (types.h), the plan <-> idxStr text that xBestIndex
** hands to xFilter, and the SELECT that xFilter sends. snapshot.c is the
** glue: it reads sqlite3_index_info into a plan, and binds the values.
**
** idxStr: one token per argv entry, in argv order, separated by ',':
**   "=N" "<N" "lN" (<=) ">N" "gN" (>=) "IN" (IN, all values at once)
**   "nN" (IS NULL; its argv value is unused), "L" (LIMIT), "O" (OFFSET)
** where N is the column number, followed by '!' when the term is omitted
** (SQLite will not re-check it, so xFilter must push it or fail). With an
** ORDER BY, ';' and its terms follow: "aN" ascending, "dN" descending.
**
**   "=0!,I2,L;a0"   id = ?1 (trusted), c2 IN (?2...), LIMIT ?3, ORDER BY id
*/
#ifndef MV_PUSHDOWN_H
#define MV_PUSHDOWN_H

#include "buf.h"
#include "types.h"

typedef struct mv_pd_term {
  char op;             /* = < l > g I n L O (above) */
  int col;             /* column number; unused by L and O */
  int omit;            /* SQLite does not re-check this term */
} mv_pd_term;

typedef struct mv_pd_order {
  int col;
  int desc;
} mv_pd_order;

typedef struct mv_pd_plan {
  int nTerm;           /* one per argv entry of xFilter */
  mv_pd_term *aTerm;
  int nOrder;          /* ORDER BY terms pushed (and consumed) */
  mv_pd_order *aOrder;
  int nAlloc, nOrderAlloc;
} mv_pd_plan;

void mv_pd_plan_init(mv_pd_plan *p);
void mv_pd_plan_free(mv_pd_plan *p);
/* Append a term or an ORDER BY term; 0, or non-zero when out of memory. */
int mv_pd_plan_add(mv_pd_plan *p, char op, int col, int omit);
int mv_pd_plan_order(mv_pd_plan *p, int col, int desc);

/* Which operator is pushed for a column of class pd: op itself, or 0 when
** it stays with SQLite. op is '=' (an IN list asks as '=' too), '<', 'l',
** '>', 'g' or 'n'. */
char mv_pd_accept(char op, mv_pdclass pd);
/* May SQLite trust the pushed term (omit=1)? rhsIsInteger: the right-hand
** side is a literal integer. */
int mv_pd_omit(char op, mv_pdclass pd, int rhsIsInteger);
/* May ORDER BY on a column of this class be consumed? */
int mv_pd_orderable(mv_pdclass pd);

/* The plan as idxStr text (appended to b). */
void mv_pd_encode(const mv_pd_plan *p, mv_buf *b);
/* Read idxStr back into an empty plan; 0, or non-zero when out of memory
** or the text is not one mv_pd_encode writes (then the plan is partial). */
int mv_pd_decode(const char *z, mv_pd_plan *p);

/* Append the SELECT of the plan: the columns of zDb.zTbl, the WHERE of the
** terms, the ORDER BY, LIMIT ?. aArg[i] says what xFilter bound for term
** i: -1 nothing (the term stays with SQLite; a LIMIT is not pushed), else
** the number of values bound ("?" placeholders: 1 for a comparison and for
** LIMIT, n for an IN list, 0 for IS NULL and OFFSET). The placeholders
** come in term order, LIMIT's last. */
void mv_pd_select(mv_buf *b, const char *zDb, const char *zTbl, int nCol,
                  const char *const *azCol, const mv_pd_plan *p,
                  const int *aArg);

/* Append `z` quoted as a MySQL identifier. */
void mv_pd_ident(mv_buf *b, const char *z);

#endif /* MV_PUSHDOWN_H */
