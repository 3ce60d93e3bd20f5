// The reports store on SQLite: its own file (reports.sqlite) in the data directory, so its writes
// never wait for the broker's writer; the public record as JSON with the columns queries use.
import Database from 'better-sqlite3';
import { openModuleDb } from '../../storage/modules/sqlite/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Category, Report, ReportContact, ReportEvent } from '../reports.model.ts';
import type { Cluster, NewPhoto, NewReport, ReportFilter, ReportPatch, ReportStore } from '../reports.port.ts';
import { applyPatch, isHistoryStep, whereOf } from '../reports.rows.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const ph = () => '?';

export class SqliteReportStore implements ReportStore {
  readonly engine = 'sqlite' as const;
  private constructor(private readonly db: Database.Database, readonly file: string) {}

  static inDataDir(dataDir: string): SqliteReportStore {
    const { db, file } = openModuleDb(dataDir, { file: 'reports.sqlite', table: 'reports_migrations', dir: MIGRATIONS, foreignKeys: true });
    return new SqliteReportStore(db, file);
  }

  async create(r: NewReport, contact: ReportContact | undefined, photo: NewPhoto | undefined): Promise<Report> {
    return this.db.transaction(() => {
      const base: Omit<Report, 'id'> = {
        category: r.category, description: r.description, status: 'received', requestedAt: r.requestedAt, updatedAt: r.requestedAt, source: r.source,
        ...(r.lat !== undefined && r.lon !== undefined ? { lat: r.lat, lon: r.lon } : {}),
        ...(r.address ? { address: r.address } : {}), ...(r.department ? { department: r.department } : {}),
        ...(photo ? { photo: { state: 'pending' as const, contentType: photo.contentType, width: photo.width, height: photo.height, bytes: photo.data.length } } : {}),
      };
      const info = this.db.prepare('INSERT INTO reports (category, status, requested_at, updated_at, lat, lon, photo_state, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.category, 'received', r.requestedAt, r.requestedAt, base.lat ?? null, base.lon ?? null, photo ? 'pending' : null, '{}');
      const id = String(info.lastInsertRowid);
      const report: Report = { id, ...base };
      this.db.prepare('UPDATE reports SET doc = ? WHERE id = ?').run(JSON.stringify(report), Number(id));
      if (contact && Object.keys(contact).length) this.db.prepare('INSERT INTO report_contacts (report_id, doc) VALUES (?, ?)').run(Number(id), JSON.stringify(contact));
      if (photo) this.db.prepare('INSERT INTO report_photos (report_id, content_type, data) VALUES (?, ?, ?)').run(Number(id), photo.contentType, photo.data);
      this.db.prepare('INSERT INTO report_events (report_id, seq, at, status, note, by) VALUES (?, 1, ?, ?, NULL, ?)').run(Number(id), r.requestedAt, 'received', r.source);
      return report;
    }).immediate();
  }

  async get(id: string): Promise<Report | undefined> {
    if (!/^[0-9]{1,16}$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT doc FROM reports WHERE id = ?').get(Number(id)) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async list(filter: ReportFilter, page: { limit: number; offset: number }): Promise<Report[]> {
    const w = whereOf(filter, ph);
    const rows = this.db.prepare(`SELECT doc FROM reports ${w.sql} ORDER BY requested_at DESC, id DESC LIMIT ? OFFSET ?`).all(...w.args, page.limit, page.offset) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc));
  }

  async count(filter: ReportFilter): Promise<number> {
    const w = whereOf(filter, ph);
    return (this.db.prepare(`SELECT count(*) AS n FROM reports ${w.sql}`).get(...w.args) as { n: number }).n;
  }

  async clusters(filter: ReportFilter & { bbox: NonNullable<ReportFilter['bbox']> }, cellDeg: number): Promise<Cluster[]> {
    const w = whereOf(filter, ph);
    // lat/lon ≥ the box's minimum here, so truncation is floor.
    const sql = `SELECT CAST((lat - ?) / ? AS INTEGER) AS gy, CAST((lon - ?) / ? AS INTEGER) AS gx, count(*) AS n, avg(lat) AS lat, avg(lon) AS lon, min(id) AS id
      FROM reports ${w.sql} GROUP BY gy, gx ORDER BY gy, gx`;
    const rows = this.db.prepare(sql).all(filter.bbox.minLat, cellDeg, filter.bbox.minLon, cellDeg, ...w.args) as Array<{ n: number; lat: number; lon: number; id: number }>;
    return rows.map((r) => ({ lat: round(r.lat), lon: round(r.lon), count: r.n, ...(r.n === 1 ? { id: String(r.id) } : {}) }));
  }

  async update(id: string, patch: ReportPatch, event: { at: string; by: string }, expectedUpdatedAt?: string): Promise<Report> {
    return this.db.transaction(() => {
      const row = /^[0-9]{1,16}$/.test(id) ? this.db.prepare('SELECT doc FROM reports WHERE id = ?').get(Number(id)) as { doc: string } | undefined : undefined;
      if (!row) throw new StorageNotFound(`report ${id} does not exist`);
      const before = JSON.parse(row.doc) as Report;
      if (expectedUpdatedAt !== undefined && before.updatedAt !== expectedUpdatedAt) throw new StorageConflict(`report ${id} was changed meanwhile`);
      const after = applyPatch(before, patch, event.at);
      this.db.prepare('UPDATE reports SET status = ?, updated_at = ?, photo_state = ?, doc = ? WHERE id = ?')
        .run(after.status, after.updatedAt, after.photo?.state ?? null, JSON.stringify(after), Number(id));
      if (isHistoryStep(before, after)) {
        this.db.prepare('INSERT INTO report_events (report_id, seq, at, status, note, by) SELECT ?, COALESCE(max(seq), 0) + 1, ?, ?, ?, ? FROM report_events WHERE report_id = ?')
          .run(Number(id), event.at, after.status, after.statusNote ?? null, event.by, Number(id));
      }
      return after;
    }).immediate();
  }

  async history(id: string): Promise<ReportEvent[]> {
    if (!/^[0-9]{1,16}$/.test(id)) return [];
    const rows = this.db.prepare('SELECT at, status, note, by FROM report_events WHERE report_id = ? ORDER BY seq').all(Number(id)) as Array<{ at: string; status: ReportEvent['status']; note: string | null; by: string }>;
    return rows.map((r) => ({ at: r.at, status: r.status, ...(r.note !== null ? { note: r.note } : {}), by: r.by }));
  }

  async contact(id: string): Promise<ReportContact | undefined> {
    if (!/^[0-9]{1,16}$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT doc FROM report_contacts WHERE report_id = ?').get(Number(id)) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async photo(id: string): Promise<{ contentType: string; data: Buffer } | undefined> {
    if (!/^[0-9]{1,16}$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT content_type, data FROM report_photos WHERE report_id = ?').get(Number(id)) as { content_type: string; data: Buffer } | undefined;
    return row ? { contentType: row.content_type, data: row.data } : undefined;
  }

  async pendingPhotos(limit: number): Promise<Report[]> {
    const rows = this.db.prepare("SELECT doc FROM reports WHERE photo_state = 'pending' ORDER BY requested_at, id LIMIT ?").all(limit) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc));
  }

  async categories(): Promise<Category[] | undefined> {
    const row = this.db.prepare("SELECT doc FROM report_settings WHERE key = 'categories'").get() as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : undefined;
  }

  async putCategories(list: Category[]): Promise<void> {
    this.db.prepare("INSERT INTO report_settings (key, doc) VALUES ('categories', ?) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc").run(JSON.stringify(list));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

