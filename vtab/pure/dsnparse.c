/*
** dsnparse.c — the DSN parser; see dsnparse.h. Messages are the ones
** README's DSN section and test/dsn01.test pin.
*/
#include "dsnparse.h"
#include "buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dsnErr(const char *zFmt, ...) __attribute__((format(printf, 1, 2)));
static char *dsnErr(const char *zFmt, ...){
  va_list ap;
  int n;
  char *z;
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  if( n<0 || (z = malloc((size_t)n + 1))==0 ) return 0;
  va_start(ap, zFmt);
  vsnprintf(z, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  return z;
}

static void freeSecret(char *z){
  if( z ){
    memset(z, 0, strlen(z));
    free(z);
  }
}

void mv_dsn_free(mv_dsn *p){
  free(p->host);     free(p->user);
  freeSecret(p->password);
  free(p->database); free(p->socket);
  free(p->ssl_mode); free(p->ssl_ca);
  free(p->ssl_cert); free(p->ssl_key);
  free(p->option_file); free(p->option_group);
  free(p->server_public_key);
  memset(p, 0, sizeof *p);
}

/* Parse an unsigned number for key zKey into *pOut; 0 on success. */
static int dsnNumber(const char *zKey, const char *zVal, unsigned lo,
                     unsigned hi, unsigned *pOut, char **pzErr){
  char *zEnd = 0;
  unsigned long v;
  if( zVal[0]==0 || !isdigit((unsigned char)zVal[0]) ) goto bad;
  v = strtoul(zVal, &zEnd, 10);
  if( *zEnd || v<lo || v>hi ) goto bad;
  *pOut = (unsigned)v;
  return 0;
bad:
  *pzErr = dsnErr("DSN: %s must be a number from %u to %u, not '%s'",
                  zKey, lo, hi, zVal);
  return 1;
}

/* The value at *pz (quoted or a bare word) into val; *pz moves past it.
** 0, or non-zero with *pzErr set. */
static int dsnValue(const char **pz, mv_buf *val, int nKey, const char *zKey,
                    int pos, char **pzErr){
  const char *z = *pz;
  if( *z=='\'' ){
    z++;
    while( 1 ){
      if( *z==0 ){
        *pzErr = dsnErr("DSN: unterminated quote in the value of"
                        " '%.*s' at position %d", nKey, zKey, pos);
        return 1;
      }
      if( z[0]=='\\' && (z[1]=='\'' || z[1]=='\\') ){ z++; }
      else if( z[0]=='\'' ){
        if( z[1]!='\'' ){ z++; break; }
        z++;
      }
      mv_buf_char(val, *z);
      z++;
    }
    if( *z && !isspace((unsigned char)*z) ){
      *pzErr = dsnErr("DSN: expected a space after the quoted value"
                      " of '%.*s' at position %d", nKey, zKey, pos);
      return 1;
    }
  }else{
    const char *zStart = z;
    while( *z && !isspace((unsigned char)*z) ) z++;
    mv_buf_append(val, zStart, (size_t)(z - zStart));
  }
  *pz = z;
  return 0;
}

int mv_dsn_parse_text(const char *zDsn, mv_dsn *p, char **pzErr){
  const char *z = zDsn ? zDsn : "";
  int afterPassword = 0;   /* the previous pair was password=... */
  mv_buf val;
  memset(p, 0, sizeof *p);
  *pzErr = 0;
  mv_buf_init(&val);
  while( 1 ){
    const char *zKey;
    int nKey;
    char *zVal;
    char **pSlot = 0;
    unsigned *pNum = 0;
    const char *zNum = 0;   /* pNum's key, for its error */
    unsigned lo = 0, hi = 0;
    int pos;
    while( isspace((unsigned char)*z) ) z++;
    if( *z==0 ) break;
    pos = (int)(z - zDsn) + 1;
    zKey = z;
    while( *z && *z!='=' && !isspace((unsigned char)*z) ) z++;
    nKey = (int)(z - zKey);
    if( *z!='=' || nKey==0 ){
      /* A word after the password is most likely the rest of a password
      ** holding a space: never echo it. */
      if( afterPassword ){
        *pzErr = dsnErr("DSN: expected key=value at position %d,"
            " after the password (quote a password that holds spaces:"
            " password='...')", pos);
      }else{
        *pzErr = dsnErr("DSN: expected key=value at position %d,"
                        " found '%.*s'", pos, nKey ? nKey : 1, zKey);
      }
      goto fail;
    }
    z++;
#define KEY(name) (nKey==(int)sizeof(name)-1 && memcmp(zKey, name, nKey)==0)
    if( KEY("host") ) pSlot = &p->host;
    else if( KEY("user") ) pSlot = &p->user;
    else if( KEY("password") ) pSlot = &p->password;
    else if( KEY("database") ) pSlot = &p->database;
    else if( KEY("socket") ) pSlot = &p->socket;
    else if( KEY("ssl_mode") ) pSlot = &p->ssl_mode;
    else if( KEY("ssl_ca") ) pSlot = &p->ssl_ca;
    else if( KEY("ssl_cert") ) pSlot = &p->ssl_cert;
    else if( KEY("ssl_key") ) pSlot = &p->ssl_key;
    else if( KEY("option_file") ) pSlot = &p->option_file;
    else if( KEY("option_group") ) pSlot = &p->option_group;
    else if( KEY("server_public_key") ) pSlot = &p->server_public_key;
    else if( KEY("get_server_public_key") ){ zNum = "get_server_public_key"; pNum = &p->get_server_public_key; lo = 0; hi = 1; }
    else if( KEY("port") ){ zNum = "port"; pNum = &p->port; lo = 1; hi = 65535; }
    else if( KEY("connect_timeout") ){ zNum = "connect_timeout"; pNum = &p->connect_timeout; lo = 1; hi = 3600; }
    else if( KEY("server_id") ){ zNum = "server_id"; pNum = &p->server_id; lo = 1; hi = 4294967295u; }
    else if( afterPassword ){
      *pzErr = dsnErr("DSN: unknown key at position %d, after the"
          " password (quote a password that holds spaces: password='...')",
          pos);
      goto fail;
    }else{
      *pzErr = dsnErr("DSN: unknown key '%.*s' at position %d"
          " (known: host port user password database socket ssl_mode ssl_ca"
          " ssl_cert ssl_key connect_timeout server_id option_file"
          " option_group server_public_key get_server_public_key)",
          nKey, zKey, pos);
      goto fail;
    }
    mv_buf_reset(&val);
    if( dsnValue(&z, &val, nKey, zKey, pos, pzErr) ) goto fail;
    zVal = val.oom ? 0 : strdup(mv_buf_cstr(&val));
    if( zVal==0 ){ *pzErr = dsnErr("out of memory"); goto fail; }
    if( pNum ){
      int rc = dsnNumber(zNum, zVal, lo, hi, pNum, pzErr);
      if( KEY("server_id") ) p->has_server_id = 1;
      free(zVal);
      if( rc ) goto fail;
    }else{
      if( pSlot==&p->password ) freeSecret(*pSlot); else free(*pSlot);
      *pSlot = zVal;
    }
    afterPassword = (pSlot==&p->password);
#undef KEY
  }
  if( p->ssl_mode ){
    static const char *azMode[] = {
      "DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"
    };
    int i, ok = 0;
    for(i=0; i<5; i++) if( strcasecmp(p->ssl_mode, azMode[i])==0 ) ok = 1;
    if( !ok ){
      *pzErr = dsnErr("DSN: ssl_mode must be DISABLED, PREFERRED,"
          " REQUIRED, VERIFY_CA or VERIFY_IDENTITY, not '%s'", p->ssl_mode);
      goto fail;
    }
  }
  /* the password's bytes may have passed through val */
  if( val.z ) memset(val.z, 0, val.cap);
  mv_buf_free(&val);
  return 0;
fail:
  if( val.z ) memset(val.z, 0, val.cap);
  mv_buf_free(&val);
  mv_dsn_free(p);
  return 1;
}
