-- What other capabilities read of the service levels: these views, never their tables.

-- A service of the catalogue as others refer to it: name, kind and owner.
CREATE VIEW service_refs AS SELECT id, name, kind, owner_id FROM services;

-- Which organisations are customers of which service.
CREATE VIEW service_customer_refs AS SELECT service_id, organisation_id FROM service_customers;

-- An agreement as others refer to it: what it covers, its calendar, and when it last changed (clocks follow changes).
CREATE VIEW agreement_refs AS SELECT id, name, kind, organisation_id, team_id, service_id, calendar_id, updated_at FROM agreements;

-- A business-hours calendar as others refer to it: name, time zone and when it last changed.
CREATE VIEW calendar_refs AS SELECT id, name, time_zone, updated_at FROM calendars;
