// Lighthouse (12.2.3) in Debian's headless Chromium: the accessibility score is 100 on the home, a
// project and the live-map page, in German, with Lighthouse's default (mobile) settings; the
// performance score is a benchmark figure (bench/lighthouse.bench.ts), not tested here.
// Skipped, saying so, when no Chromium is installed (.ci/run installs it). Reports go to
// .artifacts/lighthouse/ (git-ignored).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM } from '../support/browser.ts';

const SKIP = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: the Lighthouse tests are skipped (apt-get install chromium, or set CHROMIUM_PATH)`;
const REPORTS = join(process.cwd(), '.artifacts', 'lighthouse');

// A project of the starter strategy (shared/data/herne/strategy.json) with a KPI, a map and datasets.
const PAGES = [
  ['home', '/'],
  ['projekt', '/projekte/solarbaenke'],
  ['live', '/daten/live'],
] as const;

type Result = import('lighthouse').RunnerResult;
type Lhr = Result['lhr'];

/** The weighted accessibility audits that did not pass, with up to three offending elements each. */
function failingAudits(lhr: Lhr): string[] {
  const refs = lhr.categories.accessibility?.auditRefs ?? [];
  return refs.filter((r) => r.weight > 0 && (lhr.audits[r.id]?.score ?? 1) < 1).map((r) => {
    const a = lhr.audits[r.id]!;
    const items = ((a.details as { items?: Array<{ node?: { selector?: string; snippet?: string } }> } | undefined)?.items ?? []);
    const where = items.slice(0, 3).map((i) => i.node?.selector ?? i.node?.snippet ?? '?').join(' | ');
    return `${r.id} (${a.title})${where ? `: ${where}` : ''}`;
  });
}

async function waitForLiveData(url: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const r = await fetch(`${url}/ngsi-ld/v1/types`, { headers: { 'ngsild-tenant': 'herne' } });
    if (r.ok && ((await r.json()) as { typeList: string[] }).typeList.length >= 5) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the demo sensors did not report within 30 s');
}

describe('Lighthouse accessibility in Chromium', { skip: SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  // Loaded lazily so that a machine without the dev dependencies can still skip cleanly.
  let chrome: import('chrome-launcher').LaunchedChrome;
  let lighthouse: typeof import('lighthouse').default;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-lighthouse-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_DEMO: 'auto', DREHSCHEIBE_DEMO_INTERVAL: '1', MQTT_PORT: String(await freePort()) });
    await waitForLiveData(server.url);
    lighthouse = (await import('lighthouse')).default;
    const { launch } = await import('chrome-launcher');
    chrome = await launch({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', '--no-sandbox'] });
    mkdirSync(REPORTS, { recursive: true });
  });
  after(async () => {
    await chrome?.kill();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, path] of PAGES) {
    test(`${path}: Lighthouse accessibility score 100 (German, mobile)`, async () => {
      const result = await lighthouse(server.url + path, {
        port: chrome.port, onlyCategories: ['accessibility'], locale: 'de', output: 'html', logLevel: 'error',
        disableFullPageScreenshot: true,
      });
      assert.ok(result, `Lighthouse returned no result for ${path}`);
      const { lhr } = result;
      writeFileSync(join(REPORTS, `${name}.report.html`), String(result.report));
      assert.equal(lhr.runtimeError, undefined, `Lighthouse could not audit ${path}: ${lhr.runtimeError?.message}`);
      assert.equal(new URL(lhr.finalDisplayedUrl).pathname, path, 'the page was not redirected');
      // A score over a handful of applicable audits would say little (e.g. an empty page): the
      // portal's pages give axe-core real work (landmarks, lists, tables, links, forms, images).
      const category = lhr.categories.accessibility!;
      const applied = category.auditRefs.filter((r) => r.weight > 0 && lhr.audits[r.id]?.scoreDisplayMode === 'binary');
      assert.ok(applied.length >= 20, `only ${applied.length} accessibility audits applied to ${path}`);
      assert.equal(category.score, 1, `${path} scores ${Math.round((category.score ?? 0) * 100)}; failing audits:\n${failingAudits(lhr).join('\n')}`);
    });
  }
});
