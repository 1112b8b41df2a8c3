-- +goose Up
-- The foundation: hubs, the catalogue, kits, borrowers, reservations, loans and the audit trail.

CREATE TABLE hubs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    time_zone   TEXT NOT NULL DEFAULT 'Europe/London',
    tag_prefix  TEXT NOT NULL DEFAULT 'KS',
    address     TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE photos (
    id            INTEGER PRIMARY KEY,
    content_type  TEXT NOT NULL,
    data          BLOB NOT NULL,
    created_at    DATETIME NOT NULL
);

CREATE TABLE kit_types (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    slug              TEXT NOT NULL UNIQUE,
    description       TEXT NOT NULL DEFAULT '',
    topics            TEXT NOT NULL DEFAULT '[]',
    age_levels        TEXT NOT NULL DEFAULT '[]',
    photo_id          BIGINT REFERENCES photos(id),
    default_loan_days INTEGER NOT NULL DEFAULT 21 CHECK (default_loan_days BETWEEN 1 AND 365),
    turnaround_days   INTEGER NOT NULL DEFAULT 2 CHECK (turnaround_days BETWEEN 0 AND 60),
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);

CREATE TABLE kit_type_contents (
    id           INTEGER PRIMARY KEY,
    kit_type_id  BIGINT NOT NULL REFERENCES kit_types(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    consumable   BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX kit_type_contents_kit_type ON kit_type_contents (kit_type_id, position);

CREATE TABLE kits (
    id               INTEGER PRIMARY KEY,
    asset_tag        TEXT NOT NULL UNIQUE,
    hub_id           BIGINT NOT NULL REFERENCES hubs(id),
    kit_type_id      BIGINT NOT NULL REFERENCES kit_types(id),
    status           TEXT NOT NULL DEFAULT 'available'
                     CHECK (status IN ('available', 'on_loan', 'needs_restock', 'in_repair', 'retired', 'lost')),
    condition_notes  TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX kits_hub_type_status ON kits (hub_id, kit_type_id, status);

CREATE TABLE organisations (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('school', 'youth_group', 'college', 'other')),
    hub_id          BIGINT REFERENCES hubs(id),
    local_authority TEXT NOT NULL DEFAULT '',
    postcode        TEXT NOT NULL DEFAULT '',
    urban_rural     TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (urban_rural IN ('unknown', 'large_urban', 'other_urban', 'accessible_small_town',
                        'remote_small_town', 'very_remote_small_town', 'accessible_rural', 'remote_rural',
                        'very_remote_rural')),
    approved        BOOLEAN NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX organisations_hub ON organisations (hub_id);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'school', 'ambassador')),
    hub_id           BIGINT REFERENCES hubs(id),
    organisation_id  BIGINT REFERENCES organisations(id),
    password_hash    TEXT NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL DEFAULT 1,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    CHECK (role <> 'school' OR organisation_id IS NOT NULL)
);
CREATE INDEX users_organisation ON users (organisation_id);
CREATE INDEX users_hub ON users (hub_id);

-- Single-use links (set password, invitation, first-admin setup). Only a
-- hash of each token is stored, so a leaked database cannot sign anyone in.
CREATE TABLE one_time_tokens (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('set_password', 'reset_password', 'invitation', 'setup')),
    user_id     BIGINT REFERENCES users(id),
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME
);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id);

-- A borrower is either an organisation or one ambassador, so loans and
-- reservations point at one kind of thing.
CREATE TABLE borrowers (
    id               INTEGER PRIMARY KEY,
    organisation_id  BIGINT UNIQUE REFERENCES organisations(id),
    user_id          BIGINT UNIQUE REFERENCES users(id),
    created_at       DATETIME NOT NULL,
    CHECK ((organisation_id IS NULL) <> (user_id IS NULL))
);

CREATE TABLE reservations (
    id               INTEGER PRIMARY KEY,
    hub_id           BIGINT NOT NULL REFERENCES hubs(id),
    kit_type_id      BIGINT NOT NULL REFERENCES kit_types(id),
    borrower_id      BIGINT NOT NULL REFERENCES borrowers(id),
    requested_by_id  BIGINT REFERENCES users(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    start_on         TEXT NOT NULL,
    end_on           TEXT NOT NULL,
    purpose          TEXT NOT NULL DEFAULT '',
    participants     INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    delivery         TEXT NOT NULL DEFAULT 'collection' CHECK (delivery IN ('collection', 'delivery')),
    status           TEXT NOT NULL DEFAULT 'requested'
                     CHECK (status IN ('requested', 'approved', 'declined', 'cancelled', 'fulfilled', 'expired')),
    decided_by_id    BIGINT REFERENCES users(id),
    decided_at       DATETIME,
    decision_note    TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    CHECK (end_on >= start_on)
);
CREATE INDEX reservations_capacity ON reservations (hub_id, kit_type_id, status, start_on, end_on);
CREATE INDEX reservations_borrower ON reservations (borrower_id, start_on);

CREATE TABLE loans (
    id              INTEGER PRIMARY KEY,
    kit_id          BIGINT NOT NULL REFERENCES kits(id),
    borrower_id     BIGINT NOT NULL REFERENCES borrowers(id),
    reservation_id  BIGINT REFERENCES reservations(id),
    out_at          DATETIME NOT NULL,
    out_on          TEXT NOT NULL,
    out_by_id       BIGINT REFERENCES users(id),
    due_on          TEXT NOT NULL,
    returned_at     DATETIME,
    returned_on     TEXT,
    returned_by_id  BIGINT REFERENCES users(id),
    return_note     TEXT NOT NULL DEFAULT '',
    lost            BOOLEAN NOT NULL DEFAULT 0,
    renewals        INTEGER NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK (due_on >= out_on),
    CHECK ((returned_at IS NULL) = (returned_on IS NULL))
);
-- Second line of defence behind the check-out rule: a kit has at most one open loan.
CREATE UNIQUE INDEX loans_one_open_per_kit ON loans (kit_id) WHERE returned_at IS NULL;
CREATE INDEX loans_kit_history ON loans (kit_id, out_at);
CREATE INDEX loans_borrower ON loans (borrower_id, out_at);
CREATE INDEX loans_reservation ON loans (reservation_id);
CREATE INDEX loans_open_due ON loans (due_on) WHERE returned_at IS NULL;

-- What was missing or damaged when a kit came back; resolved when restocked.
CREATE TABLE shortfalls (
    id              INTEGER PRIMARY KEY,
    kit_id          BIGINT NOT NULL REFERENCES kits(id),
    loan_id         BIGINT REFERENCES loans(id),
    content_id      BIGINT REFERENCES kit_type_contents(id),
    item            TEXT NOT NULL,
    missing         INTEGER NOT NULL DEFAULT 0 CHECK (missing >= 0),
    damaged         INTEGER NOT NULL DEFAULT 0 CHECK (damaged >= 0),
    created_at      DATETIME NOT NULL,
    resolved_at     DATETIME,
    resolved_by_id  BIGINT REFERENCES users(id)
);
CREATE INDEX shortfalls_open ON shortfalls (kit_id) WHERE resolved_at IS NULL;

CREATE TABLE audit_entries (
    id            INTEGER PRIMARY KEY,
    at            DATETIME NOT NULL,
    actor_id      BIGINT REFERENCES users(id),
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject_type  TEXT NOT NULL,
    subject_id    BIGINT NOT NULL,
    hub_id        BIGINT REFERENCES hubs(id),
    summary       TEXT NOT NULL DEFAULT '',
    before        TEXT NOT NULL DEFAULT '',
    after         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_subject ON audit_entries (subject_type, subject_id, at);
CREATE INDEX audit_at ON audit_entries (at);
CREATE INDEX audit_actor ON audit_entries (actor_id, at);
CREATE INDEX audit_hub ON audit_entries (hub_id, at);

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
-- +goose StatementEnd

-- Sessions for alexedwards/scs (its gormstore expects exactly this table).
CREATE TABLE sessions (
    token   TEXT PRIMARY KEY,
    data    BLOB NOT NULL,
    expiry  DATETIME NOT NULL
);
CREATE INDEX idx_sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE audit_entries;
DROP TABLE shortfalls;
DROP TABLE loans;
DROP TABLE reservations;
DROP TABLE borrowers;
DROP TABLE one_time_tokens;
DROP TABLE users;
DROP TABLE organisations;
DROP TABLE kits;
DROP TABLE kit_type_contents;
DROP TABLE kit_types;
DROP TABLE photos;
DROP TABLE hubs;
