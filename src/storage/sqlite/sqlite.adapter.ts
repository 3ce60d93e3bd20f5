// The embedded storage engine: one writer connection (serialised transactions) and one
// reader connection that only ever sees committed data (WAL snapshots).
import type { Statement } from 'better-sqlite3';
import { join } from 'node:path';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type {
  EntityFilter, EntityKey, EntityReader, EntityRecord, EntityVersion, EntityWriteTx, Page, QueryResult,
  StoragePort, TypeAttrRow, WriteTx, AttrType, AttrInstance,
} from '../port.ts';
import { bboxOf } from '../../core/geometry.ts';
import { compileFilter, indexExpressions, limitLiteral, type CompiledQuery } from './sqlite.query-compiler.ts';
import { createHash } from 'node:crypto';
import { countedType } from '../entity-counts.ts';
import { Checkpointer } from './sqlite.checkpoint.ts';
import { MatchRegistry, openReader, openWriter, type Db } from './sqlite.database.ts';
import { SqliteHistoryWriter, SqliteTemporalStore } from './sqlite.temporal.ts';
import { SqliteSubscriptionStore } from './sqlite.subscriptions.ts';
import { SqliteIngestStore } from './sqlite.ingest.ts';
import { SqliteTenantStore } from './sqlite.tenants.ts';
import { SqliteAuthStore } from './sqlite.auth.ts';
import { SqliteAccountStore } from './sqlite.accounts.ts';
import { trackWrites, VersionCache } from './sqlite.versions.ts';
import { lockDatabase } from './sqlite.lock.ts';
import { decodeDocument, encodeDocument, nameOfKey, VERBATIM_KEY } from './sqlite.document.ts';

interface Row { pk: number; id: string; types: string; scopes: string | null; created_at: string; modified_at: string; rev: number; doc: string; expires_at: string | null }

/** The entity key's coordinate in the geo R*Tree (migration 011). */
const GEO_KEY_SCALE = 1e-6;

const COLS = 'e.pk, e.id, e.types, e.scopes, e.created_at, e.modified_at, e.rev, json(e.doc) AS doc, e.expires_at';

/**
 * Entities by id. json_each keeps one prepared statement for any number of ids; the ids are an
 * IN list, so each is one probe of the (tenant, id) index. As a join (`json_each(?) k JOIN
 * entities e ON e.id = k.value`) the planner, without statistics, guessed `tenant = ?` to match ~10
 * rows and walked every entity of the tenant with the id list inside: 3–12 s per page of render
 * cache misses at 1M entities (the first-request stalls of issue #19).
 */
export const GET_MANY_SQL = `SELECT ${COLS} FROM entities e WHERE e.tenant = ? AND e.id IN (SELECT value FROM json_each(?))`;

function toRecord(r: Row): EntityRecord {
  const rec: EntityRecord = {
    id: r.id,
    types: JSON.parse(r.types) as string[],
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    attrs: decodeDocument(r.doc, r.created_at, r.modified_at),
    rev: r.rev,
    born: r.pk,
  };
  if (r.scopes) rec.scopes = JSON.parse(r.scopes) as string[];
  if (r.expires_at) rec.expiresAt = r.expires_at;
  return rec;
}

/** The system clock as ISO text: the default of `now` for the expiry of transient entities. */
const systemNow = (): string => new Date().toISOString();

/** Prepared statements cached by SQL text (query shapes repeat). */
class StatementCache {
  private readonly map = new Map<string, Statement>();
  constructor(private readonly db: Db, private readonly max = 500) {}
  get(sql: string): Statement {
    let s = this.map.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(sql, s);
    }
    return s;
  }
}

class SqliteReader implements EntityReader {
  private readonly stmts: StatementCache;
  /** Attribute IRIs that have value indexes (ensureAttributeIndexes). */
  readonly indexed = new Set<string>();
  /** The current instant for the expiry of transient entities (SqliteStorage.useClock). */
  now: () => string = systemNow;
  constructor(private readonly db: Db, private readonly registry: MatchRegistry, private readonly versions?: VersionCache) {
    this.stmts = new StatementCache(db);
  }
  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const e = getOne(this.stmts, tenant, id);
    return e && (e.expiresAt === undefined || e.expiresAt > this.now()) ? e : undefined;
  }
  /**
   * The filter as it must run now: with `aliveAt` when some transient entity has expired and is
   * not swept yet (one probe of the partial expiry index, migration 012), else unchanged, so that
   * queries keep their plans and the kept counts.
   */
  private alive(filter: EntityFilter): EntityFilter {
    if (filter.aliveAt) return filter;
    const now = this.expiryNow();
    return now === undefined ? filter : { ...filter, aliveAt: now };
  }
  /** The current instant when some stored entity has expired by now, else undefined (without reading the clock when none is transient). */
  private expiryNow(): string | undefined {
    if (this.earliest === undefined) this.earliest = this.readEarliest();
    if (this.earliest === null) return undefined;
    const now = this.now();
    return this.anyExpired(now) ? now : undefined;
  }
  /**
   * The earliest expiresAt stored (undefined: not read yet; null: no transient entity). Any read of
   * the database costs a read transaction (~8 µs, more than a GET's own lookup), so the hot paths
   * compare with this instead: writes lower it (noteExpiry, also for a write later rolled back:
   * too early only costs a probe), and once it has passed, a probe tells whether an expired entity
   * is still stored; if not (swept or rewritten), it is read again.
   */
  private earliest: string | null | undefined;
  noteExpiry(at: string): void {
    if (this.earliest !== undefined && (this.earliest === null || at < this.earliest)) this.earliest = at;
  }
  private readEarliest(): string | null {
    return (this.stmts.get('SELECT min(expires_at) AS at FROM entities WHERE expires_at IS NOT NULL').get() as { at: string | null }).at;
  }
  private anyExpired(now: string, tenant?: string): boolean {
    if (this.earliest === undefined) this.earliest = this.readEarliest();
    if (this.earliest === null || this.earliest > now) return false;
    if (this.stmts.get('SELECT 1 FROM entities WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 1').get(now) === undefined) {
      this.earliest = this.readEarliest();
      return false;
    }
    if (tenant === undefined) return true;
    return this.stmts.get('SELECT 1 FROM entities WHERE expires_at IS NOT NULL AND expires_at <= ? AND tenant = ? LIMIT 1').get(now, tenant) !== undefined;
  }
  async expired(now: string, limit: number): Promise<Array<{ tenant: string; id: string }>> {
    return this.stmts.get('SELECT tenant, id FROM entities WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?').all(now, limit) as Array<{ tenant: string; id: string }>;
  }
  async query(tenant: string, filter: EntityFilter, page: Page): Promise<QueryResult> {
    filter = this.alive(filter);
    const out: QueryResult = { entities: [] };
    if (page.limit > 0) out.entities = this.page<Row>(tenant, filter, page, COLS, '*').map(toRecord);
    if (page.count) out.count = this.count(tenant, filter);
    return out;
  }

  private compile(tenant: string, filter: EntityFilter, geoWindow: boolean): CompiledQuery {
    return compileFilter(tenant, filter, this.registry, this.indexed, (iri, values) => this.selective(tenant, iri, values), (iri) => this.geoAttrId(iri), geoWindow);
  }

  /** The rows of one page in key order (`cols` must include e.pk; `outer` is selected from a merge of branches). */
  private page<R>(tenant: string, filter: EntityFilter, page: Page, cols: string, outer: string): R[] {
    const c = this.compile(tenant, filter, true);
    try {
      if (c.geoWindow) return this.windowed<R>(c, cols, page);
      return this.stmts.get(pageSql(c, cols, outer, page)).all({ ...c.params, offset: page.offset }) as R[];
    } finally {
      for (const h of c.handles) this.registry.remove(h);
    }
  }

  /**
   * A page of a geo-query in key order, a key range at a time (migration 011): the R*Tree gives the
   * window's candidates in the range, the compiled filter tests them, and the walk stops when the
   * page is full. The next range is sized from the hits so far (at most 16 times the last), so a
   * page costs about its own entities plus a few searches, however many the window holds. One read
   * transaction: every range sees the same snapshot.
   */
  private windowed<R>(c: CompiledQuery, cols: string, page: Page): R[] {
    const g = c.geoWindow!;
    const want = page.offset + page.limit;
    const search = this.stmts.get('SELECT gid >> 6 AS pk FROM geo_index WHERE max_x >= @minX AND min_x <= @maxX AND max_y >= @minY AND min_y <= @maxY '
      + 'AND max_pk >= @lo AND min_pk <= @hi AND (gid & 63) = @attrId');
    const rows = this.stmts.get(`SELECT ${cols} FROM ${c.from} WHERE ${c.where} ORDER BY ${c.order} LIMIT ${limitLiteral(want)}`);
    return this.db.transaction(() => {
      const last = (this.stmts.get('SELECT last FROM entity_lifetimes').get() as { last: number }).last;
      const out: R[] = [];
      let lo = 1;
      let span = Math.max(2048, want * 16);
      while (out.length < want && lo <= last) {
        const hi = Math.min(last, lo + span - 1);
        // The R*Tree's key bounds are 32-bit floats, rounded outwards: keep the exact range.
        const pks = (search.all({ ...g, lo: lo * GEO_KEY_SCALE, hi: hi * GEO_KEY_SCALE }) as Array<{ pk: number }>).map((r) => r.pk).filter((pk) => pk >= lo && pk <= hi);
        let got = 0;
        if (pks.length) {
          pks.sort((a, b) => a - b);
          const hits = rows.all({ ...c.params, geopks: JSON.stringify(pks) }) as R[];
          got = Math.min(hits.length, want - out.length);
          for (let i = 0; i < got; i++) out.push(hits[i]);
        }
        const done = hi - lo + 1;
        lo = hi + 1;
        span = got > 0 ? Math.min(16 * done, Math.max(256, Math.ceil(((want - out.length) * done / got) * 1.25))) : 16 * done;
      }
      return out.slice(page.offset);
    })();
  }
  /** Number of matches: the kept count of a type (migration 010) when the filter is one type or none. */
  private count(tenant: string, filter: EntityFilter): number {
    const type = countedType(filter);
    if (type !== undefined) {
      return (this.stmts.get('SELECT n FROM entity_counts WHERE tenant = ? AND type = ?').get(tenant, type) as { n: number } | undefined)?.n ?? 0;
    }
    const c = this.compile(tenant, filter, false);
    try {
      return (this.stmts.get(`SELECT COUNT(*) AS n FROM ${c.countFrom} WHERE ${c.where}`).get(c.params) as { n: number }).n;
    } finally {
      for (const h of c.handles) this.registry.remove(h);
    }
  }

  private readonly geoAttrs = new Map<string, number>();
  /** Id of a GeoProperty name in the R*Tree ids; undefined when no value of it was ever indexed. */
  private geoAttrId(iri: string): number | undefined {
    let id = this.geoAttrs.get(iri);
    if (id === undefined) {
      id = (this.stmts.get('SELECT id FROM geo_attrs WHERE iri = ?').get(iri) as { id: number } | undefined)?.id;
      if (id !== undefined) this.geoAttrs.set(iri, id);
    }
    return id;
  }

  /**
   * Whether the value index narrows enough: at most PROBE entities have one of the values. The
   * answer is kept for a few seconds: selectivity changes slowly, the probe costs ~0.2 ms.
   */
  private selective(tenant: string, iri: string, values: unknown[]): boolean {
    const key = `${tenant}\u0000${iri}\u0000${JSON.stringify(values)}`;
    const now = Date.now();
    const hit = this.probes.get(key);
    if (hit && now - hit.at < 5000) return hit.selective;
    const ix = indexExpressions(iri);
    const sql = `SELECT count(*) AS n FROM (SELECT 1 FROM entities WHERE tenant = ? AND (${values.map(() => `${ix.scalar} = ?`).join(' OR ')}) LIMIT ${SqliteReader.PROBE + 1})`;
    const selective = (this.stmts.get(sql).get(tenant, ...values) as { n: number }).n <= SqliteReader.PROBE;
    if (this.probes.size >= 1000) this.probes.clear();
    this.probes.set(key, { selective, at: now });
    return selective;
  }
  private readonly probes = new Map<string, { selective: boolean; at: number }>();
  private static readonly PROBE = 2000;

  async queryKeys(tenant: string, filter: EntityFilter, page: Page): Promise<{ keys: EntityKey[]; count?: number }> {
    const out: { keys: EntityKey[]; count?: number } = { keys: [] };
    filter = this.alive(filter);
    if (page.limit > 0) {
      out.keys = this.page<EntityKey & { pk?: number }>(tenant, filter, page, 'e.pk, e.id, e.rev, e.pk AS born', 'id, born, rev')
        .map((k) => ({ id: k.id, born: k.born, rev: k.rev }));
    }
    if (page.count) out.count = this.count(tenant, filter);
    return out;
  }
  async getMany(tenant: string, ids: string[]): Promise<EntityRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.stmts.get(GET_MANY_SQL).all(tenant, JSON.stringify(ids)) as Row[];
    const now = this.now();
    return rows.filter((r) => r.expires_at === null || r.expires_at > now).map(toRecord);
  }
  async versionOf(tenant: string, id: string): Promise<EntityVersion | undefined> {
    // The render cache's probe on every GET: expires_at is read only when some entity has expired
    // (it is the row's last column, behind the document and any overflow pages of it).
    const now = this.expiryNow();
    if (now === undefined) {
      const known = this.versions?.get(tenant, id);
      if (known) return known;
      const v = this.stmts.get('SELECT pk AS born, rev FROM entities WHERE tenant = ? AND id = ?').get(tenant, id) as EntityVersion | undefined;
      if (v) this.versions?.remember(tenant, id, v);
      return v;
    }
    const v = this.stmts.get('SELECT pk AS born, rev, expires_at FROM entities WHERE tenant = ? AND id = ?').get(tenant, id) as (EntityVersion & { expires_at: string | null }) | undefined;
    return v && (v.expires_at === null || v.expires_at > now) ? { born: v.born, rev: v.rev } : undefined;
  }
  async typeCounts(tenant: string): Promise<Array<{ type: string; entities: number }>> {
    const kept = this.stmts.get("SELECT type, n AS entities FROM entity_counts WHERE tenant = ? AND type <> '' AND n > 0 ORDER BY type").all(tenant) as Array<{ type: string; entities: number }>;
    const now = this.now();
    if (!this.anyExpired(now, tenant)) return kept;
    // Expired entities not swept yet are still in the kept counts: take them off.
    const gone = new Map((this.stmts.get('SELECT t.type AS type, count(*) AS n FROM entities e JOIN entity_types t ON t.pk = e.pk WHERE e.expires_at IS NOT NULL AND e.expires_at <= ? AND e.tenant = ? GROUP BY t.type')
      .all(now, tenant) as Array<{ type: string; n: number }>).map((r) => [r.type, r.n]));
    return kept.map((k) => ({ type: k.type, entities: k.entities - (gone.get(k.type) ?? 0) })).filter((k) => k.entities > 0);
  }
  async typeAttributes(tenant: string): Promise<TypeAttrRow[]> {
    // A compacted instance leaves out type "Property" (sqlite.document.ts); a verbatim one (`~`) keeps its own.
    const sql = `SELECT t.type AS type, j.key AS attr, CASE WHEN json_type(j.value, '$[0]."${VERBATIM_KEY}"') IS NULL
        THEN coalesce(json_extract(j.value, '$[0].type'), 'Property') ELSE json_extract(j.value, '$[0].type') END AS attrType, COUNT(*) AS entities
      FROM entity_types t JOIN entities e ON e.pk = t.pk, json_each(e.doc) j
      WHERE t.tenant = ? AND (e.expires_at IS NULL OR e.expires_at > ?) GROUP BY t.type, j.key, attrType ORDER BY t.type, j.key`;
    const rows = this.stmts.get(sql).all(tenant, this.now()) as Array<TypeAttrRow & { attrType: AttrType }>;
    for (const r of rows) r.attr = nameOfKey(r.attr);
    // Ordered by the names, not by their stored keys (a stable sort keeps the engine's order within a name).
    return rows.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));
  }
  async attributeCounts(tenant: string): Promise<Array<{ attr: string; entities: number }>> {
    const rows = this.stmts.get('SELECT j.key AS attr, COUNT(*) AS entities FROM entities e, json_each(e.doc) j WHERE e.tenant = ? AND (e.expires_at IS NULL OR e.expires_at > ?) GROUP BY j.key').all(tenant, this.now()) as Array<{ attr: string; entities: number }>;
    for (const r of rows) r.attr = nameOfKey(r.attr);
    return rows.sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));
  }
  async tenantExists(tenant: string): Promise<boolean> {
    return this.stmts.get('SELECT 1 FROM tenants WHERE name = ?').get(tenant) !== undefined;
  }
  async listTenants(): Promise<string[]> {
    return (this.stmts.get('SELECT name FROM tenants ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
  }
}

/**
 * One page of a compiled filter in pk order. With branches (an indexed equality), each branch
 * walks its index in pk order up to offset + limit rows, and the page is taken from their merge.
 * `cols` are selected in the branches (they must include e.pk), `outer` from the merge.
 */
function pageSql(c: CompiledQuery, cols: string, outer: string, page: Page): string {
  const tail = `LIMIT ${limitLiteral(page.limit)} OFFSET @offset`;
  if (!c.branches) return `SELECT ${cols} FROM ${c.from} WHERE ${c.where} ORDER BY ${c.order} ${tail}`;
  const n = limitLiteral(page.offset + page.limit);
  const each = c.branches.map((b) => `SELECT * FROM (SELECT ${cols} FROM entities e WHERE ${b} ORDER BY e.pk LIMIT ${n})`);
  return `SELECT ${outer} FROM (${each.join(' UNION ALL ')}) ORDER BY pk ${tail}`;
}

function getOne(stmts: StatementCache, tenant: string, id: string): EntityRecord | undefined {
  const row = stmts.get(`SELECT ${COLS} FROM entities e WHERE e.tenant = ? AND e.id = ?`).get(tenant, id) as Row | undefined;
  return row ? toRecord(row) : undefined;
}

/**
 * Whether the geo index rows of an entity (one per GeoProperty, from its first instance) differ
 * between the two versions. A sensor that sends its unchanged location with every reading (an
 * upsert of the whole entity) keeps its rows: equal values are compared, not only the objects.
 */
function geoChanged(a: EntityRecord, b: EntityRecord): boolean {
  for (const [k, v] of Object.entries(b.attrs)) if (v[0]?.type === 'GeoProperty' && !sameGeo(a.attrs[k]?.[0], v[0])) return true;
  for (const [k, v] of Object.entries(a.attrs)) if (v[0]?.type === 'GeoProperty' && !sameGeo(b.attrs[k]?.[0], v[0])) return true;
  return false;
}

function sameGeo(x: AttrInstance | undefined, y: AttrInstance): boolean {
  if (x === y) return true;
  if (!x || x.type !== y.type) return false;
  if (x.value === y.value) return true;
  return x.value !== undefined && y.value !== undefined && JSON.stringify(x.value) === JSON.stringify(y.value);
}

class SqliteWriteTx implements EntityWriteTx {
  /**
   * The last written version of recently written entities, so a read-modify-write (PATCH) skips
   * loading and parsing the document when the stored rev still matches. Only this connection
   * writes; after a rollback the cache is dropped (a rolled-back rev could be reused).
   */
  private readonly recent = new Map<string, EntityRecord>();
  private static readonly RECENT_MAX = 10_000;
  constructor(private readonly stmts: StatementCache, private readonly noteExpiry: (at: string) => void = () => {}) {}
  /** The earliest expiresAt written since the last commit: told to the reader once committed. */
  private pendingExpiry: string | undefined;
  private expiryWritten(at: string): void {
    if (this.pendingExpiry === undefined || at < this.pendingExpiry) this.pendingExpiry = at;
  }
  committed(): void {
    if (this.pendingExpiry !== undefined) this.noteExpiry(this.pendingExpiry);
    this.pendingExpiry = undefined;
  }
  /**
   * The highest entity key handed out (undefined: read it from entity_lifetimes). Keys of entities
   * undone by a savepoint stay used (gaps are harmless); after a failed transaction it is read again.
   */
  private lastPk: number | undefined;
  private storedPk: number | undefined;
  /** Tenants known to be in the tenants table (saves an INSERT OR IGNORE per entity); cleared on rollback. */
  private readonly tenants = new Set<string>();
  /** Inside the transaction, just before COMMIT: stores the highest key handed out. */
  beforeCommit(): void {
    if (this.lastPk !== undefined && this.lastPk !== this.storedPk) {
      this.stmts.get('UPDATE entity_lifetimes SET last = ? WHERE last < ?').run(this.lastPk, this.lastPk);
      this.storedPk = this.lastPk;
    }
  }
  private remember(tenant: string, e: EntityRecord): void {
    const k = `${tenant}\u0000${e.id}`;
    this.recent.delete(k);
    this.recent.set(k, e);
    if (this.recent.size > SqliteWriteTx.RECENT_MAX) this.recent.delete(this.recent.keys().next().value as string);
  }
  rolledBack(): void {
    this.recent.clear();
    this.geoAttrs.clear();
    this.tenants.clear();
  }
  /** The whole transaction failed: nothing of it was stored. */
  aborted(): void {
    this.rolledBack();
    this.lastPk = this.storedPk = undefined;
  }
  async get(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const k = `${tenant}\u0000${id}`;
    const cached = this.recent.get(k);
    if (cached) {
      const row = this.stmts.get('SELECT rev FROM entities WHERE tenant = ? AND id = ?').get(tenant, id) as { rev: number } | undefined;
      if (row && row.rev === cached.rev) return cached;
      this.recent.delete(k);
      if (!row) return undefined;
    }
    const e = getOne(this.stmts, tenant, id);
    if (e) this.remember(tenant, e);
    return e;
  }
  async insert(tenant: string, e: EntityRecord): Promise<void> {
    if (!this.tenants.has(tenant)) {
      this.stmts.get('INSERT OR IGNORE INTO tenants (name, created_at) VALUES (?, ?)').run(tenant, e.createdAt);
      this.tenants.add(tenant);
    }
    // A key never handed out before (migration 009): it is the entity's lifetime stamp. Counted
    // here and stored once per commit (beforeCommit), instead of one UPDATE per entity.
    this.lastPk ??= (this.stmts.get('SELECT last FROM entity_lifetimes').get() as { last: number }).last;
    const pk = ++this.lastPk;
    try {
      this.stmts.get('INSERT INTO entities (pk, tenant, id, types, scopes, created_at, modified_at, doc, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, jsonb(?), ?)')
        .run(pk, tenant, e.id, JSON.stringify(e.types), e.scopes ? JSON.stringify(e.scopes) : null, e.createdAt, e.modifiedAt, encodeDocument(e.attrs, e.createdAt, e.modifiedAt), e.expiresAt ?? null);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StorageConflict(`entity ${e.id} exists`, { cause: err });
      throw err;
    }
    this.writeTypes(tenant, pk, e.types);
    this.writeGeo(pk, e);
    if (e.expiresAt) this.expiryWritten(e.expiresAt);
    this.remember(tenant, { ...e, rev: 1, born: pk });
  }
  async update(tenant: string, e: EntityRecord, before?: EntityRecord): Promise<void> {
    const types = JSON.stringify(e.types);
    const row = this.stmts.get('UPDATE entities SET types = ?, scopes = ?, created_at = ?, modified_at = ?, rev = rev + 1, doc = jsonb(?), expires_at = ? WHERE tenant = ? AND id = ? RETURNING pk, rev')
      .get(types, e.scopes ? JSON.stringify(e.scopes) : null, e.createdAt, e.modifiedAt, encodeDocument(e.attrs, e.createdAt, e.modifiedAt), e.expiresAt ?? null, tenant, e.id) as { pk: number; rev: number } | undefined;
    if (!row) throw new StorageNotFound(`entity ${e.id} not found`);
    if (e.expiresAt) this.expiryWritten(e.expiresAt);
    if (!before || JSON.stringify(before.types) !== types) {
      this.stmts.get('DELETE FROM entity_types WHERE pk = ?').run(row.pk);
      this.writeTypes(tenant, row.pk, e.types);
    }
    // Unchanged attributes keep their instance objects, so the geo index is rewritten only when a
    // GeoProperty was written.
    if (!before || geoChanged(before, e)) {
      this.clearGeo(row.pk);
      this.writeGeo(row.pk, e);
    }
    this.remember(tenant, { ...e, rev: row.rev, born: row.pk });
  }
  async delete(tenant: string, id: string): Promise<boolean> {
    this.recent.delete(`${tenant}\u0000${id}`);
    const row = this.stmts.get('DELETE FROM entities WHERE tenant = ? AND id = ? RETURNING pk').get(tenant, id) as { pk: number } | undefined;
    if (!row) return false;
    this.stmts.get('DELETE FROM entity_types WHERE pk = ?').run(row.pk);
    this.clearGeo(row.pk);
    return true;
  }
  private writeTypes(tenant: string, pk: number, types: string[]): void {
    const st = this.stmts.get('INSERT OR IGNORE INTO entity_types (tenant, type, pk) VALUES (?, ?, ?)');
    for (const t of types) st.run(tenant, t, pk);
  }
  private clearGeo(pk: number): void {
    const gids = this.stmts.get('DELETE FROM geo_rows WHERE pk = ? RETURNING gid').all(pk) as Array<{ gid: number }>;
    if (gids.length === 0) return;
    const del = this.stmts.get('DELETE FROM geo_index WHERE gid = ?');
    for (const g of gids) del.run(g.gid);
  }
  private writeGeo(pk: number, e: EntityRecord): void {
    for (const [attr, insts] of Object.entries(e.attrs)) {
      const inst = insts[0];
      if (!inst || inst.type !== 'GeoProperty' || inst.value === undefined) continue;
      const attrId = this.geoAttrId(attr);
      if (attrId === undefined) continue; // beyond 63 geo attribute names: queried without index
      const gid = pk * 64 + attrId;
      const [minX, minY, maxX, maxY] = bboxOf(inst.value as Parameters<typeof bboxOf>[0]);
      this.stmts.get('INSERT INTO geo_index (gid, min_x, max_x, min_y, max_y, min_pk, max_pk) VALUES (?, ?, ?, ?, ?, ?, ?)').run(gid, minX, maxX, minY, maxY, pk * GEO_KEY_SCALE, pk * GEO_KEY_SCALE);
      this.stmts.get('INSERT INTO geo_rows (pk, gid) VALUES (?, ?)').run(pk, gid);
    }
  }
  private readonly geoAttrs = new Map<string, number>();
  private geoAttrId(iri: string): number | undefined {
    let id = this.geoAttrs.get(iri);
    if (id !== undefined) return id;
    const row = this.stmts.get('SELECT id FROM geo_attrs WHERE iri = ?').get(iri) as { id: number } | undefined;
    if (row) id = row.id;
    else {
      const next = (this.stmts.get('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM geo_attrs').get() as { id: number }).id;
      if (next > 63) return undefined;
      this.stmts.get('INSERT INTO geo_attrs (id, iri) VALUES (?, ?)').run(next, iri);
      id = next;
    }
    // Ids are only cached once committed-safe: a rolled-back insert is reread (rolledBack clears).
    this.geoAttrs.set(iri, id);
    return id;
  }
}

export class SqliteStorage implements StoragePort {
  readonly engine = 'sqlite';
  readonly capabilities = { nativeGeo: false, regex: true };
  readonly entities: EntityReader;
  readonly subscriptions: SqliteSubscriptionStore;
  readonly temporal: SqliteTemporalStore;
  readonly ingest: SqliteIngestStore;
  readonly auth: SqliteAuthStore;
  readonly accounts: SqliteAccountStore;
  readonly tenants: SqliteTenantStore;
  private readonly history: SqliteHistoryWriter;
  private readonly writer: Db;
  private readonly reader: Db;
  private readonly wstmts: StatementCache;
  private readonly tx: WriteTx;
  private chain: Promise<unknown> = Promise.resolve();
  private spDepth = 0;
  private pending: Array<{ fn: (tx: WriteTx) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private readonly checkpointer: Checkpointer;
  /** Versions of recently read entities (sqlite.versions.ts): GET's cache probe without a read transaction. */
  private readonly versions: VersionCache;
  private readonly untrack: () => void;
  private readonly unlock: () => void;
  private readonly writeTx: SqliteWriteTx;
  /** Upper bound of transactions per group commit, so one group never holds the loop for long. */
  static MAX_GROUP = 256;

  /**
   * `lock: false` only for a process that reads and never writes entities (the `export` command
   * beside a running server): the lock protects the owner's in-memory state from others' writes.
   * `cacheMb`: the reader's page cache (DREHSCHEIBE_SQLITE_CACHE_MB; sqlite.database.ts).
   */
  constructor(readonly file: string, opts: { lock?: boolean; cacheMb?: number } = {}) {
    const registry = new MatchRegistry();
    this.unlock = opts.lock === false ? () => undefined : lockDatabase(file);
    try {
      this.writer = openWriter(file, registry);
    } catch (e) {
      this.unlock();
      throw e;
    }
    this.reader = openReader(file, registry, opts.cacheMb === undefined ? undefined : opts.cacheMb * 1024);
    this.wstmts = new StatementCache(this.writer);
    this.checkpointer = new Checkpointer(file);
    this.untrack = trackWrites(file, this.writer);
    this.versions = new VersionCache(file);
    const reader = new SqliteReader(this.reader, registry, this.versions);
    this.entities = reader;
    const entities = new SqliteWriteTx(this.wstmts, (at) => reader.noteExpiry(at));
    this.writeTx = entities;
    this.history = new SqliteHistoryWriter(this.writer);
    this.temporal = new SqliteTemporalStore(this.reader, registry, this.history);
    this.tx = { entities, history: this.history, savepoint: (fn) => this.savepoint(fn) };
    this.subscriptions = new SqliteSubscriptionStore(this.writer, this.reader, (fn) => this.withTransaction(() => fn()));
    this.ingest = new SqliteIngestStore(this.writer, this.reader, (fn) => this.withTransaction(() => fn()));
    this.auth = new SqliteAuthStore(this.writer, this.reader, (fn) => this.withTransaction(() => fn()));
    this.accounts = new SqliteAccountStore(this.writer, this.reader, (fn) => this.withTransaction(() => fn()));
    this.tenants = new SqliteTenantStore(this.writer, this.reader, (fn) => this.withTransaction(() => fn()), () => this.rolledBack());
  }

  static inDataDir(dataDir: string, opts: { lock?: boolean; cacheMb?: number } = {}): SqliteStorage {
    return new SqliteStorage(join(dataDir, 'drehscheibe.sqlite'), opts);
  }

  /**
   * Group commit: transactions arriving in the same turn of the event loop run in one SQLite
   * transaction, each inside its own savepoint (a failing one is undone alone). Every caller is
   * answered only after COMMIT, so an acknowledged write is durable; one WAL commit serves many.
   */
  withTransaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn: fn as (tx: WriteTx) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => { this.chain = this.chain.then(() => this.flush()); });
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.pending.splice(0, SqliteStorage.MAX_GROUP);
    if (this.pending.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.chain = this.chain.then(() => this.flush()); });
    }
    if (group.length === 0) return;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.wstmts.get('BEGIN IMMEDIATE').run();
      for (const item of group) {
        this.wstmts.get('SAVEPOINT grp').run();
        try {
          const value = await item.fn(this.tx);
          this.wstmts.get('RELEASE grp').run();
          outcomes.push({ ok: true, value });
        } catch (e) {
          this.wstmts.get('ROLLBACK TO grp').run();
          this.wstmts.get('RELEASE grp').run();
          this.rolledBack();
          outcomes.push({ ok: false, value: e });
        }
      }
      this.writeTx.beforeCommit();
      this.wstmts.get('COMMIT').run();
      this.writeTx.committed();
    } catch (e) {
      if (this.writer.inTransaction) this.wstmts.get('ROLLBACK').run();
      this.rolledBack();
      this.writeTx.aborted();
      for (const item of group) item.reject(e);
      return;
    }
    group.forEach((item, i) => (outcomes[i].ok ? item.resolve(outcomes[i].value) : item.reject(outcomes[i].value)));
  }

  private async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `sp${++this.spDepth}`;
    this.writer.exec(`SAVEPOINT ${name}`);
    try {
      const out = await fn();
      this.writer.exec(`RELEASE ${name}`);
      return out;
    } catch (e) {
      this.writer.exec(`ROLLBACK TO ${name}`);
      this.writer.exec(`RELEASE ${name}`);
      this.rolledBack();
      throw e;
    } finally {
      this.spDepth--;
    }
  }

  /**
   * Value indexes for the named attributes (expanded IRIs), so that q equality on them does not
   * scan: an expression index on the scalar value or relationship object, and a partial index of
   * the entities the scalar cannot decide (an array; vocab, json, valueList, languageMap). Indexes for attributes no longer named are dropped.
   */
  useClock(clock: { now(): Date }): void {
    (this.entities as SqliteReader).now = () => clock.now().toISOString();
  }
  async ensureAttributeIndexes(iris: string[]): Promise<void> {
    const want = new Map(iris.map((iri) => [`ix_attr_${createHash('sha1').update(iri).digest('hex').slice(0, 16)}`, iri]));
    const names = new Set([...want.keys()].flatMap((base) => [`${base}_v`, `${base}_o`]));
    const have = (this.writer.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_attr_%'").all() as Array<{ name: string }>).map((r) => r.name);
    await this.withTransaction(async () => {
      // Also the `_a` indexes of an earlier version (arrays only: other candidates were missed).
      for (const name of have) if (!names.has(name)) this.writer.exec(`DROP INDEX IF EXISTS ${name}`);
      for (const [name, iri] of want) {
        if (iri.includes("'") || iri.includes('"')) throw new Error(`cannot index attribute ${iri}`);
        const ix = indexExpressions(iri);
        this.writer.exec(`CREATE INDEX IF NOT EXISTS ${name}_v ON entities (tenant, (${ix.scalar}))`);
        this.writer.exec(`CREATE INDEX IF NOT EXISTS ${name}_o ON entities (tenant) WHERE ${ix.other}`);
      }
    });

    const reader = this.entities as SqliteReader;
    reader.indexed.clear();
    for (const iri of iris) reader.indexed.add(iri);
  }

  private rolledBack(): void {
    this.history.rolledBack();
    this.writeTx.rolledBack();
  }

  async ping(): Promise<void> {
    this.reader.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    while (this.pending.length > 0 || this.scheduled) await new Promise((r) => setImmediate(r));
    await this.chain;
    await this.checkpointer.stop();
    this.versions.close();
    this.untrack();
    this.reader.close();
    this.writer.close();
    this.unlock();
  }
}
