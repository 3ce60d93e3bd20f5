-- The reports module's tables (in the configured schema, see reports.postgres.ts). Times are UTC
-- ISO strings (TEXT) as on SQLite, so both engines compare and sort them alike.
CREATE TABLE reports (
  id BIGSERIAL PRIMARY KEY,
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  photo_state TEXT,
  doc JSONB NOT NULL
);
CREATE INDEX reports_requested ON reports (requested_at, id);
CREATE INDEX reports_status ON reports (status, requested_at);
CREATE INDEX reports_category ON reports (category, status);
CREATE INDEX reports_geo ON reports (lat, lon) WHERE lat IS NOT NULL;
CREATE INDEX reports_photo ON reports (photo_state, requested_at) WHERE photo_state = 'pending';
CREATE TABLE report_contacts (report_id BIGINT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE, doc JSONB NOT NULL);
CREATE TABLE report_photos (report_id BIGINT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE, content_type TEXT NOT NULL, data BYTEA NOT NULL);
CREATE TABLE report_events (report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE, seq INTEGER NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL, note TEXT, by TEXT NOT NULL, PRIMARY KEY (report_id, seq));
CREATE TABLE report_settings (key TEXT PRIMARY KEY, doc JSONB NOT NULL);
