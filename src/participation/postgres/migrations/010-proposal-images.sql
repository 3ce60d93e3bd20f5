-- An image per proposal: the re-encoded bytes (no metadata), the author's alternative text, and the
-- moderation state; public only when released.
CREATE TABLE part_proposal_images (
  proposal_id TEXT PRIMARY KEY REFERENCES part_proposals (id), content_type TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
  alt TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'released', 'rejected')), created_at TEXT NOT NULL, decided_at TEXT, reason TEXT,
  data BYTEA NOT NULL);
CREATE INDEX part_proposal_images_state ON part_proposal_images (state, created_at);
