// Geo-queries (GS CIM 009 clause 4.10, parameters of clause 6.4.3.2): parsing georel/geometry/coordinates/
// geoproperty, the index search window, and the exact per-entity predicate "stored <georel> query".
import { BadRequestData, TooComplexQuery } from '../../core/errors.ts';
import { distanceToGeometry, nearWindow } from './geo.distance.ts';
import { geoContains, geoDisjoint, geoEquals, geoIntersects, geoOverlaps, geoWithin } from './geo.relations.ts';
import { bboxOf, canonicalGeometryType, countPositions, GEOMETRY_TYPES, validateGeometry } from './geojson.validate.ts';
import type { BBox, Geometry } from './geojson.validate.ts';

export { distanceMeters, distanceToGeometry, EARTH_RADIUS_M, nearWindow } from './geo.distance.ts';

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

/** Bound on query geometry size (TooComplexQuery above it): relations are O(query × stored positions). */
export const MAX_QUERY_POSITIONS = 10_000;

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

function parseCoordinates(c: unknown): unknown[] {
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
 *         near with a non-Point geometry; TooComplexQuery above MAX_QUERY_POSITIONS positions.
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
  const n = countPositions(geometry);
  if (n > MAX_QUERY_POSITIONS) {
    throw new TooComplexQuery(`coordinates has ${n} positions; at most ${MAX_QUERY_POSITIONS} are allowed in a geo-query`);
  }

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

/**
 * Exact predicate: does `stored` (a GeoProperty value, validated on write) satisfy "stored <georel> query"
 * (clause 4.10)? near compares distanceToGeometry(query point, stored) — 0 inside a polygon, else the
 * haversine distance to the nearest vertex or edge point — with maxDistance (≤) and/or minDistance (≥).
 * A stored value turf cannot evaluate does not match (and does not fail the whole query).
 */
export function matchesGeoQuery(q: GeoQuery, stored: Geometry): boolean {
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
