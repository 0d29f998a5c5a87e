/*
** checkrules.h — mysql_check's decisions that need no server (no SQLite):
** given the variables read from the server, is a requirement met, and
** what to tell the user. Unit-tested in test/unit/checkrules_test.c.
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

#endif /* MV_CHECKRULES_H */
