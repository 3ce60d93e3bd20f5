// Benchmark: GET /ngsi-ld/v1/entities/{id} (retrieveEntity, normalized) with ids rotating over
// 1,000 seeded AirQualityObserved entities of 10 attributes.
import { cpuResult, expectOk, load, loadResult, type BenchOptions, type Result } from './common.ts';
import { entityId, seed } from './seed.ts';
import { startServer } from './server.ts';
import { luaScript } from './wrk.ts';

export const NAME = 'GET /entities/{id}';
const N = 1000;

export async function run(opts: BenchOptions): Promise<Result[]> {
  const server = await startServer();
  try {
    await seed(server.url, N);
    const sample = await expectOk(`${server.url}/ngsi-ld/v1/entities/${entityId(1)}`);
    let i = 0;
    const o = await load({
      url: server.url,
      connections: opts.connections,
      durationSec: opts.durationSec,
      warmupSec: opts.quick ? 1 : 2,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/ngsi-ld/v1/entities/${entityId(i++ % N)}` }) }],
      generator: opts.generator,
      serverPid: server.pid,
      wrkScript: luaScript({ method: 'GET', paths: Array.from({ length: N }, (_, k) => `/ngsi-ld/v1/entities/${entityId(k)}`) }),
    });
    const cond = `${N.toLocaleString('en-US')} entities of 10 attributes, ids rotating, normalized (~${sample.length} B per response), `
      + `${opts.connections} connections, keep-alive, ${opts.durationSec} s after ${opts.quick ? 1 : 2} s warm-up; ${o.total.toLocaleString('en-US')} requests`;
    const logErrors = server.errorLogCount();
    const c = logErrors ? `${cond}; server logged ${logErrors} errors` : cond;
    return [loadResult(NAME, o, c), ...cpuResult(NAME, o, c)];
  } finally {
    await server.stop();
  }
}
