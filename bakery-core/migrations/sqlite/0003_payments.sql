-- Card payments: webhook events find their order by the provider's intent id, the sweeper
-- finds card orders left unpaid, and each provider event is remembered once it is handled.
CREATE INDEX orders_payment_intent
    ON orders (json_extract(doc, '$.paymentDetails.transactionId'))
    WHERE json_extract(doc, '$.paymentDetails.transactionId') IS NOT NULL;

CREATE TABLE payment_events (
    id          TEXT PRIMARY KEY NOT NULL,
    received_at TEXT NOT NULL
);
