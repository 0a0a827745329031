-- Settings staff edit at run time, one JSON document per key (`openingHours`).
CREATE TABLE shop_settings (
    id  TEXT PRIMARY KEY NOT NULL,
    doc TEXT NOT NULL CHECK (json_valid(doc))
);
