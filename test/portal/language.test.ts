// The page to choose the language (/sprache, /en/language): a form that posts without JavaScript,
// with CSRF like the other forms, leads back to the page the person came from in the chosen language
// and, for a logged-in person, stores the mail language (users.lang). inject(), SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, browser, logIn, HTML, type AccountsApp } from '../portal-admin/support.ts';

let t: AccountsApp;
before(async () => {
  t = await accountsApp();
  await t.user('lena@herne.de');
});
after(async () => { await t.close(); });

test('every page links to the language page from its footer, naming the page to come back to', async () => {
  const r = await t.app.inject({ url: '/strategie', headers: { accept: HTML } });
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /<a class="kern-link" href="\/sprache\?returnTo=%2Fstrategie">\s*Sprache \/ <span lang="en">Language<\/span>/);
  const en = await t.app.inject({ url: '/en/strategy', headers: { accept: HTML } });
  assert.match(en.body, /href="\/en\/language\?returnTo=%2Fen%2Fstrategy">\s*Language \/ <span lang="de">Sprache<\/span>/);
});

test('the language page is a form with both languages as radio buttons, the current one chosen, the return address and a CSRF token', async () => {
  const b = browser(t);
  const r = await b.get('/sprache?returnTo=%2Fprojekte%2Fsolarbaenke');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /<html lang="de">/);
  assert.match(r.body, /<h1[^>]*>Sprache wählen<\/h1>/);
  assert.match(r.body, /<form class="portal-form" method="post" action="\/sprache"/);
  assert.match(r.body, /<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{16,}"/);
  assert.match(r.body, /<input type="hidden" name="returnTo" value="\/projekte\/solarbaenke"/);
  assert.match(r.body, /<legend class="kern-label">In welcher Sprache möchten Sie die Seiten lesen\?<\/legend>/);
  assert.match(r.body, /type="radio" name="lang" value="de" id="sprache-de" checked/);
  assert.match(r.body, /<label class="kern-label" for="sprache-en" lang="en">English<\/label>/);
  assert.match(r.body, /<a class="kern-link" href="\/projekte\/solarbaenke">Zurück, ohne etwas zu ändern<\/a>/);
  // Nobody is logged in: no word about mails.
  assert.doesNotMatch(r.body, /E-Mails/);
  const en = await b.get('/en/language');
  assert.match(en.body, /<html lang="en">/);
  assert.match(en.body, /type="radio" name="lang" value="en" id="sprache-en" checked/);
  assert.match(en.body, /name="returnTo" value="\/en"/);
});

test('choosing English leads to the same page in English, its query kept; an address that is no page leads home', async () => {
  const b = browser(t);
  await b.get('/sprache');
  const r = await b.post('/sprache', { lang: 'en', returnTo: '/projekte/solarbaenke?tab=1' });
  assert.equal(r.statusCode, 303, r.body);
  assert.equal(r.headers.location, '/en/projects/solarbaenke?tab=1');
  assert.equal((await b.post('/en/language', { lang: 'de', returnTo: '/en/data/live' })).headers.location, '/daten/live');
  assert.equal((await b.post('/sprache', { lang: 'en', returnTo: '/beteiligung/termine' })).headers.location, '/en/participation/events');
  assert.equal((await b.post('/sprache', { lang: 'en', returnTo: '/gibt-es-nicht' })).headers.location, '/en');
  // Never off this site (no open redirect).
  for (const bad of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    assert.equal((await b.post('/sprache', { lang: 'en', returnTo: bad })).headers.location, '/en', bad);
  }
});

test('a post without a chosen language shows the form again with the message at the field, in the page language', async () => {
  const b = browser(t);
  await b.get('/sprache');
  const r = await b.post('/sprache', { lang: 'fr', returnTo: '/strategie' });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /<title>Fehler: Sprache wählen/);
  assert.match(r.body, /<fieldset class="kern-fieldset kern-fieldset--error" aria-describedby="sprache-error">/);
  assert.match(r.body, /<p class="kern-error" id="sprache-error" role="alert"><span class="kern-sr-only">Fehler: <\/span>Bitte wählen Sie eine Sprache\.<\/p>/);
  assert.match(r.body, /<a href="#sprache-de">Bitte wählen Sie eine Sprache\.<\/a>/);
  assert.match(r.body, /name="returnTo" value="\/strategie"/);
  const en = await b.post('/en/language', { returnTo: '/en' });
  assert.equal(en.statusCode, 400);
  assert.match(en.body, /Please choose a language\./);
});

test('without the CSRF token of the form the choice is refused', async () => {
  const b = browser(t);
  await b.get('/sprache');
  const r = await b.post('/sprache', { lang: 'en', returnTo: '/' }, { csrf: false });
  assert.equal(r.statusCode, 403);
  const other = await b.post('/sprache', { lang: 'en', returnTo: '/', _csrf: 'x'.repeat(43) });
  assert.equal(other.statusCode, 403);
});

test('a logged-in person\'s choice becomes the language of their mails; without the session\'s token nothing changes', async () => {
  const b = browser(t);
  assert.equal((await logIn(b, 'lena@herne.de')).statusCode, 303);
  const me = async () => ((await t.app.inject({ url: '/konto/sitzung', headers: { cookie: b.cookie } })).json() as { user: { lang?: string } }).user.lang ?? 'de';
  assert.equal(await me(), 'de');
  const page = await b.get('/sprache?returnTo=%2Fkonto');
  assert.match(page.body, /Ihre E-Mails von der Datendrehscheibe schicken wir Ihnen in der Sprache, die Sie hier wählen\. Zurzeit: Deutsch\./);
  const refused = await b.post('/sprache', { lang: 'en', returnTo: '/konto', _csrf: 'x'.repeat(43) });
  assert.equal(refused.statusCode, 403);
  assert.equal(await me(), 'de');
  const r = await b.post('/sprache', { lang: 'en', returnTo: '/konto' });
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, '/en/account');
  assert.equal(await me(), 'en');
  // The reset mail now comes in English.
  assert.equal((await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'lena@herne.de' } })).statusCode, 202);
  await t.app.drehscheibe.accounts.idle();
  const out = (await t.app.inject({ url: '/admin/outbox?to=lena%40herne.de', headers: { 'x-api-key': t.operatorKey } })).json() as Array<{ subject: string }>;
  assert.equal(out[0]?.subject, 'Reset your password');
  const enPage = await b.get('/en/language');
  assert.match(enPage.body, /Now: English\./);
  await b.post('/en/language', { lang: 'de', returnTo: '/en' });
  assert.equal(await me(), 'de');
});

test('operators set a person\'s mail language through the admin API (PATCH /admin/users/{id}); other values are refused', async () => {
  const id = await t.user('kai@herne.de');
  const bad = await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { lang: 'fr' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /lang: \\"de\\" or \\"en\\"/);
  const ok = await t.app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: { 'x-api-key': t.operatorKey }, payload: { lang: 'en' } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((ok.json() as { lang?: string }).lang, 'en');
});
