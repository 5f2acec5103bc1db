-- +goose Up
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo             BOOLEAN NOT NULL DEFAULT FALSE,
    lang                TEXT NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
    session_epoch       BIGINT NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);

CREATE TABLE user_roles (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'viewer', 'agency_editor', 'agency_leader', 'appraiser')),
    org_unit_id         INTEGER REFERENCES org_units (id),
    include_descendants BOOLEAN NOT NULL DEFAULT FALSE,
    framework           TEXT NOT NULL DEFAULT '',
    area                TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_roles_user_idx ON user_roles (user_id);

-- Server-side sessions (alexedwards/scs); expiry in Unix milliseconds.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Login attempts, for throttling per account and per client address.
CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    username  TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    ok        BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_user_idx ON login_attempts (username, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (client_ip, at);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
