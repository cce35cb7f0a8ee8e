-- Frameworks and mappings added by the users of this installation (an internal policy set, an
-- imported OSCAL catalog, their own mappings). Shipped catalogues stay in the binary; these rows
-- join them when the catalogue is read.
CREATE TABLE custom_frameworks (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    edition      TEXT NOT NULL,
    publisher    TEXT NOT NULL DEFAULT '',
    licence_note TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);

CREATE TABLE custom_nodes (
    framework_id TEXT NOT NULL REFERENCES custom_frameworks (id) ON DELETE CASCADE,
    reference    TEXT NOT NULL,
    parent       TEXT,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (framework_id, reference)
);

CREATE TABLE custom_mappings (
    id               BLOB PRIMARY KEY NOT NULL,
    source_framework TEXT NOT NULL,
    source_ref       TEXT NOT NULL,
    target_framework TEXT NOT NULL,
    target_ref       TEXT NOT NULL,
    relation         TEXT NOT NULL,
    rationale        TEXT NOT NULL,
    confidence       REAL,
    note             TEXT NOT NULL DEFAULT '',
    provenance       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX custom_mappings_pair ON custom_mappings (source_framework, source_ref, target_framework, target_ref, relation);
CREATE INDEX custom_mappings_source ON custom_mappings (source_framework);
CREATE INDEX custom_mappings_target ON custom_mappings (target_framework);
