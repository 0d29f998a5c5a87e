-- examples/mirror.sql — a local replica of MySQL tables with mysql_mirror.
-- Run it on a database file, as often as you like:
--   shell/mysql-sqlite replica.db < examples/mirror.sql
-- The first call per table creates the local table and fills it from a
-- snapshot; each later call applies the changes since the position stored
-- by the previous one, data and position in one SQLite transaction, so
-- every change is applied exactly once even if the process is killed.
-- It returns the number of rows copied (first call) or changes applied.

SELECT mysql_mirror('shop.products', 'products') AS products,
       mysql_mirror('shop.customers', 'customers') AS customers;

-- Where each mirror stands (README: "Keep a local replica").
SELECT local_tbl, src, pos, applied FROM mysql_mirror_state;

-- The replicas are ordinary SQLite tables.
SELECT id, sku, name, price, stock, flags, attrs FROM products;
SELECT id, name, country, tier, interests, created FROM customers;
