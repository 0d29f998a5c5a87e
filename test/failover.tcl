# failover.tcl — two throwaway servers in primary/replica replication for
# the failover tests (mirror04, mirror07). Sourced after tester.tcl, it
# starts the primary A (server_id 1) and its replica B (server_id 2): GTIDs,
# the replica logging what it applies. It sets A, B, adir, bdir, dsnA, dsnB
# and the procs on_a, on_b, gtid_of, b_has.
set opts [expr {[server_is mysql] ? {--gtid-mode=ON --enforce-gtid-consistency=ON}
                                 : {--log-slave-updates}}]
set A [start_server {*}$opts]
set B [start_server --server-id=2 {*}$opts]
set adir [dict get $A MYSQL_VTAB_SERVER_DIR]
set bdir [dict get $B MYSQL_VTAB_SERVER_DIR]
exec [file join $::testdir server.sh] replicate $bdir $adir 2>@1
proc on_a {sql} { mysql_on [dict get $::A MYSQL_VTAB_ROOT] $sql -D vt }
proc on_b {sql} { mysql_on [dict get $::B MYSQL_VTAB_ROOT] $sql -D vt }
set dsnA [dict get $A MYSQL_VTAB_DSN]
set dsnB [dict get $B MYSQL_VTAB_DSN]

# A server's GTID position as the set records it: MariaDB's
# gtid_binlog_pos, MySQL's gtid_executed (the client's batch output writes
# its newlines as \n).
proc gtid_of {on} {
  if {[server_is mariadb]} { return [$on {SELECT @@GLOBAL.gtid_binlog_pos}] }
  string map [list "\\n" "" "\n" ""] [$on {SELECT @@GLOBAL.gtid_executed}]
}
# Wait until B has applied the GTIDs of a set's position (MariaDB's
# per-domain position, MySQL's set).
proc b_has {gtid} {
  if {[server_is mariadb]} {
    on_b "SELECT MASTER_GTID_WAIT('$gtid', 60)"
  } else {
    on_b "SELECT WAIT_FOR_EXECUTED_GTID_SET('$gtid', 60)"
  }
}
