-- Escalation as a status on the ticket: the latest step taken (its target, its place in the
-- agreement's list, what it did) and since when. A step passed over (it fell due together with
-- a later one of the same target, while the server was not running) is kept as taken, marked.
ALTER TABLE tickets ADD COLUMN escalation_metric TEXT;
ALTER TABLE tickets ADD COLUMN escalation_level INTEGER;
ALTER TABLE tickets ADD COLUMN escalation_action TEXT;
ALTER TABLE tickets ADD COLUMN escalated_at TEXT;
ALTER TABLE ticket_escalations ADD COLUMN passed_over BOOLEAN NOT NULL DEFAULT FALSE;
