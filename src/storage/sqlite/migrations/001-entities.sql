-- Entities of all tenants. doc holds the attributes (JSONB, keys are expanded IRIs).
CREATE TABLE tenants (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE entities (
  pk INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  types TEXT NOT NULL,
  scopes TEXT,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  -- Incremented on every write: identifies a version for caches of rendered representations.
  rev INTEGER NOT NULL DEFAULT 1,
  doc BLOB NOT NULL
);
CREATE UNIQUE INDEX entities_tenant_id ON entities (tenant, id);

-- One row per (entity, type): drives type queries in insertion order.
CREATE TABLE entity_types (
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, type, pk)
) WITHOUT ROWID;
CREATE INDEX entity_types_pk ON entity_types (pk);

-- Bounding boxes of GeoProperty values (default instance), for geo-queries. The R*Tree id
-- encodes entity and attribute (gid = pk * 64 + geo_attrs.id) so a search reads no other table.
CREATE VIRTUAL TABLE geo_index USING rtree (gid, min_x, max_x, min_y, max_y);
CREATE TABLE geo_attrs (
  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 63),
  iri TEXT NOT NULL UNIQUE
);
CREATE TABLE geo_rows (
  pk INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  PRIMARY KEY (pk, gid)
) WITHOUT ROWID;
