// The topological relations behind georel within/contains/intersects/equals/disjoint/overlaps (GS CIM 009
// clause 4.10; OGC Simple Features / DE-9IM meaning). turf where it is right, own code where it is not.
//
// Own code: (1) fast paths for Point/Point and Point/polygon, which are most rows of most queries;
// (2) polygon-in-polygon: turf's isPolyInPoly ignores the container's holes (a polygon covering a hole
// counts as within), so areal contains/within is done here by cutting boundaries at their crossings;
// (3) overlaps: turf's booleanOverlap throws for Points and mixed dimensions, reports polygons touching
// only at a corner or edge as overlapping, ignores containment, and misses partly shared line segments.
// All relations are planar in lon/lat (like turf) and ignore altitude.
import { booleanContains } from '@turf/boolean-contains';
import { booleanEqual } from '@turf/boolean-equal';
import { booleanIntersects } from '@turf/boolean-intersects';
import { classifyInPolygons, classifyInRings } from '../../core/geo.distance.ts';
import type { Geometry, GeometryType, Position } from './geojson.validate.ts';

const DIM: Record<GeometryType, 0 | 1 | 2> = {
  Point: 0, MultiPoint: 0, LineString: 1, MultiLineString: 1, Polygon: 2, MultiPolygon: 2,
};

/** A list of polygons, each a list of rings (shell first). */
type Polys = Position[][][];

function polysOf(g: Geometry): Polys {
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

/** turf's compareCoords: exact, 2D. */
function samePoint(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function parts(g: Geometry): Geometry[] {
  switch (g.type) {
    case 'MultiPoint': return g.coordinates.map((c) => ({ type: 'Point', coordinates: c }));
    case 'MultiLineString': return g.coordinates.map((c) => ({ type: 'LineString', coordinates: c }));
    case 'MultiPolygon': return g.coordinates.map((c) => ({ type: 'Polygon', coordinates: c }));
    default: return [g];
  }
}

function pathsOf(g: Geometry): Position[][] {
  if (g.type === 'LineString') return [g.coordinates];
  if (g.type === 'MultiLineString') return g.coordinates;
  return [];
}

const isMulti = (g: Geometry): boolean => g.type.startsWith('Multi');

// ---- areal boundaries -----------------------------------------------------------------------------

// Points closer than this (degrees, ≈0.1 mm) to a ring count as on it: midpoints of shared diagonal edges
// come out a few ulps off the line, and must not then count as inside or outside.
const ON_RING_TOL = 1e-9;

function nearRings(x: number, y: number, rings: Position[][]): boolean {
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      const ax = ring[i - 1][0], ay = ring[i - 1][1];
      const ex = ring[i][0] - ax, ey = ring[i][1] - ay;
      const l2 = ex * ex + ey * ey;
      let t = l2 > 0 ? ((x - ax) * ex + (y - ay) * ey) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const dx = x - (ax + t * ex), dy = y - (ay + t * ey);
      if (dx * dx + dy * dy <= ON_RING_TOL * ON_RING_TOL) return true;
    }
  }
  return false;
}

function classifyTol(x: number, y: number, polys: Polys): 1 | 0 | -1 {
  for (const rings of polys) if (nearRings(x, y, rings)) return 0;
  return classifyInPolygons(x, y, polys);
}

/**
 * Cuts every edge of the paths `rings` where it crosses or starts/stops running along an edge of the
 * paths `cutters`, and reports whether `test` holds for the midpoint of some piece. Between cuts a piece
 * is entirely inside, on, or outside the cutters (polygons or lines), so its midpoint speaks for all of it.
 */
function someBoundaryPiece(rings: Position[][], cutters: Position[][], test: (x: number, y: number) => boolean): boolean {
  const ts: number[] = [];
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      const px = ring[i - 1][0], py = ring[i - 1][1];
      const rx = ring[i][0] - px, ry = ring[i][1] - py;
      const loX = Math.min(px, px + rx), hiX = Math.max(px, px + rx);
      const loY = Math.min(py, py + ry), hiY = Math.max(py, py + ry);
      ts.length = 0;
      ts.push(0, 1);
      for (const cring of cutters) {
        for (let j = 1; j < cring.length; j++) {
          const cx = cring[j - 1][0], cy = cring[j - 1][1];
          const dx = cring[j][0], dy = cring[j][1];
          if (Math.max(cx, dx) < loX || Math.min(cx, dx) > hiX || Math.max(cy, dy) < loY || Math.min(cy, dy) > hiY) continue;
          const sx = dx - cx, sy = dy - cy;
          const qx = cx - px, qy = cy - py;
          const denom = rx * sy - ry * sx;
          if (denom !== 0) {
            const t = (qx * sy - qy * sx) / denom;
            const u = (qx * ry - qy * rx) / denom;
            if (t > 0 && t < 1 && u >= 0 && u <= 1) ts.push(t);
          } else if (qx * ry - qy * rx === 0) {
            // Collinear: the shared stretch starts/ends at the cutter's endpoints.
            const l2 = rx * rx + ry * ry;
            if (l2 === 0) continue;
            const t1 = (qx * rx + qy * ry) / l2;
            const t2 = ((dx - px) * rx + (dy - py) * ry) / l2;
            if (t1 > 0 && t1 < 1) ts.push(t1);
            if (t2 > 0 && t2 < 1) ts.push(t2);
          }
        }
      }
      ts.sort((a, b) => a - b);
      for (let k = 1; k < ts.length; k++) {
        if (ts[k] > ts[k - 1]) {
          const m = (ts[k] + ts[k - 1]) / 2;
          if (test(px + m * rx, py + m * ry)) return true;
        }
      }
    }
  }
  return false;
}

/** A point just inside the polygon, next to an edge of its shell; undefined for degenerate slivers. */
function interiorSample(rings: Position[][]): [number, number] | undefined {
  const shell = rings[0];
  for (let i = 1; i < shell.length; i++) {
    const ax = shell[i - 1][0], ay = shell[i - 1][1];
    const ex = shell[i][0] - ax, ey = shell[i][1] - ay;
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    const eps = Math.max(len * 1e-6, 1e-8);
    const mx = ax + ex / 2, my = ay + ey / 2;
    const nx = (-ey / len) * eps, ny = (ex / len) * eps;
    if (classifyTol(mx + nx, my + ny, [rings]) === 1) return [mx + nx, my + ny];
    if (classifyTol(mx - nx, my - ny, [rings]) === 1) return [mx - nx, my - ny];
  }
  return undefined;
}

/**
 * Polygon a contains polygon b (closed sets): no piece of b's boundary lies outside a, no piece of a's
 * boundary (shell or hole) runs through b's interior, and b's interior is not in one of a's holes (the
 * case where b's boundary coincides with a hole ring, caught by an interior sample).
 */
function polygonContains(a: Position[][], b: Position[][]): boolean {
  const pa: Polys = [a];
  const pb: Polys = [b];
  if (someBoundaryPiece(b, a, (x, y) => classifyTol(x, y, pa) === -1)) return false;
  if (someBoundaryPiece(a, b, (x, y) => classifyTol(x, y, pb) === 1)) return false;
  const s = interiorSample(b);
  return s === undefined || classifyTol(s[0], s[1], pa) !== -1;
}

/** Every polygon of b lies in one polygon of a (as turf; a polygon straddling two touching parts is not contained). */
function arealContains(a: Polys, b: Polys): boolean {
  return b.every((pb) => a.some((pa) => polygonContains(pa, pb)));
}

/** The interiors of two areal geometries share some area. */
function interiorsMeet(a: Polys, b: Polys): boolean {
  const ringsA = a.flat();
  const ringsB = b.flat();
  for (const pa of a) if (someBoundaryPiece(pa, ringsB, (x, y) => classifyTol(x, y, b) === 1)) return true;
  for (const pb of b) if (someBoundaryPiece(pb, ringsA, (x, y) => classifyTol(x, y, a) === 1)) return true;
  for (const pb of b) {
    const s = interiorSample(pb);
    if (s && classifyTol(s[0], s[1], a) === 1) return true;
  }
  for (const pa of a) {
    const s = interiorSample(pa);
    if (s && classifyTol(s[0], s[1], b) === 1) return true;
  }
  return false;
}

// ---- relations ------------------------------------------------------------------------------------

// Pairs turf's booleanContains(a, b) implements (others throw "geometry not supported").
const TURF_CONTAINS: Record<GeometryType, ReadonlySet<GeometryType>> = {
  Point: new Set(['Point']),
  MultiPoint: new Set(['Point', 'MultiPoint']),
  LineString: new Set(['Point', 'LineString', 'MultiPoint']),
  MultiLineString: new Set(),
  Polygon: new Set(['Point', 'LineString', 'MultiPoint']),
  MultiPolygon: new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString']),
};

/**
 * a contains b (DE-9IM: no point of b outside a, and the interiors meet). So a Point on a polygon's
 * boundary or at a line's end is NOT contained, and nothing contains a geometry of higher dimension.
 * Pairs turf lacks are decomposed: a Multi* b is contained if each part is; a Multi* a contains b if one
 * of its parts does (approximation: exact for everything but pieces of b spread over several parts of a).
 */
export function geoContains(a: Geometry, b: Geometry): boolean {
  if (DIM[b.type] > DIM[a.type]) return false;
  if (b.type === 'Point') {
    const x = b.coordinates[0], y = b.coordinates[1];
    if (a.type === 'Polygon') return classifyInRings(x, y, a.coordinates) === 1;
    if (a.type === 'MultiPolygon') return classifyInPolygons(x, y, a.coordinates) === 1;
    if (a.type === 'Point') return samePoint(a.coordinates, b.coordinates);
  }
  if (DIM[b.type] === 2) return arealContains(polysOf(a), polysOf(b));
  if (a.type === 'Polygon' && b.type === 'MultiLineString') {
    return booleanContains({ type: 'MultiPolygon', coordinates: [a.coordinates] }, b);
  }
  if (TURF_CONTAINS[a.type].has(b.type)) return booleanContains(a, b);
  if (isMulti(b)) return parts(b).every((pb) => geoContains(a, pb));
  if (isMulti(a)) return parts(a).some((pa) => geoContains(pa, b));
  return false;
}

/** a within b ⇔ b contains a. */
export function geoWithin(a: Geometry, b: Geometry): boolean {
  return geoContains(b, a);
}

/** a and b share at least one point (boundaries included: a Point on a polygon's edge intersects it). */
export function geoIntersects(a: Geometry, b: Geometry): boolean {
  if (a.type === 'Point') {
    const x = a.coordinates[0], y = a.coordinates[1];
    if (b.type === 'Point') return samePoint(a.coordinates, b.coordinates);
    if (b.type === 'Polygon') return classifyInRings(x, y, b.coordinates) >= 0;
    if (b.type === 'MultiPolygon') return classifyInPolygons(x, y, b.coordinates) >= 0;
  } else if (b.type === 'Point' && (a.type === 'Polygon' || a.type === 'MultiPolygon')) {
    return geoIntersects(b, a);
  }
  return booleanIntersects(a, b);
}

/** No shared point at all. */
export function geoDisjoint(a: Geometry, b: Geometry): boolean {
  return !geoIntersects(a, b);
}

/**
 * turf's booleanEqual: same type (a MultiPoint of one point is not equal to that Point), same number of
 * positions per coordinate, every coordinate within 1e-6 degrees (≈0.1 m); rings may start at another
 * vertex or run the other way; redundant vertices are ignored.
 */
export function geoEquals(a: Geometry, b: Geometry): boolean {
  if (a.type === 'Point' && b.type === 'Point') {
    const p = a.coordinates, q = b.coordinates;
    if (p.length !== q.length) return false;
    for (let i = 0; i < p.length; i++) if (!(Math.abs(p[i] - q[i]) < 1e-6)) return false;
    return true;
  }
  return booleanEqual(a, b);
}

/**
 * DE-9IM overlaps: same dimension, the interiors share a part of that dimension, and neither contains
 * the other. So a single Point overlaps nothing, polygons touching at a corner or along an edge do not
 * overlap, and a polygon inside another does not overlap it.
 */
export function geoOverlaps(a: Geometry, b: Geometry): boolean {
  const d = DIM[a.type];
  if (d !== DIM[b.type] || a.type === 'Point' || b.type === 'Point') return false;
  if (a.type === 'MultiPoint' && b.type === 'MultiPoint') {
    const inB = (p: Position) => b.coordinates.some((q) => samePoint(p, q));
    const inA = (q: Position) => a.coordinates.some((p) => samePoint(p, q));
    return a.coordinates.some(inB) && !a.coordinates.every(inB) && !b.coordinates.every(inA);
  }
  if (d === 2) {
    const pa = polysOf(a), pb = polysOf(b);
    return interiorsMeet(pa, pb) && !arealContains(pa, pb) && !arealContains(pb, pa);
  }
  // Lines: a shared stretch, not just crossing points. (turf's booleanOverlap misses stretches where
  // neither segment lies wholly on the other, e.g. [0,0]-[10,0] and [5,0]-[15,0].)
  const la = pathsOf(a), lb = pathsOf(b);
  return someBoundaryPiece(la, lb, (x, y) => nearRings(x, y, lb)) && !geoContains(a, b) && !geoContains(b, a);
}
