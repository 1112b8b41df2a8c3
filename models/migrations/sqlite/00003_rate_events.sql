-- +goose Up
-- Rate limits for anonymous forms (asking for an account, resetting a
-- password), shared by every instance.
CREATE TABLE rate_events (
    id    INTEGER PRIMARY KEY,
    at    DATETIME NOT NULL,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (kind, key, at);

-- +goose Down
DROP TABLE rate_events;
