-- A random key of this database, drawn once: with `cmdb_generation` it names a state of the
-- inventory, so that a server can keep the impact graph it loaded and know, with one read,
-- whether it is still current (and never take another database's graph for this one's).
CREATE TABLE cmdb_instance (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL
);
INSERT INTO cmdb_instance (id, key) VALUES (1, randomblob(16));
