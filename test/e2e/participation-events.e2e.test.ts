// Events, comment ratings and open data in a real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): a steward creates an event with the admin form (an error round first), a citizen
// registers for it and cancels, a full event says so, a comment is rated "hilfreich", the process page
// links its open data; a visitor joins a full event's waiting list, follows a project, and the steward
// sees who registered and waits. axe-core finds zero WCAG 2.1 A/AA violations on every page on the way;
// screenshots at 1280 and 375 px go to /tmp/shots-particip2/. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, apiPerson as apiPersonAt, freshPage, pageCheck, loginAs as loginAsAt, registerCitizen } from '../support/browser.ts';

const SHOTS = process.env.PARTICIPATION_SHOTS || '/tmp/shots-particip2';
const ADMIN_KEY = 'e2e-particip2-operator-key-0123456789';
const PASSWORD = 'ein-langes-Passwort-1';

describe('events, ratings and open data in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;
  type Page = import('playwright-core').Page;
  const checked: string[] = [];
  let eventPath = '';

  const admin = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const apiPerson = (email: string) => apiPersonAt(server.url, email, PASSWORD);
  /** axe (wcag2a, wcag2aa, wcag21a, wcag21aa) must find nothing; no sideways scrolling at 320 px; screenshots at 1280 and 375 px. */
  let check: (page: Page, name: string) => Promise<void>;
  const newPage = () => freshPage(browser);
  const loginAs = (page: Page, email: string) => loginAsAt(page, server.url, email, PASSWORD);
  const citizen = (page: Page, email: string, displayName: string) => registerCitizen(page, server.url, ADMIN_KEY, { email, password: PASSWORD, displayName });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-particip2-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_STRATEGY_STARTER: 'on' }, 30_000);
    const { chromium } = await import('playwright-core');
    AxeBuilder = (await import('@axe-core/playwright')).AxeBuilder;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    check = pageCheck(AxeBuilder, SHOTS, checked);
    mkdirSync(SHOTS, { recursive: true });
    const r = await admin('/admin/users', { method: 'POST', body: JSON.stringify({ email: 'termine@herne.de', displayName: 'Stadt Herne', password: PASSWORD, roles: [{ role: 'steward' }] }) });
    assert.equal(r.status, 201, await r.text());
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a steward creates an event with the form (German messages first, then by keyboard)', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'termine@herne.de');
    await page.goto(`${server.url}/verwaltung/termine`);
    await check(page, 'termine-verwaltung');
    await Promise.all([page.waitForURL('**/verwaltung/termine/neu'), page.click('text=Neuer Termin')]);
    await check(page, 'termin-neu');
    await page.fill('#place', 'Rathaus');
    await page.fill('#capacity', 'viele');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Termin speichern")')]);
    assert.match(await page.textContent('.error-summary') ?? '', /Bitte geben Sie einen Titel an/);
    assert.match(await page.textContent('#capacity-error') ?? '', /ganze Zahl/);
    await check(page, 'termin-neu-fehler');
    await page.click('.error-summary a[href="#title_de"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'title_de', 'the summary link leads to the field');
    await page.keyboard.type('Bürgerwerkstatt Innenstadt');
    await page.fill('#start', '2030-03-12T18:00');
    await page.fill('#end', '2030-03-12T20:30');
    await page.fill('#place', 'Kulturzentrum, Willi-Pohlmann-Platz 1, 44623 Herne');
    await page.fill('#description_de', 'Wir sammeln Ideen für die Innenstadt. Kaffee und Wasser gibt es vor Ort.');
    await page.fill('#lat', '51,5381');
    await page.fill('#lon', '7,2196');
    await page.fill('#capacity', '1');
    await page.focus('#registration');
    await page.keyboard.press('Space');
    await Promise.all([page.waitForURL('**/beteiligung/termine/*?hinweis=eventSaved'), page.click('button:has-text("Termin speichern")')]);
    eventPath = new URL(page.url()).pathname;
    assert.match(await page.textContent('main') ?? '', /Der Termin ist gespeichert\./);
    assert.match(await page.textContent('.event-facts') ?? '', /12\. März 2030, 18:00–20:30 Uhr/);
    await page.waitForSelector('.leaflet-container');
    await check(page, 'termin-stadt');
    // The map takes keyboard focus (arrow keys pan): reached by Tab, it shows the focus ring.
    await page.focus('.event-facts a, main a');
    let ring = '';
    for (let i = 0; i < 20 && !ring; i++) {
      await page.keyboard.press('Tab');
      ring = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        return a.classList.contains('leaflet-container') ? `${getComputedStyle(a).outlineStyle} ${getComputedStyle(a).outlineWidth}` : '';
      });
    }
    assert.equal(ring, 'solid 3px', 'the map is reached by Tab and shows a 3 px focus ring');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a citizen registers and cancels; once the only seat is taken the event says it is full', async () => {
    const { page, errors, close } = await newPage();
    await citizen(page, 'anna@example.org', 'Anna aus Wanne');
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung`);
    await Promise.all([page.waitForURL('**/beteiligung/termine'), page.click('a:has-text("Termine der Stadt")')]);
    await check(page, 'termine');
    await Promise.all([page.waitForURL(`**${eventPath}`), page.click('text=Bürgerwerkstatt Innenstadt')]);
    assert.match(await page.textContent('.event-facts') ?? '', /1 von 1 Plätzen frei/);
    await check(page, 'termin');
    await page.focus('button:has-text("Verbindlich anmelden")');
    await Promise.all([page.waitForURL('**?hinweis=eventRegistered*'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Sie sind für diesen Termin angemeldet\./);
    await check(page, 'termin-angemeldet');
    // Somebody else sees it full.
    const other = await newPage();
    await other.page.goto(server.url + eventPath);
    assert.match(await other.page.textContent('.event-registration') ?? '', /Ausgebucht – alle Plätze sind vergeben\./);
    await check(other.page, 'termin-ausgebucht');
    await other.close();
    await Promise.all([page.waitForURL('**?hinweis=eventCancelled*'), page.click('button:has-text("Anmeldung stornieren")')]);
    assert.match(await page.textContent('main') ?? '', /Ihre Anmeldung ist storniert\./);
    const ics = await (await fetch(`${server.url}/api/participation/events/${eventPath.split('/').pop()}/kalender.ics`)).text();
    assert.match(ics, /DTSTART:20300312T170000Z/);
    assert.deepEqual(errors, []);
    await close();
  });

  test('a comment is rated "hilfreich" and the process page links its open data', async () => {
    const { page, errors, close } = await newPage();
    await citizen(page, 'bert@example.org', 'Dachs 12');
    const steward = await apiPerson('termine@herne.de');
    const now = Date.now();
    const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
    assert.equal((await steward('POST', '/api/participation/processes', {
      slug: 'innenstadt', title: { de: 'Ideen für die Innenstadt', en: 'Ideas for the town centre' }, description: { de: 'Was wünschen Sie sich?', en: '' },
      categories: ['Grün'], phases: [{ kind: 'participation', start: iso(-1), end: iso(48) }],
    })).status, 201);
    const anna = await apiPerson('anna@example.org');
    const bert = await apiPerson('bert@example.org');
    const proposal = await (await anna('POST', '/api/participation/processes/innenstadt/proposals', { title: 'Mehr Bänke am Markt', body: 'Zum Ausruhen beim Einkaufen.', category: 'Grün' })).json() as { id: string };
    assert.equal((await bert('POST', `/api/participation/proposals/${proposal.id}/comments`, { body: 'Gute Idee, auch am Bahnhof.' })).status, 201);
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/vorschlaege/${proposal.id}`);
    await Promise.all([page.waitForURL('**hinweis=rated*'), page.click('.comment__rate button')]);
    assert.match(await page.textContent('.comment__helpful') ?? '', /1 Person findet das hilfreich/);
    assert.match(await page.textContent('.comment__rate') ?? '', /Nicht mehr hilfreich/);
    await check(page, 'kommentar-hilfreich');
    await page.goto(`${server.url}/beteiligung/innenstadt`);
    await check(page, 'verfahren-offene-daten');
    const json = await (await fetch(server.url + (await page.getAttribute('a:has-text("Alles als JSON")', 'href'))!)).json() as { proposals: Array<{ title: string; authorName: string }>; comments: Array<{ helpfulCount: number }> };
    assert.deepEqual(json.proposals.map((p) => [p.title, p.authorName]), [['Mehr Bänke am Markt', 'Anna aus Wanne']]);
    assert.equal(json.comments[0]?.helpfulCount, 1);
    assert.ok(!JSON.stringify(json).includes('@example.org'));
    assert.deepEqual(errors, []);
    await close();
    assert.equal(checked.length, 10, checked.join(', '));
  });

  test('a full event\'s waiting list by keyboard; the steward sees who registered and waits; a project is followed', async () => {
    const { page, errors, close } = await newPage();
    const anna = await apiPerson('anna@example.org');
    const id = eventPath.split('/').pop()!;
    assert.equal((await anna('PUT', `/api/participation/events/${id}/registration`)).status, 200);
    await loginAs(page, 'bert@example.org');
    await page.goto(server.url + eventPath);
    assert.match(await page.textContent('.event-registration') ?? '', /Ausgebucht/);
    await check(page, 'termin-warteliste-angebot');
    await page.focus('button:has-text("Auf die Warteliste setzen")');
    await Promise.all([page.waitForURL('**?hinweis=eventWaiting*'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Sie stehen auf der Warteliste, an Stelle 1\./);
    await check(page, 'termin-auf-warteliste');
    // A project page: the „Folgen“ button.
    await page.goto(`${server.url}/projekte/solarbaenke`);
    await Promise.all([page.waitForURL('**hinweis=followed*'), page.click('main button:has-text("Folgen")')]);
    assert.match(await page.textContent('main') ?? '', /Nicht mehr folgen/);
    await check(page, 'projekt-folgen');
    await close();
    // The steward's page of the event: who registered and who waits, with the CSV link.
    const st = await newPage();
    await loginAs(st.page, 'termine@herne.de');
    await st.page.goto(`${server.url}/verwaltung/termine/${id}`);
    assert.match(await st.page.textContent('.event-attendees') ?? '', /anna@example\.org[\s\S]*bert@example\.org/);
    await check(st.page, 'termin-teilnehmende');
    const csvHref = await st.page.getAttribute('.event-attendees a[download]', 'href');
    assert.equal(csvHref, `/api/participation/events/${id}/registrations.csv`);
    assert.deepEqual([...errors, ...st.errors], []);
    await st.close();
    assert.equal(checked.length, 14, checked.join(', '));
  });
});
