-- Transient entities (clause 4.5.1, v1.9 expiresAt): the expiry as a UTC instant in the fixed-width
-- form of Date.toISOString (text order is time order, as in the embedded engine), NULL for entities
-- that never expire. The partial index holds only transient entities (sweeper, read-time probe).
ALTER TABLE entities ADD COLUMN expires_at TEXT;
CREATE INDEX entities_expires_at ON entities (expires_at) WHERE expires_at IS NOT NULL;
