-- Business-hours calendars. `week` holds the working ranges of each weekday, Monday first, as a
-- JSON array of seven strings ("08:00-12:00, 13:00-17:00"); `holidays` one holiday per line
-- ("12-25 Christmas Day" every year, "2026-12-24 Christmas Eve" once). Both are checked by the
-- application before they are written.
CREATE TABLE calendars (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    week       TEXT NOT NULL,
    holidays   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX calendars_name_key ON calendars (name);
