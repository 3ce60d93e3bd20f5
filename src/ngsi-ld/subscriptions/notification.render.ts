// Builds notification data and bodies (clause 5.3.1 Notification, 5.11): entities rendered with the subscription's
// format, attributes, lang and sysAttrs, compacted with its @context; deletions and showChanges as clause 5.11 describes.
import { randomUUID } from 'node:crypto';
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import type { Terms } from '../context/term-map.ts';
import { renderEntity, type LinkHook, type RenderOptions } from '../entities/entity.render.ts';
import type { LiveSub, MatchResult } from './subscriptions.matcher.ts';
import { notificationFormat } from './notification.formats.ts';

const NULL = 'urn:ngsi-ld:null';

/** The member holding an attribute's value, and the member showing its previous value (clause 4.5.x, showChanges). */
const MEMBERS: Record<string, [string, string]> = {
  Property: ['value', 'previousValue'], GeoProperty: ['value', 'previousValue'], Relationship: ['object', 'previousObject'],
  LanguageProperty: ['languageMap', 'previousLanguageMap'], VocabProperty: ['vocab', 'previousVocab'],
  ListProperty: ['valueList', 'previousValueList'], ListRelationship: ['objectList', 'previousObjectList'], JsonProperty: ['json', 'previousJson'],
};

export function renderOptionsOf(sub: LiveSub): RenderOptions {
  const f = sub.def.notification.format;
  const o: RenderOptions = { format: f === undefined || notificationFormat(f) ? 'normalized' : f, sysAttrs: sub.def.notification.sysAttrs === true };
  if (sub.c.notifyAttrs) o.pick = new Set([...sub.c.notifyAttrs, 'id', 'type', 'scope']);
  if (sub.def.lang) o.lang = sub.def.lang.split(',').map((s) => s.split(';')[0].trim()).filter(Boolean);
  return o;
}

function wanted(sub: LiveSub, iri: string): boolean {
  return !sub.c.notifyAttrs || sub.c.notifyAttrs.includes(iri);
}

/** One entity of a notification's data, for a change the subscription matched. */
export function renderMatch(m: MatchResult, terms: Terms, at: string, link?: LinkHook): Record<string, unknown> {
  const sub = m.sub;
  const ext = notificationFormat(sub.def.notification.format);
  if (ext) return ext.entity(m.entity, terms, sub.c.notifyAttrs);
  const o = renderOptionsOf(sub);
  if (m.entityDeleted) {
    // clause 5.11: a deleted entity is notified by id, type and the time of deletion.
    const types = m.entity.types.map((t) => terms.compactType(t));
    return { id: m.entity.id, type: types.length === 1 ? types[0] : types, deletedAt: at };
  }
  const out = renderEntity(m.entity, terms, o, link);
  for (const iri of m.deletedAttrs) {
    if (!wanted(sub, iri)) continue;
    const old = m.before?.attrs[iri]?.[0];
    const [member] = MEMBERS[old?.type ?? 'Property'] ?? MEMBERS.Property;
    const name = terms.compactAttr(iri);
    out[name] = o.format === 'keyValues' ? NULL
      : o.format === 'concise' ? { [member]: NULL, deletedAt: at } : { type: old?.type ?? 'Property', [member]: NULL, deletedAt: at };
  }
  if (sub.def.notification.showChanges && o.format !== 'keyValues' && m.before) {
    for (const iri of m.updatedAttrs) {
      if (!wanted(sub, iri)) continue;
      const prev: AttrInstance | undefined = m.before.attrs[iri]?.[0];
      const now: AttrInstance | undefined = m.entity.attrs[iri]?.[0];
      if (!prev || !now || m.entity.attrs[iri].length !== 1) continue;
      const [member, prevMember] = MEMBERS[now.type] ?? MEMBERS.Property;
      const one = renderEntity({ ...m.entity, attrs: { [iri]: [now] } }, terms, { ...o, format: 'normalized', pick: new Set([iri]) }, link);
      const name = terms.compactAttr(iri);
      const attr = one[name] as Record<string, unknown>;
      if (o.format === 'concise') delete attr.type;
      attr[prevMember] = prev[MEMBERS[prev.type]?.[0] ?? member];
      out[name] = attr;
    }
  }
  return out;
}

/** Current state of an entity (initial and periodic notifications). */
export function renderCurrent(sub: LiveSub, e: EntityRecord, terms: Terms, link?: LinkHook): Record<string, unknown> {
  const ext = notificationFormat(sub.def.notification.format);
  if (ext) return ext.entity(e, terms, sub.c.notifyAttrs);
  return renderEntity(e, terms, renderOptionsOf(sub), link);
}

export interface NotificationMessage {
  /** The serialised body. */
  body: string;
  contentType: string;
  /** Link header (application/json), naming the @context the data is compacted with. */
  link?: string;
  /** Further headers of a registered format (notification.formats.ts). */
  headers?: Record<string, string>;
  id: string;
}

/** clause 5.3.1: { id, type: Notification, subscriptionId, notifiedAt, data } (+ @context for JSON-LD). */
export function buildNotification(sub: LiveSub, data: Array<Record<string, unknown>>, terms: Terms, at: string, coreUrl: string): NotificationMessage {
  const accept = sub.def.notification.endpoint.accept ?? 'application/json';
  const id = `urn:ngsi-ld:Notification:${randomUUID()}`;
  const ext = notificationFormat(sub.def.notification.format);
  if (ext) return { id, ...ext.message({ id: sub.id, tenant: sub.tenant, format: sub.def.notification.format! }, data) };
  const n: Record<string, unknown> = { id, type: 'Notification', subscriptionId: sub.id, notifiedAt: at, data };
  if (accept === 'application/geo+json') {
    n.data = { type: 'FeatureCollection', features: data.map((d) => toFeature(d)) };
  }
  if (accept === 'application/ld+json') {
    return { id, body: JSON.stringify({ '@context': terms.source ?? coreUrl, ...n }), contentType: accept };
  }
  return { id, body: JSON.stringify(n), contentType: accept, link: `<${terms.linkUrl || coreUrl}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` };
}

function toFeature(d: Record<string, unknown>): Record<string, unknown> {
  const { id, location, ...props } = d;
  const loc = location as Record<string, unknown> | undefined;
  const geometry = loc && typeof loc === 'object' ? ('value' in loc ? loc.value : loc) : null;
  return { id, type: 'Feature', geometry: geometry ?? null, properties: { ...props, ...(location !== undefined ? { location } : {}) } };
}
