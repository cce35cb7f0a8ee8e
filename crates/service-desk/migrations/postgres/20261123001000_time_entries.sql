-- Time worked on tickets, for billing: minutes per entry, billable or not, on a day.
CREATE TABLE time_entries (
    id         UUID PRIMARY KEY,
    ticket_id  UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    person_id  UUID REFERENCES people (id) ON DELETE SET NULL,
    person     TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes > 0),
    billable   BOOLEAN NOT NULL,
    note       TEXT NOT NULL,
    worked_on  DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id);
CREATE INDEX time_entries_worked_on ON time_entries (worked_on);
