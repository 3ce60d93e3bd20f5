// Events with registration over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL: stewards create and
// change events (API and form), signed-in people register once and cancel, the capacity holds under
// parallel requests (the database's constraint), a full event says so, one event as iCalendar; the pages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { T0, as, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

const EVENT = {
  id: 'werkstatt', title: { de: 'Bürgerwerkstatt Innenstadt', en: 'Town centre workshop' }, start: '2026-12-10T18:00:00+01:00', end: '2026-12-10T20:30:00+01:00',
  place: 'Kulturzentrum, Willi-Pohlmann-Platz 1, Herne', description: { de: 'Wir sammeln Ideen; Kaffee, Ruhe.', en: 'We collect ideas.' }, lat: 51.5381, lon: 7.2196, capacity: 4, registration: true,
};
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

for (const engine of ENGINES) {
  describe(`participation events: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(T0);
    let steward: Who;
    let unconfirmed: Who;
    const people: Who[] = [];
    const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const get = (url: string, who?: Who) => t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
    const post = (url: string, who: Who | undefined, form: Record<string, string>) => t.app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) } });

    before(async () => {
      env = engine.env();
      t = await testApp(env, { clock });
      assert.equal(t.app.participation!.store.engine, engine.name);
      steward = await person(t.app, 'termine@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      unconfirmed = await person(t.app, 'neu@example.org', [{ role: 'citizen' }], { confirmed: false });
      for (let i = 0; i < 7; i++) people.push(await person(t.app, `t${i}@example.org`, [{ role: 'citizen' }]));
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('stewards create events; anonymous 401, citizens 403; bad input is 400 naming each field and stores nothing', async () => {
      assert.equal((await api('POST', '/events', undefined, EVENT)).statusCode, 401);
      assert.equal((await api('POST', '/events', people[0], EVENT)).statusCode, 403);
      const bad = await api('POST', '/events', steward, { title: { de: '' }, start: 'morgen', end: '2020-01-01T00:00:00Z', place: '', capacity: 0, lat: 51.5, extra: 1 });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field).sort(), ['capacity', 'extra', 'lon', 'place', 'start', 'title']);
      assert.deepEqual((await api('GET', '/events?all=1')).json(), [], 'nothing stored');
      const r = await api('POST', '/events', steward, EVENT);
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.headers.location, '/api/participation/events/werkstatt');
      assert.deepEqual(r.json(), {
        id: 'werkstatt', title: EVENT.title, start: '2026-12-10T17:00:00.000Z', end: '2026-12-10T19:30:00.000Z', place: EVENT.place, description: EVENT.description,
        point: [7.2196, 51.5381], capacity: 4, registration: true, taken: 0, left: 4, full: false, open: true,
      });
      assert.equal((await api('POST', '/events', steward, EVENT)).statusCode, 409, 'a second event with the id');
      // The strategy module keeps the event: its API and the city-wide feed show it.
      assert.ok((await t.app.inject({ url: '/api/strategy/events' })).json().some((e: { id: string }) => e.id === 'werkstatt'));
      assert.match((await api('GET', '/events.ics')).body, /SUMMARY:Bürgerwerkstatt Innenstadt/);
    });

    test('registering: once per person (unconfirmed 403, anonymous 401); the seat beyond the capacity is 409 EventFull; cancelling frees it', async () => {
      assert.equal((await api('PUT', '/events/werkstatt/registration')).statusCode, 401);
      assert.equal((await api('PUT', '/events/werkstatt/registration', unconfirmed)).statusCode, 403);
      const first = await api('PUT', '/events/werkstatt/registration', people[0]);
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual([first.json().registered, first.json().taken, first.json().left], [true, 1, 3]);
      assert.equal((await api('PUT', '/events/werkstatt/registration', people[0])).json().taken, 1, 'twice counts once');
      assert.equal((await api('GET', '/events/werkstatt', people[0])).json().registered, true);
      assert.equal((await api('GET', '/events/werkstatt', people[1])).json().registered, false);
      for (const p of people.slice(1, 4)) assert.equal((await api('PUT', '/events/werkstatt/registration', p)).statusCode, 200);
      const full = await api('PUT', '/events/werkstatt/registration', people[4]);
      assert.equal(full.statusCode, 409);
      assert.equal(full.json().type, 'https://drehscheibe.dev/errors/EventFull');
      assert.equal(await t.app.participation!.store.isRegisteredForEvent('werkstatt', people[4]!.id), false);
      assert.deepEqual([(await api('GET', '/events/werkstatt')).json().full, (await api('GET', '/events/werkstatt')).json().left], [true, 0]);
      const c = await api('DELETE', '/events/werkstatt/registration', people[0]);
      assert.deepEqual([c.statusCode, c.json().registered, c.json().taken], [200, false, 3]);
      assert.equal((await api('DELETE', '/events/werkstatt/registration', people[0])).statusCode, 404);
      assert.equal((await api('PUT', '/events/werkstatt/registration', people[4])).statusCode, 200);
      // An event without registration takes none; one that has begun takes none either.
      assert.equal((await api('POST', '/events', steward, { id: 'offen', title: { de: 'Offene Sprechstunde' }, start: '2026-12-20T10:00:00Z', place: 'Rathaus' })).statusCode, 201);
      assert.equal((await api('PUT', '/events/offen/registration', people[5])).statusCode, 409);
      assert.equal((await api('POST', '/events', steward, { ...EVENT, id: 'vorbei', start: '2026-12-01T10:00:00Z', end: undefined })).statusCode, 201);
      assert.equal((await api('PUT', '/events/vorbei/registration', people[5])).statusCode, 409);
      assert.deepEqual((await api('GET', '/events')).json().map((e: { id: string }) => e.id), ['werkstatt', 'offen'], 'past events are left out of the list');
    });

    test('a capacity below the registrations is refused (400 at capacity); a bigger one opens seats', async () => {
      const low = await api('PUT', '/events/werkstatt', steward, { ...EVENT, capacity: 2 });
      assert.equal(low.statusCode, 400);
      assert.deepEqual(low.json().errors.map((e: { field: string }) => e.field), ['capacity']);
      assert.equal((await api('GET', '/events/werkstatt')).json().capacity, 4, 'nothing changed');
      const up = await api('PUT', '/events/werkstatt', steward, { ...EVENT, capacity: 6 });
      assert.deepEqual([up.statusCode, up.json().left], [200, 2]);
      assert.equal((await api('PUT', '/events/werkstatt', people[0], EVENT)).statusCode, 403);
      assert.equal((await api('PUT', '/events/nope', steward, EVENT)).statusCode, 404);
    });

    test('parallel registrations (7 people × 3 requests for the 2 seats left of 6) never exceed the capacity', async () => {
      await api('PUT', '/events/werkstatt', steward, { ...EVENT, id: undefined, capacity: 6 });
      const before = (await api('GET', '/events/werkstatt')).json().taken;
      const res = await Promise.all(people.flatMap((p) => [0, 1, 2].map(() => api('PUT', '/events/werkstatt/registration', p))));
      assert.ok(res.every((r) => r.statusCode === 200 || r.statusCode === 409), res.map((r) => r.statusCode).join(','));
      const s = t.app.participation!.store;
      let rows = 0;
      for (const p of people) if (await s.isRegisteredForEvent('werkstatt', p.id)) rows++;
      assert.equal(before, 4);
      assert.equal(rows, 6);
      assert.equal((await api('GET', '/events/werkstatt')).json().taken, 6);
      assert.ok(res.some((r) => r.statusCode === 409 && r.json().type.endsWith('/EventFull')));
    });

    test('one event as iCalendar: DTSTART in UTC, the place, the page\'s URL', async () => {
      const r = await api('GET', '/events/werkstatt/kalender.ics');
      assert.equal(r.statusCode, 200);
      assert.match(r.headers['content-type'] as string, /^text\/calendar/);
      assert.match(r.body, /BEGIN:VEVENT\r\nUID:werkstatt@[^\r]+\r\nDTSTAMP:\d{8}T\d{6}Z\r\nDTSTART:20261210T170000Z\r\nDTEND:20261210T193000Z\r\n/);
      assert.match(r.body, /LOCATION:Kulturzentrum\\, Willi-Pohlmann-Platz 1\\, Herne/);
      assert.match(r.body, /URL:http[^\r]*\/beteiligung\/termine\/werkstatt/);
      assert.equal((r.body.match(/BEGIN:VEVENT/g) ?? []).length, 1);
      assert.equal((await api('GET', '/events/nope/kalender.ics')).statusCode, 404);
    });

    test('pages: the list and the event (date, place, seats, map data), registration by form, a full event says so', async () => {
      const list = await get('/beteiligung/termine');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /<h1 class="kern-heading-x-large">Termine der Stadt<\/h1>/);
      assert.match(list.body, /href="\/beteiligung\/termine\/werkstatt">Bürgerwerkstatt Innenstadt<\/a>/);
      assert.match((await get('/beteiligung')).body, /href="\/beteiligung\/termine">Termine der Stadt<\/a>/);
      const page = await get('/beteiligung/termine/werkstatt');
      assert.match(page.body, /<dt>Wann<\/dt><dd>10\. Dezember 2026, 18:00–20:30 Uhr<\/dd>/);
      assert.match(page.body, /<dt>Wo<\/dt><dd>Kulturzentrum, Willi-Pohlmann-Platz 1, Herne<br\/><span class="kern-body--small">Koordinaten: Breite 51,53810, Länge 7,21960<\/span><\/dd>/);
      assert.match(page.body, /<dt>Anmeldung<\/dt><dd>Anmeldung erforderlich<\/dd>/);
      assert.match(page.body, /Ausgebucht – alle Plätze sind vergeben\./);
      assert.match(page.body, /data-features="[^"]*7\.2196/);
      assert.match(page.body, /href="\/api\/participation\/events\/werkstatt\/kalender\.ics"/);
      assert.doesNotMatch(page.body, /Verbindlich anmelden/, 'no button on a full event');
      // A registered person cancels by form, another takes the seat.
      const mine = await get('/beteiligung/termine/werkstatt', people[1]);
      assert.match(mine.body, /Sie sind für diesen Termin angemeldet\./);
      const c = await post('/beteiligung/termine/werkstatt/anmeldung', people[1], { _csrf: csrfOf(mine.body), aktion: 'stornieren' });
      assert.deepEqual([c.statusCode, c.headers.location], [303, '/beteiligung/termine/werkstatt?hinweis=eventCancelled#anmeldung']);
      const s = t.app.participation!.store;
      let free: Who | undefined;
      for (const p of people) if (p !== people[1] && !(await s.isRegisteredForEvent('werkstatt', p.id))) { free = p; break; }
      const form = await get('/beteiligung/termine/werkstatt', free);
      assert.match(form.body, /1 von 6 Plätzen frei/);
      assert.match(form.body, /Verbindlich anmelden/);
      const r = await post('/beteiligung/termine/werkstatt/anmeldung', free, { _csrf: csrfOf(form.body), aktion: 'anmelden' });
      assert.equal(r.statusCode, 303);
      assert.match((await get(r.headers.location!, free)).body, /Sie sind angemeldet\. Wir freuen uns auf Sie!/);
      // The seat went to someone else between showing the page and posting: the page says the event is full.
      const late = await post('/beteiligung/termine/werkstatt/anmeldung', people[1], { _csrf: csrfOf(mine.body), aktion: 'anmelden' });
      assert.equal(late.statusCode, 409);
      assert.match(late.body, /Ausgebucht – alle Plätze sind vergeben\./);
      assert.match((await get('/beteiligung/termine/werkstatt')).body, /Melden Sie sich an|Ausgebucht/);
      assert.match((await get('/en/participation/events/werkstatt')).body, /<h1 class="kern-heading-x-large">Town centre workshop<\/h1>/);
    });

    test('stewards\' form: German messages at the fields, the time read as German time; citizens 403, anonymous to the login', async () => {
      assert.equal((await get('/verwaltung/termine')).statusCode, 303);
      assert.equal((await get('/verwaltung/termine', people[0])).statusCode, 403);
      const admin = await get('/verwaltung/termine', steward);
      assert.equal(admin.statusCode, 200);
      assert.match(admin.body, /<th scope="row"><a class="kern-link" href="\/verwaltung\/termine\/werkstatt">Bürgerwerkstatt Innenstadt<\/a><\/th>/);
      const form = await get('/verwaltung/termine/neu', steward);
      const bad = await post('/verwaltung/termine/neu', steward, { _csrf: csrfOf(form.body), title_de: '', start: '', place: 'Rathaus', capacity: 'viele' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /<a href="#title_de">Bitte geben Sie einen Titel an \(höchstens 200 Zeichen\)\.<\/a>/);
      assert.match(bad.body, /id="start-error" role="alert"><span class="kern-sr-only">Fehler: <\/span>Bitte geben Sie Datum und Uhrzeit des Beginns an\./);
      assert.match(bad.body, /id="capacity-error"/);
      assert.match(bad.body, /name="place" class="kern-form-input__input"[^>]*value="Rathaus"/);
      const ok = await post('/verwaltung/termine/neu', steward, { _csrf: csrfOf(form.body), title_de: 'Sprechstunde Digitales', start: '2026-12-15T17:00', place: 'Rathaus Herne', capacity: '', registration: 'true' });
      assert.equal(ok.statusCode, 303, ok.body);
      const id = /\/beteiligung\/termine\/([^?]+)\?hinweis=eventSaved/.exec(ok.headers.location!)![1]!;
      const e = (await api('GET', `/events/${id}`)).json();
      assert.deepEqual([e.start, e.registration, e.capacity], ['2026-12-15T16:00:00.000Z', true, undefined]);
      const edit = await get(`/verwaltung/termine/${id}`, steward);
      assert.match(edit.body, /type="datetime-local" value="2026-12-15T17:00"/);
    });
  });
}
