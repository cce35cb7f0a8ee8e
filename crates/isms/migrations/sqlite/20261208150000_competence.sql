-- Awareness, training and competence (ISO/IEC 27001:2022 clauses 7.2 and 7.3): the competences
-- the provider's roles require and how long each stays valid, the trainings held with who was
-- invited and who attended, and who holds which competence from when until when.

-- A competence or certification. `validity_months` is NULL for one that does not expire.
CREATE TABLE isms_competences (
    id              BLOB PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL,
    validity_months INTEGER CHECK (validity_months BETWEEN 1 AND 120),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);

-- The roles that require a competence, by their names.
CREATE TABLE isms_competence_roles (
    competence_id BLOB NOT NULL REFERENCES isms_competences (id) ON DELETE CASCADE,
    role          TEXT NOT NULL,
    PRIMARY KEY (competence_id, role)
);

-- A training session or course, the document it covers and the competence attending gives.
CREATE TABLE isms_trainings (
    id            BLOB PRIMARY KEY NOT NULL,
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('session', 'course')),
    held_on       TEXT NOT NULL,
    trainer       TEXT NOT NULL,
    topics        TEXT NOT NULL,
    document_id   BLOB REFERENCES isms_documents (id) ON DELETE SET NULL,
    competence_id BLOB REFERENCES isms_competences (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX isms_trainings_held_on ON isms_trainings (held_on);

-- Who was invited to a training, and whether they attended.
CREATE TABLE isms_training_attendees (
    training_id BLOB NOT NULL REFERENCES isms_trainings (id) ON DELETE CASCADE,
    person_id   BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    attended    BOOLEAN NOT NULL,
    PRIMARY KEY (training_id, person_id)
);
CREATE INDEX isms_training_attendees_person ON isms_training_attendees (person_id);

-- A person's holding of a competence: obtained on a day, valid through `expires_on` (NULL: it
-- does not expire), with its evidence; `training_id` names the training that gave it, NULL for
-- one recorded by hand. A person may hold a competence several times (last year's and this
-- year's training); the latest expiry counts.
CREATE TABLE isms_held_competences (
    id            BLOB PRIMARY KEY NOT NULL,
    competence_id BLOB NOT NULL REFERENCES isms_competences (id) ON DELETE CASCADE,
    person_id     BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    obtained_on   TEXT NOT NULL,
    expires_on    TEXT,
    evidence      TEXT NOT NULL,
    training_id   BLOB REFERENCES isms_trainings (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX isms_held_competences_competence ON isms_held_competences (competence_id, person_id);
CREATE INDEX isms_held_competences_person ON isms_held_competences (person_id);
CREATE INDEX isms_held_competences_training ON isms_held_competences (training_id);
