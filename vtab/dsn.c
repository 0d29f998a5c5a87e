/*
** dsn.c — DSN parsing, connecting, the per-connection pool, and the client
** calls that wait for the server, made interruptible. The only file that
** handles a password: it goes to the client library and nowhere else,
** never into a message.
**
** A DSN is "key=value" pairs separated by white space; a value may be
** single-quoted ('it''s' or 'it\'s'). Keys: host port user password
** database socket ssl_mode ssl_ca ssl_cert ssl_key connect_timeout
** server_id option_file option_group server_public_key
** get_server_public_key. With no DSN argument the text of
** $MYSQL_VTAB_DSN is used; what is still unset comes from the client
** library's option files ([client] of ~/.my.cnf, or option_file /
** option_group) and its environment variables.
*/
#include "mysqlvtab.h"

#include <errmsg.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef MARIADB_PACKAGE_VERSION_ID
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#endif

const char *mv_dsn_text(const char *zArg){
  const char *z;
  if( zArg ) return zArg;
  z = getenv("MYSQL_VTAB_DSN");
  return z ? z : "";
}

void mv_dsn_free(mv_dsn *p){
  sqlite3_free(p->host);     sqlite3_free(p->user);
  if( p->password ){
    memset(p->password, 0, strlen(p->password));
    sqlite3_free(p->password);
  }
  sqlite3_free(p->database); sqlite3_free(p->socket);
  sqlite3_free(p->ssl_mode); sqlite3_free(p->ssl_ca);
  sqlite3_free(p->ssl_cert); sqlite3_free(p->ssl_key);
  sqlite3_free(p->option_file); sqlite3_free(p->option_group);
  sqlite3_free(p->server_public_key);
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
  *pzErr = sqlite3_mprintf("DSN: %s must be a number from %u to %u, not '%s'",
                           zKey, lo, hi, zVal);
  return 1;
}

int mv_dsn_parse(const char *zDsn, mv_dsn *p, char **pzErr){
  const char *z = zDsn ? zDsn : "";
  memset(p, 0, sizeof *p);
  *pzErr = 0;
  int afterPassword = 0;   /* the previous pair was password=... */
  while( 1 ){
    const char *zKey;
    int nKey;
    sqlite3_str *val;
    char *zVal;
    char **pSlot = 0;
    unsigned *pNum = 0;
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
        *pzErr = sqlite3_mprintf("DSN: expected key=value at position %d,"
            " after the password (quote a password that holds spaces:"
            " password='...')", pos);
      }else{
        *pzErr = sqlite3_mprintf("DSN: expected key=value at position %d,"
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
    else if( KEY("get_server_public_key") ){ pNum = &p->get_server_public_key; lo = 0; hi = 1; }
    else if( KEY("port") ){ pNum = &p->port; lo = 1; hi = 65535; }
    else if( KEY("connect_timeout") ){ pNum = &p->connect_timeout; lo = 1; hi = 3600; }
    else if( KEY("server_id") ){ pNum = &p->server_id; lo = 1; hi = 4294967295u; }
    else if( afterPassword ){
      *pzErr = sqlite3_mprintf("DSN: unknown key at position %d, after the"
          " password (quote a password that holds spaces: password='...')",
          pos);
      goto fail;
    }else{
      *pzErr = sqlite3_mprintf("DSN: unknown key '%.*s' at position %d"
          " (known: host port user password database socket ssl_mode ssl_ca"
          " ssl_cert ssl_key connect_timeout server_id option_file"
          " option_group server_public_key get_server_public_key)",
          nKey, zKey, pos);
      goto fail;
    }
    val = sqlite3_str_new(0);
    if( *z=='\'' ){
      z++;
      while( 1 ){
        if( *z==0 ){
          sqlite3_free(sqlite3_str_finish(val));
          *pzErr = sqlite3_mprintf("DSN: unterminated quote in the value of"
                                   " '%.*s' at position %d", nKey, zKey, pos);
          goto fail;
        }
        if( z[0]=='\\' && (z[1]=='\'' || z[1]=='\\') ){ z++; }
        else if( z[0]=='\'' ){
          if( z[1]!='\'' ){ z++; break; }
          z++;
        }
        sqlite3_str_appendchar(val, 1, *z);
        z++;
      }
      if( *z && !isspace((unsigned char)*z) ){
        sqlite3_free(sqlite3_str_finish(val));
        *pzErr = sqlite3_mprintf("DSN: expected a space after the quoted value"
                                 " of '%.*s' at position %d", nKey, zKey, pos);
        goto fail;
      }
    }else{
      const char *zStart = z;
      while( *z && !isspace((unsigned char)*z) ) z++;
      sqlite3_str_append(val, zStart, (int)(z - zStart));
    }
    zVal = sqlite3_str_finish(val);
    if( zVal==0 ) zVal = sqlite3_mprintf("");
    if( zVal==0 ){ *pzErr = sqlite3_mprintf("out of memory"); goto fail; }
    if( pNum ){
      int rc = dsnNumber(KEY("server_id") ? "server_id" :
                         KEY("port") ? "port" : "connect_timeout",
                         zVal, lo, hi, pNum, pzErr);
      if( KEY("server_id") ) p->has_server_id = 1;
      sqlite3_free(zVal);
      if( rc ) goto fail;
    }else{
      sqlite3_free(*pSlot);
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
    for(i=0; i<5; i++) if( sqlite3_stricmp(p->ssl_mode, azMode[i])==0 ) ok = 1;
    if( !ok ){
      *pzErr = sqlite3_mprintf("DSN: ssl_mode must be DISABLED, PREFERRED,"
          " REQUIRED, VERIFY_CA or VERIFY_IDENTITY, not '%s'", p->ssl_mode);
      goto fail;
    }
  }
  return 0;
fail:
  mv_dsn_free(p);
  return 1;
}

/* "user@host:port" or "user@localhost (socket /path)" for messages. */
static char *dsnLabel(const mv_dsn *p, MYSQL *m){
  const char *zUser = p->user ? p->user : (m && m->user ? m->user : "(default user)");
  const char *zHost = p->host ? p->host : (m && m->host ? m->host : "localhost");
  if( p->socket ){
    return sqlite3_mprintf("'%s'@%s (socket %s)", zUser, zHost, p->socket);
  }
  if( p->port ) return sqlite3_mprintf("'%s'@%s:%u", zUser, zHost, p->port);
  if( m && m->port ) return sqlite3_mprintf("'%s'@%s:%u", zUser, zHost, m->port);
  return sqlite3_mprintf("'%s'@%s", zUser, zHost);
}

MYSQL *mv_connect(const mv_dsn *p, char **pzErr){
  MYSQL *m = mysql_init(0);
  const char *zMode = p->ssl_mode ? p->ssl_mode : "";
  *pzErr = 0;
  if( m==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 0; }
  /* mysql_options (not MariaDB's mysql_optionsv): both client libraries
  ** have it (transport.h: libmariadb or MySQL's libmysqlclient). */
  mysql_options(m, MYSQL_READ_DEFAULT_GROUP,
                p->option_group ? p->option_group : "client");
  if( p->option_file ) mysql_options(m, MYSQL_READ_DEFAULT_FILE, p->option_file);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  /* TIMESTAMP values must come out in UTC whatever the server's zone. */
  mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone='+00:00'");
  if( p->connect_timeout ){
    unsigned t = p->connect_timeout;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
  }
  if( sqlite3_stricmp(zMode, "VERIFY_CA")==0 && p->ssl_ca==0 ){
    char *zLabel = dsnLabel(p, 0);
    *pzErr = sqlite3_mprintf("cannot connect to MySQL as %s: ssl_mode=VERIFY_CA"
                             " needs ssl_ca (the CA certificate file)", zLabel);
    sqlite3_free(zLabel);
    mysql_close(m);
    return 0;
  }
#ifdef MARIADB_PACKAGE_VERSION_ID
  if( sqlite3_stricmp(zMode, "DISABLED")!=0
   && (zMode[0] || p->ssl_ca || p->ssl_cert || p->ssl_key) ){
    my_bool yes = 1;
    mysql_ssl_set(m, p->ssl_key, p->ssl_cert, p->ssl_ca, 0, 0);
    if( sqlite3_stricmp(zMode, "PREFERRED")!=0 && zMode[0] ){
      mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &yes);
    }
    /* TLS (tls01.test): MariaDB Connector/C verifies the server's chain
    ** whenever a CA is given (SSL_VERIFY_PEER) and checks the host name
    ** only with MYSQL_OPT_SSL_VERIFY_SERVER_CERT, which also checks the
    ** chain. So VERIFY_CA is "a CA, no host check": it needs ssl_ca, since
    ** without one nothing would be verified; VERIFY_IDENTITY adds the host
    ** name check. (REQUIRED with an ssl_ca verifies the chain too, as
    ** MySQL's own client does.) */
    if( sqlite3_stricmp(zMode, "VERIFY_IDENTITY")==0 ){
      mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    }
  }
#else
  /* MySQL's libmysqlclient names the modes itself (MYSQL_OPT_SSL_MODE). */
  {
    static const struct { const char *z; unsigned mode; } aMode[] = {
      {"DISABLED", SSL_MODE_DISABLED}, {"PREFERRED", SSL_MODE_PREFERRED},
      {"REQUIRED", SSL_MODE_REQUIRED}, {"VERIFY_CA", SSL_MODE_VERIFY_CA},
      {"VERIFY_IDENTITY", SSL_MODE_VERIFY_IDENTITY},
    };
    size_t i;
    for(i=0; i<sizeof aMode/sizeof aMode[0]; i++){
      if( sqlite3_stricmp(zMode, aMode[i].z)==0 ){
        mysql_options(m, MYSQL_OPT_SSL_MODE, &aMode[i].mode);
      }
    }
    if( p->ssl_ca ) mysql_options(m, MYSQL_OPT_SSL_CA, p->ssl_ca);
    if( p->ssl_cert ) mysql_options(m, MYSQL_OPT_SSL_CERT, p->ssl_cert);
    if( p->ssl_key ) mysql_options(m, MYSQL_OPT_SSL_KEY, p->ssl_key);
  }
#endif
#ifdef MARIADB_PACKAGE_VERSION_ID
  /* for the interruptible calls below (0: the library's default stack) */
  mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
#endif
  /* caching_sha2_password's full authentication without TLS sends the
  ** password RSA-encrypted: with the key from a file, or (libmysqlclient
  ** only when asked; Connector/C always) fetched from the server. */
  if( p->server_public_key ){
    mysql_options(m, MYSQL_SERVER_PUBLIC_KEY, p->server_public_key);
  }
#ifndef MARIADB_PACKAGE_VERSION_ID
  if( p->get_server_public_key ){
    mv_bool yes = 1;
    mysql_options(m, MYSQL_OPT_GET_SERVER_PUBLIC_KEY, &yes);
  }
#endif
  if( mysql_real_connect(m, p->host, p->user, p->password, p->database,
                         p->port, p->socket, CLIENT_MULTI_RESULTS)==0 ){
    char *zLabel = dsnLabel(p, 0);
    const char *zHint = "";
    if( mysql_errno(m)==CR_AUTH_PLUGIN_ERR
     && strstr(mysql_error(m), "secure connection") ){
      zHint = " (caching_sha2_password without TLS needs the server's RSA"
              " public key: set get_server_public_key=1 or"
              " server_public_key=/path/to/public_key.pem in the DSN, or"
              " use TLS: ssl_mode=REQUIRED)";
    }
    *pzErr = sqlite3_mprintf("cannot connect to MySQL as %s: %s%s",
                             zLabel, mysql_error(m), zHint);
    sqlite3_free(zLabel);
    mysql_close(m);
    return 0;
  }
  /* Connector/C 3.3 goes on in plain text when the server offers no TLS,
  ** despite MYSQL_OPT_SSL_ENFORCE: a mode that requires TLS checks it. */
  if( zMode[0] && sqlite3_stricmp(zMode, "DISABLED")!=0
   && sqlite3_stricmp(zMode, "PREFERRED")!=0 && mysql_get_ssl_cipher(m)==0 ){
    char *zLabel = dsnLabel(p, 0);
    *pzErr = sqlite3_mprintf("cannot connect to MySQL as %s: ssl_mode=%s but"
                             " the server offers no TLS (SSL) connection",
                             zLabel, zMode);
    sqlite3_free(zLabel);
    mysql_close(m);
    return 0;
  }
  return m;
}

mv_conn *mv_conn_get(mv_ctx *ctx, const char *zDsn, char **pzErr){
  mv_conn **pp = mv_ctx_pool(ctx);
  mv_conn *c;
  mv_dsn dsn;
  *pzErr = 0;
  if( zDsn==0 ) zDsn = "";
  for(c=*pp; c; c=c->pNext){
    if( !c->inUse && strcmp(c->zDsn, zDsn)==0 ){
      /* A pooled connection may have been closed by the server
      ** (wait_timeout, restart): check before lending it out. */
      if( mysql_ping(c->mysql)==0 ){
        c->inUse = 1;
        c->interrupted = 0;
        c->db = mv_ctx_db(ctx);
        return c;
      }
      mv_conn_put(ctx, (c->inUse = 1, c), 0);
      break;
    }
  }
  if( mv_dsn_parse(zDsn, &dsn, pzErr) ) return 0;
  c = sqlite3_malloc(sizeof *c);
  if( c==0 ){ mv_dsn_free(&dsn); *pzErr = sqlite3_mprintf("out of memory"); return 0; }
  memset(c, 0, sizeof *c);
  c->mysql = mv_connect(&dsn, pzErr);
  if( c->mysql==0 ){ mv_dsn_free(&dsn); sqlite3_free(c); return 0; }
  c->zLabel = dsnLabel(&dsn, c->mysql);
  c->zDsn = sqlite3_mprintf("%s", zDsn);
  mv_dsn_free(&dsn);
  c->inUse = 1;
  c->db = mv_ctx_db(ctx);
  c->pNext = *pp;
  *pp = c;
  return c;
}

void mv_conn_put(mv_ctx *ctx, mv_conn *c, int reusable){
  mv_conn **pp;
  if( c==0 ) return;
  c->inUse = 0;
  if( reusable ) return;
  for(pp=mv_ctx_pool(ctx); *pp; pp=&(*pp)->pNext){
    if( *pp==c ){ *pp = c->pNext; break; }
  }
  if( c->mysql ) mysql_close(c->mysql);
  sqlite3_free(c->zDsn);
  sqlite3_free(c->zLabel);
  sqlite3_free(c);
}

void mv_conn_release(mv_ctx *ctx, mv_conn *c){
  unsigned e;
  if( c==0 ) return;
  e = c->mysql ? mysql_errno(c->mysql) : CR_MIN_ERROR;
  mv_conn_put(ctx, c, e<CR_MIN_ERROR);
}

char *mv_conn_error(mv_conn *c, const char *zWhat){
  if( c->interrupted ) return sqlite3_mprintf("%s: interrupted", zWhat);
  return sqlite3_mprintf("%s: MySQL error %u (%s) on %s: %s", zWhat,
                         mysql_errno(c->mysql), mysql_sqlstate(c->mysql),
                         c->zLabel, mysql_error(c->mysql));
}

int mv_is_mariadb(MYSQL *m){
  const char *z = mysql_get_server_info(m);
  return z && strstr(z, "MariaDB")!=0;
}

void mv_quote_ident(sqlite3_str *s, const char *z){
  sqlite3_str_appendchar(s, 1, '`');
  for(; *z; z++){
    if( *z=='`' ) sqlite3_str_appendchar(s, 1, '`');
    sqlite3_str_appendchar(s, 1, *z);
  }
  sqlite3_str_appendchar(s, 1, '`');
}

char *mv_literal(MYSQL *m, const char *z){
  size_t n = strlen(z);
  char *zOut = sqlite3_malloc64(2*n+3);
  unsigned long k;
  if( zOut==0 ) return 0;
  zOut[0] = '\'';
  k = mysql_real_escape_string(m, zOut+1, z, (unsigned long)n);
  zOut[k+1] = '\'';
  zOut[k+2] = 0;
  return zOut;
}

MYSQL_RES *mv_query(mv_ctx *ctx, mv_conn *c, const char *zSql,
                    const char *zWhat, char **pzErr){
  MYSQL_RES *res;
  mv_log_query(ctx, zSql);
  if( mv_real_query(c, zSql) ){
    *pzErr = mv_conn_error(c, zWhat);
    return 0;
  }
  res = mv_store_result(c);
  if( res==0 ){
    if( mysql_errno(c->mysql) ) *pzErr = mv_conn_error(c, zWhat);
    else *pzErr = sqlite3_mprintf("%s: no result from: %s", zWhat, zSql);
  }
  return res;
}

int mv_exec(mv_ctx *ctx, mv_conn *c, const char *zSql, char **pzErr){
  MYSQL_RES *res;
  mv_log_query(ctx, zSql);
  if( mv_real_query(c, zSql) ){
    *pzErr = mv_conn_error(c, zSql);
    return 1;
  }
  res = mv_store_result(c);
  if( res ) mysql_free_result(res);
  return 0;
}

/* The current position "file:offset" (sqlite3_malloc'd), or NULL with
** *pzErr set. SHOW MASTER STATUS was removed in MySQL 8.4 in favour of
** SHOW BINARY LOG STATUS (8.2+), which older servers and MariaDB do not
** parse: the one the server's version says, and on a syntax error (1064)
** the other. */
char *mv_position(mv_ctx *ctx, mv_conn *c, char **pzErr){
  static const char *azOld[] = { "SHOW MASTER STATUS", "SHOW BINARY LOG STATUS" };
  static const char *azNew[] = { "SHOW BINARY LOG STATUS", "SHOW MASTER STATUS" };
  const char **azSql = !mv_is_mariadb(c->mysql)
      && mysql_get_server_version(c->mysql)>=80200 ? azNew : azOld;
  MYSQL_RES *res = 0;
  MYSQL_ROW row;
  char *zRet = 0;
  int i;
  for(i=0; i<2; i++){
    mv_log_query(ctx, azSql[i]);
    if( mysql_real_query(c->mysql, azSql[i], (unsigned long)strlen(azSql[i]))==0
     && (res = mysql_store_result(c->mysql))!=0 ){
      break;
    }
    if( i==0 && mysql_errno(c->mysql)==1064 ) continue;
    *pzErr = mysql_errno(c->mysql) ? mv_conn_error(c, azSql[i])
                                   : sqlite3_mprintf("%s: no result", azSql[i]);
    return 0;
  }
  row = mysql_fetch_row(res);
  if( row==0 || row[0]==0 || row[1]==0 ){
    *pzErr = sqlite3_mprintf("binary logging is off on %s: add log_bin=mysql-bin"
                             " to the [mysqld] section of my.cnf and restart"
                             " the server", c->zLabel);
  }else{
    zRet = sqlite3_mprintf("%s:%s", row[0], row[1]);
    if( zRet==0 ) *pzErr = sqlite3_mprintf("out of memory");
  }
  mysql_free_result(res);
  return zRet;
}

/* ---- interruptible calls (see mysqlvtab.h) ---- */

#ifdef MARIADB_PACKAGE_VERSION_ID

static int64_t monotonicMs(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec*1000 + t.tv_nsec/1000000;
}

/* Stop c's running statement from a second connection with the same DSN.
** Its own user may KILL QUERY its own threads, no privilege needed. */
static void killQuery(mv_conn *c){
  mv_dsn dsn;
  char *zErr = 0;
  MYSQL *m;
  if( mv_dsn_parse(c->zDsn, &dsn, &zErr)==0 ){
    m = mv_connect(&dsn, &zErr);
    if( m ){
      char zSql[40];
      snprintf(zSql, sizeof zSql, "KILL QUERY %lu", mysql_thread_id(c->mysql));
      (void)mysql_real_query(m, zSql, (unsigned long)strlen(zSql));
      mysql_close(m);
    }
    mv_dsn_free(&dsn);
  }
  sqlite3_free(zErr);
}

/* Wait for the events a non-blocking call asked for (MYSQL_WAIT_*), 100 ms
** at a time, listening for sqlite3_interrupt() in between; return the
** events that happened, for the call's _cont. A call may wait several
** times: c->interrupted (when the kill was sent) carries over. */
static int connWait(mv_conn *c, int status){
  struct pollfd pfd;
  int64_t deadline = -1;
  memset(&pfd, 0, sizeof pfd);
  pfd.fd = (int)mysql_get_socket(c->mysql);
  if( status & MYSQL_WAIT_READ ) pfd.events |= POLLIN;
  if( status & MYSQL_WAIT_WRITE ) pfd.events |= POLLOUT;
  if( status & MYSQL_WAIT_EXCEPT ) pfd.events |= POLLPRI;
  if( status & MYSQL_WAIT_TIMEOUT ){
    deadline = monotonicMs() + mysql_get_timeout_value_ms(c->mysql);
  }
  for(;;){
    int rc = poll(&pfd, 1, 100);
    if( rc>0 ){
      int r = 0;
      if( pfd.revents & (POLLIN|POLLHUP|POLLERR) ) r |= MYSQL_WAIT_READ;
      if( pfd.revents & (POLLOUT|POLLHUP|POLLERR) ) r |= MYSQL_WAIT_WRITE;
      if( pfd.revents & POLLPRI ) r |= MYSQL_WAIT_EXCEPT;
      /* the library finds out itself what a hang-up means */
      r &= status;
      if( r ) return r;
    }else if( rc<0 && errno!=EINTR ){
      return status & (MYSQL_WAIT_READ|MYSQL_WAIT_WRITE);
    }
    if( deadline>=0 && monotonicMs()>=deadline ) return MYSQL_WAIT_TIMEOUT;
    if( c->interrupted==0 ){
      if( c->db && mv_interrupted(c->db) ){
        killQuery(c);
        c->interrupted = monotonicMs();
      }
    }else if( c->interrupted>0 && monotonicMs() - c->interrupted >= 2000 ){
      /* the kill did not end it (no second connection, say): drop the
      ** connection, which fails the call; the pool will not lend it */
      shutdown(pfd.fd, SHUT_RDWR);
      c->interrupted = -1;
    }
  }
}

/* Run a _start/_cont pair to the end: START the call that starts it,
** CONT the one that goes on after the events st_. */
#define MV_NONBLOCKING(c, START, CONT) do{     \
    int st_;                                      \
    (c)->interrupted = 0;                         \
    st_ = START;                                  \
    while( st_ ){                                 \
      st_ = connWait((c), st_);                   \
      st_ = CONT;                                 \
    }                                             \
  }while(0)

int mv_real_query(mv_conn *c, const char *zSql){
  int ret = 1;
  MV_NONBLOCKING(c,
      mysql_real_query_start(&ret, c->mysql, zSql, (unsigned long)strlen(zSql)),
      mysql_real_query_cont(&ret, c->mysql, st_));
  return ret;
}

MYSQL_RES *mv_store_result(mv_conn *c){
  MYSQL_RES *res = 0;
  MV_NONBLOCKING(c, mysql_store_result_start(&res, c->mysql),
                 mysql_store_result_cont(&res, c->mysql, st_));
  return res;
}

int mv_stmt_prepare(mv_conn *c, MYSQL_STMT *stmt, const char *zSql){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_prepare_start(&ret, stmt, zSql,
                                             (unsigned long)strlen(zSql)),
                 mysql_stmt_prepare_cont(&ret, stmt, st_));
  return ret;
}

int mv_stmt_execute(mv_conn *c, MYSQL_STMT *stmt){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_execute_start(&ret, stmt),
                 mysql_stmt_execute_cont(&ret, stmt, st_));
  return ret;
}

int mv_stmt_fetch(mv_conn *c, MYSQL_STMT *stmt){
  int ret = 1;
  MV_NONBLOCKING(c, mysql_stmt_fetch_start(&ret, stmt),
                 mysql_stmt_fetch_cont(&ret, stmt, st_));
  return ret;
}

#else  /* MySQL's libmysqlclient: no _start/_cont API */

int mv_real_query(mv_conn *c, const char *zSql){
  c->interrupted = 0;
  return mysql_real_query(c->mysql, zSql, (unsigned long)strlen(zSql));
}
MYSQL_RES *mv_store_result(mv_conn *c){ return mysql_store_result(c->mysql); }
int mv_stmt_prepare(mv_conn *c, MYSQL_STMT *stmt, const char *zSql){
  c->interrupted = 0;
  return mysql_stmt_prepare(stmt, zSql, (unsigned long)strlen(zSql));
}
int mv_stmt_execute(mv_conn *c, MYSQL_STMT *stmt){
  c->interrupted = 0;
  return mysql_stmt_execute(stmt);
}
int mv_stmt_fetch(mv_conn *c, MYSQL_STMT *stmt){
  (void)c;
  return mysql_stmt_fetch(stmt);
}

#endif
