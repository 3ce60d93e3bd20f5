// The participation landing page (/beteiligung) over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL:
// per process its phase with its end, the next phase's date, what citizens may do now and the counts of
// published proposals, their comments and supports — read with the same number of store calls for 3
// processes as for 40 (one grouped query for all counts, no query per process).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, as, hourly, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

for (const engine of ENGINES) {
  describe(`participation landing page: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who;
    const people: Who[] = [];
    const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });

    before(async () => {
      env = engine.env();
      t = await testApp(env, { clock });
      steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      for (let i = 0; i < 3; i++) people.push(await person(t.app, `p${i}@example.org`, [{ role: 'citizen' }]));
      assert.equal((await api('POST', '/processes', steward, hourly('radwege', { title: { de: 'Radwege in Wanne', en: 'Cycle lanes in Wanne' } } as never))).statusCode, 201);
      assert.equal((await api('POST', '/processes', steward, hourly('ruhig', { budget: undefined, title: { de: 'Ruhiges Verfahren', en: 'A quiet process' } } as never))).statusCode, 201);
      const ids: string[] = [];
      for (const [i, who] of people.entries()) {
        const r = await api('POST', '/processes/radwege/proposals', who, { title: `Vorschlag ${i}`, body: 'Text' });
        assert.equal(r.statusCode, 201, r.body);
        ids.push(r.json().id);
      }
      for (const who of people) assert.equal((await api('POST', `/proposals/${ids[0]}/comments`, who, { body: 'Gute Idee' })).statusCode, 201);
      assert.equal((await api('POST', `/proposals/${ids[1]}/comments`, people[0], { body: 'Auch gut' })).statusCode, 201);
      for (const who of people.slice(1)) assert.ok([200, 201, 204].includes((await api('PUT', `/proposals/${ids[0]}/support`, who)).statusCode));
      assert.ok([200, 201, 204].includes((await api('PUT', `/proposals/${ids[2]}/support`, people[0])).statusCode));
      // A withdrawn proposal (with its support) is not counted.
      const w = await api('POST', '/processes/radwege/proposals', people[2], { title: 'Zurückgezogen', body: 'Text' });
      assert.ok([200, 201, 204].includes((await api('PUT', `/proposals/${w.json().id}/support`, people[1])).statusCode));
      assert.ok([200, 204].includes((await api('POST', `/proposals/${w.json().id}/withdraw`, people[2])).statusCode));
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    /** The card of a process on the landing page (its <li>). */
    const card = (html: string, title: string) => {
      const i = html.indexOf(`>${title}</a></h2>`);
      assert.ok(i > 0, `a card for ${title}`);
      return html.slice(html.lastIndexOf('<li class="process-card">', i), html.indexOf('</li>', i));
    };

    test('each process shows its phase with its end, the next phase, what is open now and its counts', async () => {
      const r = await t.app.inject({ url: '/beteiligung' });
      assert.equal(r.statusCode, 200);
      const c = card(r.body, 'Radwege in Wanne');
      // The participation phase runs 11:00–12:00 UTC on 7 December (12:00–13:00 in Herne).
      assert.match(c, /<strong>Aktuelle Phase: Beteiligung<\/strong> bis 7\. Dezember 2026/);
      assert.match(c, /Nächste Phase: Abstimmung ab 7\. Dezember 2026/);
      assert.match(c, /Jetzt möglich: Vorschläge machen, kommentieren, unterstützen/);
      assert.match(c, /<dt>Vorschläge<\/dt><dd>3<\/dd>/);
      assert.match(c, /<dt>Kommentare<\/dt><dd>4<\/dd>/);
      assert.match(c, /<dt>Unterstützungen<\/dt><dd>3<\/dd>/);
      const q = card(r.body, 'Ruhiges Verfahren');
      assert.match(q, /<dt>Vorschläge<\/dt><dd>0<\/dd>/);
      assert.match(q, /<dt>Unterstützungen<\/dt><dd>0<\/dd>/);
      const en = await t.app.inject({ url: '/en/participation' });
      assert.match(card(en.body, 'Cycle lanes in Wanne'), /Open now: make proposals, comment, support/);
    });

    test('in the voting phase the budget is open where there is one; after the last phase nothing is', async () => {
      clock.set(AT.voting!);
      try {
        const r = await t.app.inject({ url: '/beteiligung' });
        assert.match(card(r.body, 'Radwege in Wanne'), /Jetzt möglich: kommentieren, Budget verteilen/);
        assert.match(card(r.body, 'Ruhiges Verfahren'), /Jetzt möglich: kommentieren</);
        clock.set(AT.after!);
        const after = await t.app.inject({ url: '/beteiligung' });
        assert.match(card(after.body, 'Radwege in Wanne'), /Zurzeit ist keine Beteiligung möglich\./);
        assert.doesNotMatch(card(after.body, 'Radwege in Wanne'), /Nächste Phase/);
      } finally {
        clock.set(AT.participation!);
      }
    });

    test('the page reads the store as often for 40 processes as for 2: no query per process', async () => {
      const store = t.app.participation!.store as unknown as Record<string, unknown>;
      const calls: string[] = [];
      const originals = new Map<string, (...a: unknown[]) => unknown>();
      for (let o = Object.getPrototypeOf(store); o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
        for (const k of Object.getOwnPropertyNames(o)) {
          if (k === 'constructor' || originals.has(k) || typeof store[k] !== 'function') continue;
          const f = store[k] as (...a: unknown[]) => unknown;
          originals.set(k, f);
          store[k] = (...a: unknown[]) => { calls.push(k); return f.apply(store, a); };
        }
      }
      try {
        const count = async () => {
          calls.length = 0;
          const r = await t.app.inject({ url: '/beteiligung' });
          assert.equal(r.statusCode, 200);
          return [...calls].sort();
        };
        const few = await count();
        // (an adapter's own helpers may show up too, e.g. PostgreSQL's row reader, but as often for 40 as for 2)
        assert.deepEqual(few.filter((k) => k === 'listProcesses' || k === 'processCounts'), ['listProcesses', 'processCounts']);
        assert.ok(!few.some((k) => /proposal|comment|support|getProcess/i.test(k)), few.join(', '));
        for (let i = 0; i < 38; i++) assert.equal((await api('POST', '/processes', steward, hourly(`viele-${i}`))).statusCode, 201);
        const many = await count();
        assert.deepEqual(many, few);
        const r = await t.app.inject({ url: '/beteiligung' });
        assert.equal(r.body.match(/<li class="process-card">/g)?.length, 40);
      } finally {
        for (const k of originals.keys()) delete store[k];
      }
    });
  });
}
