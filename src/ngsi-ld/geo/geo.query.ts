// Geo-queries (GS CIM 009 clause 4.10, parameters of clause 6.4.3.2): parsing georel/geometry/coordinates/
// geoproperty, the index search window, and the exact per-entity predicate "stored <georel> query".
import { BadRequestData, TooComplexQuery } from '../../core/errors.ts';
import { distanceToGeometry, nearWindow } from '../../core/geo.distance.ts';
import { geoContains, geoDisjoint, geoEquals, geoIntersects, geoOverlaps, geoWithin } from './geo.relations.ts';
import { bboxOf, canonicalGeometryType, countPositions, GEOMETRY_TYPES, geometryLimits, validateGeometry } from './geojson.validate.ts';
import type { BBox, Geometry } from './geojson.validate.ts';

export { distanceMeters, distanceToGeometry, EARTH_RADIUS_M, nearWindow } from '../../core/geo.distance.ts';

export type GeoRel = 'near' | 'within' | 'contains' | 'intersects' | 'equals' | 'disjoint' | 'overlaps';

export interface GeoQuery {
  georel: GeoRel;
  /** near only, meters. */
  maxDistance?: number;
  /** near only, meters. */
  minDistance?: number;
  /** The reference geometry (a Point for near). */
  geometry: Geometry;
  /** Attribute name as written (default 'location'); the caller expands it against the @context. */
  geoproperty: string;
  /**
   * Index search window [minX, minY, maxX, maxY]: every stored geometry that can match has a bbox
   * intersecting it. Undefined when no narrowing is possible (near;minDistance only, disjoint).
   */
  bbox?: BBox;
}

export interface GeoQueryParams {
  georel?: string;
  geometry?: string;
  coordinates?: string | unknown;
  geoproperty?: string;
}

/**
 * The in-process relations cost up to stored × query positions per entity (tens of milliseconds for
 * 50 × 10,000). Each query request gets a time budget for them (DREHSCHEIBE_GEO_BUDGET_MS): an entity whose
 * bounding box does not decide is evaluated only if its estimated cost fits into what is left, and a query
 * that goes over answers TooComplexQuery instead of holding the event loop for seconds.
 */
const geoBudget = { ms: 500 };
/** Estimated cost of one stored × query vertex pair (measured: 40–100 ns for polygon relations). */
const MS_PER_PAIR = 1e-4;

/** Set once at start-up from the config. */
export function configureGeo(o: { maxVertices: number; budgetMs: number }): void {
  geometryLimits.maxVertices = o.maxVertices;
  geoBudget.ms = o.budgetMs;
}

/** The in-process geo time one request may still spend; see matchesGeoQuery. */
export interface GeoWork { leftMs: number }
export const newGeoWork = (): GeoWork => ({ leftMs: geoBudget.ms });

const RELS_WITHOUT_DISTANCE = new Set<GeoRel>(['within', 'contains', 'intersects', 'equals', 'disjoint', 'overlaps']);
const VALID_GEORELS = 'near;maxDistance==<meters>, near;minDistance==<meters>, within, contains, intersects, equals, disjoint, overlaps';
const DISTANCE = /^(maxDistance|minDistance)==(.*)$/;
// Non-negative decimal, optional exponent; no sign other than '+', no hex, no Infinity.
const NON_NEGATIVE = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Extra margin (degrees) on bbox windows: equals tolerates 1e-6° per coordinate, so a stored geometry
// can be equal while its bbox misses the query's exact bbox by that much.
const WINDOW_SLACK = 2e-6;

const present = (v: unknown): boolean => v !== undefined && v !== null;

function parseGeorel(text: string): Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> {
  const parts = text.split(';').map((s) => s.trim());
  const name = parts[0];
  if (name !== 'near' && !RELS_WITHOUT_DISTANCE.has(name as GeoRel)) {
    throw new BadRequestData(`Invalid georel ${JSON.stringify(text)}; expected one of ${VALID_GEORELS}`);
  }
  if (name !== 'near') {
    if (parts.length > 1) throw new BadRequestData(`georel ${name} takes no modifiers, got ${JSON.stringify(text)}`);
    return { georel: name as GeoRel };
  }
  if (parts.length === 1) {
    throw new BadRequestData('georel near needs a distance: near;maxDistance==<meters> or near;minDistance==<meters>');
  }
  const out: Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> = { georel: 'near' };
  for (const mod of parts.slice(1)) {
    const m = DISTANCE.exec(mod);
    if (!m) {
      throw new BadRequestData(`Invalid near modifier ${JSON.stringify(mod)} in georel ${JSON.stringify(text)}; expected maxDistance==<meters> or minDistance==<meters>`);
    }
    const key = m[1] as 'maxDistance' | 'minDistance';
    const raw = m[2].trim();
    const n = Number(raw);
    if (!NON_NEGATIVE.test(raw) || !Number.isFinite(n)) {
      throw new BadRequestData(`georel near: ${key} must be a non-negative number of meters, got ${JSON.stringify(raw)}`);
    }
    if (out[key] !== undefined) throw new BadRequestData(`georel near: ${key} is given twice in ${JSON.stringify(text)}`);
    out[key] = n;
  }
  // Both distances together (a ring between them) is an extension of the clause 4.10 grammar; it must be a non-empty ring.
  if (out.maxDistance !== undefined && out.minDistance !== undefined && out.minDistance > out.maxDistance) {
    throw new BadRequestData(`georel near: minDistance ${out.minDistance} is greater than maxDistance ${out.maxDistance}, nothing can match`);
  }
  return out;
}

export function parseCoordinates(c: unknown): unknown[] {
  if (typeof c === 'string') {
    let v: unknown;
    try {
      v = JSON.parse(c);
    } catch (e) {
      throw new BadRequestData(`coordinates is not valid JSON (${(e as Error).message}); expected a JSON array such as [7.2,51.5] for a Point`);
    }
    if (!Array.isArray(v)) throw new BadRequestData('coordinates must be a JSON array such as [7.2,51.5] for a Point');
    return v;
  }
  if (Array.isArray(c)) return c;
  throw new BadRequestData('coordinates must be a JSON array (or its text) such as [7.2,51.5] for a Point');
}

/**
 * Parses the geo-query parameters (clause 4.10). Returns undefined if none of georel, geometry and
 * coordinates is present. geometry is case-insensitive (normalised to the GeoJSON spelling); georel is
 * case-sensitive as in the spec. coordinates is JSON text (URL) or an already parsed array (POST body).
 * @throws BadRequestData for missing companions, unknown georel/geometry, invalid coordinates,
 *         near with a non-Point geometry, and above DREHSCHEIBE_MAX_GEOMETRY_VERTICES positions.
 */
export function parseGeoQuery(p: GeoQueryParams): GeoQuery | undefined {
  const given = { georel: present(p.georel), geometry: present(p.geometry), coordinates: present(p.coordinates) };
  if (!given.georel && !given.geometry && !given.coordinates) return undefined;
  const missing = (Object.keys(given) as (keyof typeof given)[]).filter((k) => !given[k]);
  if (missing.length > 0) {
    throw new BadRequestData(`Geo-query needs georel, geometry and coordinates together (clause 4.10); missing: ${missing.join(', ')}`);
  }
  if (typeof p.georel !== 'string') throw new BadRequestData('georel must be a string such as near;maxDistance==1000 or within');
  if (typeof p.geometry !== 'string') throw new BadRequestData(`geometry must be a string, one of ${GEOMETRY_TYPES.join(', ')}`);

  const rel = parseGeorel(p.georel);
  const type = canonicalGeometryType(p.geometry.trim());
  if (!type) {
    throw new BadRequestData(`Invalid geometry ${JSON.stringify(p.geometry)}; expected one of ${GEOMETRY_TYPES.join(', ')}`);
  }
  if (rel.georel === 'near' && type !== 'Point') {
    throw new BadRequestData(`georel near needs geometry Point (distances are measured from a point), got ${type}`);
  }

  const geometry = validateGeometry({ type, coordinates: parseCoordinates(p.coordinates) }, 'coordinates');

  let geoproperty = 'location';
  if (present(p.geoproperty)) {
    if (typeof p.geoproperty !== 'string' || p.geoproperty.trim() === '') {
      throw new BadRequestData('geoproperty must be a non-empty attribute name (default: location)');
    }
    geoproperty = p.geoproperty.trim();
  }

  const q: GeoQuery = { ...rel, geometry, geoproperty };
  const bbox = searchWindow(q);
  if (bbox) q.bbox = bbox;
  return q;
}

function searchWindow(q: GeoQuery): BBox | undefined {
  if (q.georel === 'near') {
    // Only maxDistance bounds where matches can be; minDistance alone matches "everything far enough".
    if (q.maxDistance === undefined || q.geometry.type !== 'Point') return undefined;
    return nearWindow(q.geometry.coordinates, q.maxDistance);
  }
  // Everything outside the query geometry is disjoint from it.
  if (q.georel === 'disjoint') return undefined;
  // within/contains/intersects/equals/overlaps all need a shared point (up to equals' tolerance), and a
  // shared point lies in both bboxes.
  const b = bboxOf(q.geometry);
  return [b[0] - WINDOW_SLACK, b[1] - WINDOW_SLACK, b[2] + WINDOW_SLACK, b[3] + WINDOW_SLACK];
}

// Bounding box and size of query geometries, computed once per geometry (not per entity).
const shapes = new WeakMap<Geometry, { box: BBox; n: number }>();
function shapeOf(g: Geometry): { box: BBox; n: number } {
  let s = shapes.get(g);
  if (!s) shapes.set(g, (s = { box: bboxOf(g), n: countPositions(g) }));
  return s;
}

// Slack for the box tests: the relations treat points within 1e-9° of a ring as on it, equals allows 1e-6°.
const BOX_SLACK = 1e-8;

/** What the two bounding boxes alone decide about "stored <georel> query", or undefined. */
function boxDecides(rel: GeoRel, s: BBox, q: BBox): boolean | undefined {
  const e = rel === 'equals' ? WINDOW_SLACK : BOX_SLACK;
  const apart = s[2] < q[0] - e || s[0] > q[2] + e || s[3] < q[1] - e || s[1] > q[3] + e;
  const inside = (a: BBox, b: BBox) => a[0] >= b[0] - e && a[1] >= b[1] - e && a[2] <= b[2] + e && a[3] <= b[3] + e;
  switch (rel) {
    case 'disjoint': return apart ? true : undefined;
    case 'within': return inside(s, q) ? undefined : false;
    case 'contains': return inside(q, s) ? undefined : false;
    case 'equals': return inside(s, q) && inside(q, s) ? undefined : false;
    default: return apart ? false : undefined; // intersects, overlaps
  }
}

/**
 * Exact predicate: does `stored` (a GeoProperty value, validated on write) satisfy "stored <georel> query"
 * (clause 4.10)? near compares distanceToGeometry(query point, stored) — 0 inside a polygon, else the
 * haversine distance to the nearest vertex or edge point — with maxDistance (≤) and/or minDistance (≥).
 * The bounding boxes decide first where they can; otherwise the evaluation is charged to `work` (the
 * request's time budget; by default a fresh one, as for one subscription check) and TooComplexQuery is
 * thrown when it would go over. A stored value turf cannot evaluate does not match (and does not fail the whole query).
 */
export function matchesGeoQuery(q: GeoQuery, stored: Geometry, work: GeoWork = newGeoWork()): boolean {
  const query = shapeOf(q.geometry);
  if (q.georel !== 'near') {
    const decided = boxDecides(q.georel, bboxOf(stored), query.box);
    if (decided !== undefined) return decided;
  }
  const estimate = countPositions(stored) * (q.georel === 'near' ? 1 : query.n) * MS_PER_PAIR;
  if (work.leftMs < 0 || estimate > work.leftMs) {
    throw new TooComplexQuery(`the geo-query needs more than the ${geoBudget.ms} ms of geometry tests one request may use (DREHSCHEIBE_GEO_BUDGET_MS): the stored geometries in its area have too many positions for this query geometry; use a simpler geometry or a smaller area, or narrow the query (type, q)`);
  }
  const t0 = performance.now();
  try {
    return relate(q, stored);
  } finally {
    work.leftMs -= performance.now() - t0;
  }
}

function relate(q: GeoQuery, stored: Geometry): boolean {
  try {
    switch (q.georel) {
      case 'near': {
        if (q.geometry.type !== 'Point') return false;
        const d = distanceToGeometry(q.geometry.coordinates, stored);
        if (q.maxDistance !== undefined && !(d <= q.maxDistance)) return false;
        if (q.minDistance !== undefined && !(d >= q.minDistance)) return false;
        return true;
      }
      case 'within': return geoWithin(stored, q.geometry);
      case 'contains': return geoContains(stored, q.geometry);
      case 'intersects': return geoIntersects(stored, q.geometry);
      case 'equals': return geoEquals(stored, q.geometry);
      case 'disjoint': return geoDisjoint(stored, q.geometry);
      case 'overlaps': return geoOverlaps(stored, q.geometry);
    }
  } catch {
    return false;
  }
}
