/*
** mysqljson.h — MySQL's binary JSON column format (no SQLite).
** Every offset is bounds-checked and nesting is limited, so arbitrary bytes
** yield an error, never a read past the value. Return 0 on success;
** otherwise non-zero with a message in zErr[nErr].
*/
#ifndef MV_MYSQLJSON_H
#define MV_MYSQLJSON_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define MVJ_MAX_DEPTH 100   /* MySQL's own JSON nesting limit */

/* Append the JSON text of the binary value p[n] (its type byte first), as
** MySQL's JSON_EXTRACT(col, '$') prints it (key order kept, ", " and ": ").
** n must be at least 1: an empty JSON column value is the caller's to
** handle. On an error nothing is appended. */
int mvj_binary_to_text(const uint8_t *p, size_t n, mv_buf *out,
                       char *zErr, size_t nErr);

/* Apply a PARTIAL_UPDATE_ROWS_EVENT JSON diff list (diff[nDiff]: per diff
** the operation byte, the path, and for REPLACE/INSERT the binary value) to
** the JSON text zDoc[nDoc]; append the whole new document to out.
** diff[] is the list alone: the 4-byte length before it in the row image
** is not part of it. The document is the text mvj_binary_to_text printed
** (any JSON text is accepted); the result is printed the same way, with
** inserted keys in MySQL's key order. On an error nothing is appended. */
int mvj_apply_diff(const char *zDoc, size_t nDoc, const uint8_t *diff,
                   size_t nDiff, mv_buf *out, char *zErr, size_t nErr);

#endif /* MV_MYSQLJSON_H */
