-- What other capabilities read of the service desk: these views, never its tables.

-- A ticket as others refer to it: number, kind, title, state and customer.
CREATE VIEW ticket_refs AS SELECT id, number, kind, title, state, organisation_id FROM tickets;
