// KPIs, sensor pages and the KPI editor in a real headless Chromium (Debian's /usr/bin/chromium
// through playwright-core; no browser is downloaded), with the demo sensors and demo KPIs: a citizen
// finds a project, sees its live KPI and its history chart, opens a sensor from the map list by
// keyboard and reads its history; axe-core finds zero WCAG 2.1 A/AA violations on the new pages in
// German and English. Screenshots go to .artifacts/screenshots/. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, AXE_TAGS } from '../support/browser.ts';

const SHOTS = join(process.cwd(), '.artifacts', 'screenshots');
const SENSOR = 'urn:ngsi-ld:AirQualityObserved:Herne-wanne-hbf';

/** Waits until every demo KPI has been evaluated at least once (the scheduler runs every 2 s here). */
async function waitForKpis(url: string): Promise<void> {
  const end = Date.now() + 45_000;
  while (Date.now() < end) {
    const r = await fetch(`${url}/api/strategy/kpis`);
    const list = r.ok ? ((await r.json()) as Array<{ state?: { status: string } }>) : [];
    if (list.length >= 4 && list.every((k) => k.state?.status === 'ok')) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('the demo KPIs were not evaluated within 45 s');
}

describe('KPIs and sensor pages in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-kpi-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_DEMO: 'auto', DREHSCHEIBE_DEMO_INTERVAL: '1', DREHSCHEIBE_KPI_INTERVAL: '2', MQTT_PORT: String(await freePort()) }, 30_000);
    await waitForKpis(server.url);
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

  async function check(page: import('playwright-core').Page, name: string): Promise<void> {
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], name);
    await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 320, height: 800 });
    // The chart follows its container's width (ResizeObserver), a frame or two later.
    await page.waitForTimeout(250);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls ${overflow} px sideways at 320 px`);
    // The KPI table reflows: its own region does not scroll sideways either (at 320 and 375 px).
    const kpiScroll = () => page.evaluate(() => [...document.querySelectorAll('.kpi-table')].map((t) => { const r = t.closest('.table-scroll')!; return r.scrollWidth - r.clientWidth; }));
    for (const x of await kpiScroll()) assert.ok(x <= 0, `${name}: the KPI table scrolls ${x} px sideways at 320 px`);
    await page.setViewportSize({ width: 375, height: 812 });
    for (const x of await kpiScroll()) assert.ok(x <= 0, `${name}: the KPI table scrolls ${x} px sideways at 375 px`);
    await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test('a citizen finds a project, sees its live KPI and opens the KPI\'s history chart and table', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The home page's KPI table (German and English) reflows at 320 and 375 px.
    for (const [url, name] of [['/', 'kpi-start-de'], ['/en', 'kpi-start-en']]) {
      await page.goto(server.url + url, { waitUntil: 'load' });
      assert.ok(await page.locator('.kpi-table tbody tr').count() >= 1, `${name}: the KPI table has rows`);
      await check(page, name);
    }
    await page.goto(server.url + '/strategie', { waitUntil: 'load' });
    await Promise.all([page.waitForURL('**/projekte/wlan-innenstaedte'), page.click('a[href="/projekte/wlan-innenstaedte"]')]);
    const kpiRow = page.locator('.kpi-table tbody tr', { hasText: 'WLAN-Zugangspunkte in Betrieb' });
    assert.match(await kpiRow.textContent() ?? '', /\d+.*Uhr.*aktuell/);
    await check(page, 'kpi-projekt-de');
    // By keyboard: focus the KPI's link and follow it.
    await kpiRow.locator('a').focus();
    await Promise.all([page.waitForURL('**/kennzahlen/wlan-zugangspunkte-in-betrieb'), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'WLAN-Zugangspunkte in Betrieb');
    await page.waitForSelector('.portal-chart canvas');
    assert.ok(await page.isVisible('.portal-chart'), 'the chart is drawn');
    assert.ok(await page.locator('#verlauf ~ .history table tbody tr, .history table tbody tr').count() >= 1, 'the history table has rows');
    await check(page, 'kpi-seite-de');
    // The range links are plain links: the month's view is a page of its own.
    await Promise.all([page.waitForURL('**range=month*'), page.click('a.range-link:has-text("Monat")')]);
    assert.equal(await page.getAttribute('a.range-link[aria-current="true"]', 'href'), '/kennzahlen/wlan-zugangspunkte-in-betrieb?range=month#verlauf');
    await page.goto(server.url + '/en/kpis/solarbaenke-energie-monat', { waitUntil: 'load' });
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await check(page, 'kpi-seite-en');
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  test('a citizen opens a sensor from the map list by keyboard and reads its history', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(server.url + '/daten/live', { waitUntil: 'load' });
    await page.waitForSelector('.portal-map.leaflet-container');
    const button = page.locator('#kartenliste button', { hasText: 'Luftmessstation Wanne-Eickel Hauptbahnhof' });
    await button.focus();
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Verlauf und Details');
    await Promise.all([page.waitForURL(`**/daten/live/${encodeURIComponent(SENSOR)}`), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Luftmessstation Wanne-Eickel Hauptbahnhof');
    // NO₂ against the EU limit, in words.
    assert.match(await page.textContent('main') ?? '', /(Unter dem EU-Grenzwert|Über dem EU-Jahresgrenzwert|Über dem EU-Kurzzeitgrenzwert) \(/);
    await page.waitForSelector('.portal-chart canvas');
    assert.match(await page.textContent('.history caption') ?? '', /Stickstoffdioxid \(NO₂\) \(µg\/m³\): die letzten 24 Stunden/);
    await check(page, 'sensor-de');
    // Another quantity and range, by keyboard.
    await page.locator('a.range-link', { hasText: 'Feinstaub PM10' }).focus();
    await Promise.all([page.waitForURL('**attr=pm10*'), page.keyboard.press('Enter')]);
    await page.locator('a.range-link', { hasText: 'Stunde' }).focus();
    await Promise.all([page.waitForURL('**range=hour*'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('.history caption') ?? '', /Feinstaub PM10 \(µg\/m³\): die letzte Stunde/);
    await page.goto(`${server.url}/en/data/live/${encodeURIComponent(SENSOR)}`, { waitUntil: 'load' });
    await check(page, 'sensor-en');
    await ctx.close();
  });

  test('home page with KPIs and the KPI editor (list, form, form with errors): zero axe violations in German and English', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    for (const [name, path] of [['home-kpi-de', '/'], ['home-kpi-en', '/en'], ['editor-liste-de', '/verwaltung/kennzahlen'], ['editor-liste-en', '/en/admin/kpis'],
      ['editor-formular-de', '/verwaltung/kennzahlen/laerm-mittelwert'], ['editor-neu-en', '/en/admin/kpis/new']] as const) {
      await page.goto(server.url + path, { waitUntil: 'load' });
      await check(page, name);
    }
    await page.goto(server.url + '/verwaltung/kennzahlen/neu', { waitUntil: 'load' });
    await page.fill('#id', 'luft');
    await page.fill('#name_de', 'Luft');
    await page.fill('#type', 'AirQualityObserved');
    await page.fill('#q', 'no2=40');
    await Promise.all([page.waitForURL('**/verwaltung/kennzahlen/neu'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('#q-error') ?? '', /Die Abfrage \(q\) ist ungültig/);
    assert.equal(await page.inputValue('#q'), 'no2=40');
    await check(page, 'editor-fehler-de');
    await ctx.close();
  });
});
