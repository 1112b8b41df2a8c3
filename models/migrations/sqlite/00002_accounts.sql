-- +goose Up
-- Accounts: sign-in attempts (rate limits shared by every instance), a
-- session epoch per user (raising it ends all their sessions), and the mail
-- outbox that a worker delivers with retries.

ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at DATETIME;

CREATE TABLE sign_in_attempts (
    id         INTEGER PRIMARY KEY,
    at         DATETIME NOT NULL,
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    succeeded  BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    created_at       DATETIME NOT NULL,
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'logged')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME NOT NULL,
    claimed_until    DATETIME,
    sent_at          DATETIME,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE sign_in_attempts;
ALTER TABLE users DROP COLUMN last_sign_in_at;
ALTER TABLE users DROP COLUMN session_epoch;
