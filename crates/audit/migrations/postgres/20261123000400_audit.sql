-- The audit trail: one entry per change of any record (and per sensitive read or sign-in),
-- written in the same transaction as the change. Each entry's hash covers its content and the
-- previous entry's hash, so that editing or removing an entry breaks the chain. `audit_head`
-- holds the last sequence number and hash; writers lock it, so entries form one chain.
CREATE TABLE audit_entries (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    UUID,
    actor_label TEXT NOT NULL,
    address     TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_entries_entity ON audit_entries (entity, entity_id, seq);
CREATE INDEX audit_entries_actor ON audit_entries (actor_label, seq);
CREATE INDEX audit_entries_at ON audit_entries (at, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the database itself refuses to change or remove an entry.
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
