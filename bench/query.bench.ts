// Benchmark: GET /ngsi-ld/v1/entities queries (q on a number, a selective q on a string, a geo
// "near" query) over 100,000 seeded AirQualityObserved entities (20,000 with --quick), then the server's RSS.
import { expectOk, load, loadResult, type BenchOptions, type Result } from './common.ts';
import { ENTITY_TYPE, HERNE, seed } from './seed.ts';
import { startServer } from './server.ts';
import { luaScript } from './wrk.ts';

export const NAME_Q100 = 'query q=temperature>25 limit=100';
export const NAME_Q10 = 'query q=temperature>25 limit=10';
export const NAME_QSTR = 'query q=status=="maintenance" limit=100 (indexed attribute)';
export const NAME_GEO = 'query georel=near;maxDistance==500';
export const NAME_RSS = 'server RSS with entities stored';

const BASE = '/ngsi-ld/v1/entities';
const qs = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

export async function run(opts: BenchOptions): Promise<Result[]> {
  const n = opts.quick ? 20_000 : 100_000;
  const scenarios: Array<{ name: string; params: Record<string, string>; note: string }> = [
    { name: NAME_Q100, params: { type: ENTITY_TYPE, q: 'temperature>25', limit: '100' }, note: 'temperature uniform 0..35 °C' },
    { name: NAME_Q10, params: { type: ENTITY_TYPE, q: 'temperature>25', limit: '10' }, note: 'temperature uniform 0..35 °C' },
    { name: NAME_QSTR, params: { type: ENTITY_TYPE, q: 'status=="maintenance"', limit: '100' }, note: 'every 100th entity; DREHSCHEIBE_INDEXED_ATTRIBUTES=status' },
    {
      name: NAME_GEO,
      params: { type: ENTITY_TYPE, georel: 'near;maxDistance==500', geometry: 'Point', coordinates: `[${HERNE[0]},${HERNE[1]}]` },
      note: 'points uniform over ~10 km × 10 km around Herne; default limit (20)',
    },
  ];
  const dataset = `${n.toLocaleString('en-US')} entities of 10 attributes${opts.quick ? ' (--quick: 20,000 instead of 100,000)' : ''}`;
  // status gets a value index (the "indexed attribute" of the query target); the others scan.
  const server = await startServer({ env: { DREHSCHEIBE_INDEXED_ATTRIBUTES: 'status' } });
  try {
    const seedSec = await seed(server.url, n);
    const out: Result[] = [];
    for (const s of scenarios) {
      const path = `${BASE}?${qs(s.params)}`;
      // One counted request first: checks the query works and reports how many entities match.
      const r = await fetch(`${server.url}${BASE}?${qs({ ...s.params, limit: '0', count: 'true' })}`);
      if (!r.ok) throw new Error(`GET ${path} (count) → HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
      await r.arrayBuffer();
      const matches = Number(r.headers.get('ngsild-results-count'));
      const sample = await expectOk(`${server.url}${path}`);
      const returned = (JSON.parse(sample) as unknown[]).length;
      const o = await load({
        url: server.url,
        connections: opts.connections,
        durationSec: opts.durationSec,
        warmupSec: opts.quick ? 1 : 2,
        requests: [{ method: 'GET', path }],
        generator: opts.generator,
        wrkScript: luaScript({ method: 'GET', paths: [path] }),
      });
      const cond = `${dataset}; ${matches.toLocaleString('en-US')} match (${((100 * matches) / n).toFixed(1)} %, ${s.note}), ${returned} returned per page (~${Math.round(sample.length / 1024)} KB); `
        + `${opts.connections} connections, keep-alive, ${opts.durationSec} s after ${opts.quick ? 1 : 2} s warm-up; ${o.total.toLocaleString('en-US')} requests`;
      out.push(loadResult(s.name, o, cond));
    }
    const rss = server.rssMb();
    out.push({
      name: NAME_RSS,
      value: rss,
      unit: 'MB',
      conditions: `${dataset}, VmRSS read right after the query runs (seeding took ${seedSec.toFixed(1)} s)`,
    });
    const logErrors = server.errorLogCount();
    if (logErrors) for (const x of out) x.conditions += `; server logged ${logErrors} errors`;
    return out;
  } finally {
    await server.stop();
  }
}
