// Entity operations (clause 5.6 / 5.7) and the one write path: every write runs in a storage
// transaction, and its changes are published on the event bus after commit.
import { AlreadyExists, Forbidden, PreconditionFailed, ResourceNotFound, StorageConflict, ProblemError, BadRequestData } from '../../core/errors.ts';
import type { AccessGuard } from '../../core/access.ts';
import type { Clock } from '../../core/clock.ts';
import type { EntityChange, EventBus } from '../../core/events.ts';
import type { AttrInstance, AttrType, EntityFilter, EntityRecord, Page, QueryResult, StoragePort, WriteTx } from '../../storage/port.ts';
import { combineInstances, hasInstances, isNullInstance, mergeEntityAttrs, mergeInstance, replaced } from './entity.merge.ts';
import { recordHistory } from '../temporal/history.diff.ts';
import { recordEtag } from './entity.views.ts';

export interface UpdateResult {
  updated: string[];
  notUpdated: Array<{ attributeName: string; reason: string }>;
}

export interface BatchResult {
  success: string[];
  errors: Array<{ entityId: string; error: ProblemError }>;
  /** Ids that were newly created (upsert reports 201 vs 204 from this). */
  created: string[];
}

export type UpsertMode = 'replace' | 'update';

/** Entities per transaction of a purge (clause 5.6.21): bounds the time one transaction holds the writer. */
const PURGE_CHUNK = 500;

/** One measurement for the ingest: the entity to create when absent, else the attributes to write. */
export interface MeasurementWrite {
  id: string;
  /** The entity to create when it does not exist (static and measured attributes). */
  initial: EntityRecord;
  /** The measured attributes (expanded IRIs), each replacing the instance with its datasetId. */
  attrs: Record<string, AttrInstance[]>;
}

/** Preconditions of a single-entity write (RFC 9110 If-Match on the entity's version). */
export interface WriteCondition {
  /** Entity versions (ETag values) the write may apply to; '*' = the entity must exist. */
  ifMatch?: Array<string | '*'>;
}

/** Write access inside one transaction; records every change for publication after commit. */
class Writer {
  readonly changes: EntityChange[] = [];
  constructor(private readonly tx: WriteTx, private readonly tenant: string, readonly now: string, private readonly cond?: WriteCondition, private readonly access?: AccessGuard) {}
  /** The entity, or undefined; an expired transient entity found here is deleted first (clause 4.5.1). */
  async get(id: string): Promise<EntityRecord | undefined> {
    const e = await this.tx.entities.get(this.tenant, id);
    if (e && expired(e, this.now)) { await this.dropExpired(e); return undefined; }
    return e;
  }
  /**
   * Deletes an expired transient entity as a delete of the API would (history, change event, so
   * subscriptions are notified of the deletion).
   */
  async dropExpired(e: EntityRecord): Promise<void> {
    await this.tx.entities.delete(this.tenant, e.id);
    await recordHistory(this.tx, this.tenant, e, undefined, this.now);
    this.changes.push({ tenant: this.tenant, kind: 'deleted', id: e.id, before: e, at: this.now });
  }
  /** The stored record as is, expired or not (the sweeper). */
  raw(id: string): Promise<EntityRecord | undefined> { return this.tx.entities.get(this.tenant, id); }
  /** Reads the entities of a batch ahead in one go, where the engine benefits (PostgreSQL). */
  async prefetch(ids: string[]): Promise<void> {
    if (this.tx.entities.prefetch && ids.length > 1) await this.tx.entities.prefetch(this.tenant, ids);
  }
  /** Type-level write access (docs/security.md): every type of the entity, before and after, must be writable. */
  private allowed(e: EntityRecord | undefined): void {
    if (e && this.access && !this.access.mayWrite(e.types)) throw new Forbidden(`${this.access.who} may not write entities of type ${e.types.join(', ')}`);
  }
  async mustGet(id: string): Promise<EntityRecord> {
    const e = await this.get(id);
    if (!e) throw new ResourceNotFound(`Entity ${id} does not exist`);
    const m = this.cond?.ifMatch;
    const etag = recordEtag(e);
    if (m && !m.includes('*') && !(etag !== undefined && m.includes(etag))) {
      throw new PreconditionFailed(`Entity ${id} has changed: its current ETag is "${etag}", the request's If-Match names ${m.map((x) => `"${x}"`).join(', ')}; read it again and retry`);
    }
    return e;
  }
  async insert(e: EntityRecord): Promise<void> {
    this.allowed(e);
    try {
      await this.tx.entities.insert(this.tenant, e);
    } catch (err) {
      if (!(err instanceof StorageConflict)) throw err;
      // An expired transient entity no longer exists (clause 4.5.1): it goes, the new one is created.
      const old = await this.tx.entities.get(this.tenant, e.id);
      if (!old || !expired(old, this.now)) throw new AlreadyExists(`Entity ${e.id} already exists`, { cause: err });
      await this.dropExpired(old);
      await this.tx.entities.insert(this.tenant, e);
    }
    await recordHistory(this.tx, this.tenant, undefined, e, this.now);
    this.changes.push({ tenant: this.tenant, kind: 'created', id: e.id, after: e, at: this.now });
  }
  async update(before: EntityRecord, after: EntityRecord, kind: 'updated' | 'replaced' = 'updated'): Promise<void> {
    this.allowed(before);
    this.allowed(after);
    after.modifiedAt = this.now;
    await this.tx.entities.update(this.tenant, after, before);
    await recordHistory(this.tx, this.tenant, before, after, this.now);
    this.changes.push({ tenant: this.tenant, kind, id: after.id, before, after, at: this.now });
  }
  async delete(id: string): Promise<void> {
    const before = await this.mustGet(id);
    this.allowed(before);
    await this.tx.entities.delete(this.tenant, id);
    await recordHistory(this.tx, this.tenant, before, undefined, this.now);
    this.changes.push({ tenant: this.tenant, kind: 'deleted', id, before, at: this.now });
  }
}

/** Whether a transient entity has expired at `now` (clause 4.5.1: it no longer exists). */
export function expired(e: EntityRecord, now: string): boolean {
  return e.expiresAt !== undefined && e.expiresAt <= now;
}

/**
 * Copy for modification: attribute lists are replaced, never mutated in place, so a shallow copy
 * suffices and unchanged attributes keep their instance objects (adapters compare by reference).
 */
function clone(e: EntityRecord): EntityRecord {
  return { ...e, types: [...e.types], scopes: e.scopes && [...e.scopes], attrs: { ...e.attrs } };
}

export class EntityService {
  constructor(private readonly storage: StoragePort, private readonly bus: EventBus, private readonly clock: Clock) {}

  private cond?: WriteCondition;
  private access?: AccessGuard;
  private instant?: string;

  now(): string { return this.clock.now().toISOString(); }

  /**
   * The same service writing at `now`: the instant the request's attributes were stamped with when
   * parsed. One write then has one time (entity and attribute modifiedAt, history), so SQLite's
   * compact document leaves the attributes' times out (sqlite.document.ts) instead of storing a
   * slightly earlier one per attribute. Routes call it synchronously before the write, so the
   * instants still follow the order in which writes are queued.
   */
  at(now: string): EntityService {
    const bound = Object.create(this) as EntityService;
    bound.instant = now;
    return bound;
  }

  /** The same service with preconditions for the next single-entity write (If-Match). */
  withCondition(cond: WriteCondition | undefined): EntityService {
    if (!cond) return this;
    const bound = Object.create(this) as EntityService;
    bound.cond = cond;
    return bound;
  }

  /** The same service limited to the entity types the principal may write (absent guard = unrestricted). */
  withAccess(access: AccessGuard | undefined): EntityService {
    if (!access) return this;
    const bound = Object.create(this) as EntityService;
    bound.access = access;
    return bound;
  }

  /** The one write path: transaction, then change events. */
  private async write<T>(tenant: string, fn: (w: Writer) => Promise<T>): Promise<T> {
    const now = this.instant ?? this.now();
    let changes: EntityChange[] = [];
    const out = await this.storage.withTransaction(async (tx) => {
      const w = new Writer(tx, tenant, now, this.cond, this.access);
      const r = await fn(w);
      changes = w.changes;
      if (changes.length) tx.share?.(changes);
      return r;
    });
    if (changes.length) this.bus.emit('entity.changed', changes);
    return out;
  }

  // ---- reads ----
  reader(): StoragePort['entities'] { return this.storage.entities; }
  async get(tenant: string, id: string): Promise<EntityRecord> {
    const e = await this.storage.entities.get(tenant, id);
    if (!e) throw new ResourceNotFound(`Entity ${id} does not exist`);
    return e;
  }
  query(tenant: string, filter: EntityFilter, page: Page): Promise<QueryResult> {
    return this.storage.entities.query(tenant, filter, page);
  }
  tenantExists(tenant: string): Promise<boolean> {
    return tenant === '' ? Promise.resolve(true) : this.storage.entities.tenantExists(tenant);
  }

  // ---- single-entity writes ----
  /** clause 5.6.1 */
  create(tenant: string, e: EntityRecord): Promise<void> {
    return this.write(tenant, (w) => w.insert(e));
  }

  /** clause 5.6.18: replace all attributes (and types when given), keeping createdAt. */
  replace(tenant: string, e: EntityRecord): Promise<void> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(e.id);
      const next: EntityRecord = { ...e, createdAt: old.createdAt, types: e.types.length ? e.types : old.types };
      for (const [iri, insts] of Object.entries(next.attrs)) next.attrs[iri] = insts.map((i, k) => replaced(old.attrs[iri]?.[k], i));
      await w.update(old, next, 'replaced');
    });
  }

  /** clause 5.6.17: merge-patch of an entity. */
  merge(tenant: string, id: string, patch: { types?: string[]; scopes?: string[]; expiresAt?: string; attrs: Record<string, AttrInstance[]> }): Promise<void> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      const next = clone(old);
      if (patch.types) next.types = [...new Set([...old.types, ...patch.types])];
      if (patch.scopes) next.scopes = patch.scopes;
      if (patch.expiresAt) next.expiresAt = patch.expiresAt;
      mergeEntityAttrs(next, patch.attrs, w.now);
      await w.update(old, next);
    });
  }

  /** clause 5.6.2: update existing attributes only; the rest is reported as not updated. */
  updateAttrs(tenant: string, id: string, attrs: Record<string, AttrInstance[]>, names: (iri: string) => string): Promise<UpdateResult> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      const next = clone(old);
      const res: UpdateResult = { updated: [], notUpdated: [] };
      for (const [iri, insts] of Object.entries(attrs)) {
        if (!hasInstances(old.attrs[iri], insts)) {
          res.notUpdated.push({ attributeName: names(iri), reason: 'attribute (with this datasetId) does not exist' });
          continue;
        }
        next.attrs[iri] = combineInstances(next.attrs[iri], insts, 'replace', w.now);
        res.updated.push(names(iri));
      }
      if (res.updated.length) await w.update(old, next);
      return res;
    });
  }

  /** clause 5.6.3: append (or overwrite unless noOverwrite). */
  appendAttrs(tenant: string, id: string, attrs: Record<string, AttrInstance[]>, noOverwrite: boolean, names: (iri: string) => string, extra?: { types?: string[]; scopes?: string[] }): Promise<UpdateResult> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      const next = clone(old);
      const res: UpdateResult = { updated: [], notUpdated: [] };
      if (extra?.types) next.types = [...new Set([...old.types, ...extra.types])];
      if (extra?.scopes) next.scopes = extra.scopes;
      for (const [iri, insts] of Object.entries(attrs)) {
        if (noOverwrite && hasInstances(old.attrs[iri], insts)) {
          res.notUpdated.push({ attributeName: names(iri), reason: 'attribute exists and options=noOverwrite was given' });
          continue;
        }
        next.attrs[iri] = combineInstances(next.attrs[iri], insts, 'replace', w.now);
        res.updated.push(names(iri));
      }
      if (res.updated.length || extra?.types || extra?.scopes) await w.update(old, next);
      return res;
    });
  }

  /**
   * clause 5.6.4: partial update of one attribute (members merged into the existing instance). The
   * attribute keeps its type: a fragment naming another `type` is 400 BadRequestData; one without
   * `type` is read as the stored type (`retype`), e.g. a concise GeoJSON value of a GeoProperty, and
   * is 400 when it cannot be (a Property's fragment carrying only `object`).
   */
  patchAttr(tenant: string, id: string, iri: string, fragment: AttrInstance, attrName: string, retype?: (type: AttrType) => AttrInstance): Promise<void> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      const list = old.attrs[iri];
      const idx = list ? list.findIndex((i) => i.datasetId === fragment.datasetId) : -1;
      if (idx < 0) throw new ResourceNotFound(`Entity ${id} has no attribute ${attrName}${fragment.datasetId ? ` with datasetId ${String(fragment.datasetId)}` : ''}`);
      let inst = fragment;
      const stored = list[idx].type;
      if (!isNullInstance(inst) && inst.type !== stored) {
        const refuse = () => new BadRequestData(`Attribute ${attrName} is a ${stored}; a partial attribute update keeps the type of an attribute and cannot make it a ${inst.type} (clause 5.6.4). Give the members of a ${stored}, or replace the attribute (PUT …/attrs/${attrName})`);
        if (!retype) throw refuse();
        try {
          inst = retype(stored);
        } catch (e) {
          if (e instanceof ProblemError) throw refuse();
          throw e;
        }
      }
      const next = clone(old);
      next.attrs[iri] = [...list];
      if (isNullInstance(inst)) {
        // The NGSI-LD Null deletes the instance (clause 5.6.4 follows the merge semantics of 5.6.17).
        next.attrs[iri].splice(idx, 1);
        if (next.attrs[iri].length === 0) delete next.attrs[iri];
      } else next.attrs[iri][idx] = mergeInstance(list[idx], inst, w.now);
      await w.update(old, next);
    });
  }

  /** clause 5.6.19: replace one attribute. */
  replaceAttr(tenant: string, id: string, iri: string, inst: AttrInstance, attrName: string): Promise<void> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      if (!hasInstances(old.attrs[iri], [inst])) throw new ResourceNotFound(`Entity ${id} has no attribute ${attrName}`);
      const next = clone(old);
      next.attrs[iri] = combineInstances(next.attrs[iri], [inst], 'replace', w.now);
      await w.update(old, next);
    });
  }

  /** clause 5.6.5: delete an attribute (one instance by datasetId, or all instances). */
  deleteAttr(tenant: string, id: string, iri: string, attrName: string, datasetId: string | undefined, deleteAll: boolean): Promise<void> {
    return this.write(tenant, async (w) => {
      const old = await w.mustGet(id);
      const list = old.attrs[iri];
      if (!list) throw new ResourceNotFound(`Entity ${id} has no attribute ${attrName}`);
      const next = clone(old);
      if (deleteAll) delete next.attrs[iri];
      else {
        const rest = list.filter((i) => i.datasetId !== datasetId);
        if (rest.length === list.length) throw new ResourceNotFound(`Entity ${id} has no instance of ${attrName} ${datasetId ? `with datasetId ${datasetId}` : 'without datasetId'}`);
        if (rest.length) next.attrs[iri] = rest; else delete next.attrs[iri];
      }
      await w.update(old, next);
    });
  }

  /** clause 5.6.6 */
  delete(tenant: string, id: string): Promise<void> {
    return this.write(tenant, (w) => w.delete(id));
  }

  // ---- batch operations (clause 5.6.7–5.6.10): atomic per entity ----
  // Each per-entity operation checks its preconditions (exists / does not exist) before its first
  // write, so an entity that fails leaves nothing behind without a savepoint per entity (which
  // doubled the cost of R*Tree writes). Any other error aborts the whole batch transaction.
  private batch(tenant: string, items: Array<{ id: string; error?: ProblemError }>, op: (w: Writer, i: number) => Promise<boolean | void>): Promise<BatchResult> {
    return this.write(tenant, async (w) => {
      const res: BatchResult = { success: [], errors: [], created: [] };
      await w.prefetch(items.filter((it) => !it.error).map((it) => it.id));
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (it.error) { res.errors.push({ entityId: it.id, error: it.error }); continue; }
        try {
          const created = await op(w, i);
          res.success.push(it.id);
          if (created === true) res.created.push(it.id);
        } catch (e) {
          if (!(e instanceof ProblemError)) throw e;
          res.errors.push({ entityId: it.id, error: e });
        }
      }
      return res;
    });
  }

  batchCreate(tenant: string, items: Array<{ id: string; entity?: EntityRecord; error?: ProblemError }>): Promise<BatchResult> {
    return this.batch(tenant, items, async (w, i) => { await w.insert(items[i].entity!); return true; });
  }

  batchUpsert(tenant: string, items: Array<{ id: string; entity?: EntityRecord; error?: ProblemError }>, mode: UpsertMode): Promise<BatchResult> {
    return this.batch(tenant, items, async (w, i) => {
      const e = items[i].entity!;
      const old = await w.get(e.id);
      if (!old) { await w.insert(e); return true; }
      if (mode === 'replace') {
        // As replace (clause 5.6.18): an attribute that existed keeps its createdAt.
        const next: EntityRecord = { ...e, createdAt: old.createdAt, types: e.types.length ? e.types : old.types };
        for (const [iri, insts] of Object.entries(next.attrs)) next.attrs[iri] = insts.map((i, k) => replaced(old.attrs[iri]?.[k], i));
        await w.update(old, next, 'replaced');
      } else {
        const next = clone(old);
        next.types = [...new Set([...old.types, ...e.types])];
        if (e.scopes) next.scopes = e.scopes;
        if (e.expiresAt) next.expiresAt = e.expiresAt;
        for (const [iri, insts] of Object.entries(e.attrs)) next.attrs[iri] = combineInstances(next.attrs[iri], insts, 'replace', w.now);
        await w.update(old, next);
      }
      return false;
    });
  }

  /**
   * Ingest (micro-batched measurements): per item, in order, creates the entity from `initial` when
   * absent, else replaces the measured attributes' instances. Atomic per item, one transaction for all;
   * the answer holds each item's error (undefined = written), in the order of `items`.
   */
  async batchMeasure(tenant: string, items: MeasurementWrite[]): Promise<Array<ProblemError | undefined>> {
    const out: Array<ProblemError | undefined> = new Array(items.length).fill(undefined);
    await this.batch(tenant, items, async (w, i) => {
      const m = items[i];
      try {
        const old = await w.get(m.id);
        if (!old) {
          const e = m.initial;
          e.createdAt = e.modifiedAt = w.now;
          for (const insts of Object.values(e.attrs)) for (const inst of insts) inst.createdAt = inst.modifiedAt = w.now;
          await w.insert(e);
          return;
        }
        const next = clone(old);
        for (const [iri, insts] of Object.entries(m.attrs)) {
          for (const inst of insts) inst.createdAt = inst.modifiedAt = w.now;
          next.attrs[iri] = combineInstances(next.attrs[iri], insts, 'replace', w.now);
        }
        await w.update(old, next);
      } catch (e) {
        if (e instanceof ProblemError) { out[i] = e; return; }
        throw e;
      }
    });
    return out;
  }

  batchUpdate(tenant: string, items: Array<{ id: string; entity?: EntityRecord; error?: ProblemError }>, noOverwrite: boolean): Promise<BatchResult> {
    return this.batch(tenant, items, async (w, i) => {
      const e = items[i].entity!;
      const old = await w.mustGet(e.id);
      const next = clone(old);
      if (e.types.length) next.types = [...new Set([...old.types, ...e.types])];
      for (const [iri, insts] of Object.entries(e.attrs)) {
        if (noOverwrite && hasInstances(old.attrs[iri], insts)) continue;
        next.attrs[iri] = combineInstances(next.attrs[iri], insts, 'replace', w.now);
      }
      await w.update(old, next);
    });
  }

  /**
   * clause 5.6.20 (v1.9) — batch merge: per entity the merge-patch of clause 5.6.17 (types added,
   * scope replaced, NGSI-LD Null deletes); an entity that does not exist fails alone. The same id
   * twice in one batch is merged in order (clause 5.5.11.5): each item reads the previous one's result.
   */
  batchMerge(tenant: string, items: Array<{ id: string; entity?: EntityRecord; error?: ProblemError }>): Promise<BatchResult> {
    return this.batch(tenant, items, async (w, i) => {
      const e = items[i].entity!;
      const old = await w.mustGet(e.id);
      const next = clone(old);
      if (e.types.length) next.types = [...new Set([...old.types, ...e.types])];
      if (e.scopes) next.scopes = e.scopes;
      if (e.expiresAt) next.expiresAt = e.expiresAt;
      mergeEntityAttrs(next, e.attrs, w.now);
      await w.update(old, next);
    });
  }

  /**
   * clause 5.6.21 (v1.9) — purge: deletes the entities with these ids, or with `keep`/`drop` only
   * some of their attributes (expanded IRIs). Runs in transactions of PURGE_CHUNK entities; an
   * entity the principal may not write stops the purge with 403 (earlier chunks stay purged).
   * Returns the number of entities deleted or changed.
   */
  async purge(tenant: string, ids: string[], members?: { keep?: ReadonlySet<string>; drop?: ReadonlySet<string> }): Promise<number> {
    let n = 0;
    for (let at = 0; at < ids.length; at += PURGE_CHUNK) {
      const chunk = ids.slice(at, at + PURGE_CHUNK);
      n += await this.write(tenant, async (w) => {
        let done = 0;
        await w.prefetch(chunk);
        for (const id of chunk) {
          const old = await w.get(id);
          if (!old) continue; // deleted meanwhile
          if (!members?.keep && !members?.drop) { await w.delete(id); done++; continue; }
          const next = clone(old);
          for (const iri of Object.keys(old.attrs)) {
            if (members.drop?.has(iri) || (members.keep && !members.keep.has(iri))) delete next.attrs[iri];
          }
          if (Object.keys(next.attrs).length === Object.keys(old.attrs).length) continue;
          await w.update(old, next);
          done++;
        }
        return done;
      });
    }
    return n;
  }

  /**
   * The sweeper of transient entities (clause 4.5.1): deletes up to `limit` expired entities, each
   * as a delete (history, notifications), one transaction per tenant. Returns how many went.
   */
  async sweepExpired(limit = 500): Promise<number> {
    const due = await this.storage.entities.expired(this.now(), limit);
    const byTenant = new Map<string, string[]>();
    for (const d of due) byTenant.set(d.tenant, [...(byTenant.get(d.tenant) ?? []), d.id]);
    let n = 0;
    for (const [tenant, ids] of byTenant) {
      n += await this.write(tenant, async (w) => {
        let done = 0;
        for (const id of ids) {
          const e = await w.raw(id);
          if (e && expired(e, w.now)) { await w.dropExpired(e); done++; }
        }
        return done;
      });
    }
    return n;
  }

  batchDelete(tenant: string, items: Array<{ id: string; error?: ProblemError }>): Promise<BatchResult> {
    return this.batch(tenant, items, async (w, i) => { await w.delete(items[i].id); });
  }
}

