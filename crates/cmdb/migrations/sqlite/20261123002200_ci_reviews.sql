-- Asset review (ISO/IEC 27001 A.5.9, seed 001 "Asset Review"): when a CI's record was last
-- confirmed by a person, and by whom. A review is not a change of configuration, so it makes
-- no version; it is recorded in the audit trail.
ALTER TABLE cis ADD COLUMN reviewed_at TEXT;
ALTER TABLE cis ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX cis_reviewed_at ON cis (reviewed_at);
