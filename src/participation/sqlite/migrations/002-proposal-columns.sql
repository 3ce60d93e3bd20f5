-- Columns the process page, its map and the budget read without parsing documents, and indexes for the orders.
ALTER TABLE part_proposals ADD COLUMN lon REAL;
ALTER TABLE part_proposals ADD COLUMN lat REAL;
ALTER TABLE part_proposals ADD COLUMN cost INTEGER;
UPDATE part_proposals SET lon = json_extract(doc, '$.point[0]'), lat = json_extract(doc, '$.point[1]'), cost = json_extract(doc, '$.cost');
CREATE INDEX part_proposals_supports ON part_proposals (process_slug, state, support_count);
CREATE INDEX part_proposals_comments ON part_proposals (process_slug, state, comment_count);
