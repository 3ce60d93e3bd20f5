// Turns request bodies (normalized or concise, clause 4.5) into expanded attribute instances,
// validating everything before anything reaches storage.
import { BadRequestData } from '../../core/errors.ts';
import { isWellFormed } from '../../core/json.ts';
import type { AttrInstance, AttrType, EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { validateGeometry } from '../geo/geojson.validate.ts';
import { validateScope } from '../query/scope.parser.ts';

export const NGSI_LD_NULL = 'urn:ngsi-ld:null';
const ATTR_TYPES = new Set<AttrType>(['Property', 'Relationship', 'GeoProperty', 'LanguageProperty', 'VocabProperty', 'ListProperty', 'ListRelationship', 'JsonProperty']);
const GEO_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']);
/** Members of an attribute that are not sub-attributes (clause 4.5.2 ff.). */
export const CORE_MEMBERS = new Set(['type', 'value', 'object', 'languageMap', 'vocab', 'valueList', 'objectList', 'json', 'objectType',
  'observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt', 'deletedAt', 'instanceId', '@context', 'previousValue', 'previousObject', 'previousLanguageMap', 'lang']);
const ENTITY_MEMBERS = new Set(['id', '@id', 'type', '@type', 'scope', '@context', 'createdAt', 'modifiedAt', 'deletedAt', 'expiresAt']);
/** Characters that clause 4.6.2 forbids in names (plus quotes/backslash, unsafe in JSON paths). */
const BAD_NAME = /[<>"'=;()\\\s\u0000-\u001f]/;
// An absolute URI (RFC 3986 scheme ":" …; IRIs' non-ASCII allowed) without spaces, controls or the characters RFC 3986 excludes.
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>"{}|\\^`\u0000-\u001f\u007f-\u009f]+$/;
const GEO_ATTRS = new Set(['https://uri.etsi.org/ngsi-ld/location', 'https://uri.etsi.org/ngsi-ld/observationSpace', 'https://uri.etsi.org/ngsi-ld/operationSpace']);
const MAX_DEPTH = 8;
const CORE_NS = 'https://uri.etsi.org/ngsi-ld/';
const DEFAULT_NS = 'https://uri.etsi.org/ngsi-ld/default-context/';

export interface ParseOptions {
  now: string;
  /** Merge-patch bodies may carry urn:ngsi-ld:null to delete (clause 5.6.17). */
  allowNull?: boolean;
}

export function isUri(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 2048 && URI.test(s) && isWellFormed(s);
}

/**
 * Names of entity types, attributes and sub-attributes (clause 4.6.2): a letter followed by letters,
 * digits and "_", optionally "prefix:name"; or an IRI (a name already expanded). Other names could
 * not be addressed in attrs, q or a URL afterwards.
 */
const SHORT_NAME = /^\p{L}[\p{L}\p{N}_]*(?::\p{L}[\p{L}\p{N}_]*)?$/u;

export function checkName(name: string, what = 'attribute name'): void {
  if (name.length === 0 || name.length > 512 || BAD_NAME.test(name) || !isWellFormed(name)) {
    throw new BadRequestData(`Invalid ${what} "${name.slice(0, 80)}": names may not be empty or contain whitespace or any of < > " ' = ; ( ) \\`);
  }
  if (!SHORT_NAME.test(name) && !isUri(`${name}`)) {
    throw new BadRequestData(`Invalid ${what} "${name.slice(0, 80)}": a name is a letter followed by letters, digits or "_" (optionally prefix:name), or an IRI (clause 4.6.2)`);
  }
}

/** An entity fragment with nothing but its id (and @context): nothing to merge or update. */
export function isEmptyFragment(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Object.keys(raw).some((k) => k !== 'id' && k !== '@id' && k !== '@context');
}

export function checkEntityId(id: unknown, where = 'id'): string {
  if (typeof id !== 'string' || !isUri(id)) {
    throw new BadRequestData(`${where} must be a URI: an absolute URI of well-formed Unicode text (e.g. urn:ngsi-ld:Building:1), got ${JSON.stringify(id)?.slice(0, 100)}`);
  }
  return id;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The last DateTime parsed: measurements of one request usually share their observedAt. */
let lastIso: { in: unknown; out: string } = { in: Symbol('none'), out: '' };

/** A DateTime of NGSI-LD data (clause 4.6.3): ISO 8601 in UTC, with the "Z" designator. */
const UTC_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

function isoDate(v: unknown, where: string): string {
  if (v === lastIso.in) return lastIso.out;
  if (typeof v !== 'string') throw new BadRequestData(`${where} must be a DateTime string, got ${JSON.stringify(v)}`);
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) || Number.isNaN(d.getTime())) throw new BadRequestData(`${where} is not a valid ISO 8601 DateTime: "${v}"`);
  if (!UTC_DATE_TIME.test(v)) throw new BadRequestData(`${where} must be in UTC with the "Z" designator (e.g. 2026-11-26T10:00:00Z), got "${v}"`);
  lastIso = { in: v, out: d.toISOString() };
  return lastIso.out;
}

function isGeoJson(v: unknown): boolean {
  return isPlainObject(v) && typeof v.type === 'string' && GEO_TYPES.has(v.type) && Array.isArray(v.coordinates);
}

/** Infers the attribute type of a concise or normalized fragment (clause 4.5.9). */
function inferType(v: Record<string, unknown>, iri: string): AttrType {
  if (typeof v.type === 'string' && ATTR_TYPES.has(v.type as AttrType)) return v.type as AttrType;
  if (v.type !== undefined && !('value' in v) && isGeoJson(v)) return 'GeoProperty';
  if (v.type !== undefined) throw new BadRequestData(`Unknown attribute type "${String(v.type)}" (expected one of ${[...ATTR_TYPES].join(', ')})`);
  if ('object' in v) return 'Relationship';
  if ('languageMap' in v) return 'LanguageProperty';
  if ('vocab' in v) return 'VocabProperty';
  if ('valueList' in v) return 'ListProperty';
  if ('objectList' in v) return 'ListRelationship';
  if ('json' in v) return 'JsonProperty';
  if ('value' in v) return GEO_ATTRS.has(iri) && isGeoJson(v.value) ? 'GeoProperty' : 'Property';
  return 'Property';
}

/** Parses one attribute (or sub-attribute) fragment into an instance with expanded sub-attribute names. */
export function parseAttribute(name: string, raw: unknown, terms: Terms, opts: ParseOptions, depth = 0): AttrInstance {
  const iri = terms.expandAttr(name);
  if (depth > MAX_DEPTH) throw new BadRequestData(`${name}: sub-attributes nested deeper than ${MAX_DEPTH} levels`);
  if (raw === null || raw === undefined) throw new BadRequestData(`${name}: an attribute value may not be null`);
  if (!isPlainObject(raw)) {
    // Concise: a bare value is a Property; a bare GeoJSON geometry on location is a GeoProperty.
    return finish(name, { type: 'Property', value: raw }, {}, terms, opts, depth);
  }
  if (isGeoJson(raw) && !('value' in raw)) {
    return finish(name, { type: 'GeoProperty', value: raw }, {}, terms, opts, depth);
  }
  const type = inferType(raw, iri);
  const inst: AttrInstance = { type };
  const hasConciseMembers = 'value' in raw || 'object' in raw || 'languageMap' in raw || 'vocab' in raw || 'valueList' in raw || 'objectList' in raw || 'json' in raw;
  if (!hasConciseMembers) {
    if (raw.type !== undefined) throw new BadRequestData(`${name}: a ${type} needs its ${memberOf(type)} member`);
    // Concise compound value without any NGSI-LD member: a Property whose value is the object.
    return finish(name, { type: 'Property', value: raw }, {}, terms, opts, depth);
  }
  return finish(name, inst, raw, terms, opts, depth);
}

function memberOf(t: AttrType): string {
  return { Property: 'value', GeoProperty: 'value', Relationship: 'object', LanguageProperty: 'languageMap', VocabProperty: 'vocab', ListProperty: 'valueList', ListRelationship: 'objectList', JsonProperty: 'json' }[t];
}

function finish(name: string, inst: AttrInstance, raw: Record<string, unknown>, terms: Terms, opts: ParseOptions, depth: number): AttrInstance {
  const t = inst.type;
  const m = memberOf(t);
  const v = inst.value !== undefined ? inst.value : raw[m];
  if (v === undefined) throw new BadRequestData(`${name}: a ${t} needs its ${m} member`);
  if (v === null) throw new BadRequestData(`${name}: ${m} may not be null`);
  if (v === NGSI_LD_NULL && !opts.allowNull) throw new BadRequestData(`${name}: "${NGSI_LD_NULL}" is only allowed in merge operations`);
  switch (t) {
    case 'Property': inst.value = v; break;
    case 'GeoProperty':
      inst.value = v === NGSI_LD_NULL ? v : validateGeometry(v, name);
      break;
    case 'Relationship':
      if (!(isUri(v) || (Array.isArray(v) && v.length > 0 && v.every(isUri)))) throw new BadRequestData(`${name}: a Relationship's object must be a URI (or an array of URIs), got ${JSON.stringify(v).slice(0, 100)}`);
      inst.object = v;
      if (raw.objectType !== undefined) {
        if (typeof raw.objectType !== 'string') throw new BadRequestData(`${name}.objectType must be an entity type name`);
        checkName(raw.objectType, `${name}.objectType`);
        inst.objectType = raw.objectType;
      }
      break;
    case 'LanguageProperty':
      if (!isPlainObject(v) || !Object.entries(v).every(([k, x]) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$|^@none$/.test(k) && (typeof x === 'string' || (Array.isArray(x) && x.every((y) => typeof y === 'string'))))) {
        throw new BadRequestData(`${name}: languageMap must map language tags (e.g. "de") to strings`);
      }
      inst.languageMap = v;
      break;
    case 'VocabProperty':
      if (!(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) throw new BadRequestData(`${name}: vocab must be a string or an array of strings`);
      inst.vocab = Array.isArray(v) ? v.map((x) => terms.expandType(x)) : terms.expandType(v);
      break;
    case 'ListProperty':
      if (!Array.isArray(v)) throw new BadRequestData(`${name}: valueList must be an array`);
      inst.valueList = v;
      break;
    case 'ListRelationship':
      if (!Array.isArray(v) || !v.every((x) => isUri(x) || (isPlainObject(x) && isUri(x.object)))) throw new BadRequestData(`${name}: objectList must be an array of URIs`);
      inst.objectList = v;
      break;
    case 'JsonProperty': inst.json = v; break;
  }
  for (const [k, sub] of Object.entries(raw)) {
    if (k === m || k === 'type' || k === 'objectType') continue;
    switch (k) {
      case 'observedAt': inst.observedAt = isoDate(sub, `${name}.observedAt`); break;
      case 'unitCode':
        if (typeof sub !== 'string') throw new BadRequestData(`${name}.unitCode must be a string (UN/CEFACT code, e.g. "CEL")`);
        inst.unitCode = sub; break;
      case 'datasetId': inst.datasetId = checkEntityId(sub, `${name}.datasetId`); break;
      case 'lang':
        if (typeof sub !== 'string') throw new BadRequestData(`${name}.lang must be a string`);
        break;
      case 'createdAt': case 'modifiedAt': case 'deletedAt': case 'instanceId': case '@context':
      case 'previousValue': case 'previousObject': case 'previousLanguageMap':
        break; // system-generated members are ignored on input
      case 'value': case 'object': case 'languageMap': case 'vocab': case 'valueList': case 'objectList': case 'json':
        throw new BadRequestData(`${name}: a ${t} may not carry "${k}"`);
      default: {
        checkName(k, 'sub-attribute name');
        if (sub === NGSI_LD_NULL && opts.allowNull) { inst[terms.expandAttr(k)] = NGSI_LD_NULL; break; }
        inst[terms.expandAttr(k)] = parseAttribute(k, sub, terms, opts, depth + 1);
      }
    }
  }
  inst.createdAt = opts.now;
  inst.modifiedAt = opts.now;
  return inst;
}

/** Attributes of a body: each value may be one fragment or an array of datasetId instances. */
export function parseAttributes(body: Record<string, unknown>, terms: Terms, opts: ParseOptions): Record<string, AttrInstance[]> {
  const out: Record<string, AttrInstance[]> = {};
  for (const [name, raw] of Object.entries(body)) {
    if (ENTITY_MEMBERS.has(name)) continue;
    checkName(name);
    const iri = terms.expandAttr(name);
    if (iri.includes('"')) throw new BadRequestData(`Invalid attribute name "${name}"`);
    if (raw === NGSI_LD_NULL && opts.allowNull) { out[iri] = [{ type: 'Property', value: NGSI_LD_NULL }]; continue; }
    const list = Array.isArray(raw) && raw.length > 0 && raw.every((x) => isPlainObject(x) && ('type' in x || 'value' in x || 'object' in x || 'datasetId' in x || 'languageMap' in x))
      ? raw : [raw];
    const insts = list.map((x) => parseAttribute(name, x, terms, opts));
    out[iri] = orderInstances(name, insts);
  }
  return out;
}

/** Default instance first; datasetIds unique (clause 4.5.5). */
export function orderInstances(name: string, insts: AttrInstance[]): AttrInstance[] {
  const seen = new Set<string>();
  for (const i of insts) {
    const k = (i.datasetId as string | undefined) ?? '@default';
    if (seen.has(k)) throw new BadRequestData(`${name}: two instances with the same datasetId ${k === '@default' ? '(none)' : k}`);
    seen.add(k);
  }
  return insts.sort((a, b) => (a.datasetId === undefined ? -1 : 0) - (b.datasetId === undefined ? -1 : 0));
}

export function parseTypes(raw: unknown, terms: Terms, required: boolean): string[] | undefined {
  if (raw === undefined) {
    if (required) throw new BadRequestData('The entity needs a "type"');
    return undefined;
  }
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((t) => typeof t === 'string' && t.length > 0)) throw new BadRequestData('"type" must be a non-empty string or array of strings');
  const out: string[] = [];
  for (const t of list as string[]) {
    checkName(t, 'entity type');
    const iri = terms.expandType(t);
    if (iri.startsWith('@') || (iri.startsWith(CORE_NS) && !iri.startsWith(DEFAULT_NS))) {
      throw new BadRequestData(`"${t}" is a term of the NGSI-LD core @context (${iri}) and cannot be an entity type`);
    }
    if (!out.includes(iri)) out.push(iri);
  }
  return out;
}

export function parseScopes(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  for (const s of list) {
    if (typeof s !== 'string') throw new BadRequestData('scope must be a string or an array of strings such as "/Herne/Wanne"');
    validateScope(s);
  }
  return [...new Set(list as string[])];
}

/** A whole entity body (create, replace, batch). */
export function parseEntity(body: unknown, terms: Terms, opts: ParseOptions & { idFromPath?: string; typeRequired?: boolean }): EntityRecord {
  if (!isPlainObject(body)) throw new BadRequestData('The entity must be a JSON object');
  const id = opts.idFromPath ?? checkEntityId(body.id ?? body['@id']);
  if (opts.idFromPath && body.id !== undefined && body.id !== opts.idFromPath) throw new BadRequestData(`The id in the body (${String(body.id)}) differs from the id in the URL (${opts.idFromPath})`);
  const types = parseTypes(body.type ?? body['@type'], terms, opts.typeRequired !== false) ?? [];
  const rec: EntityRecord = { id, types, createdAt: opts.now, modifiedAt: opts.now, attrs: parseAttributes(body, terms, opts) };
  const scopes = parseScopes(body.scope);
  if (scopes) rec.scopes = scopes;
  const expiresAt = parseExpiresAt(body.expiresAt, opts.now);
  if (expiresAt) rec.expiresAt = expiresAt;
  return rec;
}

/**
 * `expiresAt` of a transient entity (clause 4.5.1, v1.9): a DateTime in UTC after the time of the
 * request, else 400 BadRequestData. Stored in the fixed-width form of Date.toISOString.
 */
export function parseExpiresAt(v: unknown, now: string): string | undefined {
  if (v === undefined) return undefined;
  const at = isoDate(v, 'expiresAt');
  if (at <= now) throw new BadRequestData(`expiresAt must lie in the future (now is ${now}), got "${String(v)}"`);
  return at;
}
