/*
** altercols.c — ALTER TABLE's column operations (altercols.h): a small
** tokenizer for MySQL's lexical rules (plain and backquoted identifiers,
** strings, numbers, the three comment styles) and a parser of the clauses
** a binlog holds. Whatever it does not know is "not followable": the
** caller then copies the table afresh, which is always right.
** Above 800 lines: the tokenizer and the grammar share the parser's
** state (split, each would export it to the other); the type rules at the
** end (mva_type_exact) are a hundred lines of their own.
*/
#include "altercols.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ---- */

#define TK_END   0
#define TK_WORD  1   /* unquoted identifier or keyword */
#define TK_QID   2   /* `backquoted` identifier */
#define TK_STR   3   /* 'string' */
#define TK_DSTR  4   /* "string" (an identifier under ANSI_QUOTES) */
#define TK_NUM   5   /* an unsigned number */
#define TK_PUNCT 6   /* one character: ( ) , . = ; - + ... */
#define TK_ERR   7   /* unterminated quote or comment, versioned comment */

typedef struct tok {
  int type;
  const char *z;     /* the token's text in the statement */
  size_t n;
  int isInt;         /* TK_NUM: digits only */
  int hasEscape;     /* TK_STR: a backslash inside */
} tok;

typedef struct parser {
  const char *z, *zEnd;
  tok t;             /* the current token */
  mva_alter *p;
  char *zWhy;
  size_t nWhy;
  int oom;
  int notFollowable; /* zWhy set */
} parser;

static int isWordChar(unsigned char c){
  return c=='_' || c=='$' || isalnum(c) || c>=0x80;
}

/* Move to the next token. */
static void next(parser *ps){
  const char *z = ps->z, *e = ps->zEnd;
  tok *t = &ps->t;
  memset(t, 0, sizeof *t);
  for(;;){
    while( z<e && isspace((unsigned char)*z) ) z++;
    if( z<e && *z=='#' ){
      while( z<e && *z!='\n' ) z++;
      continue;
    }
    if( e-z>=2 && z[0]=='-' && z[1]=='-'
     && (e-z==2 || isspace((unsigned char)z[2])) ){
      while( z<e && *z!='\n' ) z++;
      continue;
    }
    if( e-z>=2 && z[0]=='/' && z[1]=='*' ){
      const char *c = z + 2;
      if( (c<e && *c=='!') || (e-c>=2 && c[0]=='M' && c[1]=='!') ){
        t->type = TK_ERR;     /* runs or not by the server's version */
        t->z = z;
        ps->z = e;
        return;
      }
      while( e-c>=2 && !(c[0]=='*' && c[1]=='/') ) c++;
      if( e-c<2 ){ t->type = TK_ERR; t->z = z; ps->z = e; return; }
      z = c + 2;
      continue;
    }
    break;
  }
  t->z = z;
  if( z>=e ){ t->type = TK_END; ps->z = z; return; }
  if( *z=='`' ){
    const char *c = z + 1;
    for(;;){
      if( c>=e ){ t->type = TK_ERR; ps->z = e; return; }
      if( *c=='`' ){
        if( c+1<e && c[1]=='`' ){ c += 2; continue; }
        break;
      }
      c++;
    }
    t->type = TK_QID;
    t->n = (size_t)(c + 1 - z);
    ps->z = c + 1;
    return;
  }
  if( *z=='\'' || *z=='"' ){
    char q = *z;
    const char *c = z + 1;
    for(;;){
      if( c>=e ){ t->type = TK_ERR; ps->z = e; return; }
      if( *c=='\\' ){
        t->hasEscape = 1;
        if( c+1>=e ){ t->type = TK_ERR; ps->z = e; return; }
        c += 2;
        continue;
      }
      if( *c==q ){
        if( c+1<e && c[1]==q ){ c += 2; continue; }
        break;
      }
      c++;
    }
    t->type = q=='\'' ? TK_STR : TK_DSTR;
    t->n = (size_t)(c + 1 - z);
    ps->z = c + 1;
    return;
  }
  if( isdigit((unsigned char)*z) ){
    const char *c = z;
    while( c<e && isdigit((unsigned char)*c) ) c++;
    if( c<e && isWordChar((unsigned char)*c) && *c!='e' && *c!='E' ){
      /* an identifier that begins with digits (1abc) */
      while( c<e && isWordChar((unsigned char)*c) ) c++;
      t->type = TK_WORD;
    }else{
      t->type = TK_NUM;
      t->isInt = 1;
      if( c<e && *c=='.' ){
        t->isInt = 0;
        for(c++; c<e && isdigit((unsigned char)*c); c++){}
      }
      if( c<e && (*c=='e' || *c=='E') ){
        t->isInt = 0;
        c++;
        if( c<e && (*c=='+' || *c=='-') ) c++;
        while( c<e && isdigit((unsigned char)*c) ) c++;
      }
    }
    t->n = (size_t)(c - z);
    ps->z = c;
    return;
  }
  if( isWordChar((unsigned char)*z) ){
    const char *c = z;
    while( c<e && isWordChar((unsigned char)*c) ) c++;
    t->type = TK_WORD;
    t->n = (size_t)(c - z);
    ps->z = c;
    return;
  }
  t->type = TK_PUNCT;
  t->n = 1;
  ps->z = z + 1;
}

/* Is the current token the keyword zKw (any case)? */
static int isKw(parser *ps, const char *zKw){
  size_t n = strlen(zKw), i;
  if( ps->t.type!=TK_WORD || ps->t.n!=n ) return 0;
  for(i=0; i<n; i++){
    if( toupper((unsigned char)ps->t.z[i])!=zKw[i] ) return 0;
  }
  return 1;
}

/* Take the keyword if it is there. */
static int takeKw(parser *ps, const char *zKw){
  if( !isKw(ps, zKw) ) return 0;
  next(ps);
  return 1;
}

static int isPunct(parser *ps, char c){
  return ps->t.type==TK_PUNCT && ps->t.z[0]==c;
}

/* Not followable: the first reason is kept. Returns 1. */
static int notFollowable(parser *ps, const char *zFmt, ...){
  va_list ap;
  if( ps->notFollowable ) return 1;
  ps->notFollowable = 1;
  if( ps->nWhy ){
    va_start(ap, zFmt);
    vsnprintf(ps->zWhy, ps->nWhy, zFmt, ap);
    va_end(ap);
  }
  return 1;
}

/* The current token's text for a message. */
static int tokLen(parser *ps){
  return ps->t.type==TK_END ? 3 : (int)(ps->t.n>40 ? 40 : ps->t.n);
}
static const char *tokText(parser *ps){
  return ps->t.type==TK_END ? "end" : ps->t.z;
}
#define TOK(ps) tokLen(ps), tokText(ps)

static char *dupN(parser *ps, const char *z, size_t n){
  char *r = malloc(n + 1);
  if( r==0 ){ ps->oom = 1; return 0; }
  memcpy(r, z, n);
  r[n] = 0;
  return r;
}

/* The value of a quoted token (quotes removed, doubled quotes and, in a
** 'string', backslash escapes undone). */
static char *unquote(parser *ps){
  const char *z = ps->t.z + 1, *e = ps->t.z + ps->t.n - 1;
  char q = ps->t.z[0];
  char *r = malloc(ps->t.n), *o = r;
  if( r==0 ){ ps->oom = 1; return 0; }
  while( z<e ){
    if( *z==q && z+1<e && z[1]==q ){ *o++ = q; z += 2; continue; }
    if( q!='`' && *z=='\\' && z+1<e ){
      char c = z[1];
      switch( c ){
        case '0': c = 0; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'b': c = '\b'; break;
        case 'Z': c = 26; break;
        default: break;
      }
      *o++ = c;
      z += 2;
      continue;
    }
    *o++ = *z++;
  }
  *o = 0;
  return r;
}

/* An identifier (plain or backquoted), taken; NULL if there is none
** (not followable) or out of memory. */
static char *ident(parser *ps, const char *zWhat){
  char *r;
  if( ps->t.type==TK_QID ) r = unquote(ps);
  else if( ps->t.type==TK_WORD ) r = dupN(ps, ps->t.z, ps->t.n);
  else{
    notFollowable(ps, "%s expected, not '%.*s'", zWhat, TOK(ps));
    return 0;
  }
  if( r ) next(ps);
  return r;
}

/* Skip to the end of the clause: a comma or the end at depth 0. 1 when
** the statement ends inside parentheses. */
static int skipClause(parser *ps){
  int depth = 0;
  for(;;){
    if( ps->t.type==TK_END ) return depth>0 ? notFollowable(ps, "unbalanced parentheses") : 0;
    if( ps->t.type==TK_ERR ) return notFollowable(ps, "an unterminated quote or comment");
    if( isPunct(ps, '(') ) depth++;
    else if( isPunct(ps, ')') ){
      if( depth==0 ) return 0;
      depth--;
    }else if( isPunct(ps, ',') && depth==0 ) return 0;
    next(ps);
  }
}

/* Skip "( ... )", balanced; the current token is the '('. */
static int skipParens(parser *ps){
  int depth = 0;
  do{
    if( ps->t.type==TK_END || ps->t.type==TK_ERR ){
      return notFollowable(ps, "unbalanced parentheses");
    }
    if( isPunct(ps, '(') ) depth++;
    else if( isPunct(ps, ')') ) depth--;
    next(ps);
  }while( depth>0 );
  return 0;
}

/* "[=] value" of a table option, skipped. */
static int skipOptionValue(parser *ps){
  if( isPunct(ps, '=') ) next(ps);
  if( ps->t.type==TK_END || ps->t.type==TK_ERR || isPunct(ps, ',') ){
    return notFollowable(ps, "a table option without a value");
  }
  next(ps);
  return 0;
}

/* ---- types ---- */

/* Type names as information_schema's DATA_TYPE, from what a statement may
** write. */
static const struct { const char *zIn, *zBase; } aTypeName[] = {
  {"TINYINT","tinyint"}, {"SMALLINT","smallint"}, {"MEDIUMINT","mediumint"},
  {"INT","int"}, {"INTEGER","int"}, {"BIGINT","bigint"},
  {"BOOL","tinyint"}, {"BOOLEAN","tinyint"},
  {"DECIMAL","decimal"}, {"DEC","decimal"}, {"NUMERIC","decimal"},
  {"FIXED","decimal"}, {"FLOAT","float"}, {"DOUBLE","double"},
  {"REAL","double"}, {"BIT","bit"},
  {"DATE","date"}, {"DATETIME","datetime"}, {"TIMESTAMP","timestamp"},
  {"TIME","time"}, {"YEAR","year"},
  {"CHAR","char"}, {"CHARACTER","char"}, {"VARCHAR","varchar"},
  {"TINYTEXT","tinytext"}, {"TEXT","text"}, {"MEDIUMTEXT","mediumtext"},
  {"LONGTEXT","longtext"},
  {"BINARY","binary"}, {"VARBINARY","varbinary"}, {"TINYBLOB","tinyblob"},
  {"BLOB","blob"}, {"MEDIUMBLOB","mediumblob"}, {"LONGBLOB","longblob"},
  {"ENUM","enum"}, {"SET","set"}, {"JSON","json"},
  {"GEOMETRY","geometry"}, {"POINT","point"}, {"LINESTRING","linestring"},
  {"POLYGON","polygon"},
};

/* Append z[n] to the growing type text (*pz, lower case unless quoted). */
static void typeAppend(parser *ps, char **pz, size_t *pn, const char *z,
                       size_t n, int lower){
  char *r = realloc(*pz, *pn + n + 1);
  size_t i;
  if( r==0 ){ ps->oom = 1; return; }
  for(i=0; i<n; i++) r[*pn + i] = lower ? (char)tolower((unsigned char)z[i]) : z[i];
  *pn += n;
  r[*pn] = 0;
  *pz = r;
}

/* The data type of a column definition into d. */
static int parseType(parser *ps, mva_coldef *d){
  size_t i, n = 0;
  const char *zBase = 0;
  if( ps->t.type!=TK_WORD ) return notFollowable(ps, "a type expected, not '%.*s'", TOK(ps));
  if( isKw(ps, "NATIONAL") || isKw(ps, "NCHAR") || isKw(ps, "NVARCHAR")
   || isKw(ps, "SERIAL") || isKw(ps, "LONG") ){
    return notFollowable(ps, "type %.*s", TOK(ps));
  }
  for(i=0; i<sizeof aTypeName/sizeof aTypeName[0]; i++){
    if( isKw(ps, aTypeName[i].zIn) ){ zBase = aTypeName[i].zBase; break; }
  }
  if( zBase==0 ) return notFollowable(ps, "type %.*s", TOK(ps));
  d->zBase = dupN(ps, zBase, strlen(zBase));
  if( isKw(ps, "BOOL") || isKw(ps, "BOOLEAN") ){
    typeAppend(ps, &d->zType, &n, "tinyint(1)", 10, 1);
    next(ps);
    return 0;
  }
  typeAppend(ps, &d->zType, &n, zBase, strlen(zBase), 1);
  next(ps);
  if( strcmp(zBase, "double")==0 ) takeKw(ps, "PRECISION");
  if( strcmp(zBase, "char")==0 && isKw(ps, "VARYING") ){
    return notFollowable(ps, "type CHARACTER VARYING");
  }
  if( isPunct(ps, '(') ){
    /* the arguments, as information_schema writes them: no spaces,
    ** strings kept quoted as written */
    typeAppend(ps, &d->zType, &n, "(", 1, 0);
    next(ps);
    for(;;){
      if( ps->t.type==TK_NUM || ps->t.type==TK_STR ){
        typeAppend(ps, &d->zType, &n, ps->t.z, ps->t.n, 0);
      }else{
        return notFollowable(ps, "type arguments '%.*s'", TOK(ps));
      }
      next(ps);
      if( isPunct(ps, ')') ) break;
      if( !isPunct(ps, ',') ) return notFollowable(ps, "type arguments '%.*s'", TOK(ps));
      typeAppend(ps, &d->zType, &n, ",", 1, 0);
      next(ps);
    }
    typeAppend(ps, &d->zType, &n, ")", 1, 0);
    next(ps);
  }
  for(;;){
    if( takeKw(ps, "SIGNED") ) continue;
    if( isKw(ps, "UNSIGNED") ){
      typeAppend(ps, &d->zType, &n, " unsigned", 9, 0);
      next(ps);
      continue;
    }
    if( isKw(ps, "ZEROFILL") ) return notFollowable(ps, "ZEROFILL");
    break;
  }
  return ps->oom;
}

/* [=] name of a charset or collation, lower case, into *pz. */
static int charsetName(parser *ps, char **pz, int isCollation){
  char *z;
  size_t i;
  if( isPunct(ps, '=') ) next(ps);
  if( ps->t.type==TK_STR || ps->t.type==TK_QID ) z = unquote(ps);
  else if( ps->t.type==TK_WORD ) z = dupN(ps, ps->t.z, ps->t.n);
  else return notFollowable(ps, "a charset expected, not '%.*s'", TOK(ps));
  if( z==0 ) return 1;
  next(ps);
  for(i=0; z[i]; i++) z[i] = (char)tolower((unsigned char)z[i]);
  if( isCollation ){
    char zCs[64];
    mva_collation_charset(z, zCs, sizeof zCs);
    free(z);
    z = dupN(ps, zCs, strlen(zCs));
    if( z==0 ) return 1;
  }else if( strcmp(z, "utf8")==0 ){
    free(z);
    z = dupN(ps, "utf8mb3", 7);
    if( z==0 ) return 1;
  }
  if( *pz && strcmp(*pz, z)!=0 ){
    free(z);
    return notFollowable(ps, "a charset and a collation of another");
  }
  free(*pz);
  *pz = z;
  return 0;
}

/* DEFAULT's value. */
static int parseDefault(parser *ps, mva_coldef *d){
  int neg = 0;
  free(d->zDefault);
  d->zDefault = 0;
  d->defKind = MVA_DEF_OTHER;
  if( isKw(ps, "NULL") ){
    d->defKind = MVA_DEF_NULL;
    next(ps);
    return 0;
  }
  if( isPunct(ps, '(') ) return skipParens(ps);
  if( isPunct(ps, '-') || isPunct(ps, '+') ){
    neg = isPunct(ps, '-');
    next(ps);
    if( ps->t.type!=TK_NUM ) return notFollowable(ps, "DEFAULT %.*s", TOK(ps));
  }
  if( ps->t.type==TK_NUM ){
    if( ps->t.isInt ){
      char *z = malloc(ps->t.n + 2);
      if( z==0 ){ ps->oom = 1; return 1; }
      z[0] = '-';
      memcpy(z + 1, ps->t.z, ps->t.n);
      z[ps->t.n + 1] = 0;
      if( neg ) d->zDefault = z;
      else{ memmove(z, z + 1, ps->t.n + 1); d->zDefault = z; }
      d->defKind = MVA_DEF_INT;
    }
    next(ps);
    return 0;
  }
  if( ps->t.type==TK_STR ){
    if( !ps->t.hasEscape ){
      d->zDefault = unquote(ps);
      if( d->zDefault==0 ) return 1;
      d->defKind = MVA_DEF_STR;
    }
    next(ps);
    /* 'a' 'b' is one literal, 'ab' */
    if( ps->t.type==TK_STR ) return notFollowable(ps, "adjacent string literals");
    return 0;
  }
  if( ps->t.type==TK_WORD ){
    /* CURRENT_TIMESTAMP[(n)], NOW(), TRUE, an introducer, ... */
    next(ps);
    if( isPunct(ps, '(') ) return skipParens(ps);
    if( ps->t.type==TK_STR ) return notFollowable(ps, "a literal with an introducer");
    return 0;
  }
  return notFollowable(ps, "DEFAULT %.*s", TOK(ps));
}

/* A column definition: type and attributes, up to a position, a comma,
** a ')' or the end. */
static int parseColdef(parser *ps, mva_coldef *d){
  if( parseType(ps, d) ) return 1;
  while( !ps->notFollowable && !ps->oom ){
    if( ps->t.type==TK_END || isPunct(ps, ',') || isPunct(ps, ')')
     || isKw(ps, "FIRST") || isKw(ps, "AFTER") ) return 0;
    if( ps->t.type==TK_ERR ) return notFollowable(ps, "an unterminated quote or comment");
    if( takeKw(ps, "NOT") ){
      if( !takeKw(ps, "NULL") ) return notFollowable(ps, "NOT %.*s", TOK(ps));
      d->notNull = 1;
    }else if( takeKw(ps, "NULL") ){
      d->isNull = 1;
    }else if( takeKw(ps, "DEFAULT") ){
      if( parseDefault(ps, d) ) return 1;
    }else if( isKw(ps, "AUTO_INCREMENT") || isKw(ps, "PRIMARY") || isKw(ps, "KEY")
           || isKw(ps, "GENERATED") || isKw(ps, "AS") || isKw(ps, "VIRTUAL")
           || isKw(ps, "STORED") || isKw(ps, "PERSISTENT") || isKw(ps, "INVISIBLE")
           || isKw(ps, "REFERENCES") || isKw(ps, "COMPRESSED") || isKw(ps, "WITH")
           || isKw(ps, "WITHOUT") || isKw(ps, "SERIAL") ){
      return notFollowable(ps, "a column %.*s", TOK(ps));
    }else if( takeKw(ps, "UNIQUE") ){
      takeKw(ps, "KEY");
    }else if( takeKw(ps, "COMMENT") ){
      if( ps->t.type!=TK_STR ) return notFollowable(ps, "COMMENT %.*s", TOK(ps));
      next(ps);
    }else if( takeKw(ps, "CHARACTER") ){
      if( !takeKw(ps, "SET") ) return notFollowable(ps, "CHARACTER %.*s", TOK(ps));
      if( charsetName(ps, &d->zCharset, 0) ) return 1;
    }else if( takeKw(ps, "CHARSET") ){
      if( charsetName(ps, &d->zCharset, 0) ) return 1;
    }else if( takeKw(ps, "COLLATE") ){
      if( charsetName(ps, &d->zCharset, 1) ) return 1;
    }else if( takeKw(ps, "ASCII") ){
      char *z = dupN(ps, "latin1", 6);
      if( z==0 ) return 1;
      if( d->zCharset && strcmp(d->zCharset, z)!=0 ){ free(z); return notFollowable(ps, "two charsets"); }
      free(d->zCharset);
      d->zCharset = z;
    }else if( takeKw(ps, "BINARY") || takeKw(ps, "VISIBLE") ){
      /* BINARY: the charset's _bin collation, the same values */
    }else if( takeKw(ps, "COLUMN_FORMAT") || takeKw(ps, "STORAGE")
           || takeKw(ps, "SRID") ){
      if( ps->t.type!=TK_WORD && ps->t.type!=TK_NUM ) return notFollowable(ps, "a column attribute");
      next(ps);
    }else if( takeKw(ps, "ON") ){
      /* ON UPDATE CURRENT_TIMESTAMP[(n)]: later writes, which the binlog carries */
      if( !takeKw(ps, "UPDATE") || ps->t.type!=TK_WORD ) return notFollowable(ps, "ON %.*s", TOK(ps));
      next(ps);
      if( isPunct(ps, '(') && skipParens(ps) ) return 1;
    }else if( takeKw(ps, "CHECK") ){
      if( !isPunct(ps, '(') || skipParens(ps) ) return notFollowable(ps, "CHECK");
    }else if( takeKw(ps, "CONSTRAINT") ){
      if( ps->t.type==TK_WORD && !isKw(ps, "CHECK") ) next(ps);
      else if( ps->t.type==TK_QID ) next(ps);
      if( !takeKw(ps, "CHECK") || !isPunct(ps, '(') || skipParens(ps) ){
        return notFollowable(ps, "a column CONSTRAINT");
      }
    }else{
      return notFollowable(ps, "column attribute '%.*s'", TOK(ps));
    }
  }
  return 1;
}

/* [FIRST | AFTER name] */
static int parsePosition(parser *ps, mva_op *o){
  if( takeKw(ps, "FIRST") ){
    o->pos = MVA_POS_FIRST;
  }else if( takeKw(ps, "AFTER") ){
    o->pos = MVA_POS_AFTER;
    if( (o->zAfter = ident(ps, "a column after AFTER"))==0 ) return 1;
  }
  return 0;
}

/* A new operation at the end of the list (zeroed). */
static mva_op *newOp(parser *ps, int op){
  mva_alter *p = ps->p;
  mva_op *a = realloc(p->aOp, sizeof(mva_op)*(size_t)(p->nOp + 1));
  if( a==0 ){ ps->oom = 1; return 0; }
  p->aOp = a;
  memset(&a[p->nOp], 0, sizeof(mva_op));
  a[p->nOp].op = op;
  return &a[p->nOp++];
}

/* [IF EXISTS] */
static int ifExists(parser *ps){
  if( !isKw(ps, "IF") ) return 0;
  next(ps);
  if( !takeKw(ps, "EXISTS") ){ notFollowable(ps, "IF %.*s", TOK(ps)); return 0; }
  return 1;
}

/* ADD [COLUMN] [IF NOT EXISTS] name def [position], or ADD [COLUMN] [IF
** NOT EXISTS] (name def, ...); the ADD is taken. */
static int parseAdd(parser *ps){
  int sawColumn = takeKw(ps, "COLUMN"), ine = 0;
  mva_op *o;
  if( !sawColumn ){
    if( isKw(ps, "PRIMARY") || isKw(ps, "PARTITION") || isKw(ps, "PERIOD")
     || isKw(ps, "SYSTEM") ){
      return notFollowable(ps, "ADD %.*s", TOK(ps));
    }
    if( isKw(ps, "CONSTRAINT") ){
      next(ps);
      if( ps->t.type==TK_QID || (ps->t.type==TK_WORD && !isKw(ps, "PRIMARY")
          && !isKw(ps, "UNIQUE") && !isKw(ps, "FOREIGN") && !isKw(ps, "CHECK")) ){
        next(ps);
      }
      if( isKw(ps, "PRIMARY") ) return notFollowable(ps, "ADD PRIMARY KEY");
      return skipClause(ps);
    }
    if( isKw(ps, "INDEX") || isKw(ps, "KEY") || isKw(ps, "UNIQUE")
     || isKw(ps, "FULLTEXT") || isKw(ps, "SPATIAL") || isKw(ps, "FOREIGN")
     || isKw(ps, "CHECK") || isKw(ps, "VECTOR") ){
      /* a key changes no row: had a row failed it, the ALTER had failed */
      return skipClause(ps);
    }
  }
  if( isKw(ps, "IF") ){
    next(ps);
    if( !takeKw(ps, "NOT") || !takeKw(ps, "EXISTS") ) return notFollowable(ps, "ADD IF ...");
    ine = 1;
  }
  if( isPunct(ps, '(') ){
    next(ps);
    for(;;){
      if( isKw(ps, "INDEX") || isKw(ps, "KEY") || isKw(ps, "UNIQUE")
       || isKw(ps, "PRIMARY") || isKw(ps, "CONSTRAINT") || isKw(ps, "FOREIGN")
       || isKw(ps, "CHECK") || isKw(ps, "FULLTEXT") || isKw(ps, "SPATIAL") ){
        return notFollowable(ps, "a key inside ADD (...)");
      }
      if( (o = newOp(ps, MVA_ADD))==0 ) return 1;
      o->ifExists = ine;
      if( (o->zName = ident(ps, "a column name"))==0 ) return 1;
      if( parseColdef(ps, &o->def) ) return 1;
      if( isPunct(ps, ')') ){ next(ps); return 0; }
      if( !isPunct(ps, ',') ) return notFollowable(ps, "ADD (...): '%.*s'", TOK(ps));
      next(ps);
    }
  }
  if( (o = newOp(ps, MVA_ADD))==0 ) return 1;
  o->ifExists = ine;
  if( (o->zName = ident(ps, "a column name"))==0 ) return 1;
  if( parseColdef(ps, &o->def) ) return 1;
  return parsePosition(ps, o);
}

/* DROP ...; the DROP is taken. */
static int parseDrop(parser *ps){
  mva_op *o;
  if( isKw(ps, "PRIMARY") || isKw(ps, "PARTITION") || isKw(ps, "SYSTEM")
   || isKw(ps, "PERIOD") ){
    return notFollowable(ps, "DROP %.*s", TOK(ps));
  }
  if( isKw(ps, "INDEX") || isKw(ps, "KEY") || isKw(ps, "FOREIGN")
   || isKw(ps, "CONSTRAINT") || isKw(ps, "CHECK") ){
    return skipClause(ps);
  }
  takeKw(ps, "COLUMN");
  if( (o = newOp(ps, MVA_DROP))==0 ) return 1;
  o->ifExists = ifExists(ps);
  if( ps->notFollowable ) return 1;
  if( (o->zName = ident(ps, "a column name"))==0 ) return 1;
  /* MariaDB: DROP COLUMN c RESTRICT|CASCADE (no effect) */
  if( !takeKw(ps, "RESTRICT") ) takeKw(ps, "CASCADE");
  return 0;
}

/* ALTER TABLE ...: the statement. */
static int parseStatement(parser *ps){
  mva_alter *p = ps->p;
  next(ps);
  if( takeKw(ps, "TRUNCATE") ){
    takeKw(ps, "TABLE");
    if( (p->zTbl = ident(ps, "a table name"))==0 ) return 1;
    if( isPunct(ps, '.') ){
      next(ps);
      p->zDb = p->zTbl;
      if( (p->zTbl = ident(ps, "a table name"))==0 ) return 1;
    }
    if( isPunct(ps, ';') ) next(ps);
    if( ps->t.type!=TK_END ) return notFollowable(ps, "TRUNCATE: %.*s after the table", TOK(ps));
    p->truncate = 1;
    return 0;
  }
  if( !takeKw(ps, "ALTER") ) return notFollowable(ps, "not an ALTER TABLE");
  takeKw(ps, "ONLINE");
  takeKw(ps, "OFFLINE");
  if( isKw(ps, "IGNORE") ) return notFollowable(ps, "ALTER IGNORE (rows may be dropped)");
  if( !takeKw(ps, "TABLE") ) return notFollowable(ps, "not an ALTER TABLE");
  if( isKw(ps, "IF") && (next(ps), !takeKw(ps, "EXISTS")) ){
    return notFollowable(ps, "IF %.*s", TOK(ps));
  }
  if( (p->zTbl = ident(ps, "a table name"))==0 ) return 1;
  if( isPunct(ps, '.') ){
    next(ps);
    p->zDb = p->zTbl;
    if( (p->zTbl = ident(ps, "a table name"))==0 ) return 1;
  }
  if( takeKw(ps, "WAIT") ){
    if( ps->t.type!=TK_NUM ) return notFollowable(ps, "WAIT %.*s", TOK(ps));
    next(ps);
  }else{
    takeKw(ps, "NOWAIT");
  }
  while( !ps->notFollowable && !ps->oom ){
    if( ps->t.type==TK_END ) return 0;
    if( ps->t.type==TK_ERR ) return notFollowable(ps, "an unterminated quote or comment");
    if( isPunct(ps, ';') ){
      next(ps);
      if( ps->t.type!=TK_END ) return notFollowable(ps, "two statements");
      return 0;
    }
    if( takeKw(ps, "ADD") ){
      if( parseAdd(ps) ) return 1;
    }else if( takeKw(ps, "DROP") ){
      if( parseDrop(ps) ) return 1;
    }else if( takeKw(ps, "RENAME") ){
      if( isKw(ps, "INDEX") || isKw(ps, "KEY") ){
        if( skipClause(ps) ) return 1;
      }else if( takeKw(ps, "COLUMN") ){
        mva_op *o = newOp(ps, MVA_RENAME);
        if( o==0 || (o->zName = ident(ps, "a column name"))==0 ) return 1;
        if( !takeKw(ps, "TO") ) return notFollowable(ps, "RENAME COLUMN: TO expected");
        if( (o->zNew = ident(ps, "a column name"))==0 ) return 1;
      }else{
        return notFollowable(ps, "a table renamed");
      }
    }else if( isKw(ps, "CHANGE") || isKw(ps, "MODIFY") ){
      int isChange = isKw(ps, "CHANGE");
      mva_op *o = newOp(ps, isChange ? MVA_CHANGE : MVA_MODIFY);
      next(ps);
      takeKw(ps, "COLUMN");
      if( o==0 ) return 1;
      o->ifExists = ifExists(ps);
      if( ps->notFollowable || (o->zName = ident(ps, "a column name"))==0 ) return 1;
      if( isChange && (o->zNew = ident(ps, "a column name"))==0 ) return 1;
      if( parseColdef(ps, &o->def) || parsePosition(ps, o) ) return 1;
    }else if( takeKw(ps, "ALTER") ){
      if( isKw(ps, "INDEX") || isKw(ps, "KEY") || isKw(ps, "CHECK")
       || isKw(ps, "CONSTRAINT") ){
        if( skipClause(ps) ) return 1;
      }else{
        takeKw(ps, "COLUMN");
        if( ps->t.type!=TK_WORD && ps->t.type!=TK_QID ) return notFollowable(ps, "ALTER COLUMN");
        next(ps);
        if( takeKw(ps, "SET") ){
          if( isKw(ps, "VISIBLE") || isKw(ps, "INVISIBLE") ){
            return notFollowable(ps, "ALTER COLUMN SET %.*s", TOK(ps));
          }
          if( !takeKw(ps, "DEFAULT") ) return notFollowable(ps, "ALTER COLUMN SET %.*s", TOK(ps));
          if( skipClause(ps) ) return 1;
        }else if( takeKw(ps, "DROP") ){
          if( !takeKw(ps, "DEFAULT") ) return notFollowable(ps, "ALTER COLUMN DROP %.*s", TOK(ps));
        }else{
          return notFollowable(ps, "ALTER COLUMN %.*s", TOK(ps));
        }
      }
    }else if( takeKw(ps, "ALGORITHM") || takeKw(ps, "LOCK") ){
      if( skipOptionValue(ps) ) return 1;
    }else if( takeKw(ps, "FORCE") ){
      /* a rebuild: the same rows */
    }else if( takeKw(ps, "ENGINE") ){
      if( isPunct(ps, '=') ) next(ps);
      if( !takeKw(ps, "INNODB") ) return notFollowable(ps, "ENGINE %.*s", TOK(ps));
    }else if( takeKw(ps, "COMMENT") ){
      if( isPunct(ps, '=') ) next(ps);
      if( ps->t.type!=TK_STR ) return notFollowable(ps, "COMMENT %.*s", TOK(ps));
      next(ps);
    }else if( takeKw(ps, "AUTO_INCREMENT") || takeKw(ps, "ROW_FORMAT")
           || takeKw(ps, "KEY_BLOCK_SIZE") || takeKw(ps, "STATS_PERSISTENT")
           || takeKw(ps, "STATS_AUTO_RECALC") || takeKw(ps, "STATS_SAMPLE_PAGES")
           || takeKw(ps, "AVG_ROW_LENGTH") || takeKw(ps, "MAX_ROWS")
           || takeKw(ps, "MIN_ROWS") || takeKw(ps, "PACK_KEYS")
           || takeKw(ps, "CHECKSUM") || takeKw(ps, "PAGE_CHECKSUM")
           || takeKw(ps, "DELAY_KEY_WRITE") ){
      if( skipOptionValue(ps) ) return 1;
    }else if( isKw(ps, "DEFAULT") || isKw(ps, "CHARACTER") || isKw(ps, "CHARSET")
           || isKw(ps, "COLLATE") ){
      /* a new default charset for the table: no row changes */
      takeKw(ps, "DEFAULT");
      if( takeKw(ps, "CHARACTER") ){
        if( !takeKw(ps, "SET") ) return notFollowable(ps, "CHARACTER %.*s", TOK(ps));
        if( charsetName(ps, &p->zTableCharset, 0) ) return 1;
      }else if( takeKw(ps, "CHARSET") ){
        if( charsetName(ps, &p->zTableCharset, 0) ) return 1;
      }
      if( takeKw(ps, "COLLATE") && charsetName(ps, &p->zTableCharset, 1) ) return 1;
    }else if( takeKw(ps, "ENABLE") || takeKw(ps, "DISABLE") ){
      if( !takeKw(ps, "KEYS") ) return notFollowable(ps, "ENABLE/DISABLE %.*s", TOK(ps));
    }else{
      return notFollowable(ps, "%.*s", TOK(ps));
    }
    if( ps->notFollowable || ps->oom ) return 1;
    if( isPunct(ps, ',') ){
      next(ps);
      continue;
    }
    if( ps->t.type==TK_END || isPunct(ps, ';') ) continue;
    return notFollowable(ps, "'%.*s'", TOK(ps));
  }
  return 1;
}

int mva_parse(const char *zSql, size_t n, mva_alter *p, char *zWhy,
              size_t nWhy){
  parser ps;
  memset(p, 0, sizeof *p);
  memset(&ps, 0, sizeof ps);
  if( nWhy ) zWhy[0] = 0;
  ps.z = zSql ? zSql : "";
  ps.zEnd = ps.z + (zSql ? n : 0);
  ps.p = p;
  ps.zWhy = zWhy;
  ps.nWhy = nWhy;
  parseStatement(&ps);
  if( ps.oom ) return 2;
  return ps.notFollowable ? 1 : 0;
}

void mva_free(mva_alter *p){
  int i;
  for(i=0; i<p->nOp; i++){
    mva_op *o = &p->aOp[i];
    free(o->zName); free(o->zNew); free(o->zAfter);
    free(o->def.zType); free(o->def.zBase); free(o->def.zCharset);
    free(o->def.zDefault);
  }
  free(p->aOp);
  free(p->zDb); free(p->zTbl); free(p->zTableCharset);
  memset(p, 0, sizeof *p);
}

/* ---- type changes ---- */

typedef struct ctype {
  char zBase[24];    /* "varchar" */
  char zArgs[512];   /* "40", "10,2", "'a','b'"; "" without */
  int hasArgs;
  int isUnsigned, isZerofill, bad;
} ctype;

/* "varchar(40)", "int(10) unsigned zerofill" into its parts. */
static void ctypeParse(const char *z, ctype *c){
  size_t n = 0;
  memset(c, 0, sizeof *c);
  if( z==0 ){ c->bad = 1; return; }
  while( isspace((unsigned char)*z) ) z++;
  while( isalpha((unsigned char)*z) || *z=='_' ){
    if( n+1>=sizeof c->zBase ){ c->bad = 1; return; }
    c->zBase[n++] = (char)tolower((unsigned char)*z++);
  }
  if( n==0 ){ c->bad = 1; return; }
  if( *z=='(' ){
    const char *s = ++z;
    int inStr = 0;
    for(; *z && (inStr || *z!=')'); z++){
      if( *z=='\'' ) inStr = !inStr;
    }
    if( *z!=')' || (size_t)(z - s)>=sizeof c->zArgs ){ c->bad = 1; return; }
    memcpy(c->zArgs, s, (size_t)(z - s));
    c->hasArgs = 1;
    z++;
  }
  for(;;){
    while( isspace((unsigned char)*z) ) z++;
    if( *z==0 ) break;
    if( strncasecmp(z, "unsigned", 8)==0 ){ c->isUnsigned = 1; z += 8; }
    else if( strncasecmp(z, "zerofill", 8)==0 ){ c->isZerofill = 1; z += 8; }
    else if( strncasecmp(z, "signed", 6)==0 ){ z += 6; }
    else{ c->bad = 1; return; }
  }
}

/* The rank of a base in one of the families of growing types (0: none). */
static int rankIn(const char *zBase, const char *const *az){
  int i;
  for(i=0; az[i]; i++) if( strcmp(zBase, az[i])==0 ) return i + 1;
  return 0;
}
static const char *const azInt[] = {"tinyint","smallint","mediumint","int","bigint",0};
static const char *const azText[] = {"tinytext","text","mediumtext","longtext",0};
static const char *const azBlob[] = {"tinyblob","blob","mediumblob","longblob",0};

int mva_type_is_integer(const char *zType){
  ctype c;
  ctypeParse(zType, &c);
  return !c.bad && rankIn(c.zBase, azInt)>0;
}

int mva_type_is_text(const char *zType){
  ctype c;
  ctypeParse(zType, &c);
  return !c.bad && (rankIn(c.zBase, azText)>0 || strcmp(c.zBase, "char")==0
      || strcmp(c.zBase, "varchar")==0 || strcmp(c.zBase, "enum")==0
      || strcmp(c.zBase, "set")==0);
}

/* The numbers of "p" or "p,s" (absent: -1). */
static void twoNumbers(const ctype *c, long *pA, long *pB){
  char *e;
  *pA = *pB = -1;
  if( !c->hasArgs ) return;
  *pA = strtol(c->zArgs, &e, 10);
  if( *e==',' ) *pB = strtol(e + 1, &e, 10);
  if( *e ) *pA = *pB = -2;
}

static void normCharset(const char *z, char *zOut, size_t nOut){
  size_t i;
  if( z==0 ){ zOut[0] = 0; return; }
  for(i=0; z[i] && i+1<nOut; i++) zOut[i] = (char)tolower((unsigned char)z[i]);
  zOut[i] = 0;
  if( strcmp(zOut, "utf8")==0 ) snprintf(zOut, nOut, "utf8mb3");
}

int mva_type_exact(const char *zOld, const char *zOldCs, const char *zNew,
                   const char *zNewCs){
  ctype a, b;
  long pa, sa, pb, sb;
  int ra, rb;
  ctypeParse(zOld, &a);
  ctypeParse(zNew, &b);
  if( a.bad || b.bad || a.isZerofill || b.isZerofill ) return 0;
  if( mva_type_is_text(zOld) || mva_type_is_text(zNew) ){
    char zA[64], zB[64];
    normCharset(zOldCs, zA, sizeof zA);
    normCharset(zNewCs, zB, sizeof zB);
    if( zA[0]==0 || strcmp(zA, zB)!=0 ) return 0;
  }
  /* integers: any display width; wider, or the same signedness */
  ra = rankIn(a.zBase, azInt);
  rb = rankIn(b.zBase, azInt);
  if( ra || rb ){
    if( !ra || !rb ) return 0;
    if( ra==rb ) return a.isUnsigned==b.isUnsigned;
    if( rb<ra ) return 0;
    return !b.isUnsigned || a.isUnsigned;
  }
  if( a.isUnsigned!=b.isUnsigned ) return 0;
  twoNumbers(&a, &pa, &sa);
  twoNumbers(&b, &pb, &sb);
  if( strcmp(a.zBase, b.zBase)==0 ){
    if( strcmp(a.zArgs, b.zArgs)==0 && a.hasArgs==b.hasArgs ) return 1;
    if( strcmp(a.zBase, "varchar")==0 || strcmp(a.zBase, "char")==0
     || strcmp(a.zBase, "varbinary")==0 ){
      /* CHAR(n) without n is CHAR(1) */
      if( !a.hasArgs ) pa = 1, sa = -1;
      return pa>0 && sa==-1 && sb==-1 && pb>=pa;
    }
    if( strcmp(a.zBase, "decimal")==0 ){
      /* DECIMAL = (10,0), DECIMAL(p) = (p,0): the same scale, more digits */
      if( !a.hasArgs ) pa = 10;
      if( !b.hasArgs ) pb = 10;
      if( sa==-1 ) sa = 0;
      if( sb==-1 ) sb = 0;
      return pa>0 && pb>=pa && sa>=0 && sb==sa;
    }
    return 0;
  }
  /* a bigger TEXT or BLOB; a VARCHAR or VARBINARY into a MEDIUM or LONG one */
  ra = rankIn(a.zBase, azText);
  rb = rankIn(b.zBase, azText);
  if( ra && rb ) return rb>=ra;
  if( strcmp(a.zBase, "varchar")==0 && rb>=3 ) return 1;
  ra = rankIn(a.zBase, azBlob);
  rb = rankIn(b.zBase, azBlob);
  if( ra && rb ) return rb>=ra;
  if( strcmp(a.zBase, "varbinary")==0 && rb>=3 ) return 1;
  return 0;
}

void mva_collation_charset(const char *zColl, char *zOut, size_t nOut){
  size_t i;
  if( nOut==0 ) return;
  for(i=0; zColl && zColl[i] && zColl[i]!='_' && i+1<nOut; i++){
    zOut[i] = (char)tolower((unsigned char)zColl[i]);
  }
  zOut[i] = 0;
  if( strcmp(zOut, "utf8")==0 ) snprintf(zOut, nOut, "utf8mb3");
}
