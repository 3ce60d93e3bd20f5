// Benchmark: batch upsert (POST /entityOperations/upsert?options=update) of 50 batches of 1,000
// AirQualityObserved entities over 4 concurrent connections — first as creates, then as updates.
import type { BenchOptions, Result } from './common.ts';
import { makeBatches, postAll } from './seed.ts';
import { startServer } from './server.ts';

export const NAME_CREATE = 'batch upsert (create)';
export const NAME_UPDATE = 'batch upsert (update)';
const BATCHES = 50;
const BATCH_SIZE = 1000;
const CONCURRENCY = 4;

export async function run(opts: BenchOptions): Promise<Result[]> {
  const n = BATCHES * BATCH_SIZE;
  // Bodies are built before the clock starts: only the server's work (and HTTP) is timed.
  const creates = makeBatches(0, n, { batchSize: BATCH_SIZE, seed: 1, prefix: 'batch' });
  const updates = makeBatches(0, n, { batchSize: BATCH_SIZE, seed: 2, prefix: 'batch' });
  const mb = (creates.reduce((s, b) => s + b.length, 0) / BATCHES / 1024 / 1024).toFixed(2);
  const server = await startServer();
  try {
    // A small warm-up batch with other ids so that the first timed batch does not pay for JIT.
    await postAll(server.url, makeBatches(0, 2 * BATCH_SIZE, { batchSize: BATCH_SIZE, seed: 3, prefix: 'warmup' }), 2);
    const out: Result[] = [];
    for (const [name, bodies, okStatus] of [[NAME_CREATE, creates, 201], [NAME_UPDATE, updates, 204]] as const) {
      const t0 = performance.now();
      const res = await postAll(server.url, bodies, CONCURRENCY);
      const sec = (performance.now() - t0) / 1000;
      const bad = res.filter((r) => r.status !== okStatus);
      const failedEntities = bad.reduce((s, r) => s + (r.status === 207 ? r.failed : BATCH_SIZE), 0);
      let cond = `${BATCHES} batches × ${BATCH_SIZE.toLocaleString('en-US')} entities of 10 attributes (~${mb} MB JSON each), `
        + `${CONCURRENCY} concurrent connections, options=update, ${name.includes('create') ? 'new ids' : 'same ids again'}; ${sec.toFixed(2)} s wall`;
      if (bad.length) cond += `; ERRORS: ${bad.length} batches answered ${[...new Set(bad.map((b) => b.status))].join('/')} instead of ${okStatus} (${failedEntities} entities failed): ${bad[0].detail ?? ''}`.slice(0, 600);
      out.push({ name, value: (n - failedEntities) / sec, unit: 'entities/s', errors: bad.length, conditions: cond });
    }
    const logErrors = server.errorLogCount();
    if (logErrors) for (const r of out) r.conditions += `; server logged ${logErrors} errors`;
    return out;
  } finally {
    await server.stop();
  }
}
