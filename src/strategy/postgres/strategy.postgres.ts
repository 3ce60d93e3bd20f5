// The strategy store on PostgreSQL: tables in the broker's schema (prefixed strategy_), its own
// small pool and its own migration table, so the module can evolve without the broker's migrations.
import pg from 'pg';
import { openModulePool, type ModuleMigrations } from '../../storage/modules/postgres/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { Feedback, FieldOfAction, Organisation, Project, StrategyEvent } from '../strategy.model.ts';
import type { StrategyStore } from '../strategy.port.ts';
import type { Kpi, KpiState } from '../kpi.model.ts';

/** This module's migrations; the advisory lock makes one node migrate at a time. */
const MIGRATIONS: ModuleMigrations = {
  module: 'strategy', table: 'strategy_migrations', lock: '8319106599133837689',
  dir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
};

export interface PgStrategyOptions {
  url: string;
  schema: string;
  poolSize?: number;
}


export class PostgresStrategyStore implements StrategyStore {
  readonly engine = 'postgres' as const;
  private constructor(private readonly pool: pg.Pool, readonly schema: string) {}

  static async open(o: PgStrategyOptions): Promise<PostgresStrategyStore> {
    const pool = await openModulePool(MIGRATIONS, o, 2);
    return new PostgresStrategyStore(pool, o.schema);
  }

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows.map((r: { doc: T }) => r.doc);
  }

  listFields(): Promise<FieldOfAction[]> {
    return this.rows('SELECT doc FROM strategy_fields ORDER BY position, id COLLATE "C"');
  }
  async putField(f: FieldOfAction): Promise<void> {
    await this.pool.query('INSERT INTO strategy_fields (id, position, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET position = excluded.position, doc = excluded.doc', [f.id, f.position, JSON.stringify(f)]);
  }
  listOrganisations(): Promise<Organisation[]> {
    return this.rows('SELECT doc FROM strategy_organisations ORDER BY id COLLATE "C"');
  }
  async putOrganisation(o: Organisation): Promise<void> {
    await this.pool.query('INSERT INTO strategy_organisations (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc', [o.id, JSON.stringify(o)]);
  }
  listProjects(filter: { fieldId?: string } = {}): Promise<Project[]> {
    const where = filter.fieldId !== undefined ? 'WHERE p.field_id = $1' : '';
    return this.rows(`SELECT p.doc FROM strategy_projects p LEFT JOIN strategy_fields f ON f.id = p.field_id ${where} ORDER BY COALESCE(f.position, 2147483647), p.title_de COLLATE "C", p.slug COLLATE "C"`,
      filter.fieldId !== undefined ? [filter.fieldId] : []);
  }
  async getProject(slug: string): Promise<Project | undefined> {
    return (await this.rows<Project>('SELECT doc FROM strategy_projects WHERE slug = $1', [slug]))[0];
  }
  async createProject(p: Project): Promise<void> {
    try {
      await this.pool.query('INSERT INTO strategy_projects (slug, field_id, title_de, doc) VALUES ($1, $2, $3, $4)', [p.slug, p.fieldId, p.title.de, JSON.stringify(p)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`project ${p.slug} exists`, { cause: e });
      throw e;
    }
  }
  async updateProject(p: Project): Promise<void> {
    const r = await this.pool.query('UPDATE strategy_projects SET field_id = $1, title_de = $2, doc = $3 WHERE slug = $4', [p.fieldId, p.title.de, JSON.stringify(p), p.slug]);
    if (r.rowCount === 0) throw new StorageNotFound(`project ${p.slug} does not exist`);
  }
  async deleteProject(slug: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM strategy_projects WHERE slug = $1', [slug])).rowCount ?? 0) > 0;
  }
  listEvents(filter: { from?: string } = {}): Promise<StrategyEvent[]> {
    return filter.from !== undefined
      ? this.rows('SELECT doc FROM strategy_events WHERE COALESCE(end_at, start_at) >= $1 ORDER BY start_at, id COLLATE "C"', [filter.from])
      : this.rows('SELECT doc FROM strategy_events ORDER BY start_at, id COLLATE "C"');
  }
  async putEvent(e: StrategyEvent): Promise<void> {
    await this.pool.query('INSERT INTO strategy_events (id, start_at, end_at, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, doc = excluded.doc',
      [e.id, e.start, e.end ?? null, JSON.stringify(e)]);
  }
  async addFeedback(f: Feedback): Promise<void> {
    await this.pool.query('INSERT INTO strategy_feedback (id, at, doc) VALUES ($1, $2, $3)', [f.id, f.at, JSON.stringify(f)]);
  }
  listFeedback(limit: number): Promise<Feedback[]> {
    return this.rows('SELECT doc FROM strategy_feedback ORDER BY at DESC, id COLLATE "C" DESC LIMIT $1', [limit]);
  }
  listKpis(filter: { project?: string; published?: boolean } = {}): Promise<Kpi[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.project !== undefined) { args.push(filter.project); where.push(`project = $${args.length}`); }
    if (filter.published !== undefined) { args.push(filter.published); where.push(`published = $${args.length}`); }
    return this.rows(`SELECT doc FROM strategy_kpis ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id COLLATE "C"`, args);
  }
  async getKpi(id: string): Promise<Kpi | undefined> {
    return (await this.rows<Kpi>('SELECT doc FROM strategy_kpis WHERE id = $1', [id]))[0];
  }
  async createKpi(k: Kpi): Promise<void> {
    try {
      await this.pool.query('INSERT INTO strategy_kpis (id, project, published, doc) VALUES ($1, $2, $3, $4)', [k.id, k.project ?? null, k.published, JSON.stringify(k)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`KPI ${k.id} exists`, { cause: e });
      throw e;
    }
  }
  async updateKpi(k: Kpi): Promise<void> {
    const r = await this.pool.query('UPDATE strategy_kpis SET project = $1, published = $2, doc = $3 WHERE id = $4', [k.project ?? null, k.published, JSON.stringify(k), k.id]);
    if (r.rowCount === 0) throw new StorageNotFound(`KPI ${k.id} does not exist`);
  }
  async deleteKpi(id: string): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('DELETE FROM strategy_kpi_states WHERE id = $1', [id]);
      await c.query('DELETE FROM strategy_kpi_leases WHERE id = $1', [id]);
      const n = (await c.query('DELETE FROM strategy_kpis WHERE id = $1', [id])).rowCount ?? 0;
      await c.query('COMMIT');
      return n > 0;
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }
  async putKpiState(s: KpiState): Promise<void> {
    await this.pool.query('INSERT INTO strategy_kpi_states (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc', [s.id, JSON.stringify(s)]);
  }
  async getKpiState(id: string): Promise<KpiState | undefined> {
    return (await this.rows<KpiState>('SELECT doc FROM strategy_kpi_states WHERE id = $1', [id]))[0];
  }
  listKpiStates(): Promise<KpiState[]> {
    return this.rows('SELECT doc FROM strategy_kpi_states ORDER BY id COLLATE "C"');
  }
  async claimKpiLease(id: string, holder: string, now: number, until: number): Promise<boolean> {
    // One statement: the row is locked by the upsert, so of two nodes claiming at once one wins.
    const r = await this.pool.query(
      `INSERT INTO strategy_kpi_leases (id, holder, until) VALUES ($1, $2, to_timestamp($4::double precision / 1000))
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until
       WHERE strategy_kpi_leases.until <= to_timestamp($3::double precision / 1000)
       RETURNING id`, [id, holder, now, until]);
    return (r.rowCount ?? 0) > 0;
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

