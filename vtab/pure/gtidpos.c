/*
** gtidpos.c — GTID positions and sets: parse, add, compare, format; see
** gtidpos.h. Entries are kept sorted (MariaDB by domain and server, MySQL
** by source), so that formatting is canonical and comparisons walk two
** lists side by side.
*/
#include "gtidpos.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MySQL's largest transaction number (2^63-1): interval arithmetic never
** overflows below it. */
#define MVG_GNO_MAX ((uint64_t)INT64_MAX)

void mvg_init(mvg_pos *p, int kind){
  memset(p, 0, sizeof *p);
  p->kind = kind;
}

void mvg_free(mvg_pos *p){
  int i, kind = p->kind;
  for(i=0; i<p->n; i++) free(p->a[i].aIv);
  free(p->a);
  mvg_init(p, kind);
}

/* ---- entries ---- */

static int cmpEntry(const mvg_pos *p, const mvg_entry *e, uint32_t domain,
                    uint32_t server, const char *zSrc){
  if( p->kind==MVG_MARIADB ){
    if( e->domain!=domain ) return e->domain<domain ? -1 : 1;
    if( e->server!=server ) return e->server<server ? -1 : 1;
    return 0;
  }
  return strcmp(e->zSrc, zSrc);
}

/* The entry of (domain, server) or zSrc, inserted in order if new; NULL
** when out of memory. */
static mvg_entry *entryFor(mvg_pos *p, uint32_t domain, uint32_t server,
                           const char *zSrc){
  int i, c = 1;
  for(i=0; i<p->n && (c = cmpEntry(p, &p->a[i], domain, server, zSrc))<0; i++){}
  if( i<p->n && c==0 ) return &p->a[i];
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 4;
    mvg_entry *a = realloc(p->a, sizeof(mvg_entry)*(size_t)nNew);
    if( a==0 ){ p->oom = 1; return 0; }
    p->a = a;
    p->nAlloc = nNew;
  }
  memmove(&p->a[i+1], &p->a[i], sizeof(mvg_entry)*(size_t)(p->n - i));
  memset(&p->a[i], 0, sizeof(mvg_entry));
  p->a[i].domain = domain;
  p->a[i].server = server;
  if( zSrc ) snprintf(p->a[i].zSrc, sizeof p->a[i].zSrc, "%s", zSrc);
  p->n++;
  return &p->a[i];
}

static void entryDrop(mvg_pos *p, int i){
  free(p->a[i].aIv);
  memmove(&p->a[i], &p->a[i+1], sizeof(mvg_entry)*(size_t)(p->n - i - 1));
  p->n--;
}

/* Add a..b to e's intervals, merging; 0 or 2 (out of memory). */
static int ivAdd(mvg_pos *p, mvg_entry *e, uint64_t a, uint64_t b){
  int i, j;
  /* the first interval that ends at or after a-1 */
  for(i=0; i<e->nIv && e->aIv[i].b + 1 < a; i++){}
  /* the intervals from i on that start at or before b+1 merge with a..b */
  for(j=i; j<e->nIv && e->aIv[j].a <= b + 1; j++){
    if( e->aIv[j].a < a ) a = e->aIv[j].a;
    if( e->aIv[j].b > b ) b = e->aIv[j].b;
  }
  if( j==i ){
    if( e->nIv==e->nIvAlloc ){
      int nNew = e->nIvAlloc ? e->nIvAlloc*2 : 4;
      mvg_ival *aIv = realloc(e->aIv, sizeof(mvg_ival)*(size_t)nNew);
      if( aIv==0 ){ p->oom = 1; return 2; }
      e->aIv = aIv;
      e->nIvAlloc = nNew;
    }
    memmove(&e->aIv[i+1], &e->aIv[i], sizeof(mvg_ival)*(size_t)(e->nIv - i));
    e->nIv++;
  }else if( j>i+1 ){
    memmove(&e->aIv[i+1], &e->aIv[j], sizeof(mvg_ival)*(size_t)(e->nIv - j));
    e->nIv -= j - i - 1;
  }
  e->aIv[i].a = a;
  e->aIv[i].b = b;
  return 0;
}

/* ---- parsing ---- */

static const char *skipSpace(const char *z){
  while( isspace((unsigned char)*z) ) z++;
  return z;
}

/* A decimal number of at most 20 digits, below max: the end, or NULL. */
static const char *parseNum(const char *z, uint64_t max, uint64_t *pV){
  uint64_t v = 0;
  int d = 0;
  while( isdigit((unsigned char)*z) ){
    unsigned dig = (unsigned)(*z - '0');
    if( v > (max - dig)/10 ) return 0;
    v = v*10 + dig;
    z++;
    d++;
  }
  if( d==0 ) return 0;
  *pV = v;
  return z;
}

/* MariaDB "d-s-n": the end, or NULL. */
static const char *parseMaria(const char *z, uint32_t *pD, uint32_t *pS,
                              uint64_t *pN){
  uint64_t d, s;
  if( (z = parseNum(z, 0xffffffffu, &d))==0 || *z++!='-' ) return 0;
  if( (z = parseNum(z, 0xffffffffu, &s))==0 || *z++!='-' ) return 0;
  if( (z = parseNum(z, UINT64_MAX, pN))==0 ) return 0;
  *pD = (uint32_t)d;
  *pS = (uint32_t)s;
  return z;
}

/* A MySQL uuid, into zOut as lower-case 8-4-4-4-12: the end, or NULL. */
static const char *parseUuid(const char *z, char *zOut){
  int k, o = 0;
  for(k=0; k<32; k++){
    if( *z=='-' && (k==8 || k==12 || k==16 || k==20) ){
      zOut[o++] = '-';
      z++;
    }else if( k==8 || k==12 || k==16 || k==20 ){
      zOut[o++] = '-';          /* written without dashes */
    }
    if( !isxdigit((unsigned char)*z) ) return 0;
    zOut[o++] = (char)tolower((unsigned char)*z);
    z++;
  }
  zOut[o] = 0;
  return z;
}

/* A tag ([a-z_][a-z0-9_]{0,31}, any case): its length at z, 0 if none. */
static int tagLen(const char *z){
  int n = 0;
  if( !isalpha((unsigned char)z[0]) && z[0]!='_' ) return 0;
  while( n<33 && (isalnum((unsigned char)z[n]) || z[n]=='_') ) n++;
  return n<=32 ? n : 0;
}

/* "uuid" + ":tag" (lower case) into zSrc. */
static void srcName(char *zSrc, const char *zUuid, const char *zTag, int nTag){
  int i, o = snprintf(zSrc, MVG_SRC_MAX, "%s", zUuid);
  if( nTag==0 ) return;
  zSrc[o++] = ':';
  for(i=0; i<nTag; i++) zSrc[o++] = (char)tolower((unsigned char)zTag[i]);
  zSrc[o] = 0;
}

/* One MySQL entry "uuid:1-5:7:tag:1-3" into p (NULL: only measured):
** its number of intervals in *pnIv, and whether one was a range (a-b) in
** *pRange. The end, or NULL. */
static const char *parseMysqlEntry(mvg_pos *p, const char *z, int *pnIv,
                                   int *pRange){
  char zUuid[40], zSrc[MVG_SRC_MAX];
  const char *zTag = 0;
  int nTag = 0;
  *pnIv = 0;
  *pRange = 0;
  if( (z = parseUuid(z, zUuid))==0 || *z!=':' ) return 0;
  srcName(zSrc, zUuid, 0, 0);
  while( *z==':' ){
    uint64_t a, b;
    int t;
    z++;
    if( (t = tagLen(z))>0 ){
      if( zTag && *pnIv==0 ) return 0;       /* "uuid:tag:tag2" */
      zTag = z;
      nTag = t;
      z += t;
      srcName(zSrc, zUuid, zTag, nTag);
      *pnIv = 0;
      continue;
    }
    if( (z = parseNum(z, MVG_GNO_MAX, &a))==0 || a==0 ) return 0;
    b = a;
    if( *z=='-' ){
      if( (z = parseNum(z+1, MVG_GNO_MAX, &b))==0 || b<a ) return 0;
      *pRange = 1;
    }
    if( p ){
      mvg_entry *e = entryFor(p, 0, 0, zSrc);
      if( e==0 || ivAdd(p, e, a, b) ) return 0;
    }
    (*pnIv)++;
  }
  return *pnIv ? z : 0;
}

int mvg_parse(mvg_pos *p, const char *z){
  z = skipSpace(z);
  if( *z==0 ) return 0;
  while( 1 ){
    if( p->kind==MVG_MARIADB ){
      uint32_t d, s;
      uint64_t n;
      mvg_entry *e;
      if( (z = parseMaria(z, &d, &s, &n))==0 ) return 1;
      if( (e = entryFor(p, d, s, 0))==0 ) return 2;
      if( n>e->seq ) e->seq = n;
    }else{
      int nIv, range;
      const char *zEnd = parseMysqlEntry(0, z, &nIv, &range);
      if( zEnd==0 ) return 1;
      if( parseMysqlEntry(p, z, &nIv, &range)==0 ) return 2;
      z = zEnd;
    }
    z = skipSpace(z);
    if( *z==0 ) return 0;
    if( *z!=',' ) return 1;
    z = skipSpace(z+1);
  }
}

int mvg_add(mvg_pos *p, const char *zGtid){
  if( p->kind==MVG_MARIADB ){
    uint32_t d, s;
    uint64_t n;
    mvg_entry *e;
    int i;
    const char *zEnd = parseMaria(zGtid, &d, &s, &n);
    if( zEnd==0 || *zEnd ) return 1;
    /* the domain's last GTID: its entries of other servers go */
    for(i=p->n-1; i>=0; i--){
      if( p->a[i].domain==d && p->a[i].server!=s ) entryDrop(p, i);
    }
    if( (e = entryFor(p, d, s, 0))==0 ) return 2;
    e->seq = n;
    return 0;
  }else{
    int nIv, range;
    const char *zEnd = parseMysqlEntry(0, zGtid, &nIv, &range);
    if( zEnd==0 || *zEnd || nIv!=1 || range ) return 1;
    return parseMysqlEntry(p, zGtid, &nIv, &range) ? 0 : 2;
  }
}

int mvg_union(mvg_pos *p, const mvg_pos *b){
  int i, k;
  for(i=0; i<b->n; i++){
    const mvg_entry *f = &b->a[i];
    mvg_entry *e = entryFor(p, f->domain, f->server, f->zSrc);
    if( e==0 ) return 2;
    if( p->kind==MVG_MARIADB ){
      if( f->seq>e->seq ) e->seq = f->seq;
      continue;
    }
    for(k=0; k<f->nIv; k++){
      if( ivAdd(p, e, f->aIv[k].a, f->aIv[k].b) ) return 2;
    }
  }
  return 0;
}

/* ---- out ---- */

void mvg_format(const mvg_pos *p, mv_buf *out){
  int i, k;
  const char *zLast = 0;        /* the uuid written last */
  for(i=0; i<p->n; i++){
    const mvg_entry *e = &p->a[i];
    if( p->kind==MVG_MARIADB ){
      mv_buf_printf(out, "%s%u-%u-%llu", i ? "," : "", e->domain, e->server,
                    (unsigned long long)e->seq);
      continue;
    }
    if( e->nIv==0 ) continue;
    /* tags of the same uuid follow it: "uuid:1-5:tag:1-3" */
    if( zLast && strncmp(zLast, e->zSrc, 36)==0 ){
      mv_buf_str(out, e->zSrc + 36);
    }else{
      if( zLast ) mv_buf_char(out, ',');
      mv_buf_str(out, e->zSrc);
      zLast = e->zSrc;
    }
    for(k=0; k<e->nIv; k++){
      if( e->aIv[k].a==e->aIv[k].b ){
        mv_buf_printf(out, ":%llu", (unsigned long long)e->aIv[k].a);
      }else{
        mv_buf_printf(out, ":%llu-%llu", (unsigned long long)e->aIv[k].a,
                      (unsigned long long)e->aIv[k].b);
      }
    }
  }
}

/* b's entry for e, or NULL. */
static const mvg_entry *findEntry(const mvg_pos *b, const mvg_entry *e){
  int i;
  for(i=0; i<b->n; i++){
    if( cmpEntry(b, &b->a[i], e->domain, e->server, e->zSrc)==0 ) return &b->a[i];
  }
  return 0;
}

/* Is a..b inside f's intervals? */
static int ivCovered(const mvg_entry *f, uint64_t a, uint64_t b){
  int k;
  for(k=0; k<f->nIv; k++){
    if( f->aIv[k].a<=a && b<=f->aIv[k].b ) return 1;
  }
  return 0;
}

int mvg_subset(const mvg_pos *a, const mvg_pos *b){
  int i, k;
  for(i=0; i<a->n; i++){
    const mvg_entry *e = &a->a[i];
    const mvg_entry *f = findEntry(b, e);
    if( a->kind==MVG_MARIADB ){
      if( f==0 || f->seq<e->seq ) return 0;
      continue;
    }
    for(k=0; k<e->nIv; k++){
      if( f==0 || !ivCovered(f, e->aIv[k].a, e->aIv[k].b) ) return 0;
    }
  }
  return 1;
}

int mvg_same(const mvg_pos *a, const mvg_pos *b){
  int i;
  if( a->kind==MVG_MARIADB ){
    if( a->n!=b->n ) return 0;
    for(i=0; i<a->n; i++){
      if( a->a[i].domain!=b->a[i].domain || a->a[i].server!=b->a[i].server
       || a->a[i].seq!=b->a[i].seq ) return 0;
    }
    return 1;
  }
  return mvg_subset(a, b) && mvg_subset(b, a);
}

int mvg_minus(const mvg_pos *a, const mvg_pos *b, mvg_pos *out){
  int i, k, j;
  for(i=0; i<a->n; i++){
    const mvg_entry *e = &a->a[i];
    const mvg_entry *f = findEntry(b, e);
    for(k=0; k<e->nIv; k++){
      uint64_t lo = e->aIv[k].a, hi = e->aIv[k].b;
      /* walk f's intervals (ascending) across lo..hi */
      for(j=0; f && j<f->nIv && lo<=hi; j++){
        const mvg_ival *g = &f->aIv[j];
        if( g->b < lo ) continue;
        if( g->a > hi ) break;
        if( g->a > lo ){
          mvg_entry *o = entryFor(out, 0, 0, e->zSrc);
          if( o==0 || ivAdd(out, o, lo, g->a - 1) ) return 2;
        }
        if( g->b >= hi ){ lo = hi + 1; break; }
        lo = g->b + 1;
      }
      if( lo<=hi && lo!=0 ){
        mvg_entry *o = entryFor(out, 0, 0, e->zSrc);
        if( o==0 || ivAdd(out, o, lo, hi) ) return 2;
      }
    }
  }
  return 0;
}

/* ---- what a server lacks ---- */

static void why(char *zWhy, size_t nWhy, const char *zFmt, const char *a,
                const char *b){
  snprintf(zWhy, nWhy, zFmt, a, b);
}

int mvg_server_lacks(int kind, const char *zPos, const char *zHave,
                     const char *zGone, char *zWhy, size_t nWhy){
  mvg_pos pos, have, gone, d;
  mv_buf t1, t2;
  int rc = 0, i;
  mvg_init(&pos, kind);
  mvg_init(&have, kind);
  mvg_init(&gone, kind);
  mvg_init(&d, kind);
  mv_buf_init(&t1);
  mv_buf_init(&t2);
  if( zWhy && nWhy ) zWhy[0] = 0;
  if( mvg_parse(&pos, zPos ? zPos : "") ){
    why(zWhy, nWhy, "not a GTID position: '%.200s'%s", zPos ? zPos : "", "");
    rc = -1;
  }else if( mvg_parse(&have, zHave ? zHave : "")
         || (zGone && mvg_parse(&gone, zGone)) ){
    why(zWhy, nWhy, "the server's GTIDs do not parse: '%.200s'%s",
        zHave ? zHave : "", "");
    rc = -1;
  }else if( kind==MVG_MARIADB ){
    for(i=0; i<pos.n && rc==0; i++){
      const mvg_entry *e = &pos.a[i], *f = findEntry(&have, e);
      int k, inDomain = 0;
      if( f && f->seq>=e->seq ) continue;
      mv_buf_printf(&t1, "%u-%u-%llu", e->domain, e->server,
                    (unsigned long long)e->seq);
      for(k=0; k<have.n; k++) inDomain |= have.a[k].domain==e->domain;
      if( f ){
        mv_buf_printf(&t2, "its last of domain %u from server_id %u is"
                      " %u-%u-%llu", e->domain, e->server, f->domain,
                      f->server, (unsigned long long)f->seq);
      }else if( inDomain ){
        mv_buf_printf(&t2, "it logged nothing of domain %u from server_id %u",
                      e->domain, e->server);
      }else{
        mv_buf_printf(&t2, "it logged nothing of domain %u", e->domain);
      }
      why(zWhy, nWhy, "the server never logged %s (%s)", mv_buf_cstr(&t1),
          mv_buf_cstr(&t2));
      rc = 1;
    }
  }else{
    if( mvg_minus(&pos, &have, &d)==0 && d.n>0 ){
      mvg_format(&d, &t1);
      why(zWhy, nWhy, "the server never executed %.400s%s", mv_buf_cstr(&t1), "");
      rc = 1;
    }else{
      mvg_free(&d);
      if( mvg_minus(&gone, &pos, &d)==0 && d.n>0 ){
        mvg_format(&d, &t1);
        why(zWhy, nWhy, "the server has purged %.400s%s, which the replica"
            " never applied", mv_buf_cstr(&t1), "");
        rc = 1;
      }
    }
  }
  if( rc==0 && (pos.oom || have.oom || gone.oom || d.oom || t1.oom || t2.oom) ){
    why(zWhy, nWhy, "out of memory%s%s", "", "");
    rc = -1;
  }
  mvg_free(&pos);
  mvg_free(&have);
  mvg_free(&gone);
  mvg_free(&d);
  mv_buf_free(&t1);
  mv_buf_free(&t2);
  return rc;
}
