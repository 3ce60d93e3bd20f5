-- Guests' contributions (comments, survey answers) held for moderation: kept apart from the public
-- tables until a moderator releases them (then they are written there like any other), so no list,
-- count or export can show one early. A guest is "guest:<hash of a per-browser token>"; their
-- address is never stored. One survey answer per guest and survey while not rejected.
CREATE TABLE part_guest_contributions (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('comment', 'survey')), guest_id TEXT NOT NULL, process_slug TEXT NOT NULL,
  target_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'released', 'rejected')), created_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX part_guest_contributions_state ON part_guest_contributions (state, created_at, id);
CREATE INDEX part_guest_contributions_guest ON part_guest_contributions (guest_id, target_id);
CREATE UNIQUE INDEX part_guest_survey_once ON part_guest_contributions (guest_id, target_id) WHERE kind = 'survey' AND state <> 'rejected';
-- Following a process, a proposal or a strategy project; the person's choice of immediate mail or a
-- daily digest, and the digest's queued lines.
CREATE TABLE part_follows (
  user_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('process', 'proposal', 'project')), target_id TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, kind, target_id));
CREATE INDEX part_follows_target ON part_follows (kind, target_id);
CREATE TABLE part_follow_settings (user_id TEXT PRIMARY KEY, mode TEXT NOT NULL CHECK (mode IN ('immediate', 'digest')));
CREATE TABLE part_digest_items (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, created_at TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX part_digest_items_user ON part_digest_items (user_id, id);
-- Marks that throttle mails across nodes (a report's mail to moderators at most once an hour per item,
-- a phase change announced once), and the module's named secrets (the unsubscribe links' key).
CREATE TABLE part_mail_marks (key TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE part_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
