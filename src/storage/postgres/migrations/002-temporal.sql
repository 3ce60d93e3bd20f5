-- Temporal evolution (history) of entities, clause 4.5.7 / 5.7.3: the same row layout as the
-- embedded engine, with temporal_instances natively partitioned by time range (monthly
-- partitions created ahead by the adapter; a default partition takes everything else).
CREATE TABLE temporal_entities (
  pk BIGSERIAL PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  types TEXT[] NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX temporal_entities_tenant_id ON temporal_entities (tenant, id);

CREATE TABLE temporal_names (
  nid SERIAL PRIMARY KEY,
  attr TEXT NOT NULL,
  dataset TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX temporal_names_attr ON temporal_names (attr, dataset);

-- ts: observedAt (else modifiedAt) in epoch ms; seq tells apart instances with the same ts.
-- flags: 1 observedAt given, 2 deletion marker, 4 boolean value. See the embedded engine's 002.
CREATE TABLE temporal_instances (
  entity BIGINT NOT NULL,
  name INTEGER NOT NULL,
  ts BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  num DOUBLE PRECISION,
  val TEXT,
  doc TEXT,
  unit TEXT,
  created BIGINT NOT NULL,
  modified BIGINT,
  flags INTEGER NOT NULL,
  PRIMARY KEY (entity, name, ts, seq)
) PARTITION BY RANGE (ts);
CREATE TABLE temporal_instances_default PARTITION OF temporal_instances DEFAULT;
