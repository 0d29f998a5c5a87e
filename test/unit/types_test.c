/*
** types_test.c — the type table (vtab/pure/types.c): each family's answer
** from a type code and from information_schema's names, and that the two
** views agree for every DATA_TYPE a server reports.
*/
#include "types.h"
#include "unit.h"

#include <string.h>

static int same(const mv_coltype *a, const mv_coltype *b){
  return a->family==b->family && a->kind==b->kind && a->sq==b->sq
      && a->pd==b->pd;
}

#define CHECK_TYPE(t, fam, k, s, p) do{ \
  CHECK((t).family==(fam)); CHECK((t).kind==(k)); \
  CHECK((t).sq==(s)); CHECK((t).pd==(p)); \
}while(0)

/* From type codes, as the result metadata and the table maps give them. */
static void test_codes(void){
  static const struct {
    int code;
    unsigned mods;
    mv_family family;
    mv_kind kind;
    mv_sqclass sq;
    mv_pdclass pd;
  } a[] = {
    {MVT_LONG, 0, MVF_INTEGER, MV_INT, MV_SQ_INT, MV_PD_INT},
    {MVT_LONG, MV_TM_UNSIGNED, MVF_INTEGER, MV_UINT, MV_SQ_INT, MV_PD_INT},
    /* only BIGINT UNSIGNED reaches past 2^63-1 */
    {MVT_LONGLONG, MV_TM_UNSIGNED, MVF_INTEGER, MV_UINT, MV_SQ_U64, MV_PD_INT_NOOMIT},
    {MVT_LONGLONG, 0, MVF_INTEGER, MV_INT, MV_SQ_INT, MV_PD_INT},
    {MVT_YEAR, 0, MVF_YEAR, MV_INT, MV_SQ_INT, MV_PD_INT_NOOMIT},
    {MVT_BIT, 0, MVF_BIT, MV_UINT, MV_SQ_INT, MV_PD_INT_NOOMIT},
    {MVT_BIT, MV_TM_BIT64, MVF_BIT, MV_UINT, MV_SQ_U64, MV_PD_INT_NOOMIT},
    {MVT_FLOAT, 0, MVF_FLOAT, MV_FLOAT, MV_SQ_REAL, MV_PD_NONE},
    {MVT_DOUBLE, MV_TM_UNSIGNED, MVF_DOUBLE, MV_DOUBLE, MV_SQ_REAL, MV_PD_NONE},
    {MVT_NEWDECIMAL, 0, MVF_DECIMAL, MV_DECIMAL, MV_SQ_TEXT, MV_PD_EQ},
    {MVT_DECIMAL, 0, MVF_DECIMAL, MV_DECIMAL, MV_SQ_TEXT, MV_PD_EQ},
    {MVT_NEWDATE, 0, MVF_DATE, MV_DATE, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
    {MVT_TIMESTAMP2, 0, MVF_TIMESTAMP, MV_DATETIME, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
    {MVT_DATETIME, 0, MVF_DATETIME, MV_DATETIME, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
    {MVT_TIME2, 0, MVF_TIME, MV_TIME, MV_SQ_TEXT, MV_PD_EQ_TEMPORAL},
    /* strings: text, or bytes in the binary charset */
    {MVT_VAR_STRING, 0, MVF_STRING, MV_TEXT, MV_SQ_TEXT, MV_PD_EQ},
    {MVT_BLOB, MV_TM_BINARY, MVF_STRING, MV_BYTES, MV_SQ_BLOB, MV_PD_EQ},
    /* ENUM and SET arrive as STRING codes; their labels are text even when
    ** the flags also say binary */
    {MVT_STRING, MV_TM_ENUM|MV_TM_BINARY, MVF_ENUM, MV_TEXT, MV_SQ_TEXT, MV_PD_EQ},
    {MVT_STRING, MV_TM_SET, MVF_SET, MV_TEXT, MV_SQ_TEXT, MV_PD_EQ},
    /* MariaDB's JSON: a LONGTEXT with a check */
    {MVT_BLOB, MV_TM_JSON, MVF_JSON, MV_JSON, MV_SQ_JSON, MV_PD_NONE},
    {MVT_JSON, 0, MVF_JSON, MV_JSON, MV_SQ_JSON, MV_PD_NONE},
    {MVT_GEOMETRY, 0, MVF_GEOMETRY, MV_BYTES, MV_SQ_BLOB, MV_PD_NONE},
    {MVT_VECTOR, 0, MVF_VECTOR, MV_BYTES, MV_SQ_BLOB, MV_PD_EQ},
  };
  size_t i;
  mv_coltype t;
  for(i=0; i<sizeof a/sizeof a[0]; i++){
    CHECK(mv_type_from_code(a[i].code, a[i].mods, &t)==0);
    CHECK_TYPE(t, a[i].family, a[i].kind, a[i].sq, a[i].pd);
  }
  /* a code nobody knows is text, or bytes, and says so */
  CHECK(mv_type_from_code(MVT_TYPED_ARRAY, 0, &t)!=0);
  CHECK_TYPE(t, MVF_UNKNOWN, MV_TEXT, MV_SQ_TEXT, MV_PD_EQ);
  CHECK(mv_type_from_code(200, MV_TM_BINARY, &t)!=0);
  CHECK_TYPE(t, MVF_UNKNOWN, MV_BYTES, MV_SQ_BLOB, MV_PD_EQ);
}

/* The binlog's names and table-map metadata sizes (MySQL's
** log_event.cc / rpl_utility.cc). */
static void test_binlog_codes(void){
  static const struct { int code; const char *zName; int meta; } a[] = {
    {MVT_DECIMAL, "DECIMAL", 0}, {MVT_TINY, "TINY", 0},
    {MVT_SHORT, "SHORT", 0}, {MVT_LONG, "LONG", 0},
    {MVT_FLOAT, "FLOAT", 1}, {MVT_DOUBLE, "DOUBLE", 1},
    {MVT_NULL, "NULL", 0}, {MVT_TIMESTAMP, "TIMESTAMP", 0},
    {MVT_LONGLONG, "LONGLONG", 0}, {MVT_INT24, "INT24", 0},
    {MVT_DATE, "DATE", 0}, {MVT_TIME, "TIME", 0},
    {MVT_DATETIME, "DATETIME", 0}, {MVT_YEAR, "YEAR", 0},
    {MVT_NEWDATE, "NEWDATE", 0}, {MVT_VARCHAR, "VARCHAR", 2},
    {MVT_BIT, "BIT", 2}, {MVT_TIMESTAMP2, "TIMESTAMP2", 1},
    {MVT_DATETIME2, "DATETIME2", 1}, {MVT_TIME2, "TIME2", 1},
    {MVT_VECTOR, "VECTOR", 1}, {MVT_JSON, "JSON", 1},
    {MVT_NEWDECIMAL, "NEWDECIMAL", 2}, {MVT_ENUM, "ENUM", 2},
    {MVT_SET, "SET", 2}, {MVT_TINY_BLOB, "BLOB", 1},
    {MVT_MEDIUM_BLOB, "BLOB", 1}, {MVT_LONG_BLOB, "BLOB", 1},
    {MVT_BLOB, "BLOB", 1}, {MVT_VAR_STRING, "VAR_STRING", 2},
    {MVT_STRING, "STRING", 2}, {MVT_GEOMETRY, "GEOMETRY", 1},
  };
  size_t i;
  int code, nKnown = 0;
  for(i=0; i<sizeof a/sizeof a[0]; i++){
    CHECK_STR(mv_type_code_name(a[i].code), a[i].zName);
    CHECK(mv_type_meta_size(a[i].code)==a[i].meta);
  }
  /* nothing else is known: codes 21..241 and the typed array */
  for(code=-1; code<=256; code++){
    if( mv_type_meta_size(code)>=0 ) nKnown++;
  }
  CHECK(nKnown==(int)(sizeof a/sizeof a[0]));
  CHECK(mv_type_meta_size(MVT_TYPED_ARRAY)==-1);
  CHECK_STR(mv_type_code_name(MVT_TYPED_ARRAY), "UNKNOWN");
  CHECK_STR(mv_type_code_name(-1), "UNKNOWN");
}

/* Every DATA_TYPE a server reports, with a COLUMN_TYPE, the table-map
** code and modifiers that a column of it has: the name view and the code
** view must agree, and the name must fit the code. */
static void test_names_agree(void){
  static const struct {
    const char *zData, *zColType;
    int code, real;
    unsigned mods;
  } a[] = {
    {"tinyint", "tinyint(4)", MVT_TINY, MVT_TINY, 0},
    {"tinyint", "tinyint(3) unsigned", MVT_TINY, MVT_TINY, MV_TM_UNSIGNED},
    {"smallint", "smallint(6)", MVT_SHORT, MVT_SHORT, 0},
    {"mediumint", "mediumint(9)", MVT_INT24, MVT_INT24, 0},
    {"int", "int(11)", MVT_LONG, MVT_LONG, 0},
    {"int", "int(10) unsigned", MVT_LONG, MVT_LONG, MV_TM_UNSIGNED},
    {"bigint", "bigint(20)", MVT_LONGLONG, MVT_LONGLONG, 0},
    {"bigint", "bigint(20) UNSIGNED", MVT_LONGLONG, MVT_LONGLONG, MV_TM_UNSIGNED},
    {"year", "year(4)", MVT_YEAR, MVT_YEAR, 0},
    {"bit", "bit(1)", MVT_BIT, MVT_BIT, 0},
    {"bit", "bit(64)", MVT_BIT, MVT_BIT, MV_TM_BIT64},
    {"float", "float", MVT_FLOAT, MVT_FLOAT, 0},
    {"double", "double", MVT_DOUBLE, MVT_DOUBLE, 0},
    {"decimal", "decimal(10,2)", MVT_NEWDECIMAL, MVT_NEWDECIMAL, 0},
    {"date", "date", MVT_DATE, MVT_DATE, 0},
    {"datetime", "datetime(6)", MVT_DATETIME2, MVT_DATETIME2, 0},
    {"datetime", "datetime", MVT_DATETIME, MVT_DATETIME, 0},
    {"timestamp", "timestamp(3)", MVT_TIMESTAMP2, MVT_TIMESTAMP2, 0},
    {"time", "time", MVT_TIME2, MVT_TIME2, 0},
    {"char", "char(3)", MVT_STRING, MVT_STRING, 0},
    {"binary", "binary(16)", MVT_STRING, MVT_STRING, MV_TM_BINARY},
    {"uuid", "uuid", MVT_STRING, MVT_STRING, 0},
    {"inet6", "inet6", MVT_STRING, MVT_STRING, 0},
    {"varchar", "varchar(20)", MVT_VARCHAR, MVT_VARCHAR, 0},
    {"varbinary", "varbinary(20)", MVT_VARCHAR, MVT_VARCHAR, MV_TM_BINARY},
    {"text", "text", MVT_BLOB, MVT_BLOB, 0},
    {"longtext", "longtext", MVT_BLOB, MVT_BLOB, 0},
    {"blob", "blob", MVT_BLOB, MVT_BLOB, MV_TM_BINARY},
    {"mediumblob", "mediumblob", MVT_MEDIUM_BLOB, MVT_MEDIUM_BLOB, MV_TM_BINARY},
    {"enum", "enum('a','b')", MVT_STRING, MVT_ENUM, MV_TM_ENUM},
    {"set", "set('x','y')", MVT_STRING, MVT_SET, MV_TM_SET},
    {"json", "json", MVT_JSON, MVT_JSON, 0},
    {"geometry", "geometry", MVT_GEOMETRY, MVT_GEOMETRY, 0},
    {"point", "point", MVT_GEOMETRY, MVT_GEOMETRY, 0},
    {"vector", "vector(3)", MVT_VECTOR, MVT_VECTOR, 0},
  };
  size_t i;
  for(i=0; i<sizeof a/sizeof a[0]; i++){
    mv_coltype byName, byCode;
    int ok;
    CHECK(mv_type_from_name(a[i].zData, a[i].zColType, 0, &byName)==0);
    mv_type_from_code(a[i].code, a[i].mods, &byCode);
    ok = same(&byName, &byCode);
    if( !ok ) printf("! %s (%s): the name and code views differ\n",
                     a[i].zData, a[i].zColType);
    CHECK(ok);
    ok = mv_type_name_fits(a[i].zData, a[i].code, a[i].real);
    if( !ok ) printf("! %s does not fit code %d\n", a[i].zData, a[i].code);
    CHECK(ok);
  }
}

static void test_names(void){
  mv_coltype t;
  /* MariaDB's JSON column: longtext with the check */
  mv_type_from_name("longtext", "longtext", 1, &t);
  CHECK_TYPE(t, MVF_JSON, MV_JSON, MV_SQ_JSON, MV_PD_NONE);
  /* the check does not make a number JSON */
  mv_type_from_name("int", "int(11)", 1, &t);
  CHECK(t.family==MVF_INTEGER);
  /* names in any case; BOOL is a TINYINT */
  mv_type_from_name("BIGINT", "BIGINT UNSIGNED", 0, &t);
  CHECK(t.sq==MV_SQ_U64);
  mv_type_from_name("boolean", 0, 0, &t);
  CHECK(t.sq==MV_SQ_INT);
  mv_type_from_name("double precision", 0, 0, &t);
  CHECK(t.sq==MV_SQ_REAL);
  /* unknown names (and none) are text, and say so */
  CHECK(mv_type_from_name("hyperloglog", "hyperloglog", 0, &t)!=0);
  CHECK_TYPE(t, MVF_UNKNOWN, MV_TEXT, MV_SQ_TEXT, MV_PD_EQ);
  CHECK(mv_type_from_name(0, 0, 1, &t)!=0);
  CHECK(t.sq==MV_SQ_JSON);
  CHECK(mv_type_is_unsigned("int(10) unsigned zerofill"));
  CHECK(!mv_type_is_unsigned("int(10)"));
  CHECK(!mv_type_is_unsigned(0));
}

/* Names that must not fit: an altered table keeps its @N names. */
static void test_fits(void){
  CHECK(!mv_type_name_fits("int", MVT_LONGLONG, MVT_LONGLONG));
  CHECK(!mv_type_name_fits("bigint", MVT_LONG, MVT_LONG));
  CHECK(mv_type_name_fits("tinyblob", MVT_TINY_BLOB, MVT_TINY_BLOB));
  CHECK(mv_type_name_fits("json", MVT_BLOB, MVT_BLOB));  /* MariaDB */
  CHECK(mv_type_name_fits("decimal", MVT_DECIMAL, MVT_DECIMAL));
  CHECK(mv_type_name_fits("date", MVT_NEWDATE, MVT_NEWDATE));
  CHECK(mv_type_name_fits("varchar", MVT_VAR_STRING, MVT_VAR_STRING));
  CHECK(!mv_type_name_fits("char", MVT_STRING, MVT_ENUM));
  CHECK(!mv_type_name_fits("enum", MVT_STRING, MVT_STRING));
  CHECK(!mv_type_name_fits("enum", MVT_STRING, MVT_SET));
  CHECK(!mv_type_name_fits("char", MVT_VARCHAR, MVT_VARCHAR));
  CHECK(!mv_type_name_fits("text", MVT_VARCHAR, MVT_VARCHAR));
  CHECK(!mv_type_name_fits("datetime", MVT_TIMESTAMP2, MVT_TIMESTAMP2));
  CHECK(!mv_type_name_fits("nosuchtype", MVT_LONG, MVT_LONG));
  CHECK(!mv_type_name_fits(0, MVT_LONG, MVT_LONG));
}

/* The SQLite classes: declared types, and the names mysql_mirror keeps in
** its state (they must not change). */
static void test_sq(void){
  static const char *azName[] = { "int", "u64", "real", "text", "blob", "json" };
  static const char *azDecl[] = { "INTEGER", "", "REAL", "TEXT", "BLOB", "TEXT" };
  int i;
  for(i=0; i<6; i++){
    CHECK_STR(mv_sq_name(i), azName[i]);
    CHECK_STR(mv_sq_decltype(i), azDecl[i]);
    CHECK(mv_sq_from_name(azName[i])==i);
  }
  CHECK(mv_sq_name(6)==0 && mv_sq_decltype(-1)==0);
  CHECK(mv_sq_from_name("INT")==-1 && mv_sq_from_name(0)==-1);
  CHECK_STR(mv_family_name(MVF_TIMESTAMP), "timestamp");
  CHECK_STR(mv_family_name((mv_family)99), "unknown");
}

int main(void){
  test_codes();
  test_binlog_codes();
  test_names_agree();
  test_names();
  test_fits();
  test_sq();
  UNIT_DONE();
}
