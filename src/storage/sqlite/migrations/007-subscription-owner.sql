-- The principal that created a subscription (docs/security.md): principals other than operators
-- see and manage only their own. NULL: created with access control off (operators only).
ALTER TABLE subscriptions ADD COLUMN owner TEXT;
