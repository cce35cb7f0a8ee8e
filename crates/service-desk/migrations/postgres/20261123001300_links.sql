-- Links between tickets (an incident caused by a problem, a duplicate, a child of a parent),
-- and the known error and workaround a problem records.
CREATE TABLE ticket_links (
    ticket_id UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    other_id  UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    linked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, kind, other_id)
);
CREATE INDEX ticket_links_other ON ticket_links (other_id);

ALTER TABLE tickets ADD COLUMN known_error TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN workaround TEXT NOT NULL DEFAULT '';
