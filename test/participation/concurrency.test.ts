// Concurrency is the database's job: parallel requests over HTTP count one support per person and
// proposal and keep one budget ballot and one survey answer per person, on SQLite and (with TEST_PG_URL) on PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, T0, as, hourly, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];

for (const engine of ENGINES) {
  describe(`participation under parallel requests: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    const people: Who[] = [];

    before(async () => {
      env = engine.env();
      t = await testApp(env, { clock });
      assert.equal(t.app.participation!.store.engine, engine.name);
      for (let i = 0; i < 8; i++) people.push(await person(t.app, `p${i}@example.org`, [{ role: 'citizen' }]));
      const steward = await person(t.app, 'st@herne.de', [{ role: 'steward' }]);
      const r = await t.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(steward), payload: hourly('parallel', { budget: 1000 } as never) });
      assert.equal(r.statusCode, 201, r.body);
      const s = t.app.participation!.store;
      for (const id of ['x', 'y']) {
        await s.createProposal({ id, processSlug: 'parallel', authorId: 'a', authorName: 'A', title: id, body: id, state: 'published', supportCount: 0, commentCount: 0, createdAt: T0, modifiedAt: T0, cost: 600 });
      }
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('8 people × 10 parallel supports each (and withdrawals racing them) end with exactly one support per person', async () => {
      const reqs = people.flatMap((p) => Array.from({ length: 10 }, () => t.app.inject({ method: 'PUT', url: '/api/participation/proposals/x/support', headers: as(p) })));
      const res = await Promise.all(reqs);
      assert.ok(res.every((r) => r.statusCode === 200), res.map((r) => r.statusCode).join(','));
      const got = (await t.app.inject({ url: '/api/participation/proposals/x' })).json();
      assert.equal(got.supportCount, 8);
      // Withdraw and re-support in parallel: the count always equals the rows kept.
      const mixed = people.flatMap((p, i) => [
        t.app.inject({ method: 'DELETE', url: '/api/participation/proposals/x/support', headers: as(p) }),
        t.app.inject({ method: i % 2 ? 'PUT' : 'DELETE', url: '/api/participation/proposals/x/support', headers: as(p) }),
      ]);
      await Promise.all(mixed);
      const s = t.app.participation!.store;
      let rows = 0;
      for (const p of people) if (await s.hasSupport('x', p.id)) rows++;
      assert.equal((await s.getProposal('x'))!.supportCount, rows);
    });

    test('one person casts 10 ballots at once: one is kept (201), the others are 409; over budget is 400 and keeps nothing', async () => {
      clock.set(AT.voting!);
      const p = people[0]!;
      const res = await Promise.all(Array.from({ length: 10 }, (_, i) => t.app.inject({ method: 'POST', url: '/api/participation/processes/parallel/ballot', headers: as(p), payload: { proposalIds: [i % 2 ? 'x' : 'y'] } })));
      assert.deepEqual(res.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const over = await t.app.inject({ method: 'POST', url: '/api/participation/processes/parallel/ballot', headers: as(people[1]), payload: { proposalIds: ['x', 'y'] } });
      assert.equal(over.statusCode, 400);
      assert.match(over.json().detail, /more than the budget/);
      assert.equal((await t.app.inject({ url: '/api/participation/processes/parallel/ballot', headers: as(people[1]) })).statusCode, 404);
      const mine = (await t.app.inject({ url: '/api/participation/processes/parallel/ballot', headers: as(p) })).json();
      assert.equal(mine.items.length, 1);
    });

    test('each of 8 people answers a survey 5 times at once: one answer each is kept (201), the rest are 409, the results count 8', async () => {
      clock.set(AT.participation!);
      const steward = await person(t.app, 'st2@herne.de', [{ role: 'steward' }]);
      const created = await t.app.inject({ method: 'POST', url: '/api/participation/processes/parallel/surveys', headers: as(steward), payload: {
        title: { de: 'Parallel' }, questions: [{ kind: 'scale', required: true, text: { de: 'Wie?' }, scale: { low: { de: 'schlecht' }, high: { de: 'gut' } } }],
      } });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      const res = await Promise.all(people.flatMap((p) => Array.from({ length: 5 }, (_, k) => t.app.inject({ method: 'POST', url: `/api/participation/surveys/${id}/answers`, headers: as(p), payload: { answers: { q1: 1 + k } } }))));
      const codes = res.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 201).length, 8, codes.join(','));
      assert.equal(codes.filter((c) => c === 409).length, 32, codes.join(','));
      const r = (await t.app.inject({ url: `/api/participation/surveys/${id}/results`, headers: as(steward) })).json();
      assert.equal(r.respondents, 8);
      assert.equal(r.questions[0].distribution.reduce((n: number, d: { count: number }) => n + d.count, 0), 8);
    });
  });
}
