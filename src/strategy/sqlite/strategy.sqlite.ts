// The strategy store on SQLite: its own file (strategy.sqlite) in the data directory, so its
// writes never wait for the broker's writer; documents as JSON, with the columns queries sort by.
import Database from 'better-sqlite3';
import { openModuleDb } from '../../storage/modules/sqlite/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Feedback, FieldOfAction, Organisation, Project, StrategyEvent } from '../strategy.model.ts';
import type { StrategyStore } from '../strategy.port.ts';
import type { Kpi, KpiState } from '../kpi.model.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export class SqliteStrategyStore implements StrategyStore {
  readonly engine = 'sqlite' as const;
  private constructor(private readonly db: Database.Database, readonly file: string) {}

  static inDataDir(dataDir: string): SqliteStrategyStore {
    const { db, file } = openModuleDb(dataDir, { file: 'strategy.sqlite', table: 'strategy_migrations', dir: MIGRATIONS });
    return new SqliteStrategyStore(db, file);
  }

  async listFields(): Promise<FieldOfAction[]> {
    return (this.db.prepare('SELECT doc FROM strategy_fields ORDER BY position, id').all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async putField(f: FieldOfAction): Promise<void> {
    this.db.prepare('INSERT INTO strategy_fields (id, position, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, doc = excluded.doc').run(f.id, f.position, JSON.stringify(f));
  }
  async listOrganisations(): Promise<Organisation[]> {
    return (this.db.prepare('SELECT doc FROM strategy_organisations ORDER BY id').all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async putOrganisation(o: Organisation): Promise<void> {
    this.db.prepare('INSERT INTO strategy_organisations (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc').run(o.id, JSON.stringify(o));
  }
  async listProjects(filter: { fieldId?: string } = {}): Promise<Project[]> {
    const where = filter.fieldId !== undefined ? 'WHERE p.field_id = ?' : '';
    const sql = `SELECT p.doc FROM strategy_projects p LEFT JOIN strategy_fields f ON f.id = p.field_id ${where} ORDER BY COALESCE(f.position, 2147483647), p.title_de, p.slug`;
    const args = filter.fieldId !== undefined ? [filter.fieldId] : [];
    return (this.db.prepare(sql).all(...args) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async getProject(slug: string): Promise<Project | undefined> {
    const r = this.db.prepare('SELECT doc FROM strategy_projects WHERE slug = ?').get(slug) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async createProject(p: Project): Promise<void> {
    try {
      this.db.prepare('INSERT INTO strategy_projects (slug, field_id, title_de, doc) VALUES (?, ?, ?, ?)').run(p.slug, p.fieldId, p.title.de, JSON.stringify(p));
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new StorageConflict(`project ${p.slug} exists`, { cause: e });
      throw e;
    }
  }
  async updateProject(p: Project): Promise<void> {
    const r = this.db.prepare('UPDATE strategy_projects SET field_id = ?, title_de = ?, doc = ? WHERE slug = ?').run(p.fieldId, p.title.de, JSON.stringify(p), p.slug);
    if (r.changes === 0) throw new StorageNotFound(`project ${p.slug} does not exist`);
  }
  async deleteProject(slug: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM strategy_projects WHERE slug = ?').run(slug).changes > 0;
  }
  async listEvents(filter: { from?: string } = {}): Promise<StrategyEvent[]> {
    const rows = filter.from !== undefined
      ? this.db.prepare('SELECT doc FROM strategy_events WHERE COALESCE(end_at, start_at) >= ? ORDER BY start_at, id').all(filter.from)
      : this.db.prepare('SELECT doc FROM strategy_events ORDER BY start_at, id').all();
    return (rows as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async putEvent(e: StrategyEvent): Promise<void> {
    // Times are stored as UTC ISO strings so that they compare as text.
    this.db.prepare('INSERT INTO strategy_events (id, start_at, end_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, doc = excluded.doc')
      .run(e.id, utc(e.start), e.end ? utc(e.end) : null, JSON.stringify(e));
  }
  async addFeedback(f: Feedback): Promise<void> {
    this.db.prepare('INSERT INTO strategy_feedback (id, at, doc) VALUES (?, ?, ?)').run(f.id, utc(f.at), JSON.stringify(f));
  }
  async listFeedback(limit: number): Promise<Feedback[]> {
    return (this.db.prepare('SELECT doc FROM strategy_feedback ORDER BY at DESC, id DESC LIMIT ?').all(limit) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async listKpis(filter: { project?: string; published?: boolean } = {}): Promise<Kpi[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.project !== undefined) { where.push('project = ?'); args.push(filter.project); }
    if (filter.published !== undefined) { where.push('published = ?'); args.push(filter.published ? 1 : 0); }
    const sql = `SELECT doc FROM strategy_kpis ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...args) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async getKpi(id: string): Promise<Kpi | undefined> {
    const r = this.db.prepare('SELECT doc FROM strategy_kpis WHERE id = ?').get(id) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async createKpi(k: Kpi): Promise<void> {
    try {
      this.db.prepare('INSERT INTO strategy_kpis (id, project, published, doc) VALUES (?, ?, ?, ?)').run(k.id, k.project ?? null, k.published ? 1 : 0, JSON.stringify(k));
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new StorageConflict(`KPI ${k.id} exists`, { cause: e });
      throw e;
    }
  }
  async updateKpi(k: Kpi): Promise<void> {
    const r = this.db.prepare('UPDATE strategy_kpis SET project = ?, published = ?, doc = ? WHERE id = ?').run(k.project ?? null, k.published ? 1 : 0, JSON.stringify(k), k.id);
    if (r.changes === 0) throw new StorageNotFound(`KPI ${k.id} does not exist`);
  }
  async deleteKpi(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM strategy_kpi_states WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM strategy_kpi_leases WHERE id = ?').run(id);
      return this.db.prepare('DELETE FROM strategy_kpis WHERE id = ?').run(id).changes > 0;
    }).immediate();
  }
  async putKpiState(s: KpiState): Promise<void> {
    this.db.prepare('INSERT INTO strategy_kpi_states (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc').run(s.id, JSON.stringify(s));
  }
  async getKpiState(id: string): Promise<KpiState | undefined> {
    const r = this.db.prepare('SELECT doc FROM strategy_kpi_states WHERE id = ?').get(id) as { doc: string } | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }
  async listKpiStates(): Promise<KpiState[]> {
    return (this.db.prepare('SELECT doc FROM strategy_kpi_states ORDER BY id').all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }
  async claimKpiLease(id: string, holder: string, now: number, until: number): Promise<boolean> {
    return this.db.prepare(`INSERT INTO strategy_kpi_leases (id, holder, until) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until
      WHERE strategy_kpi_leases.until <= ?`).run(id, holder, until, now).changes > 0;
  }
  async close(): Promise<void> {
    this.db.close();
  }
}

function utc(iso: string): string {
  return new Date(iso).toISOString();
}

