# examples/from_python.py — mysql_vtab from Python's sqlite3 module.
#   python3 examples/from_python.py EXTENSION DB.TABLE START_POS REPLICA_FILE
# (the connection comes from MYSQL_VTAB_DSN or ~/.my.cnf)
import sqlite3
import sys

ext, table, start, replica = sys.argv[1:5]
schema, name = table.split(".")

db = sqlite3.connect(replica)
db.enable_load_extension(True)   # needs a Python built with loadable extensions
db.load_extension(ext)           # e.g. /usr/local/lib/mysql_vtab (no .so needed)
db.enable_load_extension(False)

# 1. a consistent snapshot of the table
for pk, row in db.execute("SELECT pk, row FROM mysql_snapshot(?)", (table,)):
    print("snapshot", pk, row)

# 2. the changes since a binlog position, filtered with bound parameters
sql = "SELECT op, before, after FROM mysql_changes(?) WHERE db = ? AND tbl = ?"
for op, before, after in db.execute(sql, (start, schema, name)):
    print(op, before or "null", after or "null")

# 3. a local replica in the file: call again to bring it up to date
(n,) = db.execute("SELECT mysql_mirror(?, ?)", (table, name)).fetchone()
db.commit()
(count,) = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()
print("mirror", n, "replica", count)
db.close()
