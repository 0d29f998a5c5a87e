# typematrix.tcl — the full type matrix of changes_types01.test (its procs
# cdc_create_sql, cdc_insert_sql, cdc_update_sql, cdc_sql_mode), for the
# tests that compare other paths on it (mirror02, changes_typed01). Sourced
# after tester.tcl.
proc load_procs {file names} {
  set fd [open $file]
  set text [read $fd]
  close $fd
  set acc ""
  foreach line [split $text \n] {
    if {$acc eq ""} {
      if {![regexp {^proc (\S+) } $line -> name] || $name ni $names} continue
    }
    append acc $line \n
    if {[info complete $acc]} { uplevel #0 $acc; set acc "" }
  }
}
load_procs [file join [file dirname [info script]] changes_types01.test] \
  {cdc_create_sql cdc_e300_labels cdc_insert_sql cdc_update_sql cdc_sql_mode}
# On MySQL: its own time literals, and a sql_mode that takes the matrix's
# zero dates (its default has NO_ZERO_DATE).
if {[server_is mysql]} {
  rename cdc_insert_sql cdc_insert_sql_mariadb
  rename cdc_update_sql cdc_update_sql_mariadb
  proc cdc_insert_sql {tbl} {
    lmap s [cdc_insert_sql_mariadb $tbl] { string cat [cdc_sql_mode] [mysql_times $s] }
  }
  proc cdc_update_sql {tbl} {
    lmap s [cdc_update_sql_mariadb $tbl] { string cat [cdc_sql_mode] $s }
  }
}
