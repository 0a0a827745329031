-- Units taken from each product's daily bake, one row per product and local day of the shop
-- (`id` is `<product id>:<YYYY-MM-DD>`, as on MongoDB). Plain columns rather than a JSON
-- document: the row is one counter, changed by a conditional upsert in the transaction that
-- places or cancels the order, and the CHECK keeps it from ever going negative. The key is
-- the only index: counts are read and written by product and day.
CREATE TABLE daily_bakes (
    id         TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL,
    day        TEXT NOT NULL,
    taken      INTEGER NOT NULL CHECK (taken >= 0)
);
