-- The R*Tree of GeoProperty bounding boxes gets the entity key as a third dimension (issue #19), so
-- that a geo-query with a page walks the window in key order, a slice of keys at a time, and stops
-- when the page is full instead of reading every entity of the window. The key is stored as
-- pk * 1e-6 (GEO_KEY_SCALE in the adapter): a million keys span about as much as a city's degrees,
-- so the tree splits by place and by key alike (unscaled, it clustered by key alone and a search
-- of a small window without a key range read a hundred times more nodes; measured at 100k). The
-- R*Tree stores 32-bit floats rounded outwards: a key range may find a few neighbours more, which
-- the adapter drops (it tests the exact key, gid >> 6).
CREATE VIRTUAL TABLE geo_index_pk USING rtree (gid, min_x, max_x, min_y, max_y, min_pk, max_pk);
INSERT INTO geo_index_pk (gid, min_x, max_x, min_y, max_y, min_pk, max_pk)
  SELECT gid, min_x, max_x, min_y, max_y, (gid >> 6) * 1e-6, (gid >> 6) * 1e-6 FROM geo_index ORDER BY gid;
DROP TABLE geo_index;
ALTER TABLE geo_index_pk RENAME TO geo_index;
