-- Subscriptions of all tenants (clause 5.2.12): the definition as JSON plus additive delivery counters.
CREATE TABLE subscriptions (
  seq INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  definition TEXT NOT NULL,
  context TEXT NOT NULL,
  compiled TEXT NOT NULL,
  times_sent INTEGER NOT NULL DEFAULT 0,
  times_failed INTEGER NOT NULL DEFAULT 0,
  last_notification TEXT,
  last_success TEXT,
  last_failure TEXT,
  last_failure_reason TEXT
);
CREATE UNIQUE INDEX subscriptions_tenant_id ON subscriptions (tenant, id);
