/*
** binlog_tablemap.c — TABLE_MAP events: the column types and metadata,
** the optional metadata (names, signedness, charsets, ENUM/SET labels,
** primary key), the store of remembered tables (one small arena each,
** hashed by table id, the oldest evicted past MVB_MAX_TABLES), and the
** live column information mvb_table_apply adds when the map has no names.
*/
#include "binlog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLUMNS     4096          /* MySQL's and MariaDB's own limit */

/* Optional metadata field types of a TABLE_MAP (MySQL 8.0.1+, MariaDB 10.5+). */
enum {
  OM_SIGNEDNESS = 1, OM_DEFAULT_CHARSET, OM_COLUMN_CHARSET, OM_COLUMN_NAME,
  OM_SET_STR_VALUE, OM_ENUM_STR_VALUE, OM_GEOMETRY_TYPE,
  OM_SIMPLE_PRIMARY_KEY, OM_PRIMARY_KEY_WITH_PREFIX,
  OM_ENUM_AND_SET_DEFAULT_CHARSET, OM_ENUM_AND_SET_COLUMN_CHARSET,
  OM_COLUMN_VISIBILITY, OM_VECTOR_DIMENSIONALITY
};

/* ---- small arena: one per table map ---- */

typedef struct arena_blk {
  struct arena_blk *next;
  size_t used, cap;
  /* data follows, 16-byte aligned */
} arena_blk;

static void *arena_alloc(arena_blk **pa, size_t n){
  arena_blk *a = *pa;
  n = (n + 15) & ~(size_t)15;
  if( a==0 || n > a->cap - a->used ){
    size_t cap = n > 4000 ? n : 4000;
    arena_blk *b = malloc(sizeof(arena_blk) + 16 + cap);
    if( b==0 ) return 0;
    b->next = a;
    b->used = 0;
    b->cap = cap;
    *pa = a = b;
  }
  {
    char *base = (char*)a + ((sizeof(arena_blk) + 15) & ~(size_t)15);
    void *p = base + a->used;
    a->used += n;
    return p;
  }
}

static void arena_free(arena_blk *a){
  while( a ){
    arena_blk *n = a->next;
    free(a);
    a = n;
  }
}

static char *arena_strndup(arena_blk **pa, const void *z, size_t n){
  char *s = arena_alloc(pa, n + 1);
  if( s ){
    memcpy(s, z, n);
    s[n] = 0;
  }
  return s;
}

static void free_entry(tbl_entry *e){
  arena_blk *a = e->arena;
  free(e);
  arena_free(a);
}

void mvb_forget_tables(mvb_decoder *d){
  int i;
  if( d==0 ) return;
  for(i=0; i<TABLE_BUCKETS; i++){
    tbl_entry *e = d->buckets[i];
    while( e ){
      tbl_entry *n = e->next;
      free_entry(e);
      e = n;
    }
    d->buckets[i] = 0;
  }
  d->ntables = 0;
}

tbl_entry *mvb_find_table(mvb_decoder *d, uint64_t id){
  tbl_entry *e = d->buckets[id % TABLE_BUCKETS];
  while( e && e->t.id!=id ) e = e->next;
  return e;
}

static void unlink_table(mvb_decoder *d, tbl_entry *x){
  tbl_entry **pp = &d->buckets[x->t.id % TABLE_BUCKETS];
  while( *pp && *pp!=x ) pp = &(*pp)->next;
  if( *pp ){
    *pp = x->next;
    d->ntables--;
  }
}

/* Drop the oldest mapping (the cap is reached). */
static void evict_oldest(mvb_decoder *d){
  tbl_entry *old = 0;
  int i;
  for(i=0; i<TABLE_BUCKETS; i++){
    tbl_entry *e;
    for(e=d->buckets[i]; e; e=e->next){
      if( old==0 || e->tick < old->tick ) old = e;
    }
  }
  if( old ){
    unlink_table(d, old);
    free_entry(old);
  }
}

/* ---- column type classes ---- */

/* Real type and maximum byte length of a STRING column from its table-map
** metadata: byte 0 is the real type, byte 1 the length, and for CHAR
** columns longer than 255 bytes two high length bits are folded
** (inverted) into bits 4-5 of the real-type byte. */
void mvb_string_meta(uint16_t meta, uint8_t *pReal, unsigned *pMax){
  if( meta>=256 ){
    unsigned b0 = meta>>8, b1 = meta & 0xff;
    if( (b0 & 0x30)!=0x30 ){
      *pMax = b1 | (((b0 & 0x30) ^ 0x30) << 4);
      *pReal = (uint8_t)(b0 | 0x30);
    }else{
      *pReal = (uint8_t)b0;
      *pMax = b1;
    }
  }else{
    *pReal = MVT_STRING;
    *pMax = meta;
  }
}

static int is_numeric(const mvb_column *c){
  switch( c->type ){
    case MVT_TINY: case MVT_SHORT: case MVT_INT24: case MVT_LONG:
    case MVT_LONGLONG: case MVT_NEWDECIMAL: case MVT_FLOAT: case MVT_DOUBLE:
      return 1;
  }
  return 0;
}

/* Columns that the (DEFAULT_|COLUMN_)CHARSET fields describe. */
static int is_character(const mvb_column *c){
  switch( c->type ){
    case MVT_STRING: return c->real_type==MVT_STRING;
    case MVT_VAR_STRING: case MVT_VARCHAR: case MVT_BLOB:
    case MVT_TINY_BLOB: case MVT_MEDIUM_BLOB: case MVT_LONG_BLOB:
      return 1;
  }
  return 0;
}

/* MariaDB's charset fields count GEOMETRY columns too (a BLOB underneath,
** with the binary charset); MySQL's do not. */
static int is_character_maria(const mvb_column *c){
  return is_character(c) || c->type==MVT_GEOMETRY;
}

/* ---- table map ---- */

/* Set the charsets of the columns picked by pick(): "default" form is a
** default collation then (index, collation) pairs over the picked columns;
** the per-column form is one collation per picked column. */
static int apply_charsets(mvb_table *t, const uint8_t *p, size_t n,
                          int (*pick)(const mvb_column*), int isDefault){
  mv_reader r;
  int i, k;
  mvr_init(&r, p, n);
  if( isDefault ){
    int def = (int)mvr_lenenc(&r);
    if( !mvr_ok(&r) ) return 1;
    for(i=0; i<t->ncol; i++){
      if( pick(&t->cols[i]) ) t->cols[i].charset = def;
    }
    while( mvr_left(&r) ){
      uint64_t idx = mvr_lenenc(&r);
      int cs = (int)mvr_lenenc(&r);
      if( !mvr_ok(&r) ) return 1;
      for(i=0, k=0; i<t->ncol; i++){
        if( !pick(&t->cols[i]) ) continue;
        if( (uint64_t)k==idx ){ t->cols[i].charset = cs; break; }
        k++;
      }
    }
  }else{
    for(i=0; i<t->ncol; i++){
      if( !pick(&t->cols[i]) ) continue;
      t->cols[i].charset = (int)mvr_lenenc(&r);
    }
  }
  return !mvr_ok(&r);
}

/* ENUM_STR_VALUE / SET_STR_VALUE: for each such column, a count and the
** labels as length-prefixed strings. */
static int apply_labels(tbl_entry *e, const uint8_t *p, size_t n, int real){
  mvb_table *t = &e->t;
  mv_reader r;
  int i;
  mvr_init(&r, p, n);
  for(i=0; i<t->ncol; i++){
    mvb_column *c = &t->cols[i];
    uint64_t cnt, j;
    if( c->real_type!=real ) continue;
    cnt = mvr_lenenc(&r);
    if( !mvr_ok(&r) || cnt>65535 || cnt>mvr_left(&r) ) return 1;
    c->labels = arena_alloc(&e->arena, (size_t)(cnt ? cnt : 1)*sizeof(char*));
    if( c->labels==0 ) return 1;
    for(j=0; j<cnt; j++){
      uint64_t len = mvr_lenenc(&r);
      const uint8_t *z = mvr_take(&r, (size_t)len);
      if( z==0 ) return 1;
      c->labels[j] = arena_strndup(&e->arena, z, (size_t)len);
      if( c->labels[j]==0 ) return 1;
    }
    c->n_labels = (int)cnt;
  }
  return !mvr_ok(&r);
}

/* isMaria: MariaDB's SIGNEDNESS has a bit for YEAR too (its YEAR is an
** UNSIGNED TINYINT underneath), MySQL's only for the numeric types; and
** MariaDB's charset fields count GEOMETRY columns (checked against a 10.11
** server). */
static int parse_optional_metadata(tbl_entry *e, mv_reader *r, int isMaria,
                                   int *pField){
  mvb_table *t = &e->t;
  while( mvr_left(r) ){
    uint8_t f = mvr_u8(r);
    uint64_t len = mvr_lenenc(r);
    const uint8_t *p;
    int i, k, bad = 0;
    mv_reader s;
    *pField = f;
    if( !mvr_ok(r) || len>mvr_left(r) ) return 1;
    p = mvr_take(r, (size_t)len);
    mvr_init(&s, p, (size_t)len);
    switch( f ){
      case OM_SIGNEDNESS:
        for(i=0, k=0; i<t->ncol; i++){
          if( !is_numeric(&t->cols[i])
           && !(isMaria && t->cols[i].type==MVT_YEAR) ) continue;
          if( (size_t)(k/8) >= len ){ bad = 1; break; }
          t->cols[i].is_unsigned = (p[k/8] & (0x80>>(k%8)))!=0;
          k++;
        }
        e->has_signedness = 1;
        break;
      case OM_DEFAULT_CHARSET:
        bad = apply_charsets(t, p, (size_t)len,
                             isMaria ? is_character_maria : is_character, 1);
        break;
      case OM_COLUMN_CHARSET:
        bad = apply_charsets(t, p, (size_t)len,
                             isMaria ? is_character_maria : is_character, 0);
        break;
      case OM_ENUM_AND_SET_DEFAULT_CHARSET:
        bad = apply_charsets(t, p, (size_t)len, is_enum_or_set, 1);
        break;
      case OM_ENUM_AND_SET_COLUMN_CHARSET:
        bad = apply_charsets(t, p, (size_t)len, is_enum_or_set, 0);
        break;
      case OM_COLUMN_NAME:
        for(i=0; i<t->ncol && !bad; i++){
          uint64_t n = mvr_lenenc(&s);
          const uint8_t *z = mvr_take(&s, (size_t)n);
          if( z==0 ){ bad = 1; break; }
          t->names[i] = arena_strndup(&e->arena, z, (size_t)n);
          if( t->names[i]==0 ) bad = 1;
        }
        if( !bad ) t->has_names = 1;
        break;
      case OM_SET_STR_VALUE:
        bad = apply_labels(e, p, (size_t)len, MVT_SET);
        break;
      case OM_ENUM_STR_VALUE:
        bad = apply_labels(e, p, (size_t)len, MVT_ENUM);
        break;
      case OM_SIMPLE_PRIMARY_KEY:
        while( mvr_left(&s) ){
          uint64_t idx = mvr_lenenc(&s);
          if( mvr_ok(&s) && idx<(uint64_t)t->ncol ) t->cols[idx].is_pk = 1;
        }
        bad = !mvr_ok(&s);
        break;
      case OM_PRIMARY_KEY_WITH_PREFIX:
        while( mvr_left(&s) ){
          uint64_t idx = mvr_lenenc(&s);
          (void)mvr_lenenc(&s);
          if( mvr_ok(&s) && idx<(uint64_t)t->ncol ) t->cols[idx].is_pk = 1;
        }
        bad = !mvr_ok(&s);
        break;
      default:
        /* GEOMETRY_TYPE, COLUMN_VISIBILITY, VECTOR_DIMENSIONALITY and
        ** fields of later servers: nothing the values need. */
        break;
    }
    if( bad ) return 1;
  }
  return 0;
}

int mvb_parse_table_map(mvb_decoder *d, mvb_event *ev){
  mv_reader r;
  uint64_t id, ncol, nmeta;
  const uint8_t *zDb, *zTbl, *types, *meta, *nulls;
  uint8_t nDb, nTbl;
  int post = d->post_len[MVB_TABLE_MAP];
  tbl_entry *e, *old;
  mvb_table *t;
  int i, field = 0;

  mvr_init(&r, ev->body, ev->body_len);
  if( post==6 ){
    id = mvr_u32(&r);
  }else{
    id = mvr_u48(&r);
  }
  mvr_skip(&r, 2);                                   /* flags */
  if( post>8 ) mvr_skip(&r, (size_t)(post - 8));
  nDb = mvr_u8(&r);
  zDb = mvr_take(&r, (size_t)nDb + 1);
  nTbl = mvr_u8(&r);
  zTbl = mvr_take(&r, (size_t)nTbl + 1);
  ncol = mvr_lenenc(&r);
  if( !mvr_ok(&r) ) return mvb_fail(d, MVB_TABLE_MAP, "event truncated");
  if( ncol==0 || ncol>MAX_COLUMNS ){
    return mvb_fail(d, MVB_TABLE_MAP, "table id %llu: absurd column count %llu",
                (unsigned long long)id, (unsigned long long)ncol);
  }
  types = mvr_take(&r, (size_t)ncol);
  nmeta = mvr_lenenc(&r);
  meta = mvr_take(&r, (size_t)nmeta);
  nulls = mvr_take(&r, (size_t)(ncol+7)/8);
  if( !mvr_ok(&r) ){
    return mvb_fail(d, MVB_TABLE_MAP, "table id %llu: event truncated",
                (unsigned long long)id);
  }

  /* The same table mapped again, byte for byte: keep what we have (and
  ** what mvb_table_apply added to it). */
  old = mvb_find_table(d, id);
  if( old && old->nraw==ev->body_len
   && memcmp(old->raw, ev->body, ev->body_len)==0 ){
    old->tick = ++d->tick;
    ev->u.table_map.table = &old->t;
    return MVB_OK;
  }

  e = calloc(1, sizeof *e);
  if( e==0 ) return mvb_fail(d, MVB_TABLE_MAP, "out of memory");
  t = &e->t;
  t->id = id;
  t->ncol = (int)ncol;
  t->db = arena_strndup(&e->arena, zDb, nDb);
  t->name = arena_strndup(&e->arena, zTbl, nTbl);
  t->cols = arena_alloc(&e->arena, sizeof(mvb_column)*(size_t)ncol);
  t->names = arena_alloc(&e->arena, sizeof(char*)*(size_t)ncol);
  e->raw = (const uint8_t*)arena_strndup(&e->arena, ev->body, ev->body_len);
  e->nraw = ev->body_len;
  if( !t->db || !t->name || !t->cols || !t->names || !e->raw ){
    free_entry(e);
    return mvb_fail(d, MVB_TABLE_MAP, "out of memory");
  }
  memset(t->cols, 0, sizeof(mvb_column)*(size_t)ncol);
  memset(t->names, 0, sizeof(char*)*(size_t)ncol);
  {
    mv_reader m;
    mvr_init(&m, meta, (size_t)nmeta);
    for(i=0; i<t->ncol; i++){
      mvb_column *c = &t->cols[i];
      int sz = mv_type_meta_size(types[i]);
      c->type = types[i];
      c->real_type = types[i];
      c->charset = MV_CS_UNKNOWN;
      c->nullable = (nulls[i/8]>>(i%8)) & 1;
      if( sz<0 ){
        int rc_ = mvb_fail(d, MVB_TABLE_MAP, "%s.%s: column %d: unknown type %u",
                    t->db, t->name, i+1, types[i]);
        free_entry(e);
        return rc_;
      }
      switch( c->type ){
        case MVT_VARCHAR: case MVT_VAR_STRING:
          c->meta = mvr_u16(&m);                     /* little-endian */
          break;
        case MVT_BIT:
          c->meta = mvr_u16(&m);          /* bits%8 | bytes<<8 */
          break;
        case MVT_NEWDECIMAL: case MVT_STRING: case MVT_ENUM: case MVT_SET:
          c->meta = (uint16_t)mvr_be(&m, 2);
          break;
        default:
          if( sz==1 ) c->meta = mvr_u8(&m);
          break;
      }
      if( d->is_maria && e->ambiguous==0 && (c->type==MVT_TIMESTAMP
          || c->type==MVT_TIME || c->type==MVT_DATETIME) ){
        e->ambiguous = i + 1;
      }
      if( c->type==MVT_STRING || c->type==MVT_ENUM || c->type==MVT_SET ){
        unsigned maxlen;
        mvb_string_meta(c->meta, &c->real_type, &maxlen);
        if( c->type!=MVT_STRING ) c->real_type = c->type;
      }
    }
    if( !mvr_ok(&m) ){
      int rc_ = mvb_fail(d, MVB_TABLE_MAP, "%s.%s: column metadata truncated "
                  "(%llu bytes for %d columns)", t->db, t->name,
                  (unsigned long long)nmeta, t->ncol);
      free_entry(e);
      return rc_;
    }
  }
  if( parse_optional_metadata(e, &r, d->is_maria, &field) ){
    int rc_ = mvb_fail(d, MVB_TABLE_MAP, "%s.%s: optional metadata field %d is "
                "malformed", t->db, t->name, field);
    free_entry(e);
    return rc_;
  }
  for(i=0; i<t->ncol; i++){
    mvb_column *c = &t->cols[i];
    if( c->type==MVT_STRING && c->real_type==MVT_STRING
     && c->charset==MV_CS_BINARY ){
      unsigned maxlen;
      uint8_t real;
      mvb_string_meta(c->meta, &real, &maxlen);
      c->binary_len = maxlen;
    }
  }
  if( !t->has_names ){
    /* "@1", "@2", ... as the names (what mysqlbinlog prints): the encoder
    ** then writes every key the same way, without formatting numbers */
    char *buf = arena_alloc(&e->arena, 12*(size_t)ncol);
    e->unnamed = arena_alloc(&e->arena, (size_t)ncol);
    if( buf==0 || e->unnamed==0 ){
      free_entry(e);
      return mvb_fail(d, MVB_TABLE_MAP, "out of memory");
    }
    for(i=0; i<t->ncol; i++){
      snprintf(buf + 12*i, 12, "@%d", i+1);
      t->names[i] = buf + 12*i;
      e->unnamed[i] = 1;
    }
  }
  t->names_gen = ++d->names_gen;

  if( old ){
    unlink_table(d, old);
    free_entry(old);
  }
  if( d->ntables>=MVB_MAX_TABLES ) evict_oldest(d);
  e->tick = ++d->tick;
  e->next = d->buckets[id % TABLE_BUCKETS];
  d->buckets[id % TABLE_BUCKETS] = e;
  d->ntables++;
  ev->u.table_map.table = t;
  return MVB_OK;
}

/* ---- live column information ---- */

/* Labels of "enum('a','b''c')" / "set(...)" into the table's arena; the
** quote is doubled inside a label. Returns the count, -1 on error. */
static int parse_labels(arena_blk **pa, const char *z, char ***paz){
  const char *s = strchr(z, '(');
  int n = 0, cap = 0, k;
  char **az = 0;
  char *buf;
  if( s==0 ) return -1;
  s++;
  /* first pass: count labels */
  {
    const char *q = s;
    while( *q=='\'' ){
      q++;
      while( *q ){
        if( q[0]=='\'' && q[1]=='\'' ){ q += 2; continue; }
        if( q[0]=='\'' ) break;
        q++;
      }
      if( *q!='\'' ) return -1;
      q++;
      cap++;
      if( *q==',' ) q++;
    }
    if( *q!=')' ) return -1;
  }
  az = arena_alloc(pa, sizeof(char*)*(size_t)(cap ? cap : 1));
  buf = arena_alloc(pa, strlen(s) + 1);
  if( az==0 || buf==0 ) return -1;
  while( *s=='\'' && n<cap ){
    s++;
    az[n] = buf;
    k = 0;
    while( *s ){
      if( s[0]=='\'' && s[1]=='\'' ){ buf[k++] = '\''; s += 2; continue; }
      if( s[0]=='\'' ) break;
      buf[k++] = *s++;
    }
    buf[k++] = 0;
    buf += k;
    s++;
    n++;
    if( *s==',' ) s++;
  }
  *paz = az;
  return n;
}

int mvb_table_apply(mvb_decoder *d, mvb_table *t, int ncol,
                    const mvb_colinfo *info){
  tbl_entry *e = (tbl_entry*)t;      /* t is the first member */
  int i;
  if( t==0 || info==0 || ncol!=t->ncol ) return 1;
  for(i=0; i<ncol; i++){
    if( !mv_type_name_fits(info[i].data_type, t->cols[i].type,
                           t->cols[i].real_type) ) return 1;
  }
  for(i=0; i<ncol; i++){
    mvb_column *c = &t->cols[i];
    const mvb_colinfo *ci = &info[i];
    if( (t->names[i]==0 || (e->unnamed && e->unnamed[i])) && ci->name ){
      char *z = arena_strndup(&e->arena, ci->name, strlen(ci->name));
      if( z ){
        t->names[i] = z;
        if( e->unnamed ) e->unnamed[i] = 0;
        t->names_gen = d ? ++d->names_gen : 0;
      }
    }
    if( !e->has_signedness && is_numeric(c) ){
      c->is_unsigned = mv_type_is_unsigned(ci->column_type);
    }
    if( c->charset==MV_CS_UNKNOWN && ci->charset!=MV_CS_UNKNOWN
     && (is_character(c) || is_enum_or_set(c)) ){
      c->charset = ci->charset;
    }
    if( c->type==MVT_STRING && c->real_type==MVT_STRING
     && c->charset==MV_CS_BINARY && c->binary_len==0 ){
      unsigned maxlen;
      uint8_t real;
      mvb_string_meta(c->meta, &real, &maxlen);
      c->binary_len = maxlen;
    }
    if( is_enum_or_set(c) && c->n_labels==0 && ci->column_type ){
      char **az = 0;
      int n = parse_labels(&e->arena, ci->column_type, &az);
      if( n>0 ){
        c->labels = az;
        c->n_labels = n;
      }
    }
    if( ci->is_json && c->type!=MVT_JSON ) c->is_json = 1;
    if( d && d->is_maria && ci->column_type && (c->type==MVT_TIMESTAMP
        || c->type==MVT_DATETIME || c->type==MVT_TIME) ){
      /* "timestamp(3)" on an old type code: MariaDB 5.3's hires form */
      const char *z = strchr(ci->column_type, '(');
      if( z && z[1]>='1' && z[1]<='6' && z[2]==')' ){
        c->hires_fsp = (uint8_t)(z[1] - '0');
      }
    }
    if( c->type==MVT_STRING && c->real_type==MVT_STRING && ci->data_type ){
      unsigned maxlen;
      uint8_t real;
      mvb_string_meta(c->meta, &real, &maxlen);
      if( strcasecmp(ci->data_type, "inet4")==0 && maxlen==4 ){
        c->text_form = MVB_TF_INET4;
      }else if( strcasecmp(ci->data_type, "inet6")==0 && maxlen==16 ){
        c->text_form = MVB_TF_INET6;
      }else if( strcasecmp(ci->data_type, "uuid")==0 && maxlen==16 ){
        c->text_form = MVB_TF_UUID;
      }
    }
  }
  t->has_names = 1;
  for(i=0; i<ncol; i++){
    if( t->names[i]==0 || (e->unnamed && e->unnamed[i]) ) t->has_names = 0;
  }
  return 0;
}
