// GeoJSON geometry types (RFC 7946 clause 3.1) and a fast bounding box used for the spatial index on
// every write. Pure data and arithmetic: validation is the NGSI-LD domain's (ngsi-ld/geo/geojson.validate.ts).

// Own minimal GeoJSON types (RFC 7946 §3.1). They are structurally assignable to the 'geojson' types
// turf declares, without making '@types/geojson' (only a transitive dependency) part of our API.
/** [longitude, latitude] or [longitude, latitude, altitude]. */
export type Position = number[];
export interface Point { type: 'Point'; coordinates: Position }
export interface MultiPoint { type: 'MultiPoint'; coordinates: Position[] }
export interface LineString { type: 'LineString'; coordinates: Position[] }
export interface MultiLineString { type: 'MultiLineString'; coordinates: Position[][] }
export interface Polygon { type: 'Polygon'; coordinates: Position[][] }
export interface MultiPolygon { type: 'MultiPolygon'; coordinates: Position[][][] }
export type Geometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon;
export type GeometryType = Geometry['type'];
/** [minX (west lon), minY (south lat), maxX (east lon), maxY (north lat)], in degrees. */
export type BBox = [minX: number, minY: number, maxX: number, maxY: number];

// bboxOf runs on every write: plain loops over the nesting the type dictates, growing the one result
// array in place (no intermediate arrays or closures). All rings are scanned, not only shells, so that
// even a polygon whose "hole" lies outside its shell (planar point-in-polygon treats that as area) stays
// inside its bbox.
function addPositions(ps: Position[], b: BBox): void {
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    const x = p[0], y = p[1];
    if (x < b[0]) b[0] = x;
    if (x > b[2]) b[2] = x;
    if (y < b[1]) b[1] = y;
    if (y > b[3]) b[3] = y;
  }
}

/**
 * [minX, minY, maxX, maxY] over all positions of a validated geometry (altitude ignored). Planar in
 * lon/lat like turf: a geometry crossing the antimeridian gets a box spanning the whole width between its
 * extreme longitudes. For an empty geometry (impossible after validateGeometry) the box is inverted (±Infinity).
 */
export function bboxOf(g: Geometry): BBox {
  if (g.type === 'Point') {
    const p = g.coordinates;
    return [p[0], p[1], p[0], p[1]];
  }
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  switch (g.type) {
    case 'MultiPoint':
    case 'LineString':
      addPositions(g.coordinates, b);
      break;
    case 'MultiLineString':
    case 'Polygon':
      for (const part of g.coordinates) addPositions(part, b);
      break;
    case 'MultiPolygon':
      for (const poly of g.coordinates) for (const ring of poly) addPositions(ring, b);
      break;
  }
  return b;
}
