-- examples/mirror.sql — a local replica of MySQL tables with mysql_mirror.
-- Run it on a database file, as often as you like:
--   shell/mysql-sqlite replica.db < examples/mirror.sql
-- The first call per table creates the local table and fills it from a
-- snapshot; each later call applies the changes since the position stored
-- by the previous one, data and position in one SQLite transaction, so
-- every change is applied exactly once even if the process is killed.
-- It returns the number of changes it applied.

SELECT mysql_mirror('shop.products', 'products') AS products_applied,
       mysql_mirror('shop.customers', 'customers') AS customers_applied;

SELECT id, sku, name, price, stock, attrs FROM products;
SELECT id, name, country, tier, interests FROM customers;
