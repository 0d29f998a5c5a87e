/*
** server.c — what the server says about itself: its flavour, its current
** binlog position, the connection's default schema. The requirements'
** messages are pure/checkrules.c's.
*/
#include "mysqlvtab.h"
#include "pure/checkrules.h"
#include "pure/rowstream.h"

#include <stdlib.h>
#include <string.h>

int mv_is_mariadb(MYSQL *m){
  const char *z = mysql_get_server_info(m);
  return z && strstr(z, "MariaDB")!=0;
}

/* The current position "file:offset" (sqlite3_malloc'd), or NULL with
** *pzErr set; with pzGtid, MySQL's Executed_Gtid_Set of the same status
** row into it (MariaDB has none: NULL). SHOW MASTER STATUS was removed in
** MySQL 8.4 in favour of SHOW BINARY LOG STATUS (8.2+), which older
** servers and MariaDB do not parse: the one the server's version says, and
** on a syntax error (1064) the other. */
char *mv_position_gtid(mv_ctx *ctx, mv_conn *c, char **pzGtid, char **pzErr){
  static const char *azOld[] = { "SHOW MASTER STATUS", "SHOW BINARY LOG STATUS" };
  static const char *azNew[] = { "SHOW BINARY LOG STATUS", "SHOW MASTER STATUS" };
  const char **azSql = !mv_is_mariadb(c->mysql)
      && mysql_get_server_version(c->mysql)>=80200 ? azNew : azOld;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char *zRet = 0;
  int i;
  for(i=0; i<2; i++){
    mv_log_query(ctx, azSql[i]);
    if( mv_real_query(c, azSql[i])==0 && (res = mv_store_result(c))!=0 ){
      break;
    }
    if( i==0 && mysql_errno(c->mysql)==MV_ER_PARSE ) continue;
    *pzErr = mysql_errno(c->mysql) ? mv_conn_error(c, azSql[i])
                                   : sqlite3_mprintf("%s: no result", azSql[i]);
    return 0;
  }
  row = mysql_fetch_row(res);
  if( row==0 || row[0]==0 || row[1]==0 ){
    *pzErr = sqlite3_mprintf("binary logging is off on %s: " MV_LOG_BIN_ADVICE,
                             c->zLabel);
  }else{
    zRet = sqlite3_mprintf("%s:%s", row[0], row[1]);
    if( zRet==0 ) *pzErr = sqlite3_mprintf("out of memory");
    if( zRet && pzGtid && mysql_num_fields(res)>=5 && row[4] ){
      *pzGtid = sqlite3_mprintf("%s", row[4]);
      if( *pzGtid==0 ){
        sqlite3_free(zRet);
        zRet = 0;
        *pzErr = sqlite3_mprintf("out of memory");
      }
    }
  }
  mysql_free_result(res);
  return zRet;
}

char *mv_position(mv_ctx *ctx, mv_conn *c, char **pzErr){
  return mv_position_gtid(ctx, c, 0, pzErr);
}


int mv_default_db(mv_ctx *ctx, mv_conn *c, const char *zWhat, char **pzDb,
                  char **pzErr){
  MYSQL_RES *res = mv_query(ctx, c, "SELECT DATABASE()", zWhat, pzErr);
  MYSQL_ROW row;
  *pzDb = 0;
  if( res==0 ) return 1;
  row = mysql_fetch_row(res);
  if( row && row[0] ){
    *pzDb = sqlite3_mprintf("%s", row[0]);
    if( *pzDb==0 ){
      mysql_free_result(res);
      *pzErr = sqlite3_mprintf("out of memory");
      return 1;
    }
  }
  mysql_free_result(res);
  return 0;
}

int mv_binlog_files(mv_ctx *ctx, mv_conn *c, const char *zFile,
                    char **pzFirst, char **pzLast, long long *pSize,
                    char **pzErr){
  MYSQL_RES *res = mv_query(ctx, c, "SHOW BINARY LOGS", 0, pzErr);
  MYSQL_ROW row;
  *pzFirst = *pzLast = 0;
  if( pSize ) *pSize = -1;
  if( res==0 ) return 1;
  while( (row = mysql_fetch_row(res))!=0 ){
    if( row[0]==0 ) continue;
    if( *pzFirst==0 ) *pzFirst = sqlite3_mprintf("%s", row[0]);
    sqlite3_free(*pzLast);
    *pzLast = sqlite3_mprintf("%s", row[0]);
    if( *pzFirst==0 || *pzLast==0 ) break;
    if( pSize && zFile && row[1] && strcmp(row[0], zFile)==0 ){
      *pSize = strtoll(row[1], 0, 10);
    }
  }
  mysql_free_result(res);
  if( *pzFirst==0 || *pzLast==0 ){
    sqlite3_free(*pzFirst);
    sqlite3_free(*pzLast);
    *pzFirst = *pzLast = 0;
    *pzErr = sqlite3_mprintf("SHOW BINARY LOGS: %s", row ? "out of memory"
                             : "the server lists no binlog files");
    return 1;
  }
  return 0;
}

char *mv_binlog_start_problem(const char *zFile, uint64_t off,
                              const char *zFirst, const char *zLast,
                              long long nSize){
  if( nSize<0 ){
    return mvs_compare_files(zFile, zFirst)<0
      ? sqlite3_mprintf("binlog file purged from the server (its oldest"
                        " is %s)", zFirst)
      : sqlite3_mprintf("no such binlog file on the server (its binlogs"
                        " are %s to %s)", zFirst, zLast);
  }
  if( off>(uint64_t)nSize ){
    return sqlite3_mprintf("offset past the end of the binlog file (its"
                           " size is %lld)", nSize);
  }
  return 0;
}

/* The server's estimate of a table's rows (information_schema.TABLES:
** the progress of a copy, the choice of a chunked one), -1 if it gives
** none. */
sqlite3_int64 mv_table_rows_estimate(mv_ctx *ctx, mv_conn *c, const char *zDb,
                                     const char *zTbl){
  char *zErr = 0, *zDbLit = mv_literal(c->mysql, zDb);
  char *zTblLit = mv_literal(c->mysql, zTbl);
  char *zSql = zDbLit && zTblLit ? sqlite3_mprintf("SELECT TABLE_ROWS FROM"
      " information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_NAME=%s",
      zDbLit, zTblLit) : 0;
  MYSQL_RES *res = zSql ? mv_query(ctx, c, zSql, "the table's size", &zErr) : 0;
  MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
  sqlite3_int64 n = row && row[0] ? strtoll(row[0], 0, 10) : -1;
  if( res ) mysql_free_result(res);
  sqlite3_free(zErr);
  sqlite3_free(zSql);
  sqlite3_free(zDbLit);
  sqlite3_free(zTblLit);
  return n;
}
