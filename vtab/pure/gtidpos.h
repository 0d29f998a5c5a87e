/*
** gtidpos.h — a GTID position as a replica keeps it (no SQLite): on
** MariaDB the last GTID of each replication domain ("0-1-42,1-2-7"), on
** MySQL the set of the GTIDs executed ("3e11...:1-42:50,4f22...:1-7",
** with MySQL 8.3+'s tags as "uuid:1-5:tag:1-3"). mysql_mirror starts one
** from the server's at its snapshot, adds the GTID of every commit it
** applies, and records the text with the commit; after a failover the
** text is where the next call starts on another server of the topology
** (README "Keep a local replica"). Unit-tested in test/unit/gtidpos_test.c.
**
**   mvg_pos p;
**   mvg_init(&p, MVG_MARIADB);
**   mvg_parse(&p, "0-1-41");           // 0: parsed
**   mvg_add(&p, "0-1-42");             // a commit's GTID
**   mvg_format(&p, &buf);              // "0-1-42"
**   mvg_free(&p);
**
** The text out is canonical: MariaDB's domains in ascending order; MySQL's
** sources by uuid (lower case), each with its untagged intervals first and
** then its tags in order, intervals ascending, merged where they touch.
** Positions of the same content format to the same text.
*/
#ifndef MV_GTIDPOS_H
#define MV_GTIDPOS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MVG_MARIADB 1
#define MVG_MYSQL   2

#define MVG_SRC_MAX 70          /* "uuid" (36) or "uuid:tag" (tag <= 32) */

typedef struct mvg_ival { uint64_t a, b; } mvg_ival;     /* a..b inclusive */

typedef struct mvg_entry {
  /* MariaDB: one domain and its last GTID */
  uint32_t domain, server;
  uint64_t seq;
  /* MySQL: one source ("uuid" or "uuid:tag", lower case) and its
  ** intervals, ascending, disjoint and not adjacent */
  char zSrc[MVG_SRC_MAX];
  int nIv, nIvAlloc;
  mvg_ival *aIv;
} mvg_entry;

typedef struct mvg_pos {
  int kind;                     /* MVG_MARIADB or MVG_MYSQL */
  int n, nAlloc;
  mvg_entry *a;                 /* sorted: by domain, by zSrc */
  int oom;                      /* sticky: an allocation failed */
} mvg_pos;

void mvg_init(mvg_pos *p, int kind);
void mvg_free(mvg_pos *p);      /* empties it; the kind stays */

/* Parse z (the server's text: white space and newlines after commas are
** allowed, upper-case hex too) into the empty p: 0 on success, 1 if z is
** not a position of p's kind, 2 out of memory. "" is the empty position
** (no transaction yet). A MySQL "uuid:n" is that one transaction (not
** mysql_changes' shorthand for uuid:1-n). */
int mvg_parse(mvg_pos *p, const char *z);

/* Add one commit's GTID: MariaDB "d-s-n" becomes domain d's last GTID;
** MySQL "uuid:n" or "uuid:tag:n" joins the set. 0; 1 if zGtid is not one
** GTID of p's kind; 2 out of memory. */
int mvg_add(mvg_pos *p, const char *zGtid);

/* Add every GTID of b (same kind) to p: MySQL the union; MariaDB b's
** domains replace p's. 0, or 2 out of memory. */
int mvg_union(mvg_pos *p, const mvg_pos *b);

/* Append p's canonical text to out (check out->oom). */
void mvg_format(const mvg_pos *p, mv_buf *out);

/* Do a and b hold the same (MariaDB: the same GTID in every domain)? */
int mvg_same(const mvg_pos *a, const mvg_pos *b);

/* MySQL: is every GTID of a in b? (MariaDB: does b have, for each domain
** of a, a GTID of the same server with at least its sequence number?) */
int mvg_subset(const mvg_pos *a, const mvg_pos *b);

/* MySQL: out = a minus b (out empty and of a's kind on entry). 0, or 2
** out of memory. */
int mvg_minus(const mvg_pos *a, const mvg_pos *b, mvg_pos *out);

/* Does a server lack what a replica at position zPos needs to go on from
** it? kind MVG_MARIADB: zHave is the server's @@gtid_binlog_state (the
** last GTID of each domain and server it logged), zGone NULL. MVG_MYSQL:
** zHave its @@gtid_executed, zGone its @@gtid_purged. 0 when nothing is
** missing (the server's own check of the dump comes on top), 1 with the
** reason in zWhy[nWhy] ("has no transaction of domain 2 (the replica is at
** 2-1-7)", "never executed 3e11...:43-50", "has purged 3e11...:1-10, which
** the replica never applied"), -1 if a text does not parse (zWhy says
** which). */
int mvg_server_lacks(int kind, const char *zPos, const char *zHave,
                     const char *zGone, char *zWhy, size_t nWhy);

#endif /* MV_GTIDPOS_H */
