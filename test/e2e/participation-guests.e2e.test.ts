// Guests and following in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// a guest comments under a pseudonym without an account (an error round first) and sees the comment
// waiting in their browser only; a moderator releases it on the moderation page; a citizen follows the
// proposal by keyboard, chooses the daily digest and back, gets a mail about a new comment and
// unsubscribes with the mail's link without logging in (German and English page); a report mails the
// moderators; the proposal form's map moves under a crosshair by arrow keys and fills the coordinates. axe-core finds zero WCAG 2.1 A/AA violations on every view; screenshots at 1280 and 375 px
// go to /tmp/shots-particip3/. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, apiPerson as apiPersonAt, freshPage, pageCheck, loginAs as loginAsAt, registerCitizen } from '../support/browser.ts';

const SHOTS = process.env.PARTICIPATION_SHOTS || '/tmp/shots-particip3';
const ADMIN_KEY = 'e2e-particip3-operator-key-0123456789';
const PASSWORD = 'ein-langes-Passwort-1';

describe('guests and following in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  type Page = import('playwright-core').Page;
  const checked: string[] = [];
  let proposalPath = '';
  let proposalId = '';

  const admin = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const outbox = async (to: string) => await (await admin(`/admin/outbox?to=${encodeURIComponent(to)}`)).json() as Array<{ subject: string; text: string }>;
  /** The outbox once it holds a mail the test waits for (followers' and moderators' mails are made after the answer). */
  const outboxWhen = async (to: string, want: (m: { subject: string; text: string }) => boolean) => {
    for (let i = 0; i < 50; i++) {
      const got = await outbox(to);
      if (got.some(want)) return got;
      await new Promise((res) => setTimeout(res, 100));
    }
    return outbox(to);
  };
  const apiPerson = (email: string) => apiPersonAt(server.url, email, PASSWORD);
  let check: (page: Page, name: string) => Promise<void>;
  const newPage = () => freshPage(browser);
  const loginAs = (page: Page, email: string) => loginAsAt(page, server.url, email, PASSWORD);
  const citizen = (page: Page, email: string, displayName: string) => registerCitizen(page, server.url, ADMIN_KEY, { email, password: PASSWORD, displayName });
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-particip3-e2e-'));
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
    const { page, close } = await newPage();
    await citizen(page, 'anna@example.org', 'Eule 417');
    await citizen(page, 'bert@example.org', 'Dachs 12');
    await close();
    const steward = await apiPerson('stadt@herne.de');
    const p = await steward('POST', '/api/participation/processes', {
      slug: 'innenstadt', title: { de: 'Ideen für die Innenstadt', en: 'Ideas for the town centre' }, guests: true, categories: [],
      phases: [{ kind: 'participation', start: day(-1), end: day(30) }],
    });
    assert.equal(p.status, 201, await p.text());
    const anna = await apiPerson('anna@example.org');
    const r = await anna('POST', '/api/participation/processes/innenstadt/proposals', { title: 'Mehr Bänke am Markt', body: 'Zum Ausruhen.' });
    const text = await r.text();
    assert.equal(r.status, 201, text);
    proposalId = (JSON.parse(text) as { id: string }).id;
    proposalPath = `/beteiligung/vorschlaege/${proposalId}`;
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a guest comments under a pseudonym (German messages first); only their browser sees it waiting', async () => {
    const { page, errors, close } = await newPage();
    await page.goto(server.url + proposalPath);
    await check(page, 'vorschlag-gast');
    await page.fill('#guest-pseudonym', 'X');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Als Gast senden")')]);
    assert.match(await page.locator('.kern-error, [role=alert]').first().innerText(), /Bitte|Namen/);
    await check(page, 'vorschlag-gast-fehler');
    // The error summary's link leads to the field.
    await page.click('a[href="#guest-pseudonym"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'guest-pseudonym');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Spatz 7');
    await page.fill('#guest-body', 'Als Gast: unbedingt auch Schatten!');
    await Promise.all([page.waitForURL('**?hinweis=guestHeld*'), page.click('button:has-text("Als Gast senden")')]);
    assert.match(await page.locator('main').innerText(), /wartet auf die Freigabe/);
    assert.match(await page.locator('#gast-wartet').locator('xpath=..').innerText(), /unbedingt auch Schatten/);
    await check(page, 'vorschlag-gast-wartet');
    const other = await newPage();
    await other.page.goto(server.url + proposalPath);
    assert.doesNotMatch(await other.page.locator('main').innerText(), /unbedingt auch Schatten/, 'another browser does not see it');
    await other.close();
    assert.deepEqual(errors, []);
    await close();
  });

  test('a moderator is mailed and releases the guest comment on the moderation page', async () => {
    assert.ok((await outboxWhen('moderation@herne.de', (m) => m.subject === 'Gastbeiträge warten auf Freigabe')).some((m) => m.subject === 'Gastbeiträge warten auf Freigabe'));
    const { page, errors, close } = await newPage();
    await loginAs(page, 'moderation@herne.de');
    await page.goto(`${server.url}/verwaltung/beteiligung`);
    assert.match(await page.locator('#gaeste').locator('xpath=..').innerText(), /Spatz 7 \(Gast\)/);
    await check(page, 'moderation-gaeste');
    await page.focus('#gaeste ~ ul button:has-text("Freigeben")');
    await Promise.all([page.waitForURL('**?hinweis=released*'), page.keyboard.press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Keine Gastbeiträge warten auf Freigabe/);
    await check(page, 'moderation-freigegeben');
    await page.goto(server.url + proposalPath);
    assert.match(await page.locator('#kommentare').locator('xpath=..').innerText(), /Spatz 7 \(Gast\)/);
    assert.deepEqual(errors, []);
    await close();
  });

  test('a citizen follows by keyboard, picks the digest and back, gets a mail and unsubscribes with its link without login', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'bert@example.org');
    await page.goto(server.url + proposalPath);
    await page.focus('.follow-form button');
    await Promise.all([page.waitForURL('**?hinweis=followed*'), page.keyboard.press('Enter')]);
    assert.match(await page.locator('.follow-form').innerText(), /Nicht mehr folgen/);
    await check(page, 'vorschlag-gefolgt');
    await page.goto(`${server.url}/beteiligung/benachrichtigungen`);
    await check(page, 'benachrichtigungen');
    await page.focus('#mode');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.isChecked('#mode-digest'), true);
    await Promise.all([page.waitForURL('**?hinweis=modeSaved*'), page.click('button:has-text("Einstellung speichern")')]);
    assert.equal(await page.isChecked('#mode-digest'), true);
    await check(page, 'benachrichtigungen-gespeichert');
    await page.check('#mode');
    await Promise.all([page.waitForURL('**?hinweis=modeSaved*'), page.click('button:has-text("Einstellung speichern")')]);
    await close();
    // A comment by someone else: a mail at once, with the one-click link.
    const anna = await apiPerson('anna@example.org');
    assert.equal((await anna('POST', `/api/participation/proposals/${proposalId}/comments`, { body: 'Danke für die Unterstützung' })).status, 201);
    const mail = (await outboxWhen('bert@example.org', (m) => m.subject.startsWith('Neuer Kommentar von Eule 417'))).find((m) => m.subject.startsWith('Neuer Kommentar von Eule 417'));
    assert.ok(mail, 'the mail about the new comment');
    const link = /Mit einem Klick abbestellen: (\S+)/.exec(mail.text)![1]!;
    const anon = await newPage();
    // Opening the link only asks (a mail scanner fetching it changes nothing); the button unsubscribes.
    await anon.page.goto(`${server.url}/en/participation/unsubscribe${new URL(link).search}`);
    assert.match(await anon.page.locator('main').innerText(), /Do you want to stop getting messages about "Mehr Bänke am Markt"\?/);
    await check(anon.page, 'unsubscribe-ask-en');
    await anon.page.goto(server.url + new URL(link).pathname + new URL(link).search);
    assert.match(await anon.page.locator('main').innerText(), /Möchten Sie keine Mitteilungen mehr zu „Mehr Bänke am Markt“ erhalten\?/);
    await check(anon.page, 'abbestellen-frage');
    const bertNow = await apiPerson('bert@example.org');
    assert.equal((await (await bertNow('GET', '/api/participation/follows')).json() as { follows: unknown[] }).follows.length, 1, 'still following after the GET');
    await anon.page.focus('main form button');
    await Promise.all([anon.page.waitForLoadState('load'), anon.page.waitForResponse((r) => r.request().method() === 'POST'), anon.page.keyboard.press('Enter')]);
    assert.match(await anon.page.locator('main').innerText(), /Sie erhalten keine Mitteilungen mehr zu „Mehr Bänke am Markt“/);
    await check(anon.page, 'abbestellt');
    await anon.close();
    const bert = await apiPerson('bert@example.org');
    assert.deepEqual((await (await bert('GET', '/api/participation/follows')).json() as { follows: unknown[] }).follows, []);
    assert.deepEqual(errors, []);
  });

  test('the proposal form\'s map: arrow keys move the point under the crosshair and the coordinate fields follow', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/innenstadt/neuer-vorschlag`);
    await page.waitForSelector('.report-picker:not([hidden]) .leaflet-container');
    await check(page, 'vorschlag-neu-karte');
    assert.equal(await page.inputValue('#lat'), '', 'the first view sets nothing');
    await page.focus('.report-picker__map');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => (document.getElementById('lat') as HTMLInputElement).value !== '');
    // Leaflet pans with a short animation per key (and ignores keys meanwhile): wait until the fields stop changing.
    let seen = '';
    for (let i = 0; i < 50; i++) {
      const now = `${await page.inputValue('#lat')} ${await page.inputValue('#lon')}`;
      if (now === seen) break;
      seen = now;
      await page.waitForTimeout(250);
    }
    const lat1 = Number((await page.inputValue('#lat')).replace(',', '.'));
    const lon1 = Number((await page.inputValue('#lon')).replace(',', '.'));
    assert.ok(lat1 > 51.5 && lat1 < 51.6 && lon1 > 7.1 && lon1 < 7.4, `place ${lat1}, ${lon1}`);
    assert.match(await page.locator('#ort-status').innerText(), /Ort gesetzt: Breite \d+,\d+, Länge \d+,\d+/);
    await page.fill('#title', 'Bank mit Schatten');
    await page.fill('#body', 'Genau hier.');
    await Promise.all([page.waitForURL('**?hinweis=published*'), page.click('button:has-text("Vorschlag veröffentlichen"), main form button[type=submit]')]);
    assert.match(await page.locator('main').innerText(), /Breite 51,5/);
    assert.deepEqual(errors, []);
    await close();
  });

  test('a report mails the moderators once; every view was checked with axe', async () => {
    const bert = await apiPerson('bert@example.org');
    assert.equal((await bert('POST', `/api/participation/proposals/${proposalId}/report`, { reason: 'Doppelt eingestellt' })).status, 202);
    assert.equal((await bert('POST', `/api/participation/proposals/${proposalId}/report`, { reason: 'Noch einmal' })).status, 202);
    await outboxWhen('moderation@herne.de', (m) => m.subject.startsWith('Neue Meldung'));
    await new Promise((res) => setTimeout(res, 300)); // the second report's turn in the queue: it must not mail
    const reports = (await outbox('moderation@herne.de')).filter((m) => m.subject.startsWith('Neue Meldung'));
    assert.equal(reports.length, 1);
    assert.match(reports[0]!.text, /Doppelt eingestellt/);
    assert.deepEqual(checked, ['vorschlag-gast', 'vorschlag-gast-fehler', 'vorschlag-gast-wartet', 'moderation-gaeste', 'moderation-freigegeben', 'vorschlag-gefolgt', 'benachrichtigungen', 'benachrichtigungen-gespeichert', 'unsubscribe-ask-en', 'abbestellen-frage', 'abbestellt', 'vorschlag-neu-karte']);
  });
});
