/*
** grants.h — SHOW GRANTS, parsed: which privileges a user holds where
** (grants.c). mysql_check reports them, mysql_setup says which the admin
** lacks.
*/
#ifndef MV_GRANTS_H
#define MV_GRANTS_H

#include "mysqlvtab.h"

#define P_REPL_SLAVE   0x01
#define P_REPL_CLIENT  0x02
#define P_SELECT       0x04
#define P_CREATE_USER  0x08
#define P_GRANT_OPTION 0x10
#define P_OTHER        0x20   /* any other privilege (INSERT, PROCESS, ...) */
#define P_ALL          0x3f

typedef struct mv_grant {
  char *zDb;     /* NULL: every schema (*.*) */
  char *zTbl;    /* NULL: every table of zDb */
  unsigned m;    /* P_* bits */
} mv_grant;

typedef struct mv_grants {
  mv_grant *a;
  int n;
  char *zUser;   /* "'agent'@'%'": the grantee, for GRANT advice */
} mv_grants;

void mv_grants_free(mv_grants *g);

/* Does g hold privilege p on table zDb.zTbl (NULL, NULL: on *.*)? */
int mv_grants_has(const mv_grants *g, unsigned p, const char *zDb,
                  const char *zTbl);

/* Does g hold anything beyond the agent's three privileges on *.*? */
int mv_grants_extra(const mv_grants *g);

/* "'user'@'host'" from CURRENT_USER()'s "user@host". */
char *mv_quote_account(const char *zAcct);

/* Load the grants of zFor ("'u'@'h'") or, when NULL, of the connected
** user (whose name goes to g->zUser). 0 on success, else *pzErr set. */
int mv_grants_load(mv_ctx *ctx, mv_conn *c, const char *zFor,
                   mv_grants *g, char **pzErr);

#endif /* MV_GRANTS_H */
