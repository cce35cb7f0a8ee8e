-- Evidence of configuration management: baselines (named snapshots of a set of CIs, never
-- edited, to compare the present with) and reconciliation runs (what an inventory of the real
-- systems found, against the records), kept as the record of each verification.

-- `scope` says which CIs a baseline covers, as JSON: {"class": "virtual-machine",
-- "location": "<CI id>", "prefix": "mgmt-"}, each optional.
CREATE TABLE baselines (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    scope       TEXT NOT NULL,
    taken_at    TEXT NOT NULL,
    taken_by    TEXT NOT NULL
);
CREATE UNIQUE INDEX baselines_name_key ON baselines (name);

-- The CIs of a baseline at the version it holds, with that version's snapshot, so that the
-- baseline stays whole whatever happens to the CI later. No foreign key on the CI for the same
-- reason.
CREATE TABLE baseline_items (
    baseline_id BLOB NOT NULL REFERENCES baselines (id) ON DELETE CASCADE,
    ci_id       BLOB NOT NULL,
    reference   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    snapshot    TEXT NOT NULL,
    PRIMARY KEY (baseline_id, ci_id)
);

-- One comparison of an inventory with the CMDB.
CREATE TABLE reconciliations (
    id                 BLOB PRIMARY KEY NOT NULL,
    source             TEXT NOT NULL,
    match_on           TEXT NOT NULL,
    clock_threshold_ms BIGINT NOT NULL,
    run_at             TEXT NOT NULL,
    run_by             TEXT NOT NULL,
    found              BIGINT NOT NULL,
    missing            BIGINT NOT NULL,
    unknown            BIGINT NOT NULL,
    changed            BIGINT NOT NULL,
    matched            BIGINT NOT NULL,
    duplicate          BIGINT NOT NULL
);
CREATE INDEX reconciliations_run_at ON reconciliations (run_at);

-- The findings of a run. `ci_id` has no foreign key: the run stays evidence.
CREATE TABLE reconciliation_items (
    run_id    BLOB NOT NULL REFERENCES reconciliations (id) ON DELETE CASCADE,
    seq       BIGINT NOT NULL,
    outcome   TEXT NOT NULL CHECK (outcome IN ('missing', 'unknown', 'changed', 'matched', 'duplicate')),
    ci_id     BLOB,
    reference TEXT NOT NULL,
    line      BIGINT,
    field     TEXT NOT NULL,
    expected  TEXT NOT NULL,
    found     TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
