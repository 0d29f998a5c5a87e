# host.tcl — shared by the host tests (host02-host06.test): each runs one
# of examples/from_*.* in another host (Python, Node.js, Tcl, C) against
# the throwaway server and compares its output with what this test's own
# connection computes from the same data.
#
#   set start [host_table vt.h_py]   fresh table, rows, then changes after
#                                    the returned position
#   host_expected vt.h_py $start     the lines every example prints
#   host_more vt.h_py                more changes; returns their count
#
# Every example prints: "snapshot PK ROW" per row, "OP BEFORE AFTER" per
# change of the table since START (null for a missing image), then
# "mirror N replica COUNT" (N: mysql_mirror's result, rows copied on the
# first call, changes applied on later ones).

# The extension as a host would name it: the path without ".so".
proc host_ext {} { file rootname [ext_path] }

proc host_table {table} {
  mysql "DROP TABLE IF EXISTS $table;
         CREATE TABLE $table (id INT PRIMARY KEY, item VARCHAR(20), qty INT,
                              price DECIMAL(8,2), doc JSON);
         INSERT INTO $table VALUES (1, 'pen', 3, 1.50, '{\"colour\": \"red\"}'),
                                   (2, 'ink', 1, 7.25, NULL)"
  set start [execsql {SELECT mysql_position()}]
  mysql "INSERT INTO $table VALUES (3, 'pad', 10, 2.00, '\[1, 2\]');
         UPDATE $table SET qty = qty + 1 WHERE id = 1;
         DELETE FROM $table WHERE id = 2"
  return $start
}

proc host_more {table} {
  mysql "INSERT INTO $table VALUES (4, 'clip', 100, 0.05, NULL);
         UPDATE $table SET item = 'note pad' WHERE id = 3"
  return 2
}

proc host_expected {table start {mirrored ""}} {
  lassign [split $table .] schema name
  set out {}
  foreach {pk row} [execsql {SELECT pk, row FROM mysql_snapshot($table)}] {
    lappend out "snapshot $pk $row"
  }
  foreach {op b a} [execsql {SELECT op, ifnull(before, 'null'), ifnull(after, 'null')
                             FROM mysql_changes($start) WHERE db = $schema AND tbl = $name}] {
    lappend out "$op $b $a"
  }
  set count [execsql {SELECT count(*) FROM mysql_snapshot($table)}]
  if {$mirrored eq ""} { set mirrored $count }
  lappend out "mirror $mirrored replica $count"
  join $out \n
}

# A temporary directory for the replica files, removed at the end.
set ::hostTmp [exec mktemp -d /tmp/mysql_vtab_host.XXXXXX]
proc host_cleanup {} { file delete -force $::hostTmp }

# Run a host program; its output, or "ERROR: exit ...: stderr".
proc host_run {args} {
  if {[catch {exec -- {*}$args 2>@1} out opts]} {
    return "ERROR: $out"
  }
  return $out
}

# The whole round for one example: first call (snapshot + changes +
# mirror), then more changes and a second call on the same replica file.
# cmd: the command line before its four arguments.
proc host_round {prefix table cmd} {
  set start [host_table $table]
  set replica [file join $::hostTmp [string map {. _} $table].db]
  file delete -force $replica
  set want [host_expected $table $start]
  do_test $prefix.1 { host_run {*}$cmd [host_ext] $table $start $replica } $want
  set n [host_more $table]
  set want [host_expected $table $start $n]
  do_test $prefix.2 { host_run {*}$cmd [host_ext] $table $start $replica } $want
  # the replica file holds what the server holds
  do_test $prefix.3 {
    sqlite3 rep $replica
    set r [rep eval "SELECT id, item, qty, price FROM \"[lindex [split $table .] 1]\" ORDER BY id"]
    rep close
    set r
  } [concat {*}[lmap line [split [mysql "SELECT id, item, qty, price FROM $table ORDER BY id"] \n] {
         split $line \t }]]
}
