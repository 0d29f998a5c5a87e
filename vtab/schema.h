/*
** schema.h — live column information (for the binlog decoder, and the
** columns mysql_mirror creates its table with): names,
** signedness, charsets, ENUM/SET labels and MariaDB JSON columns of a
** table, read from information_schema on a pooled connection (not the
** replication one), cached per table and applied with mvb_table_apply(),
** which checks the column count and type families first: a table altered
** since the event was written keeps "@1", "@2", ... rather than wrong names.
*/
#ifndef MV_SCHEMA_H
#define MV_SCHEMA_H

#include "mysqlvtab.h"
#include "pure/binlog.h"

typedef struct mv_schema mv_schema;

/* Is there a DDL statement naming zTbl (in zDb) in the log from the event
** being decoded up to the events of second `upto`? 1 yes (or cannot
** tell), 0 no, -1 error (message in *pzErr). The cursor answers it by
** reading ahead on a second stream. */
typedef int (*mv_ddl_probe)(void *pArg, const char *zDb, const char *zTbl,
                            uint32_t upto, char **pzErr);

/* A cache for lookups through zDsn (copied). */
mv_schema *mv_schema_new(mv_ctx *ctx, const char *zDsn, mv_ddl_probe xProbe,
                         void *pProbeArg);
void mv_schema_free(mv_schema *s);

/* Complete t (just mapped by an event of time ts, Unix seconds) from the
** live schema. Returns 0 when applied, 1 when the live table does not
** match the event, was altered after it, or does not exist (the names stay
** "@N"), -1 on a connection or query error (*pzErr set). */
int mv_schema_apply(mv_schema *s, mvb_decoder *d, mvb_table *t, uint32_t ts,
                    char **pzErr);

/* The columns of zDb.zTbl as the server has them now (cached): their
** number (0: no such table, or none the user can see) with *paCol, owned
** by s until mv_schema_reset/free; -1 on an error (*pzErr set). */
int mv_schema_columns(mv_schema *s, const char *zDb, const char *zTbl,
                      const mvb_colinfo **paCol, char **pzErr);

/* Forget what was learnt (after DDL in the stream). */
void mv_schema_reset(mv_schema *s);

/* Number of information_schema lookups made (for tests via debug). */
int mv_schema_lookups(mv_schema *s);

#endif /* MV_SCHEMA_H */
