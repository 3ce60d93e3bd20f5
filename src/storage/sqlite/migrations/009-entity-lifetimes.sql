-- Entity row keys are never reused (an INTEGER PRIMARY KEY without AUTOINCREMENT may hand out the
-- key of a deleted last row again): the key doubles as the entity's lifetime stamp ("born"), so a
-- version (born, rev) of a deleted entity never names a later entity with the same id (ETags,
-- rendered-entity cache). `last` is the highest key ever handed out.
CREATE TABLE entity_lifetimes (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  last INTEGER NOT NULL
);
INSERT INTO entity_lifetimes (one, last) VALUES (1, (SELECT coalesce(max(pk), 0) FROM entities));
