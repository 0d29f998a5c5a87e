/*
** encode.h — the one value encoder that mysql_snapshot and the binlog
** decoder share, so that the same row encodes to the same bytes from both.
** No SQLite, no MySQL headers.
**
** A producer (the snapshot's result reader, the binlog row decoder) turns
** each MySQL value into an mv_value; this module turns mv_values into the
** JSON text of ../shared/DESIGN.md ("Value encoding") and into the plain
** text form that typed tables return for TEXT columns.
*/
#ifndef MV_ENCODE_H
#define MV_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* MySQL column type codes (the numbers of enum_field_types, as they appear
** on the wire and in the binlog). Defined here so pure code needs no
** client-library header. */
enum {
  MVT_DECIMAL = 0, MVT_TINY = 1, MVT_SHORT = 2, MVT_LONG = 3, MVT_FLOAT = 4,
  MVT_DOUBLE = 5, MVT_NULL = 6, MVT_TIMESTAMP = 7, MVT_LONGLONG = 8,
  MVT_INT24 = 9, MVT_DATE = 10, MVT_TIME = 11, MVT_DATETIME = 12,
  MVT_YEAR = 13, MVT_NEWDATE = 14, MVT_VARCHAR = 15, MVT_BIT = 16,
  MVT_TIMESTAMP2 = 17, MVT_DATETIME2 = 18, MVT_TIME2 = 19,
  MVT_TYPED_ARRAY = 20, MVT_VECTOR = 242, MVT_INVALID = 243,
  MVT_BOOL = 244, MVT_JSON = 245, MVT_NEWDECIMAL = 246, MVT_ENUM = 247,
  MVT_SET = 248, MVT_TINY_BLOB = 249, MVT_MEDIUM_BLOB = 250,
  MVT_LONG_BLOB = 251, MVT_BLOB = 252, MVT_VAR_STRING = 253,
  MVT_STRING = 254, MVT_GEOMETRY = 255
};

/* Collation ids with a meaning to the encoder. */
#define MV_CS_UTF8     0     /* bytes are already UTF-8 (utf8mb3/utf8mb4) */
#define MV_CS_BINARY   63    /* the "binary" charset: never text */
#define MV_CS_UNKNOWN  (-1)  /* no charset known (offline binlog without
                             ** metadata): treated as UTF-8 */

typedef enum mv_kind {
  MV_ABSENT = 0,   /* not in this row image (minimal/partial images): the
                   ** column is left out of the JSON object */
  MV_NULL,         /* SQL NULL */
  MV_INT,          /* v.i: signed integer (TINYINT..BIGINT, YEAR) */
  MV_UINT,         /* v.u: unsigned integer (UNSIGNED types, BIT, and ENUM
                   ** / SET numbers when their labels are unknown) */
  MV_FLOAT,        /* v.f: FLOAT, shortest text that round-trips a float */
  MV_DOUBLE,       /* v.d: DOUBLE, shortest text that round-trips a double */
  MV_DECIMAL,      /* v.s: decimal digits in text, exact scale, e.g. -12.3400 */
  MV_DATE,         /* v.t: year, month, day */
  MV_DATETIME,     /* v.t: DATETIME, and TIMESTAMP already in UTC; fsp digits */
  MV_TIME,         /* v.t: neg, hour (may exceed 24), minute, second, usec */
  MV_TEXT,         /* v.s: bytes in collation `charset`, emitted as UTF-8 */
  MV_BYTES,        /* v.s: binary bytes, emitted as lower-case hex */
  MV_JSON          /* v.s: JSON text, emitted as the value itself */
} mv_kind;

typedef struct mv_time {
  int neg;                 /* MV_TIME only: negative interval */
  unsigned year, month, day;
  unsigned hour, minute, second;
  unsigned usec;           /* microseconds, 0..999999 */
} mv_time;

typedef struct mv_value {
  mv_kind kind;
  int charset;             /* MV_TEXT: collation id, MV_CS_UTF8, MV_CS_UNKNOWN */
  int fsp;                 /* MV_DATETIME / MV_TIME: fraction digits 0..6 */
  union {
    int64_t i;
    uint64_t u;
    float f;
    double d;
    struct { const char *p; size_t n; } s;   /* not owned */
    mv_time t;
  } v;
} mv_value;

/* Append the JSON form of *v (DESIGN.md "Value encoding"). MV_ABSENT
** appends nothing. Never fails except by setting b->oom. */
void mv_encode_json(mv_buf *b, const mv_value *v);

/* Append the plain text form (what a typed TEXT column holds): the JSON
** form without the quotes and escapes of a JSON string. MV_BYTES appends
** the raw bytes (typed tables return them as a BLOB). */
void mv_encode_text(mv_buf *b, const mv_value *v);

/* Append a JSON string literal for n bytes of UTF-8 (escaped; invalid UTF-8
** sequences become U+FFFD). */
void mv_json_string(mv_buf *b, const char *z, size_t n);

/* The inverse: decode the JSON string literal at z[*pi] (its opening
** quote; n bytes in all) to UTF-8 (a lone surrogate becomes U+FFFD). With
** zOut (room for at least the literal's length) the bytes are written
** there; *pi moves past the closing quote. Returns the decoded length, or
** (size_t)-1 when there is no valid literal (*pi unchanged). */
size_t mv_json_unescape(const char *z, size_t n, size_t *pi, char *zOut);

/* Append {"name":value,...} for the columns whose kind is not MV_ABSENT.
** azName[i] may be NULL (or azName itself NULL): the key is then "@<i+1>",
** the 1-based column number, as mysqlbinlog prints it. */
void mv_encode_row(mv_buf *b, int nCol, const char *const *azName,
                   const mv_value *aVal);

/* The same with the keys escaped once per table instead of per row: the
** "name": texts of every column back to back, aEnd[i] the end of column
** i's. `tag` is the caller's to say which name list they were built for. */
typedef struct mv_row_keys {
  mv_buf text;
  size_t *aEnd;
  int nCol;
  uint64_t tag;
} mv_row_keys;
void mv_row_keys_init(mv_row_keys *k);
void mv_row_keys_free(mv_row_keys *k);
/* Build the keys of azName[nCol] (NULL names as above); 0, or non-zero
** when out of memory. */
int mv_row_keys_set(mv_row_keys *k, int nCol, const char *const *azName);
void mv_encode_row_keyed(mv_buf *b, const mv_row_keys *k, const mv_value *aVal);

/* Convert n bytes in collation `charset` to UTF-8, appended to b. Returns 0
** on success, non-zero if the collation id is unknown (then the bytes are
** appended as if UTF-8). */
int mv_to_utf8(mv_buf *b, int charset, const char *z, size_t n);

/* Length of the valid UTF-8 sequence starting at z (n bytes available),
** or 0 if the bytes there are not valid UTF-8. Inline: the JSON escaper and
** the UTF-8 copy call it per multi-byte character. */
static inline size_t mv_utf8_len(const char *zIn, size_t n){
  const unsigned char *z = (const unsigned char*)zIn;
  unsigned c = z[0];
  if( c<0x80 ) return 1;
  if( c<0xC2 ) return 0;
  if( c<0xE0 ){
    return (n>=2 && (z[1]&0xC0)==0x80) ? 2 : 0;
  }
  if( c<0xF0 ){
    if( n<3 || (z[1]&0xC0)!=0x80 || (z[2]&0xC0)!=0x80 ) return 0;
    if( c==0xE0 && z[1]<0xA0 ) return 0;          /* overlong */
    if( c==0xED && z[1]>=0xA0 ) return 0;         /* surrogate */
    return 3;
  }
  if( c<0xF5 ){
    if( n<4 || (z[1]&0xC0)!=0x80 || (z[2]&0xC0)!=0x80 || (z[3]&0xC0)!=0x80 ){
      return 0;
    }
    if( c==0xF0 && z[1]<0x90 ) return 0;          /* overlong */
    if( c==0xF4 && z[1]>=0x90 ) return 0;         /* above U+10FFFF */
    return 4;
  }
  return 0;
}

/* Character set name for a collation id ("utf8mb4", "latin1", "binary"...),
** or NULL if unknown. Covers MariaDB's and MySQL 8's ids. */
const char *mv_charset_name(int charset);
/* A collation id of a character set named as mv_charset_name names it
** ("latin1" -> 8), MV_CS_UNKNOWN for a name it does not know. */
int mv_charset_collation(const char *zCharset);
/* Are values of this collation id UTF-8 as they stand (utf8mb3/4, ascii,
** binary, unknown)? mv_to_utf8 then only replaces invalid sequences. */
int mv_charset_is_utf8(int charset);

/* Shortest decimal text that reads back to the same value; writes at most
** 32 bytes plus NUL into z and returns the length. */
int mv_format_double(char *z, double d);

/* Append the decimal text of an integer. */
void mv_append_u64(mv_buf *b, uint64_t v);
void mv_append_i64(mv_buf *b, int64_t v);

/* MySQL's binary DECIMAL(prec,scale) (decimal2bin: groups of 9 digits in
** 4 big-endian bytes, partial groups in fewer, sign in the top bit, negative
** values inverted), as the binlog and binary JSON hold it. */
#define MV_DECIMAL_TEXT_MAX 72   /* 65 digits, sign, point, a leading 0 */
/* Bytes of the binary form, or -1 when prec/scale are out of range. */
int mv_decimal_size(int prec, int scale);
/* Write the text of p[mv_decimal_size(prec,scale)] into z (at least
** MV_DECIMAL_TEXT_MAX bytes): no leading zeros, exactly `scale` fraction
** digits, no "-" on zero. Returns its length, or -1 for a digit group out
** of range. */
int mv_decimal_text(const uint8_t *p, int prec, int scale, char *z);
int mv_format_float(char *z, float f);

#endif /* MV_ENCODE_H */
