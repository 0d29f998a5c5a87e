/*
** binlog_events.c — the body of each event that is not a rows event or a
** table map: format description (and its checksum), rotate, heartbeats,
** query (and MariaDB's compressed query), XID, the GTID events of both
** servers, transaction payload; mvb_parse_event dispatches on the type.
*/
#include "binlog_int.h"
#include "crc32.h"
#include "decompress.h"

#include <stdio.h>
#include <string.h>

static void format_uuid(char *z, const uint8_t *u){
  static const char hex[] = "0123456789abcdef";
  int i;
  for(i=0; i<16; i++){
    *z++ = hex[u[i]>>4];
    *z++ = hex[u[i]&15];
    if( i==3 || i==5 || i==7 || i==9 ) *z++ = '-';
  }
  *z = 0;
}

/* MySQL serialization library varint: the count of trailing one bits of
** the first byte is the count of extra bytes; the value is the
** little-endian whole shifted right by the byte count (9 bytes: 0xff and a
** plain 8-byte value). */
static uint64_t read_varlen(mv_reader *r){
  const uint8_t *p;
  int nb = 1;
  uint8_t b0;
  uint64_t v = 0;
  int i;
  if( r->err || r->p>=r->end ){ r->err = 1; return 0; }
  b0 = r->p[0];
  while( nb<9 && (b0 & (1u<<(nb-1))) ) nb++;
  p = mvr_take(r, (size_t)nb);
  if( p==0 ) return 0;
  if( nb==9 ){
    for(i=8; i>=1; i--) v = (v<<8) | p[i];
    return v;
  }
  for(i=nb-1; i>=0; i--) v = (v<<8) | p[i];
  return v >> nb;
}

static int parse_gtid_tagged(mvb_decoder *d, mvb_event *ev){
  mv_reader r, f;
  uint64_t size, lnif;
  uint8_t uuid[16];
  const uint8_t *tag = 0;
  uint64_t ntag = 0, gno = 0;
  int have_sid = 0, have_gno = 0, i;
  size_t consumed;
  char zUuid[40];
  mvr_init(&r, ev->body, ev->body_len);
  if( mvr_u8(&r)!=2 && mvr_ok(&r) ){
    return mvb_fail(d, MVB_GTID_TAGGED, "unsupported serialization version %u",
                ev->body[0]);
  }
  size = read_varlen(&r);
  lnif = read_varlen(&r);
  (void)lnif;
  if( !mvr_ok(&r) ) return mvb_fail(d, MVB_GTID_TAGGED, "event truncated");
  consumed = (size_t)(r.p - ev->body);
  if( size<consumed || size - consumed > mvr_left(&r) ){
    return mvb_fail(d, MVB_GTID_TAGGED, "payload size %llu does not fit the event",
                (unsigned long long)size);
  }
  mvr_init(&f, r.p, (size_t)(size - consumed));
  while( mvr_left(&f) ){
    uint64_t fid = read_varlen(&f);
    switch( fid ){
      case 0: (void)read_varlen(&f); break;                 /* flags */
      case 1:
        for(i=0; i<16; i++) uuid[i] = (uint8_t)read_varlen(&f);
        have_sid = 1;
        break;
      case 2: gno = read_varlen(&f) >> 1; have_gno = 1; break;   /* zigzag */
      case 3:
        ntag = read_varlen(&f);
        tag = mvr_take(&f, (size_t)ntag);
        break;
      case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11:
        (void)read_varlen(&f);
        break;
      default:
        /* a later field: we have what we need */
        f.p = f.end;
        break;
    }
    if( !mvr_ok(&f) ) return mvb_fail(d, MVB_GTID_TAGGED, "field %llu truncated",
                                  (unsigned long long)fid);
  }
  if( !have_sid || !have_gno ){
    return mvb_fail(d, MVB_GTID_TAGGED, "no %s field", have_sid ? "gno" : "uuid");
  }
  format_uuid(zUuid, uuid);
  if( tag && ntag>0 ){
    if( ntag>32 ) ntag = 32;
    snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%.*s:%llu", zUuid,
             (int)ntag, (const char*)tag, (unsigned long long)gno);
  }else{
    snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%llu", zUuid,
             (unsigned long long)gno);
  }
  return MVB_OK;
}


/* ---- the format description ---- */

/* Does this server version write a checksum-algorithm byte (and 4 checksum
** bytes) in its format description? MySQL from 5.6.1, MariaDB from 5.3. */
static int version_has_checksum(const char *zVer){
  unsigned v[3] = {0, 0, 0};
  int i = 0;
  const char *z = zVer;
  while( i<3 ){
    if( *z<'0' || *z>'9' ) break;
    while( *z>='0' && *z<='9' ){ v[i] = v[i]*10 + (unsigned)(*z - '0'); z++; }
    i++;
    if( *z!='.' ) break;
    z++;
  }
  if( strstr(zVer, "MariaDB") || strstr(zVer, "mariadb") ){
    return v[0]>5 || (v[0]==5 && v[1]>=3);
  }
  return v[0]>5 || (v[0]==5 && (v[1]>6 || (v[1]==6 && v[2]>=1)));
}

static int parse_fde(mvb_decoder *d, mvb_event *ev, const uint8_t *buf,
                     size_t n){
  mv_reader r;
  const uint8_t *ver;
  size_t nTypes, i;
  uint8_t hdr;
  int alg = 0;
  mvr_init(&r, buf + HEADER_LEN, n - HEADER_LEN);
  d->binlog_version = mvr_u16(&r);
  ver = mvr_take(&r, 50);
  mvr_skip(&r, 4);                          /* create timestamp */
  hdr = mvr_u8(&r);
  if( !mvr_ok(&r) ) return mvb_fail(d, MVB_FORMAT_DESCRIPTION, "event truncated");
  if( d->binlog_version!=4 ){
    return mvb_fail(d, MVB_FORMAT_DESCRIPTION, "binlog version %u not supported",
                d->binlog_version);
  }
  if( hdr!=HEADER_LEN ){
    return mvb_fail(d, MVB_FORMAT_DESCRIPTION, "common header length %u, not 19",
                hdr);
  }
  memcpy(d->server_version, ver, 50);
  d->server_version[50] = 0;
  d->is_maria = strstr(d->server_version, "MariaDB")!=0
             || strstr(d->server_version, "mariadb")!=0;
  nTypes = mvr_left(&r);
  if( version_has_checksum(d->server_version) ){
    uint8_t a;
    if( nTypes<5 ) return mvb_fail(d, MVB_FORMAT_DESCRIPTION, "event truncated");
    nTypes -= 5;
    a = r.p[nTypes];
    if( a==1 ){
      uint32_t want = (uint32_t)r.p[nTypes+1] | (uint32_t)r.p[nTypes+2]<<8
                    | (uint32_t)r.p[nTypes+3]<<16 | (uint32_t)r.p[nTypes+4]<<24;
      /* The server computes it with the "binlog in use" flag clear (the
      ** flag is set while the file is open and cleared, without updating
      ** the checksum, when it is closed). */
      uint8_t hdr19[HEADER_LEN];
      uint32_t got;
      memcpy(hdr19, buf, HEADER_LEN);
      hdr19[17] &= (uint8_t)~0x01;               /* LOG_EVENT_BINLOG_IN_USE_F */
      got = mv_crc32(0, hdr19, HEADER_LEN);
      got = mv_crc32(got, buf + HEADER_LEN, n - 4 - HEADER_LEN);
      if( got!=want ){
        return mvb_fail(d, MVB_FORMAT_DESCRIPTION,
                    "checksum mismatch (event has 0x%08x, computed 0x%08x)",
                    want, got);
      }
      alg = 1;
    }else if( a!=0 && a!=255 ){
      return mvb_fail(d, MVB_FORMAT_DESCRIPTION, "unknown checksum algorithm %u", a);
    }
  }
  mvb_default_post_lengths(d);
  for(i=0; i<nTypes && i<255; i++) d->post_len[i+1] = r.p[i];
  d->checksum = alg;
  d->have_fde = 1;
  /* A new format description starts a new log: forget the old mappings. */
  mvb_forget_tables(d);
  ev->u.fde.binlog_version = d->binlog_version;
  memcpy(ev->u.fde.server_version, d->server_version, 51);
  ev->u.fde.checksum_alg = (uint8_t)alg;
  ev->body = buf + HEADER_LEN;
  ev->body_len = n - HEADER_LEN - (alg ? 4 : 0);
  return MVB_OK;
}

/* ROTATE: the next file and offset. */
static int parse_rotate(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  int post = d->post_len[MVB_ROTATE] ? d->post_len[MVB_ROTATE] : 8;
  size_t k;
  ev->u.rotate.pos = mvr_u64(r);
  if( post>8 ) mvr_skip(r, (size_t)(post-8));
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  ev->u.rotate.file = (const char*)r->p;
  ev->u.rotate.file_len = mvr_left(r);
  /* a name ends at a NUL when the sender padded it */
  for(k=0; k<ev->u.rotate.file_len && r->p[k]; k++){}
  ev->u.rotate.file_len = k;
  return MVB_OK;
}

/* HEARTBEAT: the body is the file name; the header's log_pos the position. */
static int parse_heartbeat(mvb_event *ev){
  size_t k;
  ev->u.rotate.pos = ev->next_pos;
  ev->u.rotate.file = (const char*)ev->body;
  for(k=0; k<ev->body_len && ev->body[k]; k++){}
  ev->u.rotate.file_len = k;
  return MVB_OK;
}

/* HEARTBEAT_V2 (MySQL 8.0.26+): the file and position the source has reached. */
static int parse_heartbeat_v2(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  /* (type, length, value) fields, lenenc type and length, ending at
  ** type 0: 1 the file name, 2 the position (a lenenc integer) */
  ev->u.rotate.pos = ev->next_pos;
  ev->u.rotate.file = "";
  ev->u.rotate.file_len = 0;
  while( mvr_left(r) ){
    uint64_t fld = mvr_lenenc(r), len;
    const uint8_t *v;
    if( fld==0 ) break;
    len = mvr_lenenc(r);
    v = mvr_take(r, (size_t)len);
    if( v==0 ) break;
    if( fld==1 ){
      ev->u.rotate.file = (const char*)v;
      ev->u.rotate.file_len = (size_t)len;
    }else if( fld==2 ){
      mv_reader q;
      mvr_init(&q, v, (size_t)len);
      ev->u.rotate.pos = mvr_lenenc(&q);
      if( !mvr_ok(&q) ) r->err = 1;
    }
  }
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  return MVB_OK;
}

/* QUERY and MariaDB's QUERY_COMPRESSED: the schema and the statement. */
static int parse_query(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  int post = d->post_len[type] ? d->post_len[type] : 13;
  uint8_t nDb;
  uint16_t nStatus = 0;
  const uint8_t *zDb;
  ev->u.query.thread_id = mvr_u32(r);
  mvr_skip(r, 4);                                 /* exec time */
  nDb = mvr_u8(r);
  ev->u.query.error_code = mvr_u16(r);
  if( post>=13 ){
    nStatus = mvr_u16(r);
    mvr_skip(r, (size_t)(post - 13));
  }else if( post!=11 ){
    return mvb_fail(d, type, "post-header length %d not supported", post);
  }
  mvr_skip(r, nStatus);
  zDb = mvr_take(r, (size_t)nDb + 1);
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  ev->u.query.db = (const char*)zDb;
  ev->u.query.db_len = nDb;
  if( type==MVB_MARIA_QUERY_COMPRESSED ){
    char zE[200];
    mv_buf_reset(&d->unz);
    if( mvz_maria_uncompress(r->p, mvr_left(r), &d->unz, MAX_INFLATE,
                             zE, sizeof zE) ){
      return mvb_fail(d, type, "%s", zE);
    }
    ev->u.query.sql = d->unz.z ? d->unz.z : "";
    ev->u.query.sql_len = d->unz.n;
  }else{
    ev->u.query.sql = (const char*)r->p;
    ev->u.query.sql_len = mvr_left(r);
  }
  return MVB_OK;
}

/* MySQL's GTID ("uuid:n") and ANONYMOUS_GTID (no GTID). */
static int parse_gtid(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  const uint8_t *sid;
  uint64_t gno;
  char zUuid[40];
  ev->u.gtid.flags = mvr_u8(r);
  sid = mvr_take(r, 16);
  gno = mvr_u64(r);
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  /* 5.7+ adds logical-clock fields, 8.0 timestamps, lengths and server
  ** versions: nothing the stream needs. */
  if( type==MVB_ANONYMOUS_GTID ){
    ev->u.gtid.text[0] = 0;
  }else{
    format_uuid(zUuid, sid);
    snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%s:%llu", zUuid,
             (unsigned long long)gno);
  }
  return MVB_OK;
}

/* MariaDB's GTID: "domain-server-seq". */
static int parse_maria_gtid(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  uint64_t seq = mvr_u64(r);
  uint32_t domain = mvr_u32(r);
  uint8_t fl = mvr_u8(r);
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  ev->u.gtid.flags = fl;
  ev->u.gtid.standalone = (fl & 1)!=0;
  snprintf(ev->u.gtid.text, sizeof ev->u.gtid.text, "%u-%u-%llu",
           (unsigned)domain, (unsigned)ev->server_id,
           (unsigned long long)seq);
  return MVB_OK;
}

/* XA_PREPARE: only checked. */
static int parse_xa_prepare(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  int type = ev->type;
  uint32_t gl, bl;
  mvr_skip(r, 1 + 4);                  /* one phase, format id */
  gl = mvr_u32(r);
  bl = mvr_u32(r);
  if( !mvr_ok(r) || gl>64 || bl>64 || (size_t)gl+bl > mvr_left(r) ){
    return mvb_fail(d, type, "bad XID lengths");
  }
  return MVB_OK;
}

/* PREVIOUS_GTIDS: only checked. */
static int parse_previous_gtids(mvb_decoder *d, mvb_event *ev, mv_reader *r){
  /* n_sids (8 bytes; tagged format: the high byte says so), then per
  ** sid: uuid, [tag], n_intervals, intervals of 16 bytes. */
  int type = ev->type;
  uint64_t nsid = mvr_u64(r), k;
  int tagged = (int)(nsid>>56)==1;
  nsid = tagged ? (nsid>>8) & 0xffffffffffffULL : nsid & 0xffffffffffffffULL;
  for(k=0; k<nsid && mvr_ok(r); k++){
    uint64_t nint;
    mvr_skip(r, 16);
    if( tagged ){
      uint64_t ntag = read_varlen(r);
      mvr_skip(r, (size_t)ntag);
    }
    nint = mvr_u64(r);
    if( nint > mvr_left(r)/16 ){ r->err = 1; break; }
    mvr_skip(r, (size_t)nint*16);
  }
  if( !mvr_ok(r) ) return mvb_fail(d, type, "event truncated");
  return MVB_OK;
}

/* TRANSACTION_PAYLOAD: its body is kept (the caller's buffer may not
** last) and mvb_payload_next decompresses the inner events one by one. */
static int parse_payload(mvb_decoder *d, mvb_event *ev){
  char zE[200];
  mvz_stream_close(&d->pz);
  mv_buf_reset(&d->payload_src);
  mv_buf_append(&d->payload_src, ev->body, ev->body_len);
  if( d->payload_src.oom ){
    return mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "out of memory");
  }
  if( mvz_stream_open(&d->pz, (const uint8_t*)d->payload_src.z,
                      d->payload_src.n, zE, sizeof zE) ){
    return mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "%s", zE);
  }
  mv_buf_reset(&d->payload);
  d->payload_off = 0;
  d->payload_base = 0;
  d->in_payload = 1;
  return MVB_OK;
}

/* Parse one event whose bytes are buf[0..n) (n as the header says). The
** checksum has been verified and is excluded by the caller (hasCrc). */
int mvb_parse_event(mvb_decoder *d, const uint8_t *buf, size_t n,
                    int hasCrc, mvb_event *ev){
  mv_reader r;
  int type = ev->type;
  if( type==MVB_FORMAT_DESCRIPTION ) return parse_fde(d, ev, buf, n);
  ev->body = buf + HEADER_LEN;
  ev->body_len = n - HEADER_LEN - (hasCrc ? 4 : 0);
  mvr_init(&r, ev->body, ev->body_len);

  switch( type ){
    case MVB_ROTATE:
      return parse_rotate(d, ev, &r);
    case MVB_HEARTBEAT:
      return parse_heartbeat(ev);
    case MVB_HEARTBEAT_V2:
      return parse_heartbeat_v2(d, ev, &r);
    case MVB_QUERY:
    case MVB_MARIA_QUERY_COMPRESSED:
      return parse_query(d, ev, &r);
    case MVB_XID:
      ev->u.xid.xid = mvr_u64(&r);
      if( !mvr_ok(&r) ) return mvb_fail(d, type, "event truncated");
      return MVB_OK;
    case MVB_TABLE_MAP:
      return mvb_parse_table_map(d, ev);
    case MVB_GTID:
    case MVB_ANONYMOUS_GTID:
      return parse_gtid(d, ev, &r);
    case MVB_GTID_TAGGED:
      return parse_gtid_tagged(d, ev);
    case MVB_MARIA_GTID:
      return parse_maria_gtid(d, ev, &r);
    case MVB_MARIA_GTID_LIST: {
      uint32_t cnt = mvr_u32(&r) & 0x0fffffff;
      if( !mvr_ok(&r) || (uint64_t)cnt*16 > mvr_left(&r) ){
        return mvb_fail(d, type, "event truncated (%u GTIDs)", (unsigned)cnt);
      }
      return MVB_OK;
    }
    case MVB_MARIA_BINLOG_CHECKPOINT: {
      uint32_t len = mvr_u32(&r);
      mvr_skip(&r, len);
      if( !mvr_ok(&r) ) return mvb_fail(d, type, "event truncated");
      return MVB_OK;
    }
    case MVB_MARIA_ANNOTATE_ROWS:
      ev->u.annotate.sql = (const char*)ev->body;
      ev->u.annotate.sql_len = ev->body_len;
      return MVB_OK;
    case MVB_ROWS_QUERY:
      mvr_skip(&r, 1);          /* a length byte, wrong past 255: ignored */
      if( !mvr_ok(&r) ) return mvb_fail(d, type, "event truncated");
      ev->u.annotate.sql = (const char*)r.p;
      ev->u.annotate.sql_len = mvr_left(&r);
      return MVB_OK;
    case MVB_XA_PREPARE:
      return parse_xa_prepare(d, ev, &r);
    case MVB_PREVIOUS_GTIDS:
      return parse_previous_gtids(d, ev, &r);
    case MVB_TRANSACTION_PAYLOAD:
      return parse_payload(d, ev);
    case MVB_MARIA_START_ENCRYPTION:
      return mvb_fail(d, type, "encrypted binlogs are not supported");
    default:
      break;
  }
  if( mvb_is_rows_event(type) ) return mvb_parse_rows_header(d, ev, &r);
  if( type>=1 && type<=MVB_GTID_TAGGED ) return MVB_OK;    /* skipped */
  if( type>=MVB_MARIA_ANNOTATE_ROWS && type<=MVB_MARIA_DELETE_ROWS_COMPRESSED ){
    return MVB_OK;
  }
  if( ev->flags & F_IGNORABLE ) return MVB_OK;
  snprintf(d->zErr, sizeof d->zErr, "unknown event type %d", type);
  return MVB_ERROR;
}
