-- The context of the ISMS: interested parties with their requirements and what satisfies each,
-- and instances of the Cloud System Analysis Pattern with their elements, each remembering the
-- CI or the party a person accepted from it.

CREATE TABLE isms_parties (
    id              BLOB PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('cloud-provider', 'cloud-customer', 'cloud-developer', 'end-customer', 'legislator', 'domain', 'other')),
    description     TEXT NOT NULL,
    motivation      TEXT NOT NULL,
    relation        TEXT NOT NULL,
    organisation_id BLOB REFERENCES organisations (id) ON DELETE SET NULL,
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);

-- `satisfied_by` is `document:ID`, `agreement:ID`, `control:FRAMEWORK REFERENCE` or empty.
CREATE TABLE isms_requirements (
    id           BLOB PRIMARY KEY NOT NULL,
    party_id     BLOB NOT NULL REFERENCES isms_parties (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('law', 'contract', 'sla', 'customer-demand', 'other')),
    text         TEXT NOT NULL,
    source       TEXT NOT NULL,
    satisfied_by TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX isms_requirements_party ON isms_requirements (party_id, position);

CREATE TABLE isms_patterns (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

-- An element of an instance: a stakeholder (`category` its kind, `environment` direct or
-- indirect, `requirements` a JSON list), a resource (`category` hardware or software), a
-- service (`category` its layer) or data (`service_id` the service that processes it).
CREATE TABLE isms_pattern_elements (
    id           BLOB PRIMARY KEY NOT NULL,
    pattern_id   BLOB NOT NULL REFERENCES isms_patterns (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('stakeholder', 'resource', 'service', 'data')),
    category     TEXT NOT NULL,
    environment  TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    motivation   TEXT NOT NULL,
    relation     TEXT NOT NULL,
    personal     BOOLEAN NOT NULL,
    service_id   BLOB REFERENCES isms_pattern_elements (id) ON DELETE CASCADE,
    requirements TEXT NOT NULL,
    source       TEXT NOT NULL,
    ci_id        BLOB REFERENCES cis (id) ON DELETE SET NULL,
    party_id     BLOB REFERENCES isms_parties (id) ON DELETE SET NULL
);
CREATE INDEX isms_pattern_elements_pattern ON isms_pattern_elements (pattern_id, position);
