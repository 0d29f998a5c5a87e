/*
** mysqljson_diff.c — MySQL's PARTIAL_UPDATE_ROWS JSON diffs applied to the
** before document's text (mvj_apply_diff; see mysqljson.h). No SQLite.
**
** Diffs (Json_diff_vector::read_binary, after its 4-byte total length):
** per diff an operation byte (0 REPLACE, 1 INSERT, 2 REMOVE), the path
** length (packed integer) and path text, and for REPLACE/INSERT the value
** length (packed integer) and binary value. They are applied in order to a
** small tree parsed from the before text, with MySQL's rules
** (apply_json_diffs): REPLACE needs the path to exist, INSERT needs the
** parent and, in an object, a new key (placed in MySQL's key order: shorter
** keys first, then bytewise), REMOVE needs the path to exist.
*/
#include "mysqljson.h"
#include "mysqljson_int.h"
#include "bytes.h"
#include "encode.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- the text tree */

/* A node of a parsed JSON text. Scalars keep their text (a span of the
** document, or of a diff value's text); containers hold their children;
** a child of an object carries its key, decoded to UTF-8. */
typedef struct jnode jnode;
struct jnode {
  int kind;                 /* 0 scalar, 1 object, 2 array */
  const char *z;            /* scalar text */
  size_t n;
  jnode **a;                /* children */
  size_t nChild, nAlloc;
  char *zKey;               /* key, when the parent is an object */
  size_t nKey;
  jnode *pAll;              /* every node, for freeing */
};

#define JN_SCALAR 0
#define JN_OBJECT 1
#define JN_ARRAY  2

typedef struct jtree {
  jctx *j;
  jnode *pAll;              /* list of all nodes */
  mv_buf *aText;            /* texts of the diff values */
  size_t nText, nTextAlloc;
} jtree;

static jnode *newNode(jtree *t, int kind){
  jnode *p = calloc(1, sizeof *p);
  if( p==0 ){ mvj_fail(t->j, "out of memory"); return 0; }
  p->kind = kind;
  p->pAll = t->pAll;
  t->pAll = p;
  return p;
}

static void freeTree(jtree *t){
  jnode *p, *q;
  size_t i;
  for(p=t->pAll; p; p=q){
    q = p->pAll;
    free(p->a);
    free(p->zKey);
    free(p);
  }
  for(i=0; i<t->nText; i++) mv_buf_free(&t->aText[i]);
  free(t->aText);
  t->pAll = 0;
}

static int addChild(jtree *t, jnode *parent, size_t at, jnode *child){
  if( parent->nChild==parent->nAlloc ){
    size_t nNew = parent->nAlloc ? parent->nAlloc*2 : 4;
    jnode **a = realloc(parent->a, nNew * sizeof *a);
    if( a==0 ) return mvj_fail(t->j, "out of memory");
    parent->a = a;
    parent->nAlloc = nNew;
  }
  if( at>parent->nChild ) at = parent->nChild;
  memmove(parent->a+at+1, parent->a+at, (parent->nChild-at) * sizeof *parent->a);
  parent->a[at] = child;
  parent->nChild++;
  return 0;
}

typedef struct jparse {
  const char *z;
  size_t n, i;
} jparse;

static void skipWs(jparse *s){
  while( s->i<s->n && (s->z[s->i]==' ' || s->z[s->i]=='\t'
                    || s->z[s->i]=='\n' || s->z[s->i]=='\r') ) s->i++;
}

/* Decode the string at s->z[s->i] into a new allocation. */
static int decodeString(jtree *t, jparse *s, char **pz, size_t *pn){
  size_t start = s->i, n;
  char *z;
  n = mv_json_unescape(s->z, s->n, &s->i, 0);
  if( n==(size_t)-1 ) return mvj_fail(t->j, "bad string at offset %zu", start);
  z = malloc(n + 1);
  if( z==0 ) return mvj_fail(t->j, "out of memory");
  s->i = start;
  mv_json_unescape(s->z, s->n, &s->i, z);
  z[n] = 0;
  *pz = z;
  *pn = n;
  return 0;
}

static jnode *parseValue(jtree *t, jparse *s, int depth){
  jnode *p;
  size_t start;
  skipWs(s);
  if( s->i>=s->n ){ mvj_fail(t->j, "JSON text ends early"); return 0; }
  start = s->i;
  switch( s->z[s->i] ){
    case '{': case '[': {
      int isObj = s->z[s->i]=='{';
      char close = isObj ? '}' : ']';
      if( depth>=MVJ_MAX_DEPTH ){
        mvj_fail(t->j, "JSON text nested deeper than %d", MVJ_MAX_DEPTH);
        return 0;
      }
      p = newNode(t, isObj ? JN_OBJECT : JN_ARRAY);
      if( p==0 ) return 0;
      s->i++;
      skipWs(s);
      if( s->i<s->n && s->z[s->i]==close ){ s->i++; return p; }
      for(;;){
        char *zKey = 0;
        size_t nKey = 0;
        jnode *c;
        if( isObj ){
          skipWs(s);
          if( decodeString(t, s, &zKey, &nKey) ) return 0;
          skipWs(s);
          if( s->i>=s->n || s->z[s->i]!=':' ){
            free(zKey);
            mvj_fail(t->j, "JSON text: ':' expected at offset %zu", s->i);
            return 0;
          }
          s->i++;
        }
        c = parseValue(t, s, depth+1);
        if( c==0 ){ free(zKey); return 0; }
        c->zKey = zKey;
        c->nKey = nKey;
        if( addChild(t, p, p->nChild, c) ) return 0;
        skipWs(s);
        if( s->i<s->n && s->z[s->i]==',' ){ s->i++; continue; }
        if( s->i<s->n && s->z[s->i]==close ){ s->i++; return p; }
        mvj_fail(t->j, "JSON text: ',' or '%c' expected at offset %zu", close,
              s->i);
        return 0;
      }
    }
    case '"':
      if( mv_json_unescape(s->z, s->n, &s->i, 0)==(size_t)-1 ){
        mvj_fail(t->j, "JSON text: bad string at offset %zu", start);
        return 0;
      }
      break;
    default: {
      /* number or literal: a run of the characters they are made of */
      while( s->i<s->n ){
        char c = s->z[s->i];
        if( (c>='0' && c<='9') || (c>='a' && c<='z') || c=='-' || c=='+'
         || c=='.' || c=='E' ) s->i++;
        else break;
      }
      if( s->i==start ){
        mvj_fail(t->j, "JSON text: unexpected '%c' at offset %zu", s->z[start],
              start);
        return 0;
      }
    }
  }
  p = newNode(t, JN_SCALAR);
  if( p==0 ) return 0;
  p->z = s->z + start;
  p->n = s->i - start;
  return p;
}

static int nodeDepth(const jnode *p){
  int d = 0, c;
  size_t i;
  if( p->kind==JN_SCALAR ) return 0;
  for(i=0; i<p->nChild; i++){
    c = nodeDepth(p->a[i]);
    if( c>d ) d = c;
  }
  return d + 1;
}

static void printNode(mv_buf *b, const jnode *p){
  size_t i;
  if( p->kind==JN_SCALAR ){
    mv_buf_append(b, p->z, p->n);
    return;
  }
  mv_buf_char(b, p->kind==JN_OBJECT ? '{' : '[');
  for(i=0; i<p->nChild; i++){
    if( i>0 ) mv_buf_append(b, ", ", 2);
    if( p->kind==JN_OBJECT ){
      mv_json_string(b, p->a[i]->zKey, p->a[i]->nKey);
      mv_buf_append(b, ": ", 2);
    }
    printNode(b, p->a[i]);
  }
  mv_buf_char(b, p->kind==JN_OBJECT ? '}' : ']');
}

/* ------------------------------------------------------------- paths */

typedef struct jleg {
  int isMember;             /* 1: .name, 0: [index] */
  char *zName;              /* member name, decoded */
  size_t nName;
  uint64_t idx;             /* array index */
  int fromEnd;              /* [last-N] */
} jleg;

typedef struct jpath {
  jleg *a;
  size_t n;
} jpath;

static void freePath(jpath *p){
  size_t i;
  for(i=0; i<p->n; i++) free(p->a[i].zName);
  free(p->a);
  p->a = 0;
  p->n = 0;
}

/* Parse a diff path: '$' then legs .name, ."quoted", [N], [last], [last-N].
** Wildcards, ranges and '**' never appear in a diff and are errors. */
static int parsePath(jtree *t, const char *z, size_t n, jpath *out,
                     int iDiff){
  jparse s;
  s.z = z; s.n = n; s.i = 0;
  out->a = 0; out->n = 0;
  skipWs(&s);
  if( s.i>=n || z[s.i]!='$' ){
    return mvj_fail(t->j, "diff %d: path '%.*s' does not start with '$'", iDiff,
                 (int)(n>60 ? 60 : n), z);
  }
  s.i++;
  for(;;){
    jleg leg;
    skipWs(&s);
    if( s.i>=n ) break;
    memset(&leg, 0, sizeof leg);
    if( z[s.i]=='.' ){
      s.i++;
      skipWs(&s);
      leg.isMember = 1;
      if( s.i<n && z[s.i]=='"' ){
        if( decodeString(t, &s, &leg.zName, &leg.nName) ) goto bad;
      }else{
        size_t st = s.i;
        while( s.i<n && z[s.i]!='.' && z[s.i]!='[' && z[s.i]!=' '
            && z[s.i]!='*' ) s.i++;
        if( s.i==st ) goto bad;
        leg.nName = s.i - st;
        leg.zName = malloc(leg.nName + 1);
        if( leg.zName==0 ) return mvj_fail(t->j, "out of memory");
        memcpy(leg.zName, z+st, leg.nName);
        leg.zName[leg.nName] = 0;
      }
    }else if( z[s.i]=='[' ){
      s.i++;
      skipWs(&s);
      if( n-s.i>=4 && memcmp(z+s.i, "last", 4)==0 ){
        leg.fromEnd = 1;
        s.i += 4;
        skipWs(&s);
        if( s.i<n && z[s.i]=='-' ){
          s.i++;
          skipWs(&s);
          if( s.i>=n || z[s.i]<'0' || z[s.i]>'9' ) goto bad;
        }
      }else if( s.i>=n || z[s.i]<'0' || z[s.i]>'9' ){
        goto bad;
      }
      while( s.i<n && z[s.i]>='0' && z[s.i]<='9' ){
        if( leg.idx > 0xffffffffu ) goto bad;
        leg.idx = leg.idx*10 + (uint64_t)(z[s.i]-'0');
        s.i++;
      }
      skipWs(&s);
      if( s.i>=n || z[s.i]!=']' ) goto bad;
      s.i++;
    }else{
      goto bad;
    }
    {
      jleg *a = realloc(out->a, (out->n+1) * sizeof *a);
      if( a==0 ){ free(leg.zName); return mvj_fail(t->j, "out of memory"); }
      out->a = a;
      out->a[out->n++] = leg;
    }
    continue;
  bad:
    free(leg.zName);
    return mvj_fail(t->j, "diff %d: bad path '%.*s' at character %zu", iDiff,
                 (int)(n>60 ? 60 : n), z, s.i);
  }
  if( out->n==0 ){
    return mvj_fail(t->j, "diff %d: the path is the whole document", iDiff);
  }
  return 0;
}

/* Position of array leg `leg` in an array of nSize elements (MySQL's
** first_array_index): may be past the end. */
static uint64_t legIndex(const jleg *leg, size_t nSize){
  if( !leg->fromEnd ) return leg->idx;
  if( leg->idx < nSize ) return nSize - 1 - leg->idx;
  return (uint64_t)-1;       /* before the start: out of bounds */
}

static jnode *findMember(jnode *obj, const jleg *leg, size_t *pAt){
  size_t i;
  for(i=0; i<obj->nChild; i++){
    jnode *c = obj->a[i];
    if( c->nKey==leg->nName && memcmp(c->zKey, leg->zName, c->nKey)==0 ){
      if( pAt ) *pAt = i;
      return c;
    }
  }
  return 0;
}

/* Follow legs [0, nLeg) from the root (seek_exact_path); NULL if absent. */
static jnode *seek(jnode *p, const jpath *path, size_t nLeg){
  size_t i;
  for(i=0; i<nLeg && p; i++){
    const jleg *leg = &path->a[i];
    if( p->kind==JN_ARRAY && !leg->isMember ){
      uint64_t k = legIndex(leg, p->nChild);
      p = k < p->nChild ? p->a[k] : 0;
    }else if( p->kind==JN_OBJECT && leg->isMember ){
      p = findMember(p, leg, 0);
    }else{
      p = 0;
    }
  }
  return p;
}

/* MySQL's key order (Json_key_comparator): shorter first, then bytes. */
static int keyCmp(const char *a, size_t na, const char *b, size_t nb){
  if( na!=nb ) return na<nb ? -1 : 1;
  return memcmp(a, b, na);
}

/* Read a packed (net_field_length) integer, bounds-checked. */
static int readPacked(mv_reader *r, uint64_t *pv){
  *pv = mvr_lenenc(r);
  return !mvr_ok(r);
}

int mvj_apply_diff(const char *zDoc, size_t nDoc, const uint8_t *diff,
                   size_t nDiff, mv_buf *out, char *zErr, size_t nErr){
  jctx j;
  jtree t;
  jparse s;
  jnode *root;
  mv_reader r;
  int iDiff = 0, rc = 1;
  size_t start = out->n;
  jpath path = {0, 0};

  j.out = out; j.zErr = zErr; j.nErr = nErr; j.failed = 0;
  memset(&t, 0, sizeof t);
  t.j = &j;
  s.z = zDoc; s.n = nDoc; s.i = 0;
  root = parseValue(&t, &s, 0);
  if( root==0 ) goto done;
  skipWs(&s);
  if( s.i!=s.n ){
    mvj_fail(&j, "JSON text: trailing characters at offset %zu", s.i);
    goto done;
  }

  mvr_init(&r, diff, nDiff);
  while( mvr_left(&r)>0 ){
    size_t at = (size_t)(r.p - diff);
    int op = mvr_u8(&r);
    uint64_t nPath, nVal = 0;
    const char *zPath;
    const uint8_t *pVal = 0;
    jnode *val = 0, *parent;
    const jleg *last;
    iDiff++;
    if( op>2 ){
      mvj_fail(&j, "diff %d at byte %zu: unknown operation %d", iDiff, at, op);
      goto done;
    }
    if( readPacked(&r, &nPath) || nPath>mvr_left(&r) ){
      mvj_fail(&j, "diff %d at byte %zu: path truncated", iDiff, at);
      goto done;
    }
    zPath = (const char*)mvr_take(&r, (size_t)nPath);
    if( op!=2 ){
      if( readPacked(&r, &nVal) || nVal>mvr_left(&r) ){
        mvj_fail(&j, "diff %d at byte %zu: value truncated", iDiff, at);
        goto done;
      }
      pVal = mvr_take(&r, (size_t)nVal);
    }
    freePath(&path);
    if( parsePath(&t, zPath, (size_t)nPath, &path, iDiff) ) goto done;
    if( op!=2 ){
      /* the value: binary to text, kept alive, parsed into nodes */
      mv_buf *txt;
      jparse vs;
      char zE[160];
      if( t.nText==t.nTextAlloc ){
        size_t nNew = t.nTextAlloc ? t.nTextAlloc*2 : 4;
        mv_buf *a = realloc(t.aText, nNew * sizeof *a);
        if( a==0 ){ mvj_fail(&j, "out of memory"); goto done; }
        t.aText = a;
        t.nTextAlloc = nNew;
      }
      txt = &t.aText[t.nText++];
      mv_buf_init(txt);
      if( mvj_binary_to_text(pVal, (size_t)nVal, txt, zE, sizeof zE) ){
        mvj_fail(&j, "diff %d: bad value: %s", iDiff, zE);
        goto done;
      }
      vs.z = txt->z; vs.n = txt->n; vs.i = 0;
      val = parseValue(&t, &vs, 0);
      if( val==0 ) goto done;
      if( path.n + (size_t)nodeDepth(val) > MVJ_MAX_DEPTH ){
        mvj_fail(&j, "diff %d: the document would nest deeper than %d", iDiff,
              MVJ_MAX_DEPTH);
        goto done;
      }
    }
    parent = seek(root, &path, path.n-1);
    last = &path.a[path.n-1];
    if( parent==0 ){
      mvj_fail(&j, "diff %d: path '%.*s' not found", iDiff,
            (int)(nPath>60 ? 60 : nPath), zPath);
      goto done;
    }
    if( op==0 ){                                      /* REPLACE */
      jnode *old = seek(parent, &(jpath){(jleg*)last, 1}, 1);
      size_t k;
      if( old==0 ){
        mvj_fail(&j, "diff %d: path '%.*s' not found", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath);
        goto done;
      }
      for(k=0; k<parent->nChild && parent->a[k]!=old; k++){}
      val->zKey = old->zKey;
      val->nKey = old->nKey;
      old->zKey = 0;
      parent->a[k] = val;
    }else if( op==1 ){                                /* INSERT */
      if( parent->kind==JN_OBJECT && last->isMember ){
        size_t k;
        if( findMember(parent, last, 0) ){
          mvj_fail(&j, "diff %d: INSERT of '%.*s', which exists", iDiff,
                (int)(nPath>60 ? 60 : nPath), zPath);
          goto done;
        }
        val->zKey = malloc(last->nName + 1);
        if( val->zKey==0 ){ mvj_fail(&j, "out of memory"); goto done; }
        memcpy(val->zKey, last->zName, last->nName + 1);
        val->nKey = last->nName;
        for(k=0; k<parent->nChild; k++){
          if( keyCmp(parent->a[k]->zKey, parent->a[k]->nKey,
                     val->zKey, val->nKey)>0 ) break;
        }
        if( addChild(&t, parent, k, val) ) goto done;
      }else if( parent->kind==JN_ARRAY && !last->isMember ){
        uint64_t k = legIndex(last, parent->nChild);
        if( k==(uint64_t)-1 ) k = 0;
        if( addChild(&t, parent, k>parent->nChild ? parent->nChild
                                                  : (size_t)k, val) ){
          goto done;
        }
      }else{
        mvj_fail(&j, "diff %d: INSERT at '%.*s' into a %s", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath,
              parent->kind==JN_OBJECT ? "object by index" :
              parent->kind==JN_ARRAY ? "array by name" : "scalar");
        goto done;
      }
    }else{                                            /* REMOVE */
      size_t k = 0;
      int found = 0;
      if( parent->kind==JN_OBJECT && last->isMember ){
        found = findMember(parent, last, &k)!=0;
      }else if( parent->kind==JN_ARRAY && !last->isMember ){
        uint64_t q = legIndex(last, parent->nChild);
        if( q<parent->nChild ){ k = (size_t)q; found = 1; }
      }
      if( !found ){
        mvj_fail(&j, "diff %d: REMOVE of '%.*s', which does not exist", iDiff,
              (int)(nPath>60 ? 60 : nPath), zPath);
        goto done;
      }
      memmove(parent->a+k, parent->a+k+1,
              (parent->nChild-k-1) * sizeof *parent->a);
      parent->nChild--;
    }
  }
  printNode(out, root);
  if( out->oom ){
    mvj_fail(&j, "out of memory");
    goto done;
  }
  rc = 0;
done:
  freePath(&path);
  freeTree(&t);
  if( rc ) out->n = start;
  return rc;
}
