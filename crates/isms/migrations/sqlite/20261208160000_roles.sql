-- Roles and responsibilities of the ISMS: who holds which role since when, the responsibility
-- matrix (RACI) over the ISMS's processes and a framework's controls, and management decisions.

-- A person holding an ISMS role from `since`; `until` is set when the assignment ends and the
-- row stays as history. `description` overrides the role's default; empty keeps it. The CISO
-- and the management representative have one current holder each.
CREATE TABLE isms_role_assignments (
    id          BLOB PRIMARY KEY NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('ciso', 'information-security-manager', 'asset-owner',
                                              'risk-owner', 'internal-auditor', 'management-representative')),
    person_id   BLOB NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    since       TEXT NOT NULL,
    until       TEXT,
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (until IS NULL OR until >= since)
);
CREATE UNIQUE INDEX isms_role_assignments_single ON isms_role_assignments (role)
    WHERE until IS NULL AND role IN ('ciso', 'management-representative');
CREATE UNIQUE INDEX isms_role_assignments_current ON isms_role_assignments (role, person_id)
    WHERE until IS NULL;
CREATE INDEX isms_role_assignments_person ON isms_role_assignments (person_id);

-- A cell of the responsibility matrix: the letter of `role` in the row of a process
-- (`framework` empty) or of a control of `framework`. An empty cell has no row.
CREATE TABLE isms_raci_cells (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('process', 'control')),
    framework    TEXT NOT NULL,
    subject_key  TEXT NOT NULL,
    role         TEXT NOT NULL,
    letter       TEXT NOT NULL CHECK (letter IN ('R', 'A', 'C', 'I')),
    PRIMARY KEY (subject_kind, framework, subject_key, role),
    CHECK ((subject_kind = 'process') = (framework = ''))
);

-- A decision of management, kept as a record: never edited, only superseded by a later one.
CREATE TABLE isms_decisions (
    id          BLOB PRIMARY KEY NOT NULL,
    decided_on  TEXT NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('commitment', 'resources', 'policy', 'risk-acceptance',
                                              'objective', 'other')),
    text        TEXT NOT NULL,
    decided_by  BLOB NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    resources   TEXT NOT NULL,
    document_id BLOB REFERENCES isms_documents (id) ON DELETE SET NULL,
    supersedes  BLOB REFERENCES isms_decisions (id) ON DELETE RESTRICT,
    recorded_by BLOB NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX isms_decisions_decided_on ON isms_decisions (decided_on);
CREATE INDEX isms_decisions_supersedes ON isms_decisions (supersedes);
