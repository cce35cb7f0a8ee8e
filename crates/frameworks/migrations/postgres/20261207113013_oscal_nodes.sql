-- A node imported from an OSCAL catalog keeps the catalog's id (`ac-2.1`) for later exports, and
-- a withdrawn control (OSCAL `status` = `withdrawn`) stays withdrawn.
ALTER TABLE custom_nodes ADD COLUMN oscal_id TEXT;
ALTER TABLE custom_nodes ADD COLUMN withdrawn BOOLEAN NOT NULL DEFAULT FALSE;
