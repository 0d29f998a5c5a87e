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
# statements as root through the mariadb client (or MySQL's mysql client
# where that is the one installed, as in a MySQL root of test/roots.sh).
# The server may be MariaDB or MySQL (test/server.sh's flavours):
# server_is and skip_test let a test skip only what that server cannot do.

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
  uplevel 1 [list do_test $name "set _r \[join \[$script\]\]; if {\[regexp -- [list $re] \$_r\]} {set _r 1} {set _r}" 1]
}

# Run SQL on the MySQL server as root (setup only; the extension under test
# always connects as the agent user). Returns tab-separated output rows.
proc mysql {sql args} {
  mysql_on $::env(MYSQL_VTAB_ROOT) $sql {*}$args
}
# The same in the background; returns the pid.
proc mysql_bg {sql args} {
  set cmd [list [client] {*}$::env(MYSQL_VTAB_ROOT) -N -B {*}$args -e [portable_sql $sql]]
  return [exec -- {*}$cmd >/dev/null 2>@1 &]
}
# A file of SQL in the background, fed to the client's standard input
# (MySQL's client runs no `source` given by -e); returns the pid.
proc mysql_bg_file {file args} {
  set cmd [list [client] {*}$::env(MYSQL_VTAB_ROOT) -N -B {*}$args]
  return [exec -- {*}$cmd <$file >/dev/null 2>@1 &]
}
# The same on another server, given by its MYSQL_VTAB_ROOT arguments.
proc mysql_on {rootArgs sql args} {
  set cmd [list [client] {*}$rootArgs -N -B {*}$args -e [portable_sql $sql]]
  return [exec -- {*}$cmd 2>@1]
}
# Tests fill tables from MariaDB's Sequence engine (seq_1_to_N, in every
# schema); MySQL has none, so there each such name becomes a recursive CTE
# of the same rows and column (seq).
proc portable_sql {sql} {
  if {![string match *seq_* $sql] || [server_is mariadb]} { return $sql }
  set re {(?:\m\w+\.)?\mseq_(\d+)_to_(\d+)\M}
  set cte {(WITH RECURSIVE s_\1(seq) AS (SELECT CAST(\1 AS UNSIGNED) UNION ALL SELECT seq+1 FROM s_\1 WHERE seq<\2) SELECT seq FROM s_\1) AS seq_\1_to_\2}
  if {[regsub -all $re $sql $cte sql] == 0} { return $sql }
  return "SET SESSION cte_max_recursion_depth=4294967295; $sql"
}
# The command-line client: MariaDB's where installed (it speaks to MySQL
# too), else MySQL's.
proc client {} {
  if {![info exists ::client]} {
    set ::client [expr {[auto_execok mariadb] ne "" ? "mariadb" : "mysql"}]
  }
  return $::client
}

# What the server is, asked once: server_is mysql|mariadb ?MIN_VERSION?
# (MIN_VERSION as 80400 for 8.4.0). A test skips what its server cannot do
# with skip_test, which prints what and why and counts it.
proc server_info {} {
  if {![info exists ::serverInfo]} {
    set v [exec -- [client] {*}$::env(MYSQL_VTAB_ROOT) -N -B -e {SELECT VERSION()} 2>@1]
    set flavour [expr {[string match -nocase *mariadb* $v] ? "mariadb" : "mysql"}]
    regexp {^(\d+)\.(\d+)\.(\d+)} $v -> a b c
    set ::serverInfo [list $flavour [expr {$a*10000 + $b*100 + $c}] $v]
  }
  return $::serverInfo
}
proc server_is {flavour {min 0}} {
  lassign [server_info] f v
  expr {$f eq $flavour && $v >= $min}
}
proc server_version {} { lindex [server_info] 2 }
# The client library the extension was built with, as mysql_vtab_debug()
# names it ("client NAME VERSION (compiled against V)"): "MariaDB
# Connector/C" or "libmysqlclient" (make test-matrix's second build).
proc client_library {} {
  regexp -line {^client (.*) \S+ \(compiled against [^)]*\)$} \
    [db one {SELECT mysql_vtab_debug()}] -> name
  return $name
}
set ::skipList {}
proc skip_test {name why} {
  if {$::testprefix ne ""} { set name "$::testprefix-$name" }
  lappend ::skipList $name
  puts "skipped: $name on [lindex [server_info] 0] [server_version]: $why"
}
# The least binlog_row_metadata the server writes: NO_LOG on MariaDB (its
# default), MINIMAL on MySQL (its default; it has no NO_LOG): signedness
# and charsets, no names.
proc nometa {} { expr {[server_is mariadb] ? "NO_LOG" : "MINIMAL"} }
# A GTID as the server writes it: MariaDB domain-server-seq, MySQL
# uuid:n (or uuid:tag:n).
proc gtid_re {} {
  expr {[server_is mariadb] ? {^\d+-\d+-\d+$} : {^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[a-z_][a-z0-9_]*)?:\d+$}}
}
# MySQL's TIME ends at +-838:59:59 with no fraction (MariaDB's at
# +-838:59:59.999999): on MySQL, mysql_times turns the fractional extremes
# of SQL text into whole seconds, and those of expected JSON into zero
# fractions of the same digits.
proc mysql_times {text} {
  if {![server_is mysql]} { return $text }
  regsub -all {'(-?)838:59:59\.\d+'} $text {'\1838:59:59'} text
  while {[regexp -indices {"-?838:59:59\.(\d*[1-9]\d*)"} $text -> r]} {
    lassign $r a b
    set text [string replace $text $a $b [string repeat 0 [expr {$b - $a + 1}]]]
  }
  return $text
}
# The server's binlog file and position, as {file pos}: SHOW MASTER STATUS
# on MariaDB and MySQL before 8.4 (which removed it for SHOW BINARY LOG
# STATUS).
proc binlog_status_sql {} {
  expr {[server_is mysql 80200] ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS"}
}
proc binlog_status {} {
  lrange [split [lindex [split [mysql [binlog_status_sql]] \n] 0] \t] 0 1
}
# The current position as file:offset.
proc binlog_pos {} { join [binlog_status] : }
# In the background: after secs seconds, end every connection of user on
# the server of rootArgs (default the main one). MariaDB has KILL USER;
# MySQL kills each id from the processlist.
proc kill_user_bg {user secs {rootArgs ""}} {
  if {$rootArgs eq ""} { set rootArgs $::env(MYSQL_VTAB_ROOT) }
  if {[server_is mariadb]} {
    return [exec -- [client] {*}$rootArgs -N -B -e "DO SLEEP($secs); KILL USER '$user'" >/dev/null 2>@1 &]
  }
  set c [join [list [client] {*}$rootArgs -N -B] " "]
  return [exec sh -c "sleep $secs; for i in \$($c -e \"SELECT id FROM information_schema.PROCESSLIST WHERE user='$user'\"); do $c -e \"KILL \$i\"; done" >/dev/null 2>@1 &]
}
# After FLUSH BINARY LOGS MariaDB writes a second Binlog_checkpoint into the
# new file, naming it, once InnoDB has flushed: up to a second later with
# innodb_flush_log_at_trx_commit=2. Tests that compare positions wait for
# it, or it may land between the two positions they compare (a race seen
# once, in a sanitizer run of changes02).
proc wait_checkpoint {} {
  if {![server_is mariadb]} return
  set f [lindex [binlog_status] 0]
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
  # test/run.sh stops it too, should this file end by an error.
  if {[info exists ::env(MYSQL_VTAB_SERVER_DIR)]} {
    set f [open [file join $::env(MYSQL_VTAB_SERVER_DIR) extra_servers] a]
    puts $f $dir
    close $f
  }
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
  if {[llength $::skipList]} {
    puts "[llength $::skipList] skipped (above): $::skipList"
  }
  if {$::nFail} { puts "Failures: $::failList" }
  puts "##RESULT [expr {$::nTest - $::nFail}] $::nFail"
  exit [expr {$::nFail ? 1 : 0}]
}
