-- The catalogue's tables (its own database file next to the broker's, see catalog.sqlite.ts).
-- Times are UTC ISO strings (they compare as text, like the PostgreSQL adapter's TEXT columns).
CREATE TABLE catalog_datasets (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  modified TEXT NOT NULL,
  issued TEXT,
  title_sort TEXT NOT NULL,
  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,
  doc TEXT NOT NULL
);
CREATE INDEX catalog_datasets_harvest ON catalog_datasets (state, created_at, id);
CREATE INDEX catalog_datasets_title ON catalog_datasets (title_sort, id);
CREATE INDEX catalog_datasets_modified ON catalog_datasets (modified, id);
CREATE TABLE catalog_terms (term TEXT NOT NULL, dataset_id TEXT NOT NULL, title INTEGER NOT NULL, PRIMARY KEY (term, dataset_id)) WITHOUT ROWID;
CREATE INDEX catalog_terms_dataset ON catalog_terms (dataset_id);
CREATE TABLE catalog_facets (facet TEXT NOT NULL, value TEXT NOT NULL, dataset_id TEXT NOT NULL, PRIMARY KEY (facet, value, dataset_id)) WITHOUT ROWID;
CREATE INDEX catalog_facets_dataset ON catalog_facets (dataset_id);
-- Uploaded files: metadata here, bytes in the data directory (catalog-files/<dataset>/<distribution>).
CREATE TABLE catalog_files (
  dataset_id TEXT NOT NULL,
  distribution_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (dataset_id, distribution_id)
);
