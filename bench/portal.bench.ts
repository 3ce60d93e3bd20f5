// Benchmark: the portal's pages with the demo data (simulated Herne sensors and the strategy starter
// content): server time p50/p99 of the home, project and live-map pages, measured one request at a
// time (so latency is server time plus loopback), and the bytes each page transfers compressed
// (brotli) with its stylesheets, fonts and scripts, without map tiles.
import { get } from 'node:http';
import { freePort, startServer } from './server.ts';
import type { BenchOptions, Result } from './common.ts';

const PAGES: Array<[string, string]> = [['home', '/'], ['project', '/projekte/solarbaenke'], ['live', '/daten/live'],
  ['KPI', '/kennzahlen/luftmessstationen-unter-no2-grenzwert'], ['sensor', '/daten/live/urn:ngsi-ld:AirQualityObserved:Herne-wanne-hbf'], ['API docs', '/entwickler/api']];
/** Documents measured like the pages, without fonts: the OpenAPI description. */
const DOCUMENTS: Array<[string, string]> = [['OpenAPI document', '/api/openapi.json']];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Bytes of a first visit (brotli): the page with its CSS and scripts, and the web fonts its CSS names, apart. */
async function transferred(base: string, path: string): Promise<{ page: number; fonts: number }> {
  // node:http, not fetch: fetch decodes the body, and the encoded bytes are what travels.
  const size = (url: string) => new Promise<number>((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'br' } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; });
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
  const html = await (await fetch(base + path)).text();
  let page = await size(base + path);
  let fonts = 0;
  const refs = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  for (const ref of new Set(refs)) {
    page += await size(base + ref);
    if (ref.endsWith('.css')) {
      const css = await (await fetch(base + ref)).text();
      // The Latin subsets: a German page needs no other face (the e2e test checks what Chromium loads).
      for (const f of new Set([...css.matchAll(/url\("(\/assets\/[^"]+-latin\.[0-9a-f]+\.woff2)"\)/g)].map((m) => m[1]!))) fonts += await size(base + f);
    }
  }
  return { page, fonts };
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const server = await startServer({ env: { DREHSCHEIBE_DEMO: 'on', DREHSCHEIBE_DEMO_INTERVAL: '1', DREHSCHEIBE_KPI_INTERVAL: '2', MQTT_PORT: String(await freePort()) } });
  const out: Result[] = [];
  try {
    // Wait for the demo sensors' first values.
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const r = await fetch(`${server.url}/ngsi-ld/v1/types`, { headers: { 'ngsild-tenant': 'herne' } });
      const k = await fetch(`${server.url}/api/strategy/kpis`);
      const kpisDone = k.ok && ((await k.json()) as Array<{ state?: unknown }>).every((x) => x.state);
      if (r.ok && ((await r.json()) as { typeList: string[] }).typeList.length >= 6 && kpisDone) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const n = opts.quick ? 200 : 1000;
    for (const [name, path] of [...PAGES, ...DOCUMENTS]) {
      const page = PAGES.some((x) => x[1] === path);
      for (let i = 0; i < 50; i++) await (await fetch(server.url + path, { headers: { 'accept-encoding': 'br' } })).arrayBuffer();
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await fetch(server.url + path, { headers: { 'accept-encoding': 'br' } });
        await r.arrayBuffer();
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      const what = page ? `portal ${name} page` : name;
      out.push({ name: what, value: pct(ms, 0.99), unit: 'ms p99', p50: pct(ms, 0.5), p99: pct(ms, 0.99),
        conditions: `GET ${path}, one request at a time (${n}), brotli, demo data (simulated Herne sensors, starter strategy), SQLite` });
      const bytes = await transferred(server.url, path);
      out.push({ name: `${what} transfer`, value: Math.round(bytes.page / 102.4) / 10, unit: 'KB',
        conditions: page ? 'HTML + CSS + scripts, brotli, first visit, no map tiles, without web fonts' : 'the document alone, brotli' });
      if (page) out.push({ name: `portal ${name} page fonts`, value: Math.round(bytes.fonts / 102.4) / 10, unit: 'KB',
        conditions: 'the three Fira Sans faces (Latin subsets, woff2), first visit; cached for a year afterwards' });
    }
  } finally {
    await server.stop();
  }
  return out;
}
