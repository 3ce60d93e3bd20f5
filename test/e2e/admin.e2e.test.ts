// Accounts and administration in a real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core; no browser is downloaded), against the real server with access control on:
// an operator logs in by keyboard only, creates a steward, creates an API key and uses it,
// provisions a service group and a device and sees its first measurement arrive, reads the audit
// log; a steward creates a project that then shows on its public page. axe-core finds zero WCAG 2.1
// A/AA violations on every new page, logged in, in German and English; pages reflow at 320 px.
// Screenshots (1280 and 375 wide) go to .artifacts/screenshots/admin/ (SHOTS_DIR overrides).
// Skipped, saying so, when no Chromium is installed (.ci/run installs it).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { BROWSER_ARGS, BROWSER_SKIP, CHROMIUM, pageCheck } from '../support/browser.ts';

const SHOTS = process.env.SHOTS_DIR || join(process.cwd(), '.artifacts', 'screenshots', 'admin');
const OPERATOR = { email: 'betrieb@herne.de', password: 'Betrieb-der-Plattform-2030' };
const STEWARD = { email: 'daten@herne.de', password: 'Daten-verantworten-2030' };

describe('accounts and administration in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let adminKey: string;
  let browser: import('playwright-core').Browser;
  let operator: import('playwright-core').BrowserContext;
  let stewardId = '';
  /** Zero axe violations, no sideways scrolling at 320 px, screenshots at 1280 and 375 px (test/support/browser.ts). */
  let check: (page: import('playwright-core').Page, name: string) => Promise<void>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-admin-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_DEMO: 'auto', DREHSCHEIBE_DEMO_INTERVAL: '5', MQTT_PORT: String(await freePort()) }, 30_000);
    adminKey = readFileSync(join(dir, 'admin-key'), 'utf8').trim();
    const r = await fetch(`${server.url}/admin/users`, { method: 'POST', headers: { 'x-api-key': adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ ...OPERATOR, displayName: 'Betrieb', roles: [{ role: 'operator' }] }) });
    assert.equal(r.status, 201, await r.text());
    const { chromium } = await import('playwright-core');
    check = pageCheck((await import('@axe-core/playwright')).AxeBuilder, SHOTS, []);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    operator = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('logged out: the login, forgotten-password and reset pages in German and English have zero axe violations; a wrong password shows its message at the field', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    for (const [name, path] of [['anmelden-de', '/anmelden'], ['anmelden-en', '/en/login'], ['passwort-vergessen-de', '/konto/passwort-vergessen'], ['passwort-vergessen-en', '/en/account/forgot-password'], ['zuruecksetzen-de', '/konto/passwort-zuruecksetzen?token=abcdefghijklmnopqrstuvwxyz']]) {
      await page.goto(server.url + path, { waitUntil: 'load' });
      await check(page, name);
    }
    await page.goto(server.url + '/anmelden', { waitUntil: 'load' });
    await page.fill('#login-email', OPERATOR.email);
    await page.fill('#login-password', 'nicht-das-passwort');
    await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
    assert.match(await page.textContent('#login-password-error') ?? '', /Die E-Mail-Adresse oder das Passwort ist falsch\./);
    assert.equal(await page.inputValue('#login-email'), OPERATOR.email);
    await check(page, 'anmelden-fehler-de');
    await ctx.close();
  });

  test('an operator logs in with the keyboard only (skip link, Tab, typing, Enter) and lands on the account page', async () => {
    const page = await operator.newPage();
    await page.goto(server.url + '/anmelden?returnTo=%2Fverwaltung', { waitUntil: 'load' });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Zum Inhalt springen');
    await page.keyboard.press('Enter');
    let onEmail = false;
    for (let i = 0; i < 20 && !onEmail; i++) {
      await page.keyboard.press('Tab');
      onEmail = (await page.evaluate(() => document.activeElement?.id)) === 'login-email';
    }
    assert.ok(onEmail, 'the e-mail field is reachable by Tab');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), 'none', 'focus is visible');
    await page.keyboard.type(OPERATOR.email);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password');
    await page.keyboard.type(OPERATOR.password);
    await Promise.all([page.waitForURL('**/verwaltung'), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Verwaltung');
    assert.ok(await page.isVisible('.site-nav__logout button'), 'the header offers the logout button');
    await page.close();
  });

  test('the operator creates a steward user', async () => {
    const page = await operator.newPage();
    await page.goto(server.url + '/verwaltung/benutzer', { waitUntil: 'load' });
    await page.fill('#user-email', STEWARD.email);
    await page.fill('#user-displayName', 'Dana Daten');
    await page.fill('#user-password', STEWARD.password);
    await page.uncheck('#user-role_citizen');
    await page.check('#user-role_steward');
    await Promise.all([page.waitForURL('**/verwaltung/benutzer/*?ok=created'), page.click('form.portal-form button[type=submit]')]);
    assert.match(await page.textContent('main') ?? '', /Das Konto daten@herne\.de wurde angelegt\./);
    stewardId = page.url().split('/').pop()!.split('?')[0];
    const u = await (await fetch(`${server.url}/admin/users/${stewardId}`, { headers: { 'x-api-key': adminKey } })).json() as { roles: unknown };
    assert.deepEqual(u.roles, [{ role: 'steward' }]);
    await page.close();
  });

  test('the operator creates an API key, sees its secret once, and the key works', async () => {
    const page = await operator.newPage();
    await page.goto(server.url + '/verwaltung/api-schluessel', { waitUntil: 'load' });
    await page.fill('#key-name', 'e2e-import');
    await page.selectOption('#key-role', 'steward');
    await page.fill('#key-tenants', 'herne');
    await Promise.all([page.waitForLoadState('load'), page.click('form.portal-form button[type=submit]')]);
    const secret = (await page.textContent('#neuer-schluessel'))!.trim();
    assert.match(secret, /^ds_/);
    await check(page, 'api-schluessel-neu-de');
    const r = await fetch(`${server.url}/ngsi-ld/v1/entities`, { method: 'POST', headers: { 'x-api-key': secret, 'ngsild-tenant': 'herne', 'content-type': 'application/json' }, body: JSON.stringify({ id: 'urn:ngsi-ld:Thing:e2e-key', type: 'Thing' }) });
    assert.equal(r.status, 201);
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.locator('#neuer-schluessel').count(), 0, 'the secret is shown only once');
    await page.close();
  });

  test('the operator provisions a service group and a device and sees its first measurement arrive', async () => {
    const page = await operator.newPage();
    await page.goto(server.url + '/verwaltung/geraete?tenant=herne', { waitUntil: 'load' });
    await page.fill('#group-g_apikey', 'e2e-umwelt');
    await page.fill('#group-g_servicePath', '/e2e');
    await page.fill('#group-g_entity_type', 'AirQualityObserved');
    await Promise.all([page.waitForURL('**ok=group'), page.click('form:has(#group-g_apikey) button[type=submit]')]);
    await page.fill('#device-d_device_id', 'e2e-luft-1');
    await page.fill('#device-d_servicePath', '/e2e');
    await page.fill('#device-d_entity_type', 'AirQualityObserved');
    await page.fill('#device-d_apikey', 'e2e-umwelt');
    await page.fill('#device-d_attributes', 'n no2 Number');
    await Promise.all([page.waitForURL('**ok=device'), page.click('form:has(#device-d_device_id) button[type=submit]')]);
    const row = page.locator('#devices tr', { hasText: 'e2e-luft-1' });
    assert.match(await row.textContent() ?? '', /noch keine Nachricht/);
    const m = await fetch(`${server.url}/iot/json?k=e2e-umwelt&i=e2e-luft-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 31.5 }) });
    assert.ok(m.ok, `measurement: ${m.status}`);
    let arrived = false;
    for (let i = 0; i < 50 && !arrived; i++) {
      await page.goto(server.url + '/verwaltung/geraete?tenant=herne', { waitUntil: 'load' });
      arrived = /sendet/.test(await page.locator('#devices tr', { hasText: 'e2e-luft-1' }).textContent() ?? '');
      if (!arrived) await page.waitForTimeout(100);
    }
    assert.ok(arrived, 'the device row shows the first message');
    const e = await (await fetch(`${server.url}/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:e2e-luft-1?options=keyValues`, { headers: { 'ngsild-tenant': 'herne' } })).json() as { no2?: number };
    assert.equal(e.no2, 31.5);
    await check(page, 'geraete-de');
    await page.close();
  });

  test('the operator reads the audit log and filters it', async () => {
    const page = await operator.newPage();
    await page.goto(server.url + '/verwaltung/protokoll', { waitUntil: 'load' });
    assert.match(await page.textContent('#audit') ?? '', /POST \/verwaltung\/benutzer/);
    await page.fill('#audit-action', '/verwaltung/api-schluessel');
    await Promise.all([page.waitForURL('**action=*'), page.click('.admin-filter button[type=submit]')]);
    const text = await page.textContent('#audit') ?? '';
    assert.match(text, /POST \/verwaltung\/api-schluessel/);
    assert.doesNotMatch(text, /POST \/verwaltung\/benutzer</);
    await page.close();
  });

  test('every administration page, logged in as operator, has zero axe violations in German and English and reflows at 320 px', async () => {
    const page = await operator.newPage();
    const pages: Array<[string, string, string]> = [
      ['konto', '/konto', '/en/account'],
      ['verwaltung', '/verwaltung', '/en/admin'],
      ['benutzer', '/verwaltung/benutzer', '/en/admin/users'],
      ['benutzer-einzeln', `/verwaltung/benutzer/${stewardId}`, `/en/admin/users/${stewardId}`],
      ['api-schluessel', '/verwaltung/api-schluessel', '/en/admin/api-keys'],
      ['mandanten', '/verwaltung/mandanten', '/en/admin/tenants'],
      ['mandant-loeschen', '/verwaltung/mandanten/herne', '/en/admin/tenants/herne'],
      ['richtlinie', '/verwaltung/richtlinie', '/en/admin/policy'],
      ['geraete', '/verwaltung/geraete', '/en/admin/devices'],
      ['protokoll', '/verwaltung/protokoll', '/en/admin/audit'],
      ['postausgang', '/verwaltung/postausgang', '/en/admin/outbox'],
      ['rueckmeldungen', '/verwaltung/rueckmeldungen', '/en/admin/feedback'],
      ['projekte', '/verwaltung/projekte', '/en/admin/projects'],
      ['neues-projekt', '/verwaltung/neues-projekt', '/en/admin/new-project'],
      ['projekt-bearbeiten', '/verwaltung/projekte/solarbaenke', '/en/admin/projects/solarbaenke'],
      ['api-beschreibung', '/entwickler/api', '/en/developers/api'],
      ['start-angemeldet', '/', '/en'],
    ];
    for (const [name, de, en] of pages) {
      for (const [lang, path] of [['de', de], ['en', en]] as const) {
        const r = await page.goto(server.url + path, { waitUntil: 'load' });
        assert.equal(r?.status(), 200, path);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await check(page, `${name}-${lang}`);
      }
    }
    // A form with errors: the summary and the messages at the fields are accessible too.
    await page.goto(server.url + '/verwaltung/benutzer', { waitUntil: 'load' });
    await page.fill('#user-email', 'keine-adresse');
    await Promise.all([page.waitForLoadState('load'), page.click('form.portal-form button[type=submit]')]);
    assert.match(await page.textContent('.error-summary') ?? '', /Geben Sie eine E-Mail-Adresse in der Form name@herne\.de ein\./);
    await check(page, 'benutzer-fehler-de');
    // The city's tenant holds the demo's KPIs and live datasets: its page names them, with links, and
    // offers no deletion (the typed-name confirmation is tested over HTTP in test/portal-admin/tenants.test.ts).
    await page.goto(server.url + '/verwaltung/mandanten/herne', { waitUntil: 'load' });
    assert.match(await page.textContent('#tenant-in-use') ?? '', /Dieser Mandant wird noch verwendet/);
    assert.match(await page.textContent('#tenant-references') ?? '', /Kennzahl „[a-z0-9-]+“: .*schreibt ihren Wert in diesen Mandanten/);
    assert.match(await page.textContent('#tenant-references') ?? '', /Datensatz „[a-z0-9-]+“/);
    assert.match(await page.textContent('#tenant-contents') ?? '', /Entitäten/);
    assert.equal(await page.locator('form.portal-form button[type=submit]').count(), 0, 'no delete button');
    await check(page, 'mandant-in-verwendung-de');
    // The access policy by keyboard: a broken document is refused with the German message at the field, the text kept.
    await page.goto(server.url + '/verwaltung/richtlinie', { waitUntil: 'load' });
    await page.focus('#policy-policy');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ "tenants": { "herne": { "read": ["kaiser"] } } }');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('#policy-policy-error') ?? '', /„kaiser“ ist kein Subjekt/);
    assert.match(await page.inputValue('#policy-policy'), /"kaiser"/);
    await check(page, 'richtlinie-fehler-de');
    await page.close();
  });

  test('a steward logs in, creates a project in the editor and sees it on /projekte/<slug>; operator pages are closed to them', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(server.url + '/verwaltung/neues-projekt', { waitUntil: 'load' });
    assert.match(page.url(), /\/anmelden\?returnTo=/, 'sent to the login first');
    await page.fill('#login-email', STEWARD.email);
    await page.fill('#login-password', STEWARD.password);
    await Promise.all([page.waitForURL('**/verwaltung/neues-projekt'), page.click('main form button[type=submit]')]);
    await page.fill('#project-slug', 'e2e-trinkbrunnen');
    await page.selectOption('#project-fieldId', 'energie-umwelt');
    await page.fill('#project-title-de', 'Trinkbrunnen in Wanne');
    // Missing: nothing else is required; a wrong date is refused at its field first.
    await page.fill('#project-start', '2027-13');
    await Promise.all([page.waitForLoadState('load'), page.click('form.portal-form button[type=submit]')]);
    assert.match(await page.textContent('#project-start-error') ?? '', /JJJJ-MM/);
    assert.equal(await page.inputValue('#project-title-de'), 'Trinkbrunnen in Wanne');
    await check(page, 'projekt-fehler-de');
    await page.fill('#project-start', '2027-03');
    await page.selectOption('#project-status', 'planning');
    await page.fill('#project-summary-de', 'Kostenloses Trinkwasser an drei Plätzen.');
    await Promise.all([page.waitForURL('**/verwaltung/projekte/e2e-trinkbrunnen?ok=created'), page.click('form.portal-form button[type=submit]')]);
    await page.goto(server.url + '/projekte/e2e-trinkbrunnen', { waitUntil: 'load' });
    assert.equal(await page.textContent('h1'), 'Trinkbrunnen in Wanne');
    assert.match(await page.textContent('main') ?? '', /In Planung/);
    const forbidden = await page.goto(server.url + '/verwaltung/benutzer', { waitUntil: 'load' });
    assert.equal(forbidden?.status(), 403);
    await check(page, 'kein-zugriff-de');
    await ctx.close();
  });
});
