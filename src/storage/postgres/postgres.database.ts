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

/**
 * Where the storage reports trouble it recovers from by itself (partition upkeep that failed and is
 * tried again later): the app's logger at warn level. pino's (obj, msg) order.
 */
export type WarnFn = (obj: object, msg: string) => void;

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
  // "timeout exceeded when trying to connect": pg-pool, when no connection could be opened within connectionTimeoutMillis.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(e.message ?? '');
}

/**
 * Rethrows connection failures as StorageUnavailable, and a regular expression PostgreSQL's engine
 * refuses (SQLSTATE 2201B; patterns are translated from RE2 syntax, so only a gap in that
 * translation) as a 400; anything else unchanged.
 */
export function mapError(err: unknown): never {
  if (isUnavailable(err)) throw new StorageUnavailable(`database unavailable: ${(err as Error).message}`, { cause: err });
  if ((err as { code?: string }).code === '2201B') {
    throw new BadRequestData(`the regular expression is not supported by this deployment's PostgreSQL engine (${(err as Error).message}); patterns use the RE2 syntax without \\p{…} classes`, { cause: err });
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
  // A checked-out client has no pool listener (pg-pool removes it while the client is lent out): a
  // backend ending between two statements of a transaction (a database restart, 57P01) would emit
  // 'error' on the client with nobody listening, and end the process. The failure reaches the
  // transaction anyway — its next query rejects, it answers 503 and releases the client as broken.
  pool.on('connect', (client) => { client.on('error', () => {}); });
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

// ---- monthly partitions of temporal_instances (migration 002) ----
// Every change of the partition set runs in its own short transaction on a connection of its own,
// one at a time per schema (a transaction advisory lock), with a bounded lock wait: a node that
// cannot get the locks in time leaves the rows where they are (the default partition is correct,
// only unpartitioned) and tries again later, so partition upkeep never deadlocks with writers.

/** First and last epoch ms of the years that get partitions (four-digit years; others stay in the default). */
const FIRST_PARTITIONED = Date.UTC(1000, 0, 1);
const END_PARTITIONED = Date.UTC(10000, 0, 1);
const PARTITION_LOCK = "SELECT pg_advisory_xact_lock(1885434482, hashtext(current_schema()))";
const DEFAULT_PARTITION = 'temporal_instances_default';

/** Start (epoch ms, UTC) of the month holding t. */
export function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the month after the one starting at m. */
export function nextMonth(m: number): number {
  const d = new Date(m);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The partition of the month starting at m, or undefined when that month stays in the default partition. */
export function monthPartition(m: number): { name: string; from: number; to: number } | undefined {
  if (!(m >= FIRST_PARTITIONED && m < END_PARTITIONED)) return undefined;
  const d = new Date(m);
  return { name: `temporal_instances_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`, from: m, to: nextMonth(m) };
}

/** The month start a partition name stands for (undefined for the default partition and foreign tables). */
export function partitionMonth(name: string): number | undefined {
  const m = /^temporal_instances_(\d{4})_(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) : undefined;
}

function isLockTimeout(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code ?? (e as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === '55P03';
}

/**
 * Creates the partition of the month starting at m in one transaction: rows of that month already in
 * the default partition (back-filled before, or written while creation was not possible) move into
 * it, then it is attached. 'exists' when the partition is there (another node was faster), 'busy'
 * when the locks were not granted within lockTimeoutMs, 'held' when holderPid (a writer waiting for
 * us) holds the default partition itself, so that waiting could only time out. Throws when a table
 * of the partition's name exists but is no partition of temporal_instances (it would never fill).
 */
export async function createMonthPartition(c: pg.ClientBase, m: number,
  o: { lockTimeoutMs: number; holderPid?: number; statementTimeoutMs?: number }): Promise<'exists' | 'created' | 'busy' | 'held'> {
  const p = monthPartition(m);
  if (!p) return 'exists';
  await c.query('BEGIN');
  try {
    await c.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(o.lockTimeoutMs))}`);
    if (o.statementTimeoutMs !== undefined) await c.query(`SET LOCAL statement_timeout = ${Math.max(0, Math.round(o.statementTimeoutMs))}`);
    await c.query(PARTITION_LOCK);
    const found = (await c.query<{ attached: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = 'temporal_instances'::regclass) AS attached
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema()`, [p.name])).rows[0];
    if (found && !found.attached) throw new Error(`a table named ${p.name} exists but is not a partition of temporal_instances; rename or drop it`);
    if (found) {
      await c.query('COMMIT');
      return 'exists';
    }
    if (o.holderPid !== undefined) {
      const self = (await c.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND relation = '${DEFAULT_PARTITION}'::regclass`, [o.holderPid])).rowCount;
      if (self) {
        await c.query('ROLLBACK');
        return 'held';
      }
    }
    // Lock order as the writers take it: the parent first, then the default partition. ATTACH needs
    // no more than SHARE UPDATE EXCLUSIVE on the parent, so writers of other months go on meanwhile.
    await c.query('LOCK TABLE ONLY temporal_instances IN SHARE UPDATE EXCLUSIVE MODE');
    await c.query(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
    await c.query(`CREATE TABLE ${p.name} (LIKE temporal_instances INCLUDING ALL)`);
    await c.query(`WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE ts >= $1 AND ts < $2 RETURNING *) INSERT INTO ${p.name} SELECT * FROM moved`, [p.from, p.to]);
    await c.query(`ALTER TABLE temporal_instances ATTACH PARTITION ${p.name} FOR VALUES FROM (${p.from}) TO (${p.to})`);
    await c.query('COMMIT');
    return 'created';
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    if (isLockTimeout(e)) return 'busy';
    return mapError(e);
  }
}

/** What is logged when a month's partition could not be created: its rows stay in the default partition meanwhile. */
function partitionTrouble(warn: WarnFn | undefined, m: number, why: { lockTimeoutMs: number } | { err: unknown }): void {
  const partition = monthPartition(m)?.name;
  if ('err' in why) warn?.({ err: why.err, partition }, `history partition ${partition} could not be created; the month's rows go to the default partition and are moved later`);
  else warn?.({ partition, lockTimeoutMs: why.lockTimeoutMs }, `history partition ${partition} not created: its locks were not granted within ${why.lockTimeoutMs} ms (a long transaction on temporal_instances?); the month's rows go to the default partition and are moved later`);
}

/**
 * Monthly partitions of temporal_instances from `back` months before now to `ahead` after, and one
 * for every month that has rows in the default partition (moved there): a database whose history
 * was back-filled before the writers created partitions heals at the next start or run. Throws
 * only when the database is unreachable; a month that fails otherwise is reported to `warn` and
 * stays as it is until the next run.
 */
export async function ensurePartitions(pool: pg.Pool, now: number,
  o: { back?: number; ahead?: number; lockTimeoutMs?: number; warn?: WarnFn } = {}): Promise<number[]> {
  const { back = 1, ahead = 2, lockTimeoutMs = 2000, warn } = o;
  const d = new Date(now);
  const months = new Set<number>();
  for (let k = -back; k <= ahead; k++) months.add(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1));
  const created: number[] = [];
  const c = await pool.connect().catch(mapError);
  let broken = false;
  const fatal = (e: unknown) => {
    if (isUnavailable(e) || e instanceof StorageUnavailable) { broken = true; throw e; }
  };
  try {
    try {
      // One scan of the default partition (nearly empty once healed); no statement timeout, so a
      // large back-fill of an older release is found, however long the first scan takes.
      await c.query('BEGIN');
      await c.query('SET LOCAL statement_timeout = 0');
      const stray = await q<{ m: number }>(c, `SELECT DISTINCT (extract(epoch FROM date_trunc('month', to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint AS m
        FROM ${DEFAULT_PARTITION} WHERE ts >= $1 AND ts < $2`, [FIRST_PARTITIONED, END_PARTITIONED]);
      await c.query('COMMIT');
      for (const r of stray) months.add(r.m);
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      fatal(e);
      warn?.({ err: e }, 'history partitions: the default partition could not be scanned for rows to move; they stay there until the next run');
    }
    for (const m of [...months].sort((a, b) => a - b)) {
      try {
        // No statement timeout: healing a large back-fill moves many rows once; lock waits stay bounded.
        const r = await createMonthPartition(c, m, { lockTimeoutMs, statementTimeoutMs: 0 });
        if (r === 'created') created.push(m);
        else if (r === 'busy') partitionTrouble(warn, m, { lockTimeoutMs });
      } catch (e) {
        // Anything but an unreachable database: this month stays as it is until the next run.
        fatal(e);
        partitionTrouble(warn, m, { err: e });
      }
    }
  } finally {
    c.release(broken ? true : undefined);
  }
  return created;
}

/** Re-check of a month whose partition could not be created (busy, or the database was away). */
const RETRY_MS = 60_000;

/**
 * The months this process knows to have a partition, for the history writer: a range check (the
 * last month hit) or a binary search of the known months per instance, no allocation; a month not seen before costs one short
 * transaction on a connection of its own (never one of the pool: writers hold those), after which
 * its rows go to their partition. Concurrent creators of one month serialise on the advisory lock;
 * the later one finds the partition there.
 */
export class MonthPartitions {
  private readonly known = new Set<number>();
  private readonly retryAt = new Map<number, number>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Sorted starts and ends of the known months (rebuilt when one is added; that is rare). */
  private starts: number[] = [];
  private ends: number[] = [];
  private lo = 0;
  private hi = 0;
  private loaded = false;
  constructor(private readonly pool: pg.Pool, private readonly lockTimeoutMs = 1000, private readonly warn?: WarnFn) {}

  /** True when t's month needs no work (it has a partition, or stays in the default). */
  covers(t: number): boolean {
    if (t >= this.lo && t < this.hi) return true;
    const s = this.starts;
    let a = 0;
    let b = s.length - 1;
    let at = -1;
    while (a <= b) {
      const mid = (a + b) >> 1;
      if (s[mid] <= t) { at = mid; a = mid + 1; } else b = mid - 1;
    }
    if (at < 0 || t >= this.ends[at]) return false;
    this.lo = s[at];
    this.hi = this.ends[at];
    return true;
  }

  private add(m: number): void {
    if (this.known.has(m)) return;
    this.known.add(m);
    this.starts = [...this.known].sort((x, y) => x - y);
    this.ends = this.starts.map(nextMonth);
  }

  /** Creates the partitions of these times' months; holder is the writer's own connection. Never throws. */
  async ensure(times: number[], holder?: pg.ClientBase): Promise<void> {
    const pid = (holder as { processID?: number } | undefined)?.processID ?? undefined;
    for (const m of new Set(times.map(monthStart))) {
      if (Number.isNaN(m) || this.known.has(m)) continue;
      if ((this.retryAt.get(m) ?? 0) > Date.now()) continue;
      let p = this.inFlight.get(m);
      if (!p) {
        p = this.create(m, pid).finally(() => this.inFlight.delete(m));
        this.inFlight.set(m, p);
      }
      await p;
    }
  }

  /** Months whose partitions were dropped (retention). */
  forget(months: number[]): void {
    for (const m of months) this.known.delete(m);
    this.starts = [...this.known].sort((x, y) => x - y);
    this.ends = this.starts.map(nextMonth);
    this.lo = this.hi = 0;
  }

  private async create(m: number, pid: number | undefined): Promise<void> {
    if (!monthPartition(m)) {
      this.add(m);
      return;
    }
    const c = new pg.Client(this.pool.options as pg.ClientConfig);
    c.on('error', () => {});
    try {
      await c.connect();
      if (!this.loaded) {
        // The months that have partitions already (those of the start-up window, other nodes' work).
        const rows = await c.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'temporal_instances'::regclass");
        for (const r of rows.rows) {
          const k = partitionMonth(r.name);
          if (k !== undefined) this.add(k);
        }
        this.loaded = true;
        if (this.known.has(m)) return;
      }
      const r = await createMonthPartition(c, m, { lockTimeoutMs: this.lockTimeoutMs, holderPid: pid });
      if (r === 'busy' || r === 'held') {
        this.retryAt.set(m, Date.now() + RETRY_MS);
        // Holding the default partition itself is the writer's own doing, not trouble to report.
        if (r === 'busy') partitionTrouble(this.warn, m, { lockTimeoutMs: this.lockTimeoutMs });
      } else {
        this.add(m);
        this.retryAt.delete(m);
      }
    } catch (e) {
      // The rows go to the default partition meanwhile; ensurePartitions moves them later.
      this.retryAt.set(m, Date.now() + RETRY_MS);
      partitionTrouble(this.warn, m, { err: e });
    } finally {
      await c.end().catch(() => {});
    }
  }
}

/**
 * Drops the monthly partitions that end at or before cutoff (retention), in one transaction that
 * locks temporal_instances for the moment of the drop. Returns the months dropped and how many
 * instances they held (counted before the drop; the planner's estimate for partitions of more than
 * a million rows). Nothing when the lock is not granted within lockTimeoutMs (reported to `warn`):
 * the caller deletes row by row then.
 */
export async function dropPartitionsBefore(pool: pg.Pool, cutoff: number, lockTimeoutMs = 2000, warn?: WarnFn): Promise<{ months: number[]; instances: number }> {
  const list = async (db: Queryable) => (await q<{ name: string; est: number }>(db, `SELECT c.relname AS name, c.reltuples AS est FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'temporal_instances'::regclass`))
    .map((r) => ({ ...r, m: partitionMonth(r.name) })).filter((r) => r.m !== undefined && nextMonth(r.m) <= cutoff);
  const old = await list(pool);
  if (old.length === 0) return { months: [], instances: 0 };
  const counts = new Map<string, number>();
  for (const p of old) counts.set(p.name, p.est > 1e6 ? Math.round(p.est) : (await q<{ n: number }>(pool, `SELECT count(*) AS n FROM ${quoteIdent(p.name)}`))[0].n);
  const c = await pool.connect().catch(mapError);
  let broken = false;
  try {
    await c.query('BEGIN');
    await c.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    await c.query(PARTITION_LOCK);
    await c.query('LOCK TABLE ONLY temporal_instances IN ACCESS EXCLUSIVE MODE');
    const now = await list(c); // another node may have dropped some meanwhile
    let instances = 0;
    for (const p of now) {
      await c.query(`DROP TABLE ${quoteIdent(p.name)}`);
      instances += counts.get(p.name) ?? 0;
    }
    await c.query('COMMIT');
    return { months: now.map((p) => p.m!), instances };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => { broken = true; });
    if (isLockTimeout(e)) {
      warn?.({ partitions: old.map((p) => p.name), lockTimeoutMs }, `retention: expired history partitions not dropped, the lock on temporal_instances was not granted within ${lockTimeoutMs} ms; their rows are deleted row by row instead`);
      return { months: [], instances: 0 };
    }
    broken ||= isUnavailable(e);
    return mapError(e);
  } finally {
    c.release(broken ? true : undefined);
  }
}
