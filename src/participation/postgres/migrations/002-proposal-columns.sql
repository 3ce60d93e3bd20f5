-- Columns the process page, its map and the budget read without parsing documents, and indexes for the orders.
ALTER TABLE part_proposals ADD COLUMN lon DOUBLE PRECISION, ADD COLUMN lat DOUBLE PRECISION, ADD COLUMN cost BIGINT;
UPDATE part_proposals SET lon = (doc->'point'->>0)::double precision, lat = (doc->'point'->>1)::double precision, cost = (doc->>'cost')::bigint;
CREATE INDEX part_proposals_supports ON part_proposals (process_slug, state, support_count);
CREATE INDEX part_proposals_comments ON part_proposals (process_slug, state, comment_count);
