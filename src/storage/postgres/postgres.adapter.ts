// The PostgreSQL + PostGIS engine: a pool of connections shared by readers and writers. Writers run
// in real transactions (row locks on the entities they read for writing; deadlocks and serialization
// failures are retried a bounded number of times); readers only ever see committed data.
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { StorageUnavailable } from '../../core/errors.ts';
import { compareCodePoints } from '../../core/strings.ts';
import type { EntityChange } from '../../core/events.ts';
import type {
  AttrType, EntityFilter, EntityKey, EntityReader, EntityRecord, EntityVersion, Page, QueryResult,
  StoragePort, TypeAttrRow, WriteTx,
} from '../port.ts';
import { compileFilter, GEO_KEY_EXPR, GEO_KEY_SCALE, indexExpressions, type CompiledQuery } from './postgres.query-compiler.ts';
import { countedType } from '../entity-counts.ts';
import { createPool, ensurePartitions, isUnavailable, mapError, migrate, q, qp, qs, type PgOptions, type Queryable, type WarnFn } from './postgres.database.ts';
import { PgHistoryWriter, PgTemporalStore, TemporalShared } from './postgres.temporal.ts';
import { PgSubscriptionStore } from './postgres.subscriptions.ts';
import { PgTenantStore } from './postgres.tenants.ts';
import { PgIngestStore } from './postgres.ingest.ts';
import { PgAuthStore } from './postgres.auth.ts';
import { PgAccountStore } from './postgres.accounts.ts';
import { PgClusterFeed } from './postgres.cluster.ts';
import { ENTITY_COLS, PgTransaction, RetryableConflict, toRecord } from './postgres.transaction.ts';

type Row = Parameters<typeof toRecord>[0];
const COLS = ENTITY_COLS;

function limitLiteral(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid limit ${n}`);
  return String(n);
}

/**
 * The first `limit` rows (after `offset`) of a filter in pk order, as SQL. With branches, each one
 * walks its own index in pk order and stops after offset + limit rows; the merge keeps the order.
 */
function pageSql(cols: string, c: CompiledQuery, extra: string, limit: number, offset = 0): string {
  const tail = `LIMIT ${limitLiteral(limit)}${offset ? ` OFFSET ${limitLiteral(offset)}` : ''}`;
  if (!c.branches) return `SELECT ${cols} FROM entities e WHERE ${c.where}${extra} ORDER BY ${c.order ?? 'e.pk'} ${tail}`;
  const each = c.branches.map((b) => `(SELECT ${cols} FROM entities e WHERE ${b}${extra} ORDER BY e.pk LIMIT ${limitLiteral(offset + limit)})`);
  return `SELECT * FROM (${each.join(' UNION ALL ')}) u ORDER BY u.pk ${tail}`;
}

type Cand = { pk: number; id: string; rev: number; scopes: string[] | null; geo: unknown; dgeo?: unknown };

/** Candidates sorted by distance (clause 4.23): no distance last, ties by id, as the SQLite engine orders. */
function byDistance(hits: Cand[], d: NonNullable<CompiledQuery['distance']>): Cand[] {
  const m = hits.map((h) => ({ h, v: h.dgeo === null || h.dgeo === undefined ? undefined : d.meters(h.dgeo) }));
  m.sort((a, b) => {
    const na = a.v === undefined || !Number.isFinite(a.v);
    const nb = b.v === undefined || !Number.isFinite(b.v);
    if (na !== nb) return na ? 1 : -1;
    if (!na && a.v !== b.v) return d.desc ? b.v! - a.v! : a.v! - b.v!;
    return compareCodePoints(a.h.id, b.h.id); // the order of SQLite's `e.id` (BINARY) and of `COLLATE "C"`
  });
  return m.map((x) => x.h);
}

/**
 * The candidates of a filter with an in-process part (geo predicate, scopeQ) that pass it, in pk
 * order: the index (GiST window, value indexes) narrows in SQL, the exact test runs here. Without
 * count, candidates are read in growing chunks until the page is full: a "near" query whose window
 * holds thousands of entities then reads a few dozen of them.
 */
async function residualHits(db: Queryable, c: CompiledQuery, page: Page): Promise<Cand[]> {
  const cols = `e.pk, e.id, e.rev, e.scopes, ${c.geoSelect ?? 'NULL'} AS geo${c.distance ? `, ${c.distance.select} AS dgeo` : ''}`;
  const want = page.offset + page.limit;
  const hits: Cand[] = [];
  // An ordered query (clause 4.23) tests every candidate in its order: the pk-keyed chunks below would not.
  if (page.count || want === 0 || c.order) {
    if (page.limit > 0 || page.count) {
      const rows = await q<Cand>(db, `SELECT ${cols} FROM entities e WHERE ${c.where} ORDER BY ${c.order ?? 'e.pk'}`, c.params);
      for (const r of rows) if (c.residual!(r)) hits.push(r);
    }
    return c.distance ? byDistance(hits, c.distance) : hits;
  }
  if (c.geoWindow) return windowedHits(db, c, cols, want);
  let last = 0;
  // A "near" circle fills π/4 of its window, other geometries more: a first chunk of 1.6 pages
  // (plus a few) is nearly always enough; every candidate read costs a walk of the window's
  // index and a test here.
  let chunk = Math.max(32, Math.ceil(1.6 * want) + 8);
  for (;;) {
    // The first chunk's text repeats from request to request: prepared after a few (qs).
    const rows = await (last === 0 ? qs<Cand> : q<Cand>)(db, pageSql(cols, c, ` AND e.pk > ${Number(last)}`, chunk), c.params);
    for (const r of rows) if (c.residual!(r)) hits.push(r);
    if (rows.length < chunk || hits.length >= want) break;
    last = rows[rows.length - 1].pk;
    chunk = Math.min(chunk * 4, 100_000);
  }
  return hits;
}

/**
 * The first `want` hits of a geo-query in key order, a key range at a time (migration 013): the
 * entity_geo_key index gives the window's candidates in the range, the filter and the exact test
 * decide, and the walk stops when the page is full. The next range is sized from the hits so far
 * (at most 16 times the last), as in the SQLite engine.
 */
async function windowedHits(db: Queryable, c: CompiledQuery, cols: string, want: number): Promise<Cand[]> {
  const g = c.geoWindow!;
  const [minX, minY, maxX, maxY] = g.bbox;
  const last = Number((await qp<{ n: string | null }>(db, 'ds_max_pk', 'SELECT max(pk) AS n FROM entities'))[0].n ?? 0);
  const hits: Cand[] = [];
  let lo = 1;
  let span = Math.max(2048, want * 16);
  // One statement per key range: the index gives the range's candidates (a handful of rows, so
  // the planner joins them to entities by key), the filter and the columns the exact test needs.
  const n = c.params.length;
  const sql = `SELECT ${cols} FROM entities e WHERE ${g.whereWith(`e.pk IN (SELECT g.pk FROM entity_geo g WHERE g.attr = $${n + 1} AND ${GEO_KEY_EXPR} &&& `
    + `ST_SetSRID(ST_MakeLine(ST_MakePoint($${n + 2}::float8, $${n + 3}::float8, $${n + 4}::float8), ST_MakePoint($${n + 5}::float8, $${n + 6}::float8, $${n + 7}::float8)), 4326)) `
    + `AND e.pk BETWEEN $${n + 8}::bigint AND $${n + 9}::bigint`)} ORDER BY e.pk`;
  while (hits.length < want && lo <= last) {
    const hi = Math.min(last, lo + span - 1);
    const rows = await qs<Cand>(db, sql, [...c.params, g.attr, minX, minY, lo * GEO_KEY_SCALE, maxX, maxY, hi * GEO_KEY_SCALE, lo, hi]);
    let got = 0;
    for (const r of rows) {
      if (hits.length >= want) break;
      if (c.residual!(r)) { hits.push(r); got++; }
    }
    const done = hi - lo + 1;
    lo = hi + 1;
    span = got > 0 ? Math.min(16 * done, Math.max(256, Math.ceil(((want - hits.length) * done / got) * 1.25))) : 16 * done;
  }
  return hits;
}

/** Matching entity keys of a filter, with the in-process part (geo predicate, scopeQ) applied. */
async function matchKeys(db: Queryable, c: CompiledQuery, page: Page, count: () => Promise<number> = () => countOf(db, c)): Promise<{ pks: number[]; keys: EntityKey[]; count?: number }> {
  if (!c.residual) {
    const out: { pks: number[]; keys: EntityKey[]; count?: number } = { pks: [], keys: [] };
    if (page.limit > 0) {
      const rows = await qs<{ pk: number; id: string; rev: number }>(db, pageSql('e.pk, e.id, e.rev', c, '', page.limit, page.offset), c.params);
      out.pks = rows.map((r) => r.pk);
      out.keys = rows.map((r) => ({ id: r.id, born: Number(r.pk), rev: r.rev }));
    }
    if (page.count) out.count = await count();
    return out;
  }
  const hits = await residualHits(db, c, page);
  const slice = hits.slice(page.offset, page.offset + page.limit);
  return { pks: slice.map((r) => r.pk), keys: slice.map((r) => ({ id: r.id, born: Number(r.pk), rev: r.rev })), count: page.count ? hits.length : undefined };
}

async function countOf(db: Queryable, c: CompiledQuery): Promise<number> {
  return (await qs<{ n: number }>(db, `SELECT count(*) AS n FROM entities e WHERE ${c.where}`, c.params))[0].n;
}

/** The kept count of a type (migration 012: the sum of the key's rows), or of every entity (ALL_TYPES). */
async function keptCount(db: Queryable, tenant: string, type: string): Promise<number> {
  const rows = await qp<{ n: string | null }>(db, 'ds_kept_count', 'SELECT sum(n) AS n FROM entity_counts WHERE tenant = $1 AND type = $2', [tenant, type]);
  return Number(rows[0]?.n ?? 0);
}

/** Number of matches of a filter: a kept count when the filter is one type or none. */
async function countFor(db: Queryable, tenant: string, filter: EntityFilter, c: CompiledQuery): Promise<number> {
  const type = countedType(filter);
  return type !== undefined ? keptCount(db, tenant, type) : countOf(db, c);
}

/** The system clock as ISO text: the default of `now` for the expiry of transient entities. */
const systemNow = (): string => new Date().toISOString();

class PgReader implements EntityReader {
  /** Attribute IRIs that have value indexes (ensureAttributeIndexes). */
  readonly indexed = new Set<string>();
  /** The current instant for the expiry of transient entities (PostgresStorage.useClock). */
  now: () => string = systemNow;
  constructor(private readonly pool: pg.Pool) {}

  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const rows = await qp<Row>(this.pool, 'ds_get', `SELECT ${COLS} FROM entities e WHERE e.tenant = $1 AND e.id = $2`, [tenant, id]);
    const e = rows[0] ? toRecord(rows[0]) : undefined;
    return e && (e.expiresAt === undefined || e.expiresAt > this.now()) ? e : undefined;
  }
  /**
   * The filter with `aliveAt` (expired transient entities left out: one more condition on a column
   * of the row, no extra round trip) and the filter for counting: the kept count of a type stays
   * valid unless an expired entity of the tenant awaits the sweeper (probe of migration 014's index).
   */
  private alive(filter: EntityFilter): EntityFilter {
    return filter.aliveAt ? filter : { ...filter, aliveAt: this.now() };
  }
  private async countFilter(tenant: string, original: EntityFilter, alive: EntityFilter): Promise<EntityFilter> {
    if (countedType(original) === undefined) return alive;
    const any = await qp(this.pool, 'ds_any_expired', 'SELECT 1 FROM entities WHERE expires_at IS NOT NULL AND expires_at <= $1 AND tenant = $2 LIMIT 1', [alive.aliveAt, tenant]);
    return any.length ? alive : original;
  }
  async expired(now: string, limit: number): Promise<Array<{ tenant: string; id: string }>> {
    return q(this.pool, 'SELECT tenant, id FROM entities WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2', [now, limit]);
  }
  async query(tenant: string, original: EntityFilter, page: Page): Promise<QueryResult> {
    const filter = this.alive(original);
    const c = compileFilter(tenant, filter, this.indexed);
    const out: QueryResult = { entities: [] };
    if (!c.residual) {
      // SQL decides alone: the page's entities in one statement.
      if (page.limit > 0) out.entities = (await qs<Row>(this.pool, pageSql(COLS, c, '', page.limit, page.offset), c.params)).map(toRecord);
      if (page.count) out.count = await countFor(this.pool, tenant, await this.countFilter(tenant, original, filter), c);
      return out;
    }
    const m = await matchKeys(this.pool, c, page);
    if (m.pks.length) {
      const rows = await qp<Row>(this.pool, 'ds_get_pks', `SELECT ${COLS} FROM entities e WHERE e.pk = ANY($1::bigint[]) ORDER BY e.pk`, [m.pks]);
      out.entities = rows.map(toRecord);
      // In the order of the match (pk order, or the query's order by clause 4.23).
      if (c.order) {
        const at = new Map(m.pks.map((pk, i) => [String(pk), i]));
        out.entities.sort((a, b) => at.get(String(a.born))! - at.get(String(b.born))!);
      }
    }
    if (m.count !== undefined) out.count = m.count;
    return out;
  }
  async queryKeys(tenant: string, original: EntityFilter, page: Page): Promise<{ keys: EntityKey[]; count?: number }> {
    const filter = this.alive(original);
    const c = compileFilter(tenant, filter, this.indexed);
    const m = await matchKeys(this.pool, c, page, async () => countFor(this.pool, tenant, await this.countFilter(tenant, original, filter), c));
    return m.count !== undefined ? { keys: m.keys, count: m.count } : { keys: m.keys };
  }
  /** Ids of every entity matching the filter (the temporal API filters history by current state). */
  async matchingIds(tenant: string, filter: EntityFilter): Promise<string[]> {
    const c = compileFilter(tenant, this.alive(filter), this.indexed);
    if (!c.residual) return (await q<{ id: string }>(this.pool, `SELECT e.id FROM entities e WHERE ${c.where}`, c.params)).map((r) => r.id);
    const rows = await q<{ id: string; scopes: string[] | null; geo: unknown }>(this.pool, `SELECT e.id, e.scopes, ${c.geoSelect ?? 'NULL'} AS geo FROM entities e WHERE ${c.where}`, c.params);
    return rows.filter((r) => c.residual!(r)).map((r) => r.id);
  }
  async getMany(tenant: string, ids: string[]): Promise<EntityRecord[]> {
    if (ids.length === 0) return [];
    const now = this.now();
    return (await qp<Row>(this.pool, 'ds_get_many', `SELECT ${COLS} FROM entities e WHERE e.tenant = $1 AND e.id = ANY($2::text[])`, [tenant, ids]))
      .filter((r) => !r.expires_at || r.expires_at > now).map(toRecord);
  }
  async versionOf(tenant: string, id: string): Promise<EntityVersion | undefined> {
    const r = (await qp<{ pk: number; rev: number; expires_at: string | null }>(this.pool, 'ds_version_of2', 'SELECT pk, rev, expires_at FROM entities WHERE tenant = $1 AND id = $2', [tenant, id]))[0];
    return r && (!r.expires_at || r.expires_at > this.now()) ? { born: Number(r.pk), rev: r.rev } : undefined;
  }
  async typeCounts(tenant: string): Promise<Array<{ type: string; entities: number }>> {
    const kept = await q<{ type: string; entities: number }>(this.pool, `SELECT type, sum(n)::int AS entities FROM entity_counts WHERE tenant = $1 AND type <> '' GROUP BY type HAVING sum(n) > 0 ORDER BY type COLLATE "C"`, [tenant]);
    // Expired entities not swept yet are still in the kept counts: take them off.
    const gone = await q<{ type: string; n: number }>(this.pool, 'SELECT t AS type, count(*)::int AS n FROM entities e, unnest(e.types) t WHERE e.expires_at IS NOT NULL AND e.expires_at <= $1 AND e.tenant = $2 GROUP BY t', [this.now(), tenant]);
    if (gone.length === 0) return kept;
    const n = new Map(gone.map((g) => [g.type, g.n]));
    return kept.map((k) => ({ type: k.type, entities: k.entities - (n.get(k.type) ?? 0) })).filter((k) => k.entities > 0);
  }
  async typeAttributes(tenant: string): Promise<TypeAttrRow[]> {
    return q<TypeAttrRow & { attrType: AttrType }>(this.pool, `SELECT t AS type, j.key AS attr, j.value -> 0 ->> 'type' AS "attrType", count(*)::int AS entities
      FROM entities e, unnest(e.types) t, jsonb_each(e.doc) j WHERE e.tenant = $1 AND (e.expires_at IS NULL OR e.expires_at > $2)
      GROUP BY t, j.key, "attrType" ORDER BY t COLLATE "C", j.key COLLATE "C"`, [tenant, this.now()]);
  }
  async attributeCounts(tenant: string): Promise<Array<{ attr: string; entities: number }>> {
    return q(this.pool, 'SELECT j AS attr, count(*)::int AS entities FROM entities e, jsonb_object_keys(e.doc) j WHERE e.tenant = $1 AND (e.expires_at IS NULL OR e.expires_at > $2) GROUP BY j ORDER BY j COLLATE "C"', [tenant, this.now()]);
  }
  async tenantExists(tenant: string): Promise<boolean> {
    return (await q(this.pool, 'SELECT 1 FROM tenants WHERE name = $1', [tenant])).length > 0;
  }
  async listTenants(): Promise<string[]> {
    return (await q<{ name: string }>(this.pool, 'SELECT name FROM tenants ORDER BY name COLLATE "C"')).map((r) => r.name);
  }
}

/** SQLSTATEs after which the whole transaction is run again: serialization failure, deadlock. */
const RETRY_CODES = new Set(['40001', '40P01']);

export interface PostgresStorageOptions extends PgOptions {
  /** Attempts of a transaction that hits a serialization failure or deadlock. */
  maxAttempts?: number;
  /** File in the data directory that lets a restarted node recognise the lease of its previous process (cluster feed). */
  nodeIdentityFile?: string;
  /**
   * Trouble the storage works around by itself (history partitions not created, healed or dropped:
   * the rows stay in the default partition, retention deletes row by row) and does not throw.
   */
  warn?: WarnFn;
}

export class PostgresStorage implements StoragePort {
  readonly engine = 'postgres';
  readonly capabilities = { nativeGeo: false, regex: true };
  readonly entities: PgReader;
  readonly subscriptions: PgSubscriptionStore;
  readonly ingest: PgIngestStore;
  readonly auth: PgAuthStore;
  readonly accounts: PgAccountStore;
  readonly temporal: PgTemporalStore;
  readonly cluster: PgClusterFeed;
  readonly tenants: PgTenantStore;
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly shared = new TemporalShared();
  private readonly knownTenants = new Set<string>();
  private readonly maxAttempts: number;
  private partitionTimer?: NodeJS.Timeout;

  private constructor(o: PostgresStorageOptions) {
    this.schema = o.schema ?? 'public';
    this.pool = createPool(o);
    this.maxAttempts = o.maxAttempts ?? 8;
    this.entities = new PgReader(this.pool);
    this.subscriptions = new PgSubscriptionStore(this.pool);
    this.ingest = new PgIngestStore(this.pool);
    this.auth = new PgAuthStore(this.pool);
    this.accounts = new PgAccountStore(this.pool);
    this.tenants = new PgTenantStore(this.pool, this.knownTenants);
    this.temporal = new PgTemporalStore(this.pool, this.shared, this.entities, o.warn);
    this.cluster = new PgClusterFeed({ ...o, identityFile: o.nodeIdentityFile });
  }

  /** Connects, migrates (under an advisory lock) and creates the current history partitions. */
  static async open(o: PostgresStorageOptions): Promise<PostgresStorage> {
    const s = new PostgresStorage(o);
    try {
      await migrate(s.pool, s.schema);
      await ensurePartitions(s.pool, Date.now(), { warn: o.warn });
    } catch (e) {
      await s.pool.end();
      throw e;
    }
    // New months get their partition ahead of time; a missed run only sends rows to the default partition.
    s.partitionTimer = setInterval(() => {
      ensurePartitions(s.pool, Date.now(), { warn: o.warn }).catch((err) => o.warn?.({ err }, 'history partitions: the periodic run failed (database unavailable?); the next one is in 6 h, writers create the months they need meanwhile'));
    }, 6 * 3600_000);
    s.partitionTimer.unref();
    return s;
  }

  async withTransaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    /** Entities the previous attempt had locked when it deadlocked: the next one locks them first, in order. */
    let relock: Map<string, string[]> | undefined;
    let trustLast = true;
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect().catch(mapError);
      const t = new PgTransaction(c, this.knownTenants, new Set<string>());
      t.trustLast = trustLast;
      const history = new PgHistoryWriter(t, this.shared);
      let sp = 0;
      let shared: EntityChange[] | undefined;
      const tx: WriteTx = {
        share: (changes) => { if (this.cluster.shareChanges()) (shared ??= []).push(...changes); },
        entities: t,
        history,
        savepoint: async <R>(f: () => Promise<R>): Promise<R> => {
          // Buffered writes go out first, so each lands on its side of the savepoint.
          await t.flush();
          const name = `sp${++sp}`;
          await q(c, `SAVEPOINT ${name}`);
          try {
            const out = await f();
            await t.flush();
            await q(c, `RELEASE SAVEPOINT ${name}`);
            return out;
          } catch (e) {
            t.discard();
            history.rolledBack();
            await q(c, `ROLLBACK TO SAVEPOINT ${name}`);
            await q(c, `RELEASE SAVEPOINT ${name}`);
            throw e;
          }
        },
      };
      let broken = false;
      try {
        await q(c, 'BEGIN');
        // After a deadlock, the rows the failed attempt locked one by one are locked up front, in
        // id order: transactions retried this way cannot deadlock with each other again.
        if (relock) for (const [tenant, ids] of relock) await t.prefetch(tenant, ids);
        const out = await fn(tx);
        await t.flush();
        // The feed row commits with the changes it describes: no change is lost to the other
        // nodes when this node dies between commit and publishing.
        if (shared) await this.cluster.publishIn(c, [{ kind: 'entities', changes: shared }]);
        await q(c, 'COMMIT');
        for (const n of t.newTenants) this.knownTenants.add(n);
        if (t.inserted) this.afterInserts(t.inserted);
        history.committed();
        return out;
      } catch (e) {
        broken = e instanceof StorageUnavailable;
        if (!broken) await c.query('ROLLBACK').catch(() => { broken = true; });
        const code = (e as { code?: string }).code ?? ((e as { cause?: { code?: string } }).cause?.code);
        if (e instanceof RetryableConflict && e.history) trustLast = false;
        if (code === '40P01') {
          // Everything any failed attempt locked (one that failed while relocking knows less).
          const now = t.lockedIds();
          for (const [tenant, ids] of relock ?? []) now.set(tenant, [...new Set([...(now.get(tenant) ?? []), ...ids])]);
          relock = now;
        }
        if (code && RETRY_CODES.has(code) && attempt < this.maxAttempts) {
          // Exponential backoff with jitter, so that the transactions that collided do not collide again.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 25 * 2 ** attempt)));
          continue;
        }
        throw e;
      } finally {
        // A client whose connection failed is destroyed, not returned to the pool.
        c.release(broken ? true : undefined);
      }
    }
  }

  private insertedSinceAnalyze = 0;
  private lastAnalyze = 0;
  private analyzing = false;
  /**
   * Planner statistics right after bulk loads: without them PostgreSQL misjudges every JSONB
   * condition (it assumes a handful of rows per type) and scans instead of walking the primary key
   * for a page. Autovacuum catches up only after a minute; this runs ANALYZE when a tenth of the
   * table (at least 1,000 entities) is new, at most every 10 s.
   */
  private afterInserts(n: number): void {
    this.insertedSinceAnalyze += n;
    const now = Date.now();
    if (this.analyzing || this.insertedSinceAnalyze < 1000 || now - this.lastAnalyze < 10_000) return;
    this.analyzing = true;
    const since = this.insertedSinceAnalyze;
    void (async () => {
      try {
        const est = (await q<{ n: number }>(this.pool, "SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'entities'::regclass"))[0]?.n ?? 0;
        if (since >= Math.max(1000, est * 0.1)) {
          await q(this.pool, 'ANALYZE entities, entity_geo');
          this.insertedSinceAnalyze = 0;
          this.lastAnalyze = Date.now();
        }
      } catch { /* statistics are an optimisation; autovacuum will do it */ } finally {
        this.analyzing = false;
      }
    })();
  }

  /**
   * Value indexes for the named attributes: an expression index on (tenant, scalar value or
   * relationship object, pk) — an equality walks it in pk order and stops after a page — and a
   * partial index of the entities the scalar cannot decide (an array; vocab, json, valueList,
   * languageMap). Indexes for attributes no longer named, and those of an earlier shape (the `_v`
   * index without pk, the `_a` index of arrays only), are dropped. One node at a time
   * (transaction advisory lock).
   */
  useClock(clock: { now(): Date }): void {
    this.entities.now = () => clock.now().toISOString();
  }
  async ensureAttributeIndexes(iris: string[]): Promise<void> {
    const want = new Map(iris.map((iri) => [`ix_attr_${createHash('sha1').update(iri).digest('hex').slice(0, 16)}`, iri]));
    const names = new Set([...want.keys()].flatMap((base) => [`${base}_vp`, `${base}_o`]));
    const c = await this.pool.connect().catch(mapError);
    let broken = false;
    try {
      await q(c, 'BEGIN');
      await q(c, 'SELECT pg_advisory_xact_lock(7242110)');
      const have = (await q<{ name: string }>(c, "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'entities' AND indexname LIKE 'ix_attr_%'")).map((r) => r.name);
      for (const name of have) if (!names.has(name)) await q(c, `DROP INDEX IF EXISTS ${name}`);
      for (const [name, iri] of want) {
        const ix = indexExpressions(iri);
        await q(c, `CREATE INDEX IF NOT EXISTS ${name}_vp ON entities (tenant, (${ix.scalar}), pk)`);
        await q(c, `CREATE INDEX IF NOT EXISTS ${name}_o ON entities (tenant) WHERE ${ix.other}`);
      }
      await q(c, 'COMMIT');
    } catch (e) {
      broken = isUnavailable(e) || e instanceof StorageUnavailable;
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release(broken ? true : undefined);
    }
    this.entities.indexed.clear();
    for (const iri of iris) this.entities.indexed.add(iri);
  }

  async ping(): Promise<void> {
    await q(this.pool, 'SELECT 1');
  }

  async close(): Promise<void> {
    if (this.partitionTimer) clearInterval(this.partitionTimer);
    await this.cluster.stop();
    await this.pool.end();
  }
}
