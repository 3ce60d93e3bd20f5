// Finds the subscriptions a change concerns (clause 5.11): an index by entity id, entity type and watched
// attribute narrows the candidates, then each candidate's triggers, q, geoQ and scopeQ are checked in process.
import { TooComplexQuery } from '../../core/errors.ts';
import type { EntityChange } from '../../core/events.ts';
import type { AttrInstance, EntityRecord } from '../../storage/port.ts';
import { storedRegex } from '../../storage/regex.ts';
import { matchesGeoQuery } from '../geo/geo.query.ts';
import { scopeMatches, type TypeNode } from '../../storage/query-ast.ts';
import { typeMatches, typeNames } from '../query/type.parser.ts';
import { evaluateQ } from './q.evaluate.ts';
import { DEFAULT_TRIGGERS, type CompiledSub, type SubscriptionDef, type Trigger } from './subscriptions.schema.ts';

/** A subscription as the matcher and dispatcher hold it in memory. */
export interface LiveSub {
  tenant: string;
  id: string;
  def: SubscriptionDef;
  c: CompiledSub;
  /** The @context notifications are compacted with (jsonldContext, else the creation request's). */
  context: unknown;
  triggers: Set<Trigger>;
  expiresAtMs?: number;
  throttlingMs?: number;
  timeIntervalMs?: number;
  /** When the last notification was handed to the dispatcher (throttling). */
  lastSentMs?: number;
  /** Next periodic notification (timeInterval). */
  nextPeriodicMs?: number;
  /** The principal that created it (access control on): notifications go out only while it may read them. */
  owner?: string;
}

export function toLive(tenant: string, def: SubscriptionDef, c: CompiledSub, context: unknown, owner?: string): LiveSub {
  const live: LiveSub = { tenant, id: def.id, def, c, context: def.jsonldContext ?? context, triggers: new Set(def.notificationTrigger ?? DEFAULT_TRIGGERS) };
  if (owner !== undefined) live.owner = owner;
  if (def.expiresAt) live.expiresAtMs = new Date(def.expiresAt).getTime();
  if (def.throttling) live.throttlingMs = def.throttling * 1000;
  if (def.timeInterval) live.timeIntervalMs = def.timeInterval * 1000;
  return live;
}

/** clause 5.2.12 status: paused (isActive false), expired (expiresAt passed), else active. */
export function statusOf(s: LiveSub | { def: SubscriptionDef; expiresAtMs?: number }, nowMs: number): 'active' | 'paused' | 'expired' {
  if (s.expiresAtMs !== undefined && s.expiresAtMs <= nowMs) return 'expired';
  return s.def.isActive ? 'active' : 'paused';
}

/** Attribute-level difference of one write: IRIs created, updated (any member changed) and deleted. */
export interface AttrDiff { created: string[]; updated: string[]; deleted: string[] }

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

export function diffAttrs(before: EntityRecord | undefined, after: EntityRecord | undefined): AttrDiff {
  const d: AttrDiff = { created: [], updated: [], deleted: [] };
  const b = before?.attrs ?? {};
  const a = after?.attrs ?? {};
  for (const k of Object.keys(a)) {
    if (!(k in b)) d.created.push(k);
    else if (!equal(a[k], b[k])) d.updated.push(k);
  }
  for (const k of Object.keys(b)) if (!(k in a)) d.deleted.push(k);
  return d;
}

/** What one change means for one subscription: which entity state to send and which attributes changed. */
export interface MatchResult {
  sub: LiveSub;
  entity: EntityRecord;
  before?: EntityRecord;
  entityDeleted: boolean;
  /** Attributes to show as deleted (attributeDeleted fired). */
  deletedAttrs: string[];
  /** Attributes updated in place (for showChanges). */
  updatedAttrs: string[];
}

function selected(sub: LiveSub, e: EntityRecord): boolean {
  if (!sub.c.entities) return true;
  const types = new Set(e.types);
  return sub.c.entities.some((s) => {
    if (s.id !== undefined) { if (s.id !== e.id) return false; } else if (s.idPattern !== undefined && !storedRegex(s.idPattern).test(e.id)) return false;
    return typeMatches(s.types, types);
  });
}

function inFilter(sub: LiveSub, e: EntityRecord): boolean {
  const c = sub.c;
  if (c.q && !evaluateQ(c.q, e)) return false;
  if (c.scopeQ && !scopeMatches(c.scopeQ, e.scopes ?? [])) return false;
  if (c.geoQ) {
    const g: AttrInstance | undefined = e.attrs[c.geoQ.property]?.[0];
    if (!g || g.type !== 'GeoProperty' || !g.value || !geoMatches(c.geoQ, g.value as Parameters<typeof matchesGeoQuery>[1])) return false;
  }
  return true;
}

/** One change, one check: a geometry pair over the geo time budget (DREHSCHEIBE_GEO_BUDGET_MS) does not match. */
function geoMatches(q: Parameters<typeof matchesGeoQuery>[0], g: Parameters<typeof matchesGeoQuery>[1]): boolean {
  try {
    return matchesGeoQuery(q, g);
  } catch (e) {
    if (e instanceof TooComplexQuery) return false;
    throw e;
  }
}

/** clause 5.11: does the change fire the subscription, and with what? (Activity is checked by the caller.) */
export function evaluateChange(sub: LiveSub, ch: EntityChange, diff: AttrDiff): MatchResult | undefined {
  const before = ch.before as EntityRecord | undefined;
  const after = ch.after as EntityRecord | undefined;
  const entity = after ?? before;
  if (!entity || !selected(sub, entity)) return undefined;
  const watched = sub.c.watched;
  const w = (list: string[]) => (watched ? list.filter((a) => watched.includes(a)) : list);
  const t = sub.triggers;
  let fired = false;
  let deletedAttrs: string[] = [];
  let updatedAttrs: string[] = [];
  if (ch.kind === 'created') {
    const attrs = w(Object.keys(entity.attrs));
    fired = (t.has('entityCreated') && (!watched || attrs.length > 0)) || (t.has('attributeCreated') && attrs.length > 0);
  } else if (ch.kind === 'deleted') {
    fired = t.has('entityDeleted') && (!watched || w(Object.keys(entity.attrs)).length > 0);
  } else {
    const created = w(diff.created);
    const updated = w(diff.updated);
    const deleted = w(diff.deleted);
    const typeOrScope = !watched && before !== undefined && after !== undefined
      && (!equal(before.types, after.types) || !equal(before.scopes, after.scopes));
    if (t.has('attributeCreated') && created.length) fired = true;
    if (t.has('attributeUpdated') && updated.length) fired = true;
    if (t.has('attributeDeleted') && deleted.length) { fired = true; deletedAttrs = deleted; }
    if (t.has('entityUpdated') && (created.length || updated.length || deleted.length || typeOrScope)) {
      fired = true;
      deletedAttrs = deleted;
    }
    updatedAttrs = updated;
  }
  if (!fired || !inFilter(sub, entity)) return undefined;
  return { sub, entity, before, entityDeleted: ch.kind === 'deleted', deletedAttrs, updatedAttrs };
}

/** Whether an entity currently satisfies the subscription (initial and periodic notifications). */
export function matchesNow(sub: LiveSub, e: EntityRecord): boolean {
  if (!selected(sub, e) || !inFilter(sub, e)) return false;
  return !sub.c.watched || sub.c.watched.some((a) => a in e.attrs);
}

interface TenantIndex {
  byId: Map<string, Set<LiveSub>>;
  byType: Map<string, Set<LiveSub>>;
  byAttr: Map<string, Set<LiveSub>>;
}

function put(m: Map<string, Set<LiveSub>>, k: string, s: LiveSub): void {
  let set = m.get(k);
  if (!set) m.set(k, (set = new Set()));
  set.add(s);
}

function drop(m: Map<string, Set<LiveSub>>, k: string, s: LiveSub): void {
  const set = m.get(k);
  if (set && set.delete(s) && set.size === 0) m.delete(k);
}

/** Index keys of a subscription: selectors with an id by id, the others by every type name; no selector: by watched attribute. */
function keys(s: LiveSub): Array<['byId' | 'byType' | 'byAttr', string]> {
  const out: Array<['byId' | 'byType' | 'byAttr', string]> = [];
  if (s.c.entities) {
    for (const sel of s.c.entities) {
      if (sel.id !== undefined) out.push(['byId', sel.id]);
      else for (const t of typeNames(sel.types as TypeNode)) out.push(['byType', t]);
    }
  } else {
    for (const a of s.c.watched ?? []) out.push(['byAttr', a]);
  }
  return out;
}

/** The subscriptions of every tenant, indexed so that a change touches only its candidates. */
export class SubscriptionIndex {
  private readonly tenants = new Map<string, TenantIndex>();
  private readonly subs = new Map<string, LiveSub>();
  /** Subscriptions per tenant and per owner (limits, docs/security.md#limits). */
  private readonly perTenant = new Map<string, number>();
  private readonly perOwner = new Map<string, number>();

  private tenant(t: string): TenantIndex {
    let ti = this.tenants.get(t);
    if (!ti) this.tenants.set(t, (ti = { byId: new Map(), byType: new Map(), byAttr: new Map() }));
    return ti;
  }

  get size(): number { return this.subs.size; }
  get(tenant: string, id: string): LiveSub | undefined { return this.subs.get(`${tenant}\u0000${id}`); }
  all(): IterableIterator<LiveSub> { return this.subs.values(); }
  /** How many subscriptions the tenant has, and the owner (in all tenants). */
  counts(tenant: string, owner: string | undefined): { tenant: number; owner: number } {
    return { tenant: this.perTenant.get(tenant) ?? 0, owner: owner === undefined ? 0 : this.perOwner.get(owner) ?? 0 };
  }

  add(s: LiveSub): void {
    this.remove(s.tenant, s.id);
    this.subs.set(`${s.tenant}\u0000${s.id}`, s);
    bump(this.perTenant, s.tenant, 1);
    if (s.owner !== undefined) bump(this.perOwner, s.owner, 1);
    // Periodic subscriptions do not react to changes (clause 5.11), so they are not indexed.
    if (s.timeIntervalMs) return;
    const ti = this.tenant(s.tenant);
    for (const [m, k] of keys(s)) put(ti[m], k, s);
  }

  remove(tenant: string, id: string): LiveSub | undefined {
    const key = `${tenant}\u0000${id}`;
    const s = this.subs.get(key);
    if (!s) return undefined;
    this.subs.delete(key);
    bump(this.perTenant, tenant, -1);
    if (s.owner !== undefined) bump(this.perOwner, s.owner, -1);
    const ti = this.tenants.get(tenant);
    if (ti) for (const [m, k] of keys(s)) drop(ti[m], k, s);
    return s;
  }

  /** Subscriptions that may be concerned by a change (a superset; evaluateChange decides). */
  candidates(ch: EntityChange, diff: AttrDiff): Set<LiveSub> {
    const out = new Set<LiveSub>();
    const ti = this.tenants.get(ch.tenant);
    if (!ti) return out;
    const add = (set: Set<LiveSub> | undefined) => { if (set) for (const s of set) out.add(s); };
    add(ti.byId.get(ch.id));
    const before = ch.before as EntityRecord | undefined;
    const after = ch.after as EntityRecord | undefined;
    for (const t of after?.types ?? []) add(ti.byType.get(t));
    if (before) for (const t of before.types) if (!after?.types.includes(t)) add(ti.byType.get(t));
    if (ti.byAttr.size) {
      const attrs = ch.kind === 'updated' || ch.kind === 'replaced'
        ? [...diff.created, ...diff.updated, ...diff.deleted]
        : Object.keys((after ?? before)?.attrs ?? {});
      for (const a of attrs) add(ti.byAttr.get(a));
    }
    return out;
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n > 0) m.set(k, n); else m.delete(k);
}
