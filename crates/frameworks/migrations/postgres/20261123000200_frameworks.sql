-- Gap assessments: a user's statement of what is implemented in a source framework, from
-- which the coverage of a target framework is derived. Frameworks and nodes are named by their
-- ids and references (shipped catalogues live in the binary, not in tables).
CREATE TABLE gap_assessments (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    source_framework TEXT NOT NULL,
    target_framework TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX gap_assessments_name_key ON gap_assessments (name);

CREATE TABLE gap_statuses (
    assessment_id UUID NOT NULL REFERENCES gap_assessments (id) ON DELETE CASCADE,
    node_ref      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('implemented', 'partial', 'planned', 'not_implemented', 'not_applicable')),
    note          TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (assessment_id, node_ref)
);
