// Distances on the mean-radius sphere for georel near (GS CIM 009 clause 4.10) and the search window
// that the spatial index uses for near;maxDistance. Everything here is allocation-light: it runs per row.
import type { BBox, Geometry, Position } from './geometry.ts';

/** IUGG mean Earth radius in meters; also turf's default, so our distances agree with @turf/distance. */
export const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle (haversine) distance in meters between two [lon, lat] positions; altitude ignored. */
export function distanceMeters(a: Position, b: Position): number {
  return haversine(a[0], a[1], b[0], b[1]);
}

function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const s1 = Math.sin(((lat2 - lat1) * RAD) / 2);
  const s2 = Math.sin(((lon2 - lon1) * RAD) / 2);
  const h = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Where (x, y) lies relative to a polygon given as rings (shell, then holes): 1 inside, 0 on a ring,
 * -1 outside. Even-odd over all rings, so a point in a hole is outside and a point on a hole's ring is on
 * the boundary. Same crossing rule as point-in-polygon-hao (what turf's booleanPointInPolygon uses), but
 * with a plain instead of an adaptive-precision orientation test: results can differ only for points
 * within rounding error of an edge.
 */
export function classifyInRings(x: number, y: number, rings: Position[][]): 1 | 0 | -1 {
  let k = 0;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r];
    let u1 = ring[0][0] - x;
    let v1 = ring[0][1] - y;
    for (let i = 1; i < ring.length; i++) {
      const u2 = ring[i][0] - x;
      const v2 = ring[i][1] - y;
      if (v1 === 0 && v2 === 0) {
        if ((u2 <= 0 && u1 >= 0) || (u1 <= 0 && u2 >= 0)) return 0;
      } else if ((v2 >= 0 && v1 <= 0) || (v2 <= 0 && v1 >= 0)) {
        const f = u2 * v1 - u1 * v2;
        if (f === 0) return 0;
        if ((f > 0 && v2 > 0 && v1 <= 0) || (f < 0 && v2 <= 0 && v1 > 0)) k++;
      }
      u1 = u2;
      v1 = v2;
    }
  }
  return k % 2 === 0 ? -1 : 1;
}

/** classifyInRings over the polygons of a MultiPolygon: inside any wins over on the boundary of any. */
export function classifyInPolygons(x: number, y: number, polys: Position[][][]): 1 | 0 | -1 {
  let best: 1 | 0 | -1 = -1;
  for (let i = 0; i < polys.length; i++) {
    const c = classifyInRings(x, y, polys[i]);
    if (c === 1) return 1;
    if (c === 0) best = 0;
  }
  return best;
}

/**
 * Shortest distance in meters from a point to the vertices and edges of `ps`, treating edges as turf does:
 * straight in plain lon/lat. For each edge the closest point is found in a local equirectangular frame
 * around the query point, then measured with haversine. That closest point truly lies on the edge, so the
 * result is never below the distance of some real point of the edge (an upper bound of the exact minimum,
 * off by well under 0.1 % for edges within a few hundred km of the point), and that point lies inside the
 * geometry's bbox, which keeps the index window of near;maxDistance sound.
 */
function distanceToPath(p: Position, ps: Position[], best: number): number {
  const lon0 = p[0];
  const lat0 = p[1];
  const k = Math.cos(lat0 * RAD);
  let ax = 0, ay = 0;
  for (let i = 0; i < ps.length; i++) {
    const b = ps[i];
    const d = distanceMeters(p, b);
    if (d < best) best = d;
    // Wrap the longitude offset so a query point near the antimeridian sees nearby edges as nearby.
    let dl = b[0] - lon0;
    if (dl > 180) dl -= 360;
    else if (dl < -180) dl += 360;
    const bx = dl * k;
    const by = b[1] - lat0;
    if (i > 0) {
      const ex = bx - ax, ey = by - ay;
      const len2 = ex * ex + ey * ey;
      if (len2 > 0) {
        const t = -(ax * ex + ay * ey) / len2;
        if (t > 0 && t < 1) {
          const a = ps[i - 1];
          const dw = haversine(lon0, lat0, a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
          if (dw < best) best = dw;
        }
      }
    }
    ax = bx;
    ay = by;
  }
  return best;
}

/**
 * Distance in meters from a point to the nearest part of a geometry (0 if the point lies in or on a
 * polygon). Points and MultiPoints: exact haversine. Lines and polygon rings: vertices and edges, see
 * distanceToPath. This is the "distance to the geometry" that near;maxDistance / near;minDistance compare.
 */
export function distanceToGeometry(p: Position, g: Geometry): number {
  switch (g.type) {
    case 'Point':
      return distanceMeters(p, g.coordinates);
    case 'MultiPoint': {
      let best = Infinity;
      for (const q of g.coordinates) {
        const d = distanceMeters(p, q);
        if (d < best) best = d;
      }
      return best;
    }
    case 'LineString':
      return distanceToPath(p, g.coordinates, Infinity);
    case 'MultiLineString': {
      let best = Infinity;
      for (const line of g.coordinates) best = distanceToPath(p, line, best);
      return best;
    }
    case 'Polygon': {
      if (classifyInRings(p[0], p[1], g.coordinates) >= 0) return 0;
      let best = Infinity;
      for (const ring of g.coordinates) best = distanceToPath(p, ring, best);
      return best;
    }
    case 'MultiPolygon': {
      if (classifyInPolygons(p[0], p[1], g.coordinates) >= 0) return 0;
      let best = Infinity;
      for (const poly of g.coordinates) for (const ring of poly) best = distanceToPath(p, ring, best);
      return best;
    }
  }
}

const WORLD_LON_MIN = -180;
const WORLD_LON_MAX = 180;
// Relative and absolute slack (degrees) so that rounding never puts a point at exactly the radius outside.
const REL_SLACK = 1e-9;
const ABS_SLACK = 1e-9;

/**
 * Smallest lon/lat box containing every point within `meters` (haversine, EARTH_RADIUS_M) of `center`.
 * Latitude half-height: the angular radius δ = meters / R. Longitude half-width: asin(sin δ / cos φ), the
 * exact widest extent of a spherical cap (its widest longitude lies poleward of φ, so the often used
 * δ / cos φ is too narrow at high latitudes; and 111 320 m per degree is the equatorial *longitude* degree
 * of the ellipsoid, 0.11 % more than a degree on this sphere, so dividing by it would also be too narrow).
 * If the cap reaches a pole or the box would cross the antimeridian, the box spans all longitudes: one
 * [minX, minY, maxX, maxY] cannot express a wrapped window, and a wider window is only slower, never wrong.
 */
export function nearWindow(center: Position, meters: number): BBox {
  const lon = center[0];
  const lat = center[1];
  const delta = meters / EARTH_RADIUS_M;
  if (!(delta < Math.PI)) return [WORLD_LON_MIN, -90, WORLD_LON_MAX, 90];
  const dLat = (delta / RAD) * (1 + REL_SLACK) + ABS_SLACK;
  const minY = lat - dLat;
  const maxY = lat + dLat;
  if (minY <= -90 || maxY >= 90) return [WORLD_LON_MIN, Math.max(-90, minY), WORLD_LON_MAX, Math.min(90, maxY)];
  const s = Math.sin(delta) / Math.cos(lat * RAD);
  if (!(s < 1)) return [WORLD_LON_MIN, minY, WORLD_LON_MAX, maxY];
  const dLon = (Math.asin(s) / RAD) * (1 + REL_SLACK) + ABS_SLACK;
  const minX = lon - dLon;
  const maxX = lon + dLon;
  if (minX < WORLD_LON_MIN || maxX > WORLD_LON_MAX) return [WORLD_LON_MIN, minY, WORLD_LON_MAX, maxY];
  return [minX, minY, maxX, maxY];
}
