-- Access control: API keys (hashes only, never the secret), the audit log and named settings
-- (the access policy set through the admin API). Same shape as the SQLite engine's.
CREATE TABLE api_keys (
  seq BIGSERIAL,
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  roles JSONB NOT NULL,
  tenants JSONB,
  types JSONB,
  ops JSONB,
  created_at TEXT NOT NULL,
  created_by TEXT,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE TABLE audit_log (
  seq BIGSERIAL PRIMARY KEY,
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
  value JSONB NOT NULL
);
