-- Indexes that serve the process page's orders and its category filter whole (ties by creation, then id).
DROP INDEX part_proposals_supports;
DROP INDEX part_proposals_comments;
CREATE INDEX part_proposals_supports ON part_proposals (process_slug, state, support_count, created_at, id);
CREATE INDEX part_proposals_comments ON part_proposals (process_slug, state, comment_count, created_at, id);
CREATE INDEX part_proposals_category ON part_proposals (process_slug, state, category, created_at, id);
