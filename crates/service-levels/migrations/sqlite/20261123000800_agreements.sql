-- Services of the catalogue and the agreements on their levels.
CREATE TABLE services (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    owner_id    BLOB REFERENCES people (id) ON DELETE SET NULL,
    description TEXT NOT NULL,
    boundaries  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX services_name_key ON services (name);

-- The customers using a service.
CREATE TABLE service_customers (
    service_id      BLOB NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    organisation_id BLOB NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    PRIMARY KEY (service_id, organisation_id)
);
CREATE INDEX service_customers_organisation ON service_customers (organisation_id);

-- An agreement: `terms` holds the checked terms (targets per priority, warnings, availability,
-- penalties, security requirements) as JSON of their text fields; the columns the application
-- searches, joins or lists by are columns of their own.
CREATE TABLE agreements (
    id              BLOB PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    organisation_id BLOB REFERENCES organisations (id) ON DELETE RESTRICT,
    team_id         BLOB REFERENCES teams (id) ON DELETE RESTRICT,
    service_id      BLOB REFERENCES services (id) ON DELETE RESTRICT,
    calendar_id     BLOB NOT NULL REFERENCES calendars (id) ON DELETE RESTRICT,
    terms           TEXT NOT NULL,
    next_review     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX agreements_name_key ON agreements (name);
CREATE INDEX agreements_next_review ON agreements (next_review);
CREATE INDEX agreements_organisation ON agreements (organisation_id);
CREATE INDEX agreements_calendar ON agreements (calendar_id);
