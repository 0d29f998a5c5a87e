/*
** mirror_resume.c — where a later call of mysql_mirror starts, and the
** GTID position it keeps with every commit (README "Keep a local replica",
** "Failover"):
**
**   - The set records, with each commit, its file:offset, the server_id of
**     the server whose binlog that is, and its GTID position (pure/gtidpos.c:
**     MariaDB's last GTID of each domain, MySQL's executed set).
**   - A later call resumes at file:offset when the server is that one and
**     still has the file; otherwise (a failover: the same DSN now reaches
**     the promoted replica, or the DSN of another server of the topology)
**     from the GTID position, after checking that the server has what the
**     set needs. The binlog stream itself says which server sent it (its
**     first event): a stream from another server than the position's is
**     restarted from the GTID position before anything is applied.
**   - A stream started from a GTID position skips, server side, the
**     transactions the set has, wherever they lie in that server's binlog:
**     the next_pos of a commit there is a resume point by file:offset only
**     if none of them lies after it. The set records the new server_id
**     with its position once that is shown (MariaDB: BINLOG_GTID_POS of the
**     position equals the set's; MySQL: the start's set is in the
**     Previous_gtids of the position's file, or purged); until then each
**     call resumes by GTID again.
**
** Either way the apply stays exactly-once by position: nothing is applied
** twice, nothing skipped; a server that lacks the GTIDs (purged, another
** topology, a replica that was behind) is an error naming the set, the
** position and how to rebuild.
*/
#include "mirror.h"

#include <stdlib.h>
#include <string.h>

/* The set's GTID position as text (sqlite3_malloc'd), NULL when out of
** memory. */
static char *gtidText(const mvg_pos *p){
  mv_buf b;
  char *z;
  mv_buf_init(&b);
  mvg_format(p, &b);
  z = b.oom ? 0 : sqlite3_mprintf("%s", mv_buf_cstr(&b));
  mv_buf_free(&b);
  return z;
}

int mv_mirror_bind_ids(mirror *m, sqlite3_stmt *p, int iGtid, int iServer){
  if( m->gtidOk ){
    char *z = gtidText(&m->gtid);
    if( z==0 ) return mv_mirror_err(m, "out of memory");
    sqlite3_bind_text(p, iGtid, z, -1, sqlite3_free);
  }else{
    sqlite3_bind_null(p, iGtid);
  }
  if( m->recServer ) sqlite3_bind_int64(p, iServer, m->recServer);
  else sqlite3_bind_null(p, iServer);
  return 0;
}

int mv_mirror_gtid_commit(mirror *m, const char *zGtid){
  int rc;
  if( !m->gtidOk ) return 0;
  /* a transaction without a GTID (MySQL gtid_mode off for a while): the
  ** position can no longer be told by GTIDs */
  rc = zGtid && zGtid[0] ? mvg_add(&m->gtid, zGtid) : 1;
  if( rc==2 ) return mv_mirror_err(m, "out of memory");
  if( rc ){
    m->gtidOk = 0;
    mvg_free(&m->gtid);
  }
  return 0;
}

/* "the set s (at file:offset of server_id n, GTID position g)". */
static char *whereText(mirror *m, const char *zPos){
  sqlite3_str *s = sqlite3_str_new(0);
  char *zG = m->gtidOk ? gtidText(&m->gtid) : 0;
  sqlite3_str_appendf(s, "the set %s (at %s", m->zSet, zPos);
  if( m->posServer ) sqlite3_str_appendf(s, " of server_id %u", m->posServer);
  sqlite3_str_appendf(s, ", GTID position %s)", !m->gtidOk ? "none"
                      : zG && zG[0] ? zG : "empty");
  sqlite3_free(zG);
  return sqlite3_str_finish(s);
}

/* The error of a set that cannot go on on this server. */
static int lacksError(mirror *m, const char *zPos, unsigned cur,
                      const char *zLabel, const char *zWhy){
  char *zWhere = whereText(m, zPos);
  char *zFix = mv_mirror_rebuild_advice(m);
  mv_mirror_err(m, "%s: server_id %u (%s) lacks what the set needs: %s;"
                   " nothing was applied. %s", zWhere ? zWhere : m->zSet, cur,
                   zLabel, zWhy, zFix ? zFix : "");
  sqlite3_free(zWhere);
  sqlite3_free(zFix);
  return 1;
}

/* Start from the GTID position: the text, with byGtid and gtidStart set,
** a table's re-snapshot position forgotten (it is another server's file;
** the set's position is past it). NULL with the error set. */
static char *startByGtid(mirror *m){
  char *zStart, *zSql;
  int i;
  mvg_free(&m->gtidStart);
  m->gtidStart.kind = m->kind;
  if( mvg_union(&m->gtidStart, &m->gtid) ){ mv_mirror_err(m, "out of memory"); return 0; }
  if( (zStart = gtidText(&m->gtid))==0 ){ mv_mirror_err(m, "out of memory"); return 0; }
  m->byGtid = 1;
  m->recServer = 0;
  for(i=0; i<m->nTab; i++) m->aTab[i].hasSkip = 0;
  zSql = sqlite3_mprintf("UPDATE main.mysql_mirror_state SET resync_pos=NULL"
                         " WHERE set_name=%Q", m->zSet);
  if( zSql==0 || mv_mirror_exec(m, zSql) ){
    if( zSql==0 ) mv_mirror_err(m, "out of memory");
    sqlite3_free(zSql);
    sqlite3_free(zStart);
    return 0;
  }
  sqlite3_free(zSql);
  return zStart;
}

/* What the server says of itself and its GTIDs. */
typedef struct srvInfo {
  unsigned serverId;
  char *zHave, *zGone;    /* gtid_binlog_state / gtid_executed, gtid_purged */
  int fileState;          /* the position's file: 1 there, 0 not, -1 unknown */
} srvInfo;

static int askServer(mirror *m, mv_conn *c, const char *zFile, srvInfo *s,
                     char **pzErr){
  MYSQL_RES *res = mv_query(m->ctx, c, m->kind==MVG_MARIADB
      ? "SELECT @@server_id, @@GLOBAL.gtid_binlog_state"
      : "SELECT @@server_id, @@GLOBAL.gtid_executed, @@GLOBAL.gtid_purged",
      "where the set resumes", pzErr);
  MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
  char *zFirst = 0, *zLast = 0, *zE = 0;
  long long size = -1;
  if( res==0 ) return 1;
  if( row && row[0] ) s->serverId = (unsigned)strtoul(row[0], 0, 10);
  if( row && row[1] ) s->zHave = sqlite3_mprintf("%s", row[1]);
  if( row && m->kind==MVG_MYSQL && row[2] ) s->zGone = sqlite3_mprintf("%s", row[2]);
  mysql_free_result(res);
  /* a user who may not list the binlogs: the file is not known missing */
  s->fileState = -1;
  if( zFile && mv_binlog_files(m->ctx, c, zFile, &zFirst, &zLast, &size, &zE)==0 ){
    s->fileState = size>=0;
  }
  sqlite3_free(zE);
  sqlite3_free(zFirst);
  sqlite3_free(zLast);
  return 0;
}

/* MariaDB: the GTID position at file:offset on c's server, parsed into *p
** (of kind MVG_MARIADB, empty); 0 ok, 1 when the server cannot tell. */
static int gtidAt(mirror *m, mv_conn *c, const char *zPos, mvg_pos *p){
  char zFile[MVS_NAME_MAX];
  uint64_t off;
  char *zLit, *zSql, *zE = 0;
  MYSQL_RES *res;
  MYSQL_ROW row;
  int rc = 1;
  if( mvs_parse_pos(zPos, zFile, sizeof zFile, &off) ) return 1;
  zLit = mv_literal(c->mysql, zFile);
  zSql = zLit ? sqlite3_mprintf("SELECT BINLOG_GTID_POS(%s, %llu)", zLit,
                                (unsigned long long)off) : 0;
  res = zSql ? mv_query(m->ctx, c, zSql, "the GTID position of the set's", &zE) : 0;
  row = res ? mysql_fetch_row(res) : 0;
  if( row && row[0] && mvg_parse(p, row[0])==0 ) rc = 0;
  if( res ) mysql_free_result(res);
  sqlite3_free(zE);
  sqlite3_free(zSql);
  sqlite3_free(zLit);
  return rc;
}

/* Does the server (c, as s tells) lack the set's GTID position? 0 no, 1
** yes or out of memory (the error set: lacksError). */
static int serverLacks(mirror *m, const char *zPos, mv_conn *c, srvInfo *s){
  char zWhy[600];
  char *zG = gtidText(&m->gtid);
  int lacks = zG ? mvg_server_lacks(m->kind, zG, s->zHave, s->zGone, zWhy,
                                    sizeof zWhy) : -1;
  if( zG && zG[0]==0 ){
    lacks = 1;
    sqlite3_snprintf((int)sizeof zWhy, zWhy, "the set's GTID position is empty (its"
             " snapshot came before any transaction with a GTID)");
  }
  sqlite3_free(zG);
  if( zG==0 ) return mv_mirror_err(m, "out of memory");
  if( lacks ) return lacksError(m, zPos, s->serverId, c->zLabel, zWhy);
  return 0;
}

int mv_mirror_switch_check(mirror *m, mv_conn *c, const char *zPos,
                           char **pzHave, char **pzGone){
  srvInfo s;
  char *zErr = 0;
  int rc;
  memset(&s, 0, sizeof s);
  *pzHave = *pzGone = 0;
  if( askServer(m, c, 0, &s, &zErr) ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  rc = serverLacks(m, zPos, c, &s);
  if( rc==0 ){
    char *zStart = startByGtid(m);
    rc = zStart==0;
    sqlite3_free(zStart);
  }
  if( rc==0 ){
    *pzHave = s.zHave;
    *pzGone = s.zGone;
  }else{
    sqlite3_free(s.zHave);
    sqlite3_free(s.zGone);
  }
  return rc;
}

char *mv_mirror_gtid_text(mirror *m){
  char *z = gtidText(&m->gtid);
  if( z==0 ) mv_mirror_err(m, "out of memory");
  return z;
}

/* Where the call starts (sqlite3_malloc'd: zPos, or the GTID position's
** text); NULL with the error set. */
static char *resumeStart(mirror *m, const char *zPos, const char *zGtidPos,
                         sqlite3_int64 serverId){
  const char *zDsn = mv_dsn_text(m->zDsnArg);
  char zFile[MVS_NAME_MAX];
  uint64_t off;
  char *zErr = 0, *zStart = 0;
  srvInfo s;
  mv_conn *c;
  memset(&s, 0, sizeof s);
  c = mv_conn_get(m->ctx, zDsn, &zErr);
  if( c==0 ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 0;
  }
  m->kind = mv_is_mariadb(c->mysql) ? MVG_MARIADB : MVG_MYSQL;
  mvg_free(&m->gtid);
  mvg_init(&m->gtid, m->kind);
  mvg_init(&m->gtidStart, m->kind);
  m->posServer = serverId>0 && serverId<=0xffffffff ? (unsigned)serverId : 0;
  if( askServer(m, c, mvs_parse_pos(zPos, zFile, sizeof zFile, &off)==0
                ? zFile : 0, &s, &zErr) ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
    goto done;
  }
  if( zGtidPos ){
    if( mvg_parse(&m->gtid, zGtidPos) ){
      mv_mirror_err(m, "bad gtid_pos '%s' in mysql_mirror_sets for the set %s"
                       " (not a GTID position of this server's kind)",
                    zGtidPos, m->zSet);
      goto done;
    }
    m->gtidOk = 1;
  }
  if( zGtidPos==0 && m->posServer==0 ){
    /* A set made before the GTID position was kept: its position is
    ** taken to be this server's, as it always was; MariaDB tells its GTID
    ** position there. */
    m->posServer = s.serverId;
    if( m->kind==MVG_MARIADB && s.fileState!=0 ) m->gtidOk = gtidAt(m, c, zPos, &m->gtid)==0;
    zStart = sqlite3_mprintf("%s", zPos);
  }else if( m->posServer==s.serverId && s.fileState!=0 ){
    /* the position's own server, which still has the file */
    zStart = sqlite3_mprintf("%s", zPos);
  }else if( !m->gtidOk ){
    char *zWhy = m->posServer!=s.serverId
      ? sqlite3_mprintf("the set's position is in the binlog of server_id %u,"
            " and the set has no GTID position to go on from on another"
            " server (the server it came from logged none)", m->posServer)
      : sqlite3_mprintf("the set's binlog file is no longer on the server,"
            " and the set has no GTID position to go on from");
    if( zWhy ) lacksError(m, zPos, s.serverId, c->zLabel, zWhy);
    else mv_mirror_err(m, "out of memory");
    sqlite3_free(zWhy);
    goto done;
  }else{
    /* another server (or the file is gone): the GTID position, if the
    ** server has what it needs */
    if( serverLacks(m, zPos, c, &s) ) goto done;
    if( (zStart = startByGtid(m))==0 ) goto done;
  }
  if( zStart==0 ) mv_mirror_err(m, "out of memory");
  if( !m->byGtid ) m->recServer = m->posServer;
done:
  sqlite3_free(zErr);
  sqlite3_free(s.zHave);
  sqlite3_free(s.zGone);
  mv_conn_release(m->ctx, c);
  return zStart;
}

/* At the stream's first row, srcId the server_id that sends it: NULL to go
** on, or the GTID position to start again from (the stream came from
** another server than the position's); NULL with m->zErr on an error. */
static char *resumeCheck(mirror *m, unsigned srcId, const char *zPos){
  if( m->byGtid || srcId==0 || m->posServer==0 || srcId==m->posServer ){
    if( !m->byGtid && srcId ) m->recServer = srcId;
    return 0;
  }
  /* The stream comes from another server than the one the position was
  ** checked on (a connection kept from before a failover): by GTID. */
  if( !m->gtidOk ){
    char *zWhy = sqlite3_mprintf("its binlog stream came from server_id %u,"
        " not the position's, and the set has no GTID position to go on from"
        " elsewhere", srcId);
    if( zWhy ) lacksError(m, zPos, srcId, "the binlog stream", zWhy);
    else mv_mirror_err(m, "out of memory");
    sqlite3_free(zWhy);
    return 0;
  }
  return startByGtid(m);
}

/* The stream, started at the set's file:offset, failed before its first
** row with zErr: if the server refused the position (no such file, not
** its boundary: the position is another server's), the GTID position to
** start again from; else NULL. */
static char *resumeRefused(mirror *m, const char *zErr){
  if( m->byGtid || !m->gtidOk || zErr==0 ) return 0;
  if( strstr(zErr, "server error 1236")==0
   && strstr(zErr, "offset past the end of the binlog file")==0 ) return 0;
  return startByGtid(m);
}

void mv_mirror_resume_error(mirror *m, const char *zPos, const char *zErr){
  char *zWhere, *zFix;
  if( !m->byGtid || strstr(zErr, "server error 1236")==0 ){
    mv_mirror_err(m, "%s", zErr);
    return;
  }
  /* the server refused the GTID position (purged; never written there) */
  zWhere = whereText(m, zPos);
  zFix = mv_mirror_rebuild_advice(m);
  mv_mirror_err(m, "%s: the server lacks what the set needs: %s; nothing"
                   " was applied. %s", zWhere ? zWhere : m->zSet, zErr,
                zFix ? zFix : "");
  sqlite3_free(zWhere);
  sqlite3_free(zFix);
}

/* ---- the call's stream ---- */

/* The feed from zNew, which becomes the start (freed with the stream);
** *pzErr is the feed's message when it does not open. zNew NULL (out of
** memory, the error set): no feed. */
static int streamAt(mirror *m, mirror_stream *s, char *zNew, char **pzErr){
  mv_feed_close(s->f);
  s->f = 0;
  s->srcId = 0;
  sqlite3_free(s->zStart);
  s->zStart = zNew;
  sqlite3_free(*pzErr);
  *pzErr = 0;
  if( zNew ){
    s->f = m->pFollow
      ? mv_feed_open_follow(m->db, m->ctx, zNew, s->zDsnArg, s->xWant,
                            mv_mirror_map_info, m, pzErr)
      : mv_feed_open(m->db, m->ctx, zNew, s->zDsnArg, s->xWant,
                     mv_mirror_map_info, m, pzErr);
  }
  return s->f==0;
}

int mv_mirror_stream_open(mirror *m, mirror_stream *s, const char *zPos,
                          const char *zGtidPos, sqlite3_int64 serverId,
                          const char *zDsnArg, mvs_want_fn xWant){
  char *zErr = 0, *zRe;
  memset(s, 0, sizeof *s);
  s->zPos = zPos;
  s->zDsnArg = zDsnArg;
  s->xWant = xWant;
  if( (zRe = resumeStart(m, zPos, zGtidPos, serverId))==0 ) return 1;
  if( streamAt(m, s, zRe, &zErr) && m->zErr==0
   && (zRe = resumeRefused(m, zErr))!=0 ){
    /* a file position the server refuses is another server's */
    s->checked = 1;
    streamAt(m, s, zRe, &zErr);
  }
  if( s->f==0 ) mv_mirror_resume_error(m, zPos, zErr ? zErr : "out of memory");
  sqlite3_free(zErr);
  return s->f==0;
}

int mv_mirror_stream_next(mirror *m, mirror_stream *s, const mvs_row **ppRow,
                          char **pzErr){
  while( 1 ){
    int rc = mv_feed_next(s->f, ppRow, pzErr);
    char *zRe = 0;
    if( s->checked ){
      if( s->srcId==0 ) s->srcId = mv_feed_source_id(s->f);
      return rc;
    }
    if( rc==MV_FEED_IDLE && mv_feed_source_id(s->f)==0 ) return rc;
    if( rc==SQLITE_ROW || rc==MV_FEED_IDLE ){
      /* the stream's server, before anything is applied (followed, at the
      ** log's end: its Rotate named it before the heartbeat) */
      s->checked = 1;
      s->srcId = mv_feed_source_id(s->f);
      zRe = resumeCheck(m, s->srcId, s->zPos);
      if( m->zErr ) return SQLITE_ERROR;
    }else if( rc!=SQLITE_DONE ){
      /* the file position refused before the first row */
      zRe = resumeRefused(m, *pzErr);
      s->checked = zRe!=0;
    }
    if( zRe==0 ) return rc;
    if( streamAt(m, s, zRe, pzErr) ){
      mv_mirror_resume_error(m, s->zPos, *pzErr ? *pzErr : "out of memory");
      return SQLITE_ERROR;
    }
  }
}

int mv_mirror_stream_again(mirror *m, mirror_stream *s, const char *zAt){
  char *zErr = 0;
  char *z = m->byGtid ? gtidText(&m->gtid) : sqlite3_mprintf("%s", zAt);
  if( z==0 ) return mv_mirror_err(m, "out of memory");
  if( streamAt(m, s, z, &zErr) ){
    mv_mirror_err(m, "%s", zErr ? zErr : "out of memory");
  }
  sqlite3_free(zErr);
  return s->f==0;
}

void mv_mirror_stream_close(mirror_stream *s){
  mv_feed_close(s->f);
  sqlite3_free(s->zStart);
  memset(s, 0, sizeof *s);
}

int mv_mirror_resume_finish(mirror *m, const char *zLast, unsigned srcId){
  mv_conn *c = 0;
  char *zErr = 0, *zGone = 0;
  int clean = 0, same = 0, i;
  if( !m->byGtid || zLast==0 || srcId==0 || !m->gtidOk ) return 0;
  /* asked of the stream's server, or nothing is shown: a pooled
  ** connection to another (kept from before a failover) is closed, and
  ** the next one tried */
  for(i=0; i<4 && !same; i++){
    MYSQL_RES *res;
    MYSQL_ROW row;
    if( (c = mv_conn_get(m->ctx, mv_dsn_text(m->zDsnArg), &zErr))==0 ) break;
    res = mv_query(m->ctx, c, m->kind==MVG_MARIADB ? "SELECT @@server_id"
                   : "SELECT @@server_id, @@GLOBAL.gtid_purged",
                   "the server of the set's position", &zErr);
    row = res ? mysql_fetch_row(res) : 0;
    same = row && row[0] && strtoul(row[0], 0, 10)==srcId;
    if( same && m->kind==MVG_MYSQL ){
      zGone = sqlite3_mprintf("%s", row[1] ? row[1] : "");
      same = zGone!=0;
    }
    if( res ) mysql_free_result(res);
    if( !same ){
      mv_conn_put(m->ctx, c, 0);
      c = 0;
      if( zErr ) break;
    }
  }
  if( c ){
    MYSQL_RES *res;
    MYSQL_ROW row;
    if( m->kind==MVG_MARIADB ){
      mvg_pos at;
      mvg_init(&at, MVG_MARIADB);
      clean = gtidAt(m, c, zLast, &at)==0 && mvg_same(&at, &m->gtid);
      mvg_free(&at);
    }else{
      /* MySQL: the start's set is before the position's file: in its
      ** Previous_gtids, or purged (in no binlog file at all) */
      char zFile[MVS_NAME_MAX], *zLit = 0, *zSql = 0;
      uint64_t off;
      if( mvs_parse_pos(zLast, zFile, sizeof zFile, &off)==0 ){
        zLit = mv_literal(c->mysql, zFile);
      }
      if( zLit ) zSql = sqlite3_mprintf("SHOW BINLOG EVENTS IN %s LIMIT 4", zLit);
      res = zSql ? mv_query(m->ctx, c, zSql, "the position's file", &zErr) : 0;
      while( res && (row = mysql_fetch_row(res))!=0 ){
        if( mysql_num_fields(res)>=6 && row[2] && row[5]
         && strcmp(row[2], "Previous_gtids")==0 ){
          mvg_pos prev, gone;
          mvg_init(&prev, MVG_MYSQL);
          mvg_init(&gone, MVG_MYSQL);
          clean = mvg_parse(&prev, row[5])==0 && mvg_parse(&gone, zGone)==0
               && mvg_union(&prev, &gone)==0 && mvg_subset(&m->gtidStart, &prev);
          mvg_free(&prev);
          mvg_free(&gone);
        }
      }
      if( res ) mysql_free_result(res);
      sqlite3_free(zSql);
      sqlite3_free(zLit);
    }
  }
  /* a question the server cannot answer leaves the next call by GTID */
  sqlite3_free(zErr);
  sqlite3_free(zGone);
  mv_conn_release(m->ctx, c);
  if( clean ) m->recServer = srcId;
  return clean;
}
