-- What other capabilities read of the CMDB: these views, never its tables.

-- A CI as others refer to it: number, class, name, customer, service, life cycle, state, classification and attribute values (JSON).
CREATE VIEW ci_refs AS SELECT id, number, class_key, name, organisation_id, service_id, lifecycle, operational, confidentiality, integrity, availability, label, attributes FROM cis;

-- Each version of a CI: when, by whom and why (change reconciliation reads it, with the reason).
CREATE VIEW ci_version_refs AS SELECT ci_id, version, at, actor_label, cause_kind, cause_ticket_id, cause_change_id, reason FROM ci_versions;

-- The typed relations between CIs, from source to target.
CREATE VIEW ci_relation_refs AS SELECT source_id, target_id, kind FROM ci_relations;
