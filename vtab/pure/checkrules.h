/*
** checkrules.h — the requirements of a snapshot and of a change stream,
** decided without a server (no SQLite): given what the server said, is a
** requirement met, and the one message that tells the user what to do.
** mysql_check reports them as rows; mysql_snapshot, mysql_position (and
** mysql_changes, mysql_mirror) fail with the same words. Unit-tested in
** test/unit/checkrules_test.c.
**
** Each returns 1 (met) or 0 (not) and writes the detail to zDetail[nDetail]
** (what holds when met, what to do when not).
*/
#ifndef MV_CHECKRULES_H
#define MV_CHECKRULES_H

#include <stddef.h>

/* binlog_row_value_options. zOpts: its GLOBAL value, NULL when the server
** has no such variable (MariaDB, MySQL before 8.0.3); zImage: the GLOBAL
** binlog_row_image. Returns 1 (JSON updates are logged whole), -1 (a
** warning: PARTIAL_JSON with binlog_row_image=FULL, whose diffs
** mysql_changes applies to the before image) or 0 (PARTIAL_JSON with a
** MINIMAL or NOBLOB image: such an update ends a scan unless json_diff=1),
** and writes the detail to zDetail[nDetail]. */
int mv_check_row_value_options(const char *zOpts, const char *zImage,
                               char *zDetail, size_t nDetail);

/* log_bin: zLogBin is @@GLOBAL.log_bin ("1", "ON", "0", "OFF", NULL).
** MV_LOG_BIN_ADVICE is the what-to-do part of the message, for errors
** that name the server ("binary logging is off on 'u'@h:p: ..."). */
#define MV_LOG_BIN_ADVICE "add log_bin=mysql-bin to the [mysqld] section" \
  " of my.cnf and restart the server"
int mv_check_log_bin(const char *zLogBin, char *zDetail, size_t nDetail);

/* binlog_format: zFmt is @@GLOBAL.binlog_format (NULL: unset). */
int mv_check_binlog_format(const char *zFmt, char *zDetail, size_t nDetail);

/* Table zDb.zTbl of information_schema.TABLES' TABLE_TYPE zType and ENGINE
** zEngine (either NULL when unknown): a base table (or MariaDB's system-
** versioned one) on InnoDB. */
int mv_check_table(const char *zDb, const char *zTbl, const char *zType,
                   const char *zEngine, char *zDetail, size_t nDetail);

/* Does zDb.zTbl have a primary key (hasPk)? */
int mv_check_primary_key(const char *zDb, const char *zTbl, int hasPk,
                         char *zDetail, size_t nDetail);

#endif /* MV_CHECKRULES_H */
