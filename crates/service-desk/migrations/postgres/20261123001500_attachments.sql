-- Files attached to articles. The content is stored once per SHA-256, however often it is
-- attached; attachments are never deleted (they are part of the ticket's record).
CREATE TABLE attachment_contents (
    sha256  TEXT PRIMARY KEY,
    size    BIGINT NOT NULL,
    content BYTEA NOT NULL
);
CREATE TABLE ticket_attachments (
    id         UUID PRIMARY KEY,
    ticket_id  UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    article_id UUID NOT NULL REFERENCES ticket_articles (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES attachment_contents (sha256),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_attachments_article ON ticket_attachments (article_id);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id);
