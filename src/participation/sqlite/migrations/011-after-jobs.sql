-- Work that follows a contribution (mails to followers and moderators), kept until it is done: a node
-- that dies between the answer and the job leaves the row, and the next start (or another node) runs it.
-- claimed_until: a node's lease on the job; attempts: claims so far (given up after a few).
CREATE TABLE part_jobs (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
  claimed_until TEXT, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX part_jobs_due ON part_jobs (created_at);
