# examples/from_tcl.tcl — mysql_vtab from Tcl's sqlite3 package.
#   tclsh examples/from_tcl.tcl EXTENSION DB.TABLE START_POS REPLICA_FILE
# (the connection comes from MYSQL_VTAB_DSN or ~/.my.cnf)
package require sqlite3

lassign $argv ext table start replica
lassign [split $table .] schema name

sqlite3 db $replica
db enable_load_extension 1
db eval {SELECT load_extension($ext)}   ;# e.g. /usr/local/lib/mysql_vtab
db enable_load_extension 0
db nullvalue null

# 1. a consistent snapshot of the table
db eval {SELECT pk, row FROM mysql_snapshot($table)} {
  puts "snapshot $pk $row"
}

# 2. the changes since a binlog position; $vars are bound, never pasted in
db eval {SELECT op, before, after FROM mysql_changes($start)
         WHERE db = $schema AND tbl = $name} {
  puts "$op $before $after"
}

# 3. a local replica in the file: call again to bring it up to date
set n [db onecolumn {SELECT mysql_mirror($table, $name)}]
set count [db onecolumn "SELECT count(*) FROM \"$name\""]
puts "mirror $n replica $count"
db close
