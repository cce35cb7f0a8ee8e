-- Tickets, their pauses, their thread of articles, and the counter of ticket numbers.
CREATE TABLE ticket_numbers (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO ticket_numbers (id, last) VALUES (1, 0);

CREATE TABLE tickets (
    id                BLOB PRIMARY KEY NOT NULL,
    number            BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    state             TEXT NOT NULL,
    impact            TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    priority          TEXT NOT NULL,
    organisation_id   BLOB NOT NULL REFERENCES organisations (id) ON DELETE RESTRICT,
    requester_id      BLOB REFERENCES people (id) ON DELETE SET NULL,
    service_id        BLOB REFERENCES services (id) ON DELETE SET NULL,
    agreement_id      BLOB REFERENCES agreements (id) ON DELETE SET NULL,
    team_id           BLOB REFERENCES teams (id) ON DELETE SET NULL,
    assignee_id       BLOB REFERENCES people (id) ON DELETE SET NULL,
    support_level     INTEGER NOT NULL,
    category          TEXT NOT NULL,
    affected_items    TEXT NOT NULL,
    last_public_by    TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    first_response_at TEXT,
    update_from       TEXT NOT NULL,
    resolved_at       TEXT,
    closed_at         TEXT,
    response_due      TEXT,
    update_due        TEXT,
    resolution_due    TEXT,
    escalation_at     TEXT,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX tickets_number_key ON tickets (number);
CREATE INDEX tickets_organisation ON tickets (organisation_id, id);
CREATE INDEX tickets_state ON tickets (state, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_team ON tickets (team_id, id);
CREATE INDEX tickets_escalation ON tickets (escalation_at);

-- Stretches in which the ticket's clocks stood still; `ended_at` is empty while it lasts.
CREATE TABLE ticket_pauses (
    ticket_id  BLOB NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    state      TEXT NOT NULL,
    PRIMARY KEY (ticket_id, started_at)
);

-- The thread: `visibility` is 'public' (the customer sees it) or 'internal'; `author_kind`
-- 'agent', 'customer' or 'system'.
CREATE TABLE ticket_articles (
    id           BLOB PRIMARY KEY NOT NULL,
    ticket_id    BLOB NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    visibility   TEXT NOT NULL,
    author_kind  TEXT NOT NULL,
    author_id    BLOB REFERENCES people (id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX ticket_articles_ticket ON ticket_articles (ticket_id, created_at);
