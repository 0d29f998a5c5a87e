/*
** snapshot.c — mysql_snapshot: a consistent, streamed snapshot of MySQL
** tables, as a table-valued function and as a typed virtual table.
**
** The table-valued function (eponymous):
**
**   SELECT db, tbl, pk, row, pos FROM mysql_snapshot('vt.orders');
**   SELECT * FROM mysql_snapshot('vt.orders, vt.items', 'host=... user=...');
**   SELECT count(*) FROM mysql_snapshot('vt.%');
**
**   db, tbl   the schema and table of the row
**   pk        JSON array of the primary-key values (NULL: no primary key)
**   row       JSON object, column name -> value (DESIGN.md "Value encoding")
**   pos       the binlog position the snapshot corresponds to, file:offset
**
** The argument names one table (`db.table`, or `table` in the DSN's
** database), a comma-separated list of them, or a `db.pattern` where `%`
** matches any run of characters (`_` is literal). Names may be quoted with
** backticks. All tables are read inside ONE
** `START TRANSACTION WITH CONSISTENT SNAPSHOT`, so they agree with each
** other and with `pos`. On MariaDB, pos is Binlog_snapshot_file:
** Binlog_snapshot_position read inside that transaction (exact); on MySQL,
** which has no such status, it is the position read just before the
** transaction starts (replaying from it may repeat a change, never lose one).
**
** The typed form:
**
**   CREATE VIRTUAL TABLE orders USING mysql_snapshot('vt.orders' [, 'dsn']);
**   SELECT * FROM orders WHERE id = 42;      -- reads one row on the server
**
** has the MySQL table's own columns: integers INTEGER (but an unsigned
** BIGINT or BIT(64), whose values above 2^63-1 are their exact decimal
** TEXT, has no declared type), FLOAT/DOUBLE REAL, binary types BLOB,
** everything else TEXT. Each scan is a fresh consistent snapshot.
** xBestIndex pushes =, <, <=, >, >=, IN, IS NULL, ORDER BY on integer
** columns and LIMIT into the MySQL query with bound parameters (see the
** comment above typedBestIndex).
**
** Reading: the binary protocol (a prepared statement), so FLOAT and DOUBLE
** arrive as the stored bits; an unbuffered result fetched row by row, so
** memory stays flat; character_set_results=NULL during the scan, so text
** arrives in the column's own charset and goes through the same conversion
** (encode.c) as a binlog row image. A cursor that stops early closes its
** connection instead of reading the rest of the result. Each cursor has its
** own connection, so overlapping cursors never share a stream.
**
** The parts: snapcat.c resolves the table argument (information_schema),
** reader.c reads a result into mv_values, pure/pushdown.c plans the typed
** form's WHERE; this file is the virtual table (connect, best index, the
** transaction and position bracket, filter, columns). Over 800 lines
** because the two modules (the table-valued function and the typed table)
** share one cursor, its bracket and its filter: split apart they would
** each need the other's internals.
*/
#include "snapshot.h"
#include "pure/pushdown.h"
#include "pure/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_INTERRUPT_ROWS 16384

/* ======================================================================
** The virtual table
** ==================================================================== */

/* Column numbers of the table-valued form. */
#define SNAP_DB      0
#define SNAP_TBL     1
#define SNAP_PK      2
#define SNAP_ROW     3
#define SNAP_POS     4
#define SNAP_TABLES  5   /* hidden: the table argument */
#define SNAP_DSN     6   /* hidden: the DSN argument */

typedef struct SnapVtab {
  sqlite3_vtab base;
  sqlite3 *db;
  mv_ctx *ctx;
  int typed;
  /* typed form only */
  char *zDsn;          /* the DSN argument ("" if none: $MYSQL_VTAB_DSN) */
  int hasDsn;
  SnapTable tab;
  int nCol;
  char **azCol;        /* MySQL column names */
  int *aPd;            /* MV_PD_* per column (pure/types.h) */
  int *aIsPk;
  int withoutRowid;    /* declared WITHOUT ROWID, keyed by the source's key */
  int *aAsciiOnly;     /* text column in a charset other than utf8mb4: only
                       ** ASCII values are pushed (others could raise MySQL's
                       ** "Illegal mix of collations") */
} SnapVtab;

typedef struct SnapCursor {
  sqlite3_vtab_cursor base;
  mv_conn *conn;
  int inTxn;           /* conn's session is inside our transaction */
  SnapTable *aTab;     /* table-valued form: the tables, read in order */
  int nTab, iTab;
  int *aPkIdx;         /* result column of each pk column of aTab[iTab] */
  SnapReader rd;
  int rdOpen;          /* rd holds an unfinished result */
  int eof;
  sqlite3_int64 iRowid;
  char *zPos;
  char *zArgTables, *zArgDsn;
  mv_buf out;          /* scratch for column values */
  sqlite3_int64 nSince;  /* rows since the last interrupt check */
} SnapCursor;

static int snapDisconnect(sqlite3_vtab *pVtab){
  SnapVtab *p = (SnapVtab*)pVtab;
  int i;
  mv_ctx_unref(p->ctx);
  sqlite3_free(p->zDsn);
  mv_snaptable_free(&p->tab);
  for(i=0; i<p->nCol; i++) sqlite3_free(p->azCol[i]);
  sqlite3_free(p->azCol);
  sqlite3_free(p->aPd);
  sqlite3_free(p->aIsPk);
  sqlite3_free(p->aAsciiOnly);
  sqlite3_free(p);
  return SQLITE_OK;
}

/* Get a connection for zDsn (NULL: $MYSQL_VTAB_DSN). */
static mv_conn *snapConn(mv_ctx *ctx, const char *zDsn, char **pzErr){
  mv_conn *c = mv_conn_get(ctx, mv_dsn_text(zDsn), pzErr);
  if( c==0 && *pzErr && strncmp(*pzErr, SNAP_FN, sizeof SNAP_FN - 1)!=0 ){
    char *z = mv_error(SNAP_FN, 0, 0, 0, "%s", *pzErr);
    sqlite3_free(*pzErr);
    *pzErr = z;
  }
  return c;
}

/* Read the typed table's columns: prepare SELECT * and look at the result
** metadata, without executing it. */
static int typedColumns(SnapVtab *p, mv_conn *c, char **pzSchema,
                        char **pzErr){
  sqlite3_str *s = sqlite3_str_new(0);
  char *zSql;
  SnapReader r;
  int i, rc;
  MYSQL_RES *meta;
  memset(&r, 0, sizeof r);
  sqlite3_str_appendall(s, "SELECT * FROM ");
  mv_quote_ident(s, p->tab.zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, p->tab.zTbl);
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  /* the columns' own charsets, as the scans will see them */
  if( mv_exec(p->ctx, c, "SET character_set_results=NULL", pzErr) ){
    sqlite3_free(zSql);
    return 1;
  }
  mv_log_query(p->ctx, zSql);
  r.stmt = mysql_stmt_init(c->mysql);
  if( r.stmt==0 || mv_stmt_prepare(c, r.stmt, zSql) ){
    *pzErr = r.stmt ? mv_reader_stmt_error(c, r.stmt, &p->tab)
                    : sqlite3_mprintf("out of memory");
    sqlite3_free(zSql);
    mv_reader_free(&r);
    return 1;
  }
  sqlite3_free(zSql);
  meta = mysql_stmt_result_metadata(r.stmt);
  if( meta==0 ){
    *pzErr = mv_error(SNAP_FN, p->tab.zDb, p->tab.zTbl, 0, "no columns");
    mv_reader_free(&r);
    return 1;
  }
  mysql_free_result(meta);
  rc = mv_reader_setup(&r, &p->tab, pzErr);
  if( rc ){ mv_reader_free(&r); return 1; }
  p->nCol = r.nCol;
  p->azCol = sqlite3_malloc64(sizeof(char*)*(r.nCol+1));
  p->aPd = sqlite3_malloc64(sizeof(int)*(r.nCol+1));
  p->aIsPk = sqlite3_malloc64(sizeof(int)*(r.nCol+1));
  p->aAsciiOnly = sqlite3_malloc64(sizeof(int)*(r.nCol+1));
  if( p->azCol==0 || p->aPd==0 || p->aIsPk==0 || p->aAsciiOnly==0 ){
    p->nCol = 0;
    mv_reader_free(&r);
    *pzErr = sqlite3_mprintf("out of memory");
    return 1;
  }
  s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for(i=0; i<r.nCol; i++){
    const char *zName = r.aCol[i].zName ? r.aCol[i].zName : "";
    p->azCol[i] = sqlite3_mprintf("%s", zName);
    p->aPd[i] = r.aCol[i].ct.pd;
    p->aIsPk[i] = mv_in_list(p->tab.azPk, p->tab.nPk, zName);
    {
      const char *zCs = mv_charset_name(r.aCol[i].charset);
      p->aAsciiOnly[i] = r.aCol[i].rd==RD_BYTES && r.aCol[i].charset!=MV_CS_BINARY
                      && (zCs==0 || strcmp(zCs, "utf8mb4")!=0);
    }
    sqlite3_str_appendf(s, "%s\"%w\" %s", i ? ", " : "", zName,
                        mv_sq_decltype(r.aCol[i].ct.sq));
  }
  /* SQLite's OR optimization (MULTI-INDEX OR) runs one scan per term and
  ** drops the rows it has seen by rowid, or by the PRIMARY KEY of a WITHOUT
  ** ROWID table. A scan's row counter is no identity across scans, the
  ** source's primary key is: distinct in MySQL's collation, so distinct
  ** byte-wise too. (Without one, typedBestIndex prices the terms so that
  ** one scan wins.) */
  if( p->tab.nPk>0 ){
    int k, nFound = 0;
    for(k=0; k<r.nCol; k++) nFound += p->aIsPk[k];
    if( nFound==p->tab.nPk ){
      sqlite3_str_appendall(s, ", PRIMARY KEY(");
      for(k=0; k<p->tab.nPk; k++){
        sqlite3_str_appendf(s, "%s\"%w\"", k ? ", " : "", p->tab.azPk[k]);
      }
      sqlite3_str_appendall(s, ")) WITHOUT ROWID");
      p->withoutRowid = 1;
    }
  }
  if( !p->withoutRowid ) sqlite3_str_appendall(s, ")");
  mv_reader_free(&r);
  if( mv_exec(p->ctx, c, "SET character_set_results=utf8mb4", pzErr) ){
    sqlite3_free(sqlite3_str_finish(s));
    return 1;
  }
  *pzSchema = sqlite3_str_finish(s);
  if( *pzSchema==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  return 0;
}

/*
** xConnect / xCreate. With no arguments (argc==3): the eponymous
** table-valued function. With arguments: the typed form,
**   CREATE VIRTUAL TABLE x USING mysql_snapshot(tbl [, dsn])
*/
static int snapConnect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  mv_ctx *ctx = (mv_ctx*)pAux;
  SnapVtab *p;
  char *zSchema = 0, *zTblArg = 0;
  mv_conn *c = 0;
  int rc = SQLITE_OK;

  p = sqlite3_malloc(sizeof *p);
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof *p);
  p->db = db;
  p->ctx = mv_ctx_ref(ctx);
  /* It reaches the network: not from triggers or views of an untrusted
  ** schema (as csv.c). */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if( argc<=3 && sqlite3_stricmp(argv[2], argv[0])!=0 ){
    /* CREATE VIRTUAL TABLE x USING mysql_snapshot: no table named (the
    ** eponymous table-valued function is the one named like the module) */
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "CREATE VIRTUAL TABLE needs the"
        " table: USING mysql_snapshot('db.table' [, 'dsn'])");
    rc = SQLITE_ERROR;
    goto fail;
  }
  if( argc<=3 ){
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(db TEXT, tbl TEXT, pk TEXT,"
        " row TEXT, pos TEXT, tables HIDDEN, dsn HIDDEN)");
    if( rc!=SQLITE_OK ) goto fail;
    *ppVtab = &p->base;
    return SQLITE_OK;
  }
  p->typed = 1;
  if( argc>5 ){
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "expected (tbl [, dsn]), got %d"
                             " arguments", argc-3);
    rc = SQLITE_ERROR;
    goto fail;
  }
  zTblArg = mv_dequote_arg(argv[3]);
  p->zDsn = argc>4 ? mv_dequote_arg(argv[4]) : sqlite3_mprintf("");
  p->hasDsn = argc>4;
  if( zTblArg==0 || p->zDsn==0 ){ rc = SQLITE_NOMEM; goto fail; }
  c = snapConn(ctx, p->hasDsn ? p->zDsn : 0, pzErr);
  if( c==0 ){ rc = SQLITE_ERROR; goto fail; }
  {
    SnapTable *aTab = 0;
    int nTab = 0;
    if( mv_snap_resolve(ctx, c, zTblArg, 0, &aTab, &nTab, pzErr) ){
      rc = SQLITE_ERROR;
      goto fail;
    }
    p->tab = aTab[0];
    sqlite3_free(aTab);
  }
  if( typedColumns(p, c, &zSchema, pzErr) ){ rc = SQLITE_ERROR; goto fail; }
  mv_conn_put(ctx, c, 1);
  c = 0;
  rc = sqlite3_declare_vtab(db, zSchema);
  if( rc!=SQLITE_OK ){
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "cannot declare %s: %s",
          zSchema, sqlite3_errmsg(db));
    goto fail;
  }
  sqlite3_free(zSchema);
  sqlite3_free(zTblArg);
  *ppVtab = &p->base;
  return SQLITE_OK;
fail:
  if( c ) mv_conn_put(ctx, c, 0);
  sqlite3_free(zSchema);
  sqlite3_free(zTblArg);
  snapDisconnect(&p->base);
  return rc;
}

/*
** xBestIndex of the table-valued form (mv_hidden_plan): the hidden
** `tables` argument is required (without it the plan is very expensive and
** xFilter reports the missing argument), `dsn` is optional. idxNum bit 1:
** argv holds tables; bit 2: argv holds dsn (after tables).
*/
static int tvfBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  static const int aCol[] = { SNAP_TABLES, SNAP_DSN };
  (void)pVtab;
  return mv_hidden_plan(pInfo, aCol, 2, 1e6, 1e12, 1000000);
}

/*
** xBestIndex of the typed form: which constraints go into the MySQL query.
**
** idxNum bits:  1  a WHERE clause is pushed (idxStr lists its terms)
**               2  LIMIT is pushed (its value is the last-but-one or last
**                  argv entry, see idxStr)
**               4  OFFSET is pushed (MySQL then reads LIMIT+OFFSET rows;
**                  SQLite still skips the offset itself)
**               8  ORDER BY is pushed (and consumed): only integer columns
** idxStr: the plan, one token per argv entry (pure/pushdown.h, which also
** builds the SELECT from it and decides what is pushed, as follows).
**
** What is pushed, and when SQLite may trust it (omit=1), follows from how
** MySQL would compare differently (STYLE.md):
**   - integer columns: all five comparisons and IN. omit=1 only for a
**     literal integer right-hand side (then MySQL's answer is exactly
**     SQLite's); other values are bound only when they are integers or
**     REALs that are exact integers, else the term is left to SQLite.
**     Unsigned BIGINT, YEAR and BIT: pushed, never omitted.
**   - text, ENUM/SET, DECIMAL, binary strings, temporal types: = and IN
**     only, always omit=0. MySQL's collations are case- and (PAD SPACE)
**     trailing-space-insensitive, so MySQL returns a superset of the rows
**     SQLite would keep, and SQLite re-checks. Ranges are not pushed: a
**     collation's order is not SQLite's byte order.
**   - FLOAT, DOUBLE, JSON, GEOMETRY: nothing pushed.
**   - IS NULL on any column: omit=1, except temporal columns (MySQL's
**     `date_col IS NULL` also finds zero dates of NOT NULL columns).
**   - ORDER BY: consumed when every term is a signed integer column (or an
**     unsigned one narrower than BIGINT), which MySQL sorts as SQLite does.
**   - LIMIT (and OFFSET): only when every other constraint is pushed with
**     omit=1 and the ORDER BY (if any) is consumed, since otherwise SQLite
**     would filter or sort after MySQL had already cut the rows.
*/
static int typedBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  SnapVtab *p = (SnapVtab*)pVtab;
  mv_pd_plan plan;
  mv_buf b;
  int i, n = 0, allOmitted = 1, iLimit = -1, iOffset = -1, rc = SQLITE_OK;
  int nPkEq = 0, nEq = 0, nRange = 0, orderBy = 0;
  mv_pd_plan_init(&plan);
  mv_buf_init(&b);
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    int col = pC->iColumn, omit = 0, rhsIsInteger = 0;
    mv_pdclass pd;
    char op = 0;
    if( pC->op==SQLITE_INDEX_CONSTRAINT_LIMIT ){ if( pC->usable ) iLimit = i; continue; }
    if( pC->op==SQLITE_INDEX_CONSTRAINT_OFFSET ){ if( pC->usable ) iOffset = i; continue; }
    if( !pC->usable || col<0 || col>=p->nCol ){ allOmitted = 0; continue; }
    pd = (mv_pdclass)p->aPd[col];
    switch( pC->op ){
      case SQLITE_INDEX_CONSTRAINT_EQ: op = '='; break;
      case SQLITE_INDEX_CONSTRAINT_LT: op = '<'; break;
      case SQLITE_INDEX_CONSTRAINT_LE: op = 'l'; break;
      case SQLITE_INDEX_CONSTRAINT_GT: op = '>'; break;
      case SQLITE_INDEX_CONSTRAINT_GE: op = 'g'; break;
      case SQLITE_INDEX_CONSTRAINT_ISNULL: op = 'n'; break;
      default: break;
    }
    op = mv_pd_accept(op, pd);
    if( op=='=' && sqlite3_vtab_in(pInfo, i, -1) ){
      sqlite3_vtab_in(pInfo, i, 1);
      op = 'I';
    }
    if( op==0 ){ allOmitted = 0; continue; }
    if( op!='n' && op!='I' && pd==MV_PD_INT ){
      sqlite3_value *pVal = 0;
      rhsIsInteger = sqlite3_vtab_rhs_value(pInfo, i, &pVal)==SQLITE_OK
          && pVal && sqlite3_value_type(pVal)==SQLITE_INTEGER;
    }
    omit = mv_pd_omit(op, pd, rhsIsInteger);
    if( !omit ) allOmitted = 0;
    pInfo->aConstraintUsage[i].argvIndex = ++n;
    pInfo->aConstraintUsage[i].omit = (unsigned char)omit;
    if( mv_pd_plan_add(&plan, op, col, omit) ){ rc = SQLITE_NOMEM; goto done; }
    if( op=='=' || op=='I' ){ nEq++; if( p->aIsPk[col] ) nPkEq++; }
    else if( op!='n' ) nRange++;
  }
  pInfo->idxNum = n>0 ? 1 : 0;
  /* ORDER BY on integer columns: MySQL sorts them as SQLite does (NULLs
  ** first ascending, last descending), so it is consumed */
  if( pInfo->nOrderBy>0 ){
    int k, ok = 1;
    for(k=0; k<pInfo->nOrderBy; k++){
      int col = pInfo->aOrderBy[k].iColumn;
      if( col<0 || col>=p->nCol || !mv_pd_orderable((mv_pdclass)p->aPd[col]) ){
        ok = 0;
        break;
      }
    }
    if( ok ) orderBy = 1;
  }
  if( iLimit>=0 && allOmitted && (pInfo->nOrderBy==0 || orderBy) ){
    pInfo->aConstraintUsage[iLimit].argvIndex = ++n;
    if( mv_pd_plan_add(&plan, 'L', 0, 0) ){ rc = SQLITE_NOMEM; goto done; }
    pInfo->idxNum |= 2;
    if( iOffset>=0 ){
      pInfo->aConstraintUsage[iOffset].argvIndex = ++n;
      if( mv_pd_plan_add(&plan, 'O', 0, 0) ){ rc = SQLITE_NOMEM; goto done; }
      pInfo->idxNum |= 4;
    }
  }
  if( orderBy ){
    int k;
    for(k=0; k<pInfo->nOrderBy; k++){
      if( mv_pd_plan_order(&plan, pInfo->aOrderBy[k].iColumn,
                           pInfo->aOrderBy[k].desc) ){
        rc = SQLITE_NOMEM;
        goto done;
      }
    }
    pInfo->orderByConsumed = 1;
    pInfo->idxNum |= 8;
  }
  mv_pd_encode(&plan, &b);
  if( b.oom ){ rc = SQLITE_NOMEM; goto done; }
  if( b.n>0 ){
    pInfo->idxStr = sqlite3_mprintf("%s", mv_buf_cstr(&b));
    pInfo->needToFreeIdxStr = 1;
    if( pInfo->idxStr==0 ){ rc = SQLITE_NOMEM; goto done; }
  }
  if( !p->withoutRowid && (nEq || nRange) ){
    /* no key to drop an OR's duplicates by (see the schema): an OR of two
    ** terms must cost more than one scan */
    pInfo->estimatedRows = nEq ? 100000 : 500000;
    pInfo->estimatedCost = nEq ? 6e5 : 8e5;
  }else if( p->tab.nPk>0 && nPkEq>=p->tab.nPk ){
    pInfo->estimatedRows = 1;
    pInfo->estimatedCost = 10;
    pInfo->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  }else if( nEq ){
    pInfo->estimatedRows = 10;
    pInfo->estimatedCost = 1000;
  }else if( nRange ){
    pInfo->estimatedRows = 10000;
    pInfo->estimatedCost = 100000;
  }else{
    pInfo->estimatedRows = 1000000;
    pInfo->estimatedCost = 1e6;
  }
done:
  mv_pd_plan_free(&plan);
  mv_buf_free(&b);
  return rc;
}

static int snapBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  SnapVtab *p = (SnapVtab*)pVtab;
  return p->typed ? typedBestIndex(pVtab, pInfo) : tvfBestIndex(pVtab, pInfo);
}

static int snapOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  SnapCursor *pCur = sqlite3_malloc(sizeof *pCur);
  (void)pVtab;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof *pCur);
  mv_buf_init(&pCur->out);
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* End the current scan. A result still being streamed is abandoned by
** closing the connection: never by reading the rest. */
static void cursorReset(SnapCursor *pCur){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  if( pCur->conn ){
    if( pCur->rdOpen || pCur->inTxn ){
      mv_conn_put(p->ctx, pCur->conn, 0);   /* closes: statements detach */
    }else{
      mv_conn_put(p->ctx, pCur->conn, 1);
    }
    pCur->conn = 0;
  }
  mv_reader_free(&pCur->rd);
  pCur->rdOpen = 0;
  pCur->inTxn = 0;
  mv_snaptables_free(pCur->aTab, pCur->nTab);
  pCur->aTab = 0;
  pCur->nTab = pCur->iTab = 0;
  sqlite3_free(pCur->aPkIdx);
  pCur->aPkIdx = 0;
  sqlite3_free(pCur->zPos);
  pCur->zPos = 0;
  sqlite3_free(pCur->zArgTables);
  sqlite3_free(pCur->zArgDsn);
  pCur->zArgTables = pCur->zArgDsn = 0;
  pCur->eof = 1;
  pCur->iRowid = 0;
}

static int snapClose(sqlite3_vtab_cursor *cur){
  SnapCursor *pCur = (SnapCursor*)cur;
  cursorReset(pCur);
  mv_buf_free(&pCur->out);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int cursorError(SnapCursor *pCur, char *zErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  int interrupted = pCur->conn && pCur->conn->interrupted;
  sqlite3_free(p->base.zErrMsg);
  p->base.zErrMsg = zErr;
  cursorReset(pCur);
  if( zErr==0 ) return SQLITE_NOMEM;
  return interrupted ? SQLITE_INTERRUPT : SQLITE_ERROR;
}

/* Run a statement on the cursor's connection. */
static int cursorExec(SnapCursor *pCur, const char *zSql, char **pzErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  if( mv_exec(p->ctx, pCur->conn, zSql, pzErr) ){
    char *z = mv_error(SNAP_FN, 0, 0, 0, "%s", *pzErr);
    sqlite3_free(*pzErr);
    *pzErr = z;
    return 1;
  }
  return 0;
}

/* Start the transaction (snaptxn.c); for the table-valued form, read pos. */
static int cursorBegin(SnapCursor *pCur, int wantPos, char **pzErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  return mv_snap_begin(p->ctx, pCur->conn, wantPos, &pCur->zPos, 0,
                       &pCur->inTxn, pzErr);
}

/* Commit and give the connection back for reuse. */
static int cursorFinish(SnapCursor *pCur, char **pzErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  if( cursorExec(pCur, "COMMIT", pzErr)
   || cursorExec(pCur, "SET character_set_results=utf8mb4", pzErr) ){
    return 1;
  }
  pCur->inTxn = 0;
  mv_conn_put(p->ctx, pCur->conn, 1);
  pCur->conn = 0;
  return 0;
}

/* Table-valued form: open the result of aTab[iTab]. */
static int tvfOpenTable(SnapCursor *pCur, char **pzErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  SnapTable *t = &pCur->aTab[pCur->iTab];
  sqlite3_str *s = sqlite3_str_new(0);
  char *zSql;
  int i, k, rc;
  sqlite3_str_appendall(s, "SELECT * FROM ");
  mv_quote_ident(s, t->zDb);
  sqlite3_str_appendchar(s, 1, '.');
  mv_quote_ident(s, t->zTbl);
  zSql = sqlite3_str_finish(s);
  if( zSql==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  mv_reader_free(&pCur->rd);
  rc = mv_reader_open(p->ctx, pCur->conn, &pCur->rd, t, zSql, 0, 0, pzErr);
  sqlite3_free(zSql);
  if( rc ) return 1;
  pCur->rdOpen = 1;
  sqlite3_free(pCur->aPkIdx);
  pCur->aPkIdx = sqlite3_malloc64(sizeof(int)*(t->nPk+1));
  if( pCur->aPkIdx==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  for(k=0; k<t->nPk; k++){
    pCur->aPkIdx[k] = -1;
    for(i=0; i<pCur->rd.nCol; i++){
      if( pCur->rd.aCol[i].zName && strcmp(pCur->rd.aCol[i].zName, t->azPk[k])==0 ){
        pCur->aPkIdx[k] = i;
        break;
      }
    }
  }
  return 0;
}

/* Advance to the next row, across tables. */
static int snapNext(sqlite3_vtab_cursor *cur){
  SnapCursor *pCur = (SnapCursor*)cur;
  SnapVtab *p = (SnapVtab*)cur->pVtab;
  char *zErr = 0;
  if( ++pCur->nSince>=SNAP_INTERRUPT_ROWS ){
    pCur->nSince = 0;
    if( mv_interrupted(p->db) ){
      cursorReset(pCur);
      return SQLITE_INTERRUPT;
    }
  }
  while( 1 ){
    const char *zWhat = p->typed ? p->tab.zTbl
                      : pCur->aTab[pCur->iTab].zTbl;
    int rc = mv_reader_step(&pCur->rd, zWhat, &zErr);
    if( rc==SQLITE_ROW ){
      pCur->iRowid++;
      return SQLITE_OK;
    }
    if( rc!=SQLITE_DONE ) return cursorError(pCur, zErr);
    /* this result is complete: nothing is pending on the connection */
    mv_reader_free(&pCur->rd);
    pCur->rdOpen = 0;
    if( !p->typed && pCur->iTab+1<pCur->nTab ){
      pCur->iTab++;
      if( tvfOpenTable(pCur, &zErr) ) return cursorError(pCur, zErr);
      continue;
    }
    if( cursorFinish(pCur, &zErr) ) return cursorError(pCur, zErr);
    pCur->eof = 1;
    return SQLITE_OK;
  }
}

/* One pushed parameter value, kept until mysql_stmt_execute. */
typedef struct SnapParam {
  long long i;
  void *pCopy;         /* text or blob bytes, owned (sqlite3_malloc) */
} SnapParam;

#define PARAM_OK   0
#define PARAM_SKIP 1   /* MySQL might compare it differently: not pushed */
#define PARAM_NULL 2   /* NULL: the comparison is never true */
#define PARAM_NOMEM 3

/* Bind value v for a comparison with a column of pushdown class pd (b and
** pv may be NULL: only classify). Integer columns take integers (and
** REALs that are exactly integers: SQLite's rhs_value shows 1.0 as 1);
** text columns take text (ASCII only when asciiOnly) or blobs. */
static int paramFor(sqlite3_value *v, int pd, int asciiOnly,
                    MYSQL_BIND *b, SnapParam *pv){
  int t = sqlite3_value_type(v);
  if( t==SQLITE_NULL ) return PARAM_NULL;
  if( b ){ memset(b, 0, sizeof *b); pv->pCopy = 0; }
  if( pd==MV_PD_INT || pd==MV_PD_INT_NOOMIT ){
    long long x;
    if( t==SQLITE_INTEGER ){
      x = sqlite3_value_int64(v);
    }else if( t==SQLITE_FLOAT ){
      double d = sqlite3_value_double(v);
      if( !(d>=-9223372036854775808.0 && d<9223372036854775808.0) ) return PARAM_SKIP;
      x = (long long)d;
      if( (double)x!=d ) return PARAM_SKIP;
    }else{
      return PARAM_SKIP;
    }
    if( b ){
      pv->i = x;
      b->buffer_type = MYSQL_TYPE_LONGLONG;
      b->buffer = &pv->i;
    }
    return PARAM_OK;
  }
  if( t==SQLITE_BLOB ){
    if( b ){
      /* copied: the values of an IN list share one sqlite3_value */
      int n = sqlite3_value_bytes(v);
      pv->pCopy = sqlite3_malloc64((sqlite3_uint64)n + 1);
      if( pv->pCopy==0 ) return PARAM_NOMEM;
      if( n ) memcpy(pv->pCopy, sqlite3_value_blob(v), (size_t)n);
      b->buffer_type = MYSQL_TYPE_BLOB;
      b->buffer = pv->pCopy;
      b->buffer_length = (unsigned long)n;
    }
    return PARAM_OK;
  }
  {
    /* text columns compare text: the value's text form */
    const unsigned char *z = sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v), k;
    if( z==0 ) return PARAM_SKIP;
    if( asciiOnly ){
      for(k=0; k<n; k++) if( z[k]>=0x80 ) return PARAM_SKIP;
    }
    if( b ){
      pv->pCopy = sqlite3_malloc64((sqlite3_uint64)n + 1);
      if( pv->pCopy==0 ) return PARAM_NOMEM;
      memcpy(pv->pCopy, z, (size_t)n);
      b->buffer_type = MYSQL_TYPE_STRING;
      b->buffer = pv->pCopy;
      b->buffer_length = (unsigned long)n;
    }
    return PARAM_OK;
  }
}

/* Typed form: build the SELECT with the pushed constraints, bound. */
static int typedFilter(SnapCursor *pCur, int idxNum, const char *idxStr,
                       int argc, sqlite3_value **argv, char **pzErr){
  SnapVtab *p = (SnapVtab*)pCur->base.pVtab;
  mv_pd_plan plan;
  mv_buf sql;
  MYSQL_BIND *aBind = 0;
  SnapParam *aVal = 0;
  int *aArg = 0;       /* per plan term: values bound, -1 none (pushdown.h) */
  int nBind = 0, nAlloc = 0, i, rc = 1, empty = 0;
  sqlite3_int64 nLimit = -1, nOffset = 0;
  (void)idxNum;
  mv_pd_plan_init(&plan);
  mv_buf_init(&sql);
  if( mv_pd_decode(idxStr, &plan) ){
    *pzErr = mv_error(SNAP_FN, p->tab.zDb, p->tab.zTbl, 0,
                      "bad query plan '%s'", idxStr);
    goto done;
  }
  aArg = sqlite3_malloc64(sizeof(int)*(size_t)(plan.nTerm+1));
  if( aArg==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto done; }

#define NEED_BIND(k) do{ if( nBind+(k)>nAlloc ){ \
    int nNew = (nBind+(k))*2+8; \
    MYSQL_BIND *aB = sqlite3_realloc64(aBind, sizeof(MYSQL_BIND)*nNew); \
    SnapParam *aV = aB ? sqlite3_realloc64(aVal, sizeof(SnapParam)*nNew) : 0; \
    if( aB ) aBind = aB; \
    if( aV ) aVal = aV; \
    if( aB==0 || aV==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto done; } \
    nAlloc = nNew; } }while(0)

  for(i=0; i<plan.nTerm; i++){
    const mv_pd_term *t = &plan.aTerm[i];
    int col = t->col, pd, j, r;
    sqlite3_value *v = i<argc ? argv[i] : 0;
    aArg[i] = -1;
    if( v==0 ) continue;
    if( t->op=='L' ){
      if( sqlite3_value_type(v)==SQLITE_INTEGER ){
        nLimit = sqlite3_value_int64(v);
        aArg[i] = 1;       /* bound last, below */
      }
      continue;
    }
    if( t->op=='O' ){
      if( sqlite3_value_type(v)==SQLITE_INTEGER && sqlite3_value_int64(v)>0 ){
        nOffset = sqlite3_value_int64(v);
      }
      continue;
    }
    if( col<0 || col>=p->nCol ) continue;
    pd = p->aPd[col];
    if( t->op=='n' ){ aArg[i] = 0; continue; }
    if( t->op=='I' ){
      sqlite3_value *e = 0;
      int nIn = 0, ok = 1, r2;
      /* every value must be bindable, else the term is left to SQLite
      ** (an IN term is never omitted) */
      for(r2=sqlite3_vtab_in_first(v, &e); r2==SQLITE_OK && e; r2=sqlite3_vtab_in_next(v, &e)){
        r = paramFor(e, pd, p->aAsciiOnly[col], 0, 0);
        if( r==PARAM_SKIP ) ok = 0;
        if( r==PARAM_OK ) nIn++;
      }
      if( !ok ) continue;
      if( nIn==0 ){ empty = 1; continue; }
      NEED_BIND(nIn);
      j = 0;
      for(r2=sqlite3_vtab_in_first(v, &e); r2==SQLITE_OK && e; r2=sqlite3_vtab_in_next(v, &e)){
        r = paramFor(e, pd, p->aAsciiOnly[col], &aBind[nBind], &aVal[nBind]);
        if( r==PARAM_NOMEM ){ *pzErr = sqlite3_mprintf("out of memory"); goto done; }
        if( r!=PARAM_OK ) continue;
        nBind++;
        j++;
      }
      aArg[i] = j;
      continue;
    }
    NEED_BIND(1);
    r = paramFor(v, pd, p->aAsciiOnly[col], &aBind[nBind], &aVal[nBind]);
    if( r==PARAM_NOMEM ){ *pzErr = sqlite3_mprintf("out of memory"); goto done; }
    if( r==PARAM_NULL ){ empty = 1; continue; }
    if( r==PARAM_SKIP ){
      if( t->omit ){
        /* cannot happen: omitted only for integer literals */
        *pzErr = mv_error(SNAP_FN, 0, 0, 0, "cannot push the constraint"
            " on column %s", p->azCol[col]);
        goto done;
      }
      continue;   /* not omitted: SQLite compares it */
    }
    nBind++;
    aArg[i] = 1;
  }
  if( nLimit>=0 ){
    NEED_BIND(1);
    memset(&aBind[nBind], 0, sizeof(MYSQL_BIND));
    aVal[nBind].i = nLimit + nOffset;
    aVal[nBind].pCopy = 0;
    aBind[nBind].buffer_type = MYSQL_TYPE_LONGLONG;
    aBind[nBind].buffer = &aVal[nBind].i;
    nBind++;
  }
#undef NEED_BIND
  mv_pd_select(&sql, p->tab.zDb, p->tab.zTbl, p->nCol,
               (const char *const*)p->azCol, &plan, aArg);
  if( sql.oom ){ *pzErr = sqlite3_mprintf("out of memory"); goto done; }
  if( empty ){
    rc = 0;
    pCur->eof = 1;
    goto done;
  }
  /* aVal may have moved since the integers were bound */
  for(i=0; i<nBind; i++){
    if( aBind[i].buffer_type==MYSQL_TYPE_LONGLONG ) aBind[i].buffer = &aVal[i].i;
  }
  pCur->conn = snapConn(p->ctx, p->hasDsn ? p->zDsn : 0, pzErr);
  if( pCur->conn==0 ) goto done;
  if( cursorBegin(pCur, 0, pzErr) ) goto done;
  if( mv_reader_open(p->ctx, pCur->conn, &pCur->rd, &p->tab, mv_buf_cstr(&sql),
                 aBind, nBind, pzErr) ){
    goto done;
  }
  pCur->rdOpen = 1;
  if( pCur->rd.nCol!=p->nCol ){
    *pzErr = mv_error(SNAP_FN, 0, 0, 0, "%s.%s now has %d columns, not %d:"
        " recreate the virtual table", p->tab.zDb, p->tab.zTbl,
        pCur->rd.nCol, p->nCol);
    goto done;
  }
  pCur->eof = 0;
  rc = 0;
done:
  mv_buf_free(&sql);
  mv_pd_plan_free(&plan);
  sqlite3_free(aArg);
  for(i=0; i<nBind; i++) sqlite3_free(aVal[i].pCopy);
  sqlite3_free(aBind);
  sqlite3_free(aVal);
  return rc;
}

static int snapFilter(sqlite3_vtab_cursor *cur, int idxNum,
                      const char *idxStr, int argc, sqlite3_value **argv){
  SnapCursor *pCur = (SnapCursor*)cur;
  SnapVtab *p = (SnapVtab*)cur->pVtab;
  char *zErr = 0;
  const char *zTables = 0, *zDsn = 0;
  int i = 0;

  cursorReset(pCur);
  pCur->nSince = 0;
  if( p->typed ){
    if( typedFilter(pCur, idxNum, idxStr, argc, argv, &zErr) ){
      return cursorError(pCur, zErr);
    }
    if( pCur->eof ) return SQLITE_OK;
    return snapNext(cur);
  }
  if( (idxNum & 1)==0 ){
    return cursorError(pCur, mv_error(SNAP_FN, 0, 0, 0, "the table"
        " argument is missing: mysql_snapshot('db.table' [, dsn])"));
  }
  if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return SQLITE_OK;  /* no rows */
  zTables = (const char*)sqlite3_value_text(argv[i++]);
  if( idxNum & 2 ){
    if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return SQLITE_OK;
    zDsn = (const char*)sqlite3_value_text(argv[i++]);
  }
  pCur->zArgTables = sqlite3_mprintf("%s", zTables ? zTables : "");
  pCur->zArgDsn = zDsn ? sqlite3_mprintf("%s", zDsn) : 0;
  pCur->conn = snapConn(p->ctx, zDsn, &zErr);
  if( pCur->conn==0 ) return cursorError(pCur, zErr);
  if( mv_snap_resolve(p->ctx, pCur->conn, pCur->zArgTables, 1, &pCur->aTab,
                    &pCur->nTab, &zErr) ){
    return cursorError(pCur, zErr);
  }
  if( cursorBegin(pCur, 1, &zErr) ) return cursorError(pCur, zErr);
  pCur->iTab = 0;
  if( tvfOpenTable(pCur, &zErr) ) return cursorError(pCur, zErr);
  pCur->eof = 0;
  return snapNext(cur);
}

static int snapEof(sqlite3_vtab_cursor *cur){
  return ((SnapCursor*)cur)->eof;
}

/* Text from b. Where it holds no NUL byte (JSON never does), length -1
** lets SQLite copy the terminator too; with an explicit length it copies
** n bytes and reallocates to add one on the first sqlite3_value_text()
** (bench/README.md: a tenth of a narrow snapshot's CPU). */
static void resultBuf(sqlite3_context *ctx, mv_buf *b){
  const char *z;
  if( b->oom ){ sqlite3_result_error_nomem(ctx); return; }
  z = b->n ? mv_buf_cstr(b) : "";
  if( b->oom ){ sqlite3_result_error_nomem(ctx); return; }
  if( memchr(z, 0, b->n)==0 ){
    sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  }else{
    sqlite3_result_text64(ctx, z, b->n, SQLITE_TRANSIENT, SQLITE_UTF8);
  }
}

/* The typed value of column i of the current row. */
static void typedColumn(SnapCursor *pCur, sqlite3_context *ctx, int i){
  if( i<0 || i>=pCur->rd.nCol ) return;
  mv_result_value(ctx, &pCur->rd.aVal[i], &pCur->out);
}

static int snapColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  SnapCursor *pCur = (SnapCursor*)cur;
  SnapVtab *p = (SnapVtab*)cur->pVtab;
  SnapTable *t;
  mv_buf *b = &pCur->out;
  if( p->typed ){
    typedColumn(pCur, ctx, i);
    return SQLITE_OK;
  }
  t = &pCur->aTab[pCur->iTab];
  switch( i ){
    case SNAP_DB: sqlite3_result_text(ctx, t->zDb, -1, SQLITE_TRANSIENT); break;
    case SNAP_TBL: sqlite3_result_text(ctx, t->zTbl, -1, SQLITE_TRANSIENT); break;
    case SNAP_PK: {
      int k;
      if( t->nPk==0 ) break;    /* no primary key: NULL */
      mv_buf_reset(b);
      mv_buf_char(b, '[');
      for(k=0; k<t->nPk; k++){
        int c = pCur->aPkIdx[k];
        if( k ) mv_buf_char(b, ',');
        if( c<0 ) mv_buf_append(b, "null", 4);
        else mv_encode_json(b, &pCur->rd.aVal[c]);
      }
      mv_buf_char(b, ']');
      resultBuf(ctx, b);
      break;
    }
    case SNAP_ROW:
      mv_buf_reset(b);
      mv_encode_row_keyed(b, &pCur->rd.keys, pCur->rd.aVal);
      resultBuf(ctx, b);
      break;
    case SNAP_POS:
      if( pCur->zPos ) sqlite3_result_text(ctx, pCur->zPos, -1, SQLITE_TRANSIENT);
      break;
    case SNAP_TABLES:
      sqlite3_result_text(ctx, pCur->zArgTables, -1, SQLITE_TRANSIENT);
      break;
    case SNAP_DSN:
      if( pCur->zArgDsn ) sqlite3_result_text(ctx, pCur->zArgDsn, -1, SQLITE_TRANSIENT);
      break;
  }
  return SQLITE_OK;
}

static int snapRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((SnapCursor*)cur)->iRowid;
  return SQLITE_OK;
}

static sqlite3_module snapshotModule = {
  /* iVersion    */ 0,
  /* xCreate     */ snapConnect,
  /* xConnect    */ snapConnect,
  /* xBestIndex  */ snapBestIndex,
  /* xDisconnect */ snapDisconnect,
  /* xDestroy    */ snapDisconnect,
  /* xOpen       */ snapOpen,
  /* xClose      */ snapClose,
  /* xFilter     */ snapFilter,
  /* xNext       */ snapNext,
  /* xEof        */ snapEof,
  /* xColumn     */ snapColumn,
  /* xRowid      */ snapRowid,
  /* xUpdate     */ 0,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ 0,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0
  /* xIntegrity  */ MV_XINTEGRITY
};

int mv_register_snapshot(sqlite3 *db, mv_ctx *ctx){
  return sqlite3_create_module_v2(db, SNAP_FN, &snapshotModule,
                                  mv_ctx_ref(ctx), mv_ctx_unref);
}
