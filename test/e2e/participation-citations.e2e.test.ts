// Live data cited in a proposal, in a real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): a citizen types a proposal by keyboard with a KPI line, a sensor line and an
// unknown reference; the page shows the KPI's value, the sensor's values with the chart drawn over its
// table, and the German note; axe-core finds zero WCAG 2.1 A/AA violations; screenshots at 1280 and
// 375 px go to /tmp/shots-particip7/. The landing page shows the process with its counts. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, apiPerson as apiPersonAt, freshPage, pageCheck, loginAs as loginAsAt, registerCitizen } from '../support/browser.ts';

const SHOTS = process.env.PARTICIPATION_SHOTS || '/tmp/shots-particip7';
const ADMIN_KEY = 'e2e-particip7-operator-key-0123456789';
const PASSWORD = 'ein-langes-Passwort-1';
const SDM = 'https://smartdatamodels.org/context.jsonld';

describe('live data cited in a proposal, in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  type Page = import('playwright-core').Page;
  const checked: string[] = [];
  let check: (page: Page, name: string) => Promise<void>;
  const admin = (path: string, init: RequestInit = {}, type = 'application/json') => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': type, ...(init.headers ?? {}) } });
  const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000).toISOString();
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-particip7-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_STRATEGY_STARTER: 'on', DREHSCHEIBE_FOLLOW_INTERVAL: '0', DREHSCHEIBE_KPI_INTERVAL: '0' }, 30_000);
    const { chromium } = await import('playwright-core');
    const AxeBuilder = (await import('@axe-core/playwright')).AxeBuilder;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    check = pageCheck(AxeBuilder, SHOTS, checked);
    mkdirSync(SHOTS, { recursive: true });
    // An air-quality station in the city's tenant with six hours of NO₂, and a published KPI over the stations.
    const ld = { 'ngsild-tenant': 'herne' };
    const u = await admin('/ngsi-ld/v1/entityOperations/upsert', { method: 'POST', headers: ld, body: JSON.stringify([{
      '@context': SDM, id: 'urn:ngsi-ld:AirQualityObserved:mitte', type: 'AirQualityObserved', name: { type: 'Property', value: 'Luftmessstation Mitte' },
      no2: { type: 'Property', value: 24, unitCode: 'GQ', observedAt: hoursAgo(0.2) }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.21, 51.54] } },
    }]) }, 'application/ld+json');
    assert.ok(u.status === 201 || u.status === 204, await u.text());
    const h = await admin('/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AirQualityObserved:mitte/attrs', { method: 'POST', headers: ld, body: JSON.stringify({
      '@context': SDM, no2: [6, 5, 4, 3, 2, 1].map((n, i) => ({ type: 'Property', value: 18 + i * 2, unitCode: 'GQ', observedAt: hoursAgo(n) })),
    }) }, 'application/ld+json');
    assert.equal(h.status, 204, await h.text());
    const k = await admin('/api/strategy/kpis', { method: 'POST', body: JSON.stringify({
      id: 'luft-stationen', name: { de: 'Luftmessstationen in Betrieb', en: 'Air-quality stations online' }, published: true,
      selection: { tenant: 'herne', type: 'AirQualityObserved' }, value: {}, reduction: { kind: 'count' },
    }) });
    assert.equal(k.status, 201, await k.text());
    assert.equal((await admin('/api/strategy/kpis/luft-stationen/evaluate', { method: 'POST' })).status, 200);
    const s = await admin('/admin/users', { method: 'POST', body: JSON.stringify({ email: 'stadt@herne.de', displayName: 'Stadt Herne', password: PASSWORD, roles: [{ role: 'steward' }] }) });
    assert.equal(s.status, 201, await s.text());
    const steward = await apiPersonAt(server.url, 'stadt@herne.de', PASSWORD);
    const p = await steward('POST', '/api/participation/processes', {
      slug: 'luft', title: { de: 'Saubere Luft in der Innenstadt', en: 'Clean air in the town centre' }, categories: [],
      phases: [{ kind: 'participation', start: day(-1), end: day(30) }],
    });
    assert.equal(p.status, 201, await p.text());
    const { page, close } = await freshPage(browser);
    await registerCitizen(page, server.url, ADMIN_KEY, { email: 'anna@example.org', password: PASSWORD, displayName: 'Eule 417' });
    await close();
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a citizen cites a KPI and a sensor by keyboard; the page shows their values, the chart and a note for an unknown one', async () => {
    const { page, errors, close } = await freshPage(browser);
    await loginAsAt(page, server.url, 'anna@example.org', PASSWORD);
    await page.goto(`${server.url}/beteiligung/luft/neuer-vorschlag`);
    await page.focus('#title');
    await page.keyboard.type('Mehr Grün an der Bahnhofstraße');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Die Messwerte zeigen, warum:');
    for (const line of ['[[kennzahl:luft-stationen]]', '[[sensor:urn:ngsi-ld:AirQualityObserved:mitte]]', '[[sensor:urn:ngsi-ld:AirQualityObserved:gibtsnicht]]', 'Bäume würden helfen.']) {
      await page.keyboard.press('Enter');
      await page.keyboard.type(line);
    }
    await Promise.all([page.waitForURL(/\/beteiligung\/vorschlaege\//), page.click('main form button[type=submit]')]);
    const kpi = page.locator('figure.citation').first();
    assert.match(await kpi.innerText(), /Kennzahl aus Live-Daten: Luftmessstationen in Betrieb\s+1\s+Stand: .* · aktuell/);
    const sensor = page.locator('figure.citation').nth(1);
    assert.match(await sensor.innerText(), /Messwerte: Luftmessstation Mitte/);
    assert.match(await sensor.locator('table').first().innerText(), /Stickstoffdioxid \(NO₂\)\s+24 µg\/m³/);
    // The chart script drew the history over the table, which stays.
    await page.waitForSelector('figure.citation .portal-chart:not([hidden]) canvas');
    const periods = await sensor.locator('.history table.kern-table tbody tr').count();
    assert.ok(periods >= 5, `${periods} periods in the history table`);
    assert.match(await page.locator('.citation--missing').innerText(), /Hier sollten die Messwerte von „urn:ngsi-ld:AirQualityObserved:gibtsnicht“ stehen\./);
    // The tables scroll by keyboard: their regions take focus.
    await page.locator('figure.citation [role=region]').first().focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Aktuelle Messwerte: Luftmessstation Mitte');
    await check(page, 'vorschlag-zitate');
    await page.goto(page.url().replace('/beteiligung/vorschlaege/', '/en/participation/proposals/'));
    assert.match(await page.locator('figure.citation').first().innerText(), /Indicator from live data: Air-quality stations online/);
    await check(page, 'proposal-citations-en');
    assert.deepEqual(errors, []);
    await close();
  });

  test('the landing page shows each process with its phase, what is open now and its counts; its link is reached by keyboard', async () => {
    const { page, errors, close } = await freshPage(browser);
    await page.goto(`${server.url}/beteiligung`);
    const card = page.locator('.process-card').first();
    assert.match(await card.innerText(), /Saubere Luft in der Innenstadt\s+Aktuelle Phase: Beteiligung bis .*2027/);
    assert.match(await card.innerText(), /Jetzt möglich: Vorschläge machen, kommentieren, unterstützen/);
    assert.equal(await card.locator('dd').first().innerText(), '1');
    let focused = '';
    for (let i = 0; i < 25 && focused !== 'Saubere Luft in der Innenstadt'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    assert.equal(focused, 'Saubere Luft in der Innenstadt');
    await check(page, 'beteiligung-start');
    await Promise.all([page.waitForURL('**/beteiligung/luft'), page.keyboard.press('Enter')]);
    assert.deepEqual(errors, []);
    await close();
  });
});
