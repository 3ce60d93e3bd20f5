// Mails in the person's language: German by default, English for a person who registered or last
// logged in (or asked for a reset link) on the English portal — the registration confirmation, the
// password reset and participation mails (a report to the moderators, a moderator hiding a
// proposal). Over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL for the participation store;
// TEST_ENGINE=postgres puts the accounts (the users' language column) on PostgreSQL too.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, PASSWORD, as, hourly, login, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];
const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

for (const engine of ENGINES) {
  describe(`mails in the person's language: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who, modDe: Who, modEn: Who, anna: Who;
    let proposalId = '';
    const api = (method: string, url: string, who?: Who, payload?: unknown) =>
      t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const mails = async (to: string) => (await t.app.drehscheibe.storage.accounts.listMail({ limit: 200, offset: 0, to })).reverse();
    const idle = async () => { await t.app.participation!.registration.idle(); await t.app.participation!.afterwards.idle(); await t.app.drehscheibe.accounts.idle(); };
    const langOf = async (email: string) => (await t.app.drehscheibe.storage.accounts.userByEmail(email))?.lang;
    /** A form post of the portal's pages (double-submit CSRF token and its cookie). */
    const formPost = async (page: string, url: string, fields: Record<string, string>) => {
      const g = await t.app.inject({ url: page, headers: { accept: 'text/html' } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(g.body)?.[1] ?? '';
      const cookie = ([] as string[]).concat(g.headers['set-cookie'] as string[] | string ?? []).map((c) => c.split(';')[0]).join('; ');
      return t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString() });
    };

    before(async () => {
      env = { ...engine.env(), DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test', DREHSCHEIBE_FOLLOW_INTERVAL: '0' };
      t = await testApp(env, { clock });
      steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      modDe = await person(t.app, 'moderation@herne.de', [{ role: 'moderator' }], { displayName: 'Moderation' });
      modEn = await person(t.app, 'moderation-en@herne.de', [{ role: 'moderator' }], { displayName: 'Moderation EN' });
      anna = await person(t.app, 'anna@example.org', [{ role: 'citizen' }], { displayName: 'Eule 417' });
      assert.equal((await api('POST', '/processes', steward, hourly('offen'))).statusCode, 201);
      proposalId = (await api('POST', '/processes/offen/proposals', anna, { title: 'Mehr Bänke', body: 'Am Markt' })).json().id;
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('registration confirmation: German from the German form and by default, English from the English form or lang=en', async () => {
      const de = await formPost('/beteiligung/registrieren', '/beteiligung/registrieren', { email: 'dora@example.org', password: PASSWORD, displayName: '' });
      assert.equal(de.statusCode, 303, de.body);
      const en = await formPost('/en/participation/register', '/en/participation/register', { email: 'emil@example.org', password: PASSWORD, displayName: '' });
      assert.equal(en.statusCode, 303, en.body);
      assert.equal((await t.app.inject({ method: 'POST', url: '/konto/registrieren', payload: { email: 'json-en@example.org', password: PASSWORD, lang: 'en' } })).statusCode, 202);
      assert.equal((await t.app.inject({ method: 'POST', url: '/konto/registrieren', payload: { email: 'json@example.org', password: PASSWORD } })).statusCode, 202);
      await idle();
      for (const to of ['dora@example.org', 'json@example.org']) {
        const [m] = await mails(to);
        assert.equal(m?.subject, 'Bitte bestätigen Sie Ihre E-Mail-Adresse', to);
        assert.match(m!.text, /http:\/\/drehscheibe\.test\/beteiligung\/registrieren\/bestaetigen\?token=/);
        assert.doesNotMatch(m!.text, /Please confirm/);
        assert.equal(await langOf(to), undefined, 'German is the default: nothing stored');
      }
      for (const to of ['emil@example.org', 'json-en@example.org']) {
        const [m] = await mails(to);
        assert.equal(m?.subject, 'Please confirm your e-mail address', to);
        assert.match(m!.text, /^Hello .+,\n\nwelcome to citizen participation\./);
        assert.match(m!.text, /http:\/\/drehscheibe\.test\/en\/participation\/register\/confirm\?token=/);
        assert.doesNotMatch(m!.text, /Hallo|Bürgerbeteiligung/);
        assert.equal(await langOf(to), 'en');
      }
      // The same address again from the English form: "you already have an account", in English.
      await formPost('/en/participation/register', '/en/participation/register', { email: 'dora@example.org', password: PASSWORD, displayName: '' });
      await idle();
      assert.equal((await mails('dora@example.org')).at(-1)?.subject, 'You already have an account');
    });

    test('password reset: the link in the language of the form, which becomes the person\'s; a German login switches back', async () => {
      const r = await formPost('/en/account/forgot-password', '/konto/passwort-vergessen', { email: 'anna@example.org', _lang: 'en' });
      assert.equal(r.statusCode, 303);
      await idle();
      let m = (await mails('anna@example.org')).at(-1)!;
      assert.equal(m.subject, 'Reset your password');
      assert.match(m.text, /http:\/\/drehscheibe\.test\/en\/account\/reset-password\?token=/);
      assert.equal(await langOf('anna@example.org'), 'en');
      // A JSON request without a language keeps the person's.
      await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'anna@example.org' } });
      await idle();
      assert.equal((await mails('anna@example.org')).at(-1)!.subject, 'Reset your password');
      // Logging in on the German login page makes German the language again.
      const login = await formPost('/anmelden', '/konto/anmelden', { email: 'anna@example.org', password: PASSWORD, returnTo: '/konto', _lang: 'de' });
      assert.equal(login.statusCode, 303);
      assert.equal(await langOf('anna@example.org'), 'de');
      await t.app.inject({ method: 'POST', url: '/konto/passwort-vergessen', payload: { email: 'anna@example.org' } });
      await idle();
      m = (await mails('anna@example.org')).at(-1)!;
      assert.equal(m.subject, 'Passwort zurücksetzen');
      assert.match(m.text, /http:\/\/drehscheibe\.test\/konto\/passwort-zuruecksetzen\?token=/);
    });

    test('participation mails: a report reaches each moderator in their language; a hidden proposal is told to its author in theirs', async () => {
      // The English moderator last logged in on the English portal (JSON clients say lang).
      const r = await t.app.inject({ method: 'POST', url: '/konto/anmelden', payload: { email: 'moderation-en@herne.de', password: PASSWORD, lang: 'en' } });
      assert.equal(r.statusCode, 200);
      modEn = await login(t.app, 'moderation-en@herne.de', modEn.id);
      assert.equal(await langOf('moderation-en@herne.de'), 'en');
      assert.equal((await api('POST', `/proposals/${proposalId}/report`, steward, { reason: 'Werbung' })).statusCode, 202);
      await idle(); // moderators' mails are made after the answer
      const de = (await mails('moderation@herne.de')).at(-1)!;
      assert.equal(de.subject, 'Neue Meldung: ein Vorschlag wurde gemeldet');
      assert.match(de.text, /Begründung: Werbung\nZur Moderation: http:\/\/drehscheibe\.test\/verwaltung\/beteiligung/);
      assert.doesNotMatch(de.text, /Somebody reported/);
      const en = (await mails('moderation-en@herne.de')).at(-1)!;
      assert.equal(en.subject, 'New report: a proposal was reported');
      assert.match(en.text, /Reason: Werbung\nModeration: http:\/\/drehscheibe\.test\/en\/admin\/participation/);
      assert.doesNotMatch(en.text, /Begründung/);

      // Anna is English again (English login page); the English moderator hides her proposal.
      await formPost('/en/login', '/konto/anmelden', { email: 'anna@example.org', password: PASSWORD, returnTo: '/en', _lang: 'en' });
      assert.equal(await langOf('anna@example.org'), 'en');
      const hid = await api('POST', `/proposals/${proposalId}/hide`, modEn, { reason: 'Advertising' });
      assert.ok(hid.statusCode < 300, hid.body);
      await idle();
      const told = (await mails('anna@example.org')).at(-1)!;
      assert.equal(told.subject, 'Your proposal was hidden');
      assert.match(told.text, /The moderators have hidden your proposal\.\n\nReason: Advertising/);
      void modDe;
    });
  });
}
