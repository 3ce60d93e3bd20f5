// NGSIv2 ↔ NGSI-LD mapping as Orion-LD does it: names expanded with the core @context (the "default v2
// context"), metadata as sub-properties, geo:json (and geo:point/line/box/polygon) as GeoProperty,
// Relationship attributes as Relationships, DateTime as an ISO 8601 UTC string. See docs/ngsiv2.md#mapping.
import type { AttrInstance, EntityRecord } from '../storage/port.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import { checkName } from '../ngsi-ld/entities/entity.parse.ts';
import { validateGeometry } from '../ngsi-ld/geo/geojson.validate.ts';
import { V2Error } from './v2.errors.ts';

/** Orion's default entity type when a create names none. */
export const DEFAULT_TYPE = 'Thing';
/** Characters Orion forbids in ids, types and names (NGSIv2 spec "Field syntax restrictions"). */
const FORBIDDEN = /[<>"'=;()\s&?/#\u0000-\u001f]/;
/** Strict ISO 8601 date-time, as Orion writes DateTime values; read back as DateTime. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const DATE_TIME_IN = /^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sub-attribute keys kept as NGSI-LD core members; they come back as metadata. */
const CORE_META: Record<string, string> = { unitCode: 'Text', observedAt: 'DateTime' };
const SKIP_MEMBERS = new Set(['type', 'value', 'object', 'languageMap', 'vocab', 'valueList', 'objectList', 'json', 'objectType', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt', 'instanceId']);

export function checkV2Id(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw V2Error.badRequest(`${what} must be a non-empty string`);
  if (v.length > 256) throw V2Error.badRequest(`${what} is longer than 256 characters`);
  if (FORBIDDEN.test(v)) throw V2Error.badRequest(`Invalid characters in ${what}: ${JSON.stringify(v.slice(0, 80))} (none of < > " ' = ; ( ) & ? / # or whitespace)`);
  return v;
}

function checkV2Name(v: string, what: string): void {
  checkV2Id(v, what);
  try { checkName(v, what); } catch (e) { throw V2Error.badRequest((e as Error).message); }
}

function toDateTime(v: unknown, where: string): string {
  if (typeof v !== 'string' || !DATE_TIME_IN.test(v)) throw V2Error.badRequest(`${where}: a DateTime must be an ISO 8601 string, got ${JSON.stringify(v)?.slice(0, 60)}`);
  const d = new Date(/T/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/.test(v) ? `${v}Z` : v);
  if (Number.isNaN(d.getTime())) throw V2Error.badRequest(`${where}: not a valid DateTime: ${v}`);
  return d.toISOString();
}

function coords(s: unknown, where: string): [number, number] {
  if (typeof s !== 'string') throw V2Error.badRequest(`${where}: a coordinate pair must be a "lat, lon" string`);
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  if (!m) throw V2Error.badRequest(`${where}: "${s.slice(0, 40)}" is not a "lat, lon" pair`);
  const lat = Number(m[1]); const lon = Number(m[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) throw V2Error.badRequest(`${where}: coordinates out of range`);
  return [lon, lat];
}

/** Orion's simple location formats (geo:point "lat, lon", geo:line, geo:box, geo:polygon) as GeoJSON. */
function simpleGeo(type: string, v: unknown, where: string): unknown {
  if (type === 'geo:point') return { type: 'Point', coordinates: coords(v, where) };
  if (!Array.isArray(v)) throw V2Error.badRequest(`${where}: ${type} needs an array of "lat, lon" strings`);
  const pts = v.map((p) => coords(p, where));
  if (type === 'geo:line') return { type: 'LineString', coordinates: pts };
  if (type === 'geo:polygon') return { type: 'Polygon', coordinates: [pts] };
  if (pts.length !== 2) throw V2Error.badRequest(`${where}: geo:box needs two corners`);
  const [[x1, y1], [x2, y2]] = pts;
  return { type: 'Polygon', coordinates: [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]] };
}

/** One v2 attribute ({value, type, metadata}, or a bare value in keyValues mode) as an NGSI-LD instance. */
export function attrFromV2(name: string, raw: unknown, terms: Terms, now: string, keyValues: boolean): AttrInstance {
  checkV2Name(name, 'attribute name');
  let value: unknown; let type: string | undefined; let metadata: unknown;
  if (keyValues) value = raw;
  else {
    if (!isObj(raw)) throw V2Error.badRequest(`attribute ${name} must be a JSON object with value, type and metadata (or use options=keyValues)`);
    for (const k of Object.keys(raw)) if (k !== 'value' && k !== 'type' && k !== 'metadata') throw V2Error.badRequest(`attribute ${name}: unknown member "${k}" (allowed: value, type, metadata)`);
    value = raw.value === undefined ? null : raw.value;
    if (raw.type !== undefined) {
      if (typeof raw.type !== 'string') throw V2Error.badRequest(`attribute ${name}: type must be a string`);
      type = raw.type;
    }
    metadata = raw.metadata;
  }
  const inst = instance(name, value, type, now);
  if (metadata !== undefined) {
    if (!isObj(metadata)) throw V2Error.badRequest(`attribute ${name}: metadata must be a JSON object`);
    for (const [mn, md] of Object.entries(metadata)) {
      checkV2Name(mn, 'metadata name');
      if (!isObj(md)) throw V2Error.badRequest(`metadata ${name}.${mn} must be a JSON object with value and type`);
      const mt = typeof md.type === 'string' ? md.type : undefined;
      if (mn === 'unitCode' && typeof md.value === 'string') { inst.unitCode = md.value; continue; }
      if (mn === 'observedAt') { inst.observedAt = toDateTime(md.value, `metadata ${name}.observedAt`); continue; }
      inst[terms.expandAttr(mn)] = instance(`${name}.${mn}`, md.value === undefined ? null : md.value, mt, now);
    }
  }
  return inst;
}

function instance(where: string, value: unknown, type: string | undefined, now: string): AttrInstance {
  let inst: AttrInstance;
  switch (type) {
    case 'geo:json':
      try { inst = { type: 'GeoProperty', value: validateGeometry(value, where) }; } catch (e) { throw V2Error.badRequest((e as Error).message); }
      break;
    case 'geo:point': case 'geo:line': case 'geo:box': case 'geo:polygon':
      inst = { type: 'GeoProperty', value: simpleGeo(type, value, where) };
      break;
    case 'Relationship':
      if (typeof value !== 'string' && !(Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string'))) {
        throw V2Error.badRequest(`${where}: the value of a Relationship must be an entity id (or an array of them)`);
      }
      inst = { type: 'Relationship', object: value };
      break;
    case 'DateTime':
      inst = { type: 'Property', value: toDateTime(value, where) };
      break;
    default:
      inst = { type: 'Property', value };
  }
  inst.createdAt = now;
  inst.modifiedAt = now;
  return inst;
}

/** The attributes of a v2 entity body (everything but id and type). */
export function attrsFromV2(body: Record<string, unknown>, terms: Terms, now: string, keyValues: boolean): Record<string, AttrInstance[]> {
  const out: Record<string, AttrInstance[]> = {};
  for (const [name, raw] of Object.entries(body)) {
    if (name === 'id' || name === 'type') continue;
    if (name === 'dateCreated' || name === 'dateModified') throw V2Error.badRequest(`${name} is a system attribute and cannot be written`);
    out[terms.expandAttr(name)] = [attrFromV2(name, raw, terms, now, keyValues)];
  }
  return out;
}

export function entityBody(body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw V2Error.parseError('The body must be a JSON object');
  return body;
}

/** A v2 entity body as a record to store. `scope`: the Fiware-ServicePath of the write ("/" = none). */
export function entityFromV2(body: Record<string, unknown>, terms: Terms, now: string, keyValues: boolean, scope: string | undefined): EntityRecord {
  const id = checkV2Id(body.id, 'entity id');
  const type = body.type === undefined ? DEFAULT_TYPE : checkV2Id(body.type, 'entity type');
  try { checkName(type, 'entity type'); } catch (e) { throw V2Error.badRequest((e as Error).message); }
  const rec: EntityRecord = { id, types: [terms.expandType(type)], createdAt: now, modifiedAt: now, attrs: attrsFromV2(body, terms, now, keyValues) };
  if (scope) rec.scopes = [scope];
  return rec;
}

// ---- NGSI-LD → v2 ----

export interface V2Attr { type: string; value: unknown; metadata: Record<string, { type: string; value: unknown }> }

function typeOfValue(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return 'Number';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'string') return ISO_UTC.test(v) ? 'DateTime' : 'Text';
  return 'StructuredValue';
}

/** The v2 value and type of an instance. */
function valueOf(inst: AttrInstance, terms: Terms): { type: string; value: unknown } {
  switch (inst.type) {
    case 'GeoProperty': return { type: 'geo:json', value: inst.value };
    case 'Relationship': return { type: 'Relationship', value: inst.object };
    case 'LanguageProperty': return { type: 'StructuredValue', value: inst.languageMap };
    case 'VocabProperty': return { type: 'Text', value: Array.isArray(inst.vocab) ? inst.vocab.map((x) => terms.compactType(String(x))) : terms.compactType(String(inst.vocab)) };
    case 'ListProperty': return { type: 'StructuredValue', value: inst.valueList };
    case 'ListRelationship': return { type: 'StructuredValue', value: inst.objectList };
    case 'JsonProperty': return { type: 'StructuredValue', value: inst.json };
    default: {
      const v = inst.value;
      // An NGSI-LD typed DateTime value ({"@type": "DateTime", "@value": …}) written over NGSI-LD.
      if (isObj(v) && v['@type'] === 'DateTime' && typeof v['@value'] === 'string') return { type: 'DateTime', value: v['@value'] };
      return { type: typeOfValue(v), value: v };
    }
  }
}

export interface V2RenderOptions {
  /** Attribute names to show (v2 attrs parameter); '*' = all; may name dateCreated / dateModified. */
  attrs?: string[];
  /** Metadata names to show ('*' = all user metadata; dateCreated, dateModified on request). */
  metadata?: string[];
}

export function attrToV2(inst: AttrInstance, terms: Terms, o: V2RenderOptions = {}): V2Attr {
  const { type, value } = valueOf(inst, terms);
  const metadata: V2Attr['metadata'] = {};
  const want = (n: string, system: boolean) => (o.metadata ? o.metadata.includes(n) || (!system && o.metadata.includes('*')) : !system);
  for (const [k, sub] of Object.entries(inst)) {
    if (k in CORE_META) { if (want(k, false)) metadata[k] = { type: CORE_META[k], value: sub }; continue; }
    if (SKIP_MEMBERS.has(k)) continue;
    if (!isObj(sub) || typeof sub.type !== 'string') continue;
    const name = terms.compactAttr(k);
    if (want(name, false)) metadata[name] = valueOf(sub as AttrInstance, terms);
  }
  if (want('dateCreated', true) && inst.createdAt) metadata.dateCreated = { type: 'DateTime', value: inst.createdAt };
  if (want('dateModified', true) && inst.modifiedAt) metadata.dateModified = { type: 'DateTime', value: inst.modifiedAt };
  return { type, value, metadata };
}

function shown(name: string, o: V2RenderOptions): boolean {
  if (!o.attrs) return name !== 'dateCreated' && name !== 'dateModified';
  return o.attrs.includes(name) || (o.attrs.includes('*') && name !== 'dateCreated' && name !== 'dateModified');
}

/** The default instance (no datasetId), else the first: v2 has one value per attribute. */
function defaultInstance(insts: AttrInstance[]): AttrInstance | undefined {
  return insts.find((i) => i.datasetId === undefined) ?? insts[0];
}

/** The attributes of an entity in v2 normalized form, in stored order (then dateCreated, dateModified). */
export function attrsToV2(rec: EntityRecord, terms: Terms, o: V2RenderOptions = {}): Record<string, V2Attr> {
  const out: Record<string, V2Attr> = {};
  for (const [iri, insts] of Object.entries(rec.attrs)) {
    const name = terms.compactAttr(iri);
    if (!shown(name, o)) continue;
    const inst = defaultInstance(insts);
    if (inst) out[name] = attrToV2(inst, terms, o);
  }
  if (shown('dateCreated', o)) out.dateCreated = { type: 'DateTime', value: rec.createdAt, metadata: {} };
  if (shown('dateModified', o)) out.dateModified = { type: 'DateTime', value: rec.modifiedAt, metadata: {} };
  // With an attrs list, v2 answers in the order the list gives.
  if (o.attrs && !o.attrs.includes('*')) {
    const ordered: Record<string, V2Attr> = {};
    for (const a of o.attrs) if (a in out) ordered[a] = out[a];
    return ordered;
  }
  return out;
}

export type V2Format = 'normalized' | 'keyValues' | 'values' | 'unique';

export function typeName(rec: EntityRecord, terms: Terms): string {
  return rec.types.length ? terms.compactType(rec.types[0]) : DEFAULT_TYPE;
}

/** An entity in the representation the v2 options ask for (normalized object, keyValues object or values array). */
export function entityToV2(rec: EntityRecord, terms: Terms, format: V2Format, o: V2RenderOptions = {}): unknown {
  const attrs = attrsToV2(rec, terms, o);
  if (format === 'values' || format === 'unique') return Object.values(attrs).map((a) => a.value);
  const out: Record<string, unknown> = { id: rec.id, type: typeName(rec, terms) };
  for (const [n, a] of Object.entries(attrs)) out[n] = format === 'keyValues' ? a.value : a;
  return out;
}
