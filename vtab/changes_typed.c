/*
** changes_typed.c — the columns of mysql_changes' tables (changes_int.h):
** the role of each declared column in the three layouts (mysql_changes,
** mysql_binlog, the typed change table) and how many there are; and the
** typed change table of one table (CREATE VIRTUAL TABLE x USING
** mysql_changes('db.t' [, dsn]), changes.c's manual): its columns learned
** from the server and declared, and its values, the event's columns
** mapped to them by name.
*/
#include "changes_int.h"
#include "pure/types.h"

#include <string.h>

/* The typed table's columns: op, pos, next_pos, gtid, ts, the table's
** columns, the same with TC_BEFORE_PREFIX, then the hidden arguments of
** aTcHidden (start_pos, stop_pos, follow, timeout_ms). */
#define TC_FIXED 5
#define TC_BEFORE_PREFIX "before_"
static const struct { int role; const char *zName; } aTcHidden[] = {
  { MC_START, "start_pos" }, { MC_STOP, "stop_pos" },
  { MC_FOLLOW, "follow" }, { MC_TIMEOUT, "timeout_ms" }
};
#define TC_HIDDEN ((int)(sizeof aTcHidden / sizeof aTcHidden[0]))

/* The role of column i (of mv_changes_column_count): an MC_* column of
** mysql_changes, or for the typed table's own columns -2-k (k: 0..nCol-1
** the after image, nCol.. the before image). */
int mv_changes_column_role(mc_vtab *pTab, int i){
  static const int aFixed[TC_FIXED] = { MC_OP, MC_POS, MC_NEXT_POS, MC_GTID, MC_TS };
  if( !pTab->typed ) return pTab->isFile && i==MB_JSON_DIFF ? MC_JSON_DIFF : i;
  if( i<TC_FIXED ) return aFixed[i];
  if( i<TC_FIXED + 2*pTab->nCol ) return -2 - (i - TC_FIXED);
  i -= TC_FIXED + 2*pTab->nCol;
  return i<TC_HIDDEN ? aTcHidden[i].role : MC_DSN;  /* (no such column) */
}

/* The columns the table declares, hidden ones included. */
int mv_changes_column_count(mc_vtab *pTab){
  if( pTab->typed ) return TC_FIXED + 2*pTab->nCol + TC_HIDDEN;
  return pTab->isFile ? MB_NCOL : MC_NCOL;
}

/* The typed table's declared columns in the event's table: by name (by
** position for images the decoder could not name, "@1"..., when their
** number is right), -1 for one the event does not have. */
static int typedMap(mc_cursor *pCur, mvb_table *t){
  mc_vtab *pTab = pCur->pTab;
  int i, j, positional;
  if( pCur->aMap && t==pCur->tMap && t->names_gen!=0 && t->names_gen==pCur->mapGen ){
    return 0;
  }
  if( pCur->aMap==0 ){
    pCur->aMap = sqlite3_malloc64(sizeof(int)*(size_t)(pTab->nCol+1));
    if( pCur->aMap==0 ) return SQLITE_NOMEM;
  }
  positional = t->ncol>0 && strcmp(t->names[0], "@1")==0
            && strcmp(pTab->azCol[0], "@1")!=0;
  for(i=0; i<pTab->nCol; i++){
    pCur->aMap[i] = -1;
    if( positional ){
      if( t->ncol==pTab->nCol ) pCur->aMap[i] = i;
      continue;
    }
    for(j=0; j<t->ncol && strcmp(t->names[j], pTab->azCol[i])!=0; j++){}
    if( j<t->ncol ) pCur->aMap[i] = j;
  }
  pCur->tMap = t;
  pCur->mapGen = t->names_gen;
  return 0;
}

/* Column k of the typed table's images (-2-k roles). */
void mv_changes_typed_column(mc_cursor *pCur, sqlite3_context *ctx, int k){
  const mvs_row *r = &pCur->row;
  mc_vtab *pTab = pCur->pTab;
  int isBefore = k>=pTab->nCol, e;
  const mv_value *a;
  if( r->op<MVS_INSERT || r->op>MVS_DELETE || r->table==0 ) return;
  a = isBefore ? r->before : (r->after ? r->after : r->before);
  if( a==0 ) return;
  if( typedMap(pCur, r->table) ){ sqlite3_result_error_nomem(ctx); return; }
  e = pCur->aMap[isBefore ? k - pTab->nCol : k];
  if( e>=0 ) mv_result_value(ctx, &a[e], &pCur->out);
}

/* The typed change table of one table: learn its columns (the SQLite types
** of the typed mysql_snapshot) and declare them. */
int mv_changes_typed_connect(sqlite3 *db, mc_vtab *pTab, int argc,
                             const char *const *argv, char **pzErr){
  char *zArg = 0, *zErr = 0;
  mv_tblname *aName = 0;
  int nName = 0, nCol = -1, i, rc = SQLITE_ERROR;
  mv_schema *sc = 0;
  const mvb_colinfo *aCol = 0;
  sqlite3_str *s = 0;
  if( argc>5 ){
    *pzErr = sqlite3_mprintf("mysql_changes: expected ('db.table' [, dsn]),"
                             " got %d arguments", argc-3);
    return SQLITE_ERROR;
  }
  zArg = mv_dequote_arg(argv[3]);
  if( argc>4 && (pTab->zDsn = mv_dequote_arg(argv[4]))==0 ) goto nomem;
  if( zArg==0 ) goto nomem;
  if( mv_tblarg_parse("mysql_changes", zArg, &aName, &nName, &zErr) ) goto done;
  if( nName!=1 || aName[0].isPattern ){
    zErr = sqlite3_mprintf("mysql_changes: a typed change table reads one"
                           " table, not '%s'", zArg);
    goto done;
  }
  if( aName[0].zDb==0 ){
    mv_conn *c = mv_conn_get(pTab->ctx, mv_dsn_text(pTab->zDsn), &zErr);
    MYSQL_RES *res = c ? mv_query(pTab->ctx, c, "SELECT DATABASE()",
                                  "mysql_changes", &zErr) : 0;
    MYSQL_ROW row = res ? mysql_fetch_row(res) : 0;
    if( row && row[0] ) pTab->zDb = sqlite3_mprintf("%s", row[0]);
    else if( res ){
      zErr = sqlite3_mprintf("mysql_changes: table '%s' names no database and"
                             " the DSN has none (write db.table)", zArg);
    }
    if( res ) mysql_free_result(res);
    mv_conn_release(pTab->ctx, c);
    if( zErr ) goto done;
  }else{
    pTab->zDb = sqlite3_mprintf("%s", aName[0].zDb);
  }
  pTab->zTbl = sqlite3_mprintf("%s", aName[0].zTbl);
  if( pTab->zDb==0 || pTab->zTbl==0 ) goto nomem;
  sc = mv_schema_new(pTab->ctx, mv_dsn_text(pTab->zDsn), 0, 0);
  if( sc==0 ) goto nomem;
  nCol = mv_schema_columns(sc, pTab->zDb, pTab->zTbl, &aCol, &zErr);
  if( nCol<0 ) goto done;
  if( nCol==0 ){
    zErr = sqlite3_mprintf("mysql_changes: no such table %s.%s (or the user"
                           " cannot see it)", pTab->zDb, pTab->zTbl);
    goto done;
  }
  pTab->azCol = sqlite3_malloc64(sizeof(char*)*(size_t)nCol);
  if( pTab->azCol==0 ) goto nomem;
  s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "CREATE TABLE x(op TEXT, pos TEXT, next_pos TEXT,"
                           " gtid TEXT, ts INTEGER");
  for(i=0; i<2*nCol; i++){
    const mvb_colinfo *ci = &aCol[i % nCol];
    mv_coltype ct;
    const char *zType;
    mv_type_from_name(ci->data_type, ci->column_type, ci->is_json, &ct);
    zType = mv_sq_decltype(ct.sq);
    sqlite3_str_appendf(s, ", \"%s%w\"%s%s", i<nCol ? "" : TC_BEFORE_PREFIX,
                        ci->name ? ci->name : "", *zType ? " " : "", zType);
    if( i<nCol ){
      pTab->azCol[i] = sqlite3_mprintf("%s", ci->name ? ci->name : "");
      if( pTab->azCol[i]==0 ) goto nomem;
      pTab->nCol++;
    }
  }
  for(i=0; i<TC_HIDDEN; i++){
    sqlite3_str_appendf(s, ", %s HIDDEN", aTcHidden[i].zName);
  }
  sqlite3_str_appendall(s, ")");
  {
    char *zSchema = sqlite3_str_finish(s);
    s = 0;
    if( zSchema==0 ) goto nomem;
    rc = sqlite3_declare_vtab(db, zSchema);
    if( rc ){
      zErr = sqlite3_mprintf("mysql_changes: cannot declare %s: %s", zSchema,
                             sqlite3_errmsg(db));
    }
    sqlite3_free(zSchema);
  }
  pTab->typed = 1;
  goto done;
nomem:
  rc = SQLITE_NOMEM;
done:
  if( s ) sqlite3_free(sqlite3_str_finish(s));
  mv_schema_free(sc);
  mv_tblarg_free(aName, nName);
  sqlite3_free(zArg);
  if( zErr ){
    /* the connection's and the catalog's messages, as mysql_changes' */
    *pzErr = strncmp(zErr, "mysql_changes: ", 15)==0 ? zErr
             : sqlite3_mprintf("mysql_changes: %s", zErr);
    if( *pzErr!=zErr ) sqlite3_free(zErr);
  }
  return zErr ? SQLITE_ERROR : rc;
}
