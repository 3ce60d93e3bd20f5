-- Accounts: users (roles per tenant as JSON), server-side sessions and single-use tokens (hashes of
-- the secrets only), OpenID Connect logins in progress, and the mail outbox. Same shape as the SQLite engine's.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT,
  oidc_issuer TEXT,
  oidc_subject TEXT,
  roles JSONB NOT NULL,
  created_at TEXT NOT NULL,
  last_login_at TEXT,
  email_confirmed_at TEXT,
  disabled_at TEXT,
  UNIQUE (oidc_issuer, oidc_subject)
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  csrf TEXT NOT NULL,
  user_agent TEXT,
  address TEXT,
  revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE account_tokens (
  hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX account_tokens_expires ON account_tokens (expires_at);
CREATE TABLE mail_outbox (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  html TEXT,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL,
  done_at TEXT,
  error TEXT
);
CREATE INDEX mail_outbox_state ON mail_outbox (state, seq);
-- An OpenID Connect login between the redirect to the issuer and the callback (state, nonce and PKCE
-- code verifier kept server-side, so any node can finish it); single use, short-lived.
CREATE TABLE oidc_logins (
  state_hash TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
