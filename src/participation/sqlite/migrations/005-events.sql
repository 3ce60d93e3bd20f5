-- Registrations for the city's events (the events themselves are the strategy module's): one row per
-- person and event (primary key), and a row per event whose "taken" counter changes in the same
-- transaction; the CHECK refuses a registration beyond the capacity, whoever sends it at the same time.
CREATE TABLE part_event_seats (
  event_id TEXT PRIMARY KEY, capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0), taken INTEGER NOT NULL DEFAULT 0,
  CHECK (taken >= 0 AND (capacity IS NULL OR taken <= capacity)));
CREATE TABLE part_event_registrations (
  event_id TEXT NOT NULL REFERENCES part_event_seats (event_id), user_id TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (event_id, user_id));
CREATE INDEX part_event_registrations_user ON part_event_registrations (user_id);
