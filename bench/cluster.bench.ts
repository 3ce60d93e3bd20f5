// Benchmark of the cluster change feed (docs/scaling.md#subscriptions-across-nodes-change-feed-and-ownership):
// batch upsert throughput of two nodes on one PostgreSQL schema without any subscription (nothing is
// published) and with one subscription that matches nothing written (every committed change is published
// to the feed and read by the other node). The ratio within one run is the feed's cost on the write path.
// PostgreSQL from BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { BenchOptions, Result } from './common.ts';
import { makeBatches, postAll } from './seed.ts';
import { startServer } from './server.ts';

const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SIZE = 1000;

async function rate(urls: string[], bodies: string[]): Promise<number> {
  const t0 = performance.now();
  const parts = urls.map((url, k) => postAll(url, bodies.filter((_, i) => i % urls.length === k), 4));
  const res = (await Promise.all(parts)).flat();
  const bad = res.find((r) => r.status !== 201 && r.status !== 204);
  if (bad) throw new Error(`batch upsert failed: HTTP ${bad.status}: ${bad.detail ?? ''}`);
  return (bodies.length * SIZE) / ((performance.now() - t0) / 1000);
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const batches = opts.quick ? 10 : 30;
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env = { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: schema };
  const a = await startServer({ env });
  const b = await startServer({ env });
  try {
    const urls = [a.url, b.url];
    await postAll(a.url, makeBatches(0, 2 * SIZE, { batchSize: SIZE, seed: 3, prefix: 'warmup' }), 2);
    await postAll(b.url, makeBatches(0, 2 * SIZE, { batchSize: SIZE, seed: 3, prefix: 'warmup2' }), 2);
    // Both nodes must see each other (one heartbeat, 2 s by default) before a publish can happen.
    await new Promise((r) => setTimeout(r, 2500));
    const without = await rate(urls, makeBatches(0, batches * SIZE, { batchSize: SIZE, seed: 1, prefix: 'nofeed' }));
    const sub = await fetch(`${a.url}/ngsi-ld/v1/subscriptions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Subscription', entities: [{ type: 'NothingWrittenHere' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/never' } } }),
    });
    if (sub.status !== 201) throw new Error(`subscription: HTTP ${sub.status} ${await sub.text()}`);
    await new Promise((r) => setTimeout(r, 500));
    const withFeed = await rate(urls, makeBatches(0, batches * SIZE, { batchSize: SIZE, seed: 1, prefix: 'feed' }));
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const rows = (await admin.query(`SELECT count(*)::int AS n, coalesce(sum(pg_column_size(events)), 0)::bigint AS bytes FROM "${schema}".cluster_changes`)).rows[0];
    await admin.end();
    const conds = `2 nodes on one PostgreSQL schema at ${new URL(PG_URL).host}, ${batches} batches × 1,000 new entities over 4 connections per node; `
      + `feed: ${rows.n} rows, ${Math.round(Number(rows.bytes) / 1024 / 1024)} MB published; nodes, database and load generator share the machine's cores`;
    return [
      { name: 'cluster: batch upsert, 2 nodes, no subscription (nothing published)', value: without, unit: 'entities/s', conditions: conds },
      { name: 'cluster: batch upsert, 2 nodes, changes published to the feed', value: withFeed, unit: 'entities/s', conditions: conds },
      { name: 'cluster: write throughput with the feed relative to without', value: (withFeed / without) * 100, unit: '%', conditions: conds },
    ];
  } finally {
    await a.stop();
    await b.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
  }
}
