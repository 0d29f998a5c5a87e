-- examples/snapshot.sql — reading MySQL tables with mysql_snapshot.
-- Run with the connection in MYSQL_VTAB_DSN (or ~/.my.cnf), on the sample
-- shop (examples/sample.sql):
--   shell/mysql-sqlite -box < examples/snapshot.sql

-- 1. One row per MySQL row: the primary key and the row as JSON, plus the
--    binlog position the snapshot corresponds to (see two_phase.sql).
SELECT pk, row, pos FROM mysql_snapshot('shop.products') LIMIT 2;

-- 2. Rows are JSON: pick fields with ->>. DECIMAL is an exact string, a
--    JSON column is a JSON value, binary columns are hex.
SELECT row->>'sku' AS sku, row->>'price' AS price, row->'attrs'->>'format' AS format,
       row->>'barcode' AS barcode
FROM mysql_snapshot('shop.products')
ORDER BY CAST(row->>'price' AS REAL) DESC;

-- 3. Several tables in ONE consistent snapshot: 'shop.%' reads every table
--    of the schema in one transaction, so they all share one pos.
SELECT tbl, count(*) AS rows, pos FROM mysql_snapshot('shop.%') GROUP BY tbl;

-- 4. The typed form: the table's own columns with SQLite types. WHERE on
--    a column is sent to MySQL, so only matching rows cross the network.
CREATE VIRTUAL TABLE temp.orders USING mysql_snapshot('shop.orders');
CREATE VIRTUAL TABLE temp.customers USING mysql_snapshot('shop.customers');
SELECT id, customer_id, status, placed_at, total FROM temp.orders WHERE status = 'paid';

-- 5. Join MySQL tables in SQLite: revenue per customer.
SELECT c.name, c.country, count(*) AS orders, sum(o.total) AS revenue
FROM temp.orders AS o JOIN temp.customers AS c ON c.id = o.customer_id
WHERE o.status <> 'cancelled'
GROUP BY c.id ORDER BY revenue DESC;
