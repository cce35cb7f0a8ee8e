-- A person's saved views of the desk: a name and the desk's query string.
CREATE TABLE saved_filters (
    id         UUID PRIMARY KEY,
    person_id  UUID NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (person_id, name)
);
