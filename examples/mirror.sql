-- examples/mirror.sql — a local replica of MySQL tables with mysql_mirror.
-- Run it on a database file, as often as you like:
--   shell/mysql-sqlite replica.db < examples/mirror.sql
-- The first call of a set creates its local tables and fills them from ONE
-- consistent snapshot; each later call reads the binlog once from the set's
-- position and applies the changes, each MySQL transaction whole, data and
-- position in the same SQLite commit, so every change is applied exactly
-- once even if the process is killed.
-- It returns the number of rows copied (first call) or changes applied.
-- To keep the replica up to date continuously instead, until Ctrl-C:
--   shell/mysql-sqlite replicate replica.db 'shop.%'

-- A set of two tables, named m_orders and m_order_items here: an order and
-- its lines, written by one MySQL transaction, arrive together.
SELECT mysql_mirror('shop.orders, shop.order_items', 'm_%') AS orders_and_items;

-- One table, one name: the one-table form.
SELECT mysql_mirror('shop.products', 'products') AS products,
       mysql_mirror('shop.customers', 'customers') AS customers;

-- Where each set stands (README: "Keep a local replica").
SELECT name, pos, applied, last_ts FROM mysql_mirror_sets ORDER BY name;
SELECT local_tbl, src, set_name, applied FROM mysql_mirror_state ORDER BY local_tbl;

-- The replicas are ordinary SQLite tables.
SELECT id, sku, name, price, stock, flags, attrs FROM products;
SELECT id, name, country, tier, interests, created FROM customers;
SELECT o.id, o.status, count(i.line) AS lines, o.total
  FROM m_orders o LEFT JOIN m_order_items i ON i.order_id = o.id
 GROUP BY o.id ORDER BY o.id;
