-- Roles held by people, API tokens, and two-factor authentication (TOTP and recovery codes).

CREATE TABLE role_assignments (
    person_id  BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);

-- How far a session has got: 'complete', or 'second-factor' while the code is still due.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'complete';

-- A token is known by the SHA-256 of its secret; `roles` (comma-separated) is the subset of the
-- owner's roles it acts with.
CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY NOT NULL,
    person_id    BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    roles        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- The TOTP secret of a person (hex); `confirmed_at` is empty until a first code proved the
-- enrolment; `last_step` is the time step of the last code accepted, so no code works twice.
CREATE TABLE totp_secrets (
    person_id    BLOB PRIMARY KEY NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    BIGINT NOT NULL DEFAULT 0
);

-- One-time recovery codes, known by their SHA-256.
CREATE TABLE recovery_codes (
    person_id BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (person_id, code_hash)
);
