// Participation in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core; no
// browser is downloaded): a citizen registers, confirms with the link from the outbox, proposes with
// coordinates, comments, supports, answers a survey by keyboard and spends a budget; a moderator hides
// a comment; the city answers the proposal and publishes the survey's results. axe-core finds zero WCAG 2.1 A/AA violations on every page on the way; screenshots at
// 1280 and 375 px go to /tmp/shots-participation/. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, apiPerson as apiPersonAt, freshPage, pageCheck, loginAs as loginAsAt } from '../support/browser.ts';

const SHOTS = process.env.PARTICIPATION_SHOTS || '/tmp/shots-participation';
const ADMIN_KEY = 'e2e-participation-operator-key-0123456789';
const PASSWORD = 'ein-langes-Passwort-1';

describe('participation in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let AxeBuilder: typeof import('@axe-core/playwright').AxeBuilder;
  type Page = import('playwright-core').Page;
  const checked: string[] = [];
  let proposalPath = '';

  const admin = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const apiPerson = (email: string) => apiPersonAt(server.url, email, PASSWORD);

  /** axe (wcag2a, wcag2aa, wcag21a, wcag21aa) must find nothing; no sideways scrolling at 320 px; screenshots at 1280 and 375 px. */
  let check: (page: Page, name: string) => Promise<void>;
  const newPage = () => freshPage(browser);
  const loginAs = (page: Page, email: string) => loginAsAt(page, server.url, email, PASSWORD);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-participation-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_STRATEGY_STARTER: 'on' }, 30_000);
    const { chromium } = await import('playwright-core');
    AxeBuilder = (await import('@axe-core/playwright')).AxeBuilder;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    check = pageCheck(AxeBuilder, SHOTS, checked);
    mkdirSync(SHOTS, { recursive: true });
    for (const [email, role, displayName] of [['redaktion@herne.de', 'steward', 'Stadt Herne'], ['moderation@herne.de', 'moderator', 'Moderation']]) {
      const r = await admin('/admin/users', { method: 'POST', body: JSON.stringify({ email, displayName, password: PASSWORD, roles: [{ role }] }) });
      assert.equal(r.status, 201, await r.text());
    }
    const steward = await apiPerson('redaktion@herne.de');
    const now = Date.now();
    const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const r = await steward('POST', '/api/participation/processes', {
      slug: 'buergerhaushalt-2027', title: { de: 'Bürgerhaushalt 2027', en: 'Participatory budget 2027' },
      description: { de: 'Wofür soll Herne 2027 hunderttausend Euro ausgeben? Machen Sie Vorschläge!', en: 'What should Herne spend one hundred thousand euros on in 2027?' },
      projectSlug: 'digitale-buergerbeteiligung', categories: ['Verkehr', 'Grün', 'Digitales'], budget: 100_000,
      area: { type: 'Polygon', coordinates: [[[7.1, 51.45], [7.35, 51.45], [7.35, 51.6], [7.1, 51.6], [7.1, 51.45]]] },
      phases: [{ kind: 'information', start: iso(-48), end: iso(-1) }, { kind: 'participation', start: iso(-1), end: iso(24) }, { kind: 'voting', start: iso(24), end: iso(48) }, { kind: 'result', start: iso(48), end: iso(96) }],
    });
    assert.equal(r.status, 201, await r.text());
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('a citizen registers, confirms with the link from the outbox and logs in (keyboard on the form)', async () => {
    const { page, errors, close } = await newPage();
    await page.goto(`${server.url}/beteiligung`);
    await check(page, 'liste');
    await page.click('text=Konto anlegen');
    await check(page, 'registrieren');
    // An error first: German message at the field, focus can reach it.
    await page.fill('#email', 'anna@example');
    await page.fill('#password', 'kurz');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('#email-error') ?? '', /E-Mail-Adresse im Format/);
    assert.match(await page.textContent('#password-error') ?? '', /mindestens 12 Zeichen/);
    await check(page, 'registrieren-fehler');
    // By keyboard: type into each field, Tab on, Enter submits.
    await page.focus('#email');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('anna@example.org');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Anna aus Wanne');
    await Promise.all([page.waitForURL('**/registrieren?gesendet=1'), page.keyboard.press('Enter')]);
    await check(page, 'registrieren-gesendet');
    let link = '';
    for (let i = 0; i < 50 && !link; i++) {
      const mails = await (await admin('/admin/outbox?to=anna@example.org')).json() as Array<{ text: string }>;
      link = /https?:\/\/[^/\s]+(\/beteiligung\/registrieren\/bestaetigen\?token=[A-Za-z0-9_-]+)/.exec(mails[0]?.text ?? '')?.[1] ?? '';
      if (!link) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(link, 'the confirmation mail is in the outbox');
    await page.goto(server.url + link);
    await check(page, 'bestaetigen');
    await Promise.all([page.waitForURL('**/anmelden?bestaetigt=1*'), page.click('button[type=submit]')]);
    assert.match(await page.textContent('main') ?? '', /Ihre E-Mail-Adresse ist bestätigt/);
    await check(page, 'anmelden');
    // One login page, the portal's: a wrong password comes back as the page with a German message at the field.
    await page.fill('#login-email', 'anna@example.org');
    await page.fill('#login-password', 'nicht-das-Passwort');
    await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
    assert.match(await page.textContent('#login-password-error') ?? '', /Die E-Mail-Adresse oder das Passwort ist falsch/);
    await check(page, 'anmelden-fehler');
    await page.fill('#login-password', PASSWORD);
    await Promise.all([page.waitForURL('**/beteiligung'), page.click('main button[type=submit]')]);
    assert.match(await page.textContent('main') ?? '', /Angemeldet als Anna aus Wanne/);
    assert.deepEqual(errors, []);
    await close();
  });

  test('she proposes with a place by coordinates, comments and supports another proposal', async () => {
    const { page, errors, close } = await newPage();
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/buergerhaushalt-2027`);
    await check(page, 'verfahren');
    await page.click('text=Neuen Vorschlag machen');
    await check(page, 'neuer-vorschlag');
    await page.fill('#title', 'Trinkbrunnen am Rathaus');
    await page.fill('#body', 'Im Sommer braucht die Innenstadt **Wasser**. Vorbild: [Bochum](https://example.org/bochum).');
    await page.selectOption('#category', 'Grün');
    await page.fill('#lat', '51,5380');
    await page.fill('#lon', '7,2196');
    await Promise.all([page.waitForURL('**/vorschlaege/**'), page.click('button:has-text("Vorschlag veröffentlichen")')]);
    proposalPath = new URL(page.url()).pathname;
    assert.equal(await page.textContent('h1'), 'Trinkbrunnen am Rathaus');
    assert.equal(await page.getAttribute('a[href="https://example.org/bochum"]', 'rel'), 'nofollow ugc');
    await check(page, 'vorschlag-eigener');
    await page.fill('#body', 'Am besten mit Schatten daneben.');
    await Promise.all([page.waitForURL('**#kommentar-*'), page.click('button:has-text("Kommentar senden")')]);
    assert.match(await page.textContent('.comment-list') ?? '', /Schatten/);
    await Promise.all([page.waitForURL('**hinweis=supported**'), page.click('button:has-text("Unterstützen")')]);
    assert.match(await page.textContent('#unterstuetzung') ?? '', /1 Person unterstützt/);
    await check(page, 'vorschlag-unterstuetzt');
    // The map shows the proposal (JavaScript on); the list keeps its coordinates in text.
    await page.goto(`${server.url}/beteiligung/buergerhaushalt-2027`);
    await page.waitForSelector('.leaflet-container');
    assert.match(await page.textContent('.proposal-list') ?? '', /Breite 51,53800, Länge 7,21960/);
    await check(page, 'verfahren-mit-karte');
    await page.goto(`${server.url}/en/participation/buergerhaushalt-2027`);
    await check(page, 'verfahren-en');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a moderator hides her comment with a reason she then sees; the city answers the proposal', async () => {
    const mod = await newPage();
    await loginAs(mod.page, 'moderation@herne.de');
    await mod.page.goto(server.url + proposalPath);
    await check(mod.page, 'vorschlag-moderation');
    const hideBox = mod.page.locator('.comment details', { has: mod.page.locator('summary', { hasText: 'Ausblenden' }) }).first();
    await hideBox.locator('summary').click();
    await hideBox.locator('textarea').fill('Bitte ohne Werbung.');
    await Promise.all([mod.page.waitForURL('**hinweis=hidden**'), hideBox.locator('button').click()]);
    assert.match(await mod.page.textContent('.comment-list') ?? '', /ausgeblendet/);
    await mod.page.goto(`${server.url}/verwaltung/beteiligung`);
    await check(mod.page, 'moderation');
    await mod.close();

    const city = await newPage();
    await loginAs(city.page, 'redaktion@herne.de');
    await city.page.goto(server.url + proposalPath);
    await check(city.page, 'vorschlag-stadt');
    await city.page.selectOption('#status', 'accepted');
    await city.page.fill('#text', 'Wir stellen den Brunnen im Frühjahr auf.');
    await Promise.all([city.page.waitForURL('**hinweis=answered**'), city.page.click('button:has-text("Antwort veröffentlichen")')]);
    await city.page.fill('#cost', '40000');
    await Promise.all([city.page.waitForURL('**hinweis=costSaved**'), city.page.click('button:has-text("Kosten speichern")')]);
    await city.close();

    const anna = await newPage();
    await loginAs(anna.page, 'anna@example.org');
    await anna.page.goto(server.url + proposalPath);
    const main = await anna.page.textContent('main') ?? '';
    assert.match(main, /Antwort der Stadt: Angenommen/);
    assert.match(main, /Wir stellen den Brunnen im Frühjahr auf\./);
    assert.match(main, /Begründung: Bitte ohne Werbung\./);
    await check(anna.page, 'vorschlag-antwort');
    await anna.close();
    const guest = await newPage();
    await guest.page.goto(server.url + proposalPath.replace('/beteiligung/vorschlaege/', '/en/participation/proposals/'));
    assert.match(await guest.page.textContent('main') ?? '', /The city's answer: Accepted/);
    await check(guest.page, 'vorschlag-en-gast');
    await guest.close();
    const mails = await (await admin('/admin/outbox?to=anna@example.org')).json() as Array<{ subject: string }>;
    assert.ok(mails.some((m) => m.subject === 'Ihr Kommentar wurde ausgeblendet'));
  });

  test('she answers a survey by keyboard (an error first); the city publishes the results, shown as tables', async () => {
    const steward = await apiPerson('redaktion@herne.de');
    const created = await steward('POST', '/api/participation/processes/buergerhaushalt-2027/surveys', {
      title: { de: 'Ihr Weg in die Innenstadt', en: 'Your way into the city centre' }, description: { de: 'Drei kurze Fragen.', en: 'Three short questions.' },
      questions: [
        { kind: 'single', required: true, text: { de: 'Womit kommen Sie meistens?', en: 'How do you mostly come?' }, choices: [{ de: 'Fahrrad', en: 'Bicycle' }, { de: 'Bus oder Bahn', en: 'Bus or train' }, { de: 'Auto', en: 'Car' }] },
        { kind: 'multiple', text: { de: 'Was fehlt Ihnen?', en: 'What do you miss?' }, choices: [{ de: 'Radwege', en: 'Cycle lanes' }, { de: 'Bänke', en: 'Benches' }, { de: 'Schatten', en: 'Shade' }] },
        { kind: 'scale', required: true, text: { de: 'Wie zufrieden sind Sie?', en: 'How satisfied are you?' }, scale: { low: { de: 'gar nicht', en: 'not at all' }, high: { de: 'sehr', en: 'very' } } },
        { kind: 'text', text: { de: 'Was sollen wir noch wissen?', en: 'Anything else?' } },
      ],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const id = (await created.json() as { id: string }).id;

    const { page, errors, close } = await newPage();
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/buergerhaushalt-2027`);
    await Promise.all([page.waitForURL(`**/umfragen/${id}`), page.click('text=Ihr Weg in die Innenstadt')]);
    await check(page, 'umfrage');
    // Sent empty by keyboard: the messages stand at the questions, the summary links to them.
    await page.focus('button:has-text("Antworten absenden")');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('#q1-error') ?? '', /Bitte beantworten Sie diese Frage/);
    assert.match(await page.textContent('#q3-error') ?? '', /Bitte beantworten Sie diese Frage/);
    await check(page, 'umfrage-fehler');
    await page.click('.error-summary a[href="#q1"]');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'q1');
    // Radios by Space and arrow keys, checkboxes by Tab and Space, the text by typing, Enter sends.
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Mehr Fahrradständer am Bahnhof.');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL('**hinweis=surveyAnswered**'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Sie haben an dieser Umfrage teilgenommen/);
    await check(page, 'umfrage-beantwortet');
    await page.goto(`${server.url}/beteiligung/umfragen/${id}/ergebnisse`);
    assert.match(await page.textContent('main') ?? '', /noch nicht veröffentlicht/);
    assert.deepEqual(errors, []);
    await close();
    const mine = await (await (await apiPerson('anna@example.org'))('GET', `/api/participation/surveys/${id}/answers/mine`)).json() as { answers: unknown };
    assert.deepEqual(mine.answers, { q1: 1, q2: [0, 2], q3: 4, q4: 'Mehr Fahrradständer am Bahnhof.' });

    const city = await newPage();
    await loginAs(city.page, 'redaktion@herne.de');
    await city.page.goto(`${server.url}/beteiligung/umfragen/${id}`);
    await check(city.page, 'umfrage-stadt');
    await Promise.all([city.page.waitForURL('**hinweis=surveyPublished**'), city.page.click('button:has-text("Ergebnisse veröffentlichen")')]);
    await city.close();
    const guest = await newPage();
    await guest.page.goto(`${server.url}/beteiligung/buergerhaushalt-2027`);
    await Promise.all([guest.page.waitForURL(`**/umfragen/${id}/ergebnisse`), guest.page.click('a:has-text("Ergebnisse")')]);
    assert.equal(await guest.page.locator('table').count(), 3);
    assert.match(await guest.page.textContent('main') ?? '', /Mittelwert: 4 \(von 1 bis 5\)/);
    assert.doesNotMatch(await guest.page.textContent('main') ?? '', /Fahrradständer/);
    await check(guest.page, 'umfrage-ergebnisse');
    await guest.page.goto(`${server.url}/en/participation/surveys/${id}/results`);
    await check(guest.page, 'umfrage-ergebnisse-en');
    assert.deepEqual(guest.errors, []);
    await guest.close();
  });

  test('the voting phase: she spends the budget (over budget refused with a message), then sees her vote', async () => {
    const steward = await apiPerson('redaktion@herne.de');
    const citizen = await apiPerson('anna@example.org');
    for (const [title, cost] of [['Mehr Bänke im Stadtgarten', 30_000], ['WLAN im Freibad', 70_000]] as const) {
      const p = await (await citizen('POST', '/api/participation/processes/buergerhaushalt-2027/proposals', { title, body: 'Bitte umsetzen.' })).json() as { id: string };
      assert.equal((await steward('PUT', `/api/participation/proposals/${p.id}/cost`, { cost })).status, 200);
    }
    const proc = await (await fetch(`${server.url}/api/participation/processes/buergerhaushalt-2027`)).json() as Record<string, unknown>;
    const now = Date.now();
    const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const { slug, createdAt, modifiedAt, phase, allowed, next, ...rest } = proc;
    void createdAt; void modifiedAt; void phase; void allowed; void next;
    const moved = await steward('PUT', `/api/participation/processes/${slug}`, { ...rest, phases: [{ kind: 'participation', start: iso(-48), end: iso(-1) }, { kind: 'voting', start: iso(-1), end: iso(24) }, { kind: 'result', start: iso(24), end: iso(48) }] });
    assert.equal(moved.status, 200, await moved.text());

    const { page, errors, close } = await newPage();
    await loginAs(page, 'anna@example.org');
    await page.goto(`${server.url}/beteiligung/buergerhaushalt-2027/buergerhaushalt`);
    await check(page, 'haushalt');
    await page.check('label:has-text("Trinkbrunnen")');
    await page.check('label:has-text("WLAN im Freibad")');
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Stimme abgeben")')]);
    assert.match(await page.textContent('#proposalIds-error') ?? '', /kostet mehr als das Budget/);
    await check(page, 'haushalt-fehler');
    await page.uncheck('label:has-text("WLAN im Freibad")');
    await page.check('label:has-text("Mehr Bänke")');
    await Promise.all([page.waitForURL('**hinweis=voted**'), page.click('button:has-text("Stimme abgeben")')]);
    assert.match(await page.textContent('main') ?? '', /Sie haben abgestimmt \(70\.000\s€\)/);
    await check(page, 'haushalt-abgestimmt');
    await page.goto(`${server.url}/en/participation/buergerhaushalt-2027/budget`);
    await check(page, 'haushalt-en');
    assert.deepEqual(errors, []);
    await close();
    assert.ok(checked.length >= 20, `pages checked: ${checked.join(', ')}`);
  });
});
