-- The participation module's tables (its own database file next to the broker's, see participation.sqlite.ts).
CREATE TABLE part_processes (slug TEXT PRIMARY KEY, first_start TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE part_proposals (
  id TEXT PRIMARY KEY, process_slug TEXT NOT NULL, author_id TEXT NOT NULL, state TEXT NOT NULL, category TEXT,
  title TEXT NOT NULL, created_at TEXT NOT NULL,
  support_count INTEGER NOT NULL DEFAULT 0 CHECK (support_count >= 0),
  comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
  doc TEXT NOT NULL);
CREATE INDEX part_proposals_process ON part_proposals (process_slug, state, created_at);
CREATE INDEX part_proposals_author ON part_proposals (author_id);
CREATE TABLE part_comments (id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, author_id TEXT NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX part_comments_target ON part_comments (target_kind, target_id, created_at);
CREATE INDEX part_comments_author ON part_comments (author_id);
-- One support per person and proposal: the primary key.
CREATE TABLE part_supports (proposal_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (proposal_id, user_id));
CREATE TABLE part_reports (id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT, doc TEXT NOT NULL);
CREATE INDEX part_reports_open ON part_reports (resolved_at, created_at);
CREATE TABLE part_blocks (user_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
-- One ballot per person and process (primary key), never above the budget (check).
CREATE TABLE part_ballots (
  process_slug TEXT NOT NULL, user_id TEXT NOT NULL, total INTEGER NOT NULL, budget INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (process_slug, user_id), CHECK (total >= 0 AND total <= budget));
CREATE TABLE part_ballot_items (
  process_slug TEXT NOT NULL, user_id TEXT NOT NULL, proposal_id TEXT NOT NULL, cost INTEGER NOT NULL,
  PRIMARY KEY (process_slug, user_id, proposal_id),
  FOREIGN KEY (process_slug, user_id) REFERENCES part_ballots (process_slug, user_id) ON DELETE CASCADE);
CREATE INDEX part_ballot_items_proposal ON part_ballot_items (process_slug, proposal_id);
