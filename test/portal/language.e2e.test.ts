// The language page in Debian's Chromium (playwright-core; no browser is downloaded): axe finds no WCAG 2.1
// A/AA violation in German and English, with and without the error; it reflows at 320 px; a person chooses
// English by keyboard only (footer link, arrow key, Enter) and lands on the same page in English.
// Screenshots (1280 and 375 wide) go to .artifacts/screenshots/. Skipped, saying so, without Chromium.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { CHROMIUM, BROWSER_SKIP, BROWSER_ARGS, freshPage, pageCheck } from '../support/browser.ts';

const SHOTS = join(process.cwd(), '.artifacts', 'screenshots');

describe('language page in Chromium', { skip: BROWSER_SKIP }, () => {
  let server: ServerProcess;
  let dir: string;
  let browser: import('playwright-core').Browser;
  let check: (page: import('playwright-core').Page, name: string) => Promise<void>;
  const checked: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-language-e2e-'));
    server = await startServer({ DREHSCHEIBE_DATA_DIR: dir, MQTT_PORT: String(await freePort()) }, 30_000);
    const { chromium } = await import('playwright-core');
    check = pageCheck((await import('@axe-core/playwright')).AxeBuilder, SHOTS, checked);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page passes axe in both languages and with its error message, and reflows at 320 px', async () => {
    const { page, errors, close } = await freshPage(browser);
    await page.goto(`${server.url}/sprache?returnTo=%2Fstrategie`);
    await check(page, 'sprache');
    await page.goto(`${server.url}/en/language?returnTo=%2Fen%2Fstrategy`);
    await check(page, 'sprache-en');
    // The error state: a post without a choice (the browser sends no radio value when none is checked).
    await page.goto(`${server.url}/sprache?returnTo=%2Fstrategie`);
    await page.evaluate(() => { for (const r of document.querySelectorAll<HTMLInputElement>('input[name=lang]')) r.checked = false; });
    await Promise.all([page.waitForLoadState('load'), page.click('main button[type=submit]')]);
    await page.waitForSelector('#sprache-error');
    assert.equal(await page.textContent('#sprache-error'), 'Fehler: Bitte wählen Sie eine Sprache.');
    await check(page, 'sprache-fehler');
    assert.deepEqual(errors, []);
    await close();
  });

  test('by keyboard only: from a project page through the footer link to the same page in English', async () => {
    const { page, close } = await freshPage(browser);
    await page.goto(`${server.url}/strategie`);
    // Tab until the footer's language link has the focus.
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.getAttribute('href')?.startsWith('/sprache?returnTo=') ?? false);
    }
    assert.ok(found, 'the footer link to the language page is reachable by Tab');
    await Promise.all([page.waitForURL('**/sprache?returnTo=*'), page.keyboard.press('Enter')]);
    // Into the radio group (the checked radio takes the focus), arrow to English, then to the button and send.
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'lang')) break;
    }
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'de');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'en');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL('**/en/strategy'), page.keyboard.press('Enter')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await close();
  });
});
