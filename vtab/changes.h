/*
** changes.h — the live change stream for C callers (mysql_mirror): the
** rows mysql_changes would give, as mvs_rows with their values typed
** (pure/rowstream.h), with no SQL and no JSON in between. One replication
** connection per feed, closed by mv_feed_close.
**
**   mv_feed *f = mv_feed_open(db, ctx, "mysql-bin.000003:4", 0, want, 0, arg, &zErr);
**   while( (rc = mv_feed_next(f, &row, &zErr))==SQLITE_ROW ) ... row ...
**   mv_feed_close(f);
*/
#ifndef MV_CHANGES_H
#define MV_CHANGES_H

#include "mysqlvtab.h"
#include "pure/rowstream.h"

typedef struct mv_feed mv_feed;

/* Called with each table map that the live column information left
** without names (an event older than the table's definition): the
** caller may complete it from what it knows of the table at that point of
** the stream (mvb_table_apply), before its rows are decoded. */
typedef void (*mv_feed_map_fn)(void *pArg, mvb_decoder *d, mvb_table *t);

/* Start at zStart (file:offset or a GTID position) on the DSN argument
** zDsnArg (NULL: MYSQL_VTAB_DSN); the log's end as it stands is the end
** (non-blocking). xWant (may be NULL) picks the tables whose rows are
** decoded; commit rows and every DDL row always come. xMap (may be NULL):
** above; both get pArg. NULL with *pzErr set (mysql_changes'
** message) on error; NULL and no message when out of memory. */
mv_feed *mv_feed_open(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                      const char *zDsnArg, mvs_want_fn xWant,
                      mv_feed_map_fn xMap, void *pArg, char **pzErr);
/* The same, following the log as it grows (mysql_changes' follow=1: a
** blocking dump, the server's heartbeat every 100 ms): there is no end, and
** mv_feed_next returns MV_FEED_IDLE at each heartbeat (every row of the log
** as it stood was delivered; nothing new for ~100 ms). A server that ends
** the stream (shutdown, KILL) is an error. */
mv_feed *mv_feed_open_follow(sqlite3 *db, mv_ctx *ctx, const char *zStart,
                             const char *zDsnArg, mvs_want_fn xWant,
                             mv_feed_map_fn xMap, void *pArg, char **pzErr);
/* SQLITE_ROW with *ppRow (valid until the next call), SQLITE_DONE at the
** end, MV_FEED_IDLE (followed: no row for now), or an error code with
** *pzErr (sqlite3_malloc'd). */
#define MV_FEED_IDLE 200          /* not an SQLite result code */
int mv_feed_next(mv_feed *f, const mvs_row **ppRow, char **pzErr);
/* Where the stream is: the file and the offset just past the last event
** it read (copied into zFile[nFile], *pNext). 0 before the first event
** with a position. */
int mv_feed_where(mv_feed *f, char *zFile, size_t nFile, uint64_t *pNext);
void mv_feed_close(mv_feed *f);
/* The server_id of the server sending the stream (its first event says;
** 0 before it). */
unsigned mv_feed_source_id(mv_feed *f);

#endif /* MV_CHANGES_H */
