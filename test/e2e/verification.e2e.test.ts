// The verification page in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
// a citizen who tries to support in a process requiring a postal code is sent to the verification
// page, gives a wrong and then a right code by keyboard only, and can support. axe-core finds zero
// WCAG 2.1 A/AA violations on each state; screenshots at 1280 and 375 px go to /tmp/shots-verification/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, apiPerson, freshPage, loginAs, pageCheck, registerCitizen } from '../support/browser.ts';

const SHOTS = process.env.VERIFICATION_SHOTS_DIR || '/tmp/shots-verification';
const ADMIN_KEY = 'e2e-operator-key-0123456789abcdef';
const STEWARD = { email: 'redaktion@herne.de', password: 'Redaktion-Herne-2030' };
const AUTHOR = { email: 'ali@example.org', password: 'Ali-aus-Herne-2030', displayName: 'Ali' };
const CITIZEN = { email: 'bea@example.org', password: 'Bea-aus-Herne-2030', displayName: 'Bea' };

describe('verification page in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let check: (page: import('playwright-core').Page, name: string) => Promise<void>;
  const checked: string[] = [];
  let proposalId = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-verify-e2e-'));
    server = await startServer({
      DREHSCHEIBE_DATA_DIR: dir, DREHSCHEIBE_AUTH: 'on', DREHSCHEIBE_ADMIN_KEY: ADMIN_KEY, DREHSCHEIBE_DEMO: 'off', MQTT_PORT: String(await freePort()),
      DREHSCHEIBE_VERIFY_POSTAL_CODES: '44623,44625,44627,44628,44629,44649,44651,44652,44653',
    }, 60_000);
    const u = await fetch(server.url + '/admin/users', { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ ...STEWARD, displayName: 'Redaktion', roles: [{ role: 'steward' }] }) });
    assert.equal(u.status, 201, await u.text());
    const st = await apiPerson(server.url, STEWARD.email, STEWARD.password);
    const now = Date.now();
    const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const p = await st('POST', '/api/participation/processes', {
      slug: 'stadtgarten', title: { de: 'Stadtgarten Wanne', en: 'Wanne city garden' }, description: { de: 'Ideen für den Stadtgarten.', en: '' },
      phases: [{ kind: 'participation', start: iso(-1), end: iso(24) }], categories: [], verification: 'postal-code',
    });
    assert.equal(p.status, 201, await p.text());
    const { chromium } = await import('playwright-core');
    const { AxeBuilder } = await import('@axe-core/playwright');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    mkdirSync(SHOTS, { recursive: true });
    check = pageCheck(AxeBuilder, SHOTS, checked);
    // A proposal to support, by another registered citizen (proposals need no verification).
    const { page, close } = await freshPage(browser);
    await registerCitizen(page, server.url, ADMIN_KEY, AUTHOR);
    await close();
    const author = await apiPerson(server.url, AUTHOR.email, AUTHOR.password);
    const pr = await author('POST', '/api/participation/processes/stadtgarten/proposals', { title: 'Mehr Bänke am Teich', body: 'Am Teich fehlen Sitzplätze.' });
    const text = await pr.text();
    assert.equal(pr.status, 201, text);
    proposalId = (JSON.parse(text) as { id: string }).id;
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('unverified support leads to the page; wrong then right postal code by keyboard; then the support counts; zero axe violations', async () => {
    const { page, errors, close } = await freshPage(browser);
    await registerCitizen(page, server.url, ADMIN_KEY, CITIZEN);
    await loginAs(page, server.url, CITIZEN.email, CITIZEN.password);
    await page.goto(`${server.url}/beteiligung/vorschlaege/${proposalId}`);
    await page.click('form[action$="/unterstuetzen"] button[type=submit]');
    assert.match(await page.textContent('main') ?? '', /Nachweis nötig/);
    await check(page, 'nachweis-noetig');
    await page.click('text=Zum Nachweis');
    await page.waitForURL('**/beteiligung/stadtgarten/nachweis');
    await check(page, 'nachweis');

    // Keyboard only: Tab to the field, type, Enter.
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.id === 'code');
    }
    assert.ok(found, 'the field is reached with Tab');
    await page.keyboard.type('45127');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('#code-error') ?? '', /nicht angenommen/);
    await check(page, 'nachweis-fehler');
    await page.focus('#code');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('44649');
    await Promise.all([page.waitForURL('**/nachweis?hinweis=verifiziert'), page.keyboard.press('Enter')]);
    assert.match(await page.textContent('main') ?? '', /Nachweis ist erbracht/);
    await check(page, 'nachweis-erbracht');

    await page.goto(`${server.url}/beteiligung/vorschlaege/${proposalId}`);
    await Promise.all([page.waitForURL('**hinweis=supported**'), page.click('form[action$="/unterstuetzen"] button[type=submit]')]);
    const got = await (await fetch(`${server.url}/api/participation/proposals/${proposalId}`)).json() as { supportCount: number };
    assert.equal(got.supportCount, 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(checked, ['nachweis-noetig', 'nachweis', 'nachweis-fehler', 'nachweis-erbracht']);
    await close();
  });
});
