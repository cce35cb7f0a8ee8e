-- Controlled documents: the register, versions with their life cycle, the named approvers and
-- their decisions, the check-out lock, and who acknowledged which published version.

CREATE TABLE isms_document_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO isms_document_numbers (id, last) VALUES (1, 0);

-- A document in the register. `shared_with_id` names the customer organisation it is shared
-- with, if any: customers see nothing else of the ISMS.
CREATE TABLE isms_documents (
    id               UUID PRIMARY KEY NOT NULL,
    number           BIGINT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('policy', 'procedure', 'standard', 'guideline', 'plan', 'record', 'scope')),
    owner_id         UUID NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    classification   TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
    review_months    INTEGER NOT NULL CHECK (review_months BETWEEN 1 AND 60),
    next_review      DATE,
    retention_months INTEGER CHECK (retention_months BETWEEN 1 AND 1200),
    quorum           INTEGER NOT NULL CHECK (quorum BETWEEN 1 AND 9),
    shared_with_id   UUID REFERENCES organisations (id) ON DELETE SET NULL,
    template         TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX isms_documents_next_review ON isms_documents (next_review);
CREATE INDEX isms_documents_owner ON isms_documents (owner_id);

-- Who a document is distributed to: a person, a team or everyone holding a role.
CREATE TABLE isms_document_distribution (
    document_id UUID NOT NULL REFERENCES isms_documents (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'team', 'role')),
    target      TEXT NOT NULL,
    PRIMARY KEY (document_id, kind, target)
);

-- Who has the document checked out: one editor at a time.
CREATE TABLE isms_document_locks (
    document_id UUID PRIMARY KEY NOT NULL REFERENCES isms_documents (id) ON DELETE CASCADE,
    person_id   UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    since       TIMESTAMPTZ NOT NULL
);

-- A version of a document: `major`.`minor`, its state, its Markdown text.
CREATE TABLE isms_versions (
    id              UUID PRIMARY KEY NOT NULL,
    document_id     UUID NOT NULL REFERENCES isms_documents (id) ON DELETE CASCADE,
    major           INTEGER NOT NULL,
    minor           INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'in-review', 'approved', 'published', 'superseded', 'withdrawn')),
    body            TEXT NOT NULL,
    change_note     TEXT NOT NULL,
    author_id       UUID NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    submitted_at    TIMESTAMPTZ,
    approved_at     TIMESTAMPTZ,
    published_at    TIMESTAMPTZ,
    ended_at        TIMESTAMPTZ,
    withdraw_reason TEXT NOT NULL,
    UNIQUE (document_id, major, minor)
);
CREATE INDEX isms_versions_state ON isms_versions (state);

-- The approvers named on a version in review, and their decisions.
CREATE TABLE isms_version_approvers (
    version_id UUID NOT NULL REFERENCES isms_versions (id) ON DELETE CASCADE,
    person_id  UUID NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    decision   TEXT CHECK (decision IN ('approved', 'sent-back')),
    comment    TEXT NOT NULL,
    decided_at TIMESTAMPTZ,
    PRIMARY KEY (version_id, person_id)
);

-- A person's written consent to a published version.
CREATE TABLE isms_acknowledgements (
    version_id UUID NOT NULL REFERENCES isms_versions (id) ON DELETE CASCADE,
    person_id  UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (version_id, person_id)
);
CREATE INDEX isms_acknowledgements_person ON isms_acknowledgements (person_id);
