/*
** examples/from_c.c — mysql_vtab from a C program linked with libsqlite3.
**   from_c EXTENSION DB.TABLE START_POS REPLICA_FILE
** (the connection comes from MYSQL_VTAB_DSN or ~/.my.cnf)
**
** Loadable:  cc from_c.c -lsqlite3             (sqlite3_load_extension)
** Static:    cc -DMYSQL_VTAB_STATIC from_c.c libmysql_vtab.a -lsqlite3 \
**               $(mariadb_config --libs) -lz -lzstd -lm
**            (the extension built in, `make static`: EXTENSION is ignored)
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#ifdef MYSQL_VTAB_STATIC
int sqlite3_mysqlvtab_init(sqlite3*, char**, const sqlite3_api_routines*);
#endif

static const char *text(sqlite3_stmt *s, int i){
  const char *z = (const char*)sqlite3_column_text(s, i);
  return z ? z : "null";
}

int main(int argc, char **argv){
  sqlite3 *db;
  sqlite3_stmt *s;
  char zSchema[256], *zName;
  if( argc<5 ){ fprintf(stderr, "usage: %s EXT DB.TABLE START REPLICA\n", argv[0]); return 2; }
  snprintf(zSchema, sizeof zSchema, "%s", argv[2]);
  zName = strchr(zSchema, '.');
  if( zName==0 ){ fprintf(stderr, "DB.TABLE expected\n"); return 2; }
  *zName++ = 0;

#ifdef MYSQL_VTAB_STATIC
  /* built in: every connection opened from now on has it */
  sqlite3_auto_extension((void(*)(void))sqlite3_mysqlvtab_init);
  if( sqlite3_open(argv[4], &db) ) return 1;
#else
  char *zErr = 0;
  if( sqlite3_open(argv[4], &db) ) return 1;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, (int*)0);
  if( sqlite3_load_extension(db, argv[1], 0, &zErr) ){   /* no .so needed */
    fprintf(stderr, "%s\n", zErr);
    return 1;
  }
#endif

  /* 1. a consistent snapshot of the table */
  sqlite3_prepare_v2(db, "SELECT pk, row FROM mysql_snapshot(?)", -1, &s, 0);
  sqlite3_bind_text(s, 1, argv[2], -1, SQLITE_STATIC);
  while( sqlite3_step(s)==SQLITE_ROW ) printf("snapshot %s %s\n", text(s, 0), text(s, 1));
  sqlite3_finalize(s);

  /* 2. the changes since a binlog position, filtered with bound parameters */
  sqlite3_prepare_v2(db, "SELECT op, before, after FROM mysql_changes(?)"
                         " WHERE db = ? AND tbl = ?", -1, &s, 0);
  sqlite3_bind_text(s, 1, argv[3], -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, zSchema, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, zName, -1, SQLITE_STATIC);
  while( sqlite3_step(s)==SQLITE_ROW ){
    printf("%s %s %s\n", text(s, 0), text(s, 1), text(s, 2));
  }
  if( sqlite3_finalize(s) ){ fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }

  /* 3. a local replica in the file: call again to bring it up to date */
  sqlite3_prepare_v2(db, "SELECT mysql_mirror(?, ?)", -1, &s, 0);
  sqlite3_bind_text(s, 1, argv[2], -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, zName, -1, SQLITE_STATIC);
  if( sqlite3_step(s)!=SQLITE_ROW ){ fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
  printf("mirror %s", text(s, 0));
  sqlite3_finalize(s);
  {
    char *zSql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", zName);
    sqlite3_prepare_v2(db, zSql, -1, &s, 0);
    sqlite3_free(zSql);
    if( sqlite3_step(s)==SQLITE_ROW ) printf(" replica %s\n", text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return 0;
}
