// Benchmark: the open-data catalogue (docs/catalog.md). A full harvest of a catalogue of 10,000
// datasets (every page of /catalog.ttl, following hydra:next), package_search with a text query over
// them (p99, one request at a time), and a live dataset's history CSV (rows/s and the server's RSS
// growth while it streams 10 million rows). --quick: 2,000 datasets and 200,000 rows; BENCH_CATALOG_ROWS overrides the rows.
import { get } from 'node:http';
import n3 from 'n3';
import { startServer } from './server.ts';
import type { BenchOptions, Result } from './common.ts';
import { SqliteCatalogStore } from '../src/catalog/sqlite/catalog.sqlite.ts';
import { ALL_VIEWER, CatalogService } from '../src/catalog/index.ts';
import { systemClock } from '../src/core/clock.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORDS = ['Luftqualität', 'Verkehr', 'Parkplätze', 'Bäume', 'Lärm', 'Energie', 'Schulen', 'Haushalt', 'Wahlen', 'Bevölkerung', 'Radwege', 'Spielplätze', 'Abfall', 'Wasser', 'Kitas', 'Sport'];
const THEMES = ['ENVI', 'TRAN', 'ENER', 'EDUC', 'GOVE', 'SOCI', 'REGI', 'ECON'];
const QUERIES = ['Luftqualität', 'verkehr', 'Parkplatz', 'baeume energie', 'Haushalt 2024', 'Radweg', 'Lärmkarte', 'Wasserqualitaet'];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function seedCatalog(dataDir: string, n: number): Promise<void> {
  const store = SqliteCatalogStore.inDataDir(dataDir);
  const s = new CatalogService({ store, clock: systemClock, organisations: async () => [{ id: 'stadt-herne', name: 'Stadt Herne' }, { id: 'stadtwerke-herne', name: 'Stadtwerke Herne' }], baseUrl: 'http://127.0.0.1' });
  for (let i = 0; i < n; i++) {
    const w = [WORDS[i % WORDS.length], WORDS[(i * 7 + 3) % WORDS.length]];
    const id = `ds-${String(i).padStart(6, '0')}`;
    await s.create({
      id, title: { de: `${w[0]} und ${w[1]} ${2000 + (i % 25)}` }, description: { de: `Offene Daten zu ${w[0]} in Herne, Stadtteil ${i % 10}. Erhoben von der Stadtverwaltung; aktualisiert jährlich.` },
      publisherId: i % 3 ? 'stadt-herne' : 'stadtwerke-herne', contactPoint: { organisationId: 'stadt-herne', email: 'opendata@herne.example' },
      licence: i % 2 ? 'dl-by-de/2.0' : 'dl-zero-de/2.0', themes: [THEMES[i % THEMES.length]], keywords: w,
      spatial: { municipalityKey: '05916000' }, accrualPeriodicity: 'ANNUAL', contributorIds: ['http://dcat-ap.de/def/contributors/openNRW'],
      distributions: [{ id: 'csv', kind: 'link', accessUrl: `https://daten.herne.example/${id}.csv`, format: 'CSV', mediaType: 'text/csv' }],
    }, ALL_VIEWER);
    await s.publish(id, ALL_VIEWER);
  }
  await store.close();
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const out: Result[] = [];
  const n = opts.quick ? 2000 : 10_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'drehscheibe-bench-catalog-'));
  await seedCatalog(dataDir, n);
  const server = await startServer({ dataDir, env: { DREHSCHEIBE_STRATEGY_STARTER: 'on' } });
  try {
    // 1. Full harvest, Turtle, following hydra:next (page size 100, the default; and 1,000).
    for (const limit of [100, 1000]) {
      for (let warm = 0; warm < 2; warm++) {
        const t0 = performance.now();
        let url: string | undefined = `${server.url}/catalog.ttl${limit === 100 ? '' : `?limit=${limit}`}`;
        let seen = 0;
        let pages = 0;
        while (url) {
          const text: string = await (await fetch(url)).text();
          const quads: n3.Quad[] = new n3.Parser().parse(text);
          seen += quads.filter((q) => q.predicate.value === 'http://www.w3.org/ns/dcat#dataset').length;
          url = quads.find((q) => q.predicate.value === 'http://www.w3.org/ns/hydra/core#next')?.object.value;
          pages++;
        }
        const s = (performance.now() - t0) / 1000;
        if (seen !== n) throw new Error(`harvest saw ${seen} of ${n} datasets`);
        if (warm === 1) out.push({ name: `catalog: full harvest of ${n.toLocaleString('en')} datasets (Turtle, ${limit} per page)`, value: Math.round(s * 100) / 100, unit: 's',
          conditions: `${pages} pages following hydra:next, parsed with n3 by the client; SQLite; second of two runs` });
      }
    }
    // 2. package_search with a text query.
    const ms: number[] = [];
    const runs = opts.quick ? 300 : 1000;
    for (let i = 0; i < runs + 50; i++) {
      const q = encodeURIComponent(QUERIES[i % QUERIES.length]);
      const t0 = performance.now();
      const r = await fetch(`${server.url}/api/3/action/package_search?q=${q}&rows=10`);
      const body = await r.json() as { success: boolean; result: { count: number } };
      if (!body.success) throw new Error('package_search failed');
      if (i >= 50) ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    out.push({ name: `catalog: package_search with a text query over ${n.toLocaleString('en')} datasets`, value: Math.round(pct(ms, 0.99) * 10) / 10, unit: 'ms p99', p50: pct(ms, 0.5), p99: pct(ms, 0.99),
      conditions: `${runs} requests one at a time, ${QUERIES.length} German queries (stemmed, prefix), rows=10, SQLite` });

    // 3. History CSV of a live dataset.
    const rows = Number(process.env.BENCH_CATALOG_ROWS ?? (opts.quick ? 200_000 : 10_000_000));
    const H = { 'content-type': 'application/json', 'ngsild-tenant': 'bench' };
    const id = 'urn:ngsi-ld:Sensor:bench-1';
    let r = await fetch(`${server.url}/ngsi-ld/v1/entities`, { method: 'POST', headers: H, body: JSON.stringify({ id, type: 'Sensor', v: { type: 'Property', value: 0 } }) });
    if (r.status !== 201) throw new Error(`entity: ${r.status}`);
    const start = Date.parse('2025-01-01T00:00:00Z');
    const BATCH = 50_000;
    for (let b = 0; b < rows; b += BATCH) {
      const v = Array.from({ length: Math.min(BATCH, rows - b) }, (_, i) => ({ type: 'Property', value: (b + i) % 997, observedAt: new Date(start + (b + i) * 1000).toISOString() }));
      r = await fetch(`${server.url}/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}/attrs`, { method: 'POST', headers: H, body: JSON.stringify({ v }) });
      if (r.status !== 204) throw new Error(`history: ${r.status} ${await r.text()}`);
    }
    r = await fetch(`${server.url}/api/catalog/datasets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
      id: 'verlauf', title: { de: 'Verlauf' }, description: { de: 'Bench' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', live: { tenant: 'bench', type: 'Sensor' } }) });
    if (r.status !== 201) throw new Error(`dataset: ${r.status} ${await r.text()}`);
    await fetch(`${server.url}/api/catalog/datasets/verlauf/publish`, { method: 'POST' });
    const to = new Date(start + rows * 1000 + 1000).toISOString();
    const rss0 = server.rssMb();
    let rssMax = rss0;
    let lines = 0;
    const t0 = performance.now();
    let ttfb = 0;
    await new Promise<void>((resolve, reject) => {
      get(`${server.url}/api/catalog/datasets/verlauf/distributions/verlauf-csv/download?from=2025-01-01T00:00:00Z&to=${to}`, (res) => {
        let k = 0;
        res.on('data', (c: Buffer) => {
          if (!ttfb) ttfb = performance.now() - t0;
          for (let i = 0; i < c.length; i++) if (c[i] === 10) lines++;
          if (++k % 64 === 0) rssMax = Math.max(rssMax, server.rssMb());
        });
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    const s = (performance.now() - t0) / 1000;
    if (lines !== rows + 1) throw new Error(`history CSV had ${lines - 1} rows, expected ${rows}`);
    out.push({ name: `catalog: history CSV export (${rows.toLocaleString('en')} rows)`, value: Math.round(rows / s), unit: 'rows/s',
      conditions: `live dataset, one entity, one attribute, streamed over HTTP; first byte after ${Math.round(ttfb)} ms; SQLite` });
    out.push({ name: `catalog: server RSS growth during the history CSV export (${rows.toLocaleString('en')} rows)`, value: Math.round((rssMax - rss0) * 10) / 10, unit: 'MB',
      conditions: `VmRSS of the server process sampled while streaming (from ${Math.round(rss0)} MB)` });
  } finally {
    await server.stop();
  }
  return out;
}
