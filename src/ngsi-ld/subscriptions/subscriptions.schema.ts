// Validation of Subscription bodies (clause 5.2.12, NotificationParams 5.2.14, Endpoint 5.2.15) for create
// and PATCH (clause 5.8.1, 5.8.2), and their compiled form: names expanded, q/geoQ/scopeQ/type parsed once.
import { BadRequestData, ProblemError } from '../../core/errors.ts';
import type { Terms } from '../context/term-map.ts';
import { checkName, checkEntityId, isUri } from '../entities/entity.parse.ts';
import { checkRegex, expandQ } from '../entities/entities.query.ts';
import { parseGeoQuery, type GeoQuery } from '../geo/geo.query.ts';
import type { QNode, ScopeNode, TypeNode } from '../../storage/query-ast.ts';
import { parseQ } from '../query/q.parser.ts';
import { parseScopeQ } from '../query/scope.parser.ts';
import { parseTypeExpression } from '../query/type.parser.ts';
import { isPrivateHostLiteral } from './endpoint.guard.ts';
import { extraFormats, notificationFormat } from './notification.formats.ts';
import { MAX_JOIN_LEVEL } from '../entities/entity.join.ts';

export const TRIGGERS = ['entityCreated', 'entityUpdated', 'entityDeleted', 'attributeCreated', 'attributeUpdated', 'attributeDeleted'] as const;
export type Trigger = typeof TRIGGERS[number];
/** clause 5.2.12: without notificationTrigger a subscription fires on attributeCreated and attributeUpdated. */
export const DEFAULT_TRIGGERS: Trigger[] = ['attributeCreated', 'attributeUpdated'];
export const FORMATS = ['normalized', 'keyValues', 'concise'] as const;
export type NotifyFormat = typeof FORMATS[number];
export const ACCEPTS = ['application/json', 'application/ld+json', 'application/geo+json'] as const;
export const SCHEMES = ['http:', 'https:', 'mqtt:', 'mqtts:'];
export const MQTT_VERSIONS = ['mqtt3.1.1', 'mqtt5.0'];

export interface KeyValue { key: string; value: string }

export interface EndpointDef {
  uri: string;
  accept?: string;
  /** ms before an attempt counts as failed (clause 5.2.15). */
  timeout?: number;
  /** ms to wait after a failure before the next attempt to this endpoint (clause 5.2.15). */
  cooldown?: number;
  receiverInfo?: KeyValue[];
  notifierInfo?: KeyValue[];
}

/** The definition as the client wrote it (names compacted), normalised: what GET shows besides the status. */
export interface SubscriptionDef {
  id: string;
  type: 'Subscription';
  subscriptionName?: string;
  description?: string;
  entities?: Array<{ id?: string; idPattern?: string; type: string }>;
  watchedAttributes?: string[];
  notificationTrigger?: Trigger[];
  timeInterval?: number;
  q?: string;
  geoQ?: { geometry: string; coordinates: unknown; georel: string; geoproperty?: string };
  scopeQ?: string;
  isActive: boolean;
  expiresAt?: string;
  throttling?: number;
  lang?: string;
  jsonldContext?: string;
  notification: {
    attributes?: string[];
    format?: NotifyFormat;
    showChanges?: boolean;
    sysAttrs?: boolean;
    /** Linked-entity retrieval in notifications (clause 5.2.14, 4.5.23): inline, flat or @none; joinLevel default 1. */
    join?: 'inline' | 'flat' | '@none';
    joinLevel?: number;
    endpoint: EndpointDef;
  };
}

/** What the matcher needs, with every name expanded through the @context of the request that set it. */
export interface CompiledSub {
  entities?: Array<{ id?: string; idPattern?: string; types: TypeNode }>;
  watched?: string[];
  notifyAttrs?: string[];
  q?: QNode;
  geoQ?: GeoQuery & { property: string };
  scopeQ?: ScopeNode;
}

/** Members the client may write; read-only ones (status, counters, createdAt …) are ignored when sent back. */
const WRITABLE = new Set(['id', 'type', 'subscriptionName', 'description', 'entities', 'watchedAttributes', 'notificationTrigger', 'timeInterval',
  'q', 'geoQ', 'scopeQ', 'isActive', 'expiresAt', 'throttling', 'lang', 'jsonldContext', 'notification', '@context']);
const READ_ONLY = new Set(['status', 'createdAt', 'modifiedAt', 'deletedAt']);
const NOTIFICATION_WRITABLE = new Set(['attributes', 'format', 'showChanges', 'sysAttrs', 'join', 'joinLevel', 'endpoint']);
const NOTIFICATION_READ_ONLY = new Set(['status', 'timesSent', 'timesFailed', 'lastNotification', 'lastSuccess', 'lastFailure', 'lastFailureReason']);
const ENDPOINT_MEMBERS = new Set(['uri', 'accept', 'timeout', 'cooldown', 'receiverInfo', 'notifierInfo']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NULL = 'urn:ngsi-ld:null';

function bad(msg: string): never {
  throw new BadRequestData(msg);
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0) bad(`${where} must be a non-empty string`);
  return v as string;
}

function posNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`${where} must be a number greater than 0, got ${JSON.stringify(v)}`);
  return v as number;
}

function names(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.length === 0) bad(`${where} must be a non-empty array of attribute names`);
  const list = v as unknown[];
  return list.map((n, i) => {
    const s = str(n, `${where}[${i}]`);
    checkName(s);
    return s;
  });
}

function dateTime(v: unknown, where: string): string {
  const s = str(v, where);
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) || Number.isNaN(d.getTime())) bad(`${where} is not an ISO 8601 DateTime: "${s}"`);
  return d.toISOString();
}

function keyValues(v: unknown, where: string): KeyValue[] {
  if (!Array.isArray(v)) bad(`${where} must be an array of {"key": …, "value": …}`);
  return (v as unknown[]).map((kv, i) => {
    const o = obj(kv, `${where}[${i}]`);
    const key = str(o.key, `${where}[${i}].key`);
    if (typeof o.value !== 'string') bad(`${where}[${i}].value must be a string`);
    return { key, value: o.value as string };
  });
}

export interface EndpointPolicy {
  /** false: refuse endpoints at private addresses (SSRF guard, DREHSCHEIBE_NOTIFY_PRIVATE=deny). */
  allowPrivate: boolean;
}

/** clause 5.2.15 Endpoint: an http(s) or mqtt(s) URI, a supported accept, headers and MQTT options. */
export function parseEndpoint(raw: unknown, policy: EndpointPolicy): EndpointDef {
  const e = obj(raw, 'notification.endpoint');
  for (const k of Object.keys(e)) if (!ENDPOINT_MEMBERS.has(k)) bad(`notification.endpoint has an unknown member "${k}"; allowed: ${[...ENDPOINT_MEMBERS].join(', ')}`);
  const uri = str(e.uri, 'notification.endpoint.uri');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    bad(`notification.endpoint.uri is not a URI: "${uri.slice(0, 200)}"`);
  }
  if (!SCHEMES.includes(url.protocol)) bad(`notification.endpoint.uri: the scheme ${url.protocol} is not supported; use http, https, mqtt or mqtts`);
  if (!url.hostname) bad('notification.endpoint.uri has no host');
  if (!policy.allowPrivate && isPrivateHostLiteral(url.hostname)) {
    bad(`notification.endpoint.uri points at the private address ${url.hostname}; this broker refuses private endpoints (DREHSCHEIBE_NOTIFY_PRIVATE=deny)`);
  }
  const out: EndpointDef = { uri };
  if (url.protocol.startsWith('mqtt')) {
    const topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!topic) bad('notification.endpoint.uri: an MQTT endpoint needs a topic as its path, e.g. mqtt://broker:1883/city/alerts');
    if (/[+#]/.test(topic)) bad(`notification.endpoint.uri: the MQTT topic "${topic}" may not contain the wildcards + or #`);
  }
  if (e.accept !== undefined) {
    const a = str(e.accept, 'notification.endpoint.accept');
    if (!(ACCEPTS as readonly string[]).includes(a)) bad(`notification.endpoint.accept must be one of ${ACCEPTS.join(', ')}, got "${a}"`);
    out.accept = a;
  }
  if (e.timeout !== undefined) out.timeout = posNumber(e.timeout, 'notification.endpoint.timeout');
  if (e.cooldown !== undefined) out.cooldown = posNumber(e.cooldown, 'notification.endpoint.cooldown');
  if (e.receiverInfo !== undefined) {
    out.receiverInfo = keyValues(e.receiverInfo, 'notification.endpoint.receiverInfo');
    for (const kv of out.receiverInfo) {
      if (!HEADER_NAME.test(kv.key)) bad(`notification.endpoint.receiverInfo: "${kv.key}" is not a valid header name`);
      if (/[\r\n]/.test(kv.value)) bad(`notification.endpoint.receiverInfo: the value of ${kv.key} may not contain line breaks`);
    }
  }
  if (e.notifierInfo !== undefined) {
    out.notifierInfo = keyValues(e.notifierInfo, 'notification.endpoint.notifierInfo');
    for (const kv of out.notifierInfo) {
      if (kv.key === 'MQTT-Version' && !MQTT_VERSIONS.includes(kv.value)) bad(`notifierInfo MQTT-Version must be one of ${MQTT_VERSIONS.join(', ')}, got "${kv.value}"`);
      if (kv.key === 'MQTT-QoS' && !['0', '1', '2'].includes(kv.value)) bad(`notifierInfo MQTT-QoS must be 0, 1 or 2, got "${kv.value}"`);
    }
  }
  return out;
}

function parseNotification(raw: unknown, policy: EndpointPolicy): SubscriptionDef['notification'] {
  const n = obj(raw, 'notification');
  for (const k of Object.keys(n)) {
    if (!NOTIFICATION_WRITABLE.has(k) && !NOTIFICATION_READ_ONLY.has(k)) bad(`notification has an unknown member "${k}"; allowed: ${[...NOTIFICATION_WRITABLE].join(', ')}`);
  }
  if (n.endpoint === undefined) bad('notification.endpoint is mandatory (clause 5.2.14)');
  const out: SubscriptionDef['notification'] = { endpoint: parseEndpoint(n.endpoint, policy) };
  if (n.attributes !== undefined) out.attributes = names(n.attributes, 'notification.attributes');
  if (n.format !== undefined) {
    const f = n.format === 'simplified' ? 'keyValues' : n.format;
    if (!(FORMATS as readonly unknown[]).includes(f) && !notificationFormat(f as string)) bad(`notification.format must be one of ${[...FORMATS, ...extraFormats()].join(', ')}, got ${JSON.stringify(n.format)}`);
    out.format = f as NotifyFormat;
  }
  for (const k of ['showChanges', 'sysAttrs'] as const) {
    if (n[k] === undefined) continue;
    if (typeof n[k] !== 'boolean') bad(`notification.${k} must be true or false`);
    out[k] = n[k] as boolean;
  }
  if (n.join !== undefined) {
    if (n.join !== 'inline' && n.join !== 'flat' && n.join !== '@none') bad(`notification.join must be inline, flat or @none, got ${JSON.stringify(n.join)?.slice(0, 40)}`);
    if (n.join !== '@none' && out.format !== undefined && notificationFormat(out.format)) bad(`notification.join applies to the NGSI-LD formats, not to format ${out.format}`);
    out.join = n.join;
  }
  if (n.joinLevel !== undefined) {
    if (out.join === undefined || out.join === '@none') bad('notification.joinLevel applies to linked-entity retrieval: give notification.join inline or flat as well');
    if (typeof n.joinLevel !== 'number' || !Number.isInteger(n.joinLevel) || n.joinLevel < 1 || n.joinLevel > MAX_JOIN_LEVEL) bad(`notification.joinLevel must be an integer from 1 to ${MAX_JOIN_LEVEL}, got ${JSON.stringify(n.joinLevel)?.slice(0, 20)}`);
    out.joinLevel = n.joinLevel as number;
  }
  return out;
}

/** Checks and normalises a full definition (after create, or after merging a PATCH). */
export function parseDefinition(body: Record<string, unknown>, policy: EndpointPolicy, time: { now: Date; checkExpiry: boolean }, idGen: () => string): SubscriptionDef {
  for (const k of Object.keys(body)) {
    if (!WRITABLE.has(k) && !READ_ONLY.has(k)) bad(`Unknown Subscription member "${k}" (clause 5.2.12); allowed: ${[...WRITABLE].filter((x) => x !== '@context').join(', ')}`);
  }
  if (body.type !== 'Subscription') bad(`type must be "Subscription", got ${JSON.stringify(body.type)}`);
  const id = body.id === undefined ? idGen() : checkEntityId(body.id, 'Subscription id');
  if (body.notification === undefined) bad('notification is mandatory (clause 5.2.12)');
  const def: SubscriptionDef = { id, type: 'Subscription', isActive: true, notification: parseNotification(body.notification, policy) };
  if (body.subscriptionName !== undefined) def.subscriptionName = str(body.subscriptionName, 'subscriptionName');
  if (body.description !== undefined) def.description = str(body.description, 'description');
  if (body.entities !== undefined) {
    if (!Array.isArray(body.entities) || body.entities.length === 0) bad('entities must be a non-empty array of entity selectors');
    def.entities = (body.entities as unknown[]).map((raw, i) => {
      const e = obj(raw, `entities[${i}]`);
      for (const k of Object.keys(e)) if (!['id', 'idPattern', 'type'].includes(k)) bad(`entities[${i}] has an unknown member "${k}"; allowed: id, idPattern, type`);
      const sel: { id?: string; idPattern?: string; type: string } = { type: str(e.type, `entities[${i}].type (mandatory, clause 5.2.33)`) };
      parseTypeExpression(sel.type);
      if (e.id !== undefined) sel.id = checkEntityId(e.id, `entities[${i}].id`);
      if (e.idPattern !== undefined) {
        sel.idPattern = str(e.idPattern, `entities[${i}].idPattern`);
        checkRegex(sel.idPattern, `entities[${i}].idPattern`);
      }
      return sel;
    });
  }
  if (body.watchedAttributes !== undefined) def.watchedAttributes = names(body.watchedAttributes, 'watchedAttributes');
  if (body.notificationTrigger !== undefined) {
    if (!Array.isArray(body.notificationTrigger) || body.notificationTrigger.length === 0) bad(`notificationTrigger must be a non-empty array of ${TRIGGERS.join(', ')}`);
    for (const t of body.notificationTrigger as unknown[]) if (!(TRIGGERS as readonly unknown[]).includes(t)) bad(`Unknown notificationTrigger ${JSON.stringify(t)}; allowed: ${TRIGGERS.join(', ')}`);
    def.notificationTrigger = [...new Set(body.notificationTrigger as Trigger[])];
  }
  if (body.timeInterval !== undefined) def.timeInterval = posNumber(body.timeInterval, 'timeInterval');
  if (body.throttling !== undefined) def.throttling = posNumber(body.throttling, 'throttling');
  if (body.q !== undefined) def.q = str(body.q, 'q');
  if (body.scopeQ !== undefined) def.scopeQ = str(body.scopeQ, 'scopeQ');
  if (body.geoQ !== undefined) {
    const g = obj(body.geoQ, 'geoQ');
    for (const k of Object.keys(g)) if (!['geometry', 'coordinates', 'georel', 'geoproperty'].includes(k)) bad(`geoQ has an unknown member "${k}"; allowed: geometry, coordinates, georel, geoproperty`);
    def.geoQ = { geometry: g.geometry as string, coordinates: g.coordinates, georel: g.georel as string };
    if (g.geoproperty !== undefined) def.geoQ.geoproperty = str(g.geoproperty, 'geoQ.geoproperty');
    if (def.geoQ.georel === undefined || def.geoQ.geometry === undefined || def.geoQ.coordinates === undefined) bad('geoQ needs geometry, coordinates and georel (clause 5.2.13)');
  }
  if (body.isActive !== undefined) {
    if (typeof body.isActive !== 'boolean') bad('isActive must be true or false');
    def.isActive = body.isActive;
  }
  if (body.expiresAt !== undefined) {
    def.expiresAt = dateTime(body.expiresAt, 'expiresAt');
    if (time.checkExpiry && new Date(def.expiresAt).getTime() <= time.now.getTime()) bad(`expiresAt ${def.expiresAt} is not in the future`);
  }
  if (body.lang !== undefined) def.lang = str(body.lang, 'lang');
  if (body.jsonldContext !== undefined) {
    if (!isUri(body.jsonldContext)) bad('jsonldContext must be the URI of an @context');
    def.jsonldContext = body.jsonldContext;
  }
  // clause 5.2.12: the combinations the specification excludes.
  if (!def.entities && !def.watchedAttributes) bad('A subscription needs entities or watchedAttributes (or both)');
  if (def.timeInterval !== undefined && def.watchedAttributes) bad('timeInterval and watchedAttributes cannot be combined: a periodic subscription does not watch changes');
  if (def.timeInterval !== undefined && def.throttling !== undefined) bad('throttling and timeInterval cannot be combined');
  return def;
}

function expandTypes(t: TypeNode, terms: Terms): TypeNode {
  if (t.kind === 'type') return { kind: 'type', name: terms.expandType(t.name) };
  return { kind: t.kind, items: t.items.map((i) => expandTypes(i, terms)) };
}

/** The compiled pieces and the definition member each comes from (PATCH recompiles only what it changes). */
export const COMPILED_SOURCES: Record<keyof CompiledSub, string> = {
  entities: 'entities', watched: 'watchedAttributes', notifyAttrs: 'notification', q: 'q', geoQ: 'geoQ', scopeQ: 'scopeQ',
};

/** Expands and parses the definition with the @context of the request. Errors in q, geoQ, scopeQ are 400s. */
export function compile(def: SubscriptionDef, terms: Terms): CompiledSub {
  const c: CompiledSub = {};
  if (def.entities) c.entities = def.entities.map((e) => ({ ...(e.id ? { id: e.id } : {}), ...(e.idPattern ? { idPattern: e.idPattern } : {}), types: expandTypes(parseTypeExpression(e.type), terms) }));
  if (def.watchedAttributes) c.watched = def.watchedAttributes.map((a) => terms.expandAttr(a));
  if (def.notification.attributes) c.notifyAttrs = def.notification.attributes.map((a) => terms.expandAttr(a));
  try {
    if (def.q) c.q = expandQ(parseQ(def.q), terms);
    if (def.scopeQ) c.scopeQ = parseScopeQ(def.scopeQ);
    if (def.geoQ) {
      const gq = parseGeoQuery({ ...def.geoQ, geoproperty: def.geoQ.geoproperty });
      if (gq) c.geoQ = { ...gq, property: terms.expandAttr(gq.geoproperty) };
    }
  } catch (e) {
    // Query errors are BadRequestData for subscriptions (clause 5.8.1), whatever the query parser chose.
    if (e instanceof ProblemError && e.status === 400) throw new BadRequestData(e.detail, { cause: e });
    throw e;
  }
  return c;
}

/**
 * clause 5.8.2: merges a PATCH fragment into a definition. Top-level members replace the stored ones, notification is
 * merged member by member; null or "urn:ngsi-ld:null" removes an optional member. id and type cannot change.
 */
export function mergeFragment(def: SubscriptionDef, fragment: Record<string, unknown>): Record<string, unknown> {
  if (fragment.id !== undefined && fragment.id !== def.id) bad(`The id of a subscription cannot be changed (${String(fragment.id)} ≠ ${def.id})`);
  if (fragment.type !== undefined && fragment.type !== 'Subscription') bad('type must be "Subscription"');
  const out: Record<string, unknown> = structuredClone(def) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(fragment)) {
    if (k === '@context') continue;
    if (READ_ONLY.has(k)) continue;
    if (v === null || v === NULL) {
      if (k === 'notification' || k === 'type' || k === 'id') bad(`${k} cannot be removed`);
      delete out[k];
      continue;
    }
    if (k === 'notification') {
      const n = { ...(out.notification as Record<string, unknown>) };
      for (const [nk, nv] of Object.entries(obj(v, 'notification'))) {
        if (NOTIFICATION_READ_ONLY.has(nk)) continue;
        if (nv === null || nv === NULL) {
          if (nk === 'endpoint') bad('notification.endpoint cannot be removed');
          delete n[nk];
        } else n[nk] = nv;
      }
      out.notification = n;
      continue;
    }
    out[k] = v;
  }
  return out;
}
