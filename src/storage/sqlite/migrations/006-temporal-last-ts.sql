-- An upper bound of each entity's instance times: a write whose instances are all later needs no
-- seq lookup per instance (sqlite.temporal.ts). Existing histories get their bound once, here.
ALTER TABLE temporal_entities ADD COLUMN last_ts INTEGER;
UPDATE temporal_entities SET last_ts = (SELECT max(ts) FROM temporal_instances WHERE entity = temporal_entities.pk);
