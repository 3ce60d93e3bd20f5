// Connects to PostgreSQL (a pg Pool bound to one schema), runs the versioned migrations under an
// advisory lock (safe when several nodes start at once), and turns connection failures into
// StorageUnavailable so the API answers 503 and the node recovers when the database returns.
import pg from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadRequestData, StorageUnavailable } from '../../core/errors.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Advisory lock key of the migration runner ("drehsche" as bytes). */
const MIGRATION_LOCK = 0x6472656873636865n;

export interface PgOptions {
  url: string;
  /** Schema holding Drehscheibe's tables (created when missing). */
  schema?: string;
  /** Pool size per node. */
  poolSize?: number;
  /** Statement timeout in ms (0 = none). */
  statementTimeoutMs?: number;
  /** application_name of the sessions (default drehscheibe:<schema>). */
  applicationName?: string;
}

/** int8 and numeric as JS numbers (counts, epoch milliseconds); every other type as pg parses it. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export type Client = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

/** SQLSTATE classes and codes that mean "the database is (temporarily) unreachable". */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const code = e.code ?? '';
  if (/^(08|57P)/.test(code) || code === '53300') return true; // connection exception, admin shutdown, too many connections
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(e.message ?? '');
}

/**
 * Rethrows connection failures as StorageUnavailable, and a regular expression that JavaScript
 * accepts but PostgreSQL's engine does not (SQLSTATE 2201B: named groups, some escapes) as a
 * 400 naming the difference; anything else unchanged.
 */
export function mapError(err: unknown): never {
  if (isUnavailable(err)) throw new StorageUnavailable(`database unavailable: ${(err as Error).message}`, { cause: err });
  if ((err as { code?: string }).code === '2201B') {
    throw new BadRequestData(`the regular expression is not supported by this deployment's PostgreSQL engine (${(err as Error).message}); use POSIX-style syntax: no named groups, no \\p{…} classes`, { cause: err });
  }
  throw err;
}

/** Runs a query on the pool or a client, turning connection failures into StorageUnavailable. */
export async function q<R extends pg.QueryResultRow = pg.QueryResultRow>(db: Queryable, sql: string, params: unknown[] = []): Promise<R[]> {
  try {
    return (await db.query<R>(sql, params)).rows;
  } catch (e) {
    return mapError(e);
  }
}

/** Like q, as a named prepared statement: parsed and planned once per connection (hot statements). */
export async function qp<R extends pg.QueryResultRow = pg.QueryResultRow>(db: Queryable, name: string, sql: string, params: unknown[] = []): Promise<R[]> {
  try {
    return (await db.query<R>({ name, text: sql, values: params })).rows;
  } catch (e) {
    return mapError(e);
  }
}

/**
 * Query shapes (SQL texts) seen often enough to be prepared on the connection: planning a compiled
 * q expression costs more than running it for a small page. Bounded, so that arbitrary client
 * queries cannot make every session hold thousands of prepared statements.
 */
const seen = new Map<string, number>();
const prepared = new Map<string, string>();
const PREPARE_AFTER = 3;
const PREPARED_MAX = 300;

/** Like q; a shape run PREPARE_AFTER times becomes a named prepared statement (up to PREPARED_MAX shapes). */
export async function qs<R extends pg.QueryResultRow = pg.QueryResultRow>(db: Queryable, sql: string, params: unknown[] = []): Promise<R[]> {
  let name = prepared.get(sql);
  if (name === undefined && prepared.size < PREPARED_MAX) {
    const n = (seen.get(sql) ?? 0) + 1;
    if (n >= PREPARE_AFTER) {
      name = `ds_q${prepared.size + 1}`;
      prepared.set(sql, name);
      seen.delete(sql);
    } else {
      if (seen.size >= 2000) seen.clear();
      seen.set(sql, n);
    }
  }
  return name ? qp<R>(db, name, sql, params) : q<R>(db, sql, params);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function createPool(o: PgOptions): pg.Pool {
  const schema = o.schema ?? 'public';
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    // Lets operators (and tests) tell this node's sessions apart in pg_stat_activity.
    application_name: o.applicationName ?? `drehscheibe:${schema}`,
    idleTimeoutMillis: 30_000,
    types,
    // search_path: our schema first, then public (where the postgis extension usually lives).
    // jit=off: the q expressions have high planner costs, and JIT compiling them took ~80 ms per
    // query — for statements that run in a few milliseconds. random_page_cost=1.1 (SSD storage):
    // with the default 4 the planner preferred scanning entity_geo to its GiST index for a 1 % window.
    // plan_cache_mode=force_custom_plan: prepared query shapes (qs) skip parsing but are planned for
    // their values — a generic plan for q=status=="…" scanned in key order (18 instead of 500 req/s).
    options: `-c search_path=${quoteIdent(schema).replace(/ /g, '\\ ')},public -c statement_timeout=${o.statementTimeoutMs ?? 30_000} -c jit=off -c random_page_cost=1.1 -c plan_cache_mode=force_custom_plan`,
  });
  // An idle client whose backend goes away emits 'error' on the pool; without a listener the
  // process would crash. The pool drops the client; the next query opens a fresh connection.
  pool.on('error', () => {});
  return pool;
}

/** Creates the schema and applies pending migrations, one node at a time (pg_advisory_lock). */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const c = await pool.connect().catch(mapError);
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).catch(async (e: { code?: string }) => {
      // Two nodes creating the schema at once: the loser sees a unique violation; the schema is there.
      if (e.code !== '23505' && e.code !== '42P06') throw e;
    });
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const files = readdirSync(MIGRATIONS).filter((f) => /^\d+-.*\.sql$/.test(f)).sort();
      for (const f of files) {
        const version = parseInt(f, 10);
        if (done.has(version)) continue;
        const sql = readFileSync(join(MIGRATIONS, f), 'utf8');
        await c.query('BEGIN');
        try {
          await c.query(sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [version, f, new Date().toISOString()]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw new Error(`PostgreSQL migration ${f} failed: ${(e as Error).message}`, { cause: e });
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } catch (e) {
    if (isUnavailable(e)) mapError(e);
    throw e;
  } finally {
    c.release();
  }
}

/** Monthly partitions of temporal_instances from `back` months before now to `ahead` after. */
export async function ensurePartitions(pool: pg.Pool, now: number, back = 1, ahead = 2): Promise<void> {
  const d = new Date(now);
  for (let k = -back; k <= ahead; k++) {
    const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1);
    const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k + 1, 1);
    const f = new Date(from);
    const name = `temporal_instances_${f.getUTCFullYear()}_${String(f.getUTCMonth() + 1).padStart(2, '0')}`;
    try {
      const exists = (await pool.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema()', [name])).rowCount;
      if (exists) continue;
      await pool.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF temporal_instances FOR VALUES FROM (${from}) TO (${to})`);
    } catch (e) {
      // Rows of that month already in the default partition (a backfill), or another node was
      // faster: the month stays where it is; queries are correct either way.
      if (isUnavailable(e)) mapError(e);
    }
  }
}
