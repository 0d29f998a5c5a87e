/*
** hidden.c — xBestIndex for the hidden arguments of a table-valued
** function: which `=` constraints supply them, in what argv order. One
** helper, so that every function treats its arguments alike: the first
** usable `=` on a hidden column supplies it (omit=1: SQLite need not check
** it again, the function reads the value itself); a hidden column
** constrained only by unusable constraints makes the plan
** SQLITE_CONSTRAINT, so that SQLite looks for one that supplies it (a join
** whose right side is the function). mv_hidden_plan is the whole
** xBestIndex of a function that takes no other constraint.
*/
#include "mysqlvtab.h"

int mv_hidden_args(sqlite3_index_info *p, const int *aCol, int nCol,
                   int *pnArg, unsigned *pMask){
  int aIdx[MV_HIDDEN_MAX];
  unsigned unusable = 0;
  int i, k;
  if( nCol>MV_HIDDEN_MAX ) return SQLITE_ERROR;
  for(k=0; k<nCol; k++) aIdx[k] = -1;
  for(i=0; i<p->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &p->aConstraint[i];
    if( c->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    for(k=0; k<nCol && aCol[k]!=c->iColumn; k++){}
    if( k==nCol ) continue;
    if( !c->usable ){ unusable |= 1u<<k; continue; }
    if( aIdx[k]<0 ) aIdx[k] = i;
  }
  *pMask = 0;
  for(k=0; k<nCol; k++){
    if( (unusable & (1u<<k)) && aIdx[k]<0 ) return SQLITE_CONSTRAINT;
  }
  for(k=0; k<nCol; k++){
    if( aIdx[k]<0 ) continue;
    *pMask |= 1u<<k;
    p->aConstraintUsage[aIdx[k]].argvIndex = ++*pnArg;
    p->aConstraintUsage[aIdx[k]].omit = 1;
  }
  return SQLITE_OK;
}

int mv_hidden_plan(sqlite3_index_info *p, const int *aCol, int nCol,
                   double cost, double costNoFirst, sqlite3_int64 nRow){
  unsigned mask = 0;
  int nArg = 0;
  int rc = mv_hidden_args(p, aCol, nCol, &nArg, &mask);
  if( rc!=SQLITE_OK ) return rc;
  p->idxNum = (int)mask;
  p->estimatedCost = (mask & 1) ? cost : costNoFirst;
  p->estimatedRows = nRow;
  return SQLITE_OK;
}
