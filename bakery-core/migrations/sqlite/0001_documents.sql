-- Every aggregate is a table of JSON documents: `doc` is the domain struct exactly as serde
-- writes it (camelCase), the same shape the MongoDB adapter stores, and the only copy of the
-- data. The VIRTUAL generated columns expose the fields that are filtered, sorted or must be
-- unique, so SQLite can index them without a second copy that could drift. Timestamps are
-- fixed-width RFC 3339 strings, so comparing them as text compares them as time.
--
-- The CHECKs keep the row key and the document's own id from ever disagreeing.

CREATE TABLE users (
    id      TEXT PRIMARY KEY NOT NULL,
    doc     TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    phone   TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.phone')) VIRTUAL,
    version INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.version')) VIRTUAL
);
CREATE UNIQUE INDEX users_phone ON users (phone);

-- `nameKey` is written by the adapter as the Unicode lower-case name: SQLite's lower() and
-- NOCASE fold ASCII only, and "Éclairs" and "éclairs" must be one category.
CREATE TABLE categories (
    id            TEXT PRIMARY KEY NOT NULL,
    doc           TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    name          TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    name_key      TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.nameKey')) VIRTUAL,
    is_active     INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.isActive')) VIRTUAL,
    display_order INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.displayOrder')) VIRTUAL
);
CREATE UNIQUE INDEX categories_name_key ON categories (name_key);
CREATE INDEX categories_listing ON categories (display_order, name);

CREATE TABLE products (
    id              TEXT PRIMARY KEY NOT NULL,
    doc             TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    name            TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    category_id     TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.categoryId')) VIRTUAL,
    -- What the customer pays: the discount price when set.
    effective_price INTEGER GENERATED ALWAYS AS (
        coalesce(json_extract(doc, '$.discountPrice'), json_extract(doc, '$.price'))
    ) VIRTUAL,
    is_vegetarian   INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.isVegetarian')) VIRTUAL,
    is_available    INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.isAvailable')) VIRTUAL,
    is_featured     INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.isFeatured')) VIRTUAL,
    -- NULL means unlimited.
    stock           INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.stock')) VIRTUAL,
    units_sold      INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.unitsSold')) VIRTUAL,
    rating_average  REAL    GENERATED ALWAYS AS (json_extract(doc, '$.ratings.average')) VIRTUAL,
    rating_count    INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.ratings.count')) VIRTUAL,
    created_at      TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_available ON products (is_available);
CREATE INDEX products_featured ON products (is_featured);
CREATE INDEX products_created ON products (created_at);
CREATE INDEX products_price ON products (effective_price);
CREATE INDEX products_rating ON products (rating_average, rating_count);
CREATE INDEX products_popularity ON products (units_sold, rating_average);
CREATE INDEX products_name ON products (name);

CREATE TABLE reviews (
    id         TEXT PRIMARY KEY NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    product_id TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.productId')) VIRTUAL,
    user_id    TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.userId')) VIRTUAL,
    rating     INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.rating')) VIRTUAL,
    created_at TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE UNIQUE INDEX reviews_one_per_user ON reviews (product_id, user_id);
CREATE INDEX reviews_listing ON reviews (product_id, created_at);

CREATE TABLE orders (
    id           TEXT PRIMARY KEY NOT NULL,
    doc          TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    user_id      TEXT GENERATED ALWAYS AS (json_extract(doc, '$.userId')) VIRTUAL,
    order_status TEXT GENERATED ALWAYS AS (json_extract(doc, '$.orderStatus')) VIRTUAL,
    promotion_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.promotionId')) VIRTUAL,
    created_at   TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX orders_user ON orders (user_id);
CREATE INDEX orders_status ON orders (order_status);
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    user_id    TEXT GENERATED ALWAYS AS (json_extract(doc, '$.userId')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at);

CREATE TABLE promotions (
    id         TEXT PRIMARY KEY NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    code       TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.code')) VIRTUAL,
    is_active  INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.isActive')) VIRTUAL,
    start_date TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.startDate')) VIRTUAL,
    end_date   TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.endDate')) VIRTUAL,
    used_count INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.usedCount')) VIRTUAL,
    created_at TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
-- Promotions without a code are banners and may be many; only codes must be unique.
CREATE UNIQUE INDEX promotions_code ON promotions (code) WHERE code IS NOT NULL;
CREATE INDEX promotions_created ON promotions (created_at);

-- One live OTP per phone: the unique index is what lets a new code replace the old one.
CREATE TABLE otps (
    id       TEXT PRIMARY KEY NOT NULL,
    doc      TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    phone    TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.phone')) VIRTUAL,
    attempts INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.attempts')) VIRTUAL
);
CREATE UNIQUE INDEX otps_phone ON otps (phone);

CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    token_hash TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.tokenHash')) VIRTUAL,
    family_id  TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.familyId')) VIRTUAL,
    user_id    TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.userId')) VIRTUAL,
    used_at    TEXT    GENERATED ALWAYS AS (json_extract(doc, '$.usedAt')) VIRTUAL,
    revoked    INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.revoked')) VIRTUAL
);
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
