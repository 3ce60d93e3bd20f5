// Participation part 4 over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL: the „Folgen“ button on
// strategy project pages (a login link when logged out), stewards' list of who registered for an
// event (API, CSV, admin page; never public), and the waiting list of a full event — the first
// waiting person gets a freed seat and a mail, and parallel cancellations never give a seat twice.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { PASSWORD, T0, as, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

const event = (id: string, capacity: number) => ({
  id, title: { de: `Werkstatt ${id}`, en: `Workshop ${id}` }, start: '2026-12-10T18:00:00+01:00', place: 'Rathaus Herne', capacity, registration: true,
});
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

for (const engine of ENGINES) {
  describe(`participation part 4 (follow projects, attendees, waiting list): ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(T0);
    let steward: Who;
    const people: Who[] = [];
    const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const get = (url: string, who?: Who) => t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
    const post = (url: string, who: Who | undefined, form: Record<string, string>) => t.app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) } });
    const mails = (to: string) => t.app.drehscheibe.storage.accounts.listMail({ limit: 200, offset: 0, to });

    before(async () => {
      env = { ...engine.env(), DREHSCHEIBE_FOLLOW_INTERVAL: '0', DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test' };
      t = await testApp(env, { clock });
      assert.equal(t.app.participation!.store.engine, engine.name);
      await loadStarter(t.app.drehscheibe.strategy);
      steward = await person(t.app, 'termine@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      for (let i = 0; i < 12; i++) people.push(await person(t.app, `w${i}@example.org`, [{ role: 'citizen' }], { displayName: `Person ${i}` }));
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('project pages: logged out a link to log in; logged in the „Folgen“ form follows and unfollows the project', async () => {
      const anon = await get('/projekte/solarbaenke');
      assert.equal(anon.statusCode, 200);
      assert.match(anon.body, /href="\/anmelden\?returnTo=%2Fprojekte%2Fsolarbaenke"[^>]*>Melden Sie sich an, um diesem Projekt zu folgen/);
      assert.doesNotMatch(anon.body, /action="\/beteiligung\/folgen"/);
      const en = await get('/en/projects/solarbaenke');
      assert.match(en.body, /Log in to follow this project/);

      const who = people[0]!;
      const page = await get('/projekte/solarbaenke', who);
      assert.match(page.body, /<form method="post" action="\/beteiligung\/folgen"/);
      assert.match(page.body, /name="kind" value="project"/);
      assert.match(page.body, />Folgen</);
      const r = await post('/beteiligung/folgen', who, { _csrf: csrfOf(page.body), kind: 'project', id: 'solarbaenke', zurueck: '/projekte/solarbaenke', aktion: 'folgen' });
      assert.equal(r.statusCode, 303, r.body);
      assert.equal(r.headers.location, '/projekte/solarbaenke?hinweis=followed');
      const follows = (await api('GET', '/follows', who)).json();
      assert.deepEqual(follows.follows.map((f: { kind: string; targetId: string }) => [f.kind, f.targetId]), [['project', 'solarbaenke']]);
      const again = await get('/projekte/solarbaenke', who);
      assert.match(again.body, /Nicht mehr folgen/);
      assert.match(again.body, /name="aktion" value="entfolgen"/);
      assert.equal((await post('/beteiligung/folgen', who, { _csrf: csrfOf(again.body), kind: 'project', id: 'solarbaenke', zurueck: '/projekte/solarbaenke', aktion: 'entfolgen' })).statusCode, 303);
      assert.deepEqual((await api('GET', '/follows', who)).json().follows, []);
    });

    test('stewards see who registered (API, CSV, admin page); citizens 403, anonymous 401; never on public pages', async () => {
      assert.equal((await api('POST', '/events', steward, event('liste', 10))).statusCode, 201);
      assert.equal((await api('PUT', '/events/liste/registration', people[1])).statusCode, 200);
      assert.equal((await api('PUT', '/events/liste/registration', people[2])).statusCode, 200);
      assert.equal((await api('GET', '/events/liste/registrations')).statusCode, 401);
      assert.equal((await api('GET', '/events/liste/registrations', people[1])).statusCode, 403);
      assert.equal((await api('GET', '/events/liste/registrations.csv', people[1])).statusCode, 403);
      assert.equal((await api('GET', '/events/nirgends/registrations', steward)).statusCode, 404);
      const r = await api('GET', '/events/liste/registrations', steward);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['cache-control'], 'no-store');
      // (Both registered at the same instant of the fixed clock: their order is the engine's, so sorted here.)
      const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email);
      assert.deepEqual(r.json().registered.sort(byEmail), [{ name: 'Person 1', email: 'w1@example.org', at: T0 }, { name: 'Person 2', email: 'w2@example.org', at: T0 }]);
      assert.deepEqual(r.json().waiting, []);
      const csv = await api('GET', '/events/liste/registrations.csv', steward);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /attachment; filename="anmeldungen-liste.csv"/);
      const lines = csv.body.split('\r\n');
      assert.equal(lines[0], 'status,displayName,email,at');
      assert.deepEqual(lines.slice(1, 3).sort(), [`angemeldet,Person 1,w1@example.org,${T0}`, `angemeldet,Person 2,w2@example.org,${T0}`]);
      assert.equal(lines.length, 4, 'CRLF after the last line');

      const admin = await get('/verwaltung/termine/liste', steward);
      assert.equal(admin.statusCode, 200);
      assert.match(admin.body, /Wer sich angemeldet hat/);
      assert.match(admin.body, /<th scope="row">Person 1<\/th><td>w1@example.org<\/td>/);
      assert.match(admin.body, /href="\/api\/participation\/events\/liste\/registrations.csv"/);
      assert.equal((await get('/verwaltung/termine/liste', people[1])).statusCode, 403);
      // Nowhere public: the event's page and API, the list, the feed.
      for (const url of ['/beteiligung/termine/liste', '/beteiligung/termine', '/api/participation/events/liste', '/api/participation/events?all=1', '/api/participation/events.ics']) {
        const body = (await get(url, people[3])).body;
        assert.doesNotMatch(body, /w1@example\.org|Person 1/, url);
      }
    });

    test('waiting list: a full event offers it; the first waiting person gets a freed seat and a mail, the others move up', async () => {
      assert.equal((await api('POST', '/events', steward, event('voll', 2))).statusCode, 201);
      const [a, b, c, d] = [people[4]!, people[5]!, people[6]!, people[7]!];
      assert.equal((await api('PUT', '/events/voll/registration', a)).statusCode, 200);
      assert.equal((await api('PUT', '/events/voll/registration', b)).statusCode, 200);
      assert.equal((await api('PUT', '/events/voll/registration', c)).json().type, 'https://drehscheibe.dev/errors/EventFull');
      assert.equal((await api('PUT', '/events/voll/waitlist')).statusCode, 401);
      assert.equal((await api('PUT', '/events/voll/waitlist', a)).statusCode, 409, 'registered people do not wait');
      // The page offers the waiting list to a signed-in person and joins it without JavaScript.
      const page = await get('/beteiligung/termine/voll', c);
      assert.match(page.body, /Ausgebucht/);
      assert.match(page.body, /name="aktion" value="warteliste"/);
      assert.match(page.body, /Auf die Warteliste setzen/);
      const joined = await post('/beteiligung/termine/voll/anmeldung', c, { _csrf: csrfOf(page.body), aktion: 'warteliste' });
      assert.equal(joined.statusCode, 303, joined.body);
      assert.equal(joined.headers.location, '/beteiligung/termine/voll?hinweis=eventWaiting#anmeldung');
      assert.match((await get('/beteiligung/termine/voll', c)).body, /Sie stehen auf der Warteliste, an Stelle 1\./);
      const dj = await api('PUT', '/events/voll/waitlist', d);
      assert.equal(dj.statusCode, 200, dj.body);
      assert.equal(dj.json().waiting, 2);
      assert.equal((await api('PUT', '/events/voll/waitlist', d)).json().waiting, 2, 'once per person');
      assert.deepEqual((await api('GET', '/events/voll/registrations', steward)).json().waiting.map((x: { email: string }) => x.email), ['w6@example.org', 'w7@example.org']);

      const before = (await mails('w6@example.org')).length;
      const cancelled = await api('DELETE', '/events/voll/registration', a);
      assert.equal(cancelled.statusCode, 200);
      assert.equal(cancelled.json().taken, 2, 'the seat went on at once');
      assert.equal(cancelled.json().full, true);
      const cView = (await api('GET', '/events/voll', c)).json();
      assert.equal(cView.registered, true);
      assert.equal(cView.waiting, null);
      assert.equal((await api('GET', '/events/voll', d)).json().waiting, 1, 'the next one moved up');
      const got = (await mails('w6@example.org')).slice(before);
      assert.equal(got.length, 1);
      assert.match(got[0]!.subject, /^Sie haben einen Platz: Werkstatt voll/);
      assert.match(got[0]!.text, /http:\/\/drehscheibe\.test\/beteiligung\/termine\/voll/);
      assert.match(got[0]!.text, /Sie standen auf der Warteliste und sind jetzt angemeldet/);
      assert.doesNotMatch(got[0]!.text, /A seat at/, 'one language: the person\'s (German by default)');
      assert.equal((await mails('w7@example.org')).filter((m) => m.subject.startsWith('Sie haben einen Platz')).length, 0);

      // Leaving the list (page and API); a person's waiting place is in their data export, and the list is not public.
      const mine = (await api('GET', '/me/export', d)).body;
      assert.match(mine, /"eventWaitlist":\[\{"eventId":"voll"/);
      const dPage = await get('/beteiligung/termine/voll', d);
      const left = await post('/beteiligung/termine/voll/anmeldung', d, { _csrf: csrfOf(dPage.body), aktion: 'warteliste-verlassen' });
      assert.equal(left.headers.location, '/beteiligung/termine/voll?hinweis=eventLeftWaitlist#anmeldung');
      assert.equal((await api('DELETE', '/events/voll/waitlist', d)).statusCode, 404);
      assert.equal((await api('DELETE', '/events/voll/registration', b)).json().taken, 1, 'nobody waits: the seat is free');
      // A seat free when joining is taken at once.
      const free = await api('PUT', '/events/voll/waitlist', d);
      assert.equal(free.json().registered, true);
      assert.equal(free.json().taken, 2);
      // A raised capacity moves the waiting list up at once, with the mail.
      const e = people[8]!;
      assert.equal((await api('PUT', '/events/voll/waitlist', e)).json().waiting, 1);
      assert.equal((await api('PUT', '/events/voll/registration', e)).statusCode, 409);
      assert.equal((await api('PUT', '/events/voll', steward, { ...event('voll', 3), id: undefined })).statusCode, 200);
      assert.equal((await api('GET', '/events/voll', e)).json().registered, true);
      assert.equal((await mails('w8@example.org')).filter((m) => m.subject.startsWith('Sie haben einen Platz')).length, 1);
    });

    test('parallel cancellations never give a seat twice: 2 seats, 5 waiting, each registered person cancels 3 times at once', async () => {
      assert.equal((await api('POST', '/events', steward, event('andrang', 2))).statusCode, 201);
      const [r1, r2, ...waiting] = people.slice(0, 7) as Who[];
      assert.equal((await api('PUT', '/events/andrang/registration', r1)).statusCode, 200);
      assert.equal((await api('PUT', '/events/andrang/registration', r2)).statusCode, 200);
      for (const w of waiting) assert.equal((await api('PUT', '/events/andrang/waitlist', w)).statusCode, 200);
      const answers = await Promise.all([r1, r2, r1, r2, r1, r2].map((w) => api('DELETE', '/events/andrang/registration', w)));
      assert.deepEqual(answers.map((x) => x.statusCode).sort(), [200, 200, 404, 404, 404, 404]);
      const list = (await api('GET', '/events/andrang/registrations', steward)).json();
      assert.deepEqual(list.registered.map((x: { email: string }) => x.email).sort(), [waiting[0]!, waiting[1]!].map((w) => `w${people.indexOf(w)}@example.org`).sort(), 'the first two waiting got the seats');
      assert.deepEqual(list.waiting.map((x: { email: string }) => x.email), waiting.slice(2).map((w) => `w${people.indexOf(w)}@example.org`));
      assert.equal((await api('GET', '/events/andrang')).json().taken, 2);
      // Cancellations of the promoted people and new joins at once: still never more than the seats.
      const mixed = await Promise.all([api('DELETE', '/events/andrang/registration', waiting[0]), api('DELETE', '/events/andrang/registration', waiting[1]), api('PUT', '/events/andrang/waitlist', people[8]), api('PUT', '/events/andrang/registration', people[9])]);
      assert.ok(mixed.every((x) => x.statusCode === 200 || x.statusCode === 409), mixed.map((x) => x.statusCode).join());
      const after2 = (await api('GET', '/events/andrang/registrations', steward)).json();
      assert.equal(after2.registered.length, 2);
      assert.equal((await api('GET', '/events/andrang')).json().taken, 2);
      const regs = new Set(after2.registered.map((x: { email: string }) => x.email));
      for (const w of after2.waiting) assert.ok(!regs.has(w.email), 'nobody both registered and waiting');
    });

    test('a deleted account (by the person, or by an operator) gives its seat to the first waiting person, with the mail', async () => {
      assert.equal((await api('POST', '/events', steward, event('geloescht', 1))).statusCode, 201);
      const [holder, first, second] = await Promise.all(['d0', 'd1', 'd2'].map((n) => person(t.app, `${n}@example.org`, [{ role: 'citizen' }], { displayName: `Konto ${n}` })));
      assert.equal((await api('PUT', '/events/geloescht/registration', holder)).statusCode, 200);
      for (const w of [first!, second!]) assert.equal((await api('PUT', '/events/geloescht/waitlist', w)).statusCode, 200);
      // The person deletes their own account: the seat goes to the first waiting person, who is told.
      assert.equal((await api('POST', '/me/delete', holder, { password: 'falsch' })).statusCode, 403);
      const del = await api('POST', '/me/delete', holder, { password: PASSWORD });
      assert.ok(del.statusCode < 300, del.body);
      let list = (await api('GET', '/events/geloescht/registrations', steward)).json();
      assert.deepEqual(list.registered.map((x: { email: string }) => x.email), ['d1@example.org']);
      assert.deepEqual(list.waiting.map((x: { email: string }) => x.email), ['d2@example.org']);
      assert.equal((await api('GET', '/events/geloescht')).json().taken, 1);
      const seat = (await mails('d1@example.org')).filter((m) => m.subject === 'Sie haben einen Platz: Werkstatt geloescht');
      assert.equal(seat.length, 1);
      assert.match(seat[0]!.text, /http:\/\/drehscheibe\.test\/beteiligung\/termine\/geloescht/);
      // An operator deletes the promoted person's account: the next one moves up the same way.
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/admin/users/${first!.id}` })).statusCode, 204);
      list = (await api('GET', '/events/geloescht/registrations', steward)).json();
      assert.deepEqual(list.registered.map((x: { email: string }) => x.email), ['d2@example.org']);
      assert.deepEqual(list.waiting, []);
      assert.equal((await mails('d2@example.org')).filter((m) => m.subject.startsWith('Sie haben einen Platz')).length, 1);
      assert.equal((await api('GET', '/events/geloescht')).json().taken, 1);
    });
  });
}
