-- The member who leads a team; escalation steps can notify them.
ALTER TABLE teams ADD COLUMN lead_id UUID REFERENCES people (id) ON DELETE SET NULL;
