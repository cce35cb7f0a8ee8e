-- Business-hours calendars. `week` holds the working ranges of each weekday, Monday first, as a
-- JSON array of seven strings ("08:00-12:00, 13:00-17:00"); `holidays` one holiday per line
-- ("12-25 Christmas Day" every year, "2026-12-24 Christmas Eve" once). Both are checked by the
-- application before they are written.
CREATE TABLE calendars (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    week       TEXT NOT NULL,
    holidays   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX calendars_name_key ON calendars (name);
