-- The asset inventory: CI classes with their attribute sets, CIs, their versions and relations.
-- Classes are keyed by a stable word (`hardware`, `virtual-machine`); `attributes` is a JSON
-- list of attribute definitions ({"key","label","kind","required","values","identity"}).
CREATE TABLE ci_classes (
    key         TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL,
    is_cluster  BOOLEAN NOT NULL,
    attributes  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ci_classes_name_key ON ci_classes (name);
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('location', 'Location', 'A data centre, office, room or rack: where CIs are.', TRUE, FALSE, '[{"key":"address","label":"Address","kind":"text"},{"key":"country","label":"Country","kind":"text"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('hardware', 'Hardware', 'Physical servers, hypervisor hosts, storage and other devices.', TRUE, FALSE, '[{"key":"serial","label":"Serial number","kind":"text","identity":true},{"key":"vendor","label":"Vendor","kind":"text"},{"key":"model","label":"Model","kind":"text"},{"key":"firmware","label":"Firmware","kind":"text"},{"key":"rack","label":"Rack position","kind":"text"},{"key":"ip","label":"Management IP address","kind":"ip"},{"key":"time_source","label":"Time source","kind":"text"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('virtual-machine', 'Virtual machine', 'A virtual server on a hypervisor or cluster.', TRUE, FALSE, '[{"key":"hostname","label":"Host name","kind":"text","identity":true},{"key":"os","label":"Operating system","kind":"text"},{"key":"os_version","label":"OS version","kind":"text"},{"key":"patch_level","label":"Patch level","kind":"text"},{"key":"environment","label":"Environment","kind":"choice","values":["production","staging","test","development"]},{"key":"ip","label":"IP address","kind":"ip"},{"key":"time_source","label":"Time source","kind":"text"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('software', 'Software', 'Installed or licensed software.', TRUE, FALSE, '[{"key":"vendor","label":"Vendor","kind":"text"},{"key":"version","label":"Version","kind":"text"},{"key":"licence","label":"Licence","kind":"text"},{"key":"seats","label":"Licensed seats","kind":"integer"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('network-device', 'Network device', 'Routers, switches, firewalls, load balancers.', TRUE, FALSE, '[{"key":"hostname","label":"Host name","kind":"text","identity":true},{"key":"vendor","label":"Vendor","kind":"text"},{"key":"model","label":"Model","kind":"text"},{"key":"firmware","label":"Firmware","kind":"text"},{"key":"ip","label":"Management IP address","kind":"ip"},{"key":"time_source","label":"Time source","kind":"text"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('endpoint', 'Endpoint', 'Video endpoints, telepresence systems and other devices at a customer''s site.', TRUE, FALSE, '[{"key":"serial","label":"Serial number","kind":"text","identity":true},{"key":"vendor","label":"Vendor","kind":"text"},{"key":"model","label":"Model","kind":"text"},{"key":"firmware","label":"Firmware","kind":"text"},{"key":"ip","label":"IP address","kind":"ip"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('cluster', 'Cluster', 'A group of redundant members; it stays up while enough members are up.', TRUE, TRUE, '[]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('service', 'Service', 'A service of the catalogue as the CMDB sees it: what provides it and what it needs.', TRUE, FALSE, '[]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('information', 'Information / data set', 'Information the provider holds: customer data, logs, configuration.', TRUE, FALSE, '[{"key":"retention","label":"Retention","kind":"text"},{"key":"personal_data","label":"Holds personal data","kind":"boolean"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('document', 'Document', 'Handbooks, contracts, procedures.', TRUE, FALSE, '[{"key":"url","label":"Where it is kept","kind":"text"},{"key":"revision","label":"Revision","kind":"text"},{"key":"valid_until","label":"Valid until","kind":"date"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('person', 'Person', 'A person as an asset: a key role, a specialist.', TRUE, FALSE, '[{"key":"role","label":"Role","kind":"text"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');
INSERT INTO ci_classes (key, name, description, builtin, is_cluster, attributes, created_at, updated_at) VALUES ('supplier', 'Supplier', 'A supplier or its contract as an asset.', TRUE, FALSE, '[{"key":"contract","label":"Contract","kind":"text"},{"key":"contract_end","label":"Contract ends","kind":"date"}]', '2026-11-23T00:19:00Z', '2026-11-23T00:19:00Z');

-- The counter of CI numbers (CI-000001), moved inside the transaction that creates a CI.
CREATE TABLE ci_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO ci_numbers (id, last) VALUES (1, 0);

-- A CI. `attributes` holds the class's attribute values as a JSON object. `organisation_id` is
-- set for CIs a customer owns (its endpoints and rooms); `service_id` links a CI of class
-- `service` to the service catalogue. `min_up` is a cluster's quorum (NULL: one member).
CREATE TABLE cis (
    id               UUID PRIMARY KEY NOT NULL,
    number           BIGINT NOT NULL,
    class_key        TEXT NOT NULL REFERENCES ci_classes (key) ON DELETE RESTRICT,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    organisation_id  UUID REFERENCES organisations (id) ON DELETE RESTRICT,
    owner_id         UUID REFERENCES people (id) ON DELETE SET NULL,
    custodian_id     UUID REFERENCES people (id) ON DELETE SET NULL,
    location_id      UUID REFERENCES cis (id) ON DELETE RESTRICT,
    service_id       UUID REFERENCES services (id) ON DELETE SET NULL,
    lifecycle        TEXT NOT NULL CHECK (lifecycle IN ('planned', 'ordered', 'in-stock', 'production', 'maintenance', 'retired')),
    operational      TEXT NOT NULL CHECK (operational IN ('operational', 'degraded', 'down')),
    operational_since TIMESTAMPTZ NOT NULL,
    confidentiality  INTEGER NOT NULL CHECK (confidentiality BETWEEN 1 AND 4),
    integrity        INTEGER NOT NULL CHECK (integrity BETWEEN 1 AND 4),
    availability     INTEGER NOT NULL CHECK (availability BETWEEN 1 AND 4),
    label            TEXT NOT NULL CHECK (label IN ('public', 'internal', 'confidential', 'secret')),
    min_up           INTEGER CHECK (min_up >= 1),
    attributes       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX cis_number_key ON cis (number);
CREATE UNIQUE INDEX cis_name_key ON cis (name);
CREATE INDEX cis_class ON cis (class_key, name, id);
CREATE INDEX cis_organisation ON cis (organisation_id, id);
CREATE INDEX cis_location ON cis (location_id);
CREATE INDEX cis_lifecycle ON cis (lifecycle, id);

-- Every version of a CI: who, when, why (a ticket, a change, an import, a reconciliation or a
-- written reason), the whole record as JSON and the difference to the version before.
-- `cause_change_id` has no foreign key: changes are migrated after the CMDB.
CREATE TABLE ci_versions (
    ci_id           UUID NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    actor_label     TEXT NOT NULL,
    cause_kind      TEXT NOT NULL CHECK (cause_kind IN ('manual', 'ticket', 'change', 'import', 'reconciliation')),
    cause_ticket_id UUID REFERENCES tickets (id) ON DELETE SET NULL,
    cause_change_id UUID,
    reason          TEXT NOT NULL,
    snapshot        TEXT NOT NULL,
    diff            TEXT NOT NULL,
    PRIMARY KEY (ci_id, version)
);
CREATE INDEX ci_versions_change ON ci_versions (cause_change_id);
CREATE INDEX ci_versions_at ON ci_versions (at);

-- Typed relations from a source CI to a target CI (the location is a column of the CI).
CREATE TABLE ci_relations (
    id         UUID PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('runs-on', 'depends-on', 'connected-to', 'provides', 'backed-up-by', 'member-of')),
    source_id  UUID NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    target_id  UUID NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (source_id <> target_id)
);
CREATE UNIQUE INDEX ci_relations_kind_source_target_key ON ci_relations (kind, source_id, target_id);
CREATE INDEX ci_relations_source ON ci_relations (source_id);
CREATE INDEX ci_relations_target ON ci_relations (target_id);

-- Counts the writes to CIs and relations, so a server can tell whether the impact graph it
-- holds in memory is still current with one cheap read.
CREATE TABLE cmdb_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO cmdb_generation (id, value) VALUES (1, 0);
