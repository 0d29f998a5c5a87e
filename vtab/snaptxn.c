/*
** snaptxn.c — the consistent-snapshot transaction and the binlog position
** it corresponds to, on a pooled connection: mysql_snapshot's table-valued
** form and mysql_mirror's first call read their tables inside it.
*/
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* Run zSql; errors are mysql_snapshot's (mv_error). */
static int snapExec(mv_ctx *ctx, mv_conn *c, const char *zSql, char **pzErr){
  if( mv_exec(ctx, c, zSql, pzErr) ){
    char *z = mv_error(SNAP_FN, 0, 0, 0, "%s", *pzErr);
    sqlite3_free(*pzErr);
    *pzErr = z;
    return 1;
  }
  return 0;
}

/* Open the consistent-snapshot transaction on c. */
static int startTxn(mv_ctx *ctx, mv_conn *c, int *pInTxn, char **pzErr){
  if( snapExec(ctx, c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", pzErr) ){
    return 1;
  }
  *pInTxn = 1;
  return snapExec(ctx, c, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
                  pzErr);
}

/* How often a snapshot without Binlog_snapshot_* is retried until the
** positions before and after it agree. */
#define SNAP_BRACKET_TRIES 5

/* Start the transaction; with wantPos, its binlog position into *pzPos.
**
** MariaDB reports the snapshot's own position (Binlog_snapshot_file and
** _position) inside the transaction: exact. MySQL has no such status, so
** the snapshot is bracketed: the position is read before and after START
** TRANSACTION, and when no commit came between (equal positions) the
** snapshot is exactly at it. After SNAP_BRACKET_TRIES busy tries the
** position from before the last try is used: a replay from it may repeat
** changes already in the snapshot (at-least-once), never lose one.
** MYSQL_VTAB_TEST_BRACKET=1 takes the MySQL path on MariaDB, for tests.
**
** With pIds (mysql_mirror's first call), also the server's server_id and
** the GTID position of the same moment: MariaDB's BINLOG_GTID_POS of the
** position, MySQL's Executed_Gtid_Set of the status row the bracket chose
** when gtid_mode is ON (else NULL: a position without GTIDs). */
int mv_snap_begin(mv_ctx *ctx, mv_conn *c, int wantPos, char **pzPos,
                  mv_snap_ids *pIds, int *pInTxn, char **pzErr){
  const char *zForce = getenv("MYSQL_VTAB_TEST_BRACKET");
  int realMaria = mv_is_mariadb(c->mysql);
  int isMaria = realMaria && !(zForce && zForce[0]=='1');
  int iTry, gtidOn = 0;
  if( pIds ){
    MYSQL_RES *res = mv_query(ctx, c, realMaria ? "SELECT @@server_id"
                              : "SELECT @@server_id, @@GLOBAL.gtid_mode",
                              SNAP_FN, pzErr);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
    if( res==0 ) return 1;
    if( row && row[0] ) pIds->serverId = (unsigned)strtoul(row[0], 0, 10);
    pIds->isMaria = realMaria;
    gtidOn = !realMaria && row && row[1] && sqlite3_stricmp(row[1], "ON")==0;
    mysql_free_result(res);
  }
  if( !wantPos || isMaria ){
    if( startTxn(ctx, c, pInTxn, pzErr) ) return 1;
  }else{
    for(iTry=0; iTry<SNAP_BRACKET_TRIES; iTry++){
      char *zPre, *zPost, *zPreGtid = 0;
      char *zErr = 0;
      if( (zPre = mv_position_gtid(ctx, c, gtidOn ? &zPreGtid : 0, &zErr))==0 ){
        /* MariaDB tells anyone its snapshot's position; on MySQL the
        ** bracket needs the privilege of SHOW BINARY LOG STATUS. */
        if( mysql_errno(c->mysql)==MV_ER_SPECIFIC_ACCESS_DENIED ){
          *pzErr = mv_error(SNAP_FN, 0, 0, 0, "the binlog position of a"
              " snapshot on MySQL needs REPLICATION CLIENT (GRANT REPLICATION"
              " CLIENT ON *.* to the agent): %s", zErr);
        }else{
          *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s", zErr);
        }
        sqlite3_free(zErr);
        return 1;
      }
      if( startTxn(ctx, c, pInTxn, pzErr) ){
        sqlite3_free(zPre);
        sqlite3_free(zPreGtid);
        return 1;
      }
      if( (zPost = mv_position(ctx, c, &zErr))==0 ){
        *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s", zErr);
        sqlite3_free(zErr);
        sqlite3_free(zPre);
        sqlite3_free(zPreGtid);
        return 1;
      }
      int same = strcmp(zPre, zPost)==0;
      sqlite3_free(*pzPos);
      *pzPos = zPre;
      if( pIds ){
        sqlite3_free(pIds->zGtid);
        pIds->zGtid = zPreGtid;
      }else{
        sqlite3_free(zPreGtid);
      }
      sqlite3_free(zPost);
      if( same || iTry==SNAP_BRACKET_TRIES-1 ) break;
      if( snapExec(ctx, c, "ROLLBACK", pzErr) ) return 1;
      *pInTxn = 0;
    }
  }
  if( snapExec(ctx, c, "SET character_set_results=NULL", pzErr) ) return 1;
  if( wantPos && isMaria && mv_snap_position(ctx, c, pzPos, pzErr) ) return 1;
  if( pIds && realMaria && wantPos && *pzPos ){
    /* the GTID position of the snapshot's: where the server can tell (a
    ** failure leaves none, as on a server without GTIDs) */
    const char *zColon = strrchr(*pzPos, ':');
    char *zFile = sqlite3_mprintf("%.*s", (int)(zColon - *pzPos), *pzPos);
    char *zLit = zFile ? mv_literal(c->mysql, zFile) : 0;
    char *zSql = zLit ? sqlite3_mprintf("SELECT BINLOG_GTID_POS(%s, %s)", zLit,
                                        zColon + 1) : 0;
    char *zE = 0;
    MYSQL_RES *res = zSql ? mv_query(ctx, c, zSql, "the snapshot's GTID", &zE) : 0;
    MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
    if( row && row[0] ) pIds->zGtid = sqlite3_mprintf("%s", row[0]);
    if( res ) mysql_free_result(res);
    sqlite3_free(zE);
    sqlite3_free(zSql);
    sqlite3_free(zLit);
    sqlite3_free(zFile);
  }
  return 0;
}

int mv_snap_position(mv_ctx *ctx, mv_conn *c, char **pzPos, char **pzErr){
  MYSQL_RES *res = mv_query(ctx, c,
      "SHOW STATUS LIKE 'binlog_snapshot_%'", SNAP_FN, pzErr);
  MYSQL_ROW row;
  char *zFile = 0, *zOff = 0;
  if( res==0 ) return 1;
  while( (row = mysql_fetch_row(res))!=0 ){
    if( row[0]==0 || row[1]==0 ) continue;
    if( sqlite3_stricmp(row[0], "Binlog_snapshot_file")==0 ){
      sqlite3_free(zFile); zFile = sqlite3_mprintf("%s", row[1]);
    }else if( sqlite3_stricmp(row[0], "Binlog_snapshot_position")==0 ){
      sqlite3_free(zOff); zOff = sqlite3_mprintf("%s", row[1]);
    }
  }
  mysql_free_result(res);
  sqlite3_free(*pzPos);
  *pzPos = zFile && zFile[0] && zOff ? sqlite3_mprintf("%s:%s", zFile, zOff) : 0;
  sqlite3_free(zFile);
  sqlite3_free(zOff);
  return 0;
}
