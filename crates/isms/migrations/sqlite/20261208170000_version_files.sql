-- A version's uploaded file (a PDF or an office document), beside or instead of its text.
CREATE TABLE isms_version_files (
    version_id  BLOB PRIMARY KEY NOT NULL REFERENCES isms_versions (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    content     BLOB NOT NULL,
    uploaded_at TEXT NOT NULL
);
