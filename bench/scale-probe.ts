// First-request times on a seeded data directory (bench/scale-seed.ts): starts a server on it and
// times, one at a time, requests whose expressions the server has not seen since its start — the
// stalls of issue #19 (goal: a new expression answers within 50 ms, also right after a restart).
//   npx tsx bench/scale-probe.ts <dataDir>     (PROF=<dir> runs the server under --cpu-prof)
import { startServer } from './server.ts';
import { ENTITY_TYPE, HERNE, entityId } from './seed.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx bench/scale-probe.ts <dataDir>');
  process.exit(2);
}
const prof = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [];
const t0 = performance.now();
const s = await startServer({ dataDir: dir, keepDataDir: true, startTimeoutMs: 600_000, nodeArgs: prof, env: { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'status' } });
console.log(`server up in ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS ${s.rssMb().toFixed(0)} MB`);
const near = (m: number, lon: number, limit: number) => `&georel=near;maxDistance==${m}&geometry=Point&coordinates=[${lon},${HERNE[1]}]&limit=${limit}`;
// Each pair repeats its first request: the repeat shows the cost once caches are warm.
const params = [
  '&count=true&limit=1', '&count=true&limit=1',
  '&q=temperature>25&limit=100', '&q=temperature>25&limit=100',
  '&q=temperature>28', '&q=humidity>50', '&q=no2>100&limit=5',
  near(500, HERNE[0], 100), near(500, HERNE[0], 10), near(300, HERNE[0] + 0.01, 10),
  '&q=status=="maintenance"&limit=100',
];
try {
  for (const p of params) {
    const t = performance.now();
    const r = await fetch(`${s.url}/ngsi-ld/v1/entities?type=${ENTITY_TYPE}${p}`);
    const body = await r.text();
    console.log(`${(performance.now() - t).toFixed(1).padStart(9)} ms  HTTP ${r.status}, ${body.length} B  ${p}`);
  }
  for (const i of [1, 500_000, 999_999]) {
    const t = performance.now();
    const r = await fetch(`${s.url}/ngsi-ld/v1/entities/${entityId(i)}`);
    await r.text();
    console.log(`${(performance.now() - t).toFixed(1).padStart(9)} ms  HTTP ${r.status}  GET /entities/${entityId(i)}`);
  }
  console.log(`RSS ${s.rssMb().toFixed(0)} MB`);
} finally {
  await s.stop();
}
