/*
** conn.c — opening one client connection from a DSN: the client options,
** TLS (ssl_mode and its certificates, on both client libraries), the
** caching_sha2_password key, and the messages that name a connection.
** With pure/dsnparse.c the only code that handles a password: it goes to
** the client library and nowhere else, never into a message.
**
** With no DSN argument the text of $MYSQL_VTAB_DSN is used; what is still
** unset comes from the client library's option files ([client] of
** ~/.my.cnf, or option_file / option_group) and its environment variables.
*/
#include "mysqlvtab.h"

#include <errmsg.h>

#include <stdlib.h>
#include <string.h>

int mv_dsn_parse(const char *zDsn, mv_dsn *p, char **pzErr){
  char *zErr = 0;
  int rc = mv_dsn_parse_text(zDsn, p, &zErr);
  *pzErr = 0;
  if( rc ){
    *pzErr = sqlite3_mprintf("%s", zErr ? zErr : "out of memory");
    free(zErr);
  }
  return rc;
}

const char *mv_dsn_text(const char *zArg){
  const char *z;
  if( zArg ) return zArg;
  z = getenv("MYSQL_VTAB_DSN");
  return z ? z : "";
}

/* "user@host:port" or "user@localhost (socket /path)" for messages. */
char *mv_dsn_label(const mv_dsn *p, MYSQL *m){
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
    char *zLabel = mv_dsn_label(p, 0);
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
    char *zLabel = mv_dsn_label(p, 0);
    const char *zHint = "";
    if( mysql_errno(m)==CR_AUTH_PLUGIN_ERR
     && strstr(mysql_error(m), "secure connection") ){
      zHint = " (caching_sha2_password without TLS needs the server's RSA"
              " public key: set get_server_public_key=1 or"
              " server_public_key=/path/to/public_key.pem in the DSN, or"
              " use TLS: ssl_mode=REQUIRED)";
    }else if( mysql_errno(m)==CR_AUTH_PLUGIN_CANNOT_LOAD
           && strstr(mysql_error(m), "mysql_native_password") ){
      /* MariaDB's default plugin; libmysqlclient 9 loads it from a file */
      zHint = " (this client library loads mysql_native_password from its"
              " plugin directory: install it (Debian: mysql-client-core) or"
              " set LIBMYSQL_PLUGIN_DIR to where it is)";
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
    char *zLabel = mv_dsn_label(p, 0);
    *pzErr = sqlite3_mprintf("cannot connect to MySQL as %s: ssl_mode=%s but"
                             " the server offers no TLS (SSL) connection",
                             zLabel, zMode);
    sqlite3_free(zLabel);
    mysql_close(m);
    return 0;
  }
  return m;
}

int mv_error_class(unsigned e){
  if( e==0 ) return MV_ERR_NONE;
  if( e>=CR_MIN_ERROR ) return MV_ERR_CLIENT;
  switch( e ){
    case MV_ER_NO_SUCH_TABLE: case MV_ER_BAD_DB:
      return MV_ERR_NO_TABLE;
    case MV_ER_DBACCESS_DENIED: case MV_ER_ACCESS_DENIED:
    case MV_ER_TABLEACCESS_DENIED: case MV_ER_COLUMNACCESS_DENIED:
    case MV_ER_SPECIFIC_ACCESS_DENIED: case MV_ER_PROCACCESS_DENIED:
    case MV_ER_CANT_CREATE_USER_WITH_GRANT:
      return MV_ERR_ACCESS;
  }
  return MV_ERR_SERVER;
}

char *mv_conn_error(mv_conn *c, const char *zWhat){
  if( c->interrupted ) return sqlite3_mprintf("%s: interrupted", zWhat);
  return sqlite3_mprintf("%s: MySQL error %u (%s) on %s: %s", zWhat,
                         mysql_errno(c->mysql), mysql_sqlstate(c->mysql),
                         c->zLabel, mysql_error(c->mysql));
}

