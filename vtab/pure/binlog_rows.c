/*
** binlog_rows.c — rows events (v0, v1, v2, partial updates, MariaDB's
** compressed ones): the post-header, the column bitmaps, and each row's
** before and after images; values are decoded by binlog_values.c, partial
** JSON updates applied here (mysqljson.c, jsondiff.h).
*/
#include "binlog_int.h"
#include "decompress.h"
#include "jsondiff.h"
#include "mysqljson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---- */

int mvb_is_rows_event(int type){
  return (type>=MVB_WRITE_ROWS_V0 && type<=MVB_DELETE_ROWS_V1)
      || (type>=MVB_WRITE_ROWS_V2 && type<=MVB_DELETE_ROWS_V2)
      || type==MVB_PARTIAL_UPDATE_ROWS
      || (type>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
          && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

static int rows_has_extra(int type){
  return (type>=MVB_WRITE_ROWS_V2 && type<=MVB_DELETE_ROWS_V2)
      || type==MVB_PARTIAL_UPDATE_ROWS
      || (type>=MVB_MARIA_WRITE_ROWS_COMPRESSED
          && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED);
}

static int rows_op(int type){
  switch( type ){
    case MVB_WRITE_ROWS_V0: case MVB_WRITE_ROWS_V1: case MVB_WRITE_ROWS_V2:
    case MVB_MARIA_WRITE_ROWS_COMPRESSED_V1:
    case MVB_MARIA_WRITE_ROWS_COMPRESSED:
      return MVB_OP_INSERT;
    case MVB_DELETE_ROWS_V0: case MVB_DELETE_ROWS_V1: case MVB_DELETE_ROWS_V2:
    case MVB_MARIA_DELETE_ROWS_COMPRESSED_V1:
    case MVB_MARIA_DELETE_ROWS_COMPRESSED:
      return MVB_OP_DELETE;
  }
  return MVB_OP_UPDATE;
}

static int rows_compressed(int type){
  return type>=MVB_MARIA_WRITE_ROWS_COMPRESSED_V1
      && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED;
}

/* Table id and flags of a rows event: a 4-byte id when the post-header is
** 6 bytes (old servers), else 6 bytes. */
static void rows_post_header(mvb_decoder *d, int type, mv_reader *r,
                             uint64_t *pId, uint16_t *pFlags){
  int post = d->post_len[type];
  if( post==0 ) post = rows_has_extra(type) ? 10 : 8;
  if( post==6 ){
    *pId = mvr_u32(r);
  }else{
    *pId = mvr_u48(r);
  }
  *pFlags = mvr_u16(r);
}

/* ---- rows ---- */

/* A rows event's table id, flags and table (NULL if no table map gave
** it: mvb_rows_open then fails, a caller that skips the table need not
** care). */
int mvb_parse_rows_header(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  uint64_t id;
  uint16_t fl;
  tbl_entry *e;
  rows_post_header(d, type, r, &id, &fl);
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  e = mvb_find_table(d, id);
  ev->u.rows.table_id = id;
  ev->u.rows.table = e ? &e->t : 0;
  ev->u.rows.op = rows_op(type);
  ev->u.rows.flags = fl;
  ev->u.rows.partial = type==MVB_PARTIAL_UPDATE_ROWS;
  return MVB_OK;
}

static int popcount_bits(const uint8_t *p, int nbits){
  int i, n = 0;
  for(i=0; i<nbits/8; i++) n += __builtin_popcount(p[i]);
  if( nbits%8 ) n += __builtin_popcount(p[nbits/8] & ((1u<<(nbits%8))-1));
  return n;
}

int mvb_rows_open(mvb_decoder *d, const mvb_event *ev, mvb_rows *rows){
  mv_reader r;
  uint64_t id, width;
  uint16_t fl;
  int type = ev->type, i;
  tbl_entry *e;
  mvb_table *t;
  memset(rows, 0, sizeof *rows);
  if( !mvb_is_rows_event(type) ){
    return mvb_fail(d, type, "not a rows event");
  }
  mvr_init(&r, ev->body, ev->body_len);
  rows_post_header(d, type, &r, &id, &fl);
  if( rows_has_extra(type) ){
    uint16_t extra = mvr_u16(&r);
    if( mvr_ok(&r) && extra<2 ){
      return mvb_fail(d, type, "extra-data length %u is less than 2", extra);
    }
    mvr_skip(&r, (size_t)extra - 2);
  }
  width = mvr_lenenc(&r);
  if( !mvr_ok(&r) ) return mvb_fail(d, type, "event truncated");
  e = mvb_find_table(d, id);
  if( e==0 ){
    return mvb_fail(d, type, "unknown table id %llu", (unsigned long long)id);
  }
  t = &e->t;
  if( width>(uint64_t)t->ncol ){
    return mvb_fail(d, type, "%s.%s: %llu columns in the rows event, %d in the "
                "table map", t->db, t->name, (unsigned long long)width,
                t->ncol);
  }
  rows->width = (int)width;
  rows->present_before = mvr_take(&r, (size_t)(width+7)/8);
  rows->present_after = rows->present_before;
  if( type==MVB_UPDATE_ROWS_V1 || type==MVB_UPDATE_ROWS_V2
   || type==MVB_PARTIAL_UPDATE_ROWS
   || type==MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1
   || type==MVB_MARIA_UPDATE_ROWS_COMPRESSED ){
    rows->present_after = mvr_take(&r, (size_t)(width+7)/8);
  }
  if( !mvr_ok(&r) ) return mvb_fail(d, type, "event truncated in the column "
                                "bitmaps");
  rows->n_before = popcount_bits(rows->present_before, (int)width);
  rows->n_after = popcount_bits(rows->present_after, (int)width);
  if( rows_compressed(type) ){
    char zE[200];
    mv_buf_reset(&d->unz);
    if( mvz_maria_uncompress(r.p, mvr_left(&r), &d->unz, MAX_INFLATE,
                             zE, sizeof zE) ){
      return mvb_fail(d, type, "%s", zE);
    }
    rows->p = (const uint8_t*)d->unz.z;
    rows->end = rows->p + d->unz.n;
    if( rows->p==0 ) rows->end = rows->p;
  }else{
    rows->p = r.p;
    rows->end = r.end;
  }
  rows->table = t;
  rows->op = rows_op(type);
  rows->type = type;
  for(i=0; i<t->ncol; i++) if( t->cols[i].type==MVT_JSON ) rows->n_json++;
  /* room for a row: two value arrays, the fix-ups */
  if( d->nvals<t->ncol ){
    mv_value *v = realloc(d->vals, sizeof(mv_value)*2*(size_t)t->ncol);
    fixup *f;
    if( v==0 ) return mvb_fail(d, type, "out of memory");
    d->vals = v;
    f = realloc(d->fix, sizeof(fixup)*2*(size_t)t->ncol);
    if( f==0 ) return mvb_fail(d, type, "out of memory");
    d->fix = f;
    d->nvals = t->ncol;
    d->nfixalloc = 2*t->ncol;
  }
  if( e->ambiguous ){
    /* Decode every row once before handing out the first: if the column
    ** is in fact high-resolution, the rows do not come out exactly to the
    ** end of the event, and no wrong value must be seen. */
    mvb_rows probe = *rows;
    int rc;
    while( (rc = mvb_rows_next(d, &probe))==MVB_ROW ){}
    if( rc!=MVB_DONE ){
      const mvb_column *c = &t->cols[e->ambiguous-1];
      return mvb_fail(d, type, "%s.%s: the rows do not decode with column %d as "
                  "a plain %s; it may be MariaDB 5.3's high-resolution %s(n), "
                  "whose width the binlog does not record", t->db, t->name,
                  e->ambiguous, type_name(c), type_name(c));
    }
  }
  return MVB_OK;
}

/* Error while decoding a value: name the row, the column and its type. */
static int value_fail(mvb_decoder *d, mvb_rows *rows, int col,
                      const char *zWhat){
  const mvb_column *c = &rows->table->cols[col];
  return mvb_fail(d, rows->type, "row %llu, column %d (%s): %s",
              (unsigned long long)rows->row_no, col+1, type_name(c), zWhat);
}

/* v is the JSON text in d->jtmp, copied to the row's scratch. */
static void json_value(mvb_decoder *d, mv_value *v){
  size_t off = d->scratch.n;
  scratch_append(d, d->jtmp.z, d->jtmp.n);
  v->kind = MV_JSON;
  v->charset = 0;
  v->fsp = 0;
  v->v.s.n = d->scratch.n - off;
  add_fixup(d, v, off);
}

/* A partial JSON after-image: the diff applied to the before image, or
** with mvb_set_json_diff and no before document, the diff itself. */
static const char *decode_partial_json(mvb_decoder *d, mv_reader *r,
                                       const mvb_column *c, mv_value *v,
                                       const mv_value *before){
  size_t n, i;
  const uint8_t *p = read_lenbytes(r, c->meta, &n);
  const char *zDoc = 0;
  char zE[160];
  if( p==0 ) return "value truncated";
  if( before && before->kind==MV_ABSENT ){
    if( !d->json_diff ){
      return "partial JSON update, but the before image lacks the column "
             "(binlog_row_image=MINIMAL): the new document cannot be rebuilt "
             "(with json_diff=1, mysql_changes and mysql_binlog deliver the "
             "diff instead)";
    }
    /* the diff itself, as {"json_diff":[...]}: never a guessed document */
    mv_buf_reset(&d->jtmp);
    if( mvj_diff_to_json(p, n, &d->jtmp, zE, sizeof zE) ){
      snprintf(d->zVal, sizeof d->zVal, "bad partial JSON diff: %s", zE);
      return d->zVal;
    }
    json_value(d, v);
    return 0;
  }
  if( before==0 || before->kind!=MV_JSON ){
    return "partial JSON update without a JSON before image";
  }
  /* the before text lives in the scratch: find its offset */
  for(i=0; i<(size_t)d->nfix; i++){
    if( d->fix[i].v==before ){
      zDoc = d->scratch.z ? d->scratch.z + d->fix[i].off : "";
      break;
    }
  }
  if( zDoc==0 ) return "partial JSON update without a JSON before image";
  mv_buf_reset(&d->jtmp);
  if( mvj_apply_diff(zDoc, before->v.s.n, p, n, &d->jtmp, zE, sizeof zE) ){
    snprintf(d->zVal, sizeof d->zVal, "bad partial JSON diff: %s", zE);
    return d->zVal;
  }
  json_value(d, v);
  return 0;
}

/* One row image into vals[0..ncol). isAfterOfUpdate: the second image of
** an update (value options of a partial update come first). */
static int decode_image(mvb_decoder *d, mvb_rows *rows, mv_reader *r,
                        const uint8_t *present, int npresent, mv_value *vals,
                        const mv_value *before){
  const mvb_table *t = rows->table;
  const uint8_t *nulls, *partial = 0;
  int i, k = 0, j = 0;
  if( rows->type==MVB_PARTIAL_UPDATE_ROWS && before ){
    uint64_t opts = mvr_lenenc(r);
    if( opts & 1 ) partial = mvr_take(r, (size_t)(rows->n_json+7)/8);
    if( !mvr_ok(r) ){
      return mvb_fail(d, rows->type, "row %llu: value options truncated",
                  (unsigned long long)rows->row_no);
    }
  }
  nulls = mvr_take(r, (size_t)(npresent+7)/8);
  if( nulls==0 ){
    return mvb_fail(d, rows->type, "row %llu: null bitmap truncated",
                (unsigned long long)rows->row_no);
  }
  for(i=0; i<t->ncol; i++){
    const mvb_column *c = &t->cols[i];
    mv_value *v = &vals[i];
    const char *zE;
    int isPartial = 0;
    if( c->type==MVT_JSON ){
      isPartial = partial && ((partial[j/8]>>(j%8)) & 1);
      j++;
    }
    if( i>=rows->width || ((present[i/8]>>(i%8)) & 1)==0 ){
      v->kind = MV_ABSENT;
      continue;
    }
    if( (nulls[k/8]>>(k%8)) & 1 ){
      k++;
      v->kind = MV_NULL;
      continue;
    }
    k++;
    if( isPartial ){
      zE = decode_partial_json(d, r, c, v, &before[i]);
    }else if( decode_number(r, c, v) ){
      continue;
    }else{
      zE = mvb_decode_value(d, r, c, v);
    }
    if( zE ) return value_fail(d, rows, i, zE);
  }
  return MVB_OK;
}

int mvb_rows_next(mvb_decoder *d, mvb_rows *rows){
  mv_reader r;
  mv_value *a, *b;
  int rc, i;
  if( rows->table==0 ) return MVB_DONE;
  if( rows->p>=rows->end ) return MVB_DONE;
  rows->row_no++;
  mvr_init(&r, rows->p, (size_t)(rows->end - rows->p));
  mv_buf_reset(&d->scratch);
  d->nfix = 0;
  a = d->vals;
  b = d->vals + d->nvals;
  rows->before = rows->after = 0;
  if( rows->op==MVB_OP_INSERT ){
    rc = decode_image(d, rows, &r, rows->present_before, rows->n_before, b, 0);
  }else{
    rc = decode_image(d, rows, &r, rows->present_before, rows->n_before, a, 0);
    if( rc==MVB_OK && rows->op==MVB_OP_UPDATE ){
      rc = decode_image(d, rows, &r, rows->present_after, rows->n_after, b, a);
    }
  }
  if( rc!=MVB_OK ){
    rows->p = rows->end;           /* no further rows from a broken event */
    return rc;
  }
  if( d->scratch.oom ){
    rows->p = rows->end;
    return mvb_fail(d, rows->type, "row %llu: out of memory",
                (unsigned long long)rows->row_no);
  }
  for(i=0; i<d->nfix; i++){
    /* an empty scratch has no memory yet: its values are all empty */
    d->fix[i].v->v.s.p = d->scratch.z ? d->scratch.z + d->fix[i].off : "";
  }
  if( r.p==rows->p ){
    /* an image of no columns: it would repeat for ever */
    rows->p = rows->end;
    return mvb_fail(d, rows->type, "row %llu: a row image of no bytes",
                (unsigned long long)rows->row_no);
  }
  rows->p = r.p;
  if( rows->op!=MVB_OP_INSERT ) rows->before = a;
  if( rows->op!=MVB_OP_DELETE ) rows->after = b;
  return MVB_ROW;
}
