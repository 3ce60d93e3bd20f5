// A proposal's image in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// a citizen writes a proposal with a GPS-tagged photo — first without a description (German messages,
// the summary's link to the field, the file to be chosen again), then by keyboard with one; the image
// waits (the author sees it marked, the public does not); a moderator releases it by keyboard on the
// moderation page; then everybody sees it, and the served file has no EXIF. axe-core finds zero WCAG 2.1
// A/AA violations on every view; screenshots at 1280 and 375 px go to /tmp/shots-particip5/. Skipped,
// saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, apiPerson as apiPersonAt, freshPage, pageCheck, loginAs as loginAsAt, registerCitizen } from '../support/browser.ts';
import { gpsJpeg } from '../reports/support.ts';
import { hasMetadata } from '../../src/reports/index.ts';

const SHOTS = process.env.PARTICIPATION_SHOTS || '/tmp/shots-particip5';
const ADMIN_KEY = 'e2e-particip5-operator-key-0123456789';
const PASSWORD = 'ein-langes-Passwort-1';

describe('a proposal\'s image in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  type Page = import('playwright-core').Page;
  const checked: string[] = [];
  let photo: Buffer;
  let proposalPath = '';

  const admin = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const apiPerson = (email: string) => apiPersonAt(server.url, email, PASSWORD);
  let check: (page: Page, name: string) => Promise<void>;
  const newPage = () => freshPage(browser);
  const loginAs = (page: Page, email: string) => loginAsAt(page, server.url, email, PASSWORD);
  const citizen = (page: Page, email: string, displayName: string) => registerCitizen(page, server.url, ADMIN_KEY, { email, password: PASSWORD, displayName });
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  const file = () => ({ name: 'bank.jpg', mimeType: 'image/jpeg', buffer: photo });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-particip5-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_STRATEGY_STARTER: 'on', DREHSCHEIBE_FOLLOW_INTERVAL: '0' }, 30_000);
    const { chromium } = await import('playwright-core');
    const AxeBuilder = (await import('@axe-core/playwright')).AxeBuilder;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    check = pageCheck(AxeBuilder, SHOTS, checked);
    mkdirSync(SHOTS, { recursive: true });
    for (const [email, displayName, role] of [['stadt@herne.de', 'Stadt Herne', 'steward'], ['moderation@herne.de', 'Moderation', 'moderator']]) {
      const r = await admin('/admin/users', { method: 'POST', body: JSON.stringify({ email, displayName, password: PASSWORD, roles: [{ role }] }) });
      assert.equal(r.status, 201, await r.text());
    }
    const steward = await apiPerson('stadt@herne.de');
    const p = await steward('POST', '/api/participation/processes', {
      slug: 'innenstadt', title: { de: 'Ideen für die Innenstadt', en: 'Ideas for the town centre' }, categories: [],
      phases: [{ kind: 'participation', start: day(-1), end: day(30) }],
    });
    assert.equal(p.status, 201, await p.text());
    photo = await gpsJpeg(640, 400);
    const { page, close } = await newPage();
    await citizen(page, 'anna@example.org', 'Eule 417');
    await close();
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a citizen adds a photo to a new proposal: a description is required (German messages); then it waits for release', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/innenstadt/neuer-vorschlag`);
    await check(page, 'vorschlag-bild-formular');
    await page.fill('#title', 'Eine Bank am Markt');
    await page.fill('#body', 'Zum Ausruhen zwischen den Einkäufen.');
    await page.setInputFiles('#image', file());
    await Promise.all([page.waitForLoadState('load'), page.waitForResponse((r) => r.request().method() === 'POST'), page.click('main form button[type=submit]')]);
    const summary = await page.locator('.error-summary').innerText();
    assert.match(summary, /Bitte beschreiben Sie, was auf dem Bild zu sehen ist/);
    assert.match(summary, /Bitte wählen Sie das Bild noch einmal aus/);
    assert.equal(await page.inputValue('#title'), 'Eine Bank am Markt', 'the texts are kept');
    await check(page, 'vorschlag-bild-fehler');
    await page.click('a[href="#alt"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'alt', 'the summary\'s link leads to the field');
    await page.keyboard.type('Eine Holzbank vor dem Rathaus, daneben ein Baum');
    await page.setInputFiles('#image', file());
    await page.focus('main form button[type=submit]');
    await Promise.all([page.waitForURL('**/vorschlaege/**?hinweis=published*'), page.keyboard.press('Enter')]);
    proposalPath = new URL(page.url()).pathname;
    const img = page.locator('#bild img');
    assert.equal(await img.getAttribute('alt'), 'Eine Holzbank vor dem Rathaus, daneben ein Baum');
    assert.ok(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth === 640), 'the author\'s browser loads it');
    assert.match(await page.locator('#bild').innerText(), /wartet auf die Freigabe durch die Moderation/);
    await check(page, 'vorschlag-bild-wartet');
    assert.deepEqual(errors, []);
    await close();
    const anon = await newPage();
    await anon.page.goto(server.url + proposalPath);
    assert.equal(await anon.page.locator('#bild').count(), 0, 'not public while it waits');
    await anon.close();
  });

  test('a moderator releases it by keyboard; everybody sees it, served without EXIF; every view was checked with axe', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'moderation@herne.de');
    await page.goto(`${server.url}/verwaltung/beteiligung`);
    assert.match(await page.locator('#bilder').locator('xpath=..').innerText(), /Eine Holzbank vor dem Rathaus/);
    await check(page, 'moderation-bilder');
    await page.focus('#bilder ~ ul button:has-text("Bild freigeben")');
    await Promise.all([page.waitForURL('**?hinweis=imageReleased*'), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Das Bild ist freigegeben/);
    assert.match(await page.locator('main').innerText(), /Keine Bilder warten auf Freigabe/);
    await check(page, 'moderation-bild-freigegeben');
    assert.deepEqual(errors, []);
    await close();
    const anon = await newPage();
    await anon.page.goto(server.url + proposalPath);
    const img = anon.page.locator('#bild img');
    assert.equal(await img.getAttribute('alt'), 'Eine Holzbank vor dem Rathaus, daneben ein Baum');
    assert.ok(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth === 640));
    await check(anon.page, 'vorschlag-bild-oeffentlich');
    const bytes = Buffer.from(await (await fetch(server.url + (await img.getAttribute('src'))!)).arrayBuffer());
    assert.equal(hasMetadata(bytes), false);
    assert.equal((await sharp(bytes).metadata()).exif, undefined, 'the GPS position is gone');
    assert.deepEqual(anon.errors, []);
    await anon.close();
    assert.deepEqual(checked, ['vorschlag-bild-formular', 'vorschlag-bild-fehler', 'vorschlag-bild-wartet', 'moderation-bilder', 'moderation-bild-freigegeben', 'vorschlag-bild-oeffentlich']);
  });
});
