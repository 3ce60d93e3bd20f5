-- The waiting list of a full event: one row per person and event, in the order people joined (seq).
-- A cancellation hands its seat to the first row in the same transaction that frees it, so the seat
-- never stands free while people wait and is never given twice.
CREATE TABLE part_event_waitlist (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL REFERENCES part_event_seats (event_id), user_id TEXT NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (event_id, user_id));
CREATE INDEX part_event_waitlist_user ON part_event_waitlist (user_id);
