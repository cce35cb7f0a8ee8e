-- The directory: organisations, people, teams and team membership.
-- `version` counts changes; an update names the version it was based on, so that two people
-- editing the same record cannot silently overwrite each other.
CREATE TABLE organisations (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('provider', 'customer', 'supplier')),
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (name);
-- There is one provider: the organisation running this Tandem.
CREATE UNIQUE INDEX organisations_kind_key ON organisations (kind) WHERE kind = 'provider';
CREATE INDEX organisations_kind_name ON organisations (kind, name, id);

CREATE TABLE people (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT,
    job_title       TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX people_email_key ON people (email);
CREATE INDEX people_name ON people (name, id);
CREATE INDEX people_organisation ON people (organisation_id, name, id);

CREATE TABLE teams (
    id              UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    name            TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('first_level', 'second_level', 'third_level', 'cab', 'partner')),
    description     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX teams_name_key ON teams (name);
CREATE INDEX teams_organisation ON teams (organisation_id);

CREATE TABLE team_members (
    team_id   UUID NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    person_id UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person ON team_members (person_id);
