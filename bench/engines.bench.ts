// Benchmark: the embedded engine and PostgreSQL side by side in one run (docs/scaling.md): batch
// upsert, the core's entity queries, temporal aggregation, and the write throughput of one and two
// nodes on one PostgreSQL. Ratios are measured within the run (the machine's cores are shared).
// PostgreSQL from BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), a fresh schema per server.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { cpuSeconds, expectOk, load, loadResult, type BenchOptions, type Result } from './common.ts';
import { ENTITY_TYPE, HERNE, makeBatches, postAll, seed } from './seed.ts';
import { startServer, type BenchServer } from './server.ts';

const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];
/**
 * Sections to run, for iterating on one of them: BENCH_ENGINES_PARTS=query (a comma list of
 * batch, query, temporal, cluster). Unset: all four.
 */
const PARTS = new Set((process.env.BENCH_ENGINES_PARTS || 'batch,query,temporal,cluster').split(',').map((s) => s.trim()));
/**
 * Entities seeded for the query section (BENCH_ENGINES_ENTITIES, e.g. 1000000 for the scale figures
 * of docs/scaling.md; default 100,000, or 20,000 with --quick), and the query scenarios to run
 * (BENCH_ENGINES_QUERIES: a comma list of substrings of their names, e.g. count,near; unset: all).
 */
const ENTITIES = process.env.BENCH_ENGINES_ENTITIES ? Number(process.env.BENCH_ENGINES_ENTITIES) : undefined;
const QUERIES = process.env.BENCH_ENGINES_QUERIES?.split(',').map((s) => s.trim()).filter(Boolean);

interface Node { server: BenchServer; schema?: string }

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
}

async function start(engine: Engine, env: Record<string, string> = {}, schema?: string): Promise<Node> {
  if (engine === 'sqlite') return { server: await startServer({ env }) };
  const s = schema ?? `bench_${randomBytes(4).toString('hex')}`;
  return { server: await startServer({ env: { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: s, ...env } }), schema: s };
}

async function stop(n: Node, drop = true): Promise<void> {
  await n.server.stop();
  if (drop && n.schema) await dropSchema(n.schema);
}

/** CPU per entity of the last batchRate run, in µs: the server processes and all of PostgreSQL. */
const lastCpu = { nodes: 0, postgres: 0 };

async function batchRate(urls: string[], bodies: string[], size: number, concurrencyPerNode: number, pids: number[] = []): Promise<number> {
  const isNode = (_c: string, pid: number) => pids.includes(pid);
  const isPg = (c: string) => c === 'postgres';
  const n0 = cpuSeconds(isNode);
  const p0 = cpuSeconds(isPg);
  const t0 = performance.now();
  // Batches are dealt to the nodes round robin; each node gets its own connections.
  const parts = urls.map((url, k) => postAll(url, bodies.filter((_, i) => i % urls.length === k), concurrencyPerNode));
  const res = (await Promise.all(parts)).flat();
  const bad = res.find((r) => r.status !== 201 && r.status !== 204);
  if (bad) throw new Error(`batch upsert failed: HTTP ${bad.status}: ${bad.detail ?? ''}`);
  const rate = (bodies.length * size) / ((performance.now() - t0) / 1000);
  lastCpu.nodes = ((cpuSeconds(isNode) - n0) * 1e6) / (bodies.length * size);
  lastCpu.postgres = ((cpuSeconds(isPg) - p0) * 1e6) / (bodies.length * size);
  return rate;
}

const TEMPORAL_ENTITY = 'urn:ngsi-ld:WeatherObserved:bench-engines';
const YEAR_START = Date.parse('2025-01-01T00:00:00Z');

async function loadSeries(url: string, n: number): Promise<void> {
  for (let from = 0; from < n; from += 25_000) {
    const list: unknown[] = [];
    for (let i = from; i < Math.min(n, from + 25_000); i++) {
      list.push({ type: 'Property', value: Number((10 + 8 * Math.sin((i % 1440) / 1440 * 2 * Math.PI) + (i % 7) * 0.1).toFixed(2)), observedAt: new Date(YEAR_START + i * 60_000).toISOString() });
    }
    const r = await fetch(`${url}/ngsi-ld/v1/temporal/entities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: TEMPORAL_ENTITY, type: 'WeatherObserved', temperature: list }) });
    if (r.status !== 201 && r.status !== 204) throw new Error(`loading history failed: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  }
}

async function median(url: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < runs + 3; k++) {
    const t0 = performance.now();
    await expectOk(url);
    if (k >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const out: Result[] = [];
  const per: Record<string, Partial<Record<Engine, number>>> = {};
  const note = (name: string, e: Engine, v: number) => { (per[name] ??= {})[e] = v; };
  /** CPU per entity written (where the time goes: the bottleneck of these figures on a shared machine). */
  const cpu: Array<{ name: string; us: number }> = [];

  // 1. Batch upsert, creates then updates, 4 connections.
  const batches = opts.quick ? 10 : 30;
  const size = 1000;
  for (const e of PARTS.has('batch') ? ENGINES : []) {
    const n = await start(e);
    try {
      await postAll(n.server.url, makeBatches(0, 2 * size, { batchSize: size, seed: 3, prefix: 'warmup' }), 2);
      for (const [phase, seed] of [['create', 1], ['update', 2]] as const) {
        note(`batch upsert (${phase})`, e, await batchRate([n.server.url], makeBatches(0, batches * size, { batchSize: size, seed, prefix: 'eb' }), size, 4, [n.server.pid]));
        cpu.push({ name: `batch upsert (${phase}) — ${e}: server process`, us: lastCpu.nodes });
        if (e === 'postgres') cpu.push({ name: `batch upsert (${phase}) — postgres: PostgreSQL processes`, us: lastCpu.postgres });
      }
    } finally { await stop(n); }
  }

  // 2. The core's queries over seeded entities.
  const entities = ENTITIES ?? (opts.quick ? 20_000 : 100_000);
  if (!Number.isSafeInteger(entities) || entities < 1) throw new Error(`BENCH_ENGINES_ENTITIES must be a positive integer, not ${process.env.BENCH_ENGINES_ENTITIES}`);
  const allScenarios: Array<[string, Record<string, string>]> = [
    ['query q=temperature>25 limit=100', { type: ENTITY_TYPE, q: 'temperature>25', limit: '100' }],
    ['query q=temperature>25 limit=10', { type: ENTITY_TYPE, q: 'temperature>25', limit: '10' }],
    ['query q=status=="maintenance" limit=100 (indexed)', { type: ENTITY_TYPE, q: 'status=="maintenance"', limit: '100' }],
    ['query georel=near;maxDistance==500', { type: ENTITY_TYPE, georel: 'near;maxDistance==500', geometry: 'Point', coordinates: `[${HERNE[0]},${HERNE[1]}]` }],
    ['query georel=near;maxDistance==500 limit=100', { type: ENTITY_TYPE, georel: 'near;maxDistance==500', geometry: 'Point', coordinates: `[${HERNE[0]},${HERNE[1]}]`, limit: '100' }],
    ['query count=true limit=1 (type only)', { type: ENTITY_TYPE, count: 'true', limit: '1' }],
  ];
  const scenarios = QUERIES ? allScenarios.filter(([name]) => QUERIES.some((k) => name.includes(k))) : allScenarios;
  const qs = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  for (const e of PARTS.has('query') ? ENGINES : []) {
    const n = await start(e, { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'status' });
    try {
      await seed(n.server.url, entities);
      for (const [name, params] of scenarios) {
        const path = `/ngsi-ld/v1/entities?${qs(params)}`;
        await expectOk(n.server.url + path);
        const o = await load({ url: n.server.url, connections: opts.connections, durationSec: opts.durationSec, warmupSec: 1, requests: [{ method: 'GET', path }], generator: 'autocannon' });
        const r = loadResult(`engines: ${name} — ${e}`, o, `${entities.toLocaleString('en-US')} entities, ${opts.connections} connections, ${opts.durationSec} s`);
        out.push(r);
        note(name, e, r.value);
      }
    } finally { await stop(n); }
  }

  // 3. Temporal aggregation over one attribute with one-minute values.
  const instances = opts.quick ? 60 * 24 * 31 : 60 * 24 * 180;
  const end = new Date(YEAR_START + instances * 60_000).toISOString();
  for (const e of PARTS.has('temporal') ? ENGINES : []) {
    const n = await start(e, { DREHSCHEIBE_BODY_LIMIT: String(32 * 1024 * 1024) });
    try {
      await loadSeries(n.server.url, instances);
      const base = `${n.server.url}/ngsi-ld/v1/temporal/entities/${encodeURIComponent(TEMPORAL_ENTITY)}?attrs=temperature&options=aggregatedValues&aggrMethods=avg,min,max&timerel=between&timeAt=2025-01-01T00:00:00Z&endTimeAt=${end}`;
      note('temporal aggrPeriodDuration=P1D (ms)', e, await median(`${base}&aggrPeriodDuration=P1D`, opts.quick ? 10 : 20));
      note('temporal aggrPeriodDuration=PT1H (ms)', e, await median(`${base}&aggrPeriodDuration=PT1H`, opts.quick ? 10 : 20));
    } finally { await stop(n); }
  }

  // 4. Write throughput of one and of two nodes on one PostgreSQL schema (batch upsert, creates),
  // under the same load: 4 batches in flight, all on one node or 2 on each. (4 per node, i.e. 8
  // transactions of 1,000 entities at once on these two cores, costs the database about 40 % more
  // CPU per entity: the comparison would measure an overloaded database, not the nodes.)
  if (PARTS.has('cluster')) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const a = await start('postgres', {}, schema);
    const b = await start('postgres', {}, schema);
    try {
      const bodies = (p: string) => makeBatches(0, batches * size, { batchSize: size, seed: 1, prefix: p });
      await postAll(a.server.url, makeBatches(0, 2 * size, { batchSize: size, seed: 3, prefix: 'warmup' }), 2);
      await postAll(b.server.url, makeBatches(0, 2 * size, { batchSize: size, seed: 3, prefix: 'warmup2' }), 2);
      note('postgres write throughput, 1 node', 'postgres', await batchRate([a.server.url], bodies('one'), size, 4, [a.server.pid]));
      cpu.push({ name: 'write throughput, 1 node: server process', us: lastCpu.nodes }, { name: 'write throughput, 1 node: PostgreSQL processes', us: lastCpu.postgres });
      note('postgres write throughput, 2 nodes', 'postgres', await batchRate([a.server.url, b.server.url], bodies('two'), size, 2, [a.server.pid, b.server.pid]));
      cpu.push({ name: 'write throughput, 2 nodes: both server processes', us: lastCpu.nodes }, { name: 'write throughput, 2 nodes: PostgreSQL processes', us: lastCpu.postgres });
    } finally {
      await stop(a, false);
      await stop(b);
    }
  }

  const conds = `${opts.quick ? 'quick: ' : ''}batch ${batches} × 1,000 entities over 4 connections; queries over ${entities.toLocaleString('en-US')} entities; `
    + `aggregation over ${instances.toLocaleString('en-US')} one-minute instances; write throughput of 1 and 2 nodes with 4 batches in flight in all; both engines in this run, PostgreSQL at ${new URL(PG_URL).host}`;
  for (const [name, v] of Object.entries(per)) {
    if (name.startsWith('query')) continue;
    for (const e of ENGINES) {
      if (v[e] === undefined) continue;
      const unit = name.includes('(ms)') ? 'ms' : 'entities/s';
      out.push({ name: `engines: ${name.replace(' (ms)', '')} — ${e}`, value: v[e]!, unit, conditions: conds });
    }
  }
  for (const [name, v] of Object.entries(per)) {
    if (v.sqlite === undefined || v.postgres === undefined) continue;
    // Ratio "how many times slower PostgreSQL is": throughput sqlite/pg, latency pg/sqlite.
    const slower = name.includes('(ms)') ? v.postgres / v.sqlite : v.sqlite / v.postgres;
    out.push({ name: `engines: ${name.replace(' (ms)', '')} — PostgreSQL cost relative to SQLite`, value: slower * 100, unit: '%', conditions: `200 % = twice as slow; sqlite ${Math.round(v.sqlite)}, postgres ${Math.round(v.postgres)}; ${conds}` });
  }
  const one = per['postgres write throughput, 1 node']?.postgres;
  const two = per['postgres write throughput, 2 nodes']?.postgres;
  if (one && two) out.push({ name: 'engines: two nodes / one node write throughput (PostgreSQL)', value: (two / one) * 100, unit: '%', conditions: `1 node ${Math.round(one)}, 2 nodes ${Math.round(two)} entities/s; ${conds}` });
  // Where the time goes: CPU per entity written, from /proc (user + system time of the server
  // processes, and of every postgres process — other work on the database counts too).
  for (const c of cpu) out.push({ name: `engines: CPU per entity, ${c.name}`, value: c.us, unit: 'µs', conditions: `CPU time / entities written; ${conds}` });
  return out;
}
