// History on PostgreSQL: PgHistoryWriter records attribute instances inside the one write
// transaction (same row layout and instance ids as the embedded engine); PgTemporalStore reads
// them and computes aggregates in SQL. temporal_instances is partitioned by month (migration 002):
// the writer makes sure the partition of every month it writes exists, retention drops whole ones.
import type pg from 'pg';
import type { AttrInstance, EntityFilter, Page } from '../port.ts';
import { postgresRegex } from '../regex.ts';
import type {
  AggregateQuery, AggregateRow, ExportedValue, ExportPage, HistoryEntityRef, HistoryEntry, HistoryWriter, InstanceQuery,
  StoredInstance, TemporalEntity, TemporalSeries, TemporalStore, TimeWindow,
} from '../port.temporal.ts';
import type { TypeNode } from '../query-ast.ts';
import { dropPartitionsBefore, MonthPartitions, q, type WarnFn } from './postgres.database.ts';
import type { PgTransaction } from './postgres.transaction.ts';
import { readableSql } from './postgres.query-compiler.ts';
import {
  decodeInstance, encodeInstance, exportedValue, instanceIdOf, parseInstanceId, raiseLowerBound, type EncodedFields, type InstanceRow,
} from '../instance-codec.ts';
import { aggregateSql, aggregateValues, timeColumn, windowSql } from './postgres.temporal-compiler.ts';

interface EntityRow { pk: number; id: string; types: string[]; created_at: string; deleted_at: string | null }

const COLS = 'ts, seq, num, val, doc, unit, created, modified, flags';

function seriesKey(key: string): { e: number; n: number } {
  const [e, n] = key.split('.');
  return { e: Number(e), n: Number(n) };
}

/**
 * Window and keyset condition of a page after a cursor (time, ts, seq). On ts itself the cursor
 * becomes the window's one lower bound, so the index scan starts at it (a row value (ts, ts, seq)
 * > (…) could only filter: every page scanned the window from its start).
 */
function keyset(t: string, window: TimeWindow, after: string | undefined, params: unknown[]): { window: TimeWindow; tail: () => string } {
  if (!after) return { window, tail: () => '' };
  const [ct, cts, cseq] = after.split('.').map(Number);
  if (t !== 'ts') {
    return { window, tail: () => {
      params.push(ct, cts, cseq);
      return ` AND (${t}, ts, seq) > ($${params.length - 2}::bigint, $${params.length - 1}::bigint, $${params.length}::int)`;
    } };
  }
  return { window: raiseLowerBound(window, cts), tail: () => {
    params.push(cts, cseq);
    return ` AND (ts > $${params.length - 1}::bigint OR seq > $${params.length}::int)`;
  } };
}

async function seriesOf(db: pg.Pool | pg.PoolClient, pk: number): Promise<TemporalSeries[]> {
  // Distinct names of one entity by skipping through the primary key (a loose index scan).
  const rows = await q<{ nid: number; attr: string; dataset: string }>(db, `WITH RECURSIVE s(n) AS (
      SELECT (SELECT name FROM temporal_instances WHERE entity = $1 ORDER BY name LIMIT 1)
      UNION ALL
      SELECT (SELECT name FROM temporal_instances WHERE entity = $1 AND name > s.n ORDER BY name LIMIT 1) FROM s WHERE s.n IS NOT NULL
    ) SELECT t.nid, t.attr, t.dataset FROM s JOIN temporal_names t ON t.nid = s.n ORDER BY t.attr COLLATE "C", t.dataset COLLATE "C"`, [pk]);
  return rows.map((r) => (r.dataset ? { attr: r.attr, datasetId: r.dataset, key: `${pk}.${r.nid}` } : { attr: r.attr, key: `${pk}.${r.nid}` }));
}

async function toEntity(db: pg.Pool, r: EntityRow): Promise<TemporalEntity> {
  const e: TemporalEntity = { id: r.id, types: r.types, createdAt: r.created_at, series: await seriesOf(db, r.pk) };
  if (r.deleted_at) e.deletedAt = r.deleted_at;
  return e;
}

/** State shared by the writers of one storage: the recording switch and committed name ids. */
export class TemporalShared {
  recording = true;
  /** (attr, datasetId) → nid, only ids known to be committed (names are never deleted). */
  readonly names = new Map<string, number>();
  /** Months known to have their partition (set by PgTemporalStore, which holds the pool). */
  partitions?: MonthPartitions;
}

/** The history writer of one transaction: instances are buffered in the transaction (PgTransaction). */
export class PgHistoryWriter implements HistoryWriter {
  private readonly pendingNames = new Map<string, number>();
  private readonly c: pg.PoolClient;
  constructor(private readonly tx: PgTransaction, private readonly shared: TemporalShared) {
    this.c = tx.c;
  }

  get recording(): boolean { return this.shared.recording; }

  rolledBack(): void {
    this.pendingNames.clear();
  }
  committed(): void {
    for (const [k, v] of this.pendingNames) this.shared.names.set(k, v);
  }

  private async nameId(attr: string, datasetId: string | undefined): Promise<number> {
    const ds = datasetId ?? '';
    const k = `${attr}\u0000${ds}`;
    const hit = this.shared.names.get(k) ?? this.pendingNames.get(k);
    if (hit !== undefined) return hit;
    let rows = await q<{ nid: number }>(this.c, 'INSERT INTO temporal_names (attr, dataset) VALUES ($1, $2) ON CONFLICT (attr, dataset) DO NOTHING RETURNING nid', [attr, ds]);
    if (rows.length === 0) rows = await q<{ nid: number }>(this.c, 'SELECT nid FROM temporal_names WHERE attr = $1 AND dataset = $2', [attr, ds]);
    this.pendingNames.set(k, rows[0].nid);
    return rows[0].nid;
  }

  /** The entity's history row, with its pk (pending inserts are sent first). */
  private async entityRow(tenant: string, id: string): Promise<{ pk: number } | undefined> {
    await this.tx.flush();
    const r = await this.tx.temporalRow(tenant, id);
    return r ? { pk: r.pk! } : undefined;
  }

  async record(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean> {
    if (!this.recording) return false;
    return this.append(tenant, entity, entries, at);
  }

  async append(tenant: string, entity: HistoryEntityRef, entries: HistoryEntry[], at: string): Promise<boolean> {
    const atMs = Date.parse(at);
    const rows: Array<{ name: number; f: EncodedFields }> = [];
    for (const x of entries) rows.push({ name: await this.nameId(x.attr, x.instance.datasetId as string | undefined), f: encodeInstance(x.instance, x.deleted === true, atMs) });
    await this.coverMonths(rows);
    return this.tx.bufferHistory(tenant, entity.id, entity.types, entity.deleted === true, at, rows);
  }

  /**
   * Creates the partitions of months not known yet, before their rows are buffered: on a connection
   * of its own, since creating one inside this transaction would lock the table until commit.
   */
  private async coverMonths(rows: Array<{ f: EncodedFields }>): Promise<void> {
    const parts = this.shared.partitions;
    if (!parts) return;
    let miss: number[] | undefined;
    for (const r of rows) if (!parts.covers(r.f.ts)) (miss ??= []).push(r.f.ts);
    if (miss) await parts.ensure(miss, this.c);
  }

  private async insertRows(pk: number, rows: Array<{ name: number; f: EncodedFields }>): Promise<void> {
    await this.coverMonths(rows);
    await this.tx.insertInstances(rows.map((r) => ({ pk, name: r.name, f: r.f })));
  }

  async entityExists(tenant: string, id: string): Promise<boolean> {
    return (await this.tx.temporalRow(tenant, id)) !== undefined;
  }

  private async findInstance(tenant: string, id: string, attr: string, instanceId: string) {
    const ref = parseInstanceId(instanceId);
    const ent = await this.entityRow(tenant, id);
    if (!ref || !ent || ent.pk !== ref.entity) return undefined;
    const name = (await q<{ attr: string; dataset: string }>(this.c, 'SELECT attr, dataset FROM temporal_names WHERE nid = $1', [ref.name]))[0];
    if (!name || name.attr !== attr) return undefined;
    const row = (await q<InstanceRow>(this.c, `SELECT ${COLS} FROM temporal_instances WHERE entity = $1 AND name = $2 AND ts = $3 AND seq = $4 FOR UPDATE`,
      [ref.entity, ref.name, ref.ts, ref.seq]))[0];
    return row ? { ref, row, datasetId: name.dataset || undefined } : undefined;
  }

  async patchInstance(tenant: string, id: string, attr: string, instanceId: string, fn: (old: AttrInstance) => AttrInstance, at: string): Promise<boolean> {
    const found = await this.findInstance(tenant, id, attr, instanceId);
    if (!found) return false;
    const { ref, row, datasetId } = found;
    const next = fn(decodeInstance(row, datasetId, instanceId));
    const createdMs = row.ts + row.created;
    const f = encodeInstance(next, (row.flags & 2) !== 0, createdMs);
    if (!(f.flags & 1)) f.ts = ref.ts; // an instance without observedAt keeps its place in time
    f.created = createdMs - f.ts;
    f.modified = Date.parse(at);
    if (f.ts === ref.ts) {
      await q(this.c, 'UPDATE temporal_instances SET num = $1, val = $2, doc = $3, unit = $4, created = $5, modified = $6, flags = $7 WHERE entity = $8 AND name = $9 AND ts = $10 AND seq = $11',
        [f.num, f.val, f.doc, f.unit, f.created, f.modified, f.flags, ref.entity, ref.name, ref.ts, ref.seq]);
    } else {
      await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1 AND name = $2 AND ts = $3 AND seq = $4', [ref.entity, ref.name, ref.ts, ref.seq]);
      await this.insertRows(ref.entity, [{ name: ref.name, f }]);
    }
    return true;
  }

  async deleteInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<boolean> {
    const found = await this.findInstance(tenant, id, attr, instanceId);
    if (!found) return false;
    const { ref } = found;
    await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1 AND name = $2 AND ts = $3 AND seq = $4', [ref.entity, ref.name, ref.ts, ref.seq]);
    return true;
  }

  async deleteAttr(tenant: string, id: string, attr: string, datasetId: string | undefined): Promise<boolean> {
    const ent = await this.entityRow(tenant, id);
    if (!ent) return false;
    const rows = datasetId === '*'
      ? await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1 AND name IN (SELECT nid FROM temporal_names WHERE attr = $2) RETURNING 1', [ent.pk, attr])
      : await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1 AND name IN (SELECT nid FROM temporal_names WHERE attr = $2 AND dataset = $3) RETURNING 1', [ent.pk, attr, datasetId ?? '']);
    return rows.length > 0;
  }

  async deleteEntity(tenant: string, id: string): Promise<boolean> {
    const ent = await this.entityRow(tenant, id);
    if (!ent) return false;
    await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1', [ent.pk]);
    await q(this.c, 'DELETE FROM temporal_entities WHERE pk = $1', [ent.pk]);
    this.tx.temporal.set(`${tenant}\u0000${id}`, { pk: -1, types: [], deleted: false, last: null });
    return true;
  }

  async listEntities(afterKey: number, n: number): Promise<Array<{ key: number; types: string[] }>> {
    await this.tx.flush();
    const rows = await q<{ pk: number; types: string[] }>(this.c, 'SELECT pk, types FROM temporal_entities WHERE pk > $1 ORDER BY pk LIMIT $2', [afterKey, n]);
    return rows.map((r) => ({ key: r.pk, types: r.types }));
  }

  async deleteBefore(key: number, cutoff: number): Promise<number> {
    await this.tx.flush();
    const n = (await q(this.c, 'DELETE FROM temporal_instances WHERE entity = $1 AND ts < $2 RETURNING 1', [key, cutoff])).length;
    // A deleted entity whose history has run out leaves no trace.
    if (n > 0) await q(this.c, 'DELETE FROM temporal_entities WHERE pk = $1 AND deleted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM temporal_instances WHERE entity = $1)', [key]);
    return n;
  }
}

/** Reads of the history (committed data only). */
export class PgTemporalStore implements TemporalStore {
  constructor(private readonly pool: pg.Pool, private readonly shared: TemporalShared,
    private readonly current: { matchingIds(tenant: string, f: EntityFilter): Promise<string[]> }, private readonly warn?: WarnFn) {
    shared.partitions ??= new MonthPartitions(pool, undefined, warn);
  }

  /** Drops the monthly partitions wholly before cutoff (retention); returns the instances they held. */
  async dropPartitionsBefore(cutoff: number): Promise<number> {
    const r = await dropPartitionsBefore(this.pool, cutoff, undefined, this.warn);
    if (r.months.length === 0) return 0;
    this.shared.partitions?.forget(r.months);
    // A deleted entity whose history went with the partitions leaves no trace (as in deleteBefore).
    await q(this.pool, 'DELETE FROM temporal_entities te WHERE te.deleted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM temporal_instances i WHERE i.entity = te.pk)');
    return r.instances;
  }

  setRecording(on: boolean): void {
    this.shared.recording = on;
  }

  async getEntity(tenant: string, id: string): Promise<TemporalEntity | undefined> {
    const r = (await q<EntityRow>(this.pool, 'SELECT pk, id, types, created_at, deleted_at FROM temporal_entities WHERE tenant = $1 AND id = $2', [tenant, id]))[0];
    return r ? toEntity(this.pool, r) : undefined;
  }

  async queryEntities(tenant: string, f: EntityFilter, page: Page): Promise<{ entities: TemporalEntity[]; count?: number }> {
    const params: unknown[] = [tenant];
    const p = (v: unknown, cast: string) => { params.push(v); return `$${params.length}${cast}`; };
    const where = ['te.tenant = $1'];
    const types = (t: TypeNode): string => (t.kind === 'type' ? `te.types @> ARRAY[${p(t.name, '::text')}]` : `(${t.items.map(types).join(t.kind === 'and' ? ' AND ' : ' OR ')})`);
    if (f.types) where.push(types(f.types));
    // Type-level read access against every type the history has had (docs/security.md).
    if (f.readable) where.push(...readableSql(f.readable, 'te.types', (v) => p(v, '::text[]')));
    if (f.ids?.length) where.push(`te.id = ANY(${p(f.ids, '::text[]')})`);
    if (f.idPattern) where.push(`te.id ~ ${p(postgresRegex(f.idPattern), '::text')}`);
    // Transient entities expired and not yet swept have no temporal evolution either (clause 4.5.1).
    if (f.aliveAt) where.push(`NOT EXISTS (SELECT 1 FROM entities x WHERE x.tenant = te.tenant AND x.id = te.id AND x.expires_at IS NOT NULL AND x.expires_at <= ${p(f.aliveAt, '::text')})`);
    if (f.anyAttrs?.length) {
      where.push(`EXISTS (SELECT 1 FROM temporal_names n WHERE n.attr = ANY(${p(f.anyAttrs, '::text[]')}) AND EXISTS (SELECT 1 FROM temporal_instances i WHERE i.entity = te.pk AND i.name = n.nid))`);
    }
    // q, scopeQ and geo are evaluated against the current state of the entities.
    if (f.q || f.scopeQ || f.geo) where.push(`te.id = ANY(${p(await this.current.matchingIds(tenant, { q: f.q, scopeQ: f.scopeQ, geo: f.geo }), '::text[]')})`);
    const out: { entities: TemporalEntity[]; count?: number } = { entities: [] };
    if (page.limit > 0) {
      const rows = await q<EntityRow>(this.pool, `SELECT te.pk, te.id, te.types, te.created_at, te.deleted_at FROM temporal_entities te WHERE ${where.join(' AND ')} ORDER BY te.pk LIMIT ${Number(page.limit)} OFFSET ${Number(page.offset)}`, params);
      out.entities = await Promise.all(rows.map((r) => toEntity(this.pool, r)));
    }
    if (page.count) out.count = (await q<{ n: number }>(this.pool, `SELECT count(*) AS n FROM temporal_entities te WHERE ${where.join(' AND ')}`, params))[0].n;
    return out;
  }

  async instances(series: TemporalSeries, iq: InstanceQuery): Promise<StoredInstance[]> {
    const { e, n } = seriesKey(series.key);
    const params: unknown[] = [e, n];
    const t = timeColumn(iq.window.property);
    const k = keyset(t, iq.window, iq.after, params);
    let where = `entity = $1 AND name = $2${windowSql(k.window, params)}`;
    where += k.tail();
    const dir = iq.newest ? 'DESC' : 'ASC';
    const order = t === 'ts' ? `ts ${dir}, seq ${dir}` : `${t} ${dir}, ts ${dir}, seq ${dir}`;
    params.push(iq.limit);
    const rows = await q<InstanceRow & { t: number }>(this.pool, `SELECT ${COLS}, ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
    if (iq.newest) rows.reverse();
    return rows.map((r) => {
      const instanceId = instanceIdOf(e, n, r.ts, r.seq);
      return { instance: decodeInstance(r, series.datasetId, instanceId), instanceId, time: r.t, deleted: (r.flags & 2) !== 0, cursor: `${r.t}.${r.ts}.${r.seq}` };
    });
  }

  async exportValues(series: TemporalSeries, eq: { window: TimeWindow; limit: number; after?: string }): Promise<ExportPage> {
    const { e, n } = seriesKey(series.key);
    const params: unknown[] = [e, n];
    const t = timeColumn(eq.window.property);
    const k = keyset(t, eq.window, eq.after, params);
    let where = `entity = $1 AND name = $2 AND (flags & 2) = 0${windowSql(k.window, params)}`;
    where += k.tail();
    const order = t === 'ts' ? 'ts, seq' : `${t}, ts, seq`;
    params.push(eq.limit);
    // No instance document: an export reads millions of rows.
    const rows = await q<{ t: number; ts: number; seq: number; num: number | null; val: string | null; unit: string | null; flags: number }>(this.pool,
      `SELECT ${t} AS t, ts, seq, num, val, unit, flags FROM temporal_instances WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
    const values = new Array<ExportedValue>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      values[i] = { time: r.t, value: exportedValue(r.num, r.val, r.flags), unitCode: r.unit };
    }
    const last = rows[rows.length - 1];
    return rows.length === eq.limit ? { values, next: `${last.t}.${last.ts}.${last.seq}` } : { values };
  }

  async aggregate(series: TemporalSeries, aq: AggregateQuery): Promise<AggregateRow[]> {
    const { e, n } = seriesKey(series.key);
    const params: unknown[] = [e, n];
    const c = aggregateSql(aq.methods, aq.window, params);
    if (c.needsShift) {
      const p2: unknown[] = [e, n];
      const k = (await q<{ num: number }>(this.pool, `SELECT num FROM temporal_instances WHERE entity = $1 AND name = $2 AND num IS NOT NULL${windowSql(aq.window, p2)} LIMIT 1`, p2))[0];
      params[c.kParam - 1] = k?.num ?? 0;
    }
    params[c.loParam - 1] = aq.bounds.map((b) => b[0]);
    params[c.hiParam - 1] = aq.bounds.map((b) => b[1]);
    const rows = await q<Record<string, number | string | null> & { k: number }>(this.pool, c.sql, params);
    const out: AggregateRow[] = [];
    for (const r of rows) {
      const values = aggregateValues(aq.methods, c.slots, r);
      if (values) out.push({ period: r.k, values });
    }
    return out;
  }

  async span(series: TemporalSeries, window: TimeWindow): Promise<{ first: number; last: number } | undefined> {
    const { e, n } = seriesKey(series.key);
    const params: unknown[] = [e, n];
    const t = timeColumn(window.property);
    const where = `entity = $1 AND name = $2${windowSql(window, params)}`;
    const order = (dir: string) => (t === 'ts' ? `ts ${dir}, seq ${dir}` : `${t} ${dir}`);
    const first = (await q<{ t: number }>(this.pool, `SELECT ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order('ASC')} LIMIT 1`, params))[0];
    if (!first) return undefined;
    const last = (await q<{ t: number }>(this.pool, `SELECT ${t} AS t FROM temporal_instances WHERE ${where} ORDER BY ${order('DESC')} LIMIT 1`, params))[0];
    return { first: first.t, last: last.t };
  }

  async stats(): Promise<{ instances: number; bytes?: number }> {
    const n = (await q<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM temporal_instances'))[0].n;
    const b = (await q<{ b: number | null }>(this.pool, `SELECT sum(pg_total_relation_size(c.oid)) AS b FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'temporal_instances'::regclass`))[0].b;
    return { instances: n, bytes: b ?? 0 };
  }
}
