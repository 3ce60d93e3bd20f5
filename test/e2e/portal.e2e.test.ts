// The portal in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core; no
// browser is downloaded): axe-core finds zero WCAG 2.1 A/AA violations on every page in German and
// English; a citizen reaches a project from the home page by keyboard only; the map's list works by
// keyboard; pages reflow at 320 px. Screenshots (1280 and 375 wide) go to .artifacts/screenshots/.
// Skipped, saying so, when no Chromium is installed (.ci/run installs it).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, AXE_TAGS } from '../support/browser.ts';

const SHOTS = join(process.cwd(), '.artifacts', 'screenshots');

const PAGES = [
  ['home', '/', '/en'],
  ['strategie', '/strategie', '/en/strategy'],
  ['handlungsfeld', '/strategie/energie-umwelt', '/en/strategy/energie-umwelt'],
  ['projekt', '/projekte/solarbaenke', '/en/projects/solarbaenke'],
  ['projekt-flaeche', '/projekte/wlan-innenstaedte', '/en/projects/wlan-innenstaedte'],
  ['live', '/daten/live', '/en/data/live'],
  ['entwickler', '/entwickler', '/en/developers'],
  ['leichte-sprache', '/leichte-sprache', '/en/easy-read'],
  ['impressum', '/impressum', '/en/imprint'],
  ['datenschutz', '/datenschutz', '/en/privacy'],
  ['barrierefreiheit', '/barrierefreiheit', '/en/accessibility'],
  ['404', '/gibt-es-nicht', '/en/nothing-here'],
] as const;

async function waitForLiveData(url: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const r = await fetch(`${url}/ngsi-ld/v1/types`, { headers: { 'ngsild-tenant': 'herne' } });
    if (r.ok && ((await r.json()) as { typeList: string[] }).typeList.length >= 5) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the demo sensors did not report within 30 s');
}

describe('portal in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  // Loaded lazily so that a machine without the dev dependencies can still skip cleanly.
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-portal-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_DEMO: 'auto', DREHSCHEIBE_DEMO_INTERVAL: '1', MQTT_PORT: String(await freePort()) }, 30_000);
    await waitForLiveData(server.url);
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

  for (const [name, de, en] of PAGES) {
    test(`${de} and ${en}: zero axe violations (wcag2a, wcag2aa, wcag21a, wcag21aa), reflow at 320 px, screenshots`, async () => {
      for (const [lang, path] of [['de', de], ['en', en]] as const) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error' && !/404|Failed to load resource/.test(m.text())) errors.push(m.text()); });
        await page.goto(server.url + path, { waitUntil: 'load' });
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
        assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], `${path}`);
        assert.deepEqual(errors, [], `script errors on ${path}`);
        await page.screenshot({ path: join(SHOTS, `${name}-${lang}-1280.png`), fullPage: true });
        // WCAG 1.4.10 reflow: at 320 CSS px nothing scrolls sideways.
        await page.setViewportSize({ width: 320, height: 800 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} scrolls ${overflow} px sideways at 320 px`);
        await page.setViewportSize({ width: 375, height: 812 });
        await page.screenshot({ path: join(SHOTS, `${name}-${lang}-375.png`), fullPage: true });
        await ctx.close();
      }
    });
  }

  test('a citizen finds a project from the home page by keyboard only (Tab, Enter) and reads it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(server.url + '/', { waitUntil: 'load' });
    // The first Tab reaches the skip link; Enter moves to the main content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Zum Inhalt springen');
    await page.keyboard.press('Enter');
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.getAttribute('href'))) === '/projekte/solarbaenke';
    }
    assert.ok(found, 'the solar benches project is reachable by Tab from the main content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await Promise.all([page.waitForURL('**/projekte/solarbaenke'), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Solarbänke in der Stadt');
    assert.match(await page.textContent('main') ?? '', /Stadtwerke Herne AG/);
    assert.match(await page.textContent('main') ?? '', /In Umsetzung/);
    await ctx.close();
  });

  test('a first visit of the home page transfers at most 150 KB (brotli, fonts included) and loads only the Latin font subsets', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const responses: Array<Promise<{ url: string; bytes: number }>> = [];
    page.on('requestfinished', (req) => responses.push(req.sizes().then((s) => ({ url: req.url(), bytes: s.responseBodySize + s.responseHeadersSize }))));
    await page.goto(server.url + '/', { waitUntil: 'networkidle' });
    await page.evaluate(() => document.fonts.ready);
    const got = await Promise.all(responses);
    const total = got.reduce((n, r) => n + r.bytes, 0);
    const fonts = got.filter((r) => r.url.endsWith('.woff2')).map((r) => r.url.split('/').pop()!);
    assert.ok(fonts.length > 0 && fonts.every((f) => f.includes('-latin.')), `fonts loaded: ${fonts.join(', ')}`);
    assert.ok(total <= 150 * 1024, `the home page transferred ${Math.round(total / 1024)} KB: ${got.map((r) => `${r.url.split('/').pop()} ${r.bytes}`).join(', ')}`);
    await ctx.close();
  });

  test('the live map is enhanced by script and its list selects a sensor by keyboard', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(server.url + '/daten/live', { waitUntil: 'load' });
    await page.waitForSelector('.portal-map.leaflet-container');
    assert.ok(await page.isVisible('#kartenliste'));
    const first = page.locator('#kartenliste button').first();
    const name = await first.textContent();
    await first.focus();
    await page.keyboard.press('Enter');
    assert.equal(await first.getAttribute('aria-pressed'), 'true');
    await page.waitForSelector('.leaflet-popup-content');
    assert.ok((await page.textContent('#kartenstatus') ?? '').startsWith(`${name}: `), `the status names ${name}`);
    // Tab passes the sensor's link to its own page, then reaches the next sensor's button.
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate(() => document.activeElement?.getAttribute('href') ?? ''), /^\/daten\/live\/urn/);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(await first.getAttribute('aria-pressed'), 'false', 'the next sensor is selected instead');
    await ctx.close();
  });

  test('the feedback form shows its errors next to the fields and in a summary, with zero axe violations', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(server.url + '/barrierefreiheit', { waitUntil: 'load' });
    await page.fill('#feedback-email', 'keine-adresse');
    await Promise.all([page.waitForURL('**/barrierefreiheit#rueckmeldung'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('.error-summary') ?? '', /Bitte geben Sie eine Nachricht ein/);
    assert.equal(await page.inputValue('#feedback-email'), 'keine-adresse');
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(axe.violations.map((v) => v.id), []);
    await page.screenshot({ path: join(SHOTS, 'barrierefreiheit-fehler-de-1280.png'), fullPage: true });
    await page.click('.error-summary a[href="#feedback-message"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'feedback-message', 'the summary link moves focus to the field');
    await page.fill('#feedback-message', 'Der Kontrast der Karte ist zu schwach.');
    await page.fill('#feedback-email', 'kim@example.org');
    await Promise.all([page.waitForURL('**/barrierefreiheit?gesendet=1*'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('main') ?? '', /Vielen Dank für Ihre Nachricht/);
    await ctx.close();
  });

  test('without JavaScript the live page still shows every value in its table', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(server.url + '/daten/live', { waitUntil: 'load' });
    assert.ok(await page.locator('table').count() >= 5);
    assert.match(await page.textContent('main') ?? '', /Stickstoffdioxid \(NO₂\): \d/);
    assert.equal(await page.isVisible('.portal-map'), false);
    await ctx.close();
  });
});
