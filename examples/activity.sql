-- examples/activity.sql — some shop activity on the sample data, so that
-- the binlog has changes to show (MySQL SQL, as root, after sample.sql):
--   mariadb -uroot < examples/activity.sql
-- `make demo` runs it between the first and the second look at the shop.
SET NAMES utf8mb4;
USE shop;

-- 1. A new customer signs up and orders two items, in one transaction.
BEGIN;
INSERT INTO customers (name, email, country, tier, interests, born, notes)
  VALUES ('Linnéa Ek', 'linnea@example.com', 'SE', 'basic', 'music,books', '1990-10-10', NULL);
INSERT INTO orders (customer_id, status, placed_at, deliver_by, total)
  VALUES (LAST_INSERT_ID(), 'new', NOW(6), '15:00:00', 55.90);
SET @o = LAST_INSERT_ID();
INSERT INTO order_items VALUES (@o, 1, 3, 1, 31.00), (@o, 2, 1, 1, 24.90);
UPDATE products SET stock = stock - 1 WHERE id IN (1, 3);
COMMIT;

-- 2. Payments arrive for orders 6 and 7; order 2 ships.
UPDATE orders SET status = 'paid' WHERE id IN (6, 7);
UPDATE orders SET status = 'shipped', deliver_by = '10:30:00' WHERE id = 2;

-- 3. A price change with a new edition, and a restock.
UPDATE products SET price = 27.50, attrs = JSON_SET(attrs, '$.edition', 2) WHERE sku = 'BK-001';
UPDATE products SET stock = 25, flags = b'1001' WHERE sku = 'GM-777';

-- 4. Housekeeping deletes the cancelled order 4 and its lines.
BEGIN;
DELETE FROM order_items WHERE order_id = 4;
DELETE FROM orders WHERE id = 4;
COMMIT;

-- 5. Zoë closes her account: her customer row and her open order 3 go.
BEGIN;
DELETE FROM order_items WHERE order_id = 3;
DELETE FROM orders WHERE id = 3;
DELETE FROM customers WHERE email = 'zoe@example.com';
COMMIT;
