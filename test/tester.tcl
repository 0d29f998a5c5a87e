# tester.tcl — a small test harness in SQLite's style for plain tclsh.
#
#   source [file join [file dirname [info script]] tester.tcl]
#   set testprefix snapshot01
#   do_execsql_test 1.0 { SELECT 1 } {1}
#   do_catchsql_test 1.1 { SELECT nosuch() } {1 {no such function: nosuch}}
#   do_test 1.2 { expr 1+1 } 2
#   finish_test
#
# Opens `db`, an in-memory SQLite database with the extension loaded
# ($MYSQL_VTAB_EXT or build/mysql_vtab.so). The server comes from the
# environment test/run.sh sets (test/server.sh's DIR/env): the extension
# connects through $MYSQL_VTAB_DSN as the agent user; `mysql` runs setup
# statements as root through the mariadb client.

package require sqlite3

set ::testdir [file normalize [file dirname [info script]]]
set ::topdir [file dirname $::testdir]
if {![info exists ::testprefix]} { set ::testprefix "" }
set ::nTest 0
set ::nFail 0
set ::failList {}

proc ext_path {} {
  if {[info exists ::env(MYSQL_VTAB_EXT)]} { return $::env(MYSQL_VTAB_EXT) }
  return [file join $::topdir build mysql_vtab.so]
}

proc open_db {name {file :memory:}} {
  sqlite3 $name $file
  $name enable_load_extension 1
  set ext [ext_path]
  $name eval {SELECT load_extension($ext)}
}
open_db db

# As in SQLite's tester, $var in the SQL binds the caller's variable.
proc execsql {sql {dbh db}} {
  uplevel 1 [list $dbh eval $sql]
}
proc catchsql {sql {dbh db}} {
  set rc [catch {uplevel 1 [list $dbh eval $sql]} msg]
  return [list $rc $msg]
}

proc do_test {name script expected} {
  if {$::testprefix ne ""} { set name "$::testprefix-$name" }
  incr ::nTest
  if {[info exists ::env(TEST_FILTER)] && ![string match $::env(TEST_FILTER) $name]} {
    incr ::nTest -1
    return
  }
  set rc [catch {uplevel 1 $script} result]
  if {$rc == 1} {
    set result "TCL ERROR: $result"
  }
  if {$result ne $expected} {
    incr ::nFail
    lappend ::failList $name
    puts "! $name failed"
    puts "!   expected: \[$expected\]"
    puts "!   got:      \[$result\]"
  } elseif {[info exists ::env(VERBOSE)]} {
    puts "  $name ok"
  }
}
proc do_execsql_test {name sql {expected {}}} {
  uplevel 1 [list do_test $name [list execsql $sql] [list {*}$expected]]
}
proc do_catchsql_test {name sql expected} {
  uplevel 1 [list do_test $name [list catchsql $sql] $expected]
}
# The result (a list, joined with spaces) matches the regular expression re.
proc do_re_test {name script re} {
  uplevel 1 [list do_test $name "regexp -- [list $re] \[join \[$script\]\]" 1]
}

# Run SQL on the MySQL server as root (setup only; the extension under test
# always connects as the agent user). Returns tab-separated output rows.
proc mysql {sql args} {
  set cmd [list mariadb {*}$::env(MYSQL_VTAB_ROOT) -N -B {*}$args -e $sql]
  return [exec -- {*}$cmd 2>@1]
}
# The same in the background; returns the pid.
proc mysql_bg {sql args} {
  set cmd [list mariadb {*}$::env(MYSQL_VTAB_ROOT) -N -B {*}$args -e $sql]
  return [exec -- {*}$cmd >/dev/null 2>@1 &]
}
# After FLUSH BINARY LOGS MariaDB writes a second Binlog_checkpoint into the
# new file, naming it, once InnoDB has flushed: up to a second later with
# innodb_flush_log_at_trx_commit=2. Tests that compare positions wait for
# it, or it may land between the two positions they compare (a race seen
# once, in a sanitizer run of changes02).
proc wait_checkpoint {} {
  set f [lindex [split [mysql {SHOW MASTER STATUS}] \t] 0]
  for {set n 0} {$n < 100} {incr n} {
    foreach line [split [mysql "SHOW BINLOG EVENTS IN '$f'"] \n] {
      set c [split $line \t]
      if {[lindex $c 2] eq "Binlog_checkpoint" && [lindex $c 5] eq $f} return
    }
    after 100
  }
  error "no Binlog_checkpoint naming $f after 10 s"
}
# The peak-RSS bound of the memory tests, in kB: 64 MB; under the
# sanitizers (make test SANITIZE=1) ASan's shadow memory and quarantine
# come on top, so the bound there is 10x (the plain build enforces 64 MB).
proc sanitized {} { expr {[info exists ::env(SANITIZE)] && $::env(SANITIZE) ne ""} }
proc rss_limit_kb {} { expr {[sanitized] ? 640*1024 : 64*1024} }
# How much more a scan of 100x the rows may peak at ("flat"): ASan's
# quarantine holds freed blocks, so there 64 MB.
proc rss_slack_kb {} { expr {[sanitized] ? 64*1024 : 8*1024} }

# The DSN of the agent user, with extra key=value pairs appended.
proc agent_dsn {args} {
  return [string trim "$::env(MYSQL_VTAB_DSN) [join $args { }]"]
}

# Start another throwaway server with extra mariadbd options; returns a dict
# of its env (MYSQL_VTAB_DSN, MYSQL_VTAB_ROOT, ...). Stopped by finish_test.
set ::extraServers {}
proc start_server {args} {
  set dir [exec mktemp -d /tmp/mysql_vtab_srv.XXXXXX]
  exec [file join $::testdir server.sh] start $dir {*}$args 2>@1
  lappend ::extraServers $dir
  set env {}
  foreach line [split [exec cat $dir/env] \n] {
    if {[regexp {^export ([A-Z_]+)='?([^']*)'?$} $line -> k v]} { dict set env $k $v }
  }
  return $env
}
proc stop_servers {} {
  foreach dir $::extraServers {
    catch { exec [file join $::testdir server.sh] stop $dir }
  }
  set ::extraServers {}
}

proc finish_test {} {
  catch { db close }
  stop_servers
  set file [file tail [info script]]
  puts "$::nFail errors out of $::nTest tests in $file"
  if {$::nFail} { puts "Failures: $::failList" }
  puts "##RESULT [expr {$::nTest - $::nFail}] $::nFail"
  exit [expr {$::nFail ? 1 : 0}]
}
