-- examples/two_phase.sql — a local copy of shop.orders kept in sync by
-- hand, in plain SQL: phase 1 a snapshot, phase 2 the binlog changes from
-- the snapshot's exact position. mysql_mirror (examples/mirror.sql) does
-- all of this in one call; this file shows how it works.
--
-- Run it on a database file, as often as you like:
--   shell/mysql-sqlite replica.db < examples/two_phase.sql
-- The first run takes the snapshot; every run then applies the changes
-- since the position the previous run stored. Data and position are
-- written in one SQLite transaction, so a crash never applies a change
-- twice or skips one.

CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY, customer_id INTEGER, status TEXT,
  placed_at TEXT, deliver_by TEXT, total TEXT);
CREATE TABLE IF NOT EXISTS sync_state (tbl TEXT PRIMARY KEY, pos TEXT NOT NULL);

-- Phase 1, on the first run only: the rows and their pos, in one go. The
-- snapshot's pos is exact on MariaDB: every change after it is not in the
-- snapshot, every change before it is.
BEGIN;
CREATE TEMP TABLE snap AS
  SELECT * FROM mysql_snapshot('shop.orders')
  WHERE NOT EXISTS (SELECT 1 FROM sync_state WHERE tbl = 'shop.orders');
INSERT INTO orders
  SELECT row->>'id', row->>'customer_id', row->>'status',
         row->>'placed_at', row->>'deliver_by', row->>'total' FROM snap;
INSERT INTO sync_state SELECT 'shop.orders', pos FROM snap LIMIT 1;
COMMIT;
SELECT (SELECT count(*) FROM snap) AS snapshot_rows,
       (SELECT pos FROM sync_state WHERE tbl = 'shop.orders') AS pos;

-- Phase 2: the changes since the stored pos, in binlog order. Commit rows
-- carry next_pos, the position to resume from.
CREATE TEMP TABLE batch (seq INTEGER PRIMARY KEY, op TEXT, before TEXT,
                         after TEXT, sql TEXT, next_pos TEXT);
INSERT INTO batch (op, before, after, sql, next_pos)
  SELECT op, before, after, sql, next_pos
  FROM mysql_changes((SELECT pos FROM sync_state WHERE tbl = 'shop.orders'))
  WHERE (db = 'shop' AND tbl = 'orders') OR op = 'commit';

-- Apply one change: a trigger on a view runs once per inserted row, in
-- order. Replacing by primary key makes a repeated change harmless.
CREATE TEMP VIEW apply_change AS SELECT op, before, after, sql FROM batch;
CREATE TEMP TRIGGER apply_change INSTEAD OF INSERT ON apply_change BEGIN
  SELECT RAISE(ABORT, 'shop.orders changed its schema; take a new snapshot')
    WHERE NEW.op = 'ddl';
  DELETE FROM orders
    WHERE NEW.op IN ('update', 'delete') AND id = NEW.before->>'id';
  INSERT OR REPLACE INTO orders
    SELECT NEW.after->>'id', NEW.after->>'customer_id', NEW.after->>'status',
           NEW.after->>'placed_at', NEW.after->>'deliver_by', NEW.after->>'total'
    WHERE NEW.op IN ('insert', 'update');
END;

-- Only whole transactions: changes up to the last commit, and that
-- commit's next_pos as the new pos, in one SQLite transaction.
BEGIN;
INSERT INTO apply_change
  SELECT op, before, after, sql FROM batch
  WHERE op <> 'commit' AND seq < (SELECT max(seq) FROM batch WHERE op = 'commit')
  ORDER BY seq;
UPDATE sync_state
  SET pos = (SELECT next_pos FROM batch WHERE op = 'commit' ORDER BY seq DESC LIMIT 1)
  WHERE tbl = 'shop.orders' AND EXISTS (SELECT 1 FROM batch WHERE op = 'commit');
COMMIT;

SELECT (SELECT count(*) FROM batch WHERE op IN ('insert', 'update', 'delete')) AS changes_applied,
       (SELECT count(*) FROM orders) AS local_rows,
       (SELECT pos FROM sync_state WHERE tbl = 'shop.orders') AS pos;

-- Check: rows of the copy that a fresh snapshot does not have, and the
-- other way round (0 and 0).
WITH mysql AS (
  SELECT row->>'id', row->>'customer_id', row->>'status', row->>'placed_at',
         row->>'deliver_by', row->>'total' FROM mysql_snapshot('shop.orders'))
SELECT (SELECT count(*) FROM (SELECT * FROM orders EXCEPT SELECT * FROM mysql)) AS only_local,
       (SELECT count(*) FROM (SELECT * FROM mysql EXCEPT SELECT * FROM orders)) AS only_in_mysql;
SELECT id, customer_id, status, placed_at, total FROM orders;
