/*
** charset.c — collation id -> character set, and conversion of column bytes
** to UTF-8 (pure: no SQLite, no client library). The binlog carries text in
** the column's own character set; the snapshot asks the server for utf8mb4.
** Both end up here or pass through unchanged, so they agree.
**
** utf8mb3/utf8mb4/ascii pass through (invalid sequences become U+FFFD);
** latin1 is MySQL's latin1, which is Windows-1252 with the five undefined
** bytes mapped to the C1 controls; everything else goes through iconv.
*/
#include "encode.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

/* Generated from MariaDB 10.11 INFORMATION_SCHEMA.COLLATIONS (ID, CHARACTER_SET_NAME),
** plus MariaDB 11's UCA 14.0 ids (at the end) and MySQL 8's ids MariaDB lacks: 76 utf8mb3_tolower_ci, 248-250 gb18030,
** 255-323 the utf8mb4 *_0900_* collations. */
static const char *const azCharset[] = {
  0,
  "armscii8", "ascii", "big5", "binary", "cp1250", "cp1251",
  "cp1256", "cp1257", "cp850", "cp852", "cp866", "cp932",
  "dec8", "eucjpms", "euckr", "gb18030", "gb2312", "gbk",
  "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r",
  "koi8u", "latin1", "latin2", "latin5", "latin7", "macce",
  "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis",
  "utf16", "utf16le", "utf32", "utf8mb3", "utf8mb4"
};
#define MV_MAX_COLLATION 3271
/* {first id, last id, index into azCharset} in ascending order */
static const unsigned short aCollationRun[][3] = {
  {1,1,3}, {2,2,27}, {3,3,13}, {4,4,9}, {5,5,26}, {6,6,22},
  {7,7,24}, {8,8,26}, {9,9,27}, {10,10,33}, {11,11,2}, {12,12,36},
  {13,13,32}, {14,14,6}, {15,15,26}, {16,16,21}, {18,18,34}, {19,19,15},
  {20,20,29}, {21,21,27}, {22,22,25}, {23,23,6}, {24,24,17}, {25,25,20},
  {26,26,5}, {27,27,27}, {28,28,18}, {29,29,8}, {30,30,28}, {31,31,26},
  {32,32,1}, {33,33,40}, {34,34,5}, {35,35,35}, {36,36,11}, {37,37,23},
  {38,38,30}, {39,39,31}, {40,40,10}, {41,42,29}, {43,43,30}, {44,44,5},
  {45,46,41}, {47,49,26}, {50,52,6}, {53,53,31}, {54,55,37}, {56,56,38},
  {57,57,7}, {58,59,8}, {60,61,39}, {62,62,38}, {63,63,4}, {64,64,1},
  {65,65,2}, {66,66,5}, {67,67,7}, {68,68,11}, {69,69,13}, {70,70,20},
  {71,71,21}, {72,72,22}, {73,73,23}, {74,74,24}, {75,75,25}, {76,76,40},
  {77,77,27}, {78,78,28}, {79,79,29}, {80,80,9}, {81,81,10}, {82,82,33},
  {83,83,40}, {84,84,3}, {85,85,15}, {86,86,17}, {87,87,18}, {88,88,32},
  {89,89,34}, {90,90,35}, {91,91,36}, {92,93,19}, {94,94,26}, {95,96,12},
  {97,98,14}, {99,99,5}, {101,124,37}, {128,151,35}, {159,159,35}, {160,183,39},
  {192,215,40}, {223,223,40}, {224,247,41}, {248,250,16}, {255,323,41}, {576,578,40},
  {608,610,41}, {640,642,35}, {672,674,37}, {736,738,39}, {1025,1025,3}, {1027,1027,13},
  {1028,1028,9}, {1030,1030,22}, {1031,1031,24}, {1032,1032,26}, {1033,1033,27}, {1034,1034,33},
  {1035,1035,2}, {1036,1036,36}, {1037,1037,32}, {1040,1040,21}, {1042,1042,34}, {1043,1043,15},
  {1046,1046,25}, {1048,1048,17}, {1049,1049,20}, {1050,1050,5}, {1052,1052,18}, {1054,1054,28},
  {1056,1056,1}, {1057,1057,40}, {1059,1059,35}, {1060,1060,11}, {1061,1061,23}, {1062,1062,30},
  {1063,1063,31}, {1064,1064,10}, {1065,1065,29}, {1067,1067,30}, {1069,1070,41}, {1071,1071,26},
  {1074,1075,6}, {1077,1077,31}, {1078,1079,37}, {1080,1080,38}, {1081,1081,7}, {1082,1083,8},
  {1084,1085,39}, {1086,1086,38}, {1088,1088,1}, {1089,1089,2}, {1090,1090,5}, {1091,1091,7},
  {1092,1092,11}, {1093,1093,13}, {1094,1094,20}, {1095,1095,21}, {1096,1096,22}, {1097,1097,23},
  {1098,1098,24}, {1099,1099,25}, {1101,1101,27}, {1102,1102,28}, {1103,1103,29}, {1104,1104,9},
  {1105,1105,10}, {1106,1106,33}, {1107,1107,40}, {1108,1108,3}, {1109,1109,15}, {1110,1110,17},
  {1111,1111,18}, {1112,1112,32}, {1113,1113,34}, {1114,1114,35}, {1115,1115,36}, {1116,1117,19},
  {1119,1120,12}, {1121,1122,14}, {1125,1125,37}, {1147,1147,37}, {1152,1152,35}, {1174,1174,35},
  {1184,1184,39}, {1206,1206,39}, {1216,1216,40}, {1238,1238,40}, {1248,1248,41}, {1270,1270,41},
  /* MariaDB 11.x's UCA 14.0 collations (utf16_uca1400_ai_ci, ...), from
  ** 11.8's COLLATION_CHARACTER_SET_APPLICABILITY */
  {2048,2247,40}, {2304,2503,41}, {2560,2759,35}, {2816,3015,37}, {3072,3271,39},
};

/* Indexes into azCharset that the conversion treats specially. */
#define CS_ASCII    2
#define CS_BINARY   4
#define CS_LATIN1  26
#define CS_UTF8MB3 40
#define CS_UTF8MB4 41

/* The azCharset index of a collation id, 0 if unknown. */
static int charsetIndex(int charset){
  int lo = 0, hi = (int)(sizeof(aCollationRun)/sizeof(aCollationRun[0])) - 1;
  if( charset<=0 || charset>MV_MAX_COLLATION ) return 0;
  while( lo<=hi ){
    int mid = (lo + hi)/2;
    if( charset < aCollationRun[mid][0] ) hi = mid - 1;
    else if( charset > aCollationRun[mid][1] ) lo = mid + 1;
    else return aCollationRun[mid][2];
  }
  return 0;
}

const char *mv_charset_name(int charset){
  return azCharset[charsetIndex(charset)];
}

int mv_charset_collation(const char *zCharset){
  size_t i, k;
  for(i=1; zCharset && i<sizeof(azCharset)/sizeof(azCharset[0]); i++){
    if( strcmp(azCharset[i], zCharset)!=0 ) continue;
    for(k=0; k<sizeof(aCollationRun)/sizeof(aCollationRun[0]); k++){
      if( aCollationRun[k][2]==i ) return aCollationRun[k][0];
    }
  }
  return MV_CS_UNKNOWN;
}

/* Bytes that pass through as UTF-8 (invalid sequences still replaced):
** utf8mb3/utf8mb4, ascii, binary, and an unknown or unset charset. */
static int passesAsUtf8(int charset, int idx){
  return charset==MV_CS_UTF8 || charset==MV_CS_UNKNOWN || idx==0
      || idx==CS_UTF8MB4 || idx==CS_UTF8MB3 || idx==CS_ASCII
      || idx==CS_BINARY;
}

int mv_charset_is_utf8(int charset){
  return passesAsUtf8(charset, charsetIndex(charset));
}

static void appendCodepoint(mv_buf *b, unsigned c){
  char t[4];
  if( c<0x80 ){ mv_buf_char(b, (char)c); return; }
  if( c<0x800 ){
    t[0] = (char)(0xC0 | (c>>6)); t[1] = (char)(0x80 | (c&0x3F));
    mv_buf_append(b, t, 2);
  }else if( c<0x10000 ){
    t[0] = (char)(0xE0 | (c>>12)); t[1] = (char)(0x80 | ((c>>6)&0x3F));
    t[2] = (char)(0x80 | (c&0x3F));
    mv_buf_append(b, t, 3);
  }else{
    t[0] = (char)(0xF0 | (c>>18)); t[1] = (char)(0x80 | ((c>>12)&0x3F));
    t[2] = (char)(0x80 | ((c>>6)&0x3F)); t[3] = (char)(0x80 | (c&0x3F));
    mv_buf_append(b, t, 4);
  }
}

/* Copy UTF-8, replacing each invalid byte with U+FFFD. */
static void copyUtf8(mv_buf *b, const unsigned char *z, size_t n){
  size_t i = 0;
  while( i<n ){
    size_t j = i, k;
    /* the longest valid run, ASCII and multi-byte alike, in one append */
    for(;;){
      while( j<n && z[j]<0x80 ) j++;
      if( j<n && (k = mv_utf8_len((const char*)z+j, n-j))!=0 ){ j += k; continue; }
      break;
    }
    if( j>i ){ mv_buf_append(b, z+i, j-i); i = j; }
    if( i<n ){ appendCodepoint(b, 0xFFFD); i++; }
  }
}

/* MySQL's latin1 bytes 0x80..0x9F (Windows-1252, undefined ones kept). */
static const unsigned short aLatin1High[32] = {
  0x20AC,0x0081,0x201A,0x0192,0x201E,0x2026,0x2020,0x2021,
  0x02C6,0x2030,0x0160,0x2039,0x0152,0x008D,0x017D,0x008F,
  0x0090,0x2018,0x2019,0x201C,0x201D,0x2022,0x2013,0x2014,
  0x02DC,0x2122,0x0161,0x203A,0x0153,0x009D,0x017E,0x0178
};

/* iconv's name for a MySQL character set, or NULL. */
static const char *iconvName(const char *zCs){
  static const char *const aMap[][2] = {
    {"ucs2","UCS-2BE"}, {"utf16","UTF-16BE"}, {"utf16le","UTF-16LE"},
    {"utf32","UTF-32BE"}, {"latin2","ISO-8859-2"}, {"latin5","ISO-8859-9"},
    {"latin7","ISO-8859-13"}, {"greek","ISO-8859-7"}, {"hebrew","ISO-8859-8"},
    {"cp1250","CP1250"}, {"cp1251","CP1251"}, {"cp1256","CP1256"},
    {"cp1257","CP1257"}, {"cp850","CP850"}, {"cp852","CP852"},
    {"cp866","CP866"}, {"cp932","CP932"}, {"sjis","SHIFT_JIS"},
    {"ujis","EUC-JP"}, {"eucjpms","EUC-JP-MS"}, {"euckr","EUC-KR"},
    {"gbk","GBK"}, {"gb2312","GB2312"}, {"gb18030","GB18030"},
    {"big5","BIG5"}, {"koi8r","KOI8-R"}, {"koi8u","KOI8-U"},
    {"tis620","TIS-620"}, {"armscii8","ARMSCII-8"}, {"macroman","MACINTOSH"},
    {"macce","MAC-CENTRALEUROPE"}, {"geostd8","GEORGIAN-PS"},
    {"keybcs2","CP895"}, {"dec8","DEC-MCS"}, {"hp8","HP-ROMAN8"},
    {"swe7","ISO646-SE"},
  };
  size_t i;
  for(i=0; i<sizeof(aMap)/sizeof(aMap[0]); i++){
    if( strcmp(aMap[i][0], zCs)==0 ) return aMap[i][1];
  }
  return 0;
}

/* Convert with iconv; each byte iconv cannot read becomes U+FFFD. The
** converter of the last charset used is kept per thread: text columns of
** one table usually share a charset. */
static int convertIconv(mv_buf *b, int charset, const char *zName,
                        const char *z, size_t n){
  static _Thread_local iconv_t cd = (iconv_t)-1;
  static _Thread_local int cdCharset = 0;
  char *in = (char*)z;
  size_t inLeft = n;
  if( cdCharset!=charset ){
    if( cd!=(iconv_t)-1 ) iconv_close(cd);
    cd = iconv_open("UTF-8", zName);
    cdCharset = cd==(iconv_t)-1 ? 0 : charset;
    if( cd==(iconv_t)-1 ) return 1;
  }
  iconv(cd, 0, 0, 0, 0);
  while( inLeft>0 ){
    char *out;
    size_t outLeft, r;
    if( mv_buf_reserve(b, inLeft*4 + 16) ) return 0;
    out = b->z + b->n;
    outLeft = b->cap - b->n - 1;
    r = iconv(cd, &in, &inLeft, &out, &outLeft);
    b->n = (size_t)(out - b->z);
    if( r==(size_t)-1 ){
      if( errno==E2BIG ) continue;
      /* EILSEQ or EINVAL (truncated sequence): replace one byte, go on. */
      appendCodepoint(b, 0xFFFD);
      in++; inLeft--;
      iconv(cd, 0, 0, 0, 0);
    }
  }
  return 0;
}

int mv_to_utf8(mv_buf *b, int charset, const char *z, size_t n){
  const unsigned char *u = (const unsigned char*)z;
  int idx = charset>0 ? charsetIndex(charset) : 0;
  const char *zIconv;
  if( passesAsUtf8(charset, idx) ){
    copyUtf8(b, u, n);
    return charset>0 && idx==0;      /* an unknown collation id */
  }
  if( idx==CS_LATIN1 ){
    size_t i = 0;
    while( i<n ){
      size_t j = i;
      while( j<n && u[j]<0x80 ) j++;
      if( j>i ){ mv_buf_append(b, u+i, j-i); i = j; }
      if( i<n ){
        appendCodepoint(b, u[i]<0xA0 ? aLatin1High[u[i]-0x80] : u[i]);
        i++;
      }
    }
    return 0;
  }
  zIconv = iconvName(azCharset[idx]);
  if( zIconv==0 || convertIconv(b, charset, zIconv, z, n) ){
    copyUtf8(b, u, n);
    return 1;
  }
  return 0;
}
