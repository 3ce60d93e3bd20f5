-- Temporal evolution (history) of entities, clause 4.5.7 / 5.7.3. Kept apart from the current
-- state so that it outlives entity deletion; written in the same transaction as the state.

-- One row per entity that has (or had) history; types accumulate, deleted_at marks deletion.
CREATE TABLE temporal_entities (
  pk INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  types TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX temporal_entities_tenant_id ON temporal_entities (tenant, id);

-- Interned (attribute IRI, datasetId) pairs: history rows carry a small integer instead.
CREATE TABLE temporal_names (
  nid INTEGER PRIMARY KEY,
  attr TEXT NOT NULL,
  dataset TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX temporal_names_attr ON temporal_names (attr, dataset);

-- One row per attribute instance. ts: observedAt (else modifiedAt) in epoch ms; seq tells apart
-- instances with the same ts. num: numeric (and boolean) values; val: any other value as JSON;
-- unit: unitCode. doc: the remaining members (sub-attributes, a non-Property type) as JSON or NULL.
-- created: recording time as ms after ts (small, so a few bytes); modified: epoch ms or NULL.
-- flags: 1 observedAt given, 2 deletion marker, 4 boolean value.
CREATE TABLE temporal_instances (
  entity INTEGER NOT NULL,
  name INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  num REAL,
  val TEXT,
  doc TEXT,
  unit TEXT,
  created INTEGER NOT NULL,
  modified INTEGER,
  flags INTEGER NOT NULL,
  PRIMARY KEY (entity, name, ts, seq)
) WITHOUT ROWID;
