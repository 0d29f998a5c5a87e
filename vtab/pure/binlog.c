/*
** binlog.c — the binlog decoder; see binlog.h for the contract and
** binlog_int.h for which of its files does what. This one holds the
** decoder's lifetime, its errors, the common header and checksum of every
** event, and the inner events of a transaction payload.
**
** Pure C over the bounds-checked reader of bytes.h: no SQLite, no client
** library. Every read goes through an mv_reader whose sticky error is
** checked once per record (header, post-header, table map, row value), so
** no parse can read past the buffer it was given, and every failure becomes
** MVB_ERROR with a message "<Event_name>: <what was wrong>".
**
** Memory: the decoder owns a few growable buffers (decompressed MariaDB
** rows and queries, the decompressed transaction payload, the per-row
** scratch that holds derived text such as DECIMAL digits, re-padded BINARY
** values, joined SET labels and JSON text, and the two mv_value arrays of
** a row). They grow to the largest event and are reused: decoding a row
** allocates nothing. Table maps live in one small arena each, remembered by
** table id in a hash of at most MVB_MAX_TABLES entries.
**
** Format references: MySQL's libbinlogevents (control_events, rows_event,
** statement_events) and log_event.cc print functions, MariaDB's
** log_event.cc, and the MariaDB KB replication-protocol pages.
*/
#include "binlog_int.h"
#include "crc32.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

const char *mvb_event_name(int type){
  static const char *const az[] = {
    "Unknown", "Start_v3", "Query", "Stop", "Rotate", "Intvar", "Load",
    "Slave", "Create_file", "Append_block", "Exec_load", "Delete_file",
    "New_load", "Rand", "User_var", "Format_desc", "Xid",
    "Begin_load_query", "Execute_load_query", "Table_map",
    "Write_rows_v0", "Update_rows_v0", "Delete_rows_v0",
    "Write_rows_v1", "Update_rows_v1", "Delete_rows_v1",
    "Incident", "Heartbeat", "Ignorable", "Rows_query",
    "Write_rows_v2", "Update_rows_v2", "Delete_rows_v2",
    "Gtid", "Anonymous_gtid", "Previous_gtids", "Transaction_context",
    "View_change", "XA_prepare", "Partial_update_rows",
    "Transaction_payload", "Heartbeat_v2", "Gtid_tagged"
  };
  static const char *const azMaria[] = {
    "Annotate_rows", "Binlog_checkpoint", "Gtid", "Gtid_list",
    "Start_encryption", "Query_compressed",
    "Write_rows_compressed_v1", "Update_rows_compressed_v1",
    "Delete_rows_compressed_v1", "Write_rows_compressed",
    "Update_rows_compressed", "Delete_rows_compressed"
  };
  if( type>=0 && type<(int)(sizeof az/sizeof az[0]) ) return az[type];
  if( type>=160 && type<160+(int)(sizeof azMaria/sizeof azMaria[0]) ){
    return azMaria[type-160];
  }
  return "Unknown";
}

/* ---- errors ---- */

int mvb_fail(mvb_decoder *d, int type, const char *zFmt, ...){
  va_list ap;
  int n = snprintf(d->zErr, sizeof d->zErr, "%s: ", mvb_event_name(type));
  if( n<0 || (size_t)n>=sizeof d->zErr ) n = 0;
  va_start(ap, zFmt);
  vsnprintf(d->zErr + n, sizeof d->zErr - (size_t)n, zFmt, ap);
  va_end(ap);
  return MVB_ERROR;
}

const char *mvb_errmsg(mvb_decoder *d){
  return d ? d->zErr : "out of memory";
}

/* ---- decoder lifetime ---- */

/* Post-header lengths of a v4 binlog, used until a format description
** says otherwise (a replication stream starts with a Rotate). */
void mvb_default_post_lengths(mvb_decoder *d){
  memset(d->post_len, 0, sizeof d->post_len);
  d->post_len[MVB_QUERY] = 13;
  d->post_len[MVB_ROTATE] = 8;
  d->post_len[MVB_FORMAT_DESCRIPTION] = 84;
  d->post_len[MVB_TABLE_MAP] = 8;
  d->post_len[MVB_WRITE_ROWS_V0] = 8;
  d->post_len[MVB_UPDATE_ROWS_V0] = 8;
  d->post_len[MVB_DELETE_ROWS_V0] = 8;
  d->post_len[MVB_WRITE_ROWS_V1] = 8;
  d->post_len[MVB_UPDATE_ROWS_V1] = 8;
  d->post_len[MVB_DELETE_ROWS_V1] = 8;
  d->post_len[MVB_WRITE_ROWS_V2] = 10;
  d->post_len[MVB_UPDATE_ROWS_V2] = 10;
  d->post_len[MVB_DELETE_ROWS_V2] = 10;
  d->post_len[MVB_PARTIAL_UPDATE_ROWS] = 10;
  d->post_len[MVB_MARIA_QUERY_COMPRESSED] = 13;
  d->post_len[MVB_MARIA_WRITE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_DELETE_ROWS_COMPRESSED_V1] = 8;
  d->post_len[MVB_MARIA_WRITE_ROWS_COMPRESSED] = 10;
  d->post_len[MVB_MARIA_UPDATE_ROWS_COMPRESSED] = 10;
  d->post_len[MVB_MARIA_DELETE_ROWS_COMPRESSED] = 10;
}

mvb_decoder *mvb_new(void){
  mvb_decoder *d = calloc(1, sizeof *d);
  if( d==0 ) return 0;
  mvb_default_post_lengths(d);
  d->ts_y = 1970;
  d->ts_m = d->ts_d = 1;
  mv_buf_init(&d->unz);
  mv_buf_init(&d->payload);
  mv_buf_init(&d->payload_src);
  mv_buf_init(&d->scratch);
  mv_buf_init(&d->jtmp);
  return d;
}

void mvb_free(mvb_decoder *d){
  if( d==0 ) return;
  mvb_forget_tables(d);
  mv_buf_free(&d->unz);
  mv_buf_free(&d->payload);
  mv_buf_free(&d->payload_src);
  mvz_stream_close(&d->pz);
  mv_buf_free(&d->scratch);
  mv_buf_free(&d->jtmp);
  free(d->vals);
  free(d->fix);
  free(d);
}

void mvb_set_checksum(mvb_decoder *d, int alg){
  if( d ) d->checksum = alg==1;
}

void mvb_set_json_diff(mvb_decoder *d, int on){
  if( d ) d->json_diff = on!=0;
}

/* Common header, size and checksum of the event at buf[0..n). */
static int parse_common(mvb_decoder *d, const uint8_t *buf, size_t n,
                        int checksum, mvb_event *ev){
  mv_reader r;
  int hasCrc;
  memset(ev, 0, sizeof *ev);
  mvr_init(&r, buf, n);
  ev->timestamp = mvr_u32(&r);
  ev->type = mvr_u8(&r);
  ev->server_id = mvr_u32(&r);
  ev->size = mvr_u32(&r);
  ev->next_pos = mvr_u32(&r);
  ev->flags = mvr_u16(&r);
  if( !mvr_ok(&r) ){
    snprintf(d->zErr, sizeof d->zErr,
             "event truncated: %zu bytes, less than a 19-byte header", n);
    return MVB_ERROR;
  }
  if( ev->size<HEADER_LEN ){
    return mvb_fail(d, ev->type, "event size %u is less than its header",
                (unsigned)ev->size);
  }
  if( ev->size>n ){
    return mvb_fail(d, ev->type, "event truncated: header says %u bytes, %zu "
                "present", (unsigned)ev->size, n);
  }
  n = ev->size;
  hasCrc = checksum && ev->type!=MVB_FORMAT_DESCRIPTION;
  if( hasCrc ){
    uint32_t want, got;
    if( n<HEADER_LEN+4 ){
      return mvb_fail(d, ev->type, "event of %zu bytes has no room for its "
                  "checksum", n);
    }
    want = (uint32_t)buf[n-4] | (uint32_t)buf[n-3]<<8
         | (uint32_t)buf[n-2]<<16 | (uint32_t)buf[n-1]<<24;
    got = mv_crc32(0, buf, n - 4);
    if( want!=got ){
      return mvb_fail(d, ev->type, "checksum mismatch (event has 0x%08x, "
                  "computed 0x%08x)", want, got);
    }
  }
  if( ev->type==MVB_FORMAT_DESCRIPTION && n<HEADER_LEN+57 ){
    return mvb_fail(d, ev->type, "event truncated");
  }
  return mvb_parse_event(d, buf, n, hasCrc, ev);
}

int mvb_parse(mvb_decoder *d, const uint8_t *buf, size_t n, mvb_event *ev){
  d->in_payload = 0;
  d->zErr[0] = 0;
  return parse_common(d, buf, n, d->checksum, ev);
}

/* At least need decompressed bytes from payload_off on, unless the data
** ends first. The bytes before payload_off (inner events handed out
** before) are dropped first; reads are of 64 KB at least, so the move
** happens once per read, not once per event. 0, or 1 with d->zErr set. */
#define PAYLOAD_READ (64*1024)
static int payloadFill(mvb_decoder *d, size_t need){
  char zE[200];
  size_t have = d->payload.n - d->payload_off;
  if( have>=need || d->pz.ended ) return 0;
  if( d->payload_off>0 ){
    memmove(d->payload.z, d->payload.z + d->payload_off, have);
    d->payload.n = have;
    d->payload_base += d->payload_off;
    d->payload_off = 0;
  }
  while( d->payload.n<need && !d->pz.ended ){
    size_t want = need - d->payload.n;
    if( want<PAYLOAD_READ ) want = PAYLOAD_READ;
    if( mvz_stream_read(&d->pz, &d->payload, want, zE, sizeof zE) ){
      mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "%s", zE);
      return 1;
    }
  }
  return 0;
}

int mvb_payload_next(mvb_decoder *d, mvb_event *inner){
  size_t left;
  uint32_t size;
  const uint8_t *p;
  int rc;
  if( !d->in_payload ) return MVB_DONE;
  if( payloadFill(d, HEADER_LEN) ){ d->in_payload = 0; return MVB_ERROR; }
  left = d->payload.n - d->payload_off;
  if( left==0 ){
    d->in_payload = 0;
    mvz_stream_close(&d->pz);       /* its window is freed now */
    return MVB_DONE;
  }
  p = (const uint8_t*)d->payload.z + d->payload_off;
  if( left<HEADER_LEN ){
    d->in_payload = 0;
    return mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "inner event truncated: %zu "
                "bytes left", left);
  }
  size = (uint32_t)p[9] | (uint32_t)p[10]<<8 | (uint32_t)p[11]<<16
       | (uint32_t)p[12]<<24;
  if( size>=HEADER_LEN && size<=MAX_INFLATE ){
    if( payloadFill(d, size) ){ d->in_payload = 0; return MVB_ERROR; }
    left = d->payload.n - d->payload_off;
    p = (const uint8_t*)d->payload.z + d->payload_off;
  }
  if( size<HEADER_LEN || size>left ){
    d->in_payload = 0;
    return mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "inner event at offset %llu: "
                "size %u does not fit (%zu bytes left)",
                (unsigned long long)(d->payload_base + d->payload_off),
                (unsigned)size, left);
  }
  d->payload_off += size;
  /* Inner events carry no checksum: the payload event has one. */
  rc = parse_common(d, p, size, 0, inner);
  if( rc==MVB_OK && inner->type==MVB_TRANSACTION_PAYLOAD ){
    d->in_payload = 0;
    return mvb_fail(d, MVB_TRANSACTION_PAYLOAD, "nested transaction payload");
  }
  if( rc!=MVB_OK ) d->in_payload = 0;
  return rc;
}
