// Benchmark: PATCH /ngsi-ld/v1/entities/{id}/attrs (updateEntityAttrs) with two measurements,
// ids rotating over 1,000 seeded AirQualityObserved entities — the typical sensor-update path.
import { cpuResult, expectOk, load, loadResult, type BenchOptions, type Result } from './common.ts';
import { entityId, seed } from './seed.ts';
import { startServer } from './server.ts';
import { luaScript } from './wrk.ts';

export const NAME = 'PATCH /entities/{id}/attrs';
const N = 1000;

function body(): string {
  const observedAt = new Date().toISOString();
  return JSON.stringify({
    temperature: { type: 'Property', value: Math.round(Math.random() * 350) / 10, observedAt, unitCode: 'CEL' },
    humidity: { type: 'Property', value: Math.round(200 + Math.random() * 750) / 10, observedAt, unitCode: 'P1' },
  });
}

/** body() for wrk: the same JSON, built in the script's request() (keep the two in step). */
const BODY_LUA = `function(i)
  local t = iso_now()
  return string.format('{"temperature":{"type":"Property","value":%.1f,"observedAt":"%s","unitCode":"CEL"},'
    .. '"humidity":{"type":"Property","value":%.1f,"observedAt":"%s","unitCode":"P1"}}',
    math.random(0, 350) / 10, t, math.random(200, 950) / 10, t)
end`;

export async function run(opts: BenchOptions): Promise<Result[]> {
  const server = await startServer();
  try {
    await seed(server.url, N);
    await expectOk(`${server.url}/ngsi-ld/v1/entities/${entityId(0)}/attrs`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: body() });
    let i = 0;
    const o = await load({
      url: server.url,
      connections: opts.connections,
      durationSec: opts.durationSec,
      warmupSec: opts.quick ? 1 : 2,
      headers: { 'content-type': 'application/json' },
      requests: [{
        method: 'PATCH',
        setupRequest: (req) => ({ ...req, path: `/ngsi-ld/v1/entities/${entityId(i++ % N)}/attrs`, body: body() }),
      }],
      generator: opts.generator,
      serverPid: server.pid,
      wrkScript: luaScript({
        method: 'PATCH',
        paths: Array.from({ length: N }, (_, k) => `/ngsi-ld/v1/entities/${entityId(k)}/attrs`),
        headers: { 'Content-Type': 'application/json' },
        bodyLua: BODY_LUA,
      }),
    });
    const cond = `${N.toLocaleString('en-US')} entities, ids rotating, body of 2 attributes (temperature, humidity + observedAt, unitCode), `
      + `${opts.connections} connections, keep-alive, ${opts.durationSec} s after ${opts.quick ? 1 : 2} s warm-up; ${o.total.toLocaleString('en-US')} requests`;
    const logErrors = server.errorLogCount();
    const c = logErrors ? `${cond}; server logged ${logErrors} errors` : cond;
    return [loadResult(NAME, o, c), ...cpuResult(NAME, o, c)];
  } finally {
    await server.stop();
  }
}
