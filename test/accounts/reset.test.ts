// Password reset by e-mail link (docs/accounts.md): the same answer for known and unknown
// addresses, the link read from the outbox, single use, expiry, and sessions ended by the reset.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/core/clock.ts';
import { accountsApp, cookiesOf, PASSWORD, type AccountsApp } from './support.ts';

const clock = fixedClock('2026-12-04T09:00:00Z');
let t: AccountsApp;
before(async () => {
  t = await accountsApp({ DREHSCHEIBE_RESET_TTL_S: '900', DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de' }, { clock });
  await t.user('vergesslich@herne.de');
});
after(() => t.close());

async function outbox(to?: string) {
  await t.app.drehscheibe.accounts.idle();
  const r = await t.app.inject({ url: `/admin/outbox${to ? `?to=${encodeURIComponent(to)}` : ''}`, headers: { 'x-api-key': t.operatorKey } });
  assert.equal(r.statusCode, 200);
  return r.json() as Array<{ to: string; subject: string; text: string; state: string }>;
}

function linkToken(text: string): string {
  const m = /https:\/\/daten\.herne\.de\/konto\/passwort-zuruecksetzen\?token=([A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, text);
  return m[1];
}

test('a reset request answers the same for a known and an unknown address; only the known one gets a mail', async () => {
  const known = await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'Vergesslich@herne.de' } });
  const unknown = await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'fremd@herne.de' } });
  assert.equal(known.statusCode, 202);
  assert.equal(unknown.statusCode, known.statusCode);
  assert.equal(unknown.body, known.body);
  const mails = await outbox();
  assert.deepEqual(mails.map((m) => [m.to, m.subject, m.state]), [['vergesslich@herne.de', 'Passwort zurücksetzen', 'pending']]);
});

test('the link from the outbox sets a new password once, ends the sessions, and the old password no longer works', async () => {
  const before = await t.login('vergesslich@herne.de');
  const token = linkToken((await outbox('vergesslich@herne.de'))[0].text);
  const short = await t.app.inject({ method: 'POST', url: '/konto/passwort-zuruecksetzen', payload: { token, password: 'kurz' } });
  assert.equal(short.statusCode, 400);
  const r = await t.app.inject({ method: 'POST', url: '/konto/passwort-zuruecksetzen', payload: { token, password: 'Neues-Passwort-fuer-Herne' } });
  assert.equal(r.statusCode, 200);
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: before.cookie } })).statusCode, 401);
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'vergesslich@herne.de', password: PASSWORD } })).statusCode, 401);
  await t.login('vergesslich@herne.de', 'Neues-Passwort-fuer-Herne');
  const again = await t.app.inject({ method: 'POST', url: '/konto/passwort-zuruecksetzen', payload: { token, password: 'Noch-ein-Passwort-123' } });
  assert.equal(again.statusCode, 400);
  assert.match((again.json() as { detail: string }).detail, /unknown, has expired or has been used/);
});

test('a reset link expires after DREHSCHEIBE_RESET_TTL_S', async () => {
  await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'vergesslich@herne.de' } });
  const token = linkToken((await outbox('vergesslich@herne.de'))[0].text);
  clock.advance(901_000);
  const r = await t.app.inject({ method: 'POST', url: '/konto/passwort-zuruecksetzen', payload: { token, password: 'Zu-spaet-fuer-Herne' } });
  assert.equal(r.statusCode, 400);
});

test('the reset form post needs the double-submit CSRF token and redirects (303)', async () => {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const bare = await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', headers, payload: 'email=vergesslich%40herne.de' });
  assert.equal(bare.statusCode, 403);
  const tok = await t.app.inject({ url: '/konto/csrf' });
  const token = (tok.json() as { token: string }).token;
  const ok = await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', headers: { ...headers, cookie: cookiesOf(tok) }, payload: `email=vergesslich%40herne.de&_csrf=${token}` });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/konto/passwort-vergessen?gesendet=1');
});
