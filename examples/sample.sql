-- examples/sample.sql — the sample data of `make demo`: a small shop.
--
-- MySQL/MariaDB SQL, run as root (or any user with CREATE), e.g.
--   mariadb -uroot < examples/sample.sql
-- It drops and recreates the schema `shop`. Four InnoDB tables with
-- primary keys, between them one column of every type family the
-- extension maps (see README, "Type mapping"):
--   integers of every width, signed and unsigned, YEAR, BIT   -> numbers
--   DECIMAL -> exact strings, FLOAT/DOUBLE -> numbers
--   DATE, DATETIME(6), TIME, TIMESTAMP(3) -> strings (TIMESTAMP in UTC)
--   VARCHAR/CHAR/TEXT in utf8mb4, ENUM, SET -> strings
--   BLOB, VARBINARY -> lower-case hex;  JSON -> JSON values
-- No foreign keys on purpose: InnoDB applies ON DELETE CASCADE inside the
-- storage engine and the binlog does not carry the cascaded rows.

SET NAMES utf8mb4;
DROP DATABASE IF EXISTS shop;
CREATE DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE shop;

CREATE TABLE customers (
  id        INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  name      VARCHAR(100) NOT NULL,
  email     VARCHAR(200) NOT NULL UNIQUE,
  country   CHAR(2) NOT NULL,
  tier      ENUM('basic','silver','gold') NOT NULL DEFAULT 'basic',
  interests SET('books','music','garden','games'),
  born      DATE,
  created   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  notes     TEXT
) ENGINE=InnoDB;

CREATE TABLE products (
  id        INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  sku       VARCHAR(12) NOT NULL UNIQUE,
  name      VARCHAR(200) NOT NULL,
  price     DECIMAL(10,2) NOT NULL,
  weight_kg FLOAT,
  rating    DOUBLE,
  stock     SMALLINT NOT NULL DEFAULT 0,
  flags     BIT(4) NOT NULL DEFAULT b'0000',
  released  YEAR,
  attrs     JSON,
  barcode   VARBINARY(16),
  thumbnail BLOB
) ENGINE=InnoDB;

CREATE TABLE orders (
  id          BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status      ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
  placed_at   DATETIME(6) NOT NULL,
  deliver_by  TIME,
  total       DECIMAL(12,2) NOT NULL DEFAULT 0,
  KEY (customer_id)
) ENGINE=InnoDB;

CREATE TABLE order_items (
  order_id   BIGINT UNSIGNED NOT NULL,
  line       TINYINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  qty        MEDIUMINT NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line)
) ENGINE=InnoDB;

INSERT INTO customers (name, email, country, tier, interests, born, created, notes) VALUES
  ('Ada Lovelace',  'ada@example.com',   'GB', 'gold',   'books,music', '1815-12-10', '2024-01-05 09:30:00.125', 'prefers email'),
  ('José Núñez',    'jose@example.com',  'ES', 'silver', 'garden',      '1988-03-02', '2024-02-11 18:02:45.000', NULL),
  ('Zoë Ødegård',   'zoe@example.com',   'NO', 'basic',  NULL,          NULL,         '2024-03-20 07:15:00.500', 'said "hi" at the till'),
  ('李雷',           'li@example.com',    'CN', 'basic',  'games',       '2001-07-30', '2024-04-01 12:00:00.000', '🎮 fan'),
  ('Grace Hopper',  'grace@example.com', 'US', 'gold',   'books,games', '1906-12-09', '2024-05-17 23:59:59.999', NULL);

INSERT INTO products (sku, name, price, weight_kg, rating, stock, flags, released, attrs, barcode, thumbnail) VALUES
  ('BK-001', 'The Analytical Engine', 24.90, 0.45, 4.75, 12, b'0001', 2019, '{"format": "hardcover", "pages": 320}', X'0123456789ab', NULL),
  ('BK-002', 'COBOL for Cats',        12.50, 0.30, 3.9,  40, b'0000', 2021, '{"format": "paperback", "pages": 128}', X'0123456789ac', X'89504e47'),
  ('MU-010', 'Vinyl: Fjord Echoes',   31.00, 0.25, 4.2,   5, b'0011', 1998, '{"rpm": 33, "colour": "blue"}',         NULL,          NULL),
  ('GA-100', 'Trowel, stainless',      9.99, 0.2,  NULL, 100, b'0100', 2023, '{"material": "steel", "tags": ["garden", "tool"]}', X'00ff00ff', NULL),
  ('GM-777', 'Board game: Binlog',    45.00, 1.2,  4.9,   0, b'1000', 2024, '{"players": [2, 6], "ages": "10+"}',   X'deadbeef',   X'47494638');

INSERT INTO orders (customer_id, status, placed_at, deliver_by, total) VALUES
  (1, 'shipped',   '2024-06-01 10:15:00.000001', '17:00:00', 49.80),
  (2, 'paid',      '2024-06-02 11:20:30.250000', '12:30:00', 21.49),
  (3, 'new',       '2024-06-03 08:00:00.000000', NULL,       31.00),
  (4, 'cancelled', '2024-06-03 21:45:10.999999', NULL,       45.00),
  (5, 'paid',      '2024-06-04 14:05:00.500000', '09:00:00', 57.40),
  (1, 'new',       '2024-06-05 16:40:00.000000', NULL,       12.50);

INSERT INTO order_items (order_id, line, product_id, qty, unit_price) VALUES
  (1, 1, 1, 2, 24.90),
  (2, 1, 2, 1, 12.50), (2, 2, 4, 1, 8.99),
  (3, 1, 3, 1, 31.00),
  (4, 1, 5, 1, 45.00),
  (5, 1, 1, 1, 24.90), (5, 2, 2, 2, 12.50), (5, 3, 4, 1, 7.50),
  (6, 1, 2, 1, 12.50);
