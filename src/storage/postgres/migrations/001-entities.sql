-- Entities of all tenants (tenant is a column, as in the embedded engine). doc holds the
-- attributes (JSONB, keys are expanded IRIs); types and scopes are text arrays.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE tenants (
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE entities (
  pk BIGSERIAL PRIMARY KEY,
  tenant TEXT NOT NULL,
  id TEXT NOT NULL,
  types TEXT[] NOT NULL,
  scopes TEXT[],
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  -- Incremented on every write: identifies a version for caches of rendered representations.
  rev INTEGER NOT NULL DEFAULT 1,
  doc JSONB NOT NULL
);
CREATE UNIQUE INDEX entities_tenant_id ON entities (tenant, id);
CREATE INDEX entities_types ON entities USING GIN (types);

-- Geometries of GeoProperty values (default instance), one row per (entity, attribute), with a
-- GiST index for the bounding-box search of geo-queries.
CREATE TABLE entity_geo (
  pk BIGINT NOT NULL REFERENCES entities (pk) ON DELETE CASCADE,
  attr TEXT NOT NULL,
  geom geometry(Geometry, 4326) NOT NULL,
  PRIMARY KEY (pk, attr)
);
CREATE INDEX entity_geo_geom ON entity_geo USING GIST (geom);
