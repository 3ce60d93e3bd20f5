// Entity selection of the NGSIv2 API (GET /v2/entities, POST /v2/op/query, subscriptions' subjects) as
// the storage-level EntityFilter of the NGSI-LD query layer: ids, idPattern, types, q, mq, geo, scope.
import type { AccessGuard } from '../core/access.ts';
import type { EntityFilter } from '../storage/port.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import type { QNode, ScopeNode } from '../storage/query-ast.ts';
import { checkRegex, expandQ, readableOnly } from '../ngsi-ld/entities/entities.query.ts';
import { parseGeoQuery, matchesGeoQuery, newGeoWork } from '../ngsi-ld/geo/geo.query.ts';
import { ProblemError } from '../core/errors.ts';
import { parseV2Q } from './v2.q.ts';
import { toV2Error, V2Error } from './v2.errors.ts';

export interface V2Selection {
  ids?: string[];
  idPattern?: string;
  types?: string[];
  q?: string;
  mq?: string;
  georel?: string;
  geometry?: string;
  coords?: string;
  scope?: ScopeNode;
}

const GEOMETRY: Record<string, string> = { point: 'Point', line: 'LineString', polygon: 'Polygon', box: 'Polygon' };

function pairs(coords: string): Array<[number, number]> {
  return coords.split(';').map((p) => {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(p);
    if (!m) throw V2Error.badRequest(`coords: "${p.slice(0, 40)}" is not a "lat,lon" pair`);
    return [Number(m[2]), Number(m[1])];
  });
}

/** v2 geo-query (georel=near;maxDistance:1000, geometry=point, coords=lat,lon) in NGSI-LD terms. */
function v2Geo(s: V2Selection): { georel: string; geometry: string; coordinates: unknown } | undefined {
  if (!s.georel && !s.geometry && !s.coords) return undefined;
  if (!s.georel || !s.geometry || !s.coords) throw V2Error.badRequest('georel, geometry and coords go together');
  const g = GEOMETRY[s.geometry];
  if (!g) throw V2Error.badRequest(`Invalid geometry "${s.geometry.slice(0, 20)}" (point, line, polygon, box)`);
  const [rel, ...mods] = s.georel.split(';');
  const relMap: Record<string, string> = { near: 'near', coveredBy: 'within', intersects: 'intersects', equals: 'equals', disjoint: 'disjoint' };
  if (!relMap[rel]) throw V2Error.badRequest(`Invalid georel "${rel.slice(0, 20)}" (near, coveredBy, intersects, equals, disjoint)`);
  const georel = [relMap[rel], ...mods.map((m) => {
    const mm = /^(maxDistance|minDistance):(\d+(?:\.\d+)?)$/.exec(m);
    if (!mm) throw V2Error.badRequest(`Invalid georel modifier "${m.slice(0, 30)}" (maxDistance:<m>, minDistance:<m>)`);
    return `${mm[1]}==${mm[2]}`;
  })].join(';');
  const pts = pairs(s.coords);
  let coordinates: unknown;
  if (g === 'Point') coordinates = pts[0];
  else if (g === 'LineString') coordinates = pts;
  else if (s.geometry === 'box') {
    if (pts.length !== 2) throw V2Error.badRequest('geometry=box needs two corners');
    const [[x1, y1], [x2, y2]] = pts;
    coordinates = [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]];
  } else coordinates = [pts];
  return { georel, geometry: g, coordinates };
}

function and(a: QNode | undefined, b: QNode): QNode { return a ? { kind: 'and', items: [a, b] } : b; }

/** The filter of a v2 selection, narrowed to what the principal may read. */
export function v2Filter(s: V2Selection, terms: Terms, access: AccessGuard | undefined): EntityFilter {
  try {
    const f: EntityFilter = {};
    if (s.ids) f.ids = s.ids;
    if (s.idPattern) { checkRegex(s.idPattern, 'idPattern'); f.idPattern = s.idPattern; }
    if (s.types) f.types = s.types.length === 1 ? { kind: 'type', name: terms.expandType(s.types[0]) } : { kind: 'or', items: s.types.map((t) => ({ kind: 'type', name: terms.expandType(t) })) };
    let q: QNode | undefined;
    if (s.q) q = expandQ(parseV2Q(s.q, 'q'), terms);
    if (s.mq) q = and(q, expandQ(parseV2Q(s.mq, 'mq'), terms));
    if (q) f.q = q;
    if (s.scope) f.scopeQ = s.scope;
    const g = v2Geo(s);
    if (g) {
      const gq = parseGeoQuery({ ...g, geoproperty: 'location' })!;
      const work = newGeoWork();
      // Orion looks at the entity's one geo attribute; here it is the attribute named location.
      f.geo = { property: terms.expandAttr('location'), bbox: gq.bbox, predicate: (x) => matchesGeoQuery(gq, x as Parameters<typeof matchesGeoQuery>[1], work) };
    }
    return readableOnly(f, access);
  } catch (e) {
    if (e instanceof ProblemError || e instanceof V2Error) throw toV2Error(e);
    throw e;
  }
}
