/*
** binlog.h — the binlog decoder: event bytes in, typed events and row
** images out. Pure C over the bounds-checked reader (bytes.h); it knows
** nothing of SQLite or of the client library, and it never reads past the
** buffer it is given. Values come out as mv_values (encode.h), the same
** form the snapshot produces, so both encode to the same bytes.
**
** Typical use (mysql_changes, mysql_binlog, the unit tests, the fuzzer):
**
**   mvb_decoder *d = mvb_new();
**   while( next event bytes (buf, n) ){
**     if( mvb_parse(d, buf, n, &ev) ) -> error text in mvb_errmsg(d)
**     switch( ev.type ){
**       case MVB_WRITE_ROWS_V2: ...
**         if( table wanted(ev.u.rows.table) ){
**           mvb_rows_open(d, &ev, &rows);
**           while( (rc = mvb_rows_next(d, &rows))==MVB_ROW ){
**             use rows.before / rows.after (NULL when the image is absent)
**           }
**         }
**       case MVB_TRANSACTION_PAYLOAD:
**         while( (rc = mvb_payload_next(d, &inner))==MVB_OK ) ... same ...
**     }
**   }
**   mvb_free(d);
**
** Lifetimes: pointers in an mvb_event (and values of a row) stay valid
** until the next call of mvb_parse, mvb_payload_next or mvb_rows_next on
** the same decoder that could replace them; tables stay valid until the
** decoder forgets them (mvb_forget_tables, or a new FORMAT_DESCRIPTION).
*/
#ifndef MV_BINLOG_H
#define MV_BINLOG_H

#include <stddef.h>
#include <stdint.h>

#include "encode.h"

/* Result codes. */
#define MVB_OK      0
#define MVB_ROW     1    /* mvb_rows_next: a row is ready */
#define MVB_DONE    2    /* mvb_rows_next / mvb_payload_next: nothing more */
#define MVB_ERROR (-1)   /* the event is corrupt or unsupported: mvb_errmsg() */

/* Event type codes (MySQL's numbers, then MariaDB's from 160). */
enum {
  MVB_UNKNOWN_EVENT = 0, MVB_START_V3 = 1, MVB_QUERY = 2, MVB_STOP = 3,
  MVB_ROTATE = 4, MVB_INTVAR = 5, MVB_RAND = 13, MVB_USER_VAR = 14,
  MVB_FORMAT_DESCRIPTION = 15, MVB_XID = 16, MVB_BEGIN_LOAD_QUERY = 17,
  MVB_EXECUTE_LOAD_QUERY = 18, MVB_TABLE_MAP = 19,
  MVB_WRITE_ROWS_V0 = 20, MVB_UPDATE_ROWS_V0 = 21, MVB_DELETE_ROWS_V0 = 22,
  MVB_WRITE_ROWS_V1 = 23, MVB_UPDATE_ROWS_V1 = 24, MVB_DELETE_ROWS_V1 = 25,
  MVB_INCIDENT = 26, MVB_HEARTBEAT = 27, MVB_IGNORABLE = 28,
  MVB_ROWS_QUERY = 29, MVB_WRITE_ROWS_V2 = 30, MVB_UPDATE_ROWS_V2 = 31,
  MVB_DELETE_ROWS_V2 = 32, MVB_GTID = 33, MVB_ANONYMOUS_GTID = 34,
  MVB_PREVIOUS_GTIDS = 35, MVB_TRANSACTION_CONTEXT = 36,
  MVB_VIEW_CHANGE = 37, MVB_XA_PREPARE = 38, MVB_PARTIAL_UPDATE_ROWS = 39,
  MVB_TRANSACTION_PAYLOAD = 40, MVB_HEARTBEAT_V2 = 41, MVB_GTID_TAGGED = 42,
  MVB_MARIA_ANNOTATE_ROWS = 160, MVB_MARIA_BINLOG_CHECKPOINT = 161,
  MVB_MARIA_GTID = 162, MVB_MARIA_GTID_LIST = 163,
  MVB_MARIA_START_ENCRYPTION = 164, MVB_MARIA_QUERY_COMPRESSED = 165,
  MVB_MARIA_WRITE_ROWS_COMPRESSED_V1 = 166,
  MVB_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 167,
  MVB_MARIA_DELETE_ROWS_COMPRESSED_V1 = 168,
  MVB_MARIA_WRITE_ROWS_COMPRESSED = 169,
  MVB_MARIA_UPDATE_ROWS_COMPRESSED = 170,
  MVB_MARIA_DELETE_ROWS_COMPRESSED = 171
};

/* Row operation of a rows event. */
#define MVB_OP_INSERT 1
#define MVB_OP_UPDATE 2
#define MVB_OP_DELETE 3

/* One column of a table map, completed by optional metadata or by
** mvb_table_apply(). */
typedef struct mvb_column {
  uint8_t type;          /* binlog type (MVT_*) as in the table map */
  uint8_t real_type;     /* MVT_STRING's real type (MVT_ENUM, MVT_SET) */
  uint16_t meta;         /* the type's metadata from the table map */
  uint8_t nullable;
  uint8_t is_unsigned;
  uint8_t is_json;       /* MariaDB JSON (a LONGTEXT) learnt live: MV_JSON */
  uint8_t is_pk;
  int charset;           /* collation id; MV_CS_UNKNOWN if not known */
  uint32_t binary_len;   /* BINARY(n): bytes to re-pad to (0 = unknown) */
  int n_labels;          /* ENUM/SET labels; 0 and NULL when unknown */
  char **labels;
  uint8_t text_form;     /* MariaDB INET4/INET6/UUID learnt live (MVB_TF_*):
                         ** their binary value is emitted as the text the
                         ** server prints; 0 otherwise */
  uint8_t hires_fsp;     /* MariaDB 5.3 high-resolution TIMESTAMP(n),
                         ** DATETIME(n), TIME(n) (old type codes 7, 12, 11)
                         ** learnt live: n (1..6); 0 for the plain forms */
} mvb_column;

#define MVB_TF_INET4 1
#define MVB_TF_INET6 2
#define MVB_TF_UUID  3

typedef struct mvb_table {
  uint64_t id;
  char *db;              /* NUL-terminated schema name */
  char *name;            /* NUL-terminated table name */
  int ncol;
  mvb_column *cols;
  char **names;          /* ncol entries, never NULL: a column whose name
                         ** is not known is "@N", its 1-based number (as
                         ** mysqlbinlog prints it), until mvb_table_apply
                         ** names it */
  int has_names;         /* every column has its real name */
  uint64_t names_gen;    /* a new value, never used before by this decoder,
                         ** whenever names change (a new table map,
                         ** mvb_table_apply naming columns): a cache of
                         ** encoded names keys on it; 0: do not cache */
} mvb_table;

typedef struct mvb_event {
  /* the common header */
  uint32_t timestamp;
  uint8_t type;
  uint32_t server_id;
  uint32_t size;         /* whole event in bytes, as the header says */
  uint32_t next_pos;     /* log_pos of the header: offset past the event */
  uint16_t flags;        /* LOG_EVENT_*_F; 0x20 = artificial, 0x80 ignorable */
  const uint8_t *body;   /* after the common header, checksum excluded */
  size_t body_len;
  union {
    /* ROTATE: the next file and offset; also HEARTBEAT and HEARTBEAT_V2:
    ** the file and offset the source has reached */
    struct { uint64_t pos; const char *file; size_t file_len; } rotate;
    struct { uint16_t binlog_version; char server_version[51];
             uint8_t checksum_alg; } fde;
    struct { const char *db; size_t db_len; const char *sql; size_t sql_len;
             uint32_t thread_id; uint16_t error_code; } query;
    struct { uint64_t xid; } xid;
    /* MySQL "uuid:n" / "uuid:tag:n", MariaDB "domain-server-seq";
    ** "" for an ANONYMOUS_GTID (no GTID) */
    struct { char text[128]; uint8_t flags; int standalone; } gtid;
    struct { mvb_table *table; } table_map;
    struct { uint64_t table_id; mvb_table *table; int op; uint16_t flags;
             int partial; } rows;
    struct { const char *sql; size_t sql_len; } annotate;  /* also ROWS_QUERY */
  } u;
} mvb_event;

/* Iteration over the rows of one rows event. */
typedef struct mvb_rows {
  mvb_table *table;
  int op;                   /* MVB_OP_* */
  const mv_value *before;   /* ncol values, or NULL (insert) */
  const mv_value *after;    /* ncol values, or NULL (delete) */
  /* private to the decoder */
  const uint8_t *p, *end;
  const uint8_t *present_before, *present_after;
  uint64_t row_no;
  int type;                 /* event type */
  int width;                /* columns in the event's row images */
  int n_before, n_after;    /* columns present in each image */
  int n_json;               /* JSON columns of the table (partial bits) */
} mvb_rows;

typedef struct mvb_decoder mvb_decoder;

mvb_decoder *mvb_new(void);
void mvb_free(mvb_decoder *d);

/* Decode one whole event (common header, body and any checksum). Verifies
** the CRC32 when the format description asks for it, remembers format
** descriptions and table maps, decompresses MariaDB compressed events.
** An unknown event type is MVB_OK (skipped by its length) only if it
** carries the ignorable flag; otherwise MVB_ERROR. */
int mvb_parse(mvb_decoder *d, const uint8_t *buf, size_t n, mvb_event *ev);

/* After a TRANSACTION_PAYLOAD event: the inner events one by one (MVB_OK),
** then MVB_DONE. Inner events are parsed exactly as mvb_parse would. */
int mvb_payload_next(mvb_decoder *d, mvb_event *inner);

/* Rows of a rows event (any version, compressed or not, partial JSON). */
int mvb_rows_open(mvb_decoder *d, const mvb_event *ev, mvb_rows *rows);
int mvb_rows_next(mvb_decoder *d, mvb_rows *rows);

/* Live column information for tables whose table map carries no names
** (binlog_row_metadata=MINIMAL or older servers), from information_schema. */
typedef struct mvb_colinfo {
  const char *name;         /* COLUMN_NAME */
  const char *data_type;    /* DATA_TYPE, e.g. "int", "varchar", "enum" */
  const char *column_type;  /* COLUMN_TYPE, e.g. "int(10) unsigned",
                            ** "enum('a','b')", "binary(4)" */
  int charset;              /* collation id (MV_CS_BINARY for binary types,
                            ** MV_CS_UNKNOWN for non-strings) */
  int is_json;              /* MariaDB JSON column (json_valid() check) */
} mvb_colinfo;

/* If ncol and every column's type family agree with the table map, copy
** the names, signedness, charsets, ENUM/SET labels, BINARY lengths, JSON
** flags, the INET4/INET6/UUID text forms (DATA_TYPE "inet4", "inet6",
** "uuid") and the precision of MariaDB's old high-resolution temporals
** (COLUMN_TYPE "timestamp(3)" on a type-7 column...) into t (what optional
** metadata already gave is kept) and return 0.
** Otherwise change nothing and return non-zero: the table was altered
** since the event was written, and the columns stay "@1", "@2", ... */
int mvb_table_apply(mvb_decoder *d, mvb_table *t, int ncol,
                    const mvb_colinfo *info);

/* Forget every table map (after a statement end or a rotation). Without
** it the decoder stays bounded anyway: a new TABLE_MAP for a remembered
** table id replaces that entry (an identical one keeps it, with whatever
** mvb_table_apply gave it), and past MVB_MAX_TABLES the oldest mapping is
** dropped. A dropped or replaced table's pointer is no longer valid. */
void mvb_forget_tables(mvb_decoder *d);
#define MVB_MAX_TABLES 1024

/* The checksum algorithm of the events before the first FORMAT_DESCRIPTION
** (a replication stream's artificial Rotate): 0 none, 1 CRC32. A format
** description overrides it. The transport knows it from the server's
** @@binlog_checksum. */
void mvb_set_checksum(mvb_decoder *d, int alg);

/* Partial JSON updates whose before image lacks the column
** (binlog_row_image=MINIMAL): with on=0 (the default) they are an error,
** since the new document cannot be built; with on=1 the after image's
** column is the diff itself, {"json_diff":[...]} (jsondiff.h). */
void mvb_set_json_diff(mvb_decoder *d, int on);

/* The last error: names the event type and what was wrong. */
const char *mvb_errmsg(mvb_decoder *d);

/* The event type's name ("Write_rows_v2", "Gtid", ...) for messages. */
const char *mvb_event_name(int type);

#endif /* MV_BINLOG_H */
