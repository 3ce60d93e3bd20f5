-- Cheaper batch writes (measured with psql on 1,000-row statements; see docs/scaling.md). Entity
-- documents are lz4-compressed since migration 007.
--
-- 1. The foreign key of entity_geo ran a trigger query per geometry row (about half of the cost of
--    writing it). Geometry rows are written and deleted only with their entity, in the same
--    transaction, under the entity's row lock; the adapter deletes them with the entity.
ALTER TABLE entity_geo DROP CONSTRAINT IF EXISTS entity_geo_pk_fkey;

-- 2. The latest instance time of each history (NULL: no instance). A write later than it needs no
--    lookup of the instance's sequence number (one index probe per instance before). It is an
--    upper bound: deleting instances leaves it, and only costs the lookup again.
ALTER TABLE temporal_entities ADD COLUMN last_ts BIGINT;
UPDATE temporal_entities te SET last_ts = m.ts
  FROM (SELECT entity, max(ts) AS ts FROM temporal_instances GROUP BY entity) m WHERE m.entity = te.pk;
