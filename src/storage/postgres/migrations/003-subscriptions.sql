-- Subscriptions of all tenants (clause 5.2.12): the definition as JSON (not JSONB: member order is
-- kept as the client wrote it) plus additive delivery counters.
CREATE TABLE subscriptions (
  seq BIGSERIAL PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  definition JSON NOT NULL,
  context JSON,
  compiled JSON,
  times_sent BIGINT NOT NULL DEFAULT 0,
  times_failed BIGINT NOT NULL DEFAULT 0,
  last_notification TEXT,
  last_success TEXT,
  last_failure TEXT,
  last_failure_reason TEXT
);
CREATE UNIQUE INDEX subscriptions_tenant_id ON subscriptions (tenant, id);
