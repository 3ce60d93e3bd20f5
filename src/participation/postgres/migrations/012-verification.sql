-- Verification for taking part (verification.model.ts): personal data in its own tables, never in exports.
-- One verification per account, method and scope (a process slug, or '*' for every process).
CREATE TABLE part_verifications (
  user_id TEXT NOT NULL, method TEXT NOT NULL, scope TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (user_id, method, scope));
-- Invitation codes: only their SHA-256 hashes. A code is redeemed once: the redemptions' primary key.
-- A deleted account's redemption stays (the code stays used) without naming it (user_id NULL).
CREATE TABLE part_invitation_codes (hash TEXT PRIMARY KEY, process_slug TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX part_invitation_codes_process ON part_invitation_codes (process_slug);
CREATE TABLE part_code_redemptions (hash TEXT PRIMARY KEY REFERENCES part_invitation_codes (hash), user_id TEXT, at TEXT NOT NULL);
CREATE INDEX part_code_redemptions_user ON part_code_redemptions (user_id);
