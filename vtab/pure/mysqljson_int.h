/*
** mysqljson_int.h — private to mysqljson.c (binary JSON to text) and
** mysqljson_diff.c (partial-update diffs applied to a document): their
** shared error context.
*/
#ifndef MV_MYSQLJSON_INT_H
#define MV_MYSQLJSON_INT_H

#include "buf.h"

#include <stddef.h>

typedef struct jctx {
  mv_buf *out;
  char *zErr;
  size_t nErr;
  int failed;
} jctx;

/* Record the first error of j (later ones are dropped); returns 1. */
int mvj_fail(jctx *j, const char *zFmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif /* MV_MYSQLJSON_INT_H */
