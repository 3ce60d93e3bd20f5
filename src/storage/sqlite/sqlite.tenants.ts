// The embedded engine's TenantStore: whole tenants created, measured and dropped. The drop runs in
// one write transaction and then forgets the writer's caches (entity versions, history rows, known
// tenants), as after a rollback.
import type { Statement } from 'better-sqlite3';
import type { TenantStore, TenantUsage } from '../port.ts';
import type { Db } from './sqlite.database.ts';
import type { Serialise } from './sqlite.subscriptions.ts';

export class SqliteTenantStore implements TenantStore {
  private readonly w: Record<string, Statement> = {};
  private readonly r: Record<string, Statement> = {};
  constructor(private readonly writer: Db, private readonly reader: Db, private readonly serialise: Serialise, private readonly forget: () => void) {}
  private ws(sql: string): Statement { return (this.w[sql] ??= this.writer.prepare(sql)); }
  private rs(sql: string): Statement { return (this.r[sql] ??= this.reader.prepare(sql)); }

  create(name: string, at: string): Promise<boolean> {
    return this.serialise(async () => this.ws('INSERT OR IGNORE INTO tenants (name, created_at) VALUES (?, ?)').run(name, at).changes === 1);
  }

  async usage(name: string): Promise<TenantUsage> {
    return this.measure((sql) => this.rs(sql), name);
  }

  /** One process writes a SQLite file (no cluster feed): nothing else can have dropped it; the caches are cleared anyway. */
  forgetTenant(_name: string): void {
    this.forget();
  }

  drop(name: string): Promise<TenantUsage> {
    return this.serialise(async () => {
      const before = this.measure((sql) => this.ws(sql), name);
      const run = (sql: string) => this.ws(sql).run(name);
      run('DELETE FROM geo_index WHERE gid IN (SELECT g.gid FROM geo_rows g JOIN entities e ON e.pk = g.pk WHERE e.tenant = ?)');
      run('DELETE FROM geo_rows WHERE pk IN (SELECT pk FROM entities WHERE tenant = ?)');
      run('DELETE FROM entity_types WHERE tenant = ?');
      run('DELETE FROM entities WHERE tenant = ?');
      run('DELETE FROM entity_counts WHERE tenant = ?');
      run('DELETE FROM temporal_instances WHERE entity IN (SELECT pk FROM temporal_entities WHERE tenant = ?)');
      run('DELETE FROM temporal_entities WHERE tenant = ?');
      run('DELETE FROM tenants WHERE name = ?');
      this.forget();
      return before;
    });
  }

  private measure(st: (sql: string) => Statement, name: string): TenantUsage {
    const e = st('SELECT count(*) AS n FROM entities WHERE tenant = ?').get(name) as { n: number };
    const h = st('SELECT count(*) AS n FROM temporal_entities WHERE tenant = ?').get(name) as { n: number };
    const i = st('SELECT count(*) AS n FROM temporal_instances WHERE entity IN (SELECT pk FROM temporal_entities WHERE tenant = ?)').get(name) as { n: number };
    return { entities: e.n, historyEntities: h.n, historyInstances: i.n };
  }
}
