-- The priority of a ticket from its impact and urgency; starts as the usual ITIL matrix.
CREATE TABLE priority_matrix (
    impact   TEXT NOT NULL,
    urgency  TEXT NOT NULL,
    priority TEXT NOT NULL,
    PRIMARY KEY (impact, urgency)
);
INSERT INTO priority_matrix (impact, urgency, priority) VALUES
    ('high', 'high', 'p1'), ('high', 'medium', 'p2'), ('high', 'low', 'p3'),
    ('medium', 'high', 'p2'), ('medium', 'medium', 'p3'), ('medium', 'low', 'p4'),
    ('low', 'high', 'p3'), ('low', 'medium', 'p4'), ('low', 'low', 'p4');
