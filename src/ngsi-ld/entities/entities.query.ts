// Builds the storage-level EntityFilter from query parameters or a POST query body: parses
// q/scopeQ/type/geo, expands every name with the request's @context, and checks regexes.
import { BadRequestData, Forbidden, InvalidRequest, OperationNotSupported } from '../../core/errors.ts';
import type { AccessGuard } from '../../core/access.ts';
import type { EntityFilter, OrderKey } from '../../storage/port.ts';
import { compileRegex, UnsafeRegexError } from '../../storage/regex.ts';
import type { Terms } from '../context/term-map.ts';
import { parseGeoQuery, matchesGeoQuery, newGeoWork, parseCoordinates } from '../geo/geo.query.ts';
import { canonicalGeometryType, validateGeometry, type Geometry, type Position } from '../geo/geojson.validate.ts';
import { distanceToGeometry } from '../../core/geo.distance.ts';
import type { AttrPath, QNode, TypeNode } from '../../storage/query-ast.ts';
import { parseQ } from '../query/q.parser.ts';
import { parseScopeQ } from '../query/scope.parser.ts';
import { parseTypeExpression } from '../query/type.parser.ts';
import { parseAttrList, parseProjection, type ProjectionItem } from '../query/attrs.parser.ts';
import type { Projection } from './entity.render.ts';
import { checkEntityId, checkName } from './entity.parse.ts';

/** Sub-attribute names in q that address core members (stored under their short names). */
const CORE_SUB = new Set(['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt']);

export interface QueryInput {
  type?: string;
  id?: string | string[];
  idPattern?: string;
  attrs?: string | string[];
  q?: string;
  scopeQ?: string;
  georel?: string;
  geometry?: string;
  coordinates?: string | unknown;
  geoproperty?: string;
}

export function checkRegex(pattern: string, param: string): void {
  try {
    compileRegex(pattern);
  } catch (e) {
    if (e instanceof UnsafeRegexError) throw new BadRequestData(`${param}: ${e.message}`);
    throw e;
  }
}

function expandPath(p: AttrPath, terms: Terms): AttrPath {
  return {
    attr: terms.expandAttr(p.attr),
    sub: p.sub.map((s) => (CORE_SUB.has(s) ? s : terms.expandAttr(s))),
    compound: p.compound,
  };
}

export function expandQ(n: QNode, terms: Terms): QNode {
  switch (n.kind) {
    case 'and': case 'or': return { kind: n.kind, items: n.items.map((i) => expandQ(i, terms)) };
    case 'exists': return { kind: 'exists', path: expandPath(n.path, terms) };
    case 'cmp': return { ...n, path: expandPath(n.path, terms) };
    case 'pattern':
      checkRegex((n.flags.includes('i') ? '(?i)' : '') + n.pattern, 'q');
      return { ...n, path: expandPath(n.path, terms) };
  }
}

function expandTypes(t: TypeNode, terms: Terms): TypeNode {
  if (t.kind === 'type') return { kind: 'type', name: terms.expandType(t.name) };
  return { kind: t.kind, items: t.items.map((i) => expandTypes(i, terms)) };
}

function list(v: string | string[] | undefined, param: string): string[] | undefined {
  if (v === undefined) return undefined;
  const names = Array.isArray(v) ? v : parseAttrList(v, param);
  for (const n of names) checkListedName(n, param);
  return names;
}

/**
 * A name in attrs, pick or omit follows the naming rule of clause 4.6.2 like a name in a write: a name no
 * attribute can have (`attrs=a-b`) is 400 BadRequestData, as in the URL path, not an empty answer.
 */
function checkListedName(n: unknown, param: string): void {
  if (n === 'id' || n === 'type' || n === 'scope') return;
  if (typeof n !== 'string') throw new BadRequestData(`${param} must list attribute names (strings), got ${JSON.stringify(n)?.slice(0, 80)}`);
  checkName(n, `attribute name in ${param}`);
}

/** Table 6.4.3.2-1 (v1.9): `type=*` selects every type and implies local=true; local=false with it is 400. */
export function allTypes(type: string | undefined, local: string | undefined): boolean {
  if (type !== '*') return false;
  if (local === 'false') throw new BadRequestData('type=* implies local=true; it cannot be combined with local=false');
  return true;
}

/** Whether the input restricts the query at all (clause 6.4.3.2 requires some restriction). */
export function hasRestriction(i: QueryInput): boolean {
  return Boolean(i.type || i.id || i.idPattern || i.attrs || i.q || i.scopeQ || i.georel || i.geometry || i.coordinates);
}

export function buildFilter(i: QueryInput, terms: Terms): EntityFilter {
  const f: EntityFilter = {};
  if (i.type) f.types = expandTypes(parseTypeExpression(i.type), terms);
  if (i.id) {
    const ids = Array.isArray(i.id) ? i.id : i.id.split(',').map((s) => s.trim()).filter(Boolean);
    f.ids = ids.map((x) => checkEntityId(x, 'id'));
  }
  if (i.idPattern) {
    checkRegex(i.idPattern, 'idPattern');
    f.idPattern = i.idPattern;
  }
  const attrs = list(i.attrs, 'attrs');
  if (attrs) f.anyAttrs = attrs.map((a) => terms.expandAttr(a));
  if (i.q) f.q = expandQ(parseQ(i.q), terms);
  if (i.scopeQ) f.scopeQ = parseScopeQ(i.scopeQ);
  const gq = parseGeoQuery({ georel: i.georel, geometry: i.geometry, coordinates: i.coordinates, geoproperty: i.geoproperty });
  if (gq) {
    const work = newGeoWork(); // one budget for the whole request (every entity it tests)
    f.geo = {
      property: terms.expandAttr(gq.geoproperty),
      bbox: gq.bbox,
      predicate: (g) => matchesGeoQuery(gq, g as Parameters<typeof matchesGeoQuery>[1], work),
    };
  }
  return f;
}

/**
 * orderBy (v1.9.1 clause 4.23.3): `name`, `name;asc`, `name;desc`, `a.observedAt`, `address[city]`,
 * `id`, comma-separated, applied in turn. Ordering by distance (dist-asc, dist-desc) and by type or
 * scope is not offered (OperationNotSupported), so no order is silently different from the asked one.
 */
/**
 * Where distances are measured from for orderBy=<GeoProperty>;dist-asc|dist-desc (clause 4.23,
 * Table 6.4.3.2-1): orderFrom (coordinates as in clause 4.10) with orderGeometry (default Point),
 * else the reference geometry of a `near` geo-query of the same request.
 */
export interface OrderReference {
  orderFrom?: unknown;
  orderGeometry?: unknown;
  georel?: unknown;
  geometry?: unknown;
  coordinates?: unknown;
}

export function parseOrderBy(v: string, terms: Terms, ref: OrderReference = {}): OrderKey[] {
  const out: OrderKey[] = [];
  const terms_ = v.split(',').map((t) => t.trim());
  for (const term of terms_) {
    const semi = term.lastIndexOf(';');
    const name = semi < 0 ? term : term.slice(0, semi);
    const dir = semi < 0 ? 'asc' : term.slice(semi + 1);
    if (dir === 'dist-asc' || dir === 'dist-desc') {
      if (terms_.length > 1) throw new OperationNotSupported('orderBy by distance cannot be combined with other orderBy terms by this broker; ties are ordered by id');
      checkOrderName(name, term);
      const from = referenceGeometry(ref);
      out.push({ desc: dir === 'dist-desc', distance: { property: terms.expandAttr(name), meters: metersFrom(from) } });
      continue;
    }
    if (dir !== 'asc' && dir !== 'desc') throw new InvalidRequest(`Invalid orderBy term "${term.slice(0, 80)}": the direction is asc, desc, dist-asc or dist-desc`);
    if (name === 'id') { out.push({ desc: dir === 'desc' }); continue; }
    if (name === 'type' || name === 'scope') throw new OperationNotSupported(`orderBy=${name} is not supported by this broker; order by id or an attribute`);
    let node: QNode;
    try {
      node = parseQ(name);
    } catch (e) {
      throw new InvalidRequest(`Invalid orderBy term "${term.slice(0, 80)}": ${(e as Error).message}`);
    }
    if (node.kind !== 'exists') throw new InvalidRequest(`Invalid orderBy term "${term.slice(0, 80)}": give an attribute name, optionally with ;asc or ;desc`);
    out.push({ path: expandPath(node.path, terms), desc: dir === 'desc' });
  }
  if (!out.some((k) => k.distance) && (ref.orderFrom !== undefined || ref.orderGeometry !== undefined)) {
    throw new BadRequestData('orderFrom and orderGeometry are only used with orderBy=<GeoProperty>;dist-asc or ;dist-desc');
  }
  return out;
}

function checkOrderName(name: string, term: string): void {
  if (!/^[^\s;,.\[\]{}()<>=!~"'|&]+$/.test(name) || name === 'id' || name === 'type' || name === 'scope') {
    throw new InvalidRequest(`Invalid orderBy term "${term.slice(0, 80)}": dist-asc and dist-desc follow the name of a GeoProperty, e.g. location;dist-asc`);
  }
}

function referenceGeometry(ref: OrderReference): Geometry {
  if (ref.orderFrom !== undefined) {
    const name = ref.orderGeometry === undefined ? 'Point' : ref.orderGeometry;
    const type = typeof name === 'string' ? canonicalGeometryType(name.trim()) : undefined;
    if (!type) throw new BadRequestData(`orderGeometry must be a GeoJSON geometry type such as Point or Polygon, got ${JSON.stringify(name)?.slice(0, 60)}`);
    return validateGeometry({ type, coordinates: parseCoordinates(ref.orderFrom) }, 'orderFrom');
  }
  if (ref.orderGeometry !== undefined) throw new BadRequestData('orderGeometry needs orderFrom (the coordinates to measure distances from)');
  const gq = typeof ref.georel === 'string' && ref.georel.startsWith('near') ? parseGeoQuery({ georel: ref.georel, geometry: ref.geometry as string | undefined, coordinates: ref.coordinates }) : undefined;
  if (gq) return gq.geometry;
  throw new BadRequestData('orderBy by distance needs orderFrom (with orderGeometry, default Point) or a near geo-query (georel=near;…, geometry, coordinates)');
}

/** Every position of a geometry. */
function positionsOf(c: unknown, out: Position[] = []): Position[] {
  if (Array.isArray(c)) {
    if (typeof c[0] === 'number') out.push(c as Position);
    else for (const x of c) positionsOf(x, out);
  }
  return out;
}

/**
 * Meters between the reference geometry and a stored GeoProperty value (clause 4.23 "distance"):
 * from a point to the nearest part of the other geometry (0 inside a polygon); between two
 * non-point geometries, the least such distance of any vertex of one to the other. Undefined when
 * the stored value is no geometry.
 */
function metersFrom(ref: Geometry): (stored: unknown) => number | undefined {
  const refPositions = ref.type === 'Point' ? [] : positionsOf(ref.coordinates);
  return (stored) => {
    const g = stored as Geometry;
    if (!g || typeof g !== 'object' || typeof g.type !== 'string' || !Array.isArray(g.coordinates)) return undefined;
    try {
      if (ref.type === 'Point') return distanceToGeometry(ref.coordinates, g);
      if (g.type === 'Point') return distanceToGeometry(g.coordinates, ref);
      let best = Infinity;
      for (const p of positionsOf(g.coordinates)) best = Math.min(best, distanceToGeometry(p, ref));
      for (const p of refPositions) best = Math.min(best, distanceToGeometry(p, g));
      return Number.isFinite(best) ? best : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * pick, omit and attrs exclude each other (clause 4.21; attrs is the deprecated form of pick, Table
 * 6.4.3.2-1): two of them in one request are 400 BadRequestData, on the entity and the temporal API alike.
 */
export function checkProjectionConflicts(q: { attrs?: unknown; pick?: unknown; omit?: unknown }): void {
  if (q.pick !== undefined && q.omit !== undefined) throw new BadRequestData('pick and omit cannot be combined (clause 4.21); give the members to keep (pick) or those to leave out (omit)');
  if (q.attrs !== undefined && q.pick !== undefined) throw new BadRequestData('attrs and pick cannot be combined; use pick');
  if (q.attrs !== undefined && q.omit !== undefined) throw new BadRequestData('attrs and omit cannot be combined (attrs is the deprecated form of pick); use pick or omit');
}

/** Expanded names for attrs / pick / omit projections; 'id', 'type', 'scope' stay as they are. */
export function projection(v: string | string[] | undefined, param: string, terms: Terms): Set<string> | undefined {
  const names = list(v, param);
  if (!names) return undefined;
  return new Set(names.map((n) => (n === 'id' || n === 'type' || n === 'scope' ? n : terms.expandAttr(n))));
}

/**
 * pick/omit with nested projections (clause 4.21): the expanded names of this level and, per name
 * with `{...}`, the projection of the entity linked through it.
 */
export function projectionTree(v: string | undefined, param: 'pick' | 'omit', terms: Terms): Projection | undefined {
  if (v === undefined) return undefined;
  const build = (items: ProjectionItem[]): Projection => {
    const p: Projection = { names: new Set(), nested: new Map() };
    for (const it of items) {
      checkListedName(it.name, param);
      const n = it.name === 'id' || it.name === 'type' || it.name === 'scope' ? it.name : terms.expandAttr(it.name);
      p.names.add(n);
      if (it.nested) p.nested.set(n, build(it.nested));
    }
    return p;
  };
  return build(parseProjection(v, param));
}

/**
 * Narrows a query to the entity types the principal may read (docs/security.md). With `only`, the
 * query is AND-ed with those types; with `except`, the query must name its types (a plain list)
 * and the unreadable ones are dropped. Nothing readable left: 403. Either way the storage also
 * leaves out entities having any type the principal may not read (an entity with several types is
 * visible only if all of them are readable, as on retrieval by id).
 */
export function readableOnly(f: EntityFilter, access: AccessGuard | undefined): EntityFilter {
  const rt = access?.readTypes;
  if (!rt) return f;
  const none = () => new Forbidden(`${access!.who} may read no entity type this query asks for`);
  if (rt.only) {
    if (rt.only.length === 0) throw none();
    const only: TypeNode = { kind: 'or', items: rt.only.map((name) => ({ kind: 'type', name })) };
    return { ...f, types: f.types ? { kind: 'and', items: [f.types, only] } : only, readable: { only: rt.only } };
  }
  const except = new Set(rt.except ?? []);
  if (except.size === 0) return f;
  const names = f.types && plainTypes(f.types);
  if (!names) throw new Forbidden(`Some entity types of this tenant are not readable for ${access!.who}: name the types to query (type=...)`);
  const keep = names.filter((n) => !except.has(n));
  if (keep.length === 0) throw none();
  return { ...f, types: { kind: 'or', items: keep.map((name) => ({ kind: 'type', name })) }, readable: { except: [...except] } };
}

function plainTypes(t: TypeNode): string[] | undefined {
  if (t.kind === 'type') return [t.name];
  if (t.kind === 'or') {
    const out: string[] = [];
    for (const i of t.items) {
      const sub = plainTypes(i);
      if (!sub) return undefined;
      out.push(...sub);
    }
    return out;
  }
  return undefined;
}

/** Single-entity reads: 403 when the entity's types are not readable (absent entities answer 404 later). */
export async function mayReadEntity(access: AccessGuard, e: { types: string[] } | undefined): Promise<void> {
  if (e && !access.mayRead(e.types)) throw new Forbidden(`${access.who} may not read entities of type ${e.types.join(', ')}`);
}
