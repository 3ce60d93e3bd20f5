// What a logged-in person does with their own account (the portal's account page), and an
// operator's invitation to set a password: docs/accounts.md#routes.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, cookiesOf, PASSWORD, setCookies, type AccountsApp } from './support.ts';

let t: AccountsApp;
before(async () => {
  t = await accountsApp({ DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de' });
  await t.user('selbst@herne.de');
});
after(() => t.close());

test('changing the password needs the current one and the CSRF token; it ends every other session and renews this one', async () => {
  const here = await t.login('selbst@herne.de');
  const there = await t.login('selbst@herne.de');
  const change = (headers: Record<string, string>, currentPassword: string) =>
    t.app.inject({ method: 'POST', url: '/konto/passwort-aendern', headers: { cookie: here.cookie, 'content-type': 'application/json', ...headers }, payload: { currentPassword, password: 'Ein-neues-Passwort-2026' } });
  assert.equal((await change({}, PASSWORD)).statusCode, 403);
  assert.equal((await change({ 'x-csrf-token': here.csrf }, 'falsch-falsch-falsch')).statusCode, 401);
  const r = await change({ 'x-csrf-token': here.csrf }, PASSWORD);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(setCookies(r)[0], /^drehscheibe_session=[A-Za-z0-9_-]{43};/);
  const renewed = cookiesOf(r);
  assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: renewed } })).statusCode, 200, 'this browser stays logged in, with a new session');
  for (const old of [here.cookie, there.cookie]) assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: old } })).statusCode, 401);
  await t.login('selbst@herne.de', 'Ein-neues-Passwort-2026');
});

test('a person lists their own sessions (the current one marked) and logs out everywhere', async () => {
  const a = await t.login('selbst@herne.de', 'Ein-neues-Passwort-2026', { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' });
  const b = await t.login('selbst@herne.de', 'Ein-neues-Passwort-2026');
  const list = (await t.app.inject({ url: '/konto/sitzungen', headers: { cookie: a.cookie } })).json() as Array<{ current: boolean; userAgent?: string }>;
  assert.ok(list.length >= 2);
  assert.equal(list.filter((s) => s.current).length, 1);
  assert.equal(list.find((s) => s.current)?.userAgent, 'Firefox 133 on Linux');
  const out = await t.app.inject({ method: 'POST', url: '/konto/abmelden-ueberall', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf, 'content-type': 'application/json' }, payload: {} });
  assert.equal(out.statusCode, 204);
  for (const s of [a, b]) assert.equal((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: s.cookie } })).statusCode, 401);
});

test('an operator mails a new account without password a link to set one; the link works once', async () => {
  const created = await t.app.inject({ method: 'POST', url: '/admin/users', headers: { 'x-api-key': t.operatorKey }, payload: { email: 'neu-im-amt@herne.de', roles: [{ role: 'steward', tenants: ['herne'] }] } });
  const id = (created.json() as { id: string; hasPassword: boolean }).id;
  assert.equal((created.json() as { hasPassword: boolean }).hasPassword, false);
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'neu-im-amt@herne.de', password: '' } })).statusCode, 401);
  const inv = await t.app.inject({ method: 'POST', url: `/admin/users/${id}/password-link`, headers: { 'x-api-key': t.operatorKey } });
  assert.equal(inv.statusCode, 202);
  assert.equal((await t.app.inject({ method: 'POST', url: '/admin/users/nope/password-link', headers: { 'x-api-key': t.operatorKey } })).statusCode, 404);
  const mail = ((await t.app.inject({ url: '/admin/outbox?to=neu-im-amt%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ subject: string; text: string }>)[0];
  assert.equal(mail.subject, 'Ihr Zugang: Passwort festlegen');
  const token = /passwort-zuruecksetzen\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/passwort-zuruecksetzen', payload: { token, password: 'Mein-erstes-Passwort' } })).statusCode, 200);
  await t.login('neu-im-amt@herne.de', 'Mein-erstes-Passwort');
  const steward = await t.login('neu-im-amt@herne.de', 'Mein-erstes-Passwort');
  assert.equal((await t.app.inject({ method: 'POST', url: `/admin/users/${id}/password-link`, headers: { cookie: steward.cookie, 'x-csrf-token': steward.csrf } })).statusCode, 403);
});

test('an operator changing a user\'s e-mail address leaves it unconfirmed and mails a confirmation link to the new address; the link confirms it once', async () => {
  const id = await t.user('alt@herne.de');
  const r = await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { email: 'Neu@Herne.de' } });
  assert.equal(r.statusCode, 200);
  assert.equal((r.json() as { email: string }).email, 'neu@herne.de');
  assert.equal((r.json() as { emailConfirmedAt?: string }).emailConfirmedAt, undefined);
  const mail = ((await t.app.inject({ url: '/admin/outbox?to=neu%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ subject: string; text: string }>)[0];
  assert.equal(mail.subject, 'E-Mail-Adresse bestätigen');
  const token = /https:\/\/daten\.herne\.de\/konto\/email-bestaetigen\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const ok = await t.app.inject({ method: 'POST', url: '/konto/email-bestaetigen', payload: { token } });
  assert.equal(ok.statusCode, 200);
  const u = (await t.app.inject({ url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey } })).json() as { emailConfirmedAt?: string };
  assert.ok(u.emailConfirmedAt);
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/email-bestaetigen', payload: { token } })).statusCode, 400);
  // The same address again (other spelling) is no change: nothing is mailed, the confirmation stays.
  await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { email: 'NEU@herne.de' } });
  assert.equal(((await t.app.inject({ url: '/admin/outbox?to=neu%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as unknown[]).length, 1);
  assert.ok(((await t.app.inject({ url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey } })).json() as { emailConfirmedAt?: string }).emailConfirmedAt);
});
