// CPU per PATCH on PostgreSQL, of the server process and of its PostgreSQL backends (from /proc, so
// other work on the machine does not count), with throughput. Several checkouts are measured
// alternately in one sitting, which is what to compare on a shared machine.
//   tsx bench/pg-patch-cpu.ts [--seconds=5] [--rounds=2] [DIR …]   (DIR: checkouts to run; default this one)
// PostgreSQL from BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test), a fresh schema per run.
import pg from 'pg';
import { cpuSeconds, load } from './common.ts';
import { entityId, seed } from './seed.ts';
import { REPO_ROOT, setServerRoot, startServer } from './server.ts';

const PG_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const seconds = arg('seconds', 5);
const rounds = arg('rounds', 2);
const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (roots.length === 0) roots.push(REPO_ROOT);

async function once(root: string): Promise<string> {
  setServerRoot(root);
  const schema = `bench_patchcpu_${Date.now()}`;
  const server = await startServer({ env: { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: schema } });
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await seed(server.url, 1000, { concurrency: 2 });
    const body = () => JSON.stringify({
      temperature: { type: 'Property', value: Math.random() * 30, observedAt: new Date().toISOString() },
      humidity: { type: 'Property', value: Math.random() * 90, observedAt: new Date().toISOString() },
    });
    let i = 0;
    const requests = [{ method: 'PATCH' as const, setupRequest: (r: object) => ({ ...r, path: `/ngsi-ld/v1/entities/${entityId((i++ * 7919) % 1000)}/attrs`, body: body() }) }];
    const headers = { 'content-type': 'application/json' };
    await load({ url: server.url, connections: 32, durationSec: 2, requests, headers }); // warm-up; opens the pool's connections
    const backends = new Set((await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1', [`drehscheibe:${schema}%`])).rows.map((r) => r.pid));
    const pgCpu = () => cpuSeconds((_, pid) => backends.has(pid));
    const nodeCpu = () => cpuSeconds((_, pid) => pid === server.pid);
    const p0 = pgCpu(); const n0 = nodeCpu();
    const o = await load({ url: server.url, connections: 32, durationSec: seconds, requests, headers });
    const perReq = (a: number, b: number) => Math.round(((b - a) / o.total) * 1e6);
    return `${Math.round(o.reqPerSec)} req/s, p50 ${o.p50} ms, p99 ${o.p99} ms; CPU per PATCH: server ${perReq(n0, nodeCpu())} µs, PostgreSQL backends (${backends.size}) ${perReq(p0, pgCpu())} µs`;
  } finally {
    await server.stop();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await c.end();
  }
}

for (let r = 1; r <= rounds; r++) {
  for (const root of roots) console.log(`round ${r} ${root}: ${await once(root)}`);
}
