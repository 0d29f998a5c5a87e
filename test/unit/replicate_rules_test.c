/*
** replicate_rules_test.c — mysql_replicate's server-free decisions
** (vtab/pure/replicate_rules.c): the options, which errors are retried,
** the backoff, the status line.
*/
#include "replicate_rules.h"
#include "unit.h"

int main(void){
  mv_repl_opts o;
  char zE[300], z[400];
  mv_repl_status s;
  int i, ms;

  /* options: the defaults, every key, spaces anywhere */
  CHECK(mv_repl_parse_opts(0, &o, zE, sizeof zE)==0);
  CHECK(o.statusMs==0 && o.batchMs==MV_REPL_BATCH_MS && o.progress==0 && o.signals==0);
  CHECK(mv_repl_parse_opts("", &o, zE, sizeof zE)==0);
  CHECK(mv_repl_parse_opts("  status_ms=1000 progress=1\tsignals=1 batch_ms=100 ",
                           &o, zE, sizeof zE)==0);
  CHECK(o.statusMs==1000 && o.batchMs==100 && o.progress==1 && o.signals==1);
  CHECK(mv_repl_parse_opts("status_ms=0", &o, zE, sizeof zE)==0 && o.statusMs==0);
  /* each bad pair named */
  CHECK(mv_repl_parse_opts("status=1", &o, zE, sizeof zE)==1);
  CHECK_STR(zE, "unknown option 'status=1' (the options are status_ms=N,"
            " batch_ms=N, progress=0|1, signals=0|1, and mysql_mirror's"
            " copy=auto|chunked|snapshot and chunk_rows=N)");
  /* mysql_mirror's copy options: collected as given, for its own parser */
  CHECK(mv_repl_parse_opts("copy=chunked status_ms=5 chunk_rows=100", &o, zE, sizeof zE)==0);
  CHECK_STR(o.zCopy, "copy=chunked chunk_rows=100");
  CHECK(o.statusMs==5);
  CHECK(mv_repl_parse_opts("progress=1", &o, zE, sizeof zE)==0 && o.zCopy[0]==0);
  CHECK(mv_repl_parse_opts("copy=whatever", &o, zE, sizeof zE)==0);
  CHECK_STR(o.zCopy, "copy=whatever");
  memset(z, 'x', 120); z[0]='c'; z[1]='o'; z[2]='p'; z[3]='y'; z[4]='='; z[120]=0;
  CHECK(mv_repl_parse_opts(z, &o, zE, sizeof zE)==1);
  CHECK(strstr(zE, "the copy options are too long")!=0);
  CHECK(mv_repl_parse_opts("progress", &o, zE, sizeof zE)==1);
  CHECK(strstr(zE, "unknown option 'progress'")!=0);
  CHECK(mv_repl_parse_opts("signals=2", &o, zE, sizeof zE)==1);
  CHECK_STR(zE, "bad option 'signals=2': signals must be a whole number from 0 to 1");
  CHECK(mv_repl_parse_opts("batch_ms=5", &o, zE, sizeof zE)==1);
  CHECK(strstr(zE, "from 10 to 10000")!=0);
  CHECK(mv_repl_parse_opts("batch_ms=", &o, zE, sizeof zE)==1);
  CHECK(mv_repl_parse_opts("batch_ms=-1", &o, zE, sizeof zE)==1);
  CHECK(mv_repl_parse_opts("status_ms=1e3", &o, zE, sizeof zE)==1);
  CHECK(mv_repl_parse_opts("status_ms=99999999999", &o, zE, sizeof zE)==1);
  CHECK(mv_repl_parse_opts("status_ms_x=1", &o, zE, sizeof zE)==1);

  /* retried: what a KILL, a restart or a server not up yet give, as the
  ** mirror reports them (measured: replicate01.test prints them) */
  CHECK(mv_repl_transient("mysql_changes: mysql-bin.000001:245446: server"
        " error 2013: Lost connection to server during query"));
  CHECK(mv_repl_transient("mysql_changes: cannot connect to MySQL as"
        " 'agent'@127.0.0.1:24172: Can't connect to server on '127.0.0.1' (115)"));
  CHECK(mv_repl_transient("Lost connection to MySQL server at 'reading"
        " initial communication packet'"));
  CHECK(mv_repl_transient("MySQL server has gone away"));
  CHECK(mv_repl_transient("mysql_changes: mysql-bin.000002:4: the server"
        " ended the binlog stream (it shut down, or the dump was stopped)"));
  CHECK(mv_repl_transient("... server error 1927: Connection was killed"));
  CHECK(mv_repl_transient("... MySQL error 1053 (08S01) on x: Server shutdown in progress"));
  CHECK(mv_repl_transient("... server error 4031: The client was disconnected"));
  /* not retried */
  CHECK(!mv_repl_transient(0));
  CHECK(!mv_repl_transient("mysql_changes: interrupted"));
  CHECK(!mv_repl_transient("interrupted"));
  CHECK(!mv_repl_transient("stopped while copying vt.a"));
  CHECK(!mv_repl_transient("mysql_changes: cannot connect to MySQL as 'agent'@h:1:"
        " Access denied for user 'agent'@'localhost' (using password: YES)"));
  CHECK(!mv_repl_transient("mysql_changes: mysql-bin.000001:4: binlog file purged"
        " from the server (its oldest is mysql-bin.000007)"));
  CHECK(!mv_repl_transient("vt.a changed at mysql-bin.000001:4: RENAME TABLE ..."));
  CHECK(!mv_repl_transient("binlog_format is MIXED: add binlog_format=ROW"));
  /* a statement the server interrupted is retried; ours is not */
  CHECK(mv_repl_transient("server error 1317: Query execution was interrupted"));

  /* the backoff: 0.1 s doubling to 5 s, and there it stays */
  ms = 0;
  {
    static const int aWant[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
    for(i=0; i<8; i++){
      ms = mv_repl_backoff_ms(ms);
      CHECK(ms==aWant[i]);
    }
  }
  CHECK(mv_repl_backoff_ms(-5)==100);
  CHECK(mv_repl_backoff_ms(2600)==5000);

  /* the status line */
  memset(&s, 0, sizeof s);
  s.now = 1796643735;                     /* 2026-12-07 11:42:15 UTC */
  s.rate = 392.4;
  s.lagMs = 970;
  s.zPos = "mysql-bin.000002:89410";
  s.zGtid = "0-1-1413";
  s.nApplied = 1400;
  CHECK(mv_repl_status_line(z, sizeof z, &s)==strlen(z));
  CHECK_STR(z, "2026-12-07 11:42:15 392 changes/s, lag 1.0 s, pos"
            " mysql-bin.000002:89410, gtid 0-1-1413, 1400 applied");
  s.caughtUp = 1;
  s.zGtid = 0;
  s.stopped = 1;
  mv_repl_status_line(z, sizeof z, &s);
  CHECK_STR(z, "2026-12-07 11:42:15 stopped: 392 changes/s, lag 1.0 s (caught up),"
            " pos mysql-bin.000002:89410, 1400 applied");
  /* nothing committed yet */
  memset(&s, 0, sizeof s);
  s.now = 1796643735;
  s.lagMs = -1;
  mv_repl_status_line(z, sizeof z, &s);
  CHECK_STR(z, "2026-12-07 11:42:15 0 changes/s, lag -, pos -, 0 applied");
  /* reconnecting */
  s.attempt = 3;
  s.waitMs = 400;
  s.zErr = "Can't connect to server on '127.0.0.1' (115)";
  s.zPos = "mysql-bin.000001:334516";
  mv_repl_status_line(z, sizeof z, &s);
  CHECK_STR(z, "2026-12-07 11:42:15 reconnecting in 0.4 s (attempt 3) after:"
            " Can't connect to server on '127.0.0.1' (115); pos"
            " mysql-bin.000001:334516, 0 applied");
  /* cut to fit, terminated */
  {
    char zS[16];
    zS[15] = 'x';
    CHECK(mv_repl_status_line(zS, 15, &s)==14);
    CHECK(zS[14]==0 && zS[15]=='x');
  }
  UNIT_DONE();
}
