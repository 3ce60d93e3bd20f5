// The login, password and account pages over HTTP (inject, SQLite): forms post to /konto, errors
// come back as the page with a German message at the field, CSRF is required, logout works.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, browser, logIn, PASSWORD, type AccountsApp } from './support.ts';

describe('login and account pages', () => {
  let t: AccountsApp;
  before(async () => {
    t = await accountsApp({ DREHSCHEIBE_LOGIN_MAX_PER_EMAIL: '3' });
    await t.user('anna@herne.de', [{ role: 'steward', tenants: ['herne'] }]);
    await t.user('bruno@herne.de');
    await t.user('limit@herne.de');
  });
  after(async () => { await t.close(); });

  test('/anmelden and /en/login show the login form with a CSRF token, labels and the forgot link; the header offers "Anmelden"', async () => {
    const b = browser(t);
    const r = await b.get('/anmelden');
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['cache-control'] as string, /no-store/);
    assert.match(r.body, /<html lang="de"/);
    assert.match(r.body, /<title>Anmelden – /);
    assert.match(r.body, /action="\/konto\/anmelden"/);
    assert.match(r.body, /name="_csrf" value="[A-Za-z0-9_-]{20,}"/);
    assert.match(r.body, /<label class="kern-label" for="login-email">E-Mail-Adresse/);
    assert.match(r.body, /href="\/konto\/passwort-vergessen"/);
    assert.match(r.body, /<a href="\/anmelden" aria-current="page">Anmelden<\/a>/);
    assert.doesNotMatch(r.body, /Mit dem Konto der Stadt anmelden/, 'no OIDC button without an issuer');
    const en = await b.get('/en/login');
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, /Log in with a local account/);
    assert.match(en.body, /hreflang="de" href="\/anmelden"/);
  });

  test('a right password logs in (303 to returnTo), the header then shows the account menu with a logout form', async () => {
    const b = browser(t);
    const r = await logIn(b, 'anna@herne.de');
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/konto');
    const home = await b.get('/');
    assert.match(home.body, /Mein Konto/);
    assert.match(home.body, /action="\/konto\/abmelden"/);
    assert.match(home.headers['cache-control'] as string, /private, no-store/);
    const acc = await b.get('/konto');
    assert.equal(acc.statusCode, 200);
    assert.match(acc.body, /anna@herne\.de/);
    assert.match(acc.body, /Datenverantwortliche \(steward\) in herne/);
    assert.match(acc.body, /diese Sitzung/);
    // Logout through the header's form.
    const out = await b.post('/konto/abmelden', {});
    assert.equal(out.statusCode, 303);
    const after = await b.get('/konto');
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/anmelden?returnTo=%2Fkonto');
  });

  test('a wrong password gives the login page again (401) with the German message at the password field, the e-mail kept', async () => {
    const b = browser(t);
    await b.get('/anmelden');
    const r = await b.post('/konto/anmelden', { email: 'bruno@herne.de', password: 'falsch-falsch-falsch', returnTo: '/konto' });
    assert.equal(r.statusCode, 401);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.body, /<title>Fehler: Anmelden/);
    assert.match(r.body, /id="login-password-error"[^>]*><span class="kern-sr-only">Fehler: <\/span>Die E-Mail-Adresse oder das Passwort ist falsch\./);
    assert.match(r.body, /aria-describedby="login-password-error"/);
    assert.match(r.body, /value="bruno@herne\.de"/);
    assert.doesNotMatch(r.body, /falsch-falsch-falsch/, 'the password is never sent back');
    assert.match(r.body, /href="#login-password"/, 'the error summary links to the field');
  });

  test('empty fields: the page again with a message at each field (English)', async () => {
    const b = browser(t);
    await b.get('/en/login');
    const r = await b.post('/konto/anmelden', { email: '', password: '', _lang: 'en' });
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /<html lang="en"/);
    assert.match(r.body, /Enter your e-mail address\./);
    assert.match(r.body, /Enter your password\./);
  });

  test('too many failures: 429 with a readable German message and Retry-After', async () => {
    const b = browser(t);
    await b.get('/anmelden');
    for (let i = 0; i < 3; i++) await b.post('/konto/anmelden', { email: 'limit@herne.de', password: 'nicht-das-richtige' });
    const r = await b.post('/konto/anmelden', { email: 'limit@herne.de', password: PASSWORD });
    assert.equal(r.statusCode, 429);
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.match(r.body, /Zu viele fehlgeschlagene Anmeldeversuche\. Versuchen Sie es in \d+ Minuten? wieder\./);
  });

  test('a login form without its CSRF token is refused with the 403 page', async () => {
    const b = browser(t);
    const r = await b.post('/konto/anmelden', { email: 'anna@herne.de', password: PASSWORD }, { csrf: false });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /Das Formular ist abgelaufen/);
    assert.doesNotMatch(r.headers['set-cookie']?.toString() ?? '', /drehscheibe_session=[^;]/);
  });

  test('forgotten password: the form, the same answer for every address, and the reset page from the mailed link', async () => {
    const b = browser(t);
    const f = await b.get('/konto/passwort-vergessen');
    assert.equal(f.statusCode, 200);
    const r = await b.post('/konto/passwort-vergessen', { email: 'bruno@herne.de' });
    assert.equal(r.statusCode, 303);
    const sent = await b.get(r.headers.location as string);
    assert.match(sent.body, /Wenn es ein Konto mit dieser E-Mail-Adresse gibt/);
    await t.app.drehscheibe.accounts.idle();
    const mails = (await t.app.inject({ url: '/admin/outbox?to=bruno@herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ text: string }>;
    const link = /http:\/\/[^/\s]+(\/konto\/passwort-zuruecksetzen\?token=[A-Za-z0-9_-]+)/.exec(mails[0].text)![1];
    const page = await b.get(link);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Neues Passwort festlegen/);
    const token = /name="token" value="([^"]+)"/.exec(page.body)![1];
    const short = await b.post('/konto/passwort-zuruecksetzen', { token, password: 'kurz' });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /Das Passwort muss mindestens 12 Zeichen lang sein\./);
    const ok = await b.post('/konto/passwort-zuruecksetzen', { token, password: 'Ein-neues-langes-Passwort', _lang: 'de' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/anmelden?zurueckgesetzt=1');
    const shown = await b.get(ok.headers.location as string);
    assert.match(shown.body, /Ihr Passwort wurde geändert/);
    const again = await b.post('/konto/passwort-zuruecksetzen', { token, password: 'Noch-ein-langes-Passwort' });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /Dieser Link ist unbekannt, abgelaufen oder wurde schon benutzt/);
    const none = await b.get('/konto/passwort-zuruecksetzen');
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Der Link ist unvollständig/);
  });

  /** The hidden fields of the form posting to `action` on a page, as a browser would send them. */
  function hidden(html: string, action: string): Record<string, string> {
    const form = new RegExp(`<form[^>]*action="${action.replace(/[/?]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
    assert.ok(form, `a form posting to ${action}`);
    return Object.fromEntries([...form[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  }

  for (const lang of ['de', 'en'] as const) {
    const p = lang === 'en'
      ? { forgot: '/en/account/forgot-password', login: '/en/login', account: '/en/account', home: '/en', sent: /If there is an account with this e-mail address/, reset: /Your password has been changed\. Log in/, changed: /Your password has been changed\. Other sessions/, html: /<html lang="en"/ }
      : { forgot: '/konto/passwort-vergessen', login: '/anmelden', account: '/konto', home: '/', sent: /Wenn es ein Konto mit dieser E-Mail-Adresse gibt/, reset: /Ihr Passwort wurde geändert\. Melden Sie sich/, changed: /Ihr Passwort wurde geändert\. Andere Sitzungen/, html: /<html lang="de"/ };
    test(`${lang}: after forgotten password, reset, password change and logout the reader lands on the ${lang === 'en' ? 'English' : 'German'} page with its notice`, async () => {
      const email = `lang-${lang}@herne.de`;
      await t.user(email);
      const b = browser(t);
      const form = await b.get(p.forgot);
      const sent = await b.post('/konto/passwort-vergessen', { ...hidden(form.body, '/konto/passwort-vergessen'), email });
      assert.equal(sent.statusCode, 303);
      assert.equal(sent.headers.location, `${p.forgot}?gesendet=1`);
      const sentPage = await b.get(sent.headers.location as string);
      assert.match(sentPage.body, p.html);
      assert.match(sentPage.body, p.sent);
      await t.app.drehscheibe.accounts.idle();
      const mails = (await t.app.inject({ url: `/admin/outbox?to=${email}`, headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ text: string }>;
      // The mail is in the reader's language and links to the reset page in it.
      const resetPath = lang === 'en' ? '/en/account/reset-password' : '/konto/passwort-zuruecksetzen';
      const token = new RegExp(`${resetPath}\\?token=([A-Za-z0-9_-]+)`).exec(mails[0].text)![1];
      assert.match(mails[0].text, lang === 'en' ? /^Hello / : /^Hallo /);
      const resetForm = await b.get(`${resetPath}?token=${token}`);
      const reset = await b.post('/konto/passwort-zuruecksetzen', { ...hidden(resetForm.body, '/konto/passwort-zuruecksetzen'), password: 'Ein-neues-langes-Passwort' });
      assert.equal(reset.statusCode, 303);
      assert.equal(reset.headers.location, `${p.login}?zurueckgesetzt=1`);
      const loginPage = await b.get(reset.headers.location as string);
      assert.equal(loginPage.statusCode, 200);
      assert.match(loginPage.body, p.html);
      assert.match(loginPage.body, p.reset);
      const login = await b.post('/konto/anmelden', { ...hidden(loginPage.body, '/konto/anmelden'), email, password: 'Ein-neues-langes-Passwort' });
      assert.equal(login.headers.location, p.account);
      const accountPage = await b.get(p.account);
      const changed = await b.post('/konto/passwort-aendern', { ...hidden(accountPage.body, '/konto/passwort-aendern'), currentPassword: 'Ein-neues-langes-Passwort', password: 'Noch-ein-langes-Passwort' });
      assert.equal(changed.statusCode, 303);
      assert.equal(changed.headers.location, `${p.account}?passwort-geaendert=1`);
      const changedPage = await b.get(changed.headers.location as string);
      assert.match(changedPage.body, p.changed);
      const out = await b.post('/konto/abmelden', hidden(changedPage.body, '/konto/abmelden'));
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, p.home);
      await logIn(b, email, 'Noch-ein-langes-Passwort');
      const again = await b.get(p.account);
      const all = await b.post('/konto/abmelden-ueberall', hidden(again.body, '/konto/abmelden-ueberall'));
      assert.equal(all.headers.location, p.home);
    });
  }

  test('account page: change password (wrong current → message at the field), end another session, log out everywhere', async () => {
    const other = browser(t);
    await logIn(other, 'anna@herne.de');
    const b = browser(t);
    await logIn(b, 'anna@herne.de');
    const page = await b.get('/konto');
    const ids = [...page.body.matchAll(/name="endSession" value="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(ids.length >= 1, 'the other session can be ended');
    const wrong = await b.post('/konto/passwort-aendern', { currentPassword: 'nicht-das-richtige', password: 'Ein-anderes-langes-Passwort' });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /id="account-currentPassword-error"[^>]*>.*Das aktuelle Passwort ist falsch\./);
    const noToken = await b.post('/konto', { endSession: ids[0] }, { csrf: false });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /Das Formular ist abgelaufen/);
    for (const id of ids) {
      const end = await b.post('/konto', { endSession: id });
      assert.equal(end.statusCode, 303);
    }
    assert.equal((await other.get('/konto')).statusCode, 303, 'the ended session is logged out');
    const shown = await b.get('/konto?beendet=1');
    assert.match(shown.body, /Die Sitzung wurde beendet\./);
    const all = await b.post('/konto/abmelden-ueberall', {});
    assert.equal(all.statusCode, 303);
    assert.equal((await b.get('/konto')).statusCode, 303);
  });

  test('DELETE /konto/sitzungen/<id>: the API for ending one of one\'s own sessions (404 for another person\'s)', async () => {
    await t.user('carla@herne.de');
    const anna = await t.login('anna@herne.de');
    const bruno = await t.login('carla@herne.de');
    const brunoSessions = (await t.app.inject({ url: '/konto/sitzungen', headers: { cookie: bruno.cookie } })).json() as Array<{ id: string }>;
    const foreign = await t.app.inject({ method: 'DELETE', url: `/konto/sitzungen/${brunoSessions[0].id}`, headers: { cookie: anna.cookie, 'x-csrf-token': anna.csrf } });
    assert.equal(foreign.statusCode, 404);
    const own = await t.app.inject({ method: 'DELETE', url: `/konto/sitzungen/${brunoSessions[0].id}`, headers: { cookie: bruno.cookie, 'x-csrf-token': bruno.csrf } });
    assert.equal(own.statusCode, 204);
  });
});
