/*
** dsnparse_test.c — the DSN parser without SQLite or a server
** (vtab/pure/dsnparse.c): every key, quoting, numbers and their ranges,
** the messages that name the key or position, and never the password.
*/
#include "dsnparse.h"
#include "unit.h"

#include <stdlib.h>

/* Parse z and return the error (static copy), or "" on success. */
static char zLast[600];
static const char *err(const char *z){
  mv_dsn d;
  char *zErr = 0;
  int rc = mv_dsn_parse_text(z, &d, &zErr);
  zLast[0] = 0;
  if( rc ){
    snprintf(zLast, sizeof zLast, "%s", zErr ? zErr : "(no message)");
  }else{
    if( zErr ) snprintf(zLast, sizeof zLast, "success with a message: %s", zErr);
    mv_dsn_free(&d);
  }
  free(zErr);
  return zLast;
}

int main(void){
  mv_dsn d;
  char *zErr = 0;

  /* every key, bare and quoted values */
  CHECK(mv_dsn_parse_text("host=h port=3307 user='a b' password='it''s a \\'pw\\\\'"
      " database=vt socket=/s ssl_mode=verify_ca ssl_ca=/ca ssl_cert=/c"
      " ssl_key=/k connect_timeout=5 server_id=4294967295 option_file=/f"
      " option_group=g server_public_key=/pk get_server_public_key=1",
      &d, &zErr)==0);
  CHECK(zErr==0);
  CHECK_STR(d.host, "h");
  CHECK(d.port==3307);
  CHECK_STR(d.user, "a b");
  CHECK_STR(d.password, "it's a 'pw\\");
  CHECK_STR(d.database, "vt");
  CHECK_STR(d.socket, "/s");
  CHECK_STR(d.ssl_mode, "verify_ca");
  CHECK_STR(d.ssl_ca, "/ca");
  CHECK_STR(d.ssl_cert, "/c");
  CHECK_STR(d.ssl_key, "/k");
  CHECK(d.connect_timeout==5);
  CHECK(d.server_id==4294967295u && d.has_server_id==1);
  CHECK_STR(d.option_file, "/f");
  CHECK_STR(d.option_group, "g");
  CHECK_STR(d.server_public_key, "/pk");
  CHECK(d.get_server_public_key==1);
  mv_dsn_free(&d);
  CHECK(d.host==0 && d.password==0 && d.port==0);

  /* empty, NULL, white space only; a later key wins */
  CHECK_STR(err(""), "");
  CHECK_STR(err(0), "");
  CHECK_STR(err(" \t\n "), "");
  CHECK(mv_dsn_parse_text("host=a host=b user=''", &d, &zErr)==0);
  CHECK_STR(d.host, "b");
  CHECK_STR(d.user, "");
  CHECK(d.has_server_id==0);
  mv_dsn_free(&d);

  /* the messages test/dsn01.test pins through SQL */
  CHECK_STR(err("host=127.0.0.1 colour=blue"), "DSN: unknown key 'colour' at"
      " position 16 (known: host port user password database socket ssl_mode"
      " ssl_ca ssl_cert ssl_key connect_timeout server_id option_file"
      " option_group server_public_key get_server_public_key)");
  CHECK_STR(err("host=127.0.0.1 port"),
            "DSN: expected key=value at position 16, found 'port'");
  CHECK_STR(err("password='abc"),
            "DSN: unterminated quote in the value of 'password' at position 1");
  CHECK_STR(err("port=http"),
            "DSN: port must be a number from 1 to 65535, not 'http'");
  CHECK_STR(err("port=70000"),
            "DSN: port must be a number from 1 to 65535, not '70000'");
  CHECK_STR(err("port=0"), "DSN: port must be a number from 1 to 65535, not '0'");
  CHECK_STR(err("port=-1"), "DSN: port must be a number from 1 to 65535, not '-1'");
  CHECK_STR(err("port="), "DSN: port must be a number from 1 to 65535, not ''");
  CHECK_STR(err("connect_timeout=3601"),
            "DSN: connect_timeout must be a number from 1 to 3600, not '3601'");
  CHECK_STR(err("get_server_public_key=2"),
            "DSN: get_server_public_key must be a number from 0 to 1, not '2'");
  CHECK_STR(err("server_id=4294967296"),
            "DSN: server_id must be a number from 1 to 4294967295, not '4294967296'");
  CHECK_STR(err("ssl_mode=SOMETIMES"), "DSN: ssl_mode must be DISABLED,"
      " PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, not 'SOMETIMES'");
  CHECK_STR(err("user='a'b"),
            "DSN: expected a space after the quoted value of 'user' at position 1");
  CHECK_STR(err("=x"), "DSN: expected key=value at position 1, found '='");

  /* a word after the password is never echoed: it may be the password's rest */
  CHECK_STR(err("password=abc Zq9_s3cr3t database=vt"),
      "DSN: expected key=value at position 14, after the password (quote a"
      " password that holds spaces: password='...')");
  CHECK_STR(err("password=abc Zq9_s3cr3t=x"),
      "DSN: unknown key at position 14, after the password (quote a password"
      " that holds spaces: password='...')");
  CHECK(strstr(err("password=Zq9_s3cr3t port=http"), "Zq9_s3cr3t")==0);
  CHECK(strstr(err("password='Zq9_s3cr3t"), "Zq9_s3cr3t")==0);
  UNIT_DONE();
}
