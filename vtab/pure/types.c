/*
** types.c — the one type table (types.h): type codes, information_schema
** names and families, and what each family becomes.
*/
#include "types.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>

/* ---- per family: what a column becomes ---- */

static const struct {
  const char *zName;
  mv_kind kind;          /* plain value kind (modifiers may change it) */
  mv_sqclass sq;
  mv_pdclass pd;
} aFamily[] = {
  /* MVF_UNKNOWN   */ {"unknown",   MV_TEXT,     MV_SQ_TEXT, MV_PD_EQ},
  /* MVF_INTEGER   */ {"integer",   MV_INT,      MV_SQ_INT,  MV_PD_INT},
  /* MVF_YEAR      */ {"year",      MV_INT,      MV_SQ_INT,  MV_PD_INT_NOOMIT},
  /* MVF_BIT       */ {"bit",       MV_UINT,     MV_SQ_INT,  MV_PD_INT_NOOMIT},
  /* MVF_FLOAT     */ {"float",     MV_FLOAT,    MV_SQ_REAL, MV_PD_NONE},
  /* MVF_DOUBLE    */ {"double",    MV_DOUBLE,   MV_SQ_REAL, MV_PD_NONE},
  /* MVF_DECIMAL   */ {"decimal",   MV_DECIMAL,  MV_SQ_TEXT, MV_PD_EQ},
  /* MVF_DATE      */ {"date",      MV_DATE,     MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
  /* MVF_DATETIME  */ {"datetime",  MV_DATETIME, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
  /* MVF_TIMESTAMP */ {"timestamp", MV_DATETIME, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
  /* MVF_TIME      */ {"time",      MV_TIME,     MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
  /* MVF_STRING    */ {"string",    MV_TEXT,     MV_SQ_TEXT, MV_PD_EQ},
  /* MVF_ENUM      */ {"enum",      MV_TEXT,     MV_SQ_TEXT, MV_PD_EQ},
  /* MVF_SET       */ {"set",       MV_TEXT,     MV_SQ_TEXT, MV_PD_EQ},
  /* MVF_JSON      */ {"json",      MV_JSON,     MV_SQ_JSON, MV_PD_NONE},
  /* MVF_GEOMETRY  */ {"geometry",  MV_BYTES,    MV_SQ_BLOB, MV_PD_NONE},
  /* MVF_VECTOR    */ {"vector",    MV_BYTES,    MV_SQ_BLOB, MV_PD_EQ},
  /* MVF_NULL      */ {"null",      MV_NULL,     MV_SQ_TEXT, MV_PD_NONE},
};

/* ---- per type code: family, binlog name, table-map metadata ---- */

typedef struct code_row {
  int code;
  mv_family family;
  const char *zName;     /* as the binlog names it (error messages) */
  int metaBytes;         /* table-map metadata; -1: not in a binlog */
} code_row;

static const code_row aCode[] = {
  {MVT_DECIMAL,     MVF_DECIMAL,   "DECIMAL",    0},
  {MVT_TINY,        MVF_INTEGER,   "TINY",       0},
  {MVT_SHORT,       MVF_INTEGER,   "SHORT",      0},
  {MVT_LONG,        MVF_INTEGER,   "LONG",       0},
  {MVT_FLOAT,       MVF_FLOAT,     "FLOAT",      1},
  {MVT_DOUBLE,      MVF_DOUBLE,    "DOUBLE",     1},
  {MVT_NULL,        MVF_NULL,      "NULL",       0},
  {MVT_TIMESTAMP,   MVF_TIMESTAMP, "TIMESTAMP",  0},
  {MVT_LONGLONG,    MVF_INTEGER,   "LONGLONG",   0},
  {MVT_INT24,       MVF_INTEGER,   "INT24",      0},
  {MVT_DATE,        MVF_DATE,      "DATE",       0},
  {MVT_TIME,        MVF_TIME,      "TIME",       0},
  {MVT_DATETIME,    MVF_DATETIME,  "DATETIME",   0},
  {MVT_YEAR,        MVF_YEAR,      "YEAR",       0},
  {MVT_NEWDATE,     MVF_DATE,      "NEWDATE",    0},
  {MVT_VARCHAR,     MVF_STRING,    "VARCHAR",    2},
  {MVT_BIT,         MVF_BIT,       "BIT",        2},
  {MVT_TIMESTAMP2,  MVF_TIMESTAMP, "TIMESTAMP2", 1},
  {MVT_DATETIME2,   MVF_DATETIME,  "DATETIME2",  1},
  {MVT_TIME2,       MVF_TIME,      "TIME2",      1},
  {MVT_VECTOR,      MVF_VECTOR,    "VECTOR",     1},
  {MVT_JSON,        MVF_JSON,      "JSON",       1},
  {MVT_NEWDECIMAL,  MVF_DECIMAL,   "NEWDECIMAL", 2},
  {MVT_ENUM,        MVF_ENUM,      "ENUM",       2},
  {MVT_SET,         MVF_SET,       "SET",        2},
  {MVT_TINY_BLOB,   MVF_STRING,    "BLOB",       1},
  {MVT_MEDIUM_BLOB, MVF_STRING,    "BLOB",       1},
  {MVT_LONG_BLOB,   MVF_STRING,    "BLOB",       1},
  {MVT_BLOB,        MVF_STRING,    "BLOB",       1},
  {MVT_VAR_STRING,  MVF_STRING,    "VAR_STRING", 2},
  {MVT_STRING,      MVF_STRING,    "STRING",     2},
  {MVT_GEOMETRY,    MVF_GEOMETRY,  "GEOMETRY",   1},
};

static const code_row *codeRow(int code){
  size_t i;
  for(i=0; i<sizeof aCode/sizeof aCode[0]; i++){
    if( aCode[i].code==code ) return &aCode[i];
  }
  return 0;
}

/* ---- per information_schema DATA_TYPE: family and the codes a table map
** may give it (old and new temporal codes, VARCHAR and VAR_STRING, ...) ---- */

#define NO_CODE (-1)
typedef struct name_row {
  const char *zName;
  mv_family family;
  int aFit[2];           /* table-map codes; NO_CODE pads */
  unsigned mods;         /* modifiers the name implies */
} name_row;

static const name_row aName[] = {
  {"tinyint",            MVF_INTEGER,   {MVT_TINY, NO_CODE}, 0},
  {"smallint",           MVF_INTEGER,   {MVT_SHORT, NO_CODE}, 0},
  {"mediumint",          MVF_INTEGER,   {MVT_INT24, NO_CODE}, 0},
  {"int",                MVF_INTEGER,   {MVT_LONG, NO_CODE}, 0},
  {"integer",            MVF_INTEGER,   {MVT_LONG, NO_CODE}, 0},
  {"bigint",             MVF_INTEGER,   {MVT_LONGLONG, NO_CODE}, 0},
  {"bool",               MVF_INTEGER,   {MVT_TINY, NO_CODE}, 0},
  {"boolean",            MVF_INTEGER,   {MVT_TINY, NO_CODE}, 0},
  {"year",               MVF_YEAR,      {MVT_YEAR, NO_CODE}, 0},
  {"bit",                MVF_BIT,       {MVT_BIT, NO_CODE}, 0},
  {"float",              MVF_FLOAT,     {MVT_FLOAT, NO_CODE}, 0},
  {"double",             MVF_DOUBLE,    {MVT_DOUBLE, NO_CODE}, 0},
  {"double precision",   MVF_DOUBLE,    {MVT_DOUBLE, NO_CODE}, 0},
  {"real",               MVF_DOUBLE,    {MVT_DOUBLE, NO_CODE}, 0},
  {"decimal",            MVF_DECIMAL,   {MVT_NEWDECIMAL, MVT_DECIMAL}, 0},
  {"numeric",            MVF_DECIMAL,   {MVT_NEWDECIMAL, MVT_DECIMAL}, 0},
  {"date",               MVF_DATE,      {MVT_DATE, MVT_NEWDATE}, 0},
  {"datetime",           MVF_DATETIME,  {MVT_DATETIME2, MVT_DATETIME}, 0},
  {"timestamp",          MVF_TIMESTAMP, {MVT_TIMESTAMP2, MVT_TIMESTAMP}, 0},
  {"time",               MVF_TIME,      {MVT_TIME2, MVT_TIME}, 0},
  /* fixed-length strings are STRING codes whose real type is STRING */
  {"char",               MVF_STRING,    {MVT_STRING, NO_CODE}, 0},
  {"binary",             MVF_STRING,    {MVT_STRING, NO_CODE}, MV_TM_BINARY},
  {"uuid",               MVF_STRING,    {MVT_STRING, NO_CODE}, 0},
  {"inet4",              MVF_STRING,    {MVT_STRING, NO_CODE}, 0},
  {"inet6",              MVF_STRING,    {MVT_STRING, NO_CODE}, 0},
  {"varchar",            MVF_STRING,    {MVT_VARCHAR, MVT_VAR_STRING}, 0},
  {"varbinary",          MVF_STRING,    {MVT_VARCHAR, MVT_VAR_STRING}, MV_TM_BINARY},
  {"tinytext",           MVF_STRING,    {MVT_BLOB, NO_CODE}, 0},
  {"text",               MVF_STRING,    {MVT_BLOB, NO_CODE}, 0},
  {"mediumtext",         MVF_STRING,    {MVT_BLOB, NO_CODE}, 0},
  {"longtext",           MVF_STRING,    {MVT_BLOB, NO_CODE}, 0},
  {"tinyblob",           MVF_STRING,    {MVT_BLOB, NO_CODE}, MV_TM_BINARY},
  {"blob",               MVF_STRING,    {MVT_BLOB, NO_CODE}, MV_TM_BINARY},
  {"mediumblob",         MVF_STRING,    {MVT_BLOB, NO_CODE}, MV_TM_BINARY},
  {"longblob",           MVF_STRING,    {MVT_BLOB, NO_CODE}, MV_TM_BINARY},
  {"enum",               MVF_ENUM,      {MVT_STRING, NO_CODE}, MV_TM_ENUM},
  {"set",                MVF_SET,       {MVT_STRING, NO_CODE}, MV_TM_SET},
  /* MariaDB's JSON is a LONGTEXT underneath */
  {"json",               MVF_JSON,      {MVT_JSON, MVT_BLOB}, 0},
  {"geometry",           MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"point",              MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"linestring",         MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"polygon",            MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"multipoint",         MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"multilinestring",    MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"multipolygon",       MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"geometrycollection", MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"geomcollection",     MVF_GEOMETRY,  {MVT_GEOMETRY, NO_CODE}, 0},
  {"vector",             MVF_VECTOR,    {MVT_VECTOR, NO_CODE}, 0},
};

static const name_row *nameRow(const char *z){
  size_t i;
  if( z==0 ) return 0;
  for(i=0; i<sizeof aName/sizeof aName[0]; i++){
    if( strcasecmp(z, aName[i].zName)==0 ) return &aName[i];
  }
  return 0;
}

/* ---- resolving ---- */

/* The family's answer, adjusted by the modifiers. */
static void resolve(mv_family f, int code, unsigned mods, mv_coltype *t){
  if( f==MVF_STRING || f==MVF_UNKNOWN ){
    if( mods & MV_TM_ENUM ) f = MVF_ENUM;
    else if( mods & MV_TM_SET ) f = MVF_SET;
  }
  if( (f==MVF_STRING || f==MVF_UNKNOWN) && (mods & MV_TM_JSON) ) f = MVF_JSON;
  t->family = f;
  t->kind = aFamily[f].kind;
  t->sq = aFamily[f].sq;
  t->pd = aFamily[f].pd;
  switch( f ){
    case MVF_INTEGER:
      if( mods & MV_TM_UNSIGNED ){
        t->kind = MV_UINT;
        if( code==MVT_LONGLONG ){      /* above 2^63-1 */
          t->sq = MV_SQ_U64;
          t->pd = MV_PD_INT_NOOMIT;
        }
      }
      break;
    case MVF_BIT:
      if( mods & MV_TM_BIT64 ) t->sq = MV_SQ_U64;
      break;
    case MVF_STRING: case MVF_UNKNOWN:
      if( mods & MV_TM_BINARY ){
        t->kind = MV_BYTES;
        t->sq = MV_SQ_BLOB;
      }
      break;
    default:
      break;
  }
}

int mv_type_from_code(int code, unsigned mods, mv_coltype *t){
  const code_row *r = codeRow(code);
  resolve(r ? r->family : MVF_UNKNOWN, code, mods, t);
  return r==0;
}

int mv_type_is_unsigned(const char *zColumnType){
  const char *z;
  for(z=zColumnType; z && *z; z++){
    if( strncasecmp(z, "unsigned", 8)==0 ) return 1;
  }
  return 0;
}

int mv_type_from_name(const char *zDataType, const char *zColumnType,
                      int isJson, mv_coltype *t){
  const name_row *r = nameRow(zDataType);
  unsigned mods = r ? r->mods : 0;
  int code = r ? r->aFit[0] : NO_CODE;
  if( isJson ) mods |= MV_TM_JSON;
  if( mv_type_is_unsigned(zColumnType) ) mods |= MV_TM_UNSIGNED;
  if( zColumnType && strcasecmp(zColumnType, "bit(64)")==0 ){
    mods |= MV_TM_BIT64;
  }
  resolve(r ? r->family : MVF_UNKNOWN, code, mods, t);
  return r==0;
}

int mv_type_name_fits(const char *zDataType, int code, int realType){
  const name_row *r = nameRow(zDataType);
  if( r==0 ) return 0;
  if( code==MVT_TINY_BLOB || code==MVT_MEDIUM_BLOB || code==MVT_LONG_BLOB ){
    code = MVT_BLOB;
  }
  /* the STRING code carries CHAR, BINARY, ENUM and SET: by real type */
  if( r->family==MVF_ENUM ) return realType==MVT_ENUM;
  if( r->family==MVF_SET ) return realType==MVT_SET;
  if( r->aFit[0]==MVT_STRING ){
    return code==MVT_STRING && realType==MVT_STRING;
  }
  return code==r->aFit[0] || (r->aFit[1]!=NO_CODE && code==r->aFit[1]);
}

const char *mv_type_code_name(int code){
  const code_row *r = codeRow(code);
  return r ? r->zName : "UNKNOWN";
}

int mv_type_meta_size(int code){
  const code_row *r = codeRow(code);
  return r ? r->metaBytes : -1;
}

/* ---- SQLite classes ---- */

static const struct { const char *zName, *zDecl; } aSq[] = {
  /* MV_SQ_INT  */ {"int",  "INTEGER"},
  /* MV_SQ_U64  */ {"u64",  ""},
  /* MV_SQ_REAL */ {"real", "REAL"},
  /* MV_SQ_TEXT */ {"text", "TEXT"},
  /* MV_SQ_BLOB */ {"blob", "BLOB"},
  /* MV_SQ_JSON */ {"json", "TEXT"},
};
#define N_SQ ((int)(sizeof aSq/sizeof aSq[0]))

const char *mv_sq_decltype(int sq){
  return sq>=0 && sq<N_SQ ? aSq[sq].zDecl : 0;
}

const char *mv_sq_name(int sq){
  return sq>=0 && sq<N_SQ ? aSq[sq].zName : 0;
}

int mv_sq_from_name(const char *z){
  int i;
  for(i=0; z && i<N_SQ; i++){
    if( strcmp(z, aSq[i].zName)==0 ) return i;
  }
  return -1;
}

const char *mv_family_name(mv_family f){
  return (unsigned)f < sizeof aFamily/sizeof aFamily[0] ? aFamily[f].zName
                                                         : "unknown";
}

void mv_sq_value(const mv_value *v, mv_buf *b, mv_sqval *out){
  memset(out, 0, sizeof *out);
  switch( v->kind ){
    case MV_ABSENT: case MV_NULL: return;
    case MV_INT: out->type = MV_SQV_INT; out->i = v->v.i; return;
    case MV_UINT:
      if( v->v.u<=(uint64_t)INT64_MAX ){
        out->type = MV_SQV_INT;
        out->i = (int64_t)v->v.u;
        return;
      }
      break;   /* the exact decimal text */
    case MV_FLOAT: {
      char z[40];
      mv_format_float(z, v->v.f);
      out->type = MV_SQV_REAL;
      out->d = strtod(z, 0);
      return;
    }
    case MV_DOUBLE: out->type = MV_SQV_REAL; out->d = v->v.d; return;
    case MV_BYTES:
      out->type = MV_SQV_BLOB;
      out->p = v->v.s.p;
      out->n = v->v.s.n;
      return;
    default: break;
  }
  mv_buf_reset(b);
  mv_encode_text(b, v);
  out->type = MV_SQV_TEXT;
  out->p = b->z;
  out->n = b->n;
}
