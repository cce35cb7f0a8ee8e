-- Services of the catalogue and the agreements on their levels.
CREATE TABLE services (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    owner_id    UUID REFERENCES people (id) ON DELETE SET NULL,
    description TEXT NOT NULL,
    boundaries  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX services_name_key ON services (name);

-- The customers using a service.
CREATE TABLE service_customers (
    service_id      UUID NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    organisation_id UUID NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    PRIMARY KEY (service_id, organisation_id)
);
CREATE INDEX service_customers_organisation ON service_customers (organisation_id);

-- An agreement: `terms` holds the checked terms (targets per priority, warnings, availability,
-- penalties, security requirements) as JSON of their text fields; the columns the application
-- searches, joins or lists by are columns of their own.
CREATE TABLE agreements (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    organisation_id UUID REFERENCES organisations (id) ON DELETE RESTRICT,
    team_id         UUID REFERENCES teams (id) ON DELETE RESTRICT,
    service_id      UUID REFERENCES services (id) ON DELETE RESTRICT,
    calendar_id     UUID NOT NULL REFERENCES calendars (id) ON DELETE RESTRICT,
    terms           TEXT NOT NULL,
    next_review     DATE NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX agreements_name_key ON agreements (name);
CREATE INDEX agreements_next_review ON agreements (next_review);
CREATE INDEX agreements_organisation ON agreements (organisation_id);
CREATE INDEX agreements_calendar ON agreements (calendar_id);
