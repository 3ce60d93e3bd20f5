// The reports store on PostgreSQL: tables in the broker's schema (prefixed report), its own small
// pool and its own migration table under an advisory lock, so one node migrates at a time.
import pg from 'pg';
import { inTransaction, openModulePool, type ModuleMigrations } from '../../storage/modules/postgres/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Category, Report, ReportContact, ReportEvent } from '../reports.model.ts';
import type { Cluster, NewPhoto, NewReport, ReportFilter, ReportPatch, ReportStore } from '../reports.port.ts';
import { applyPatch, isHistoryStep, whereOf } from '../reports.rows.ts';

/** This module's migrations; the advisory lock makes one node migrate at a time. */
const MIGRATIONS: ModuleMigrations = {
  module: 'reports', table: 'reports_migrations', lock: '8243124871937635',
  dir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
};
const ID = /^[0-9]{1,16}$/;

export interface PgReportOptions {
  url: string;
  schema: string;
  poolSize?: number;
}

const ph = (n: number) => `$${n}`;

export class PostgresReportStore implements ReportStore {
  readonly engine = 'postgres' as const;
  private constructor(private readonly pool: pg.Pool, readonly schema: string) {}

  static async open(o: PgReportOptions): Promise<PostgresReportStore> {
    const pool = await openModulePool(MIGRATIONS, o, 4);
    return new PostgresReportStore(pool, o.schema);
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  create(r: NewReport, contact: ReportContact | undefined, photo: NewPhoto | undefined): Promise<Report> {
    return this.tx(async (c) => {
      const base: Omit<Report, 'id'> = {
        category: r.category, description: r.description, status: 'received', requestedAt: r.requestedAt, updatedAt: r.requestedAt, source: r.source,
        ...(r.lat !== undefined && r.lon !== undefined ? { lat: r.lat, lon: r.lon } : {}),
        ...(r.address ? { address: r.address } : {}), ...(r.department ? { department: r.department } : {}),
        ...(photo ? { photo: { state: 'pending' as const, contentType: photo.contentType, width: photo.width, height: photo.height, bytes: photo.data.length } } : {}),
      };
      const ins = await c.query<{ id: string }>('INSERT INTO reports (category, status, requested_at, updated_at, lat, lon, photo_state, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text AS id',
        [r.category, 'received', r.requestedAt, r.requestedAt, base.lat ?? null, base.lon ?? null, photo ? 'pending' : null, '{}']);
      const id = ins.rows[0]!.id;
      const report: Report = { id, ...base };
      await c.query('UPDATE reports SET doc = $1 WHERE id = $2', [JSON.stringify(report), id]);
      if (contact && Object.keys(contact).length) await c.query('INSERT INTO report_contacts (report_id, doc) VALUES ($1, $2)', [id, JSON.stringify(contact)]);
      if (photo) await c.query('INSERT INTO report_photos (report_id, content_type, data) VALUES ($1, $2, $3)', [id, photo.contentType, photo.data]);
      await c.query('INSERT INTO report_events (report_id, seq, at, status, note, by) VALUES ($1, 1, $2, $3, NULL, $4)', [id, r.requestedAt, 'received', r.source]);
      return report;
    });
  }

  async get(id: string): Promise<Report | undefined> {
    if (!ID.test(id)) return undefined;
    return (await this.pool.query<{ doc: Report }>('SELECT doc FROM reports WHERE id = $1', [id])).rows[0]?.doc;
  }

  async list(filter: ReportFilter, page: { limit: number; offset: number }): Promise<Report[]> {
    const w = whereOf(filter, ph);
    const n = w.args.length;
    const rows = (await this.pool.query<{ doc: Report }>(`SELECT doc FROM reports ${w.sql} ORDER BY requested_at COLLATE "C" DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`, [...w.args, page.limit, page.offset])).rows;
    return rows.map((r) => r.doc);
  }

  async count(filter: ReportFilter): Promise<number> {
    const w = whereOf(filter, ph);
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM reports ${w.sql}`, w.args)).rows[0]!.n);
  }

  async clusters(filter: ReportFilter & { bbox: NonNullable<ReportFilter['bbox']> }, cellDeg: number): Promise<Cluster[]> {
    const w = whereOf(filter, (k) => `$${k + 4}`);
    const sql = `SELECT floor((lat - $1) / $2)::int AS gy, floor((lon - $3) / $4)::int AS gx, count(*)::int AS n, avg(lat) AS lat, avg(lon) AS lon, min(id)::text AS id
      FROM reports ${w.sql} GROUP BY gy, gx ORDER BY gy, gx`;
    const rows = (await this.pool.query<{ n: number; lat: number; lon: number; id: string }>(sql, [filter.bbox.minLat, cellDeg, filter.bbox.minLon, cellDeg, ...w.args])).rows;
    return rows.map((r) => ({ lat: round(r.lat), lon: round(r.lon), count: r.n, ...(r.n === 1 ? { id: r.id } : {}) }));
  }

  update(id: string, patch: ReportPatch, event: { at: string; by: string }, expectedUpdatedAt?: string): Promise<Report> {
    return this.tx(async (c) => {
      const row = ID.test(id) ? (await c.query<{ doc: Report }>('SELECT doc FROM reports WHERE id = $1 FOR UPDATE', [id])).rows[0] : undefined;
      if (!row) throw new StorageNotFound(`report ${id} does not exist`);
      const before = row.doc;
      if (expectedUpdatedAt !== undefined && before.updatedAt !== expectedUpdatedAt) throw new StorageConflict(`report ${id} was changed meanwhile`);
      const after = applyPatch(before, patch, event.at);
      await c.query('UPDATE reports SET status = $1, updated_at = $2, photo_state = $3, doc = $4 WHERE id = $5', [after.status, after.updatedAt, after.photo?.state ?? null, JSON.stringify(after), id]);
      if (isHistoryStep(before, after)) {
        await c.query('INSERT INTO report_events (report_id, seq, at, status, note, by) SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4, $5 FROM report_events WHERE report_id = $1',
          [id, event.at, after.status, after.statusNote ?? null, event.by]);
      }
      return after;
    });
  }

  async history(id: string): Promise<ReportEvent[]> {
    if (!ID.test(id)) return [];
    const rows = (await this.pool.query<{ at: string; status: ReportEvent['status']; note: string | null; by: string }>('SELECT at, status, note, by FROM report_events WHERE report_id = $1 ORDER BY seq', [id])).rows;
    return rows.map((r) => ({ at: r.at, status: r.status, ...(r.note !== null ? { note: r.note } : {}), by: r.by }));
  }

  async contact(id: string): Promise<ReportContact | undefined> {
    if (!ID.test(id)) return undefined;
    return (await this.pool.query<{ doc: ReportContact }>('SELECT doc FROM report_contacts WHERE report_id = $1', [id])).rows[0]?.doc;
  }

  async photo(id: string): Promise<{ contentType: string; data: Buffer } | undefined> {
    if (!ID.test(id)) return undefined;
    const r = (await this.pool.query<{ content_type: string; data: Buffer }>('SELECT content_type, data FROM report_photos WHERE report_id = $1', [id])).rows[0];
    return r ? { contentType: r.content_type, data: r.data } : undefined;
  }

  async pendingPhotos(limit: number): Promise<Report[]> {
    return (await this.pool.query<{ doc: Report }>("SELECT doc FROM reports WHERE photo_state = 'pending' ORDER BY requested_at COLLATE \"C\", id LIMIT $1", [limit])).rows.map((r) => r.doc);
  }

  async categories(): Promise<Category[] | undefined> {
    return (await this.pool.query<{ doc: Category[] }>("SELECT doc FROM report_settings WHERE key = 'categories'")).rows[0]?.doc;
  }

  async putCategories(list: Category[]): Promise<void> {
    await this.pool.query("INSERT INTO report_settings (key, doc) VALUES ('categories', $1) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc", [JSON.stringify(list)]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

