// Validation of GeoJSON geometries held by GeoProperty values (GS CIM 009 clauses 4.7, 5.2.7; RFC 7946
// clause 3.1). The geometry types and bboxOf live in core/geometry.ts (storage indexes with them) and
// are re-exported here for the NGSI-LD code.
import { BadRequestData } from '../../core/errors.ts';
import { bboxOf, type BBox, type Geometry, type GeometryType, type Position } from '../../core/geometry.ts';

export { bboxOf };
export type { BBox, Geometry, GeometryType, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Position } from '../../core/geometry.ts';

export const GEOMETRY_TYPES: readonly GeometryType[] = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'];

const BY_LOWER = new Map<string, GeometryType>(GEOMETRY_TYPES.map((t) => [t.toLowerCase(), t]));

/** Canonical spelling of a geometry type name written in any case, or undefined if unknown. */
export function canonicalGeometryType(name: string): GeometryType | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/**
 * Most positions one geometry may have, stored or in a query (DREHSCHEIBE_MAX_GEOMETRY_VERTICES, set at
 * start-up by configureGeo): the relations cost up to stored × query positions per entity.
 */
export const geometryLimits = { maxVertices: 10_000 };

function fail(where: string, message: string): never {
  throw new BadRequestData(`${where}: ${message}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`}`;
}

function showPos(p: Position): string {
  return `[${p.join(', ')}]`;
}

// Nesting depth along first elements: a number is 0, a position 1, a list of positions 2, rings 3, polygons 4.
function depthOf(v: unknown): number {
  let d = 0;
  while (Array.isArray(v)) {
    d++;
    if (v.length === 0) break;
    v = v[0];
  }
  return d;
}

const SHAPES = ['a number', 'a position [lon, lat]', 'an array of positions [[lon, lat], ...]',
  'an array of rings [[[lon, lat], ...], ...]', 'an array of polygons [[[[lon, lat], ...]]]'];

/** Catches the most common mistake, a wrong number of brackets, with a message saying so. */
function checkDepth(v: unknown, expected: number, where: string, label: string): void {
  if (!Array.isArray(v)) fail(where, `${label} must be ${SHAPES[expected]}, got ${describe(v)}`);
  const d = depthOf(v);
  if (v.length > 0 && d !== expected) {
    const got = d < SHAPES.length ? SHAPES[d] : `an array nested ${d} deep`;
    const fix = d < expected ? `${expected - d} more level(s) of brackets` : `${d - expected} level(s) of brackets fewer`;
    fail(where, `${label} must be ${SHAPES[expected]}, got ${got} (${fix})`);
  }
}

/**
 * One position. `label` locates it for the message, e.g. "Polygon ring 0 position 3".
 * Longitude first (RFC 7946 §3.1.1); out-of-range latitudes are usually swapped pairs, so say so.
 */
function checkPosition(p: unknown, where: string, label: string): void {
  checkDepth(p, 1, where, label);
  const pos = p as unknown[];
  if (pos.length < 2 || pos.length > 3) {
    fail(where, `${label} has ${pos.length} number(s); a position is [longitude, latitude] or [longitude, latitude, altitude]`);
  }
  for (let i = 0; i < pos.length; i++) {
    const n = pos[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) fail(where, `${label} element ${i} must be a finite number, got ${describe(n)}`);
  }
  const lon = pos[0] as number;
  const lat = pos[1] as number;
  if (lon < -180 || lon > 180) fail(where, `${label}: longitude ${lon} is outside [-180, 180]`);
  if (lat < -90 || lat > 90) {
    fail(where, `${label}: latitude ${lat} is outside [-90, 90] (positions are [longitude, latitude]; are they swapped?)`);
  }
}

function checkArray(v: unknown, depth: number, where: string, label: string, what: string, min: number): unknown[] {
  checkDepth(v, depth, where, label);
  const arr = v as unknown[];
  if (arr.length < min) fail(where, `${label} needs at least ${min} ${what}, got ${arr.length}`);
  return arr;
}

function checkPositions(v: unknown, where: string, label: string, min: number, what = 'position(s)'): void {
  const arr = checkArray(v, 2, where, label, what, min);
  for (let i = 0; i < arr.length; i++) checkPosition(arr[i], where, `${label} position ${i}`);
}

/** A linear ring (RFC 7946 §3.1.6): ≥ 4 positions, first and last identical. Orientation is not enforced (the RFC says parsers should not reject). */
function checkRing(v: unknown, where: string, label: string): void {
  checkPositions(v, where, label, 4, 'positions (a linear ring is closed: first == last)');
  const ring = v as Position[];
  const a = ring[0];
  const b = ring[ring.length - 1];
  let closed = a.length === b.length;
  for (let i = 0; closed && i < a.length; i++) closed = a[i] === b[i];
  if (!closed) fail(where, `${label} is not closed: first position ${showPos(a)} differs from last ${showPos(b)}`);
}

function checkPolygon(v: unknown, where: string, label: string): void {
  const rings = checkArray(v, 3, where, label, 'linear ring(s)', 1);
  for (let i = 0; i < rings.length; i++) checkRing(rings[i], where, `${label} ring ${i}`);
}

/**
 * Checks `value` as a GeoJSON geometry and returns it (the same object, not a copy; foreign members are
 * kept; a "bbox" member must enclose the geometry). `where` names the attribute or parameter and prefixes every message.
 * Empty Multi* geometries are rejected: NGSI-LD has no use for a location without positions.
 * GeometryCollection is rejected: it has no coordinates to index and few brokers support it.
 * Not checked: ring orientation, self-intersection, holes lying inside their shell.
 * @throws BadRequestData naming `where` and the offending part.
 */
export function validateGeometry(value: unknown, where: string): Geometry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(where, `a geometry must be a GeoJSON object like {"type": "Point", "coordinates": [lon, lat]}, got ${describe(value)}`);
  }
  const g = value as { type?: unknown; coordinates?: unknown };
  if (typeof g.type !== 'string') fail(where, `geometry "type" must be a string, one of ${GEOMETRY_TYPES.join(', ')}`);
  const type = g.type;
  if (type === 'GeometryCollection') {
    fail(where, 'GeometryCollection is not supported; use a Multi* geometry or one GeoProperty per geometry');
  }
  if (!(GEOMETRY_TYPES as readonly string[]).includes(type)) {
    const canon = canonicalGeometryType(type);
    fail(where, `unknown geometry type ${JSON.stringify(type)}${canon ? ` (GeoJSON type names are case-sensitive: did you mean "${canon}"?)` : ''}; expected one of ${GEOMETRY_TYPES.join(', ')}`);
  }
  if (!('coordinates' in g)) fail(where, `${type} has no "coordinates"`);
  const c = g.coordinates;
  switch (type as GeometryType) {
    case 'Point':
      checkPosition(c, where, 'Point coordinates');
      break;
    case 'MultiPoint':
      checkPositions(c, where, 'MultiPoint', 1);
      break;
    case 'LineString':
      checkPositions(c, where, 'LineString', 2);
      break;
    case 'MultiLineString': {
      const lines = checkArray(c, 3, where, 'MultiLineString', 'line string(s)', 1);
      for (let i = 0; i < lines.length; i++) checkPositions(lines[i], where, `MultiLineString line ${i}`, 2);
      break;
    }
    case 'Polygon':
      checkPolygon(c, where, 'Polygon');
      break;
    case 'MultiPolygon': {
      const polys = checkArray(c, 4, where, 'MultiPolygon', 'polygon(s)', 1);
      for (let i = 0; i < polys.length; i++) checkPolygon(polys[i], where, `MultiPolygon polygon ${i}`);
      break;
    }
  }
  const n = countPositions(value as Geometry);
  if (n > geometryLimits.maxVertices) {
    fail(where, `the ${type} has ${n} positions; at most ${geometryLimits.maxVertices} are allowed (DREHSCHEIBE_MAX_GEOMETRY_VERTICES); simplify it`);
  }
  if ('bbox' in g) checkBBoxMember((g as { bbox?: unknown }).bbox, value as Geometry, where);
  return value as Geometry;
}

/**
 * RFC 7946 §5 bbox member: 2·n finite numbers that enclose the geometry. Checked because turf's
 * point-in-polygon trusts a polygon's own bbox as a prefilter, so a wrong one would silently change results.
 */
function checkBBoxMember(b: unknown, g: Geometry, where: string): void {
  if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6) || !b.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    fail(where, `"bbox" must be an array of 4 (or 6, with altitudes) finite numbers [west, south, east, north], got ${describe(b)}`);
  }
  const n = b.length / 2;
  const want = bboxOf(g);
  if (b[0] > want[0] || b[1] > want[1] || b[n] < want[2] || b[n + 1] < want[3]) {
    fail(where, `"bbox" ${showPos(b)} does not enclose the geometry (its extent is ${showPos(want)}); fix or omit it`);
  }
}

/** Number of positions in a (validated) geometry; used to bound query complexity. */
export function countPositions(g: Geometry): number {
  switch (g.type) {
    case 'Point': return 1;
    case 'MultiPoint':
    case 'LineString': return g.coordinates.length;
    case 'MultiLineString':
    case 'Polygon': {
      let n = 0;
      for (const part of g.coordinates) n += part.length;
      return n;
    }
    case 'MultiPolygon': {
      let n = 0;
      for (const poly of g.coordinates) for (const ring of poly) n += ring.length;
      return n;
    }
  }
}
