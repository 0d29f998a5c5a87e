/*
** rowstream.h — binlog events in, change rows out, with the rules that
** make a position a resume token (DESIGN.md "mysql_changes"). Pure C: the
** caller brings the event bytes (a live dump, a file) and consumes rows;
** mysql_changes, mysql_binlog and mysql_mirror all go through here, so the
** exactly-once rules exist once, and test/unit/rowstream_test.c checks them
** on the fixture binlogs without a server.
**
**   mvs_stream *s = mvs_new();
**   mvs_set_file(s, "mysql-bin.000003");        // where a live dump starts
**   while( event bytes (p, n) ){
**     rc = mvs_feed(s, p, n, -1);               // -1: positions from the header
**     if( rc==MVS_STOP ) break;                 // stop_pos reached
**     if( rc==MVS_ERROR ) -> mvs_errmsg(s), at mvs_where(s)
**     while( (rc = mvs_next(s, &row))==MVS_ROW ) use row;
**     if( rc==MVS_ERROR ) ...                   // else MVS_MORE: feed again
**   }
**   mvs_free(s);
**
** Rows (op):
**   insert / update / delete   one per row of a rows event (pos, next_pos:
**                              the rows event's; inside a MySQL
**                              TRANSACTION_PAYLOAD the payload's)
**   ddl                        a statement other than BEGIN, COMMIT,
**                              ROLLBACK, SAVEPOINT, RELEASE and XA; db/tbl
**                              its target where it names a table
**                              (mvs_ddl_target), else db is the default
**                              schema and tbl NULL
**   commit                     an XID event or a COMMIT statement; a DDL
**                              statement outside a transaction commits by
**                              itself and is followed by a commit row with
**                              its positions. Every transaction ends with
**                              exactly one commit row: its next_pos resumes
**                              exactly after the transaction.
** A statement-based change (INSERT ... as a Query event) is an error:
** row changes need binlog_format=ROW.
**
** Filters: an op mask (1<<op) and a table filter, asked before a rows
** event is decoded (rows of other tables are never decoded) and for a DDL
** row's target; table maps of wanted tables go to an optional hook (the
** live schema completes their names). A commit row passes the op mask only.
**
** Lifetimes: a row's pointers stay valid until the next mvs_feed or
** mvs_next. One event at a time: memory is bounded by the largest event.
*/
#ifndef MV_ROWSTREAM_H
#define MV_ROWSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "binlog.h"

/* Row operations; MVS_INSERT..MVS_DELETE equal MVB_OP_*. */
#define MVS_INSERT 1
#define MVS_UPDATE 2
#define MVS_DELETE 3
#define MVS_DDL    4
#define MVS_COMMIT 5
#define MVS_ALL_OPS 0x3e

/* Result codes. */
#define MVS_OK     0
#define MVS_ROW    1     /* mvs_next: *row is ready */
#define MVS_MORE   2     /* mvs_next: feed the next event */
#define MVS_STOP   3     /* mvs_feed: the event is at or past stop_pos */
#define MVS_ERROR (-1)   /* mvs_errmsg(); the position is mvs_where()'s */

#define MVS_NAME_MAX 512 /* a binlog file name */

typedef struct mvs_row {
  int op;                     /* MVS_* */
  uint32_t ts;                /* event timestamp, Unix seconds */
  const char *pos, *next_pos; /* "file:offset" */
  const char *gtid;           /* the transaction's GTID, NULL if none */
  const char *db, *tbl, *sql; /* NULL when SQL NULL; db/tbl NUL-terminated */
  size_t n_db, n_tbl, n_sql;
  mvb_table *table;           /* insert/update/delete: the table */
  const mv_value *before;     /* table->ncol values, NULL for an insert */
  const mv_value *after;      /* NULL for a delete */
  /* where the row is in the stream: events handled since the start (outer
  ** and inner), and the row of that event (1.., 0 for a ddl or commit row
  ** of its own event, MVS_ROW_COMMIT for the commit row after a DDL):
  ** the same for the same row in every scan from the same start, whatever
  ** the filters (mysql_changes' rowid) */
  uint64_t event_no, row_no;
} mvs_row;
#define MVS_ROW_COMMIT ((1u<<28) - 1)

/* Is this table wanted? db/tbl may be NULL (a DDL statement without a
** table): non-zero means yes. */
typedef int (*mvs_want_fn)(void *arg, const char *db, size_t n_db,
                           const char *tbl, size_t n_tbl);
/* A wanted table was just mapped by an event of time ts: complete it
** (names from the live schema). 0 ok; non-zero: error, message written to
** zErr (nErr bytes). */
typedef int (*mvs_table_fn)(void *arg, mvb_decoder *d, mvb_table *t,
                            uint32_t ts, char *zErr, size_t nErr);
/* A DDL statement went by (what was learnt of the schema is stale). */
typedef void (*mvs_ddl_fn)(void *arg);

typedef struct mvs_stream mvs_stream;

mvs_stream *mvs_new(void);
void mvs_free(mvs_stream *s);
/* The decoder (checksum, json_diff settings; the hooks get it too). */
mvb_decoder *mvs_decoder(mvs_stream *s);

void mvs_set_ops(mvs_stream *s, int mask);
void mvs_set_hooks(mvs_stream *s, void *arg, mvs_want_fn want,
                   mvs_table_fn table, mvs_ddl_fn ddl);
/* all=1: DDL rows pass the table filter whatever their target (a mirror
** must see a statement that names its table second, or a DROP DATABASE). */
void mvs_set_all_ddl(mvs_stream *s, int all);
/* The file a live dump starts in (its artificial Rotate names it too). */
void mvs_set_file(mvs_stream *s, const char *zFile);
/* Stop before the first event at or past file:off. */
void mvs_set_stop(mvs_stream *s, const char *zFile, uint64_t off);

/* Give the next outer event (n bytes, n>=19). off>=0: it starts at that
** offset of the current file (a file read from disk); off<0: its position
** comes from the header's log_pos (a live stream; artificial events have
** none; MariaDB 11.4+'s log_pos 0 inside a transaction is counted on).
** MVS_OK, MVS_STOP (an event with a place at or past stop_pos) or
** MVS_ERROR. */
int mvs_feed(mvs_stream *s, const uint8_t *p, size_t n, int64_t off);
/* The next row of what was fed: MVS_ROW, MVS_MORE or MVS_ERROR. */
int mvs_next(mvs_stream *s, mvs_row *row);

/* The last error (no position in it) and where: the current event's
** file and start offset, its next offset; 0 if no event with a position
** has been seen yet. */
const char *mvs_errmsg(mvs_stream *s);
int mvs_where(mvs_stream *s, const char **pzFile, uint64_t *pPos,
              uint64_t *pNext);
/* The current file (after rotations). */
const char *mvs_file(mvs_stream *s);
/* Inside a transaction (BEGIN seen, no commit yet)? */
int mvs_in_txn(mvs_stream *s);
/* The server_id of the server sending a live dump (its artificial Rotate,
** the dump's first event, carries it; with log_slave_updates the events
** themselves carry their origin's): 0 before it, and for a file. */
uint32_t mvs_source_id(mvs_stream *s);

/* ---- pure parsers the cursors share ---- */

/* "file:offset" (no path separators or spaces in file): 0 on success. */
int mvs_parse_pos(const char *z, char *zFile, size_t nFile, uint64_t *pOff);
/* Order of two binlog file names by their numeric suffix. */
int mvs_compare_files(const char *a, const char *b);
/* Does the statement start with the word (case-insensitive, comments and
** space skipped)? */
int mvs_starts_with(const char *z, size_t n, const char *zWord);
/* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, XA, RELEASE: transaction control,
** not DDL. */
int mvs_is_txn_statement(const char *z, size_t n);
/* The table a DDL statement names (CREATE/ALTER/DROP/TRUNCATE/RENAME
** TABLE, CREATE/DROP INDEX ... ON): 1 with the name in tbl (NUL-terminated)
** and, when written db.tbl, the schema in db (else db->n is 0); 0 if none. */
int mvs_ddl_target(const char *z, size_t n, mv_buf *db, mv_buf *tbl);

/* What a DDL statement does to its target table (mvs_ddl_target): a CREATE
** [OR REPLACE] TABLE (not TEMPORARY), a RENAME TABLE, a DROP TABLE (not
** TEMPORARY), a CREATE or DROP INDEX (rows and columns unchanged), or
** anything else (ALTER, TRUNCATE...). */
#define MVS_DDL_OTHER        0
#define MVS_DDL_CREATE_TABLE 1
#define MVS_DDL_RENAME_TABLE 2
#define MVS_DDL_DROP_TABLE   3
#define MVS_DDL_INDEX        4
int mvs_ddl_kind(const char *z, size_t n);

/* The renames of "RENAME TABLE a TO b, c TO d" or "ALTER TABLE a RENAME
** [TO|AS] b" (nothing else in it): call with *pi 0, then again while it
** returns 1, each time one pair (schemas empty when not written). 0 at the
** end or for any other statement. */
int mvs_rename_next(const char *z, size_t n, size_t *pi, mv_buf *oldDb,
                    mv_buf *oldTbl, mv_buf *newDb, mv_buf *newTbl);

#endif /* MV_ROWSTREAM_H */
