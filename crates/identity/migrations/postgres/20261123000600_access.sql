-- Roles held by people, API tokens, and two-factor authentication (TOTP and recovery codes).

CREATE TABLE role_assignments (
    person_id  UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, role)
);

-- How far a session has got: 'complete', or 'second-factor' while the code is still due.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'complete';

-- A token is known by the SHA-256 of its secret; `roles` (comma-separated) is the subset of the
-- owner's roles it acts with.
CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    person_id    UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    roles        TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- The TOTP secret of a person (hex); `confirmed_at` is empty until a first code proved the
-- enrolment; `last_step` is the time step of the last code accepted, so no code works twice.
CREATE TABLE totp_secrets (
    person_id    UUID PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step    BIGINT NOT NULL DEFAULT 0
);

-- One-time recovery codes, known by their SHA-256.
CREATE TABLE recovery_codes (
    person_id UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (person_id, code_hash)
);
