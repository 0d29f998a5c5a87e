/*
** transport.h — the binlog stream from the client library, behind a small
** interface: open a replication stream at a position, take the raw bytes
** of one event at a time, close. Nothing here decodes an event (that is
** binlog.c); nothing here knows SQLite's virtual tables (that is changes.c).
**
**   mvt_stream *s;
**   mvt_start o = {0};
**   o.file = "mysql-bin.000003"; o.pos = 1234;      (or o.gtid = "0-1-42")
**   if( mvt_open(mysql, &o, &s, &zErr) ) ... zErr ...
**   while( (rc = mvt_next(s, &p, &n))==MVT_EVENT ){ ... one whole event ... }
**   rc==MVT_IDLE: a heartbeat (follow mode): nothing new, ask again
**   rc==MVT_EOF: the end of the log as it stood (non-blocking dump)
**   rc==MVT_ERROR: mvt_errmsg(s), mvt_errno(s) (the server's error number)
**   mvt_close(s);                     closes the connection as well
**
** Two implementations, chosen by the client library the extension is built
** with:
**   - libmariadb (MariaDB Connector/C 3.x): mariadb_rpl_init/optionsv/open
**     send COM_BINLOG_DUMP; the events are then read as raw packets with
**     mysql_net_read_packet(), without Connector/C's own event parser
**     (which rejects events it does not know and copies every event).
**     MariaDB GTID positions go through @slave_connect_state; a MySQL GTID
**     set is sent as COM_BINLOG_DUMP_GTID through the handle's db_command
**     method.
**   - libmysqlclient (MySQL 8.x and 9.x, no MARIADB_PACKAGE_VERSION_ID):
**     mysql_binlog_open/mysql_binlog_fetch, also with MySQL GTID sets
**     (COM_BINLOG_DUMP_GTID).
** make test-matrix runs both against MySQL 9.7 and MariaDB 11.8.
**
** The stream has a connection of its own (a dump takes it over), opened
** here from a parsed DSN rather than taken from the pool; its few prelude
** statements are plain calls on that fresh connection, and a caller checks
** sqlite3_interrupt() between events (follow mode's heartbeats make those
** at least every heartbeat_ms).
** The event bytes are valid until the next mvt_next or mvt_close: memory is
** bounded by the largest single event.
*/
#ifndef MV_TRANSPORT_H
#define MV_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#define MVT_EOF     0
#define MVT_EVENT   1
#define MVT_IDLE    2
#define MVT_ERROR (-1)

typedef struct mvt_start {
  const char *file;        /* binlog file name; NULL or "" with gtid */
  uint64_t pos;            /* offset in file (4 = its first event) */
  const char *gtid;        /* MariaDB "d-s-n[,d-s-n...]" (the last applied
                           ** per domain), or a MySQL "uuid:a-b[:c-d][,...]"
                           ** set (the transactions already had); NULL for
                           ** a file position */
  unsigned server_id;      /* the replica id to dump as; 0 picks a random
                           ** high one (ids must be unique per reader) */
  int follow;              /* 0: non-blocking dump, ends at the current end
                           ** of the log; 1: blocking, with heartbeats */
  unsigned heartbeat_ms;   /* follow: heartbeat period (default 100 ms) */
} mvt_start;

typedef struct mvt_stream mvt_stream;

/* Start a dump on the connected handle m, which the stream then owns (it
** is closed by mvt_close, also when mvt_open fails). On failure returns
** non-zero and sets *pzErr (sqlite3_malloc'd): the server's reason, with
** its error number in *pErrno if pErrno is not NULL. */
int mvt_open(MYSQL *m, const mvt_start *o, mvt_stream **pp, char **pzErr,
             unsigned *pErrno);

/* The next event: *pz and *pn are the whole event (common header, body and
** checksum), without the protocol's leading OK byte. */
int mvt_next(mvt_stream *s, const uint8_t **pz, size_t *pn);

const char *mvt_errmsg(mvt_stream *s);
unsigned mvt_errno(mvt_stream *s);
/* The replica id the stream dumps as. */
unsigned mvt_server_id(mvt_stream *s);

void mvt_close(mvt_stream *s);

/* Does z look like a MariaDB GTID position ("d-s-n", comma-separated)? */
int mvt_is_maria_gtid(const char *z);
/* Does z look like a MySQL GTID set ("uuid:1-5:7,uuid:3")? */
int mvt_is_mysql_gtid(const char *z);

#endif /* MV_TRANSPORT_H */
