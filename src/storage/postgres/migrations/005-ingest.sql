-- Device registry of the ingest (IoT Agent service groups and devices); the bodies as JSON
-- (not JSONB: member order is kept as the operator wrote it). Same shape as the SQLite engine's.
CREATE TABLE ingest_groups (
  apikey TEXT NOT NULL,
  resource TEXT NOT NULL,
  tenant TEXT NOT NULL,
  service_path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  doc JSON NOT NULL,
  PRIMARY KEY (apikey, resource)
);
CREATE INDEX ingest_groups_tenant ON ingest_groups (tenant, service_path);

CREATE TABLE ingest_devices (
  tenant TEXT NOT NULL,
  service_path TEXT NOT NULL,
  device_id TEXT NOT NULL,
  apikey TEXT,
  dev_eui TEXT,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  doc JSON NOT NULL,
  PRIMARY KEY (tenant, service_path, device_id)
);
CREATE UNIQUE INDEX ingest_devices_dev_eui ON ingest_devices (dev_eui) WHERE dev_eui IS NOT NULL;
