-- A sender claims the mail it is about to send until `claimed_until`, so that with several
-- `tandem serve` processes on one database each mail is sent by one of them. A claim that
-- runs out (its sender stopped) lets another sender try the mail again.
ALTER TABLE mail_outbox ADD COLUMN claimed_until TIMESTAMPTZ;
