// Benchmark: how each operation's cost grows with the store (issue #19, docs/scaling.md). One store per
// engine grows through the sizes (10k, 100k, and 1M when asked for); at each size the same loads run on a
// restarted server, and the table prints the rate at each size and the growth factor smallest → largest.
//   npm run bench -- --only=scale                         10k and 100k, SQLite and PostgreSQL
//   BENCH_SCALE_SIZES=10000,100000,1000000 npm run bench -- --only=scale --runs=1   adds 1M (seeding takes minutes)
//   BENCH_SCALE_ENGINES=sqlite                            one engine only
// PostgreSQL from BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), a fresh schema dropped afterwards.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expectOk, load, type BenchOptions, type LoadOutcome, type Result } from './common.ts';
import { ENTITY_TYPE, HERNE, entityId, seedCounted } from './seed.ts';
import { startServer, type BenchServer } from './server.ts';

const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
type Engine = 'sqlite' | 'postgres';

/** The loads, as in the issue's table: name → request path (GET) or PATCH body maker. */
interface Op { name: string; method: 'GET' | 'PATCH'; path: (i: number) => string; body?: () => string }
const E = `/ngsi-ld/v1/entities`;
const near = `georel=near;maxDistance==500&geometry=Point&coordinates=[${HERNE[0]},${HERNE[1]}]`;

function ops(n: number): Op[] {
  const patchBody = () => JSON.stringify({
    temperature: { type: 'Property', value: Math.round(Math.random() * 350) / 10, observedAt: new Date().toISOString() },
    humidity: { type: 'Property', value: Math.round(200 + Math.random() * 750) / 10, observedAt: new Date().toISOString() },
  });
  // Ids spread over the whole store (a prime stride), so that the render cache's share of the store shows.
  const id = (i: number) => entityId((i * 7919) % n);
  return [
    { name: 'GET /entities/{id}', method: 'GET', path: (i) => `${E}/${id(i)}` },
    { name: 'q=temperature>25 limit=100', method: 'GET', path: () => `${E}?type=${ENTITY_TYPE}&q=temperature>25&limit=100` },
    { name: 'q=temperature>25 limit=10', method: 'GET', path: () => `${E}?type=${ENTITY_TYPE}&q=temperature>25&limit=10` },
    { name: 'near;maxDistance==500 limit=100', method: 'GET', path: () => `${E}?type=${ENTITY_TYPE}&${near}&limit=100` },
    { name: 'count=true&limit=1 (type only)', method: 'GET', path: () => `${E}?type=${ENTITY_TYPE}&count=true&limit=1` },
    { name: 'PATCH 2 attrs', method: 'PATCH', path: (i) => `${E}/${id(i)}/attrs`, body: patchBody },
  ];
}

function sizes(quick: boolean): number[] {
  const env = process.env.BENCH_SCALE_SIZES;
  if (env) return env.split(',').map((s) => Number(s.trim())).filter((x) => Number.isSafeInteger(x) && x > 0).sort((a, b) => a - b);
  return quick ? [2_000, 20_000] : [10_000, 100_000];
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return total;
}

async function pgBytes(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const r = await c.query<{ b: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0)::text AS b FROM pg_tables WHERE schemaname = $1`, [schema]);
    return Number(r.rows[0]?.b ?? 0);
  } finally {
    await c.end();
  }
}

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(opts: BenchOptions): Promise<Result[]> {
  const engines = (process.env.BENCH_SCALE_ENGINES || 'sqlite,postgres').split(',').map((s) => s.trim()) as Engine[];
  const steps = sizes(!!opts.quick);
  const out: Result[] = [];
  const table: Array<{ engine: Engine; op: string; rates: number[]; p99: number[] }> = [];
  for (const engine of engines) {
    const dataDir = mkdtempSync(join(tmpdir(), 'drehscheibe-scale-'));
    const schema = `bench_scale_${randomBytes(4).toString('hex')}`;
    const env: Record<string, string> = engine === 'postgres' ? { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: schema } : {};
    const rows = new Map<string, { rates: number[]; p99: number[] }>();
    let have = 0;
    try {
      for (const n of steps) {
        // Grow the store to n (ids have..n-1), then measure on a restarted server (cold caches, as after a deploy).
        let server: BenchServer = await startServer({ dataDir, keepDataDir: true, env, startTimeoutMs: 600_000 });
        try {
          const { seconds: sec, retries } = await seedCounted(server.url, n - have, { concurrency: 2, from: have });
          out.push({ name: `scale: batch upsert seeding ${fmt(have)} → ${fmt(n)} — ${engine}`, value: (n - have) / sec, unit: 'entities/s', conditions: `bench/seed.ts entities (10 attributes), batches of 1,000, 2 concurrent requests, history on; ${retries} batches sent again` });
          have = n;
        } finally {
          await server.stop();
        }
        server = await startServer({ dataDir, keepDataDir: true, env, startTimeoutMs: 600_000 });
        try {
          for (const op of ops(n)) {
            await expectOk(`${server.url}${op.path(1)}`, op.method === 'PATCH' ? { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: op.body!() } : undefined);
            let i = 0;
            const o: LoadOutcome = await load({
              url: server.url, connections: opts.connections, durationSec: opts.durationSec, warmupSec: 1, serverPid: server.pid,
              headers: op.method === 'PATCH' ? { 'content-type': 'application/json' } : undefined,
              requests: [{ method: op.method, setupRequest: (req) => ({ ...req, path: op.path(i++), ...(op.body ? { body: op.body() } : {}) }) }],
            });
            const bad = o.non2xx + o.socketErrors;
            out.push({ name: `scale: ${op.name} at ${fmt(n)} — ${engine}`, value: o.reqPerSec, unit: 'req/s', p50: o.p50, p99: o.p99, errors: bad,
              conditions: `${fmt(n)} entities, ${opts.connections} connections, ${opts.durationSec} s after 1 s warm-up; server CPU ${o.serverCpuUsPerReq?.toFixed(0) ?? '?'} µs/req` });
            const row = rows.get(op.name) ?? { rates: [], p99: [] };
            row.rates.push(o.reqPerSec);
            row.p99.push(o.p99);
            rows.set(op.name, row);
          }
          out.push({ name: `scale: server RSS after the loads at ${fmt(n)} — ${engine}`, value: server.rssMb(), unit: 'MB', conditions: 'VmRSS of the server process' });
          const bytes = engine === 'sqlite' ? dirBytes(dataDir) : await pgBytes(schema);
          out.push({ name: `scale: bytes on disk per entity at ${fmt(n)} — ${engine}`, value: bytes / n, unit: 'B', conditions: engine === 'sqlite' ? 'the data directory (SQLite file and WAL) / entities, history included' : 'pg_total_relation_size of the schema\'s tables / entities, history included' });
        } finally {
          await server.stop();
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      if (engine === 'postgres') await dropSchema(schema).catch(() => undefined);
    }
    for (const [op, r] of rows) table.push({ engine, op, ...r });
  }
  // The growth table (issue #19): rate per size and factor smallest → largest.
  const head = ['operation', 'engine', ...steps.map(fmt), `${fmt(steps[0]!)} → ${fmt(steps[steps.length - 1]!)}`];
  const lines = table.map((t) => [t.op, t.engine, ...t.rates.map((r, k) => `${fmt(r)}/s (p99 ${t.p99[k]} ms)`), `×${(t.rates[t.rates.length - 1]! / t.rates[0]!).toFixed(2)}`]);
  console.log(`\nScale growth table (${opts.connections} connections, ${opts.durationSec} s per load):`);
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  for (const t of table) {
    out.push({ name: `scale: ${t.op} growth ${fmt(steps[0]!)} → ${fmt(steps[steps.length - 1]!)} — ${t.engine}`, value: t.rates[t.rates.length - 1]! / t.rates[0]!, unit: '×', conditions: 'rate at the largest size / rate at the smallest, one store grown in place' });
  }
  return out;
}
