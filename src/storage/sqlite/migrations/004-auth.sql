-- Access control: API keys (hashes only, never the secret) and the audit log.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  roles TEXT NOT NULL,
  tenants TEXT,
  types TEXT,
  ops TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  principal TEXT NOT NULL,
  action TEXT NOT NULL,
  tenant TEXT,
  target TEXT,
  status INTEGER NOT NULL,
  address TEXT,
  request_id TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_principal ON audit_log (principal, at);
CREATE TABLE auth_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
