// The Mängelmelder in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core, no
// browser download): a citizen reports a problem with a GPS-tagged photo, setting the place with the
// keyboard on the map; a moderator logs in, releases the photo and changes the status; the reporter
// gets a mail in the outbox for each step; the served photo has no EXIF. axe-core finds zero WCAG 2.1
// A/AA violations on every Mängelmelder page. Screenshots at 1280 and 375 px go to /tmp/shots-open311/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { gpsJpeg, hasGpsTag } from '../reports/support.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, AXE_TAGS } from '../support/browser.ts';

const SHOTS = process.env.REPORTS_SHOTS_DIR || '/tmp/shots-open311';
const ADMIN_KEY = 'e2e-operator-key-0123456789abcdef';
const MOD = { email: 'moderation@herne.de', password: 'Moderation-Herne-2030' };

describe('Mängelmelder in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;
  const admin = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-reports-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_DEMO: 'off', MQTT_PORT: String(await freePort()) }, 30_000);
    const u = await admin('/admin/users', { method: 'POST', body: JSON.stringify({ ...MOD, displayName: 'Moderation', roles: [{ role: 'moderator' }] }) });
    assert.equal(u.status, 201, await u.text());
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

  const axe = async (page: import('playwright-core').Page, what: string) => {
    const r = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], what);
  };
  const shots = async (page: import('playwright-core').Page, name: string) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls ${overflow} px sideways at 375 px`);
    await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  const mails = async (to: string) => ((await (await admin(`/admin/outbox?to=${encodeURIComponent(to)}`)).json()) as Array<{ subject: string; text: string }>);

  test('a citizen reports with a photo, the place set by keyboard on the map; a moderator releases the photo and changes the status; the reporter is mailed each time', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + '/maengelmelder', { waitUntil: 'load' });
    await page.waitForSelector('.report-picker__map.leaflet-container');
    await axe(page, '/maengelmelder');
    await shots(page, 'formular');
    // Keyboard only: Tab into the map, arrows move it under the crosshair, the fields follow.
    await page.selectOption('#category', 'strassenlaterne');
    await page.fill('#description', 'Die Laterne vor dem Rathaus brennt seit einer Woche nicht.');
    await page.focus('.report-picker__map');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => (document.getElementById('lat') as HTMLInputElement).value !== '');
    // Leaflet pans with a short animation per key: wait until the fields stop changing.
    let seen = '';
    for (let i = 0; i < 50; i++) {
      const now = `${await page.inputValue('#lat')} ${await page.inputValue('#lon')}`;
      if (now === seen) break;
      seen = now;
      await page.waitForTimeout(250);
    }
    const lat = Number((await page.inputValue('#lat')).replace(',', '.'));
    const lon = Number((await page.inputValue('#lon')).replace(',', '.'));
    assert.ok(lat > 51.5 && lat < 51.6 && lon > 7.2 && lon < 7.3, `place ${lat}, ${lon}`);
    assert.match(await page.textContent('#ort-status') ?? '', /^Ort gesetzt: Breite 51,\d{5}, Länge 7,\d{5}$/);
    await page.fill('#address', 'Friedrich-Ebert-Platz 2');
    await page.fill('#email', 'melderin@example.org');
    const jpeg = await gpsJpeg(320, 240);
    assert.ok(hasGpsTag((await sharp(jpeg).metadata()).exif!));
    await page.setInputFiles('#photo', { name: 'laterne.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await Promise.all([page.waitForURL('**/maengelmelder/danke/1?mail=1'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('main') ?? '', /Ihre Meldung hat die Nummer 1\./);
    await axe(page, 'thank-you page');
    await shots(page, 'danke');
    await Promise.all([page.waitForURL('**/maengelmelder/meldungen/1'), page.click('text=Stand der Meldung verfolgen')]);
    assert.match(await page.textContent('main') ?? '', /Eingegangen/);
    assert.equal(await page.locator('img.report-photo').count(), 0, 'the photo is not shown before release');
    assert.equal((await fetch(server.url + '/maengelmelder/fotos/1')).status, 404);
    assert.deepEqual((await mails('melderin@example.org')).map((m) => m.subject), ['Ihre Meldung 1 ist eingegangen']);

    // The same kind of problem a few metres away: the open report is offered first.
    await page.goto(server.url + '/maengelmelder', { waitUntil: 'load' });
    await page.selectOption('#category', 'strassenlaterne');
    await page.fill('#description', 'Laterne aus');
    await page.fill('#lat', String(lat).replace('.', ','));
    await page.fill('#lon', String(lon + 0.0002).replace('.', ','));
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'Wurde das schon gemeldet?', JSON.stringify(await (await fetch(server.url + '/open311/v2/requests.json')).json()));
    await axe(page, 'duplicate offer');
    await shots(page, 'duplikat');
    await ctx.close();

    // The moderator.
    const mctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    const login = await mctx.request.post(server.url + '/konto/anmelden', { data: MOD });
    assert.equal(login.status(), 200);
    const m = await mctx.newPage();
    await m.goto(server.url + '/verwaltung/meldungen', { waitUntil: 'load' });
    assert.match(await m.textContent('main') ?? '', /1 Foto wartet auf Freigabe/);
    await axe(m, '/verwaltung/meldungen');
    await shots(m, 'verwaltung-liste');
    await Promise.all([m.waitForURL('**/verwaltung/meldungen/1'), m.click('text=Bearbeiten 1')]);
    assert.ok(await m.locator('img.report-photo').isVisible(), 'the moderator sees the photo to check');
    await axe(m, '/verwaltung/meldungen/1');
    await shots(m, 'verwaltung-meldung');
    await Promise.all([m.waitForURL('**/verwaltung/meldungen/1?gespeichert=1'), m.click('text=Foto freigeben')]);
    await m.selectOption('#status', 'in_progress');
    await m.fill('#note', 'Der Auftrag ist an die Stadtwerke gegangen.');
    await m.fill('#answer', 'Vielen Dank, die Laterne wird diese Woche repariert.');
    await Promise.all([m.waitForURL('**/verwaltung/meldungen/1?gespeichert=1'), m.click('#bearbeiten button[type=submit]')]);
    assert.match(await m.textContent('[role=status]') ?? '', /Die Änderung ist gespeichert\./);
    await mctx.close();

    const subjects = (await mails('melderin@example.org')).map((x) => x.subject);
    assert.equal(subjects.length, 3, subjects.join(' | '));
    assert.ok(subjects.every((s) => /Meldung 1/.test(s)));
    const latest = (await mails('melderin@example.org'))[0]!;
    assert.match(latest.text, /Stand: in Bearbeitung/);
    assert.match(latest.text, /Vielen Dank, die Laterne wird diese Woche repariert\./);

    // The photo as served to everyone: no EXIF, no GPS, nothing of the camera.
    const photo = await fetch(server.url + '/maengelmelder/fotos/1');
    assert.equal(photo.status, 200);
    const bytes = Buffer.from(await photo.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(bytes.includes(Buffer.from('TestCam')), false);
    assert.equal(hasGpsTag(bytes), false);

    const pub = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    const p = await pub.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(server.url + '/maengelmelder/meldungen/1', { waitUntil: 'load' });
    assert.match(await p.textContent('.report-status') ?? '', /In Bearbeitung/);
    assert.ok(await p.locator('img.report-photo').isVisible());
    await axe(p, '/maengelmelder/meldungen/1');
    await shots(p, 'meldung');
    await p.goto(server.url + '/maengelmelder/meldungen', { waitUntil: 'load' });
    await p.waitForSelector('.portal-map.leaflet-container');
    await axe(p, '/maengelmelder/meldungen');
    await shots(p, 'liste');
    for (const path of ['/en/report-a-problem', '/en/report-a-problem/reports', '/en/report-a-problem/reports/1', '/en/report-a-problem/thanks/1']) {
      await p.goto(server.url + path, { waitUntil: 'load' });
      assert.equal(await p.getAttribute('html', 'lang'), 'en');
      await axe(p, path);
    }
    await shots(p, 'en-danke');
    await pub.close();
    assert.deepEqual(errors, []);
  });

  test('a form with errors: German messages at the fields, the summary links to them, zero axe violations', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    await page.goto(server.url + '/maengelmelder', { waitUntil: 'load' });
    await page.fill('#email', 'kaputt');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error-summary');
    assert.match(await page.textContent('#category-error') ?? '', /Bitte wählen Sie eine Kategorie\./);
    assert.match(await page.textContent('#ort-error') ?? '', /Bitte geben Sie den Ort an/);
    await page.click('.error-summary a[href="#description"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'description');
    await axe(page, 'form with errors');
    await shots(page, 'formular-fehler');
    await ctx.close();
  });
});
