/*
** changes_source.c — where the mysql_changes / mysql_binlog cursor gets
** its events (changes_int.h): the live stream (what the server must
** offer, asked on a pooled connection; the dump on a connection of the
** cursor's own; the server's complaints about a start position, in words
** that say what to do; the DDL probe that reads ahead for schema.c) and a
** binlog file, read an event at a time. changes.c turns the events into
** rows through the row stream (pure/rowstream.h).
*/
#include "changes_int.h"
#include "pure/checkrules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A little-endian 32-bit field of an event header. */
static uint32_t get32(const uint8_t *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}

/* ---- the live stream ---- */

/* For a file the server does not have: purged (older than its oldest
** binlog) or never written? From SHOW BINARY LOGS on a pooled connection;
** NULL when that cannot be told. */
static char *whyNoFile(mc_cursor *pCur){
  char zFile[MC_NAME_MAX];
  uint64_t off;
  char *zErr = 0, *zWhy = 0, *zFirst = 0, *zLast = 0;
  mv_conn *c;
  if( mvs_parse_pos(pCur->zStart, zFile, sizeof zFile, &off) ) return 0;
  c = mv_conn_get(pCur->pTab->ctx, pCur->zDsn, &zErr);
  if( c && mv_binlog_files(pCur->pTab->ctx, c, 0, &zFirst, &zLast, 0, &zErr)==0 ){
    zWhy = mv_binlog_start_problem(zFile, off, zFirst, zLast, -1);
  }
  mv_conn_release(pCur->pTab->ctx, c);
  sqlite3_free(zErr);
  sqlite3_free(zFirst);
  sqlite3_free(zLast);
  return zWhy;
}

/* A message for a server error on the stream. Before the first event the
** position is the requested one, and the server's complaint is about it. */
int mv_changes_stream_error(mc_cursor *pCur, unsigned err, const char *zMsg){
  const char *zWhy = 0, *zEvFile;
  char *zWhy2 = 0;
  uint64_t evPos, evNext;
  int rc;
  if( mv_changes_where(pCur, &zEvFile, &evPos, &evNext) ){
    /* where the stream was: just past the last event read */
    return mv_changes_error(pCur, "%s: %s:%llu: server error %u: %s",
                            pCur->zName, zEvFile, (unsigned long long)evNext,
                            err, zMsg);
  }
  if( strstr(zMsg, "Could not find first log file name") ){
    zWhy = zWhy2 = whyNoFile(pCur);
    if( zWhy==0 ){
      zWhy = "no such binlog file on the server (purged, or never written)";
    }
  }else if( strstr(zMsg, "Could not find GTID state")
         || strstr(zMsg, "which is not in the master's binlog") ){
    zWhy = "GTID position not in the server's binlogs (purged, or never"
           " written)";
  }else if( strstr(zMsg, "more GTIDs than the source") ){
    /* MySQL 8.0.26+ */
    zWhy = "the GTID set has transactions this server never wrote";
  }else if( strstr(zMsg, "purged binary logs containing GTIDs") ){
    zWhy = "binlogs with transactions not in the GTID set are purged from"
           " the server";
  }else if( strstr(zMsg, "impossible position") ){
    zWhy = "offset past the end of the binlog file";
  }else if( strstr(zMsg, "bogus data") || strstr(zMsg, "binlog truncated")
         || strstr(zMsg, "max_allowed_packet") || strstr(zMsg, "wrong magic")
         || strstr(zMsg, "checksum") ){
    zWhy = "offset is not an event boundary (resume from a next_pos)";
  }
  if( err==0 ){
    rc = mv_changes_error(pCur, "%s: %s: %s", pCur->zName, pCur->zStart, zMsg);
  }else if( zWhy ){
    rc = mv_changes_error(pCur, "%s: %s: %s (server error %u: %s)", pCur->zName,
                          pCur->zStart, zWhy, err, zMsg);
  }else{
    rc = mv_changes_error(pCur, "%s: %s: server error %u: %s", pCur->zName,
                          pCur->zStart, err, zMsg);
  }
  sqlite3_free(zWhy2);
  return rc;
}

/* mv_ddl_probe (schema.h): read the log ahead, on a stream of its own,
** from the current event to the last event of second `upto`, for a DDL
** statement that mentions zTbl (any statement but BEGIN, COMMIT and the
** like; a mention is enough: a false alarm only costs names). Bounded by
** that second of log, and by MC_PROBE_MAX events (then: "cannot tell"). */
#define MC_PROBE_MAX 200000
static int ddlProbe(void *pArg, const char *zDb, const char *zTbl,
                    uint32_t upto, char **pzErr){
  mc_cursor *pCur = (mc_cursor*)pArg;
  mv_dsn dsn;
  MYSQL *m;
  mvt_stream *st = 0;
  mvb_decoder *d = 0;
  mvt_start o;
  char *zErr = 0;
  int rc = 0, n = 0;
  size_t nTbl = strlen(zTbl);
  const char *zEvFile;
  uint64_t evPos, evNext;
  (void)zDb;
  *pzErr = 0;
  if( !mv_changes_where(pCur, &zEvFile, &evPos, &evNext) ) return 1;
  if( mv_dsn_parse(pCur->zDsn, &dsn, &zErr) ){ *pzErr = zErr; return -1; }
  /* not pooled: the dump occupies the connection; mvt_close closes it */
  m = mv_connect(&dsn, &zErr);
  mv_dsn_free(&dsn);
  if( m==0 ){ *pzErr = zErr; return -1; }
  memset(&o, 0, sizeof o);
  o.file = zEvFile;
  o.pos = evPos;
  mv_log_query(pCur->pTab->ctx, "COM_BINLOG_DUMP (read ahead for DDL)");
  if( mvt_open(m, &o, &st, &zErr, 0) ){ *pzErr = zErr; return -1; }
  d = mvb_new();
  if( d==0 ){ mvt_close(st); *pzErr = sqlite3_mprintf("out of memory"); return -1; }
  mvb_set_checksum(d, pCur->checksum);
  while( 1 ){
    const uint8_t *p;
    size_t np;
    mvb_event ev;
    int r = mvt_next(st, &p, &np);
    if( r==MVT_EOF ){ rc = 0; break; }
    if( r==MVT_ERROR ){
      *pzErr = sqlite3_mprintf("reading ahead: %s", mvt_errmsg(st));
      rc = -1;
      break;
    }
    if( r!=MVT_EVENT || np<19 ) continue;
    if( ++n>MC_PROBE_MAX ){ rc = 1; break; }
    if( get32(p + 13)!=0 && get32(p)>upto ){ rc = 0; break; }
    if( p[4]!=MVB_FORMAT_DESCRIPTION && p[4]!=MVB_QUERY
     && p[4]!=MVB_MARIA_QUERY_COMPRESSED ){
      continue;
    }
    if( mvb_parse(d, p, np, &ev)!=MVB_OK ){ rc = 1; break; }
    if( ev.type==MVB_QUERY || ev.type==MVB_MARIA_QUERY_COMPRESSED ){
      const char *z = ev.u.query.sql;
      size_t nz = ev.u.query.sql_len, k;
      if( mvs_is_txn_statement(z, nz) ) continue;
      for(k=0; k+nTbl<=nz; k++){
        if( sqlite3_strnicmp(z + k, zTbl, (int)nTbl)==0 ){ rc = 1; break; }
      }
      if( rc ) break;
    }
  }
  mvb_free(d);
  mvt_close(st);
  return rc;
}

/* What a stream needs of the server, asked on a pooled connection through
** the interruptible calls before the stream's own connection opens: a ROW
** binlog (pure/checkrules.c's words), a GTID of the server's kind, a file
** position the server has; and its checksum setting, which the stream's
** first event (an artificial Rotate, before any format description) uses.
** zFile is NULL for a GTID start. */
static int streamPreflight(mc_cursor *pCur, int isGtid, const char *zFile,
                           uint64_t off){
  mv_ctx *ctx = pCur->pTab->ctx;
  const char *zCheck = "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format,"
                       " @@GLOBAL.binlog_checksum";
  char *zErr = 0, *zWhy = 0, *zFirst = 0, *zLast = 0, *zLogsErr = 0;
  char zDetail[300];
  long long size = -1;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  int rc = SQLITE_OK;
  mv_conn *c = mv_conn_get(ctx, pCur->zDsn, &zErr);
  if( c==0 ) goto done;
  res = mv_query(ctx, c, zCheck, 0, &zErr);
  if( res==0 ) goto done;
  row = mysql_fetch_row(res);
  if( row==0 ){
    zErr = sqlite3_mprintf("%s: no result", zCheck);
  }else if( !mv_check_log_bin(row[0], zDetail, sizeof zDetail)
         || !mv_check_binlog_format(row[1], zDetail, sizeof zDetail) ){
    zWhy = sqlite3_mprintf("%s", zDetail);
  }else if( isGtid && mv_is_mariadb(c->mysql)!=mvt_is_maria_gtid(pCur->zStart) ){
    zWhy = sqlite3_mprintf(mv_is_mariadb(c->mysql)
        ? "%s: a MySQL GTID set, but the server is MariaDB: start from"
          " a MariaDB GTID position (domain-server-seq) or file:offset"
        : "%s: a MariaDB GTID position, but the server is MySQL: start"
          " from a GTID set (uuid:1-42) or file:offset", pCur->zStart);
  }else{
    pCur->checksum = row[2] && sqlite3_stricmp(row[2], "CRC32")==0;
    mvb_set_checksum(mvs_decoder(pCur->rs), pCur->checksum);
    /* the file must be on the server, the offset within it: the server's
    ** own answer to a bad offset varies with what lies there. A user who
    ** may not list the binlogs still may stream: then the server says. */
    if( zFile
     && mv_binlog_files(ctx, c, zFile, &zFirst, &zLast, &size, &zLogsErr)==0 ){
      char *z = mv_binlog_start_problem(zFile, off, zFirst, zLast, size);
      if( z ){
        zWhy = sqlite3_mprintf("%s: %s", pCur->zStart, z);
        sqlite3_free(z);
      }
    }
    sqlite3_free(zLogsErr);
  }
done:
  if( res ) mysql_free_result(res);
  mv_conn_release(ctx, c);
  if( zErr || zWhy ){
    rc = mv_changes_error(pCur, "%s: %s", pCur->zName, zErr ? zErr : zWhy);
  }
  sqlite3_free(zErr);
  sqlite3_free(zWhy);
  sqlite3_free(zFirst);
  sqlite3_free(zLast);
  return rc;
}

/* Open the live stream: check the server, connect, start the dump. */
int mv_changes_open_live(mc_cursor *pCur, const char *zDsnArg){
  mc_vtab *pTab = pCur->pTab;
  const char *zDsn = mv_dsn_text(zDsnArg);
  mv_dsn dsn;
  MYSQL *m;
  char *zErr = 0;
  mvt_start o;
  unsigned err = 0;
  char zFile[MC_NAME_MAX];
  uint64_t off = 0;
  int isGtid = 0;

  memset(&o, 0, sizeof o);
  /* A MySQL GTID ("uuid:42", a commit row's gtid) also reads as name:offset:
  ** a GTID first, since no binlog file is named like a UUID. */
  if( mvt_is_mysql_gtid(pCur->zStart) ){
    o.gtid = pCur->zStart;
    isGtid = 1;
  }else if( mvs_parse_pos(pCur->zStart, zFile, sizeof zFile, &off)==0 ){
    if( off<4 ){
      return mv_changes_error(pCur, "%s: %s: malformed position: the offset"
                              " must be at least 4 (the first event of a"
                              " binlog)", pCur->zName, pCur->zStart);
    }
    if( off>0xffffffffULL ){
      return mv_changes_error(pCur, "%s: %s: malformed position: offset past"
                              " 4 GB", pCur->zName, pCur->zStart);
    }
    o.file = zFile;
    o.pos = off;
    mvs_set_file(pCur->rs, zFile);
  }else if( mvt_is_maria_gtid(pCur->zStart) || mvt_is_mysql_gtid(pCur->zStart) ){
    o.gtid = pCur->zStart;
    isGtid = 1;
  }else{
    return mv_changes_error(pCur, "%s: malformed position '%s': expected"
                            " file:offset (e.g. mysql-bin.000003:4) or a GTID"
                            " position (MariaDB 0-1-42, MySQL uuid:1-42)",
                            pCur->zName, pCur->zStart);
  }
  pCur->zDsn = sqlite3_mprintf("%s", zDsn);
  if( pCur->zDsn==0 ) return SQLITE_NOMEM;
  if( streamPreflight(pCur, isGtid, o.file, off) ) return SQLITE_ERROR;
  if( mv_dsn_parse(zDsn, &dsn, &zErr) ){
    int rc = mv_changes_error(pCur, "%s: %s", pCur->zName, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  o.server_id = dsn.has_server_id ? dsn.server_id : 0;
  o.follow = pCur->follow;
  o.heartbeat_ms = 100;
  /* not pooled: the dump occupies the connection; mvt_close closes it */
  m = mv_connect(&dsn, &zErr);
  mv_dsn_free(&dsn);
  if( m==0 ){
    int rc = mv_changes_error(pCur, "%s: %s", pCur->zName, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  {
    char *zLog = sqlite3_mprintf("COM_BINLOG_DUMP %s%s%s", isGtid ? "gtid " : "",
                                 pCur->zStart, pCur->follow ? " (follow)" : "");
    if( zLog ){ mv_log_query(pTab->ctx, zLog); sqlite3_free(zLog); }
  }
  if( mvt_open(m, &o, &pCur->stream, &zErr, &err) ){
    int rc = mv_changes_stream_error(pCur, err, zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return rc;
  }
  pCur->schema = mv_schema_new(pTab->ctx, zDsn, ddlProbe, pCur);
  if( pCur->schema==0 ) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/* ---- a binlog file ---- */

#define MC_MAX_EVENT (1u<<30)       /* max_allowed_packet's ceiling */

/* Open the binlog file zStart (mysql_binlog's path) past its magic number. */
int mv_changes_open_file(mc_cursor *pCur){
  uint8_t magic[4];
  const char *zBase;
  pCur->zPath = sqlite3_mprintf("%s", pCur->zStart);
  if( pCur->zPath==0 ) return SQLITE_NOMEM;
  pCur->fp = fopen(pCur->zPath, "rb");
  if( pCur->fp==0 ){
    return mv_changes_error(pCur, "%s: cannot open '%s': %s", pCur->zName,
                            pCur->zPath, strerror(errno));
  }
  if( fread(magic, 1, 4, pCur->fp)!=4
   || memcmp(magic, "\xfe\x62\x69\x6e", 4)!=0 ){
    return mv_changes_error(pCur, "%s: %s:0: not a binlog file (no binlog"
                            " magic number)", pCur->zName, pCur->zPath);
  }
  pCur->fOff = 4;
  zBase = strrchr(pCur->zPath, '/');
  mvs_set_file(pCur->rs, zBase ? zBase + 1 : pCur->zPath);
  return SQLITE_OK;
}

/* The next event of the file: MVT_EVENT, MVT_EOF or MVT_ERROR (message
** set). Positions come from the file offset. */
int mv_changes_file_next(mc_cursor *pCur, const uint8_t **pz, size_t *pn){
  uint8_t hdr[19];
  size_t got;
  uint32_t size;
  pCur->fEvOff = pCur->fOff;
  got = fread(hdr, 1, sizeof hdr, pCur->fp);
  if( got==0 ){
    if( ferror(pCur->fp) ){
      mv_changes_event_error(pCur, strerror(errno));
      return MVT_ERROR;
    }
    return MVT_EOF;
  }
  if( got<sizeof hdr ){
    char z[100];
    snprintf(z, sizeof z, "file truncated: an event header of %zu of 19"
             " bytes", got);
    mv_changes_event_error(pCur, z);
    return MVT_ERROR;
  }
  size = get32(hdr + 9);
  if( size<19 || size>MC_MAX_EVENT ){
    char z[100];
    snprintf(z, sizeof z, "corrupt event header: event size %u", (unsigned)size);
    mv_changes_event_error(pCur, z);
    return MVT_ERROR;
  }
  mv_buf_reset(&pCur->fbuf);
  if( mv_buf_reserve(&pCur->fbuf, size) ){
    mv_changes_event_error(pCur, "out of memory");
    return MVT_ERROR;
  }
  memcpy(pCur->fbuf.z, hdr, sizeof hdr);
  got = fread(pCur->fbuf.z + sizeof hdr, 1, size - sizeof hdr, pCur->fp);
  if( got<size - sizeof hdr ){
    char z[120];
    snprintf(z, sizeof z, "file truncated: the event header says %u bytes,"
             " %zu present", (unsigned)size, got + sizeof hdr);
    mv_changes_event_error(pCur, z);
    return MVT_ERROR;
  }
  pCur->fbuf.n = size;
  pCur->fOff += size;
  *pz = (const uint8_t*)pCur->fbuf.z;
  *pn = size;
  return MVT_EVENT;
}
