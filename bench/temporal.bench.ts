// Benchmark of the temporal API (docs/temporal.md): the write path's cost of recording history
// (batch upsert with DREHSCHEIBE_TEMPORAL=off vs on), aggregation and lastN latency over one
// attribute with a year of one-minute values (525,600 instances), and bytes on disk per instance.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { BenchOptions, Result } from './common.ts';
import { makeBatches, postAll } from './seed.ts';
import { startServer } from './server.ts';

export const NAME_COST = 'temporal: write-path cost of history (batch upsert)';
const ENTITY = 'urn:ngsi-ld:WeatherObserved:bench-year';
const YEAR_START = Date.parse('2025-01-01T00:00:00Z');
const CHUNK = 25_000;

async function upsertRate(history: 'on' | 'off', batches: number): Promise<{ create: number; update: number }> {
  const size = 1000;
  const creates = makeBatches(0, batches * size, { batchSize: size, seed: 1, prefix: 'tb' });
  const updates = makeBatches(0, batches * size, { batchSize: size, seed: 2, prefix: 'tb' });
  const server = await startServer({ env: { DREHSCHEIBE_TEMPORAL: history } });
  try {
    await postAll(server.url, makeBatches(0, 2 * size, { batchSize: size, seed: 3, prefix: 'warmup' }), 2);
    const rate = async (bodies: string[]) => {
      const t0 = performance.now();
      const res = await postAll(server.url, bodies, 4);
      const bad = res.find((r) => r.status !== 201 && r.status !== 204);
      if (bad) throw new Error(`batch upsert failed: HTTP ${bad.status}: ${bad.detail ?? ''}`);
      return (batches * size) / ((performance.now() - t0) / 1000);
    };
    return { create: await rate(creates), update: await rate(updates) };
  } finally {
    await server.stop();
  }
}

/** n one-minute values of one attribute through POST /temporal/entities (back-filling). */
async function loadYear(url: string, n: number): Promise<number> {
  const t0 = performance.now();
  for (let from = 0; from < n; from += CHUNK) {
    const list: unknown[] = [];
    for (let i = from; i < Math.min(n, from + CHUNK); i++) {
      const day = Math.floor(i / 1440);
      const value = Number((10 + 8 * Math.sin((i % 1440) / 1440 * 2 * Math.PI) + 5 * Math.sin(day / 365 * 2 * Math.PI) + (i % 7) * 0.1).toFixed(2));
      list.push({ type: 'Property', value, observedAt: new Date(YEAR_START + i * 60_000).toISOString(), unitCode: 'CEL' });
    }
    const r = await fetch(`${url}/ngsi-ld/v1/temporal/entities`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: ENTITY, type: 'WeatherObserved', temperature: list }),
    });
    if (r.status !== 201 && r.status !== 204) throw new Error(`loading history failed: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  }
  return (performance.now() - t0) / 1000;
}

/** Median (and p99) latency of a GET, sequentially, after a warm-up. */
async function latency(url: string, runs: number): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let k = 0; k < runs + 3; k++) {
    const t0 = performance.now();
    const r = await fetch(url);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${url} → HTTP ${r.status}: ${text.slice(0, 300)}`);
    if (k >= 3) times.push(performance.now() - t0);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))], bytes };
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const out: Result[] = [];
  const batches = opts.quick ? 10 : 30;
  const off = await upsertRate('off', batches);
  const on = await upsertRate('on', batches);
  const cost = (a: number, b: number) => Math.max(0, (1 - b / a) * 100);
  out.push({
    name: NAME_COST, value: Math.max(cost(off.create, on.create), cost(off.update, on.update)), unit: '%',
    conditions: `${batches} batches × 1,000 AirQualityObserved entities (10 attributes), 4 connections, options=update; without history ${Math.round(off.create)} (create) / ${Math.round(off.update)} (update) entities/s, with history ${Math.round(on.create)} / ${Math.round(on.update)} entities/s; the larger of the two costs`,
  });

  const n = opts.quick ? 60 * 24 * 31 : 525_600;
  const server = await startServer({ env: { DREHSCHEIBE_BODY_LIMIT: String(32 * 1024 * 1024) } });
  try {
    const loadSec = await loadYear(server.url, n);
    const base = `${server.url}/ngsi-ld/v1/temporal/entities/${encodeURIComponent(ENTITY)}`;
    const between = `timerel=between&timeAt=2025-01-01T00:00:00Z&endTimeAt=${new Date(YEAR_START + n * 60_000).toISOString()}`;
    const runs = opts.quick ? 10 : 30;
    const cond = `one attribute with ${n.toLocaleString('en-US')} one-minute instances (loaded in ${loadSec.toFixed(1)} s through POST /temporal/entities), ${runs} sequential GETs after 3 warm-ups, median over HTTP on loopback`;
    for (const [label, query] of [
      ['P1D', `options=aggregatedValues&aggrMethods=avg,min,max&aggrPeriodDuration=P1D&${between}`],
      ['PT1H', `options=aggregatedValues&aggrMethods=avg,min,max&aggrPeriodDuration=PT1H&${between}`],
    ] as const) {
      const l = await latency(`${base}?attrs=temperature&${query}`, runs);
      out.push({ name: `temporal: aggrMethods=avg,min,max aggrPeriodDuration=${label}`, value: l.p50, unit: 'ms', p50: l.p50, p99: l.p99, conditions: `${cond}; response ${l.bytes.toLocaleString('en-US')} bytes` });
    }
    const l = await latency(`${base}?attrs=temperature&lastN=100`, runs * 3);
    out.push({ name: 'temporal: lastN=100', value: l.p50, unit: 'ms', p50: l.p50, p99: l.p99, conditions: `${cond}; response ${l.bytes.toLocaleString('en-US')} bytes` });

    const db = new Database(join(server.dataDir, 'drehscheibe.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const count = (db.prepare('SELECT COUNT(*) AS c FROM temporal_instances').get() as { c: number }).c;
      const bytes = (db.prepare("SELECT SUM(pgsize) AS b FROM dbstat WHERE name = 'temporal_instances'").get() as { b: number }).b;
      out.push({ name: 'temporal: bytes on disk per numeric instance', value: bytes / count, unit: 'bytes', conditions: `dbstat pages of temporal_instances (${bytes.toLocaleString('en-US')} bytes) / ${count.toLocaleString('en-US')} instances, each a number with observedAt and unitCode` });
    } finally {
      db.close();
    }
  } finally {
    await server.stop();
  }
  return out;
}
