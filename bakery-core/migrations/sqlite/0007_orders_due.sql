-- The prep list reads the orders due on a day: at the time the customer chose, else at the
-- estimate. A generated column like the others of `orders` (0001), so the document stays the
-- only copy and the index follows a live ETA that moves.
ALTER TABLE orders ADD COLUMN due_at TEXT GENERATED ALWAYS AS
    (coalesce(json_extract(doc, '$.scheduledDeliveryTime'),
              json_extract(doc, '$.estimatedDeliveryTime'))) VIRTUAL;
CREATE INDEX orders_due ON orders (due_at);
