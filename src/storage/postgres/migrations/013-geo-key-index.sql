-- A GiST index over each geometry with the entity key as a third dimension (z = pk * 1e-6, as the
-- SQLite engine's R*Tree since its migration 011), so that a geo-query with a page reads the
-- window's candidates a key range at a time and stops when the page is full (issue #19). The
-- expression must match postgres.query-compiler.ts (GEO_KEY_EXPR) for the index to be used. The 2D
-- index stays: queries without a page (counts, orderBy) use it, as do nodes of the previous version.
CREATE INDEX entity_geo_key ON entity_geo USING GIST ((ST_Translate(ST_Force3DZ(geom), 0, 0, pk::float8 * 1e-6)) gist_geometry_ops_nd);
