// NGSIv2 subscriptions as NGSI-LD subscriptions (Orion-LD's way): subject → entities / watchedAttributes /
// q / geoQ, notification.http(Custom) → endpoint (+ receiverInfo headers), attrsFormat → the notification
// format "x-ngsiv2-<attrsFormat>" whose payload is Orion's {subscriptionId, data}; and back for GET.
import type { QLiteral, QNode, QValue } from '../storage/query-ast.ts';
import type { StoredSubscription } from '../storage/port.subscriptions.ts';
import type { SubscriptionDef } from '../ngsi-ld/subscriptions/subscriptions.schema.ts';
import { registerNotificationFormat } from '../ngsi-ld/subscriptions/notification.formats.ts';
import type { Terms } from '../ngsi-ld/context/term-map.ts';
import { V2Error } from './v2.errors.ts';
import { parseV2Q } from './v2.q.ts';
import { checkV2Id, entityToV2, type V2Format } from './v2.mapping.ts';

export const V2_FORMAT_PREFIX = 'x-ngsiv2-';
const ATTRS_FORMATS: V2Format[] = ['normalized', 'keyValues', 'values'];

// Orion's notification payload: {subscriptionId, data: [entities in the subscription's attrsFormat]}, with
// Fiware-Service, Fiware-ServicePath (of the first entity) and Ngsiv2-AttrsFormat headers.
for (const f of ATTRS_FORMATS) {
  registerNotificationFormat(V2_FORMAT_PREFIX + f, {
    entity(e, terms, attrs) {
      const rendered = entityToV2(e, terms, f === 'values' ? 'values' : f, { attrs: attrs?.map((a) => terms.compactAttr(a)) });
      const scope = e.scopes?.[0] ?? '/';
      // The service path travels with the entity until message() takes it out (values have no room for it).
      return f === 'values' ? { id: e.id, '\u0000values': rendered, '\u0000path': scope } : { ...(rendered as Record<string, unknown>), '\u0000path': scope };
    },
    message(sub, data) {
      const path = String(data[0]?.['\u0000path'] ?? '/');
      const items = data.map((d) => {
        if ('\u0000values' in d) return d['\u0000values'];
        const { ['\u0000path']: _p, ...rest } = d;
        return rest;
      });
      const headers: Record<string, string> = { 'Fiware-ServicePath': path, 'Ngsiv2-AttrsFormat': f };
      if (sub.tenant) headers['Fiware-Service'] = sub.tenant;
      return { body: JSON.stringify({ subscriptionId: sub.id, data: items }), contentType: 'application/json', headers };
    },
  });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- v2 q → NGSI-LD q text (the LD subscription stores q as text) ----
function lit(l: QLiteral): string {
  switch (l.t) {
    case 'string': return JSON.stringify(l.v);
    case 'number': return String(l.v);
    case 'boolean': return String(l.v);
    default: return l.v;
  }
}
function val(v: QValue): string {
  if (v.t === 'list') return v.items.map(lit).join(',');
  if (v.t === 'range') return `${lit(v.from)}..${lit(v.to)}`;
  return lit(v);
}
function pathText(p: { attr: string; sub: string[]; compound: string[] }): string {
  return [p.attr, ...p.sub].join('.') + (p.compound.length ? `[${p.compound.join('.')}]` : '');
}
export function qToLd(n: QNode): string {
  switch (n.kind) {
    case 'and': return n.items.map(qToLd).join(';');
    case 'or': return `(${n.items.map(qToLd).join('|')})`;
    case 'exists': return pathText(n.path);
    case 'cmp': return `${pathText(n.path)}${n.op}${val(n.value)}`;
    case 'pattern': return `${pathText(n.path)}${n.negated ? '!~=' : '~='}${JSON.stringify(n.pattern)}`;
  }
}

const GEOMETRY: Record<string, string> = { point: 'Point', line: 'LineString', polygon: 'Polygon', box: 'Polygon' };

function geoQ(expr: Record<string, unknown>): Record<string, unknown> | undefined {
  const { georel, geometry, coords } = expr as Record<string, string | undefined>;
  if (georel === undefined && geometry === undefined && coords === undefined) return undefined;
  if (typeof georel !== 'string' || typeof geometry !== 'string' || typeof coords !== 'string') throw V2Error.badRequest('expression: georel, geometry and coords go together');
  const g = GEOMETRY[geometry];
  if (!g) throw V2Error.badRequest(`Invalid geometry "${geometry.slice(0, 20)}"`);
  const [rel, ...mods] = georel.split(';');
  const relMap: Record<string, string> = { near: 'near', coveredBy: 'within', intersects: 'intersects', equals: 'equals', disjoint: 'disjoint' };
  if (!relMap[rel]) throw V2Error.badRequest(`Invalid georel "${rel.slice(0, 20)}"`);
  const pts = coords.split(';').map((p) => { const [lat, lon] = p.split(',').map(Number); return [lon, lat]; });
  if (pts.some((p) => p.some((x) => !Number.isFinite(x)))) throw V2Error.badRequest('coords must be "lat,lon;lat,lon"');
  let coordinates: unknown = g === 'Point' ? pts[0] : g === 'LineString' ? pts : [pts];
  if (geometry === 'box' && pts.length === 2) {
    const [[x1, y1], [x2, y2]] = pts;
    coordinates = [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]];
  }
  return { georel: [relMap[rel], ...mods.map((m) => m.replace(':', '=='))].join(';'), geometry: g, coordinates };
}

const TRIGGERS: Record<string, string[]> = {
  entityCreate: ['entityCreated'], entityUpdate: ['attributeUpdated'], entityChange: ['attributeCreated', 'attributeUpdated'], entityDelete: ['entityDeleted'],
};

function subject(s: unknown, out: Record<string, unknown>): void {
  if (!isObj(s)) throw V2Error.badRequest('subject must be an object');
  for (const k of Object.keys(s)) if (k !== 'entities' && k !== 'condition') throw V2Error.badRequest(`subject: unknown member "${k}"`);
  if (!Array.isArray(s.entities) || s.entities.length === 0) throw V2Error.badRequest('subject.entities must be a non-empty array');
  // A selector of every entity ({"idPattern": ".*"} without type, as QuantumLeap's tutorials write it)
  // with condition.attrs: an NGSI-LD subscription on watchedAttributes alone (any entity having them).
  const anyEntity = (e: unknown) => isObj(e) && e.type === undefined && e.typePattern === undefined && e.id === undefined && (e.idPattern === undefined || e.idPattern === '.*');
  const watched = isObj(s.condition) && Array.isArray(s.condition.attrs) && s.condition.attrs.length > 0;
  if (watched && s.entities.some(anyEntity)) {
    if (!s.entities.every(anyEntity)) throw V2Error.notSupported('a selector of every entity cannot be combined with other selectors here; give each selector a type (docs/ngsiv2.md#not-supported)');
  } else out.entities = s.entities.map((e) => {
    if (!isObj(e)) throw V2Error.badRequest('subject.entities: each element must be an object');
    if (e.typePattern !== undefined) throw V2Error.notSupported('typePattern is not supported by this broker (docs/ngsiv2.md#not-supported)');
    if (e.type === undefined) throw V2Error.notSupported('subject.entities without a type are supported only as {"idPattern": ".*"} together with condition.attrs; otherwise give each selector a type (docs/ngsiv2.md#not-supported)');
    const sel: Record<string, unknown> = { type: checkV2Id(e.type, 'type') };
    if (e.id !== undefined && e.idPattern !== undefined) throw V2Error.badRequest('id and idPattern cannot be combined');
    if (e.id !== undefined) {
      const id = checkV2Id(e.id, 'id');
      // NGSI-LD selectors take URIs as ids; other v2 ids are matched exactly by a pattern.
      if (URI.test(id)) sel.id = id; else sel.idPattern = `^${escapeRe(id)}$`;
    } else if (e.idPattern !== undefined) {
      if (typeof e.idPattern !== 'string') throw V2Error.badRequest('idPattern must be a string');
      if (e.idPattern !== '.*') sel.idPattern = e.idPattern;
    }
    return sel;
  });
  if (s.condition === undefined) return;
  const c = s.condition;
  if (!isObj(c)) throw V2Error.badRequest('subject.condition must be an object');
  for (const k of Object.keys(c)) if (!['attrs', 'expression', 'alterationTypes', 'notifyOnMetadataChange'].includes(k)) throw V2Error.badRequest(`subject.condition: unknown member "${k}"`);
  if (c.attrs !== undefined) {
    if (!Array.isArray(c.attrs) || !c.attrs.every((a) => typeof a === 'string')) throw V2Error.badRequest('condition.attrs must be an array of attribute names');
    if (c.attrs.length) out.watchedAttributes = c.attrs;
  }
  if (c.expression !== undefined) {
    if (!isObj(c.expression)) throw V2Error.badRequest('condition.expression must be an object');
    const e = c.expression;
    for (const k of Object.keys(e)) if (!['q', 'mq', 'georel', 'geometry', 'coords'].includes(k)) throw V2Error.badRequest(`condition.expression: unknown member "${k}"`);
    const parts: string[] = [];
    if (typeof e.q === 'string') parts.push(qToLd(parseV2Q(e.q, 'q')));
    if (typeof e.mq === 'string') parts.push(qToLd(parseV2Q(e.mq, 'mq')));
    if (parts.length) out.q = parts.join(';');
    const g = geoQ(e);
    if (g) out.geoQ = g;
  }
  if (c.alterationTypes !== undefined) {
    if (!Array.isArray(c.alterationTypes) || c.alterationTypes.length === 0) throw V2Error.badRequest('condition.alterationTypes must be a non-empty array');
    const t = new Set<string>();
    for (const a of c.alterationTypes) {
      const m = TRIGGERS[String(a)];
      if (!m) throw V2Error.badRequest(`unknown alterationType ${JSON.stringify(a)} (entityCreate, entityUpdate, entityChange, entityDelete)`);
      m.forEach((x) => t.add(x));
    }
    out.notificationTrigger = [...t];
  } else {
    out.notificationTrigger = ['entityCreated', 'attributeCreated', 'attributeUpdated'];
  }
}

function endpoint(n: Record<string, unknown>): Record<string, unknown> {
  if (n.http !== undefined && n.httpCustom !== undefined) throw V2Error.badRequest('notification: http and httpCustom cannot be combined');
  if (n.mqtt !== undefined || n.mqttCustom !== undefined) throw V2Error.notSupported('MQTT notifications of NGSIv2 subscriptions are not supported; use an NGSI-LD subscription with an mqtt:// endpoint');
  if (isObj(n.http)) {
    for (const k of Object.keys(n.http)) if (k !== 'url' && k !== 'timeout') throw V2Error.badRequest(`notification.http: unknown member "${k}"`);
    return { uri: urlOf(n.http.url), accept: 'application/json' };
  }
  if (isObj(n.httpCustom)) {
    const h = n.httpCustom;
    for (const k of Object.keys(h)) {
      if (['payload', 'json', 'ngsi'].includes(k)) throw V2Error.notSupported(`notification.httpCustom.${k} (custom payloads) is not supported by this broker (docs/ngsiv2.md#not-supported)`);
      if (!['url', 'headers', 'qs', 'method', 'timeout'].includes(k)) throw V2Error.badRequest(`notification.httpCustom: unknown member "${k}"`);
    }
    if (h.method !== undefined && String(h.method).toUpperCase() !== 'POST') throw V2Error.notSupported('notification.httpCustom.method: only POST is supported');
    let uri = urlOf(h.url);
    if (h.qs !== undefined) {
      if (!isObj(h.qs)) throw V2Error.badRequest('httpCustom.qs must be an object of strings');
      const u = new URL(uri);
      for (const [k, v] of Object.entries(h.qs)) u.searchParams.set(k, String(v));
      uri = u.toString();
    }
    const ep: Record<string, unknown> = { uri, accept: 'application/json' };
    if (h.headers !== undefined) {
      if (!isObj(h.headers)) throw V2Error.badRequest('httpCustom.headers must be an object of strings');
      ep.receiverInfo = Object.entries(h.headers).map(([key, value]) => ({ key, value: String(value) }));
    }
    return ep;
  }
  throw V2Error.badRequest('notification needs http or httpCustom');
}

function urlOf(u: unknown): string {
  if (typeof u !== 'string') throw V2Error.badRequest('notification url must be a string');
  try { new URL(u); } catch { throw V2Error.badRequest(`Invalid notification url: ${u.slice(0, 80)}`); }
  if (!/^https?:/.test(u)) throw V2Error.badRequest('notification url must be http or https');
  return u;
}

function notification(n: unknown): Record<string, unknown> {
  if (!isObj(n)) throw V2Error.badRequest('notification must be an object');
  for (const k of Object.keys(n)) {
    if (['exceptAttrs', 'onlyChangedAttrs', 'covered'].includes(k) && n[k] !== false && !(Array.isArray(n[k]) && (n[k] as unknown[]).length === 0)) throw V2Error.notSupported(`notification.${k} is not supported by this broker (docs/ngsiv2.md#not-supported)`);
    if (!['http', 'httpCustom', 'mqtt', 'mqttCustom', 'attrs', 'attrsFormat', 'metadata', 'exceptAttrs', 'onlyChangedAttrs', 'covered', 'maxFailsLimit',
      'timesSent', 'lastNotification', 'lastSuccess', 'lastFailure', 'lastSuccessCode', 'lastFailureReason', 'failsCounter', 'lastFailureCode'].includes(k)) throw V2Error.badRequest(`notification: unknown member "${k}"`);
  }
  const f = n.attrsFormat ?? 'normalized';
  if (!ATTRS_FORMATS.includes(f as V2Format)) throw V2Error.badRequest(`notification.attrsFormat must be one of ${ATTRS_FORMATS.join(', ')} (legacy is not supported)`);
  const out: Record<string, unknown> = { endpoint: endpoint(n), format: V2_FORMAT_PREFIX + String(f) };
  if (n.attrs !== undefined) {
    if (!Array.isArray(n.attrs) || !n.attrs.every((a) => typeof a === 'string')) throw V2Error.badRequest('notification.attrs must be an array of attribute names');
    if (n.attrs.length) out.attributes = n.attrs;
  }
  return out;
}

function expires(v: unknown): string {
  if (typeof v !== 'string' || Number.isNaN(new Date(v).getTime())) throw V2Error.badRequest('expires must be an ISO 8601 date-time');
  return new Date(v).toISOString();
}

function status(v: unknown): boolean {
  if (v !== 'active' && v !== 'inactive') throw V2Error.badRequest('status must be active or inactive');
  return v === 'active';
}

/** A v2 subscription (create) as an NGSI-LD subscription body. */
export function subscriptionFromV2(body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw V2Error.parseError('The body must be a JSON object');
  for (const k of Object.keys(body)) if (!['description', 'subject', 'notification', 'expires', 'throttling', 'status', 'id'].includes(k)) throw V2Error.badRequest(`unknown member "${k}" of a subscription`);
  if (body.id !== undefined) throw V2Error.badRequest('the id of a subscription is given by the broker');
  if (body.subject === undefined) throw V2Error.badRequest('no subject for subscription specified');
  if (body.notification === undefined) throw V2Error.badRequest('no notification for subscription specified');
  const out: Record<string, unknown> = { type: 'Subscription' };
  if (body.description !== undefined) out.description = String(body.description);
  subject(body.subject, out);
  out.notification = notification(body.notification);
  if (body.expires !== undefined) out.expiresAt = expires(body.expires);
  if (body.throttling !== undefined) {
    if (typeof body.throttling !== 'number' || body.throttling < 0) throw V2Error.badRequest('throttling must be a non-negative number');
    if (body.throttling > 0) out.throttling = body.throttling;
  }
  if (body.status !== undefined) out.isActive = status(body.status);
  return out;
}

/** A v2 PATCH fragment as an NGSI-LD subscription fragment. */
export function fragmentFromV2(body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw V2Error.parseError('The body must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    switch (k) {
      case 'description': out.description = String(v); break;
      case 'subject': {
        const s: Record<string, unknown> = {};
        subject(v, s);
        out.entities = s.entities ?? null; out.watchedAttributes = s.watchedAttributes ?? null; out.q = s.q ?? null; out.geoQ = s.geoQ ?? null; out.notificationTrigger = s.notificationTrigger;
        break;
      }
      // Orion replaces the whole notification: what the fragment leaves out is reset.
      case 'notification': out.notification = { attributes: null, ...notification(v) }; break;
      case 'expires': out.expiresAt = v === '' || v === null ? null : expires(v); break;
      case 'throttling':
        if (typeof v !== 'number' || v < 0) throw V2Error.badRequest('throttling must be a non-negative number');
        out.throttling = v === 0 ? null : v; break;
      case 'status': out.isActive = status(v); break;
      default: throw V2Error.badRequest(`unknown member "${k}" of a subscription`);
    }
  }
  return out;
}

/** A stored subscription in Orion's shape (whatever API created it). */
export function subscriptionToV2(s: StoredSubscription, st: 'active' | 'paused' | 'expired', terms: Terms): Record<string, unknown> {
  const def = s.definition as unknown as SubscriptionDef;
  const out: Record<string, unknown> = { id: s.id };
  if (def.description) out.description = def.description;
  const entities = (def.entities ?? [{ idPattern: '.*', type: undefined as unknown as string }]).map((e) => {
    const sel: Record<string, unknown> = {};
    const exact = e.idPattern && /^\^((?:[^.*+?^${}()|[\]\\]|\\[.*+?^${}()|[\]\\])*)\$$/.exec(e.idPattern);
    if (e.id) sel.id = e.id;
    else if (exact) sel.id = exact[1].replace(/\\(.)/g, '$1');
    else sel.idPattern = e.idPattern ?? '.*';
    if (e.type) sel.type = terms.compactType(terms.expandType(e.type));
    return sel;
  });
  const condition: Record<string, unknown> = { attrs: def.watchedAttributes ?? [] };
  const expression: Record<string, unknown> = {};
  if (def.q) expression.q = def.q;
  if (Object.keys(expression).length) condition.expression = expression;
  out.subject = { entities, condition };
  const n = def.notification;
  const st2 = s.stats;
  const fmt = n.format?.startsWith(V2_FORMAT_PREFIX) ? n.format.slice(V2_FORMAT_PREFIX.length) : (n.format === 'keyValues' ? 'keyValues' : 'normalized');
  const headers = n.endpoint.receiverInfo;
  const notif: Record<string, unknown> = {
    attrs: n.attributes ?? [], onlyChangedAttrs: false, attrsFormat: fmt,
    ...(headers?.length ? { httpCustom: { url: n.endpoint.uri, headers: Object.fromEntries(headers.map((h) => [h.key, h.value])) } } : { http: { url: n.endpoint.uri } }),
    timesSent: st2.timesSent,
  };
  if (st2.lastNotification) notif.lastNotification = st2.lastNotification;
  if (st2.lastSuccess) notif.lastSuccess = st2.lastSuccess;
  if (st2.lastFailure) notif.lastFailure = st2.lastFailure;
  if (st2.lastFailureReason) notif.lastFailureReason = st2.lastFailureReason;
  notif.failsCounter = st2.lastFailure && (!st2.lastSuccess || st2.lastFailure > st2.lastSuccess) ? 1 : 0;
  out.notification = notif;
  if (def.expiresAt) out.expires = def.expiresAt;
  if (def.throttling) out.throttling = def.throttling;
  out.status = st === 'paused' ? 'inactive' : st === 'expired' ? 'expired' : (notif.failsCounter ? 'failed' : 'active');
  return out;
}
