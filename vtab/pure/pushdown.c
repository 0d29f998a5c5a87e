/*
** pushdown.c — plan <-> idxStr <-> SELECT for the typed mysql_snapshot
** (pushdown.h). What is pushed, and when SQLite may trust it, follows from
** where MySQL compares differently (snapshot.c, above typedBestIndex).
*/
#include "pushdown.h"

#include <stdlib.h>

void mv_pd_plan_init(mv_pd_plan *p){
  memset(p, 0, sizeof *p);
}

void mv_pd_plan_free(mv_pd_plan *p){
  free(p->aTerm);
  free(p->aOrder);
  memset(p, 0, sizeof *p);
}

/* Room for one more of n items of sz bytes in *pa (nAlloc of them). */
static int grow(void **pa, int *pnAlloc, int n, size_t sz){
  if( n>=*pnAlloc ){
    int nNew = *pnAlloc*2 + 8;
    void *a = realloc(*pa, sz*(size_t)nNew);
    if( a==0 ) return 1;
    *pa = a;
    *pnAlloc = nNew;
  }
  return 0;
}

int mv_pd_plan_add(mv_pd_plan *p, char op, int col, int omit){
  mv_pd_term *t;
  if( grow((void**)&p->aTerm, &p->nAlloc, p->nTerm, sizeof *t) ) return 1;
  t = &p->aTerm[p->nTerm++];
  t->op = op;
  t->col = col;
  t->omit = omit;
  return 0;
}

int mv_pd_plan_order(mv_pd_plan *p, int col, int desc){
  mv_pd_order *o;
  if( grow((void**)&p->aOrder, &p->nOrderAlloc, p->nOrder, sizeof *o) ) return 1;
  o = &p->aOrder[p->nOrder++];
  o->col = col;
  o->desc = desc;
  return 0;
}

/* ---- what is pushed ---- */

char mv_pd_accept(char op, mv_pdclass pd){
  switch( op ){
    case 'n':
      return op;                       /* IS NULL on any column */
    case '=':
      return pd==MV_PD_NONE ? 0 : op;
    case '<': case 'l': case '>': case 'g':
      /* a collation's order is not SQLite's byte order: integers only */
      return pd==MV_PD_INT || pd==MV_PD_INT_NOOMIT ? op : 0;
  }
  return 0;
}

int mv_pd_omit(char op, mv_pdclass pd, int rhsIsInteger){
  /* MySQL's `date_col IS NULL` also finds the zero dates of NOT NULL
  ** columns */
  if( op=='n' ) return pd!=MV_PD_EQ_TEMPORAL;
  if( op=='I' ) return 0;
  return pd==MV_PD_INT && rhsIsInteger;
}

int mv_pd_orderable(mv_pdclass pd){
  return pd==MV_PD_INT;
}

/* ---- idxStr ---- */

void mv_pd_encode(const mv_pd_plan *p, mv_buf *b){
  int i;
  for(i=0; i<p->nTerm; i++){
    const mv_pd_term *t = &p->aTerm[i];
    if( i ) mv_buf_char(b, ',');
    mv_buf_char(b, t->op);
    if( t->op!='L' && t->op!='O' ){
      mv_buf_printf(b, "%d%s", t->col, t->omit ? "!" : "");
    }
  }
  if( p->nOrder>0 ){
    mv_buf_char(b, ';');
    for(i=0; i<p->nOrder; i++){
      mv_buf_printf(b, "%s%c%d", i ? "," : "", p->aOrder[i].desc ? 'd' : 'a',
                    p->aOrder[i].col);
    }
  }
}

/* A column number; -1 if there are no digits or too many. */
static int readCol(const char **pz){
  const char *z = *pz;
  int col = 0, n = 0;
  while( *z>='0' && *z<='9' ){
    if( ++n>9 ) return -1;
    col = col*10 + (*z++ - '0');
  }
  *pz = z;
  return n ? col : -1;
}

int mv_pd_decode(const char *z, mv_pd_plan *p){
  if( z==0 ) return 0;
  while( *z && *z!=';' ){
    char op = *z++;
    int col = 0, omit = 0;
    switch( op ){
      case 'L': case 'O': break;
      case '=': case '<': case 'l': case '>': case 'g': case 'I': case 'n':
        if( (col = readCol(&z))<0 ) return 1;
        if( *z=='!' ){ omit = 1; z++; }
        break;
      default:
        return 1;
    }
    if( mv_pd_plan_add(p, op, col, omit) ) return 1;
    if( *z==',' ){
      if( z[1]==0 || z[1]==';' ) return 1;
      z++;
    }else if( *z && *z!=';' ){
      return 1;
    }
  }
  if( *z==';' ){
    z++;
    while( *z ){
      int desc, col;
      if( *z!='a' && *z!='d' ) return 1;
      desc = *z++=='d';
      if( (col = readCol(&z))<0 ) return 1;
      if( mv_pd_plan_order(p, col, desc) ) return 1;
      if( *z==',' ){
        if( z[1]==0 ) return 1;
        z++;
      }else if( *z ){
        return 1;
      }
    }
  }
  return 0;
}

/* ---- the SELECT ---- */

void mv_pd_ident(mv_buf *b, const char *z){
  mv_buf_char(b, '`');
  for(; *z; z++){
    if( *z=='`' ) mv_buf_char(b, '`');
    mv_buf_char(b, *z);
  }
  mv_buf_char(b, '`');
}

static const char *opSql(char op){
  switch( op ){
    case '=': return " = ?";
    case '<': return " < ?";
    case 'l': return " <= ?";
    case '>': return " > ?";
    case 'g': return " >= ?";
  }
  return 0;
}

void mv_pd_select(mv_buf *b, const char *zDb, const char *zTbl, int nCol,
                  const char *const *azCol, const mv_pd_plan *p,
                  const int *aArg){
  int i, j, nWhere = 0, hasLimit = 0;
  mv_buf_str(b, "SELECT ");
  for(i=0; i<nCol; i++){
    if( i ) mv_buf_str(b, ", ");
    mv_pd_ident(b, azCol[i]);
  }
  mv_buf_str(b, " FROM ");
  mv_pd_ident(b, zDb);
  mv_buf_char(b, '.');
  mv_pd_ident(b, zTbl);
  for(i=0; i<p->nTerm; i++){
    const mv_pd_term *t = &p->aTerm[i];
    if( aArg[i]<0 ) continue;
    if( t->op=='L' ){ hasLimit = 1; continue; }
    if( t->op=='O' || t->col<0 || t->col>=nCol ) continue;
    if( t->op!='n' && t->op!='I' && opSql(t->op)==0 ) continue;
    mv_buf_str(b, nWhere++ ? " AND " : " WHERE ");
    mv_pd_ident(b, azCol[t->col]);
    if( t->op=='n' ){
      mv_buf_str(b, " IS NULL");
    }else if( t->op=='I' ){
      mv_buf_str(b, " IN (");
      for(j=0; j<aArg[i]; j++) mv_buf_str(b, j ? ", ?" : "?");
      mv_buf_char(b, ')');
    }else{
      mv_buf_str(b, opSql(t->op));
    }
  }
  for(i=j=0; i<p->nOrder; i++){
    if( p->aOrder[i].col<0 || p->aOrder[i].col>=nCol ) continue;
    mv_buf_str(b, j++ ? ", " : " ORDER BY ");
    mv_pd_ident(b, azCol[p->aOrder[i].col]);
    if( p->aOrder[i].desc ) mv_buf_str(b, " DESC");
  }
  if( hasLimit ) mv_buf_str(b, " LIMIT ?");
}
