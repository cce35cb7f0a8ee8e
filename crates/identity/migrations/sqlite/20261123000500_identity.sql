-- Local accounts (a password for a person of the directory) and sign-in sessions. A session is
-- known by the SHA-256 of its token; the token itself lives only in the browser's cookie.
CREATE TABLE accounts (
    person_id     BLOB PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    person_id    BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    address      TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Failed sign-ins, for throttling: by the address typed (lower case) and by the client's network
-- address. Rows older than the throttling window are of no further use.
CREATE TABLE sign_in_failures (
    email   TEXT NOT NULL,
    address TEXT,
    at      TEXT NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
