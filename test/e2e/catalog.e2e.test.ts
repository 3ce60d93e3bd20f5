// The catalogue pages and the dataset editor in a real headless Chromium (Debian's /usr/bin/chromium
// through playwright-core; no browser is downloaded), against the real server with the Herne demo and
// access control on: a citizen searches the catalogue, opens a dataset and downloads its CSV; a
// steward creates a dataset in the editor; axe-core finds zero WCAG 2.1 A/AA violations on every
// catalogue page in German and English; pages reflow at 320 px. Screenshots (1280 and 375 px wide)
// go to $SHOTS_DIR or .artifacts/screenshots/. Skipped, saying so, when no Chromium is installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, AXE_TAGS } from '../support/browser.ts';

const SHOTS = process.env.SHOTS_DIR || join(process.cwd(), '.artifacts', 'screenshots');
const PASSWORD = 'Sonnenbank-Herne-2030';

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${what} did not happen within ${ms} ms`);
}

describe('catalogue pages in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;
  let stewardCookie: { name: string; value: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-catalog-e2e-'));
    server = await startServer({
      DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_DEMO: 'auto', DREHSCHEIBE_DEMO_INTERVAL: '1', MQTT_PORT: String(await freePort()), DREHSCHEIBE_AUTH: 'on',
      DREHSCHEIBE_RATE_LIMIT: 'off',
    }, 30_000);
    // The demo's live datasets and the sensors behind them.
    await waitFor('the demo catalogue', async () => ((await (await fetch(`${server.url}/api/catalog/datasets?limit=1`)).json()) as { total: number }).total >= 5);
    await waitFor('the demo sensors', async () => {
      const r = await fetch(`${server.url}/ngsi-ld/v1/entities?type=AirQualityObserved&limit=1`, { headers: { 'ngsild-tenant': 'herne' } });
      return r.ok && ((await r.json()) as unknown[]).length > 0;
    });
    // A steward account (created with the operator key) and its session cookie.
    const key = readFileSync(join(dir, 'admin-key'), 'utf8').trim();
    const u = await fetch(`${server.url}/admin/users`, {
      method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'stewardin@herne.de', displayName: 'Stewardin', password: PASSWORD, roles: [{ role: 'steward' }] }),
    });
    assert.equal(u.status, 201, await u.text());
    const l = await fetch(`${server.url}/konto/anmelden`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'stewardin@herne.de', password: PASSWORD }) });
    assert.equal(l.status, 200);
    const [name, value] = l.headers.get('set-cookie')!.split(';')[0]!.split('=');
    stewardCookie = { name: name!, value: value! };
    const { chromium } = await import('playwright-core');
    AxeBuilder = (await import('@axe-core/playwright')).AxeBuilder;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(steward = false) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', acceptDownloads: true });
    if (steward) await ctx.addCookies([{ ...stewardCookie, url: server.url }]);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' && !/404|Failed to load resource/.test(m.text())) errors.push(m.text()); });
    return { ctx, page, errors };
  }

  async function check(name: string, path: string, lang: 'de' | 'en', steward = false, prepare?: (p: import('playwright-core').Page) => Promise<void>) {
    const { ctx, page, errors } = await newPage(steward);
    await page.goto(server.url + path, { waitUntil: 'load' });
    if (prepare) await prepare(page);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], path);
    assert.deepEqual(errors, [], `script errors on ${path}`);
    await page.screenshot({ path: join(SHOTS, `catalog-${name}-${lang}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    // Name the widest elements that stick out, so a failure says where to look.
    const culprits = overflow <= 0 ? [] : await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(-5).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`));
    assert.ok(overflow <= 0, `${path} scrolls ${overflow} px sideways at 320 px: ${culprits.join(', ')}`);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: join(SHOTS, `catalog-${name}-${lang}-375.png`), fullPage: true });
    await ctx.close();
  }

  const PAGES: Array<[string, string, string, boolean?]> = [
    ['suche', '/daten', '/en/data'],
    ['suche-gefiltert', '/daten?q=Luft&theme:ENVI=1&sort=title', '/en/data?q=air&theme:ENVI=1&sort=title'],
    ['datensatz-live', '/daten/datensatz/live-air-quality-observed', '/en/data/dataset/live-air-quality-observed'],
    ['404', '/daten/datensatz/gibt-es-nicht', '/en/data/dataset/does-not-exist'],
    ['editor-liste', '/verwaltung/datensaetze', '/en/admin/datasets', true],
    ['editor-neu', '/verwaltung/datensaetze/neu', '/en/admin/datasets/new', true],
    ['editor-bearbeiten', '/verwaltung/datensaetze/live-air-quality-observed', '/en/admin/datasets/live-air-quality-observed', true],
    ['editor-anmelden', '/verwaltung/datensaetze', '/en/admin/datasets'],
  ];
  for (const [name, de, en, steward] of PAGES) {
    test(`${de} and ${en}: zero axe violations (${AXE_TAGS.join(', ')}), reflow at 320 px, screenshots`, async () => {
      await check(name, de, 'de', steward);
      await check(name, en, 'en', steward);
    });
  }

  test('the editor form with errors: zero axe violations, the summary links to the fields', async () => {
    for (const [path, lang] of [['/verwaltung/datensaetze/neu', 'de'], ['/en/admin/datasets/new', 'en']] as const) {
      await check('editor-fehler', path, lang, true, async (page) => {
        await page.fill('#ds-id', 'Falsche Kennung!');
        await page.fill('#ds-contactEmail', 'keine-adresse');
        await Promise.all([page.waitForLoadState('load'), page.click('form.portal-form button[type=submit]')]);
        await page.waitForSelector('.error-summary');
        assert.equal(await page.inputValue('#ds-contactEmail'), 'keine-adresse');
      });
    }
  });

  test('a citizen searches the catalogue, filters by theme, opens a dataset and downloads its CSV', async () => {
    const { ctx, page, errors } = await newPage();
    await page.goto(server.url + '/', { waitUntil: 'load' });
    // From the home page by the main navigation.
    await Promise.all([page.waitForURL('**/daten'), page.click('nav.site-nav >> text=Datenkatalog')]);
    await page.fill('#suche', 'Luftqualitaet');
    await Promise.all([page.waitForURL(/q=Luftqualitaet/), page.click('.search-row button[type=submit]')]);
    assert.match(await page.textContent('#ergebnisse') ?? '', /Datensa?t?z/);
    const hits = await page.$$eval('.dataset-card h3 a', (as) => as.map((a) => a.textContent));
    assert.ok(hits.includes('Luftqualität in Herne (live)'), `hits: ${hits.join(', ')}`);
    // Tick the theme "Umwelt" and apply: the box stays ticked.
    await page.check('input[name="theme:ENVI"]');
    await Promise.all([page.waitForURL(/theme%3AENVI=1|theme:ENVI=1/), page.click('.catalog-filters button[type=submit]')]);
    assert.ok(await page.isChecked('input[name="theme:ENVI"]'));
    await Promise.all([page.waitForURL('**/daten/datensatz/live-air-quality-observed'), page.click('text=Luftqualität in Herne (live)')]);
    assert.equal(await page.textContent('h1'), 'Luftqualität in Herne (live)');
    assert.match(await page.textContent('.licence-plain') ?? '', /Sie dürfen die Daten frei nutzen, wenn Sie die Quelle nennen/);
    // The preview shows the current state as a table.
    assert.ok((await page.$$('#vorschau ~ .table-scroll tbody tr, section[aria-labelledby="vorschau"] tbody tr')).length > 0, 'preview rows');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[aria-label="Aktueller Stand (CSV) als CSV herunterladen"]')]);
    const path = await download.path();
    const csv = readFileSync(path!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, `a header and rows: ${csv.slice(0, 200)}`);
    assert.match(lines[0]!, /id/);
    assert.match(csv, /urn:ngsi-ld:AirQualityObserved:/);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('a steward creates a dataset in the editor (keyboard and form posts only), uploads a CSV and publishes it; the public page shows it', async () => {
    const { ctx, page, errors } = await newPage(true);
    await page.goto(server.url + '/verwaltung/datensaetze', { waitUntil: 'load' });
    await Promise.all([page.waitForURL('**/verwaltung/datensaetze/neu'), page.click('text=Neuen Datensatz anlegen')]);
    await page.fill('#ds-id', 'radwege-e2e');
    await page.fill('#ds-titleDe', 'Radwege in Herne');
    await page.fill('#ds-descriptionDe', 'Alle Radwege der Stadt mit Länge und Belag.');
    await page.selectOption('#ds-publisher', 'stadt-herne');
    await page.selectOption('#ds-licence', 'dl-zero-de/2.0');
    await page.check('input[name="themes:TRAN"]');
    await page.fill('#ds-keywords', 'Radverkehr, Mobilität');
    // Submit with the keyboard: Enter in a text field sends the form.
    await page.focus('#ds-keywords');
    await Promise.all([page.waitForURL(/\/verwaltung\/datensaetze\/radwege-e2e\?ok=created$/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Der Datensatz ist angelegt/);
    await page.setInputFiles('#dist-file', { name: 'radwege.csv', mimeType: 'text/csv', buffer: Buffer.from('Strecke;Länge km\nBahnhofstraße;1,2\nKanalufer;5,4\n') });
    await page.fill('#dist-distTitle', 'Radwege 2025');
    await Promise.all([page.waitForURL(/ok=file/), page.click('button:has-text("Hochladen")')]);
    assert.match(await page.textContent('main') ?? '', /Radwege 2025/);
    await Promise.all([page.waitForURL(/ok=published/), page.click('button:has-text("Veröffentlichen")')]);
    await page.goto(server.url + '/daten/datensatz/radwege-e2e', { waitUntil: 'load' });
    assert.equal(await page.textContent('h1'), 'Radwege in Herne');
    assert.match(await page.textContent('.licence-plain') ?? '', /ohne jede Bedingung/);
    assert.match(await page.textContent('main') ?? '', /Kanalufer/);
    await page.screenshot({ path: join(SHOTS, 'catalog-datensatz-datei-de-1280.png'), fullPage: true });
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(axe.violations.map((v) => v.id), []);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('the search form works by keyboard alone: Tab to the search box, type, Enter; focus is visible', async () => {
    const { ctx, page } = await newPage();
    await page.goto(server.url + '/daten', { waitUntil: 'load' });
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.id)) === 'suche';
    }
    assert.ok(found, 'the search box is reachable by Tab');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none');
    await page.keyboard.type('Lärm');
    await Promise.all([page.waitForURL(/q=L%C3%A4rm/), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Lärmpegel in Herne/);
    await ctx.close();
  });
});
