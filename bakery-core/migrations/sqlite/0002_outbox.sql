-- Outgoing effects of committed changes, written in the change's transaction and delivered
-- by the outbox worker. `next_attempt_at` is both the retry time and the end of a claim's
-- lease, so "due" is one indexed comparison.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    doc             TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    state           TEXT GENERATED ALWAYS AS (json_extract(doc, '$.state')) VIRTUAL,
    next_attempt_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.nextAttemptAt')) VIRTUAL,
    created_at      TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_listing ON outbox (state, created_at);
