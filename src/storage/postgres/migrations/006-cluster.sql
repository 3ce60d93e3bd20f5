-- Several nodes on one schema (docs/scaling.md#several-nodes): leases of the live nodes, and the
-- change feed. A published batch of events is one row; NOTIFY carries only its seq (payloads are
-- limited to 8,000 bytes), receivers read the row. Rows are pruned after ten minutes.
CREATE TABLE cluster_nodes (
  node_id TEXT PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  heartbeat_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE cluster_changes (
  seq BIGSERIAL PRIMARY KEY,
  origin TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  events JSON NOT NULL
);
CREATE INDEX cluster_changes_at ON cluster_changes (at);
