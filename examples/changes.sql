-- examples/changes.sql — the analyst's view of the binlog with mysql_changes.
-- Run with the connection in MYSQL_VTAB_DSN, after examples/activity.sql:
--   shell/mysql-sqlite -box < examples/changes.sql
--
-- mysql_changes(start_pos) reads the binlog from start_pos to its current
-- end. A binlog is not indexed by time, so "the last hour" means reading
-- from an older position and filtering on ts. 'mysql-bin.000001:4' is the
-- start of the demo server's first binlog file; on your server take the
-- first file that SHOW BINARY LOGS lists (offset 4 is a file's first event).

-- 1. What changed in shop.orders in the last hour: each update as the
--    columns it changed, each insert and delete as its whole row.
--    db and tbl are pushed into the decoder: other tables are not decoded.
SELECT datetime(c.ts, 'unixepoch') AS time, c.op,
       coalesce(c.after->>'id', c.before->>'id') AS id,
       CASE c.op WHEN 'update' THEN
         (SELECT group_concat(k.key || ': ' || coalesce(c.before->>k.key, 'NULL')
                              || ' -> ' || coalesce(k.value, 'NULL'), ', ')
          FROM json_each(c.after) AS k WHERE k.value IS NOT c.before->>k.key)
       ELSE coalesce(c.after, c.before, c.sql) END AS what
FROM mysql_changes('mysql-bin.000001:4') AS c
WHERE c.db = 'shop' AND c.tbl = 'orders'
  AND c.ts >= unixepoch('now', '-1 hour');

-- For the next questions, keep the last hour's row changes in a temp table
-- and ask it as often as you like without reading the binlog again.
CREATE TEMP TABLE recent AS
  SELECT * FROM mysql_changes('mysql-bin.000001:4')
  WHERE op IN ('insert', 'update', 'delete')
    AND ts >= unixepoch('now', '-1 hour');

-- 2. Who deleted what. The binlog does not record the MySQL user; it
--    records the transaction (gtid), its time and the whole deleted row,
--    so "who" is what the rows say: here, whose orders went.
SELECT datetime(ts, 'unixepoch') AS time, gtid, tbl,
       coalesce(before->>'customer_id', before->>'id') AS customer,
       before
FROM recent WHERE op = 'delete' AND tbl IN ('orders', 'customers')
ORDER BY rowid;

-- 3. Change counts per table, and in how many transactions.
SELECT db || '.' || tbl AS "table",
       sum(op = 'insert') AS inserts, sum(op = 'update') AS updates,
       sum(op = 'delete') AS deletes, count(DISTINCT gtid) AS transactions
FROM recent GROUP BY db, tbl ORDER BY count(*) DESC;

-- 4. The largest transactions of the hour.
SELECT gtid, datetime(min(ts), 'unixepoch') AS time, count(*) AS row_changes,
       group_concat(DISTINCT tbl) AS tables
FROM recent GROUP BY gtid ORDER BY row_changes DESC LIMIT 3;
