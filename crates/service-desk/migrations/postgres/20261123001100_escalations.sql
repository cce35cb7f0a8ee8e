-- Escalation: when the scheduler looks at a ticket next, and the steps it has taken (each
-- step of each target once per ticket).
ALTER TABLE tickets ADD COLUMN next_step_at TIMESTAMPTZ;
CREATE INDEX tickets_next_step ON tickets (next_step_at);

CREATE TABLE ticket_escalations (
    ticket_id UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    metric    TEXT NOT NULL,
    step      INTEGER NOT NULL,
    action    TEXT NOT NULL,
    fired_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, metric, step)
);
