-- When a ticket's clocks were last worked out, so that a change of its agreement or calendar
-- afterwards is found and the clocks worked out again from the stored pauses.
ALTER TABLE tickets ADD COLUMN clocks_at TEXT;
