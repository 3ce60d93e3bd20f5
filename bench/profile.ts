// CPU-profiles the server under one benchmark load: seeds with a plain server, restarts on the same
// data dir under `node --cpu-prof`, runs the load, stops, and prints the top self-time functions.
// Usage: tsx bench/profile.ts <patch|get|batch-create|batch-update|q100|q10|qstatus|geo> [--duration=10] [--entities=N] [--top=10] [--pg[=URL]]
// --pg profiles the server on PostgreSQL (default postgres://postgres@127.0.0.1:5432/test, a fresh schema dropped afterwards).
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './common.ts';
import { formatSpot, hotSpots } from './profile-summary.ts';
import { ENTITY_TYPE, HERNE, entityId, makeBatches, postAll, seed } from './seed.ts';
import pg from 'pg';
import { REPO_ROOT, startServer } from './server.ts';

const scenario = process.argv[2] ?? '';
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const durationSec = arg('duration', 10);
const top = arg('top', 10);
const enc = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
const QUERIES: Record<string, Record<string, string>> = {
  q100: { type: ENTITY_TYPE, q: 'temperature>25', limit: '100' },
  q10: { type: ENTITY_TYPE, q: 'temperature>25', limit: '10' },
  qstatus: { type: ENTITY_TYPE, q: 'status=="maintenance"', limit: '100' },
  geo: { type: ENTITY_TYPE, georel: 'near;maxDistance==500', geometry: 'Point', coordinates: `[${HERNE[0]},${HERNE[1]}]` },
};
const known = ['patch', 'get', 'batch-create', 'batch-update', ...Object.keys(QUERIES)];
if (!known.includes(scenario)) {
  console.error(`usage: tsx bench/profile.ts <${known.join('|')}> [--duration=10] [--entities=N] [--top=10]`);
  process.exit(2);
}
const pgArg = process.argv.find((a) => a === '--pg' || a.startsWith('--pg='));
const PG_URL = pgArg ? (pgArg.split('=').slice(1).join('=') || 'postgres://postgres@127.0.0.1:5432/test') : undefined;
const entities = arg('entities', scenario in QUERIES ? 100_000 : scenario === 'batch-update' ? 50_000 : 1000);

async function main(): Promise<void> {
  const profDir = join(REPO_ROOT, '.bench', 'profiles', `${scenario}-${Date.now()}`);
  mkdirSync(profDir, { recursive: true });
  // The same server settings as query.bench.ts: status has a value index.
  const schema = `bench_profile_${Date.now()}`;
  const env: Record<string, string> = { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'status', ...(PG_URL ? { DATABASE_URL: PG_URL, DREHSCHEIBE_PG_SCHEMA: schema } : {}) };
  const seeder = await startServer({ keepDataDir: true, env });
  const dataDir = seeder.dataDir;
  if (scenario === 'batch-update') await seed(seeder.url, entities, { prefix: 'batch' });
  else if (scenario !== 'batch-create') await seed(seeder.url, entities);
  await seeder.stop();

  const server = await startServer({ dataDir, env, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
  let summary = '';
  try {
    if (scenario === 'batch-create' || scenario === 'batch-update') {
      const bodies = makeBatches(0, 50_000, { prefix: 'batch', seed: 7 });
      const t0 = performance.now();
      const res = await postAll(server.url, bodies, 4);
      const sec = (performance.now() - t0) / 1000;
      summary = `${Math.round(50_000 / sec)} entities/s; statuses ${[...new Set(res.map((r) => r.status))].join(',')}`;
    } else {
      let i = 0;
      const n = scenario in QUERIES ? 0 : entities;
      const requests = scenario === 'patch'
        ? [{ method: 'PATCH' as const, setupRequest: (r: object) => ({ ...r, path: `/ngsi-ld/v1/entities/${entityId(i++ % n)}/attrs`, body: JSON.stringify({ temperature: { type: 'Property', value: Math.random() * 35 }, humidity: { type: 'Property', value: Math.random() * 100 } }) }) }]
        : scenario === 'get'
          ? [{ method: 'GET' as const, setupRequest: (r: object) => ({ ...r, path: `/ngsi-ld/v1/entities/${entityId(i++ % n)}` }) }]
          : [{ method: 'GET' as const, path: `/ngsi-ld/v1/entities?${enc(QUERIES[scenario])}` }];
      const o = await load({ url: server.url, connections: 32, durationSec, headers: { 'content-type': 'application/json' }, requests });
      summary = `${Math.round(o.reqPerSec)} req/s, p50 ${o.p50} ms, p99 ${o.p99} ms, non-2xx ${o.non2xx}`;
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (PG_URL) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
    }
  }
  // Node also writes a profile for tsx's loader thread; the main thread's is the largest.
  const batch = scenario.startsWith('batch');
  const file = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => statSync(join(profDir, b)).size - statSync(join(profDir, a)).size)[0];
  if (!file) throw new Error(`no .cpuprofile in ${profDir}`);
  const { spots, totalMs, idleMs } = hotSpots(JSON.parse(readFileSync(join(profDir, file), 'utf8')), top, batch ? undefined : (durationSec - 1) * 1000 + 500);
  console.log(`${scenario} (${entities.toLocaleString('en-US')} entities, ${PG_URL ? 'PostgreSQL' : 'SQLite'}, under --cpu-prof): ${summary}`);
  console.log(`profile ${join(profDir, file)}: ${batch ? '' : `the last ${durationSec - 0.5} s of the load: `}${(totalMs / 1000).toFixed(1)} s sampled, ${(100 * (1 - idleMs / totalMs)).toFixed(0)} % busy`);
  console.log(`  ${'self ms'.padStart(8)} ${'%busy'.padStart(6)}  function (location)`);
  for (const h of spots) console.log(formatSpot(h));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
