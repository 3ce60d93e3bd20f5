// Subscription operations (clause 5.8) and notification behaviour (clause 5.11): reacts to the write path's
// 'entity.changed' events, matches by index, renders, throttles, and hands notifications to the dispatcher.
import { randomUUID } from 'node:crypto';
import { AlreadyExists, ResourceNotFound, StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { AccessGuard, OwnerAccess } from '../../core/access.ts';
import type { EntityChange, EventBus } from '../../core/events.ts';
import type { EntityFilter, EntityReader, EntityRecord } from '../../storage/port.ts';
import type { ClusterEvent, ClusterFeed, ClusterTiming } from '../../storage/port.cluster.ts';
import type { DeliveryDelta, DeliveryStats, StoredSubscription, SubscriptionStore } from '../../storage/port.subscriptions.ts';
import type { Terms } from '../context/term-map.ts';
import { matchesGeoQuery, newGeoWork } from '../geo/geo.query.ts';
import { buildNotification, renderCurrent, renderMatch, renderOptionsOf } from './notification.render.ts';
import { joinLinked, type JoinOptions } from '../entities/entity.join.ts';
import { HttpNotifier } from './notifier.http.ts';
import { MqttNotifier } from './notifier.mqtt.ts';
import { Dispatcher, type Delivery, type DeliveryPolicy, type DispatchPort, type Notifier, type Outcome } from './subscriptions.dispatcher.ts';
import { RemoteDispatcher, type OutcomeCounts } from './dispatch.remote.ts';
import { diffAttrs, evaluateChange, matchesNow, statusOf, SubscriptionIndex, toLive, type LiveSub, type MatchResult } from './subscriptions.matcher.ts';
import { Ownership, ownerOf } from './subscriptions.ownership.ts';
import { NotificationLog } from './notify.log.ts';
import { checkCounts, checkRates, raiseToMinimums, withOwnerAccess, type SubscriptionLimits } from './subscriptions.limits.ts';
import { COMPILED_SOURCES, compile, mergeFragment, parseDefinition, type CompiledSub, type SubscriptionDef } from './subscriptions.schema.ts';

export interface NotifyConfig extends DeliveryPolicy {
  /** One summary line per endpoint and interval for repeated failures and drops, in seconds. */
  logIntervalS: number;
  /** Allow endpoints at private addresses (SSRF guard off). */
  allowPrivate: boolean;
  /** Send an initial notification with the currently matching entities on creation. */
  initial: boolean;
  /** Most entities in one initial or periodic notification. */
  maxEntities: number;
  /** How often throttled and periodic notifications are checked, and counters flushed, in ms. */
  tickMs: number;
  /** Run the dispatcher and its sockets in a worker thread (off: on the main event loop). */
  worker: boolean;
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SubscriptionServiceDeps {
  store: SubscriptionStore;
  entities: EntityReader;
  contexts: { resolve(context: unknown): Promise<Terms> };
  bus: EventBus;
  clock: Clock;
  config: NotifyConfig;
  coreContextUrl: string;
  logger?: Log;
  /** Replaces the HTTP/MQTT notifiers (tests). */
  notifiers?: Record<string, Notifier>;
  /** Limits (docs/security.md#limits): subscriptions per principal and per tenant, shortest timeInterval and throttling in seconds. */
  limits?: SubscriptionLimits;
  /** Several nodes on one database: changes and subscription notices travel over this feed, and each subscription is notified by its one owner. */
  cluster?: { feed: ClusterFeed; timing: ClusterTiming };
}

type Live = LiveSub & { terms?: Terms; joinChain?: Promise<void> };

/** The subscription's notification.join as join options (none for join=@none or no join). */
function joinOf(sub: LiveSub): JoinOptions | undefined {
  const n = sub.def.notification;
  if (n.join !== 'inline' && n.join !== 'flat') return undefined;
  return { mode: n.join, level: n.joinLevel ?? 1, containedBy: new Set() };
}

export class SubscriptionService {
  readonly index = new SubscriptionIndex();
  private readonly dispatcher: DispatchPort;
  private readonly deltas = new Map<string, DeliveryDelta>();
  /** Counters being written by flush(): still shown by GET until the store has them. */
  private writing = new Map<string, DeliveryDelta>();
  private readonly throttled = new Map<Live, Map<string, Record<string, unknown>>>();
  private buffer: EntityChange[] = [];
  private scheduled = false;
  /** Initial and periodic queries still running (idle() waits for them before they reach the dispatcher). */
  private querying = 0;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private flushing: Promise<void> = Promise.resolve();
  private lastFlush = 0;
  private readonly ownership?: Ownership;
  private readonly failures: NotificationLog;
  private owners?: OwnerAccess;
  private reloads: Promise<void> = Promise.resolve();

  constructor(private readonly d: SubscriptionServiceDeps) {
    const cfg = d.config;
    const feed = d.cluster?.feed;
    if (feed) this.ownership = new Ownership(feed.nodeId, () => feed.liveNodes());
    this.failures = new NotificationLog(d.logger, cfg.logIntervalS * 1000);
    const init = {
      queueMax: cfg.queueMax, concurrency: cfg.concurrency, timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs, backoffMaxMs: cfg.backoffMaxMs,
      endpointQueueMax: cfg.endpointQueueMax, endpointQueueBytes: cfg.endpointQueueBytes, queueBytes: cfg.queueBytes,
    };
    if (cfg.worker && !d.notifiers) {
      this.dispatcher = new RemoteDispatcher({ ...init, allowPrivate: cfg.allowPrivate }, (c, at) => this.record(c, at), () => d.clock.now());
      return;
    }
    let notifiers = d.notifiers;
    if (!notifiers) {
      const httpN = new HttpNotifier({ allowPrivate: cfg.allowPrivate });
      const mqttN = new MqttNotifier({ allowPrivate: cfg.allowPrivate });
      notifiers = { 'http:': httpN, 'https:': httpN, 'mqtt:': mqttN, 'mqtts:': mqttN };
    }
    this.dispatcher = new Dispatcher({
      ...init, notifiers, now: () => d.clock.now(),
      onOutcome: (del: Delivery, o: Outcome) => this.record({
        tenant: del.tenant, subId: del.subId, uri: del.uri, sent: o.dropped ? 0 : 1, dropped: o.dropped ? 1 : 0, ok: o.ok ? 1 : 0, failed: o.ok ? 0 : 1, lastOk: o.ok, reason: o.reason, finals: 0,
      }, o.at),
    });
  }

  private now(): Date { return this.d.clock.now(); }

  /** Loads every stored subscription (they survive restarts) and starts listening to changes. */
  async start(): Promise<void> {
    const feed = this.d.cluster?.feed;
    // Alone, a node shares nothing: by its view it owns every subscription and matches every change
    // itself. Nor while the cluster has no subscription (every node loads all of them).
    if (feed) feed.shareChanges = () => this.index.size > 0 && feed.liveNodes().length > 1;
    // The feed starts before the subscriptions are read: what committed before its first read is in
    // the stored subscriptions read below, what commits after is handed over by the feed — held
    // until they are loaded, then applied in order (a notice reloads its subscription: no gap).
    let held: Array<() => void> | undefined = [];
    const hold = (f: () => void) => (held ? held.push(f) : f());
    if (this.d.cluster) await this.d.cluster.feed.start(this.d.cluster.timing, {
      events: (events) => hold(() => this.onClusterEvents(events)),
      nodesGone: (gone, before, events) => hold(() => this.takeOver(gone, before, events)),
      warn: (obj, msg) => this.d.logger?.warn(obj, msg),
    });
    const nowMs = this.now().getTime();
    for (const { tenant, sub } of await this.d.store.all()) {
      const live = this.live(tenant, sub.definition as unknown as SubscriptionDef, sub.compiled as CompiledSub, sub.context, sub.owner);
      if (live.timeIntervalMs) live.nextPeriodicMs = nowMs + live.timeIntervalMs;
      this.index.add(live);
    }
    const pending = held;
    held = undefined;
    for (const f of pending) f();
    this.unsubscribe = this.d.bus.on('entity.changed', (chs) => this.onChanges(chs));
    this.failures.start();
    this.timer = setInterval(() => { void this.tick().catch((e) => this.d.logger?.error({ err: e }, 'subscription tick failed')); }, this.d.config.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.d.cluster?.feed.stop();
    await this.reloads;
    await this.dispatcher.stop();
    await this.flush();
    this.failures.stop();
  }

  // ---- operations (clause 5.8) ----

  /** clause 5.8.1 */
  /**
   * clause 5.8.1. `owner`: the principal creating it (access control on). The other operations take
   * a `viewer`: undefined sees every subscription of the tenant (operators, access control off); a
   * principal id sees only the subscriptions it owns — others are answered as not existing.
   */
  async create(tenant: string, body: Record<string, unknown>, terms: Terms, owner?: string): Promise<string> {
    const now = this.now();
    const def = parseDefinition(body, { allowPrivate: this.d.config.allowPrivate }, { now, checkExpiry: true }, () => `urn:ngsi-ld:Subscription:${randomUUID()}`);
    if (this.d.limits) { checkRates(this.d.limits, def, body); checkCounts(this.d.limits, this.index.counts(tenant, owner), owner); }
    const compiled = compile(def, terms);
    // clause 5.2.12 jsonldContext: it must be resolvable now, not fail every notification later.
    if (def.jsonldContext) await this.d.contexts.resolve(def.jsonldContext);
    const context = terms.source ?? this.d.coreContextUrl;
    const at = now.toISOString();
    try {
      await this.d.store.create(tenant, { id: def.id, createdAt: at, modifiedAt: at, definition: def as unknown as Record<string, unknown>, context, compiled, owner });
    } catch (e) {
      if (e instanceof StorageConflict) throw new AlreadyExists(`Subscription ${def.id} already exists`, { cause: e });
      throw e;
    }
    const live: Live = this.live(tenant, def, compiled, context, owner);
    this.index.add(live);
    this.announce(tenant, def.id);
    if (statusOf(live, now.getTime()) === 'active') {
      if (live.timeIntervalMs) {
        live.nextPeriodicMs = now.getTime() + live.timeIntervalMs;
        void this.sendCurrent(live);
      } else if (this.d.config.initial) {
        void this.sendCurrent(live);
      }
    }
    return def.id;
  }

  /** The in-memory form, raised to the minimum timeInterval and throttling (docs/security.md#limits). */
  private live(tenant: string, def: SubscriptionDef, c: CompiledSub, context: unknown, owner?: string): Live {
    const l: Live = toLive(tenant, def, c, context, owner);
    if (this.d.limits) raiseToMinimums(this.d.limits, l);
    return l;
  }

  /** clause 5.8.3 */
  async get(tenant: string, id: string, viewer?: string): Promise<StoredSubscription> {
    return this.overlay(tenant, await this.visible(tenant, id, viewer));
  }

  /** The stored subscription, if it exists and the viewer may see it. */
  private async visible(tenant: string, id: string, viewer: string | undefined): Promise<StoredSubscription> {
    const s = await this.d.store.get(tenant, id);
    if (!s || (viewer !== undefined && s.owner !== viewer)) throw new ResourceNotFound(`Subscription ${id} does not exist`);
    return s;
  }

  /** clause 5.8.4 */
  async list(tenant: string, page: { limit: number; offset: number }, viewer?: string): Promise<{ items: StoredSubscription[]; count: number }> {
    const r = await this.d.store.list(tenant, page, viewer);
    return { items: r.items.map((s) => this.overlay(tenant, s)), count: r.count };
  }

  tenantHasSubscriptions(tenant: string): Promise<boolean> {
    return this.d.store.tenantHasSubscriptions(tenant);
  }

  /** clause 5.8.2: the fragment's names are expanded with the PATCH request's @context. */
  async update(tenant: string, id: string, fragment: Record<string, unknown>, terms: Terms, viewer?: string): Promise<void> {
    const stored = await this.visible(tenant, id, viewer);
    const now = this.now();
    const merged = mergeFragment(stored.definition as unknown as SubscriptionDef, fragment);
    const def = parseDefinition(merged, { allowPrivate: this.d.config.allowPrivate }, { now, checkExpiry: 'expiresAt' in fragment }, () => id);
    if (this.d.limits) checkRates(this.d.limits, def, fragment);
    const fresh = compile(def, terms);
    if (def.jsonldContext && 'jsonldContext' in fragment) await this.d.contexts.resolve(def.jsonldContext);
    const old = stored.compiled as CompiledSub;
    const compiled: CompiledSub = {};
    for (const [k, member] of Object.entries(COMPILED_SOURCES) as Array<[keyof CompiledSub, string]>) {
      const piece = member in fragment ? fresh[k] : old[k];
      if (piece !== undefined) (compiled as Record<string, unknown>)[k] = piece;
    }
    try {
      await this.d.store.update(tenant, { id, createdAt: stored.createdAt, modifiedAt: now.toISOString(), definition: def as unknown as Record<string, unknown>, context: stored.context, compiled, owner: stored.owner });
    } catch (e) {
      if (e instanceof StorageNotFound) throw new ResourceNotFound(`Subscription ${id} does not exist`, { cause: e });
      throw e;
    }
    const prev = this.index.get(tenant, id);
    const live: Live = this.live(tenant, def, compiled, stored.context, stored.owner);
    live.lastSentMs = prev?.lastSentMs;
    if (live.timeIntervalMs) live.nextPeriodicMs = prev?.timeIntervalMs === live.timeIntervalMs && prev.nextPeriodicMs ? prev.nextPeriodicMs : now.getTime() + live.timeIntervalMs;
    if (prev) this.throttled.delete(prev as Live);
    this.index.add(live);
    this.announce(tenant, id);
  }

  /** clause 5.8.5 */
  async delete(tenant: string, id: string, viewer?: string): Promise<void> {
    if (viewer !== undefined) await this.visible(tenant, id, viewer);
    if (!(await this.d.store.delete(tenant, id))) throw new ResourceNotFound(`Subscription ${id} does not exist`);
    const live = this.index.remove(tenant, id);
    if (live) this.throttled.delete(live as Live);
    this.deltas.delete(`${tenant}\u0000${id}`);
    this.announce(tenant, id);
  }

  /** Status of a stored subscription as clause 5.2.12 shows it. */
  statusOf(s: StoredSubscription): 'active' | 'paused' | 'expired' {
    const def = s.definition as unknown as SubscriptionDef;
    return statusOf({ def, expiresAtMs: def.expiresAt ? new Date(def.expiresAt).getTime() : undefined }, this.now().getTime());
  }

  /** Stored counters plus what this node has not flushed yet. */
  private overlay(tenant: string, s: StoredSubscription): StoredSubscription {
    const key = `${tenant}\u0000${s.id}`;
    for (const dl of [this.writing.get(key), this.deltas.get(key)]) if (dl) s = this.apply(s, dl);
    return s;
  }

  private apply(s: StoredSubscription, dl: DeliveryDelta): StoredSubscription {
    const st: DeliveryStats = { ...s.stats, timesSent: s.stats.timesSent + dl.sent, timesFailed: s.stats.timesFailed + dl.failed };
    const later = (a?: string, b?: string) => (a && (!b || a > b) ? a : b);
    st.lastNotification = later(dl.lastNotification, st.lastNotification);
    st.lastSuccess = later(dl.lastSuccess, st.lastSuccess);
    if (dl.lastFailure && (!st.lastFailure || dl.lastFailure >= st.lastFailure)) { st.lastFailure = dl.lastFailure; st.lastFailureReason = dl.lastFailureReason; }
    return { ...s, stats: st };
  }

  // ---- several nodes (docs/scaling.md#several-nodes) ----

  /** Whether this node notifies the subscription: always on one node, its rendezvous owner in a cluster. */
  private owns(sub: LiveSub): boolean {
    return this.ownership ? this.ownership.owns(sub.tenant, sub.id) : true;
  }

  /** Tells the other nodes that a subscription was created, changed or deleted (they reload it). */
  private announce(tenant: string, id: string): void {
    const feed = this.d.cluster?.feed;
    if (!feed) return;
    feed.publish([{ kind: 'subscription', tenant, id }]).catch((e) => this.d.logger?.error({ err: e, subscription: id }, 'subscription change could not be announced to the other nodes'));
  }

  private onClusterEvents(events: ClusterEvent[]): void {
    for (const ev of events) {
      if (ev.kind === 'entities') this.onChanges(ev.changes);
      // The feed is this service's; what other modules share over it goes on the event bus.
      else if (ev.kind === 'registry') this.d.bus.emit('cluster.registry');
      else if (ev.kind === 'policy') this.d.bus.emit('cluster.policy');
      else if (ev.kind === 'apikey') this.d.bus.emit('cluster.apikey', ev.id);
      else if (ev.kind === 'tenant') this.d.bus.emit('cluster.tenant', ev.name);
      else this.reloads = this.reloads.then(() => this.reload(ev.tenant, ev.id)).catch((e) => this.d.logger?.warn({ err: e, subscription: ev.id }, 'subscription could not be reloaded'));
    }
  }

  /**
   * Nodes are gone: the changes since shortly before their last heartbeat are matched again for the
   * subscriptions they owned that this node owns now (at-least-once: they may have sent some).
   */
  private takeOver(gone: string[], before: readonly string[], events: ClusterEvent[]): void {
    const changes: EntityChange[] = [];
    for (const ev of events) if (ev.kind === 'entities') changes.push(...ev.changes);
    if (changes.length === 0 || this.index.size === 0) return;
    const wasGone = (sub: LiveSub) => gone.includes(ownerOf(`${sub.tenant}\u0000${sub.id}`, before) ?? '');
    this.match(changes, (sub) => this.owns(sub) && wasGone(sub));
  }

  /** Takes over what another node stored for a subscription (or drops it when deleted there). */
  private async reload(tenant: string, id: string): Promise<void> {
    const s = await this.d.store.get(tenant, id);
    const prev = this.index.get(tenant, id);
    if (!s) {
      const gone = this.index.remove(tenant, id);
      if (gone) this.throttled.delete(gone as Live);
      return;
    }
    const live: Live = this.live(tenant, s.definition as unknown as SubscriptionDef, s.compiled as CompiledSub, s.context, s.owner);
    live.lastSentMs = prev?.lastSentMs;
    const nowMs = this.now().getTime();
    if (live.timeIntervalMs) live.nextPeriodicMs = prev?.timeIntervalMs === live.timeIntervalMs && prev.nextPeriodicMs ? prev.nextPeriodicMs : nowMs + live.timeIntervalMs;
    if (prev) this.throttled.delete(prev as Live);
    this.index.add(live);
  }

  // ---- notification behaviour (clause 5.11) ----

  /** Runs after the write's commit: the write path only appends to a buffer. */
  private onChanges(chs: EntityChange[]): void {
    if (this.index.size === 0) return;
    for (const c of chs) this.buffer.push(c);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.process());
  }

  private process(): void {
    this.scheduled = false;
    const changes = this.buffer;
    this.buffer = [];
    // Runs from setImmediate: an exception here would end the process.
    try {
      this.match(changes, (sub) => this.owns(sub));
    } catch (e) {
      this.d.logger?.error({ err: e }, 'changes could not be matched against the subscriptions');
    }
  }

  /** Matches changes against the subscriptions `accept` lets through and notifies them. */
  private match(changes: EntityChange[], accept: (sub: LiveSub) => boolean): void {
    if (this.index.size === 0) return;
    const nowMs = this.now().getTime();
    const bySub = new Map<Live, { at: string; matches: MatchResult[] }>();
    for (const ch of changes) {
      const upd = ch.kind === 'updated' || ch.kind === 'replaced';
      const diff = upd ? diffAttrs(ch.before as EntityRecord, ch.after as EntityRecord) : { created: [], updated: [], deleted: [] };
      for (const sub of this.index.candidates(ch, diff)) {
        if (statusOf(sub, nowMs) !== 'active' || sub.timeIntervalMs || !accept(sub)) continue;
        let m: MatchResult | undefined;
        try {
          m = evaluateChange(sub, ch, diff);
        } catch (e) {
          this.d.logger?.warn({ err: e, subscription: sub.id }, 'subscription could not be evaluated');
        }
        if (!m) continue;
        let e = bySub.get(sub as Live);
        if (!e) bySub.set(sub as Live, (e = { at: ch.at, matches: [] }));
        e.matches.push(m);
      }
    }
    for (const [sub, { at, matches: all }] of bySub) {
      this.asOwner(sub, (access) => {
        const matches = access === true ? all : all.filter((m) => access.mayRead(m.entity.types));
        if (matches.length === 0) return;
        const terms = sub.terms;
        if (terms) this.notifyMatches(sub, terms, at, matches, access);
        else {
          void this.termsOf(sub).then((t) => this.notifyMatches(sub, t, at, matches, access))
            .catch((e) => this.d.logger?.warn({ err: e, subscription: sub.id }, 'the @context of a subscription could not be resolved'));
        }
      });
    }
  }

  /** Access control on: judges subscription owners from now on (a revoked owner's subscriptions fall silent). */
  useOwners(owners: OwnerAccess): void { this.owners = owners; }

  /** Runs `fn` with what the owner may read now, or not at all (subscriptions.limits.ts). */
  private asOwner(sub: LiveSub, fn: (access: true | AccessGuard) => void): void {
    withOwnerAccess(this.owners, sub, fn, (e) => this.d.logger?.warn({ err: e, subscription: sub.id }, 'the owner of a subscription could not be checked; its notification is not sent'));
  }

  private async termsOf(sub: Live): Promise<Terms> {
    if (!sub.terms) sub.terms = await this.d.contexts.resolve(sub.context);
    return sub.terms;
  }

  private notifyMatches(sub: Live, terms: Terms, at: string, matches: MatchResult[], access: true | AccessGuard): void {
    const join = joinOf(sub);
    if (!join) {
      const data: Array<Record<string, unknown>> = [];
      for (const m of matches) data.push(renderMatch(m, terms, at));
      this.deliverOrThrottle(sub, terms, data);
      return;
    }
    // notification.join (clause 5.2.14, 4.5.23): the linked entities are read as stored when the notification is
    // built. One chain per subscription keeps its notifications in the order of the changes.
    this.querying++;
    sub.joinChain = (sub.joinChain ?? Promise.resolve()).then(async () => {
      const live = matches.filter((m) => !m.entityDeleted);
      const of = new Map(live.map((m) => [m.entity, m]));
      const j = await joinLinked({
        reader: this.d.entities, tenant: sub.tenant, roots: live.map((m) => m.entity), terms, opts: renderOptionsOf(sub), join,
        access: access === true ? undefined : access, renderRoot: (rec, link) => renderMatch(of.get(rec)!, terms, at, link),
      });
      let i = 0;
      const data = matches.map((m) => (m.entityDeleted ? renderMatch(m, terms, at) : j.roots[i++]));
      this.deliverOrThrottle(sub, terms, [...data, ...j.extra]);
    }).catch((e) => this.d.logger?.warn({ err: e, subscription: sub.id }, 'the linked entities of a notification could not be read; it is not sent'))
      .finally(() => { this.querying--; });
  }

  private deliverOrThrottle(sub: Live, terms: Terms, data: Array<Record<string, unknown>>): void {
    const nowMs = this.now().getTime();
    if (sub.throttlingMs && sub.lastSentMs !== undefined && nowMs - sub.lastSentMs < sub.throttlingMs) {
      // Throttling: within the window changes are coalesced (latest state per entity) and sent when it ends.
      let pending = this.throttled.get(sub);
      if (!pending) this.throttled.set(sub, (pending = new Map()));
      for (const item of data) pending.set(String(item.id), item);
      return;
    }
    this.send(sub, terms, data);
  }

  private send(sub: Live, terms: Terms, data: Array<Record<string, unknown>>): void {
    if (this.index.get(sub.tenant, sub.id) !== sub) return; // deleted or replaced meanwhile
    const now = this.now();
    sub.lastSentMs = now.getTime();
    const ep = sub.def.notification.endpoint;
    const delivery: Delivery = {
      tenant: sub.tenant, subId: sub.id, uri: ep.uri, message: buildNotification(sub, data, terms, now.toISOString(), this.d.coreContextUrl),
      receiverInfo: ep.receiverInfo, notifierInfo: ep.notifierInfo, timeoutMs: ep.timeout, cooldownMs: ep.cooldown, attempt: 0,
    };
    this.dispatcher.enqueue(delivery);
  }

  /** Initial (clause 5.8.1) and periodic (timeInterval) notifications: the entities matching now. */
  private async sendCurrent(sub: Live): Promise<void> {
    this.querying++;
    try {
      const access = this.owners && sub.owner !== undefined ? await this.owners.decide(sub.owner, sub.tenant) : true;
      if (access === false) return;
      const list = (await this.currentEntities(sub)).filter((e) => access === true || access.mayRead(e.types));
      if (list.length === 0) return;
      const terms = await this.termsOf(sub);
      const join = joinOf(sub);
      if (!join) {
        this.send(sub, terms, list.map((e) => renderCurrent(sub, e, terms)));
        return;
      }
      const j = await joinLinked({
        reader: this.d.entities, tenant: sub.tenant, roots: list, terms, opts: renderOptionsOf(sub), join,
        access: access === true ? undefined : access, renderRoot: (rec, link) => renderCurrent(sub, rec, terms, link),
      });
      this.send(sub, terms, [...j.roots, ...j.extra]);
    } catch (e) {
      this.d.logger?.warn({ err: e, subscription: sub.id }, 'current entities of a subscription could not be queried');
    } finally {
      this.querying--;
    }
  }

  private async currentEntities(sub: LiveSub): Promise<EntityRecord[]> {
    const c = sub.c;
    const max = this.d.config.maxEntities;
    const out = new Map<string, EntityRecord>();
    const work = newGeoWork(); // one geo budget for the whole initial query, as for a query request
    for (const sel of c.entities ?? [undefined]) {
      const f: EntityFilter = {};
      if (sel?.id) f.ids = [sel.id];
      else if (sel?.idPattern) f.idPattern = sel.idPattern;
      if (sel) f.types = sel.types;
      if (c.q) f.q = c.q;
      if (c.scopeQ) f.scopeQ = c.scopeQ;
      if (c.watched) f.anyAttrs = c.watched;
      if (c.geoQ) {
        const g = c.geoQ;
        f.geo = { property: g.property, bbox: g.bbox, predicate: (v) => matchesGeoQuery(g, v as Parameters<typeof matchesGeoQuery>[1], work) };
      }
      const r = await this.d.entities.query(sub.tenant, f, { limit: max, offset: 0, count: false });
      for (const e of r.entities) if (out.size < max && matchesNow(sub, e)) out.set(e.id, e);
    }
    return [...out.values()];
  }

  /** Periodic work: due timeInterval notifications, ends of throttling windows, counter flush. */
  async tick(): Promise<void> {
    const nowMs = this.now().getTime();
    const work: Array<Promise<void>> = [];
    for (const sub of this.index.all() as IterableIterator<Live>) {
      if (!sub.timeIntervalMs || statusOf(sub, nowMs) !== 'active' || !this.owns(sub)) continue;
      if ((sub.nextPeriodicMs ?? 0) <= nowMs) {
        sub.nextPeriodicMs = nowMs + sub.timeIntervalMs;
        work.push(this.sendCurrent(sub));
      }
    }
    for (const [sub, pending] of this.throttled) {
      if (sub.lastSentMs !== undefined && nowMs - sub.lastSentMs < (sub.throttlingMs ?? 0)) continue;
      this.throttled.delete(sub);
      if (statusOf(sub, nowMs) === 'active' && pending.size) this.asOwner(sub, () => work.push(this.termsOf(sub).then((t) => this.send(sub, t, [...pending.values()]))));
    }
    await Promise.all(work);
    // Counters reach the store about once a second (GET adds what is not written yet).
    if (Date.now() - this.lastFlush >= 1000) await this.flush();
  }

  /** Notification attempts, failures and drops (queue full) since start (operations metrics). */
  private readonly totals = { sent: 0, failed: 0, dropped: 0 };

  /** For operations metrics: deliveries waiting or in flight, attempts, failures and drops since start. */
  deliveryStats(): { queued: number; sent: number; failed: number; dropped: number } {
    return { queued: this.dispatcher.pending, ...this.totals };
  }

  /** clause 5.2.14 counters: every attempt is sent; failures also count as failed; last* are stamped on our clock. */
  private record(c: OutcomeCounts, atDate: Date): void {
    this.totals.sent += c.sent;
    this.totals.failed += c.failed;
    this.totals.dropped += c.dropped;
    if (!c.subId) {
      this.d.logger?.error({ reason: c.reason }, 'notification dispatch failed');
      return;
    }
    const key = `${c.tenant}\u0000${c.subId}`;
    let dl = this.deltas.get(key);
    if (!dl) this.deltas.set(key, (dl = { tenant: c.tenant, id: c.subId, sent: 0, failed: 0 }));
    const at = atDate.toISOString();
    // Both in one batch: the one that happened last gets the later timestamp, so status shows it.
    const earlier = new Date(atDate.getTime() - 1).toISOString();
    if (c.sent) { dl.sent += c.sent; dl.lastNotification = at; }
    if (c.ok) dl.lastSuccess = c.failed && !c.lastOk ? earlier : at;
    if (c.failed) {
      dl.failed += c.failed;
      dl.lastFailure = c.ok && c.lastOk ? earlier : at;
      dl.lastFailureReason = c.reason;
      this.failures.note(c.uri, c.subId, c.failed, c.dropped, c.reason);
    }
  }

  /** Writes the counters gathered since the last flush (additive, so several nodes can report). */
  flush(): Promise<void> {
    this.lastFlush = Date.now();
    this.flushing = this.flushing.then(async () => {
      if (this.deltas.size === 0) return;
      this.writing = new Map(this.deltas);
      this.deltas.clear();
      try {
        await this.d.store.addDeliveryStats([...this.writing.values()]);
      } catch (e) {
        this.d.logger?.error({ err: e }, 'subscription counters could not be stored');
      } finally {
        this.writing = new Map();
      }
    });
    return this.flushing;
  }

  /** Waits until queued notifications have been attempted (tests, benchmarks). */
  async idle(timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((this.scheduled || this.querying > 0 || this.dispatcher.busy) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  }
}
