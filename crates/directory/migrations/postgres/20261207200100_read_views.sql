-- What other capabilities read of the directory: these views, never its tables.

-- A person as others refer to them: organisation, name and e-mail address.
CREATE VIEW person_refs AS SELECT id, organisation_id, name, email FROM people;

-- An organisation as others refer to it: name and kind (provider, customer or supplier).
CREATE VIEW organisation_refs AS SELECT id, name, kind FROM organisations;

-- A team as others refer to it: organisation, name, support level and lead.
CREATE VIEW team_refs AS SELECT id, organisation_id, name, level, lead_id FROM teams;

-- Who is a member of which team.
CREATE VIEW team_member_refs AS SELECT team_id, person_id FROM team_members;
