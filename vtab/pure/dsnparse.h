/*
** dsnparse.h — the DSN text ("host=h port=3306 user=u password='x y' ...")
** to its parsed form. Pure: no SQLite, no client library, so the unit test
** and the argument fuzzer link it alone. Connecting is conn.c's job.
**
** A DSN is "key=value" pairs separated by white space; a value may be
** single-quoted ('it''s' or 'it\'s'). Keys: host port user password
** database socket ssl_mode ssl_ca ssl_cert ssl_key connect_timeout
** server_id option_file option_group server_public_key
** get_server_public_key. An error names the bad key or its position and
** never holds the password (nor a word after it: most likely the rest of a
** password holding a space).
*/
#ifndef MV_DSNPARSE_H
#define MV_DSNPARSE_H

typedef struct mv_dsn {
  char *host, *user, *password, *database, *socket;
  char *ssl_mode, *ssl_ca, *ssl_cert, *ssl_key;
  char *option_file, *option_group;
  char *server_public_key;   /* caching_sha2_password's RSA key, a path */
  unsigned port, connect_timeout, server_id;
  unsigned get_server_public_key;   /* 1: ask the server for that key */
  int has_server_id;
} mv_dsn;

/* Parse zDsn (NULL: empty) into *p (its strings malloc'd). 0 on success;
** else non-zero, *p empty, and *pzErr a message (malloc'd, NULL only when
** out of memory) for the caller to free(). */
int mv_dsn_parse_text(const char *zDsn, mv_dsn *p, char **pzErr);

/* Free what *p holds (the password is overwritten first) and empty it. */
void mv_dsn_free(mv_dsn *p);

#endif /* MV_DSNPARSE_H */
