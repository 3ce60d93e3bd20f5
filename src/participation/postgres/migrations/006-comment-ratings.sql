-- "Hilfreich" on comments: one rating per person and comment (primary key), counted on the comment in
-- the same transaction; withdrawing deletes the row and decrements.
ALTER TABLE part_comments ADD COLUMN helpful_count INTEGER NOT NULL DEFAULT 0 CHECK (helpful_count >= 0);
CREATE TABLE part_comment_ratings (
  comment_id TEXT NOT NULL REFERENCES part_comments (id) ON DELETE CASCADE, user_id TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (comment_id, user_id));
CREATE INDEX part_comment_ratings_user ON part_comment_ratings (user_id);
