// Benchmark: GET /v2/entities/{id} (NGSIv2, normalized) against GET /ngsi-ld/v1/entities/{id} on the same
// server and data (1,000 AirQualityObserved entities of 10 attributes), measured alternately (v2, LD, LD, v2)
// so that warm-up and machine noise fall on both; the last figure is the ratio v2 / NGSI-LD.
import { expectOk, load, loadResult, type BenchOptions, type LoadOutcome, type Result } from './common.ts';
import { entityId, seed } from './seed.ts';
import { startServer } from './server.ts';
import { luaScript } from './wrk.ts';

export const NAME = 'GET /v2/entities/{id}';
const N = 1000;

export async function run(opts: BenchOptions): Promise<Result[]> {
  const server = await startServer();
  try {
    await seed(server.url, N);
    const paths = {
      v2: (k: number) => `/v2/entities/${entityId(k)}`,
      ld: (k: number) => `/ngsi-ld/v1/entities/${entityId(k)}`,
    };
    const sizes = { v2: (await expectOk(server.url + paths.v2(1))).length, ld: (await expectOk(server.url + paths.ld(1))).length };
    const half = Math.max(1, Math.round(opts.durationSec / 2));
    const measure = async (api: 'v2' | 'ld', warm: boolean): Promise<LoadOutcome> => {
      let i = 0;
      return load({
        url: server.url,
        connections: opts.connections,
        durationSec: half,
        warmupSec: warm ? (opts.quick ? 1 : 2) : 0,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[api](i++ % N) }) }],
        generator: opts.generator,
        wrkScript: luaScript({ method: 'GET', paths: Array.from({ length: N }, (_, k) => paths[api](k)) }),
      });
    };
    const out: Record<'v2' | 'ld', LoadOutcome[]> = { v2: [], ld: [] };
    // v2, LD, then LD, v2: each API once first and once second.
    for (const [round, order] of [[0, ['v2', 'ld']], [1, ['ld', 'v2']]] as const) for (const api of order) out[api].push(await measure(api, round === 0));
    const merged = (list: LoadOutcome[]): LoadOutcome => ({
      ...list[1],
      total: list[0].total + list[1].total,
      reqPerSec: (list[0].reqPerSec + list[1].reqPerSec) / 2,
      non2xx: list[0].non2xx + list[1].non2xx,
      socketErrors: list[0].socketErrors + list[1].socketErrors,
      timeouts: list[0].timeouts + list[1].timeouts,
      p50: Math.max(list[0].p50, list[1].p50),
      p99: Math.max(list[0].p99, list[1].p99),
    });
    const v2 = merged(out.v2);
    const ld = merged(out.ld);
    const cond = (api: 'v2' | 'ld', o: LoadOutcome) => `${N.toLocaleString('en-US')} entities of 10 attributes, ids rotating, normalized (~${sizes[api]} B per response), `
      + `${opts.connections} connections, keep-alive, 2 × ${half} s alternating with the other API (v2, LD, LD, v2); ${o.total.toLocaleString('en-US')} requests`;
    const logErrors = server.errorLogCount();
    const note = logErrors ? `; server logged ${logErrors} errors` : '';
    return [
      loadResult(NAME, v2, cond('v2', v2) + note),
      loadResult('GET /ngsi-ld/v1/entities/{id} (same run as /v2)', ld, cond('ld', ld) + note),
      { name: 'ratio GET /v2 ÷ GET /ngsi-ld/v1 (same run)', value: v2.reqPerSec / ld.reqPerSec, unit: 'ratio', conditions: 'throughput of GET /v2/entities/{id} divided by GET /ngsi-ld/v1/entities/{id}, measured alternately on one server' },
    ];
  } finally {
    await server.stop();
  }
}
