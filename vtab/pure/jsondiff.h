/*
** jsondiff.h — a PARTIAL_UPDATE_ROWS JSON diff list as a JSON object of its
** own (no SQLite), for row images that lack the document to apply it to
** (binlog_row_image=MINIMAL): the json_diff argument of mysql_changes and
** mysql_binlog.
*/
#ifndef MV_JSONDIFF_H
#define MV_JSONDIFF_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Append {"json_diff":[{"op":"replace","path":"$.age","value":26},...]}
** for the diff list diff[nDiff] (the list alone, as for mvj_apply_diff):
** one object per diff in the event's order, "op" one of "replace",
** "insert", "remove" (a remove has no "value"), "path" MySQL's path text,
** "value" the JSON value as mvj_binary_to_text prints it. Returns 0;
** otherwise non-zero with a message in zErr[nErr] and nothing appended. */
int mvj_diff_to_json(const uint8_t *diff, size_t nDiff, mv_buf *out,
                     char *zErr, size_t nErr);

#endif /* MV_JSONDIFF_H */
