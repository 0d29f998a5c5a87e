/*
** watermark.h — text the chunked copy of mysql_mirror reads from the
** server to take its watermarks, decided without a server (no SQLite):
** MySQL's @@GLOBAL.gtid_owned as a GTID set. Unit-tested in
** test/unit/watermark_test.c.
*/
#ifndef MV_WATERMARK_H
#define MV_WATERMARK_H

#include "buf.h"

/* @@GLOBAL.gtid_owned lists the GTIDs in flight with the thread owning
** each: per source, its UUID (and tag) then ":gno#thread" for each, the
** next source's UUID straight after the last thread number, with no
** separator ("3e11fa47-...-c80aa9429562:5#12:6#13a1b2c3d4-...:7#14").
** Appends the GTID set of the same GTIDs ("3e11...:5:6,a1b2...:7") to
** b (nothing when none are in flight). */
void mv_gtid_owned_to_set(mv_buf *b, const char *zOwned);

#endif /* MV_WATERMARK_H */
