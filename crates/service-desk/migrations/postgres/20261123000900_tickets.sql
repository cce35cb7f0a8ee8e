-- Tickets, their pauses, their thread of articles, and the counter of ticket numbers.
CREATE TABLE ticket_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO ticket_numbers (id, last) VALUES (1, 0);

CREATE TABLE tickets (
    id                UUID PRIMARY KEY,
    number            BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    state             TEXT NOT NULL,
    impact            TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    priority          TEXT NOT NULL,
    organisation_id   UUID NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    requester_id      UUID REFERENCES people (id) ON DELETE SET NULL,
    service_id        UUID REFERENCES services (id) ON DELETE SET NULL,
    agreement_id      UUID REFERENCES agreements (id) ON DELETE SET NULL,
    team_id           UUID REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id       UUID REFERENCES people (id) ON DELETE SET NULL,
    support_level     INTEGER NOT NULL,
    category          TEXT NOT NULL,
    affected_items    TEXT NOT NULL,
    last_public_by    TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    update_from       TIMESTAMPTZ NOT NULL,
    resolved_at       TIMESTAMPTZ,
    closed_at         TIMESTAMPTZ,
    response_due      TIMESTAMPTZ,
    update_due        TIMESTAMPTZ,
    resolution_due    TIMESTAMPTZ,
    escalation_at     TIMESTAMPTZ,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX tickets_number_key ON tickets (number);
CREATE INDEX tickets_organisation ON tickets (organisation_id, id);
CREATE INDEX tickets_state ON tickets (state, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_team ON tickets (team_id, id);
CREATE INDEX tickets_escalation ON tickets (escalation_at);

-- Stretches in which the ticket's clocks stood still; `ended_at` is empty while it lasts.
CREATE TABLE ticket_pauses (
    ticket_id  UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ,
    state      TEXT NOT NULL,
    PRIMARY KEY (ticket_id, started_at)
);

-- The thread: `visibility` is 'public' (the customer sees it) or 'internal'; `author_kind`
-- 'agent', 'customer' or 'system'.
CREATE TABLE ticket_articles (
    id           UUID PRIMARY KEY,
    ticket_id    UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    visibility   TEXT NOT NULL,
    author_kind  TEXT NOT NULL,
    author_id    UUID REFERENCES people (id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_articles_ticket ON ticket_articles (ticket_id, created_at);
