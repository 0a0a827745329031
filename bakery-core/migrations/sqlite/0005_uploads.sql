-- Upload slots handed out and not yet attached; the sweep finds expired ones by
-- `expires_at` and deletes their objects with them.
CREATE TABLE uploads (
    id         TEXT PRIMARY KEY NOT NULL,
    doc        TEXT NOT NULL CHECK (json_valid(doc) AND json_extract(doc, '$.id') = id),
    expires_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.expiresAt')) VIRTUAL
);
CREATE INDEX uploads_expiry ON uploads (expires_at);
