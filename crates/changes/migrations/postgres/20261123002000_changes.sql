-- Change management: the change log of seed 000 section 5.6, its life cycle, the CAB's votes,
-- the verification checklist, standard-change templates, blackout periods and the maintenance
-- windows that scheduled changes put on their CIs.

-- The counter of change numbers (C-000001), the seed's "incremental ID": moved inside the
-- transaction that creates a change, so numbers have no gaps.
CREATE TABLE change_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO change_numbers (id, last) VALUES (1, 0);

-- The settings the life-cycle rules read. The CAB is every member of a team of level `cab`.
CREATE TABLE change_settings (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    cab_quorum              BIGINT NOT NULL CHECK (cab_quorum >= 1),
    retro_approval_hours    BIGINT NOT NULL CHECK (retro_approval_hours >= 0),
    cab_for_high_risk       BOOLEAN NOT NULL,
    start_tolerance_minutes BIGINT NOT NULL CHECK (start_tolerance_minutes >= 0),
    updated_at              TIMESTAMPTZ NOT NULL,
    version                 BIGINT NOT NULL DEFAULT 1
);
INSERT INTO change_settings (id, cab_quorum, retro_approval_hours, cab_for_high_risk, start_tolerance_minutes, updated_at) VALUES (1, 3, 24, FALSE, 15, '2026-11-23T00:20:00Z');

-- The catalogue of standard changes: pre-approved templates. `checklist` is a JSON list of the
-- verification checks a change made from the template starts with.
CREATE TABLE change_templates (
    id               UUID PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    configuration    TEXT NOT NULL,
    fallback         TEXT NOT NULL,
    risk             TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    checklist        TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes > 0),
    active           BOOLEAN NOT NULL,
    approved_by      UUID REFERENCES people (id) ON DELETE SET NULL,
    approved_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX change_templates_name_key ON change_templates (name);

-- A change. The first columns are the fields of seed 000 section 5.6; `risk_suggested` comes
-- from the CMDB's impact analysis; `customers_to_notify` is a JSON list of organisation names.
CREATE TABLE changes (
    id                   UUID PRIMARY KEY NOT NULL,
    number               BIGINT NOT NULL,
    title                TEXT NOT NULL,
    owner_id             UUID NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    initiator_id         UUID REFERENCES people (id) ON DELETE SET NULL,
    initiator_label      TEXT NOT NULL,
    cause_text           TEXT NOT NULL,
    cause_ticket_id      UUID REFERENCES tickets (id) ON DELETE SET NULL,
    description          TEXT NOT NULL,
    configuration        TEXT NOT NULL,
    category             TEXT NOT NULL CHECK (category IN ('regular', 'standard', 'emergency', 'non-operational')),
    template_id          UUID REFERENCES change_templates (id) ON DELETE RESTRICT,
    risk                 TEXT CHECK (risk IN ('low', 'medium', 'high')),
    risk_suggested       TEXT CHECK (risk_suggested IN ('low', 'medium', 'high')),
    risk_explanation     TEXT NOT NULL,
    risk_override_reason TEXT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'assessed', 'approved', 'rejected', 'scheduled', 'in-progress', 'implemented', 'verified', 'failed', 'closed')),
    close_reason         TEXT CHECK (close_reason IN ('completed', 'failed', 'rejected', 'cancelled')),
    planned_start        TIMESTAMPTZ,
    planned_end          TIMESTAMPTZ,
    fallback             TEXT NOT NULL,
    implementer_id       UUID REFERENCES people (id) ON DELETE RESTRICT,
    approver_id          UUID REFERENCES people (id) ON DELETE RESTRICT,
    approved_at          TIMESTAMPTZ,
    approval_retroactive BOOLEAN NOT NULL,
    approval_missed      BOOLEAN NOT NULL,
    actual_start         TIMESTAMPTZ,
    actual_end           TIMESTAMPTZ,
    success              BOOLEAN,
    fallback_carried_out TEXT NOT NULL,
    verifier_id          UUID REFERENCES people (id) ON DELETE RESTRICT,
    verified_at          TIMESTAMPTZ,
    verification_note    TEXT NOT NULL,
    conflicts_ack_reason TEXT NOT NULL,
    customers_to_notify  TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX changes_number_key ON changes (number);
CREATE INDEX changes_state ON changes (state, number);
CREATE INDEX changes_planned_start ON changes (planned_start);
CREATE INDEX changes_cause_ticket ON changes (cause_ticket_id);

-- The CIs a change is carried out on (the seed's "hostname"), each with the update it makes to
-- the CI when implemented (a JSON object of attribute keys, or `lifecycle`, to new values) and
-- the CI version that update became.
CREATE TABLE change_cis (
    change_id       UUID NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    ci_id           UUID NOT NULL REFERENCES cis (id) ON DELETE RESTRICT,
    planned_update  TEXT NOT NULL,
    applied_version BIGINT,
    PRIMARY KEY (change_id, ci_id)
);
CREATE INDEX change_cis_ci ON change_cis (ci_id);

-- The CAB's votes, one per member and change (a new vote replaces the old; the audit trail
-- keeps both). Whether a vote counts is worked out when read: the owner's and the
-- implementer's do not.
CREATE TABLE change_votes (
    change_id         UUID NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    voter_id          UUID NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    vote              TEXT NOT NULL CHECK (vote IN ('approve', 'reject', 'abstain')),
    comment           TEXT NOT NULL,
    at                TIMESTAMPTZ NOT NULL,
    recorded_by_label TEXT NOT NULL,
    PRIMARY KEY (change_id, voter_id)
);

-- The post-change verification checklist.
CREATE TABLE change_checks (
    change_id        UUID NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    text             TEXT NOT NULL,
    result           TEXT CHECK (result IN ('passed', 'failed', 'not-applicable')),
    note             TEXT NOT NULL,
    checked_by_label TEXT NOT NULL,
    checked_at       TIMESTAMPTZ,
    PRIMARY KEY (change_id, position)
);

-- Every step a change took: from, to, who, when, why.
CREATE TABLE change_transitions (
    change_id   UUID NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    step        TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor_label TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (change_id, seq)
);

-- Periods in which productive changes must not run, for all CIs or the listed ones.
CREATE TABLE blackouts (
    id              UUID PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    all_cis         BOOLEAN NOT NULL,
    allow_emergency BOOLEAN NOT NULL,
    reason          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    CHECK (starts_at < ends_at)
);
CREATE INDEX blackouts_starts ON blackouts (starts_at);
CREATE TABLE blackout_cis (
    blackout_id UUID NOT NULL REFERENCES blackouts (id) ON DELETE CASCADE,
    ci_id       UUID NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    PRIMARY KEY (blackout_id, ci_id)
);

-- The maintenance windows a scheduled productive change puts on its CIs: written when it is
-- scheduled, replaced when it is rescheduled, removed when it is unscheduled or cancelled.
-- Monitoring reads them to silence checks.
CREATE TABLE maintenance_windows (
    change_id UUID NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    ci_id     UUID NOT NULL REFERENCES cis (id) ON DELETE CASCADE,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (change_id, ci_id)
);
CREATE INDEX maintenance_windows_ci ON maintenance_windows (ci_id, starts_at);
CREATE INDEX maintenance_windows_starts ON maintenance_windows (starts_at);
