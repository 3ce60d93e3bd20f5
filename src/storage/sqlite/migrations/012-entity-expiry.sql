-- Transient entities (clause 4.5.1, v1.9 expiresAt): the expiry as a UTC instant in the fixed-width
-- form of Date.toISOString (so text order is time order), NULL for entities that never expire.
-- The partial index holds only transient entities: the sweeper and the read-time probe ("has any
-- entity expired?") cost a few index pages, whatever the number of ordinary entities.
ALTER TABLE entities ADD COLUMN expires_at TEXT;
CREATE INDEX entities_expires_at ON entities (expires_at) WHERE expires_at IS NOT NULL;
