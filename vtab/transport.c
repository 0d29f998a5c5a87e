/*
** transport.c — the binlog stream from the client library (transport.h).
**
** Before the dump the connection announces what it can read, as a replica
** does: @master_binlog_checksum (the server refuses a replica that cannot
** read its checksums, and with it every event keeps its CRC32 for the
** decoder to verify), @mariadb_slave_capability=4 (MariaDB then sends GTID
** events as they are, not rewritten as BEGIN queries for old replicas),
** @master_heartbeat_period in follow mode, and for a MariaDB GTID start
** @slave_connect_state. MySQL reads the @source_* names of 8.0.26+ and the
** old @master_* ones; both are set, an unknown user variable is harmless.
**
** The dump is COM_BINLOG_DUMP with a replica id of its own (two readers with
** one id would make the server drop the older dump), and the flag
** BINLOG_DUMP_NON_BLOCK unless following: the server then sends the log up
** to its current end and an EOF packet, so a plain query ends.
*/
#include "mysqlvtab.h"
#include "transport.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MARIADB_PACKAGE_VERSION_ID
# define MVT_MARIADB 1
# include <mariadb_rpl.h>
#endif

#define MVT_DUMP_NON_BLOCK 1        /* BINLOG_DUMP_NON_BLOCK */
/* MariaDB's BINLOG_SEND_ANNOTATE_ROWS_EVENT: without it the server leaves
** the Annotate_rows events out of the stream, and MariaDB 11.4+, which
** writes log_pos 0 into the events inside a transaction, then gives no way
** to know where the next ones start (changes.c counts on from the last
** known position, which needs every event). */
#define MVT_DUMP_ANNOTATE_ROWS 2
#define MVT_COM_BINLOG_DUMP_GTID 0x1e
#define MVT_HEARTBEAT 27
#define MVT_HEARTBEAT_V2 41

struct mvt_stream {
  MYSQL *m;
#ifdef MVT_MARIADB
  MARIADB_RPL *rpl;
#else
  MYSQL_RPL rpl;
  unsigned char *gtidSet;           /* encoded MySQL GTID set */
  size_t nGtidSet;
  int opened;
#endif
  unsigned server_id;
  int eof;
  unsigned err;                     /* server / client error number */
  char *zErr;
};

/* ---- GTID syntax ---- */

int mvt_is_maria_gtid(const char *z){
  int part = 0, digits = 0;
  if( z==0 || *z==0 ) return 0;
  for(;; z++){
    if( isdigit((unsigned char)*z) ){ digits++; continue; }
    if( digits==0 || digits>20 ) return 0;
    digits = 0;
    if( *z=='-' ){
      if( ++part>2 ) return 0;
      continue;
    }
    if( part!=2 ) return 0;
    if( *z==0 ) return 1;
    if( *z!=',' ) return 0;
    part = 0;
  }
}

static int hexval(int c){
  if( c>='0' && c<='9' ) return c - '0';
  if( c>='a' && c<='f' ) return c - 'a' + 10;
  if( c>='A' && c<='F' ) return c - 'A' + 10;
  return -1;
}

#ifdef MVT_MARIADB
static void put4(unsigned char *p, uint32_t v){
  int i;
  for(i=0; i<4; i++){ p[i] = (unsigned char)(v & 0xff); v >>= 8; }
}
#endif

static void put8(unsigned char *p, uint64_t v){
  int i;
  for(i=0; i<8; i++){ p[i] = (unsigned char)(v & 0xff); v >>= 8; }
}

/* A GTID tag (MySQL 8.3+): [a-z_][a-z0-9_]{0,31}, any case. Returns its
** length at z, 0 if none. */
static int tagLen(const char *z){
  int n = 0;
  if( !isalpha((unsigned char)z[0]) && z[0]!='_' ) return 0;
  while( n<33 && (isalnum((unsigned char)z[n]) || z[n]=='_') ) n++;
  return n<=32 ? n : 0;
}

/* Encode a MySQL GTID set ("uuid:1-5:7,uuid:3-3", white space allowed after
** commas; tags as in "uuid:1-5:tag:1-3"; a lone "uuid:n" or "uuid:tag:n"
** means through n) in COM_BINLOG_DUMP_GTID's form: n_sids (8 bytes), then
** per (uuid, tag) entry its 16 bytes, n_intervals (8) and [start, end+1)
** pairs (8 + 8), little endian. With any tag, the tagged format of 8.3+:
** n_sids is (1<<56 | n<<8 | 1) and each entry has, after the uuid, its tag
** (one byte length<<1, then the lower-case tag; 0 for none). out may be
** NULL to measure. Returns the size, or 0 if z is not a GTID set. */
static size_t gtidEncode(const char *z, unsigned char *out){
  size_t n = 8;
  uint64_t nEnt = 0;
  const char *zScan;
  int tagged = 0;
  for(zScan=z; *zScan; zScan++){
    if( zScan[0]==':' && tagLen(zScan+1) ){ tagged = 1; break; }
  }
  while( 1 ){
    unsigned char uuid[16];
    int k = 0, nTag = 0, open = 0;
    const char *zTag = 0;
    uint64_t nInt = 0;
    size_t nIntOff = 0;
    while( isspace((unsigned char)*z) ) z++;
    while( k<32 ){
      int hi, lo;
      if( *z=='-' && (k==8 || k==12 || k==16 || k==20) ) z++;
      hi = hexval(z[0]);
      lo = hi<0 ? -1 : hexval(z[1]);
      if( lo<0 ) return 0;
      uuid[k/2] = (unsigned char)(hi<<4 | lo);
      k += 2;
      z += 2;
    }
    if( *z!=':' ) return 0;
    while( *z==':' ){
      uint64_t a = 0, b;
      int d = 0, t;
      z++;
      if( (t = tagLen(z))>0 ){
        /* a tag starts an entry of its own, for the intervals after it */
        if( open ){
          if( out ) put8(out + nIntOff, nInt);
          open = 0;
        }else if( zTag ){
          return 0;                        /* "uuid:tag:tag2" */
        }
        zTag = z; nTag = t;
        z += t;
        continue;
      }
      while( isdigit((unsigned char)*z) && d<20 ){ a = a*10 + (uint64_t)(*z - '0'); z++; d++; }
      if( d==0 || a==0 ) return 0;
      b = a;
      if( *z=='-' ){
        z++;
        b = 0; d = 0;
        while( isdigit((unsigned char)*z) && d<20 ){ b = b*10 + (uint64_t)(*z - '0'); z++; d++; }
        if( d==0 || b<a ) return 0;
      }else if( !open && *z!=':' ){
        /* "uuid:n" (or "uuid:tag:n") alone, a commit row's gtid:
        ** everything through n, so that resuming from it gives the
        ** transactions after it */
        a = 1;
      }
      if( !open ){
        int i;
        if( out ) memcpy(out + n, uuid, 16);
        n += 16;
        if( tagged ){
          if( out ){
            out[n] = (unsigned char)(nTag<<1);
            for(i=0; i<nTag; i++) out[n+1+i] = (unsigned char)tolower((unsigned char)zTag[i]);
          }
          n += 1 + (size_t)nTag;
        }
        nIntOff = n;
        n += 8;
        nInt = 0;
        nEnt++;
        open = 1;
      }
      if( out ){ put8(out + n, a); put8(out + n + 8, b + 1); }
      n += 16;
      nInt++;
    }
    if( !open ) return 0;                  /* no interval (after a tag) */
    if( out ) put8(out + nIntOff, nInt);
    while( isspace((unsigned char)*z) ) z++;
    if( *z==0 ) break;
    if( *z!=',' ) return 0;
    z++;
  }
  if( out ){
    put8(out, tagged ? ((uint64_t)1<<56 | nEnt<<8 | 1) : nEnt);
  }
  return n;
}

int mvt_is_mysql_gtid(const char *z){
  return z && gtidEncode(z, 0)>0;
}

/* ---- common ---- */

static void setError(mvt_stream *s, unsigned err, const char *zMsg){
  sqlite3_free(s->zErr);
  s->err = err;
  s->zErr = sqlite3_mprintf("%s", zMsg);
}

const char *mvt_errmsg(mvt_stream *s){
  return s && s->zErr ? s->zErr : "out of memory";
}
unsigned mvt_errno(mvt_stream *s){ return s ? s->err : 0; }
unsigned mvt_server_id(mvt_stream *s){ return s ? s->server_id : 0; }

/* Run one statement of the prelude; non-zero on error. */
static int prelude(MYSQL *m, const char *zSql){
  MYSQL_RES *res;
  if( mysql_real_query(m, zSql, (unsigned long)strlen(zSql)) ) return 1;
  res = mysql_store_result(m);
  if( res ) mysql_free_result(res);
  return 0;
}

static int runPrelude(MYSQL *m, const mvt_start *o){
  char zSql[200];
  if( prelude(m, "SET @master_binlog_checksum = @@global.binlog_checksum,"
                 " @source_binlog_checksum = @@global.binlog_checksum,"
                 " @mariadb_slave_capability = 4") ){
    return 1;
  }
  if( o->follow ){
    unsigned long long ns = (unsigned long long)
        (o->heartbeat_ms ? o->heartbeat_ms : 100) * 1000000ULL;
    snprintf(zSql, sizeof zSql, "SET @master_heartbeat_period = %llu,"
             " @source_heartbeat_period = %llu", ns, ns);
    if( prelude(m, zSql) ) return 1;
  }
  return 0;
}

/* A MariaDB GTID start: the server sends from the first transaction after
** @slave_connect_state when the dump names no file. 0; -1 with *pzErr set;
** 1 when the server refused (mysql_error). */
static int mariaGtidPrelude(MYSQL *m, const char *zGtid, char **pzErr){
  char zSql[400];
  if( strlen(zGtid)>300 ){
    *pzErr = sqlite3_mprintf("GTID position too long");
    return -1;
  }
  snprintf(zSql, sizeof zSql, "SET @slave_connect_state = '%s',"
           " @slave_gtid_strict_mode = 0, @slave_gtid_ignore_duplicates = 0",
           zGtid);
  return prelude(m, zSql) ? 1 : 0;
}

/* The classification of one event packet (OK byte already removed). */
static int classify(const uint8_t *p, size_t n){
  if( n>=19 && (p[4]==MVT_HEARTBEAT || p[4]==MVT_HEARTBEAT_V2) ){
    return MVT_IDLE;
  }
  return MVT_EVENT;
}

/* A new stream over m with its replica server_id: the DSN's, else a random
** one above 2^30 (unique per reader, so two readers never evict each
** other on the server). NULL (m closed) when out of memory. */
static mvt_stream *streamNew(MYSQL *m, const mvt_start *o, char **pzErr,
                             unsigned *pErrno){
  mvt_stream *s;
  *pzErr = 0;
  if( pErrno ) *pErrno = 0;
  s = sqlite3_malloc(sizeof *s);
  if( s==0 ){
    mysql_close(m);
    *pzErr = sqlite3_mprintf("out of memory");
    return 0;
  }
  memset(s, 0, sizeof *s);
  s->m = m;
  s->server_id = o->server_id;
  while( s->server_id==0 ){
    unsigned r;
    sqlite3_randomness(sizeof r, &r);
    s->server_id = 0x40000000u | (r & 0x3fffffffu);
  }
  return s;
}

#ifdef MVT_MARIADB
/* ---- libmariadb: mariadb_rpl_* to start, raw packets to read ---- */

int mvt_open(MYSQL *m, const mvt_start *o, mvt_stream **pp, char **pzErr,
             unsigned *pErrno){
  mvt_stream *s;
  const char *zFile = o->file ? o->file : "";
  *pp = 0;
  if( (s = streamNew(m, o, pzErr, pErrno))==0 ) return 1;
  if( o->gtid && !mvt_is_maria_gtid(o->gtid) ){
    /* A MySQL GTID set: COM_BINLOG_DUMP_GTID, which mariadb_rpl_* cannot
    ** send; the command goes through the connection's db_command method
    ** (public in mysql.h), as mariadb_rpl_open sends COM_BINLOG_DUMP:
    **   flags(2) server_id(4) name_len(4) name pos(8) data_len(4) data
    ** The server then sends every transaction not in the set. */
    size_t nSet = gtidEncode(o->gtid, 0), nPkt;
    unsigned char *pkt;
    if( nSet==0 ){
      *pzErr = sqlite3_mprintf("not a GTID position: '%s'", o->gtid);
      goto fail;
    }
    if( runPrelude(m, o) ) goto server_fail;
    nPkt = 2 + 4 + 4 + 8 + 4 + nSet;
    pkt = sqlite3_malloc64(nPkt);
    if( pkt==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto fail; }
    pkt[0] = (unsigned char)(o->follow ? 0 : MVT_DUMP_NON_BLOCK); pkt[1] = 0;
    put4(pkt + 2, s->server_id);
    put4(pkt + 6, 0);                   /* no file name */
    put8(pkt + 10, 4);                  /* position: ignored with a set */
    put4(pkt + 18, (uint32_t)nSet);
    gtidEncode(o->gtid, pkt + 22);
    if( m->methods==0 || m->methods->db_command==0
     || m->methods->db_command(m, (enum enum_server_command)MVT_COM_BINLOG_DUMP_GTID,
                               (const char*)pkt, nPkt, 1, 0) ){
      sqlite3_free(pkt);
      goto server_fail;
    }
    sqlite3_free(pkt);
    *pp = s;
    return 0;
  }
  if( o->gtid ){
    int rc = mariaGtidPrelude(m, o->gtid, pzErr);
    if( rc<0 ) goto fail;
    if( rc>0 ) goto server_fail;
    zFile = "";
  }
  if( runPrelude(m, o) ) goto server_fail;
  s->rpl = mariadb_rpl_init(m);
  if( s->rpl==0 ) goto server_fail;
  if( mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FILENAME, zFile, strlen(zFile))
   || mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_START,
                           (unsigned long)(o->gtid ? 4 : o->pos))
   || mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_SERVER_ID, s->server_id)
   || mariadb_rpl_optionsv(s->rpl, MARIADB_RPL_FLAGS,
                           (unsigned)((o->follow ? 0 : MVT_DUMP_NON_BLOCK)
                                      | MVT_DUMP_ANNOTATE_ROWS)) ){
    *pzErr = sqlite3_mprintf("cannot set the replication options");
    goto fail;
  }
  if( mariadb_rpl_open(s->rpl) ) goto server_fail;
  *pp = s;
  return 0;
server_fail:
  if( pErrno ) *pErrno = mysql_errno(m);
  *pzErr = sqlite3_mprintf("%s", mysql_error(m));
fail:
  mvt_close(s);
  return 1;
}

int mvt_next(mvt_stream *s, const uint8_t **pz, size_t *pn){
  unsigned long len;
  const uint8_t *p;
  *pz = 0;
  *pn = 0;
  if( s->eof ) return MVT_EOF;
  if( s->zErr ) return MVT_ERROR;
  len = mysql_net_read_packet(s->m);
  if( len==(unsigned long)packet_error ){
    setError(s, mysql_errno(s->m), mysql_error(s->m));
    return MVT_ERROR;
  }
  p = s->m->net.read_pos;
  if( len<9 && len>0 && p[0]==0xFE ){
    s->eof = 1;
    return MVT_EOF;
  }
  if( len<1 || p[0]!=0 ){
    setError(s, 0, "unexpected packet in the binlog stream");
    return MVT_ERROR;
  }
  *pz = p + 1;
  *pn = len - 1;
  return classify(*pz, *pn);
}

void mvt_close(mvt_stream *s){
  if( s==0 ) return;
  if( s->rpl ) mariadb_rpl_close(s->rpl);
  if( s->m ) mysql_close(s->m);
  sqlite3_free(s->zErr);
  sqlite3_free(s);
}

#else
/* ---- libmysqlclient: mysql_binlog_open / mysql_binlog_fetch ---- */

static void fixGtidSet(MYSQL_RPL *rpl, unsigned char *packet){
  mvt_stream *s = (mvt_stream*)rpl->gtid_set_arg;
  memcpy(packet, s->gtidSet, s->nGtidSet);
}

int mvt_open(MYSQL *m, const mvt_start *o, mvt_stream **pp, char **pzErr,
             unsigned *pErrno){
  mvt_stream *s;
  const char *zFile = o->file ? o->file : "";
  *pp = 0;
  if( (s = streamNew(m, o, pzErr, pErrno))==0 ) return 1;
  if( runPrelude(m, o) ) goto server_fail;
  memset(&s->rpl, 0, sizeof s->rpl);
  s->rpl.server_id = s->server_id;
  s->rpl.flags = o->follow ? 0 : MVT_DUMP_NON_BLOCK;
  /* (to MySQL the bit means something else: only to MariaDB) */
  if( strstr(mysql_get_server_info(m), "MariaDB") ){
    s->rpl.flags |= MVT_DUMP_ANNOTATE_ROWS;
  }
  if( o->gtid && mvt_is_maria_gtid(o->gtid) ){
    /* MariaDB's domain-server-seq, as mariadb_rpl_open does it above */
    int rc = mariaGtidPrelude(m, o->gtid, pzErr);
    if( rc<0 ) goto fail;
    if( rc>0 ) goto server_fail;
    s->rpl.file_name = "";
    s->rpl.file_name_length = 0;
    s->rpl.start_position = 4;
  }else if( o->gtid ){
    if( !mvt_is_mysql_gtid(o->gtid) ){
      *pzErr = sqlite3_mprintf("not a MySQL GTID set: '%s'", o->gtid);
      goto fail;
    }
    s->nGtidSet = gtidEncode(o->gtid, 0);
    s->gtidSet = sqlite3_malloc64(s->nGtidSet);
    if( s->gtidSet==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto fail; }
    gtidEncode(o->gtid, s->gtidSet);
    s->rpl.flags |= MYSQL_RPL_GTID;
    s->rpl.gtid_set_encoded_size = s->nGtidSet;
    s->rpl.fix_gtid_set = fixGtidSet;
    s->rpl.gtid_set_arg = s;
    s->rpl.file_name = 0;
    s->rpl.file_name_length = 0;
    s->rpl.start_position = 4;
  }else{
    s->rpl.file_name = zFile;
    s->rpl.file_name_length = strlen(zFile);
    s->rpl.start_position = o->pos;
  }
  if( mysql_binlog_open(m, &s->rpl) ) goto server_fail;
  s->opened = 1;
  *pp = s;
  return 0;
server_fail:
  if( pErrno ) *pErrno = mysql_errno(m);
  *pzErr = sqlite3_mprintf("%s", mysql_error(m));
fail:
  mvt_close(s);
  return 1;
}

int mvt_next(mvt_stream *s, const uint8_t **pz, size_t *pn){
  *pz = 0;
  *pn = 0;
  if( s->eof ) return MVT_EOF;
  if( s->zErr ) return MVT_ERROR;
  if( mysql_binlog_fetch(s->m, &s->rpl) ){
    setError(s, mysql_errno(s->m), mysql_error(s->m));
    return MVT_ERROR;
  }
  if( s->rpl.size==0 ){
    s->eof = 1;
    return MVT_EOF;
  }
  if( s->rpl.buffer[0]!=0 ){
    setError(s, 0, "unexpected packet in the binlog stream");
    return MVT_ERROR;
  }
  *pz = s->rpl.buffer + 1;
  *pn = s->rpl.size - 1;
  return classify(*pz, *pn);
}

void mvt_close(mvt_stream *s){
  if( s==0 ) return;
  if( s->opened ) mysql_binlog_close(s->m, &s->rpl);
  if( s->m ) mysql_close(s->m);
  sqlite3_free(s->gtidSet);
  sqlite3_free(s->zErr);
  sqlite3_free(s);
}
#endif
