-- Who recorded a change and who last submitted it, for the four-eye rule G6: neither approves
-- it. Changes recorded before this migration name no recorder or submitter; G6 then checks the
-- owner and the initiator as before.
ALTER TABLE changes ADD COLUMN recorded_by BLOB REFERENCES people (id) ON DELETE SET NULL;
ALTER TABLE changes ADD COLUMN submitted_by BLOB REFERENCES people (id) ON DELETE SET NULL;
