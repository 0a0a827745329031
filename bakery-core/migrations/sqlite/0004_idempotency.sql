-- Idempotency keys: the first answer to a retried write, per (user, key). A running record
-- has a lease and no answer yet; a completed one has its status and body. Expired rows are
-- deleted by the next claim (`expires_at` is indexed for that).
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    token       TEXT NOT NULL,
    lease_until TEXT,
    status      INTEGER,
    body        TEXT,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
