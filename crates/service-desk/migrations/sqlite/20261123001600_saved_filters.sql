-- A person's saved views of the desk: a name and the desk's query string.
CREATE TABLE saved_filters (
    id         BLOB PRIMARY KEY NOT NULL,
    person_id  BLOB NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (person_id, name)
);
