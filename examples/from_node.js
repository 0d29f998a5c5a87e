// examples/from_node.js — mysql_vtab from Node.js with better-sqlite3 (12.x).
//   node examples/from_node.js EXTENSION DB.TABLE START_POS REPLICA_FILE
// (the connection comes from MYSQL_VTAB_DSN or ~/.my.cnf)
const Database = require('better-sqlite3');

const [ext, table, start, replica] = process.argv.slice(2);
const [schema, name] = table.split('.');

const db = new Database(replica);
db.loadExtension(ext);            // e.g. /usr/local/lib/mysql_vtab

// 1. a consistent snapshot of the table
for (const r of db.prepare('SELECT pk, row FROM mysql_snapshot(?)').iterate(table)) {
  console.log('snapshot', r.pk, r.row);
}

// 2. the changes since a binlog position, filtered with bound parameters
const changes = db.prepare(
  'SELECT op, before, after FROM mysql_changes(?) WHERE db = ? AND tbl = ?');
for (const r of changes.iterate(start, schema, name)) {
  console.log(r.op, r.before ?? 'null', r.after ?? 'null');
}

// 3. a local replica in the file: call again to bring it up to date
const n = db.prepare('SELECT mysql_mirror(?, ?)').pluck().get(table, name);
const count = db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get();
console.log('mirror', n, 'replica', count);
db.close();
