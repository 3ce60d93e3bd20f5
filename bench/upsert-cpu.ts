// In-process CPU per entity of batch upsert (inject, no HTTP; process.cpuUsage, so the machine's
// other load matters less than for wall time): create, then two rounds of updates of the same
// entities (new values and locations), and a third with the same bodies as the second (an unchanged
// location, as a sensor sends it), on a fresh SQLite file. Usage: npx tsx bench/upsert-cpu.ts (B=<batches of 1,000>, 20;
// KEEP=1 leaves the data directory and prints it).
import { testApp } from '../test/support/app.ts';
import { makeBatches } from './seed.ts';
const batches = Number(process.env.B ?? 20);
const t = await testApp();
const post = async (bodies: string[]) => {
  for (const b of bodies) {
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert', headers: { 'content-type': 'application/json' }, payload: b });
    if (r.statusCode !== 201 && r.statusCode !== 204) throw new Error(`${r.statusCode} ${r.body}`);
  }
};
await post(makeBatches(0, 2000, { seed: 3, prefix: 'warmup' }));
await post(makeBatches(0, 2000, { seed: 4, prefix: 'warmup' }));
const out: string[] = [];
for (const [label, seed] of [['create', 1], ['update1', 2], ['update2', 5], ['same-location', 5]] as const) {
  const bodies = makeBatches(0, batches * 1000, { seed, prefix: 'eb' });
  const c0 = process.cpuUsage();
  await post(bodies);
  const c = process.cpuUsage(c0);
  out.push(`${label} ${Math.round((c.user + c.system) / (batches * 1000))}`);
}
console.log(process.env.LABEL ?? '', out.join('  '), 'µs/entity');
if (process.env.KEEP) { console.log('DIR', t.dir); process.exit(0); } else await t.close();
