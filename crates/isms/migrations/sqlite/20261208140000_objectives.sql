-- Information security objectives (ISO/IEC 27001:2022 clause 6.2) and the measurements that
-- show their progress.

-- An objective: what it is for, its owner, target, how and how often it is measured, when it
-- is due and where it stands. One achieved or missed says how in `status_note`.
-- `document_id` names the document it derives from, such as the security policy.
CREATE TABLE isms_objectives (
    id          BLOB PRIMARY KEY NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id    BLOB NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    target      TEXT NOT NULL,
    measured_by TEXT NOT NULL,
    frequency   TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'yearly')),
    due_date    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'on-track', 'at-risk', 'achieved', 'missed')),
    status_note TEXT NOT NULL,
    document_id BLOB REFERENCES isms_documents (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    CHECK (status NOT IN ('achieved', 'missed') OR status_note <> '')
);
CREATE INDEX isms_objectives_due_date ON isms_objectives (due_date);
CREATE INDEX isms_objectives_owner ON isms_objectives (owner_id);

-- A measurement of an objective's progress: the day it was taken, its value as text, a note,
-- and who recorded it when.
CREATE TABLE isms_objective_measurements (
    id           BLOB PRIMARY KEY NOT NULL,
    objective_id BLOB NOT NULL REFERENCES isms_objectives (id) ON DELETE CASCADE,
    measured_on  TEXT NOT NULL,
    value        TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  BLOB NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX isms_objective_measurements_objective ON isms_objective_measurements (objective_id, measured_on);
