// Renders stored (expanded) entities in the representation a client asked for (clause 4.5):
// normalized, concise or keyValues, with sysAttrs, lang, pick/omit and attrs projections.
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { CORE_MEMBERS } from './entity.parse.ts';

export type Format = 'normalized' | 'keyValues' | 'concise';

export interface RenderOptions {
  format: Format;
  sysAttrs: boolean;
  /** Language preference (clause 4.15): tags in order, '*' = all languages. */
  lang?: string[];
  /** Attribute IRIs to keep (attrs / pick); 'id' and 'type' for pick. */
  pick?: Set<string>;
  /** Attribute IRIs (or 'id', 'type') to drop. */
  omit?: Set<string>;
  /** Only instances with this datasetId ('@none' = default instance). */
  datasetId?: string[];
  /** Nested pick (clause 4.21, `pick=owner{name}`): per Relationship IRI, the projection of the entity linked through it. */
  pickNested?: Map<string, Projection>;
  /** Nested omit (`omit=owner{address}`), as pickNested. */
  omitNested?: Map<string, Projection>;
}

/** One level of a nested projection: the names (IRIs, or id/type/scope) and the projections below them. */
export interface Projection {
  names: Set<string>;
  nested: Map<string, Projection>;
}

/**
 * Linked-entity retrieval (clause 4.5.23, join=inline): the rendered entity a Relationship (or one
 * member of the objectList of a ListRelationship) of the given attribute points to, or undefined
 * when it is not joined.
 */
export type LinkHook = (attrIri: string, objectId: string) => Rendered | undefined;

export type Rendered = Record<string, unknown>;

const VALUE_MEMBER: Record<string, string> = {
  Property: 'value', GeoProperty: 'value', Relationship: 'object', LanguageProperty: 'languageMap',
  VocabProperty: 'vocab', ListProperty: 'valueList', ListRelationship: 'objectList', JsonProperty: 'json',
};

function pickLanguage(map: Record<string, unknown>, prefs: string[]): { lang: string; value: unknown } | undefined {
  for (const p of prefs) {
    if (p in map) return { lang: p, value: map[p] };
    const prefix = Object.keys(map).find((k) => k.toLowerCase().startsWith(p.toLowerCase() + '-'));
    if (prefix) return { lang: prefix, value: map[prefix] };
  }
  if ('@none' in map) return { lang: '@none', value: map['@none'] };
  const first = Object.keys(map)[0];
  return first === undefined ? undefined : { lang: first, value: map[first] };
}

function compactVocab(v: unknown, terms: Terms): unknown {
  return Array.isArray(v) ? v.map((x) => terms.compactType(String(x))) : terms.compactType(String(v));
}

/** The plain value of an attribute, as keyValues shows it. */
function simpleValue(inst: AttrInstance, terms: Terms, o: RenderOptions): unknown {
  switch (inst.type) {
    case 'Relationship': return inst.object;
    case 'LanguageProperty': {
      const map = inst.languageMap as Record<string, unknown>;
      if (o.lang && !o.lang.includes('*')) return pickLanguage(map, o.lang)?.value;
      return { languageMap: map };
    }
    case 'VocabProperty': return compactVocab(inst.vocab, terms);
    case 'ListProperty': return inst.valueList;
    case 'ListRelationship': return inst.objectList;
    case 'JsonProperty': return inst.json;
    default: return inst.value;
  }
}

/** The linked entities of one instance (join=inline): a Relationship's one, or a ListRelationship's, in objectList order (undefined where not joined). */
type Linked = Rendered | Array<Rendered | undefined>;

/** The entity id of one member of a ListRelationship's objectList: a URI, or `{ "object": URI }`. */
export function listMemberId(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && typeof (x as { object?: unknown }).object === 'string') return (x as { object: string }).object;
  return undefined;
}

/**
 * join=inline inside an attribute: the linked entities of the instance at `path` (the attribute IRI, then
 * each sub-attribute IRI, joined by LINK_PATH_SEP), so Relationships that are sub-attributes are joined too.
 */
type LinkedAt = (path: string, inst: AttrInstance) => Linked | undefined;

/** Separates the IRIs of a sub-attribute's path in the keys of a LinkHook (never part of an IRI). */
export const LINK_PATH_SEP = '\u0000';

function linkedAt(link: LinkHook): LinkedAt {
  return (path, i) => (i.type === 'Relationship' ? link(path, String(i.object))
    : i.type === 'ListRelationship' && Array.isArray(i.objectList) ? i.objectList.map((x) => { const id = listMemberId(x); return id === undefined ? undefined : link(path, id); }) : undefined);
}

function renderInstance(inst: AttrInstance, terms: Terms, o: RenderOptions, linked?: Linked, path?: string, at?: LinkedAt): unknown {
  // join=inline: keyValues shows the linked entity in place of the object's id (as Stellio does);
  // the other formats add it as the member `entity` beside `object`; for a ListRelationship, the
  // linked entities in objectList order as `entityList`, an id not joined staying an id in keyValues.
  if (Array.isArray(linked)) {
    const list = inst.objectList as unknown[];
    if (o.format === 'keyValues') return list.map((id, i) => linked[i] ?? id);
    const joined = linked.filter((x): x is Rendered => x !== undefined);
    const base = renderInstance(inst, terms, o, undefined, path, at) as Rendered;
    return joined.length ? { ...base, entityList: joined } : base;
  }
  if (o.format === 'keyValues') return linked ?? simpleValue(inst, terms, o);
  const out: Rendered = {};
  let type: string = inst.type;
  const stored = VALUE_MEMBER[type];
  let member = stored;
  let value: unknown = inst[member];
  if (type === 'LanguageProperty' && o.lang && !o.lang.includes('*')) {
    // clause 4.15: with lang, a LanguageProperty is shown as a Property in the chosen language.
    const chosen = pickLanguage(value as Record<string, unknown>, o.lang);
    type = 'Property'; member = 'value'; value = chosen?.value;
    if (chosen) out.lang = chosen.lang;
  } else if (type === 'VocabProperty') {
    value = compactVocab(value, terms);
  }
  let hasMeta = false;
  for (const [k, v] of Object.entries(inst)) {
    if (k === 'type' || k === stored) continue;
    if (CORE_MEMBERS.has(k)) {
      if ((k === 'createdAt' || k === 'modifiedAt') && !o.sysAttrs) continue;
      if (k === 'objectType') { out.objectType = compactVocab(v, terms); hasMeta = true; continue; }
      out[k] = v; hasMeta = true;
      continue;
    }
    if (at && path !== undefined) {
      const sub = `${path}${LINK_PATH_SEP}${k}`;
      out[terms.compactAttr(k)] = renderInstance(v as AttrInstance, terms, o, at(sub, v as AttrInstance), sub, at);
    } else out[terms.compactAttr(k)] = renderInstance(v as AttrInstance, terms, o);
    hasMeta = true;
  }
  if (o.format === 'concise') {
    // clause 4.5.9: type is implied; a Property without sub-attributes is its bare value
    // (unless the value is an object, which would read as a compound fragment).
    if (type === 'Property' && !hasMeta && (typeof value !== 'object' || value === null || Array.isArray(value))) return value;
    if (type === 'GeoProperty' && !hasMeta) return value;
    return linked ? { [member]: value, entity: linked, ...out } : { [member]: value, ...out };
  }
  return linked ? { type, [member]: value, entity: linked, ...out } : { type, [member]: value, ...out };
}

export function renderEntity(rec: EntityRecord, terms: Terms, o: RenderOptions, link?: LinkHook): Rendered {
  const out: Rendered = {};
  const keep = (k: string) => (!o.pick || o.pick.has(k)) && !(o.omit && o.omit.has(k));
  const at = link && linkedAt(link);
  if (keep('id')) out.id = rec.id;
  if (keep('type')) {
    const types = rec.types.map((t) => terms.compactType(t));
    out.type = types.length === 1 ? types[0] : types;
  }
  if (rec.scopes && keep('scope')) out.scope = rec.scopes.length === 1 ? rec.scopes[0] : rec.scopes;
  if (rec.expiresAt && keep('expiresAt')) out.expiresAt = rec.expiresAt;
  if (o.sysAttrs) { out.createdAt = rec.createdAt; out.modifiedAt = rec.modifiedAt; }
  for (const [iri, insts] of Object.entries(rec.attrs)) {
    if (!keep(iri)) continue;
    let list = insts;
    if (o.datasetId) list = list.filter((i) => o.datasetId!.includes((i.datasetId as string | undefined) ?? '@none'));
    if (list.length === 0) continue;
    const name = terms.compactAttr(iri);
    if (at) {
      const one = (i: AttrInstance) => renderInstance(i, terms, o, at(iri, i), iri, at);
      out[name] = list.length === 1 ? one(list[0]) : list.map(one);
      continue;
    }
    out[name] = list.length === 1 ? renderInstance(list[0], terms, o) : list.map((i) => renderInstance(i, terms, o));
  }
  return out;
}

/** GeoJSON Feature of an entity (clause 4.5.16). */
export function renderFeature(rec: EntityRecord, terms: Terms, o: RenderOptions, geoProperty: string, link?: LinkHook): Rendered {
  const props = renderEntity(rec, terms, o, link);
  const id = props.id;
  delete props.id;
  const geo = rec.attrs[geoProperty]?.[0];
  return { id, type: 'Feature', geometry: geo && geo.type === 'GeoProperty' ? geo.value : null, properties: props };
}
