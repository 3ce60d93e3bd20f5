// The embedded engine's history: SqliteHistoryWriter records attribute instances on the writer
// connection inside the one write transaction; SqliteTemporalStore reads them on the reader.
import { limitLiteral } from './sqlite.query-compiler.ts';
import type { Statement } from 'better-sqlite3';
import type { AttrInstance, EntityFilter, Page } from '../port.ts';
import type {
  AggregateQuery, AggregateRow, ExportedValue, ExportPage, HistoryEntityRef, HistoryEntry, HistoryWriter, InstanceQuery,
  StoredInstance, TemporalEntity, TemporalSeries, TemporalStore, TimeWindow,
} from '../port.temporal.ts';
import type { Db, MatchRegistry } from './sqlite.database.ts';
import {
  decodeInstance, encodeInstance, exportedValue, F_DELETED, instanceIdOf, raiseLowerBound, parseInstanceId, type EncodedFields, type InstanceRow,
} from '../instance-codec.ts';
import { aggregateValues, compileAggregate, compileTemporalFilter, timeColumn, windowSql } from './sqlite.temporal-compiler.ts';

class Stmts {
  private readonly map = new Map<string, Statement>();
  constructor(private readonly db: Db) {}
  get(sql: string): Statement {
    let s = this.map.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.map.size > 300) this.map.delete(this.map.keys().next().value as string);
      this.map.set(sql, s);
    }
    return s;
  }
}

interface EntityRow { pk: number; id: string; types: string; created_at: string; deleted_at: string | null }
/** What the writer keeps of a temporal_entities row; last_ts ≥ every instance's ts (NULL: no instances yet). */
interface WriterEntityRow { pk: number; types: string; deleted_at: string | null; last_ts: number | null }

const SERIES_SQL = `WITH RECURSIVE s(n) AS (
    SELECT (SELECT name FROM temporal_instances WHERE entity = @e ORDER BY name LIMIT 1)
    UNION ALL
    SELECT (SELECT name FROM temporal_instances WHERE entity = @e AND name > s.n ORDER BY name LIMIT 1) FROM s WHERE s.n IS NOT NULL
  ) SELECT t.nid, t.attr, t.dataset FROM s JOIN temporal_names t ON t.nid = s.n ORDER BY t.attr, t.dataset`;

const COLS = 'ts, seq, num, val, doc, unit, created, modified, flags';
// Multi-row INSERTs are written OR IGNORE on purpose: a plain multi-row INSERT inside a transaction
// makes SQLite open and release a statement journal per statement (it might fail half-way), which
// cost more than the inserts themselves (a profile of batch upserts: a quarter of all CPU time in
// sqlite3BtreeSavepoint). No row can conflict (seq is computed, a statement never holds two rows with
// the same (name, ts)), and insertRows checks that every row was written, so nothing is lost silently.
const INSERT_ROW = '(?, ?, ?, COALESCE((SELECT max(seq) + 1 FROM temporal_instances WHERE entity = ? AND name = ? AND ts = ?), 0), ?, ?, ?, ?, ?, ?, ?)';
const INSERT_SQL = Array.from({ length: 33 }, (_, n) => `INSERT OR IGNORE INTO temporal_instances (entity, name, ts, seq, num, val, doc, unit, created, modified, flags) VALUES ${Array(n).fill(INSERT_ROW).join(', ')}`);
/** For an entity whose history starts in this write: no earlier rows, so every seq is 0. */
const INSERT_NEW_ROW = '(?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_NEW_SQL = Array.from({ length: 33 }, (_, n) => `INSERT OR IGNORE INTO temporal_instances (entity, name, ts, seq, num, val, doc, unit, created, modified, flags) VALUES ${Array(n).fill(INSERT_NEW_ROW).join(', ')}`);
const MAX_ROWS = 32;
/** temporal_entities rows the writer keeps (about 150 bytes each). */
const ENTITY_ROWS_MAX = 10_000;

function seriesKey(key: string): { e: number; n: number } {
  const [e, n] = key.split('.');
  return { e: Number(e), n: Number(n) };
}

/**
 * Window and keyset condition of a page after a cursor (time, ts, seq). On ts itself the cursor
 * becomes the window's one lower bound, so that SQLite seeks the primary key to it: with a row value
 * (ts, ts, seq) > (…), or with a second lower bound beside the window's, it started every page at
 * the window's start and filtered (quadratic over a long export).
 */
function keyset(t: string, window: TimeWindow, after: string | undefined, params: Record<string, unknown>): { window: TimeWindow; sql: string } {
  if (!after) return { window, sql: '' };
  const [ct, cts, cseq] = after.split('.').map(Number);
  if (t !== 'ts') {
    Object.assign(params, { ct, cts, cseq });
    return { window, sql: ` AND (${t}, ts, seq) > (@ct, @cts, @cseq)` };
  }
  Object.assign(params, { cts, cseq });
  return { window: raiseLowerBound(window, cts), sql: ' AND (ts > @cts OR seq > @cseq)' };
}

function seriesOf(stmts: Stmts, pk: number): TemporalSeries[] {
  const rows = stmts.get(SERIES_SQL).all({ e: pk }) as Array<{ nid: number; attr: string; dataset: string }>;
  return rows.map((r) => (r.dataset ? { attr: r.attr, datasetId: r.dataset, key: `${pk}.${r.nid}` } : { attr: r.attr, key: `${pk}.${r.nid}` }));
}

function toEntity(stmts: Stmts, r: EntityRow): TemporalEntity {
  const e: TemporalEntity = { id: r.id, types: JSON.parse(r.types) as string[], createdAt: r.created_at, series: seriesOf(stmts, r.pk) };
  if (r.deleted_at) e.deletedAt = r.deleted_at;
  return e;
}

export class SqliteHistoryWriter implements HistoryWriter {
  private readonly stmts: Stmts;
  /** (attr, datasetId) → nid; cleared on every rollback, since a rolled-back nid may be reused. */
  private readonly names = new Map<string, Map<string, number>>();
  recording = true;

  constructor(db: Db) {
    this.stmts = new Stmts(db);
  }

  /** The adapter calls this when a transaction or savepoint rolls back. */
  rolledBack(): void {
    this.names.clear();
    this.entityRows.clear();
    this.tenants.clear();
  }

  private nameId(attr: string, datasetId: string | undefined): number {
    const ds = datasetId ?? '';
    // Keyed by the attribute string itself (no concatenation: its hash is computed once per string).
    let byDs = this.names.get(attr);
    let nid = byDs?.get(ds);
    if (nid === undefined) {
      const row = this.stmts.get('SELECT nid FROM temporal_names WHERE attr = ? AND dataset = ?').get(attr, ds) as { nid: number } | undefined;
      nid = row ? row.nid : Number(this.stmts.get('INSERT INTO temporal_names (attr, dataset) VALUES (?, ?)').run(attr, ds).lastInsertRowid);
      if (!byDs) this.names.set(attr, byDs = new Map());
      byDs.set(ds, nid);
    }
    return nid;
  }

  /** temporal_entities rows of recently written entities (saves a lookup per write); dropped on rollback. */
  private readonly entityRows = new Map<string, WriterEntityRow>();
  /** Tenants known to exist in the tenants table (saves an INSERT OR IGNORE per new entity); cleared on rollback. */
  private readonly tenants = new Set<string>();

  private entityRow(tenant: string, id: string): WriterEntityRow | undefined {
    const k = `${tenant}\u0000${id}`;
    const hit = this.entityRows.get(k);
    if (hit) return hit;
    const row = this.stmts.get('SELECT pk, types, deleted_at, last_ts FROM temporal_entities WHERE tenant = ? AND id = ?').get(tenant, id) as WriterEntityRow | undefined;
    if (row) this.rememberRow(k, row);
    return row;
  }

  /** Keeps temporal_entities.last_ts an upper bound of the entity's instance times. */
  private bumpLastTs(row: WriterEntityRow, ts: number): void {
    if (row.last_ts !== null && row.last_ts >= ts) return;
    this.stmts.get('UPDATE temporal_entities SET last_ts = ? WHERE pk = ?').run(ts, row.pk);
    row.last_ts = ts;
  }

  private rememberRow(k: string, row: WriterEntityRow): void {
    // Evicts the oldest tenth at once: deleting one key per insertion from the front of a large Map
    // makes V8 step over ever more deleted slots (a profile showed several µs per call).
    if (this.entityRows.size >= ENTITY_ROWS_MAX && !this.entityRows.has(k)) {
      let drop = ENTITY_ROWS_MAX / 10;
      for (const old of this.entityRows.keys()) {
        this.entityRows.delete(old);
        if (--drop === 0) break;
      }
    }
    this.entityRows.set(k, row);
  }

  async record(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean> {
    if (!this.recording) return false;
    return this.append(tenant, entity, entries, at);
  }

  async append(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean> {
    const atMs = Date.parse(at);
    let minTs = Infinity;
    let maxTs = -Infinity;
    const rows = entries.map((x) => {
      const f = encodeInstance(x.instance, x.deleted === true, atMs);
      if (f.ts < minTs) minTs = f.ts;
      if (f.ts > maxTs) maxTs = f.ts;
      return { name: this.nameId(x.attr, x.instance.datasetId as string | undefined), f };
    });
    let row = this.entityRow(tenant, entity.id);
    const types = JSON.stringify(entity.types);
    if (!row) {
      if (!this.tenants.has(tenant)) {
        this.stmts.get('INSERT OR IGNORE INTO tenants (name, created_at) VALUES (?, ?)').run(tenant, at);
        this.tenants.add(tenant);
      }
      const lastTs = rows.length ? maxTs : null;
      const pk = Number(this.stmts.get('INSERT INTO temporal_entities (tenant, id, types, created_at, deleted_at, last_ts) VALUES (?, ?, ?, ?, ?, ?)')
        .run(tenant, entity.id, types, at, entity.deleted ? at : null, lastTs).lastInsertRowid);
      row = { pk, types, deleted_at: entity.deleted ? at : null, last_ts: lastTs };
      this.rememberRow(`${tenant}\u0000${entity.id}`, row);
      if (rows.length) this.insertRows(pk, rows, true);
      return true;
    }
    if ((row.types !== types && entity.types.length) || Boolean(row.deleted_at) !== Boolean(entity.deleted)) {
      const have = JSON.parse(row.types) as string[];
      const merged = JSON.stringify([...new Set([...have, ...entity.types])]);
      this.stmts.get('UPDATE temporal_entities SET types = ?, deleted_at = ? WHERE pk = ?').run(merged, entity.deleted ? at : null, row.pk);
      row = { pk: row.pk, types: merged, deleted_at: entity.deleted ? at : null, last_ts: row.last_ts };
      this.rememberRow(`${tenant}\u0000${entity.id}`, row);
    }
    if (rows.length === 0) return false;
    // Instances later than every earlier one of the entity cannot share a (name, ts) with them:
    // seq is 0 without looking (the common case: a sensor's next value).
    this.insertRows(row.pk, rows, row.last_ts === null || minTs > row.last_ts);
    this.bumpLastTs(row, maxTs);
    return false;
  }


  /** Multi-row inserts; a statement never holds two rows with the same (name, ts), so each seq sees the rows before. */
  private insertRows(pk: number, rows: Array<{ name: number; f: EncodedFields }>, fresh = false): void {
    let chunk: unknown[] = [];
    let keys = new Set<string>();
    const flush = () => {
      const n = keys.size;
      if (n === 0) return;
      const written = this.stmts.get((fresh ? INSERT_NEW_SQL : INSERT_SQL)[n]).run(chunk).changes;
      if (written !== n) throw new Error(`history: ${n - written} of ${n} instances of entity ${pk} were not written`);
      chunk = [];
      keys = new Set();
    };
    for (const { name, f } of rows) {
      const k = `${name}.${f.ts}`;
      if (keys.has(k)) {
        flush();
        fresh = false; // a second row at the same (name, ts) needs the seq lookup
      } else if (keys.size >= MAX_ROWS) flush();
      keys.add(k);
      if (fresh) chunk.push(pk, name, f.ts, f.num, f.val, f.doc, f.unit, f.created, f.modified, f.flags);
      else chunk.push(pk, name, f.ts, pk, name, f.ts, f.num, f.val, f.doc, f.unit, f.created, f.modified, f.flags);
    }
    flush();
  }

  async entityExists(tenant: string, id: string): Promise<boolean> {
    return this.entityRow(tenant, id) !== undefined;
  }

  /** The stored row an instanceId points at, if it belongs to this entity and attribute. */
  private findInstance(tenant: string, id: string, attr: string, instanceId: string) {
    const ref = parseInstanceId(instanceId);
    const ent = this.entityRow(tenant, id);
    if (!ref || !ent || ent.pk !== ref.entity) return undefined;
    const name = this.stmts.get('SELECT attr, dataset FROM temporal_names WHERE nid = ?').get(ref.name) as { attr: string; dataset: string } | undefined;
    if (!name || name.attr !== attr) return undefined;
    const row = this.stmts.get(`SELECT ${COLS} FROM temporal_instances WHERE entity = ? AND name = ? AND ts = ? AND seq = ?`)
      .get(ref.entity, ref.name, ref.ts, ref.seq) as InstanceRow | undefined;
    return row ? { ref, row, datasetId: name.dataset || undefined } : undefined;
  }

  async patchInstance(tenant: string, id: string, attr: string, instanceId: string, fn: (old: AttrInstance) => AttrInstance, at: string): Promise<boolean> {
    const found = this.findInstance(tenant, id, attr, instanceId);
    if (!found) return false;
    const { ref, row, datasetId } = found;
    const next = fn(decodeInstance(row, datasetId, instanceId));
    const atMs = Date.parse(at);
    const createdMs = row.ts + row.created;
    const f = encodeInstance(next, (row.flags & 2) !== 0, createdMs);
    // An instance without observedAt keeps its place in time.
    if (!(f.flags & 1)) f.ts = ref.ts;
    f.created = createdMs - f.ts;
    f.modified = atMs;
    if (f.ts === ref.ts) {
      this.stmts.get('UPDATE temporal_instances SET num = ?, val = ?, doc = ?, unit = ?, created = ?, modified = ?, flags = ? WHERE entity = ? AND name = ? AND ts = ? AND seq = ?')
        .run(f.num, f.val, f.doc, f.unit, f.created, f.modified, f.flags, ref.entity, ref.name, ref.ts, ref.seq);
    } else {
      // A changed observedAt moves the instance in time (and so changes its instanceId).
      this.stmts.get('DELETE FROM temporal_instances WHERE entity = ? AND name = ? AND ts = ? AND seq = ?').run(ref.entity, ref.name, ref.ts, ref.seq);
      this.insertRows(ref.entity, [{ name: ref.name, f }]);
      const ent = this.entityRow(tenant, id);
      if (ent) this.bumpLastTs(ent, f.ts);
    }
    return true;
  }

  async deleteInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<boolean> {
    const found = this.findInstance(tenant, id, attr, instanceId);
    if (!found) return false;
    const { ref } = found;
    this.stmts.get('DELETE FROM temporal_instances WHERE entity = ? AND name = ? AND ts = ? AND seq = ?').run(ref.entity, ref.name, ref.ts, ref.seq);
    return true;
  }

  async deleteAttr(tenant: string, id: string, attr: string, datasetId: string | undefined): Promise<boolean> {
    const ent = this.entityRow(tenant, id);
    if (!ent) return false;
    const names = (datasetId === '*'
      ? this.stmts.get('SELECT nid FROM temporal_names WHERE attr = ?').all(attr)
      : this.stmts.get('SELECT nid FROM temporal_names WHERE attr = ? AND dataset = ?').all(attr, datasetId ?? '')) as Array<{ nid: number }>;
    let n = 0;
    for (const { nid } of names) n += this.stmts.get('DELETE FROM temporal_instances WHERE entity = ? AND name = ?').run(ent.pk, nid).changes;
    return n > 0;
  }

  async deleteEntity(tenant: string, id: string): Promise<boolean> {
    const ent = this.entityRow(tenant, id);
    if (!ent) return false;
    this.stmts.get('DELETE FROM temporal_instances WHERE entity = ?').run(ent.pk);
    this.stmts.get('DELETE FROM temporal_entities WHERE pk = ?').run(ent.pk);
    this.entityRows.clear();
    return true;
  }

  async listEntities(afterKey: number, n: number): Promise<Array<{ key: number; types: string[] }>> {
    const rows = this.stmts.get('SELECT pk, types FROM temporal_entities WHERE pk > ? ORDER BY pk LIMIT ?').all(afterKey, n) as Array<{ pk: number; types: string }>;
    return rows.map((r) => ({ key: r.pk, types: JSON.parse(r.types) as string[] }));
  }

  async deleteBefore(key: number, cutoff: number): Promise<number> {
    let n = 0;
    for (const s of seriesOf(this.stmts, key)) {
      n += this.stmts.get('DELETE FROM temporal_instances WHERE entity = ? AND name = ? AND ts < ?').run(key, seriesKey(s.key).n, cutoff).changes;
    }
    // A deleted entity whose history has run out leaves no trace.
    if (n > 0) this.stmts.get('DELETE FROM temporal_entities WHERE pk = ? AND deleted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM temporal_instances WHERE entity = ?)').run(key, key);
    return n;
  }
}

export class SqliteTemporalStore implements TemporalStore {
  private readonly stmts: Stmts;
  constructor(private readonly db: Db, private readonly registry: MatchRegistry, private readonly writer: SqliteHistoryWriter) {
    this.stmts = new Stmts(db);
  }

  setRecording(on: boolean): void {
    this.writer.recording = on;
  }

  async getEntity(tenant: string, id: string): Promise<TemporalEntity | undefined> {
    const r = this.stmts.get('SELECT pk, id, types, created_at, deleted_at FROM temporal_entities WHERE tenant = ? AND id = ?').get(tenant, id) as EntityRow | undefined;
    return r ? toEntity(this.stmts, r) : undefined;
  }

  async queryEntities(tenant: string, filter: EntityFilter, page: Page): Promise<{ entities: TemporalEntity[]; count?: number }> {
    const c = compileTemporalFilter(tenant, filter, this.registry);
    try {
      const out: { entities: TemporalEntity[]; count?: number } = { entities: [] };
      if (page.limit > 0) {
        const rows = this.stmts.get(`SELECT te.pk, te.id, te.types, te.created_at, te.deleted_at FROM temporal_entities te WHERE ${c.where} ORDER BY te.pk LIMIT ${limitLiteral(page.limit)} OFFSET @offset`)
          .all({ ...c.params, offset: page.offset }) as EntityRow[];
        out.entities = rows.map((r) => toEntity(this.stmts, r));
      }
      if (page.count) out.count = (this.stmts.get(`SELECT COUNT(*) AS n FROM temporal_entities te WHERE ${c.where}`).get(c.params) as { n: number }).n;
      return out;
    } finally {
      for (const h of c.handles) this.registry.remove(h);
    }
  }

  async instances(series: TemporalSeries, q: InstanceQuery): Promise<StoredInstance[]> {
    const { e, n } = seriesKey(series.key);
    const params: Record<string, unknown> = { e, n, limit: q.limit };
    const t = timeColumn(q.window.property);
    const k = keyset(t, q.window, q.after, params);
    const where = `entity = @e AND name = @n${windowSql(k.window, params)}${k.sql}`;
    const dir = q.newest ? 'DESC' : 'ASC';
    const order = t === 'ts' ? `ts ${dir}, seq ${dir}` : `${t} ${dir}, ts ${dir}, seq ${dir}`;
    const rows = this.stmts.get(`SELECT ${COLS}, ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order} LIMIT @limit`).all(params) as Array<InstanceRow & { t: number }>;
    if (q.newest) rows.reverse();
    return rows.map((r) => {
      const instanceId = instanceIdOf(e, n, r.ts, r.seq);
      return { instance: decodeInstance(r, series.datasetId, instanceId), instanceId, time: r.t, deleted: (r.flags & 2) !== 0, cursor: `${r.t}.${r.ts}.${r.seq}` };
    });
  }

  async exportValues(series: TemporalSeries, q: { window: TimeWindow; limit: number; after?: string }): Promise<ExportPage> {
    const { e, n } = seriesKey(series.key);
    const params: Record<string, unknown> = { e, n, limit: q.limit };
    const t = timeColumn(q.window.property);
    const k = keyset(t, q.window, q.after, params);
    const where = `entity = @e AND name = @n AND (flags & ${F_DELETED}) = 0${windowSql(k.window, params)}${k.sql}`;
    const order = t === 'ts' ? 'ts, seq' : `${t}, ts, seq`;
    // Raw rows (arrays) and no instance document: an export reads millions of them.
    const stmt = this.stmts.get(`SELECT ${t} AS t, ts, seq, num, val, unit, flags FROM temporal_instances WHERE ${where} ORDER BY ${order} LIMIT @limit`);
    const rows = stmt.raw(true).all(params) as Array<[number, number, number, number | null, string | null, string | null, number]>;
    const values = new Array<ExportedValue>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      values[i] = { time: r[0], value: exportedValue(r[3], r[4], r[6]), unitCode: r[5] };
    }
    const last = rows[rows.length - 1];
    return rows.length === q.limit ? { values, next: `${last[0]}.${last[1]}.${last[2]}` } : { values };
  }

  async aggregate(series: TemporalSeries, q: AggregateQuery): Promise<AggregateRow[]> {
    const { e, n } = seriesKey(series.key);
    const params: Record<string, unknown> = { e, n };
    const c = compileAggregate(q.methods, q.window, params);
    if (c.needsShift) {
      const p2: Record<string, unknown> = { e, n };
      const k = this.stmts.get(`SELECT num FROM temporal_instances WHERE entity = @e AND name = @n AND num IS NOT NULL${windowSql(q.window, p2)} LIMIT 1`).get(p2) as { num: number } | undefined;
      params.k = k?.num ?? 0;
    }
    params.bounds = JSON.stringify(q.bounds);
    const rows = this.stmts.get(c.sql).all(params) as Array<{ k: number; r: string | null }>;
    const out: AggregateRow[] = [];
    for (const r of rows) {
      if (r.r === null) continue;
      const values = aggregateValues(q.methods, c.slots, r.r);
      if (values) out.push({ period: r.k, values });
    }
    return out;
  }

  async span(series: TemporalSeries, window: TimeWindow): Promise<{ first: number; last: number } | undefined> {
    const { e, n } = seriesKey(series.key);
    const params: Record<string, unknown> = { e, n };
    const t = timeColumn(window.property);
    const where = `entity = @e AND name = @n${windowSql(window, params)}`;
    // Two ordered seeks rather than min()+max() in one statement, which would scan the range.
    const order = (dir: string) => (t === 'ts' ? `ts ${dir}, seq ${dir}` : `${t} ${dir}`);
    const first = this.stmts.get(`SELECT ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order('ASC')} LIMIT 1`).get(params) as { t: number } | undefined;
    if (!first) return undefined;
    const last = this.stmts.get(`SELECT ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order('DESC')} LIMIT 1`).get(params) as { t: number };
    return { first: first.t, last: last.t };
  }

  async stats(): Promise<{ instances: number; bytes?: number }> {
    const n = (this.stmts.get('SELECT COUNT(*) AS n FROM temporal_instances').get() as { n: number }).n;
    try {
      const b = this.db.prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name = 'temporal_instances'").get() as { b: number | null };
      return { instances: n, bytes: b.b ?? 0 };
    } catch {
      return { instances: n };
    }
  }
}
