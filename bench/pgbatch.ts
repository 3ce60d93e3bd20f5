// Quick measure: batch upsert (create, then update) on PostgreSQL and SQLite, one server each.
// Usage: tsx bench/pgbatch.ts [--batches=20] [--engine=postgres|sqlite|both]
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { makeBatches, postAll } from './seed.ts';
import { startServer } from './server.ts';
import { cpuSeconds as cpu } from './common.ts';

const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const arg = (k: string, d: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d;
const batches = Number(arg('batches', '20'));
const engines = arg('engine', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('engine', 'both')];

for (const e of engines) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = e === 'postgres' ? { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: schema } : {};
  if (process.env.DREHSCHEIBE_TEMPORAL) env.DREHSCHEIBE_TEMPORAL = process.env.DREHSCHEIBE_TEMPORAL;
  const prof = arg('prof', '');
  const s = await startServer({ env, nodeArgs: [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)] });
  try {
    await postAll(s.url, makeBatches(0, 2000, { seed: 3, prefix: 'warmup' }), 2);
    for (const [label, seed] of [['create', 1], ['update', 2]] as const) {
      const bodies = makeBatches(0, batches * 1000, { seed, prefix: 'eb' });
      const t0 = performance.now();
      const pg0 = cpu((c) => c === 'postgres');
      const n0 = cpu((_c, pid) => pid === s.pid);
      const res = await postAll(s.url, bodies, 4);
      const pgCpu = cpu((c) => c === 'postgres') - pg0;
      const nodeCpu = cpu((_c, pid) => pid === s.pid) - n0;
      const bad = res.find((r) => r.status !== 201 && r.status !== 204);
      if (bad) throw new Error(`HTTP ${bad.status} ${bad.detail}`);
      console.log(`${e} ${label}: ${Math.round((batches * 1000) / ((performance.now() - t0) / 1000))} entities/s; CPU per entity: node ${Math.round(nodeCpu * 1e6 / (batches * 1000))} µs, postgres ${Math.round(pgCpu * 1e6 / (batches * 1000))} µs`);
    }
  } finally {
    await s.stop();
    if (e === 'postgres') { const c = new pg.Client({ connectionString: PG_URL }); await c.connect(); await c.query(`DROP SCHEMA "${schema}" CASCADE`); await c.end(); }
  }
}
