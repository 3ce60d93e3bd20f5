// The PostgreSQL side of a feature module's own store (catalogue, reports, participation, strategy): a small
// pool in the broker's schema, the module's migrations applied one node at a time, and a transaction helper.
// Each module keeps its tables prefixed and its migration files in its own folder; this is the plumbing they share.
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFiles } from '../migrations.ts';

export interface ModuleMigrations {
  /** The module's name: the pool's application_name and the migration error messages. */
  module: string;
  /** The table that records the applied migrations (e.g. `catalog_migrations`). */
  table: string;
  /** The folder of `NNN-name.sql` files. */
  dir: string;
  /** The advisory lock key (a bigint as a string) that makes one node migrate at a time. */
  lock: string;
}

export interface ModulePgOptions {
  url: string;
  schema: string;
  poolSize?: number;
}

/** Quotes an SQL identifier. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A module's pool, its migrations applied; the pool is closed again when migrating fails. */
export async function openModulePool(m: ModuleMigrations, o: ModulePgOptions, defaultPoolSize: number): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: o.url, max: o.poolSize ?? defaultPoolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000,
    application_name: `drehscheibe-${m.module}:${o.schema}`,
    options: `-c search_path=${quoteIdent(o.schema).replace(/ /g, '\\ ')},public`,
  });
  pool.on('error', () => {});
  try {
    await migrateModule(pool, o.schema, m);
  } catch (e) {
    await pool.end();
    throw e;
  }
  return pool;
}

/** Runs `fn` in one transaction on a pooled connection; rolls back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

async function migrateModule(pool: pg.Pool, schema: string, m: ModuleMigrations): Promise<void> {
  const c = await pool.connect();
  try {
    // Two nodes creating the schema at once: one of them sees a unique violation or "schema exists".
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).catch((e: { code?: string }) => { if (e.code !== '23505' && e.code !== '42P06') throw e; });
    await c.query('SELECT pg_advisory_lock($1)', [m.lock]);
    try {
      await c.query(`CREATE TABLE IF NOT EXISTS ${m.table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const done = new Set((await c.query<{ version: number }>(`SELECT version FROM ${m.table}`)).rows.map((r) => r.version));
      for (const f of migrationFiles(m.dir)) {
        const version = parseInt(f, 10);
        if (done.has(version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(readFileSync(join(m.dir, f), 'utf8'));
          await c.query(`INSERT INTO ${m.table} (version, name, applied_at) VALUES ($1, $2, $3)`, [version, f, new Date().toISOString()]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${m.module}/${f} failed: ${(e as Error).message}`, { cause: e });
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [m.lock]);
    }
  } finally {
    c.release();
  }
}
