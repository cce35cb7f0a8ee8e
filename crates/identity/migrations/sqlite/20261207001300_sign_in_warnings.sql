-- When the owner of an account was last told by mail that sign-ins to it kept failing and were
-- being refused; empty if never. At most one such mail goes out per throttling window.
ALTER TABLE accounts ADD COLUMN warned_at TEXT;
