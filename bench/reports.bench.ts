// Benchmark: the Mängelmelder with 50,000 reports (issue #18's figures). The reports are written
// straight into the module's SQLite file before the server starts (one transaction); then, one
// request at a time (server time plus loopback): the Open311 requests list (the spec's default
// window, up to 1,000 requests, and a filtered page of 100; cached and uncached), and the public
// list page whose map clusters all 50,000 (clusters cached for at most 10 s, dropped by writes).
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReportStore } from '../src/reports/sqlite/reports.sqlite.ts';
import { DEFAULT_CATEGORIES, type Report, type ReportStatus } from '../src/reports/reports.model.ts';
import { startServer } from './server.ts';
import type { BenchOptions, Result } from './common.ts';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** n reports over the last 60 days around Herne's centre (±0.06°), in every category and status. */
export async function seedReports(dataDir: string, n: number): Promise<void> {
  await (SqliteReportStore.inDataDir(dataDir)).close();
  const db = new Database(join(dataDir, 'reports.sqlite'));
  const statuses: ReportStatus[] = ['received', 'in_progress', 'done', 'rejected'];
  const now = Date.now();
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ins = db.prepare('INSERT INTO reports (id, category, status, requested_at, updated_at, lat, lon, photo_state, doc) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)');
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const at = new Date(now - Math.floor(rnd() * 60 * 86_400_000)).toISOString();
      const r: Report = {
        id: String(i), category: DEFAULT_CATEGORIES[i % DEFAULT_CATEGORIES.length]!.code, description: `Meldung ${i}: ein Mangel im öffentlichen Raum, kurz beschrieben.`,
        lat: Math.round((51.538 + (rnd() - 0.5) * 0.12) * 1e6) / 1e6, lon: Math.round((7.2196 + (rnd() - 0.5) * 0.12) * 1e6) / 1e6,
        status: statuses[i % 4]!, requestedAt: at, updatedAt: at, source: 'web', ...(i % 4 === 3 ? { statusNote: 'Privatgrundstück' } : {}),
      };
      ins.run(i, r.category, r.status, at, at, r.lat, r.lon, JSON.stringify(r));
    }
  }).immediate();
  db.close();
}

export async function run(opts: BenchOptions): Promise<Result[]> {
  const total = opts.quick ? 10_000 : 50_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'drehscheibe-bench-reports-'));
  await seedReports(dataDir, total);
  const server = await startServer({ dataDir });
  const out: Result[] = [];
  const cases: Array<[string, string, string]> = [
    ['Open311 requests list', '/open311/v2/requests.json', 'the spec\'s default (last 90 days, first 1,000 requests), JSON'],
    ['Open311 requests list, filtered', '/open311/v2/requests.json?status=open&service_code=schlagloch,muell&page_size=100', 'status=open, two service codes, page_size=100, JSON'],
    ['Open311 requests list (XML)', '/open311/v2/requests.xml', 'the spec\'s default (first 1,000 requests), XML'],
    // A parameter the API ignores makes every URL new: no answer comes from the 10-second read cache.
    ['Open311 requests list, uncached', '/open311/v2/requests.json?nocache=', 'the spec\'s default, JSON, every request a cache miss'],
    ['report map page', '/maengelmelder/meldungen', `list page with the map: all ${total.toLocaleString('en')} reports clustered (≤ 400 groups), first 50 rows`],
  ];
  try {
    const n = opts.quick ? 100 : 400;
    for (const [name, path, what] of cases) {
      for (let i = 0; i < 30; i++) await (await fetch(server.url + path)).arrayBuffer();
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await fetch(server.url + path + (path.endsWith('=') ? String(i) : ''));
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      out.push({ name: `reports: ${name} over ${total.toLocaleString('en')} reports`, value: Math.round(pct(ms, 0.99) * 10) / 10, unit: 'ms p99', p50: pct(ms, 0.5), p99: pct(ms, 0.99),
        conditions: `GET ${path}: ${what}; one request at a time (${n}), no compression, SQLite` });
    }
  } finally {
    await server.stop();
  }
  return out;
}
