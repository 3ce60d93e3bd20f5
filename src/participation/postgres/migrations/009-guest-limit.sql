-- The guests' per-address limit, shared by every node on the database: one row per counted guest
-- contribution, under a keyed hash of the client address (never the address), kept only for the
-- limit's window (each count deletes what has run out).
CREATE TABLE part_guest_hits (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX part_guest_hits_key ON part_guest_hits (key, at);
CREATE INDEX part_guest_hits_at ON part_guest_hits (at);
