-- The reports module's tables (its own database file next to the broker's, see reports.sqlite.ts).
-- reports: the public record (doc) with the columns queries filter and sort by.
CREATE TABLE reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  lat REAL,
  lon REAL,
  photo_state TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX reports_requested ON reports (requested_at, id);
CREATE INDEX reports_status ON reports (status, requested_at);
CREATE INDEX reports_category ON reports (category, status);
CREATE INDEX reports_geo ON reports (lat, lon) WHERE lat IS NOT NULL;
CREATE INDEX reports_photo ON reports (photo_state, requested_at) WHERE photo_state = 'pending';
-- Personal data of reporters: never joined into anything public.
CREATE TABLE report_contacts (report_id INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE, doc TEXT NOT NULL);
-- Photos as re-encoded without metadata.
CREATE TABLE report_photos (report_id INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE, content_type TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE report_events (report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE, seq INTEGER NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL, note TEXT, by TEXT NOT NULL, PRIMARY KEY (report_id, seq));
CREATE TABLE report_settings (key TEXT PRIMARY KEY, doc TEXT NOT NULL);
