// The PostgreSQL TenantStore: whole tenants created, measured and dropped (one transaction; the
// geometries go with their entities, ON DELETE CASCADE; the count triggers keep entity_counts).
import type pg from 'pg';
import type { TenantStore, TenantUsage } from '../port.ts';
import { q, type Queryable } from './postgres.database.ts';

export class PgTenantStore implements TenantStore {
  /** `known` is the adapter's set of tenants known to have their row: a dropped one leaves it. */
  constructor(private readonly pool: pg.Pool, private readonly known: Set<string>) {}

  async create(name: string, at: string): Promise<boolean> {
    return (await q(this.pool, 'INSERT INTO tenants (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name', [name, at])).length === 1;
  }

  usage(name: string): Promise<TenantUsage> {
    return measure(this.pool, name);
  }

  forgetTenant(name: string): void {
    this.known.delete(name);
  }

  async drop(name: string): Promise<TenantUsage> {
    const c = await this.pool.connect();
    try {
      await q(c, 'BEGIN');
      const before = await measure(c, name);
      await q(c, 'DELETE FROM temporal_instances WHERE entity IN (SELECT pk FROM temporal_entities WHERE tenant = $1)', [name]);
      await q(c, 'DELETE FROM temporal_entities WHERE tenant = $1', [name]);
      await q(c, 'DELETE FROM entities WHERE tenant = $1', [name]);
      await q(c, 'DELETE FROM entity_counts WHERE tenant = $1', [name]);
      await q(c, 'DELETE FROM tenants WHERE name = $1', [name]);
      await q(c, 'COMMIT');
      this.known.delete(name);
      return before;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }
}

async function measure(db: Queryable, name: string): Promise<TenantUsage> {
  const [r] = await q<{ e: number; h: number; i: number }>(db, `SELECT
    (SELECT count(*)::int FROM entities WHERE tenant = $1) AS e,
    (SELECT count(*)::int FROM temporal_entities WHERE tenant = $1) AS h,
    (SELECT count(*)::int FROM temporal_instances WHERE entity IN (SELECT pk FROM temporal_entities WHERE tenant = $1)) AS i`, [name]);
  return { entities: r.e, historyEntities: r.h, historyInstances: r.i };
}
