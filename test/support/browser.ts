// What the browser tests share: Debian's Chromium (skipped, saying so, when it is missing), its flags, a fresh
// page per context, the axe + reflow + screenshot check of a page, and a person acting over the JSON API.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const BROWSER_SKIP: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: the browser tests are skipped (apt-get install chromium, or set CHROMIUM_PATH)`;
export const BROWSER_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type Page = import('playwright-core').Page;
type Browser = import('playwright-core').Browser;
type AxeBuilderClass = typeof import('@axe-core/playwright').AxeBuilder;

/** A page in a fresh context (1280 × 900, reduced motion) that collects the page's script errors. */
export async function freshPage(browser: Browser): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.message} ${(e.stack ?? '').split('\n').slice(1, 4).join(' ')} on ${page.url()}`));
  return { page, errors, close: () => ctx.close() };
}

/**
 * The check of a page as people see it: axe (WCAG 2.1 A/AA) finds nothing, nothing scrolls sideways at 320 px,
 * screenshots at 1280 and 375 px go to `shots`; each checked name is pushed to `checked`.
 */
export function pageCheck(AxeBuilder: AxeBuilderClass, shots: string, checked: string[]) {
  return async (page: Page, name: string): Promise<void> => {
    const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    assert.deepEqual(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], `axe on ${name} (${page.url()})`);
    await page.screenshot({ path: join(shots, `${name}-1280.png`), fullPage: true });
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 320, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls ${overflow} px sideways at 320 px`);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: join(shots, `${name}-375.png`), fullPage: true });
    await page.setViewportSize(size);
    checked.push(name);
  };
}

/** Logs in over the JSON API and returns a requester acting as that person (session cookie and CSRF token). */
export async function apiPerson(baseUrl: string, email: string, password: string) {
  const r = await fetch(`${baseUrl}/konto/anmelden`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.equal(r.status, 200);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf } = await r.json() as { csrf: string };
  return (method: string, path: string, body?: unknown) => fetch(baseUrl + path, { method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Logs in through the portal's login form (the participation login leads there) and waits to leave it. */
export async function loginAs(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/beteiligung/anmelden`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/anmelden')), page.click('main button[type=submit]')]);
}

/** A citizen registers over the JSON API and confirms with the outbox's link (read with the operator key) in the browser. */
export async function registerCitizen(page: Page, baseUrl: string, adminKey: string, who: { email: string; password: string; displayName: string }): Promise<void> {
  const r = await fetch(`${baseUrl}/konto/registrieren`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  assert.equal(r.status, 202);
  let link = '';
  for (let i = 0; i < 50 && !link; i++) {
    const mails = await (await fetch(`${baseUrl}/admin/outbox?to=${encodeURIComponent(who.email)}`, { headers: { 'x-api-key': adminKey } })).json() as Array<{ text: string }>;
    link = /https?:\/\/[^/\s]+(\/beteiligung\/registrieren\/bestaetigen\?token=[A-Za-z0-9_-]+)/.exec(mails[0]?.text ?? '')?.[1] ?? '';
    if (!link) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(link, `the confirmation mail to ${who.email}`);
  await page.goto(baseUrl + link);
  await Promise.all([page.waitForURL('**/anmelden?bestaetigt=1*'), page.click('main button[type=submit]')]);
}
