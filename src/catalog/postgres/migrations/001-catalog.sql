-- The catalogue's tables (in the configured schema, see catalog.postgres.ts). Text columns that are
-- compared or sorted use COLLATE "C" (byte order, as SQLite's BINARY) so both engines agree.
CREATE TABLE catalog_datasets (
  id TEXT COLLATE "C" PRIMARY KEY,
  tenant TEXT COLLATE "C" NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  modified TEXT COLLATE "C" NOT NULL,
  issued TEXT COLLATE "C",
  title_sort TEXT COLLATE "C" NOT NULL,
  min_lon DOUBLE PRECISION, min_lat DOUBLE PRECISION, max_lon DOUBLE PRECISION, max_lat DOUBLE PRECISION,
  doc JSONB NOT NULL
);
CREATE INDEX catalog_datasets_harvest ON catalog_datasets (state, created_at, id);
CREATE INDEX catalog_datasets_title ON catalog_datasets (title_sort, id);
CREATE INDEX catalog_datasets_modified ON catalog_datasets (modified, id);
CREATE TABLE catalog_terms (term TEXT COLLATE "C" NOT NULL, dataset_id TEXT COLLATE "C" NOT NULL REFERENCES catalog_datasets (id) ON DELETE CASCADE, title SMALLINT NOT NULL, PRIMARY KEY (term, dataset_id));
CREATE INDEX catalog_terms_dataset ON catalog_terms (dataset_id);
CREATE TABLE catalog_facets (facet TEXT COLLATE "C" NOT NULL, value TEXT COLLATE "C" NOT NULL, dataset_id TEXT COLLATE "C" NOT NULL REFERENCES catalog_datasets (id) ON DELETE CASCADE, PRIMARY KEY (facet, value, dataset_id));
CREATE INDEX catalog_facets_dataset ON catalog_facets (dataset_id);
-- Uploaded files live in the database, so every node serves them.
CREATE TABLE catalog_files (
  dataset_id TEXT COLLATE "C" NOT NULL REFERENCES catalog_datasets (id) ON DELETE CASCADE,
  distribution_id TEXT COLLATE "C" NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  byte_size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (dataset_id, distribution_id)
);
