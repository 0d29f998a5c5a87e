/*
** rowstream.h — binlog events in, change rows out, with the rules that
** make a position a resume token (DESIGN.md "mysql_changes"). Pure C: the
** caller brings the event bytes (a live dump, a file) and consumes rows;
** mysql_changes, mysql_binlog and mysql_mirror all go through here, so the
** exactly-once rules exist once, and test/unit/rowstream_test.c checks them
** on the fixture binlogs without a server.
**
**   mvr_stream *s = mvr_new();
**   mvr_set_file(s, "mysql-bin.000003");        // where a live dump starts
**   while( event bytes (p, n) ){
**     rc = mvr_feed(s, p, n, -1);               // -1: positions from the header
**     if( rc==MVR_STOP ) break;                 // stop_pos reached
**     if( rc==MVR_ERROR ) -> mvr_errmsg(s), at mvr_where(s)
**     while( (rc = mvr_next(s, &row))==MVR_ROW ) use row;
**     if( rc==MVR_ERROR ) ...                   // else MVR_MORE: feed again
**   }
**   mvr_free(s);
**
** Rows (op):
**   insert / update / delete   one per row of a rows event (pos, next_pos:
**                              the rows event's; inside a MySQL
**                              TRANSACTION_PAYLOAD the payload's)
**   ddl                        a statement other than BEGIN, COMMIT,
**                              ROLLBACK, SAVEPOINT, RELEASE and XA; db/tbl
**                              its target where it names a table
**                              (mvr_ddl_target), else db is the default
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
** Lifetimes: a row's pointers stay valid until the next mvr_feed or
** mvr_next. One event at a time: memory is bounded by the largest event.
*/
#ifndef MV_ROWSTREAM_H
#define MV_ROWSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "binlog.h"

/* Row operations; MVR_INSERT..MVR_DELETE equal MVB_OP_*. */
#define MVR_INSERT 1
#define MVR_UPDATE 2
#define MVR_DELETE 3
#define MVR_DDL    4
#define MVR_COMMIT 5
#define MVR_ALL_OPS 0x3e

/* Result codes. */
#define MVR_OK     0
#define MVR_ROW    1     /* mvr_next: *row is ready */
#define MVR_MORE   2     /* mvr_next: feed the next event */
#define MVR_STOP   3     /* mvr_feed: the event is at or past stop_pos */
#define MVR_ERROR (-1)   /* mvr_errmsg(); the position is mvr_where()'s */

#define MVR_NAME_MAX 512 /* a binlog file name */

typedef struct mvr_row {
  int op;                     /* MVR_* */
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
  ** of its own event, MVR_ROW_COMMIT for the commit row after a DDL):
  ** the same for the same row in every scan from the same start, whatever
  ** the filters (mysql_changes' rowid) */
  uint64_t event_no, row_no;
} mvr_row;
#define MVR_ROW_COMMIT ((1u<<28) - 1)

/* Is this table wanted? db/tbl may be NULL (a DDL statement without a
** table): non-zero means yes. */
typedef int (*mvr_want_fn)(void *arg, const char *db, size_t n_db,
                           const char *tbl, size_t n_tbl);
/* A wanted table was just mapped by an event of time ts: complete it
** (names from the live schema). 0 ok; non-zero: error, message written to
** zErr (nErr bytes). */
typedef int (*mvr_table_fn)(void *arg, mvb_decoder *d, mvb_table *t,
                            uint32_t ts, char *zErr, size_t nErr);
/* A DDL statement went by (what was learnt of the schema is stale). */
typedef void (*mvr_ddl_fn)(void *arg);

typedef struct mvr_stream mvr_stream;

mvr_stream *mvr_new(void);
void mvr_free(mvr_stream *s);
/* The decoder (checksum, json_diff settings; the hooks get it too). */
mvb_decoder *mvr_decoder(mvr_stream *s);

void mvr_set_ops(mvr_stream *s, int mask);
void mvr_set_hooks(mvr_stream *s, void *arg, mvr_want_fn want,
                   mvr_table_fn table, mvr_ddl_fn ddl);
/* all=1: DDL rows pass the table filter whatever their target (a mirror
** must see a statement that names its table second, or a DROP DATABASE). */
void mvr_set_all_ddl(mvr_stream *s, int all);
/* The file a live dump starts in (its artificial Rotate names it too). */
void mvr_set_file(mvr_stream *s, const char *zFile);
/* Stop before the first event at or past file:off. */
void mvr_set_stop(mvr_stream *s, const char *zFile, uint64_t off);

/* Give the next outer event (n bytes, n>=19). off>=0: it starts at that
** offset of the current file (a file read from disk); off<0: its position
** comes from the header's log_pos (a live stream; artificial events have
** none; MariaDB 11.4+'s log_pos 0 inside a transaction is counted on).
** MVR_OK, MVR_STOP (an event with a place at or past stop_pos) or
** MVR_ERROR. */
int mvr_feed(mvr_stream *s, const uint8_t *p, size_t n, int64_t off);
/* The next row of what was fed: MVR_ROW, MVR_MORE or MVR_ERROR. */
int mvr_next(mvr_stream *s, mvr_row *row);

/* The last error (no position in it) and where: the current event's
** file and start offset, its next offset; 0 if no event with a position
** has been seen yet. */
const char *mvr_errmsg(mvr_stream *s);
int mvr_where(mvr_stream *s, const char **pzFile, uint64_t *pPos,
              uint64_t *pNext);
/* The current file (after rotations). */
const char *mvr_file(mvr_stream *s);
/* Inside a transaction (BEGIN seen, no commit yet)? */
int mvr_in_txn(mvr_stream *s);

/* ---- pure parsers the cursors share ---- */

/* "file:offset" (no path separators or spaces in file): 0 on success. */
int mvr_parse_pos(const char *z, char *zFile, size_t nFile, uint64_t *pOff);
/* Order of two binlog file names by their numeric suffix. */
int mvr_compare_files(const char *a, const char *b);
/* Does the statement start with the word (case-insensitive, comments and
** space skipped)? */
int mvr_starts_with(const char *z, size_t n, const char *zWord);
/* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, XA, RELEASE: transaction control,
** not DDL. */
int mvr_is_txn_statement(const char *z, size_t n);
/* The table a DDL statement names (CREATE/ALTER/DROP/TRUNCATE/RENAME
** TABLE, CREATE/DROP INDEX ... ON): 1 with the name in tbl (NUL-terminated)
** and, when written db.tbl, the schema in db (else db->n is 0); 0 if none. */
int mvr_ddl_target(const char *z, size_t n, mv_buf *db, mv_buf *tbl);

/* What a DDL statement does to its target table (mvr_ddl_target): a CREATE
** [OR REPLACE] TABLE (not TEMPORARY), a RENAME TABLE, a DROP TABLE (not
** TEMPORARY), a CREATE or DROP INDEX (rows and columns unchanged), or
** anything else (ALTER, TRUNCATE...). */
#define MVR_DDL_OTHER        0
#define MVR_DDL_CREATE_TABLE 1
#define MVR_DDL_RENAME_TABLE 2
#define MVR_DDL_DROP_TABLE   3
#define MVR_DDL_INDEX        4
int mvr_ddl_kind(const char *z, size_t n);

/* The renames of "RENAME TABLE a TO b, c TO d" or "ALTER TABLE a RENAME
** [TO|AS] b" (nothing else in it): call with *pi 0, then again while it
** returns 1, each time one pair (schemas empty when not written). 0 at the
** end or for any other statement. */
int mvr_rename_next(const char *z, size_t n, size_t *pi, mv_buf *oldDb,
                    mv_buf *oldTbl, mv_buf *newDb, mv_buf *newTbl);

#endif /* MV_ROWSTREAM_H */
