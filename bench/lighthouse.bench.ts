// Benchmark: Lighthouse 12.2.3 performance of the portal's home, project and live-map pages with the
// demo data, in Debian's headless Chromium, with Lighthouse's mobile and desktop presets: the score
// (goal ≥ 90) and the metrics it is made of (FCP, LCP, TBT, CLS, Speed Index). One Lighthouse run per
// page and preset per benchmark run, each a cold visit (Lighthouse clears cache and storage); the runner
// takes the median of each figure over its runs (--runs=3 by default).
import { existsSync } from 'node:fs';
import os from 'node:os';
import { freePort, startServer } from './server.ts';
import type { BenchOptions, Result } from './common.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PAGES: Array<[string, string]> = [['home', '/'], ['project', '/projekte/solarbaenke'], ['live', '/daten/live']];

// The metrics of Lighthouse's performance category, by audit id: [name in the results, unit].
const METRICS: Array<[string, string, string]> = [
  ['first-contentful-paint', 'FCP', 'ms'],
  ['largest-contentful-paint', 'LCP', 'ms'],
  ['total-blocking-time', 'TBT', 'ms'],
  ['cumulative-layout-shift', 'CLS', 'CLS'],
  ['speed-index', 'Speed Index', 'ms'],
];

// What each preset emulates (Lighthouse 12's defaults; simulated throttling, i.e. Lantern models the
// slow network and CPU from an unthrottled load, so loopback and this machine's CPU speed still count).
const PRESETS = {
  mobile: 'mobile preset: Moto G Power screen (412×823, DPR 1.75), simulated slow 4G (150 ms RTT, 1.6 Mbit/s) and 4× CPU slowdown',
  desktop: 'desktop preset: 1350×940 screen, simulated 40 ms RTT, 10 Mbit/s, no CPU slowdown',
} as const;

export async function run(_opts: BenchOptions): Promise<Result[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const { default: lighthouse, desktopConfig } = await import('lighthouse');
  const { launch } = await import('chrome-launcher');
  const server = await startServer({ env: { DREHSCHEIBE_DEMO: 'on', DREHSCHEIBE_DEMO_INTERVAL: '1', DREHSCHEIBE_KPI_INTERVAL: '2', MQTT_PORT: String(await freePort()) } });
  const out: Result[] = [];
  let chrome: Awaited<ReturnType<typeof launch>> | undefined;
  try {
    // Wait for the demo sensors' first values and the KPIs' first evaluation (as bench/portal.bench.ts).
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const r = await fetch(`${server.url}/ngsi-ld/v1/types`, { headers: { 'ngsild-tenant': 'herne' } });
      const k = await fetch(`${server.url}/api/strategy/kpis`);
      const kpisDone = k.ok && ((await k.json()) as Array<{ state?: unknown }>).every((x) => x.state);
      if (r.ok && ((await r.json()) as { typeList: string[] }).typeList.length >= 6 && kpisDone) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    // The server's first renders (JIT, esbuild bundles, caches) are not what a visitor meets later.
    for (const [, path] of PAGES) for (let i = 0; i < 20; i++) await (await fetch(server.url + path)).arrayBuffer();
    chrome = await launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox'] });
    for (const preset of ['mobile', 'desktop'] as const) {
      for (const [name, path] of PAGES) {
        const load = os.loadavg()[0]!.toFixed(1);
        const result = await lighthouse(server.url + path,
          { port: chrome.port, onlyCategories: ['performance'], locale: 'de', output: 'json', logLevel: 'error' },
          preset === 'desktop' ? desktopConfig : undefined);
        const lhr = result?.lhr;
        if (!lhr) throw new Error(`Lighthouse returned no result for ${path} (${preset})`);
        if (lhr.runtimeError) throw new Error(`Lighthouse could not measure ${path} (${preset}): ${lhr.runtimeError.message}`);
        const score = lhr.categories.performance?.score;
        if (typeof score !== 'number') throw new Error(`no performance score for ${path} (${preset}): ${lhr.runWarnings.join('; ')}`);
        const chromium = /Chrome\/([\d.]+)/.exec(lhr.environment.hostUserAgent)?.[1] ?? '?';
        const conditions = `GET ${path} in headless Chromium ${chromium}, Lighthouse ${lhr.lighthouseVersion}, ${PRESETS[preset]}; `
          + `cold visit, demo data, SQLite, server on the same machine (loopback); Lighthouse benchmarkIndex ${Math.round(lhr.environment.benchmarkIndex)}, `
          + `1-min load average ${load} before the run on ${os.cpus().length} cores`
          + (lhr.runWarnings.length ? `; warnings: ${lhr.runWarnings.join(' / ')}` : '');
        out.push({ name: `lighthouse ${preset}: ${name} performance score`, value: Math.round(score * 100), unit: 'score', conditions });
        for (const [id, label, unit] of METRICS) {
          const v = lhr.audits[id]?.numericValue;
          if (typeof v !== 'number') throw new Error(`no ${label} for ${path} (${preset})`);
          out.push({ name: `lighthouse ${preset}: ${name} ${label}`, value: unit === 'CLS' ? v : Math.round(v), unit, conditions });
        }
      }
    }
  } finally {
    await chrome?.kill();
    await server.stop();
  }
  return out;
}
