// Verification for taking part over the API, on SQLite and (with TEST_PG_URL) PostgreSQL: each gated
// action (support, survey answer, budget vote) × each mode (none, postal-code, invitation-code); the
// 403 names the verification; wrong input, used codes, the attempts' limit; one code redeemed once under
// parallel requests; the person's export says it, the public never sees it, account deletion removes it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, PASSWORD, SURVEY, T0, as, hourly, person, type Who } from './support.ts';

const HERNE = '44623,44625,44627,44628,44629,44649,44651,44652,44653';
const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];
const api = '/api/participation';
const MODES = ['none', 'postal-code', 'invitation-code'] as const;

for (const engine of ENGINES) {
  describe(`participation verification: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who;
    const people: Record<string, Who> = {};
    const surveys: Record<string, string> = {};
    const inj = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who?: Who, payload?: unknown, extra: Record<string, string> = {}) =>
      t.app.inject({ method, url: api + url, headers: as(who, extra), ...(payload === undefined ? {} : { payload: payload as object }) });

    before(async () => {
      env = engine.env();
      t = await testApp({ ...env, DREHSCHEIBE_VERIFY_POSTAL_CODES: HERNE, DREHSCHEIBE_VERIFY_ATTEMPTS: '5' }, { clock });
      steward = await person(t.app, 'st@herne.de', [{ role: 'steward' }]);
      for (const n of ['a', 'b', 'c', 'd']) people[n] = await person(t.app, `${n}@example.org`, [{ role: 'citizen' }]);
      const s = t.app.participation!.store;
      for (const mode of MODES) {
        const r = await inj('POST', '/processes', steward, hourly(mode, { verification: mode, budget: 1000 } as never));
        assert.equal(r.statusCode, 201, r.body);
        assert.equal(r.json().verification, mode === 'none' ? undefined : mode, "'none' is the default and not kept");
        await s.createProposal({ id: `p-${mode}`, processSlug: mode, authorId: 'x', authorName: 'X', title: mode, body: mode, state: 'published', supportCount: 0, commentCount: 0, createdAt: T0, modifiedAt: T0, cost: 600 });
        const sv = await inj('POST', `/processes/${mode}/surveys`, steward, SURVEY);
        assert.equal(sv.statusCode, 201, sv.body);
        surveys[mode] = sv.json().id;
      }
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    const act = (action: string, mode: string, who: Who) => {
      if (action === 'support') return inj('PUT', `/proposals/p-${mode}/support`, who);
      if (action === 'survey') return inj('POST', `/surveys/${surveys[mode]}/answers`, who, { answers: { q1: 0, q3: 3 } });
      return inj('POST', `/processes/${mode}/ballot`, who, { proposalIds: [`p-${mode}`] });
    };

    test('a process names a registered verification only (400 at the field otherwise); stewards only', async () => {
      const bad = await inj('POST', '/processes', steward, hourly('falsch', { verification: 'fingerprint' } as never));
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json().errors.map((e: { field: string }) => e.field), ['verification']);
      assert.equal((await inj('POST', '/processes', steward, hourly('falsch2', { verification: 7 } as never))).statusCode, 400);
      assert.equal((await inj('GET', '/processes/postal-code')).json().verification, 'postal-code');
      assert.deepEqual((await inj('GET', '/processes/none/verification', people.a)).json(), { process: 'none', verified: true });
      assert.deepEqual((await inj('GET', '/processes/postal-code/verification', people.a)).json(), { process: 'postal-code', required: 'postal-code', verified: false });
    });

    test('each action × each mode: unverified people get 403 VerificationRequired naming it, without a process "none" they act', async () => {
      for (const action of ['support', 'survey', 'vote']) {
        clock.set(action === 'vote' ? AT.voting! : AT.participation!);
        for (const mode of MODES) {
          const r = await act(action, mode, people.a!);
          if (mode === 'none') { assert.ok([200, 201].includes(r.statusCode), `${action} ${mode}: ${r.statusCode} ${r.body}`); continue; }
          assert.equal(r.statusCode, 403, `${action} ${mode}: ${r.body}`);
          assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
          const b = r.json();
          assert.equal(b.type, 'https://drehscheibe.dev/errors/VerificationRequired');
          assert.equal(b.verification, mode);
          assert.match(b.detail, new RegExp(`/processes/${mode}/verification`));
        }
      }
      clock.set(AT.participation!);
      const c = await inj('GET', '/proposals/p-postal-code');
      assert.equal(c.json().supportCount, 0, 'nothing counted');
    });

    test('postal code: a code outside the list or malformed is 400 at the field; a Herne code verifies for every postal-code process', async () => {
      for (const code of ['45127', '4462', 'abcde', '']) {
        const r = await inj('POST', '/processes/postal-code/verification', people.a, { code });
        assert.equal(r.statusCode, 400, code);
        assert.equal(r.json().errors[0].field, 'code');
      }
      const ok = await inj('POST', '/processes/postal-code/verification', people.a, { code: ' 44649 ' });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.deepEqual([ok.json().verified, ok.json().required], [true, 'postal-code']);
      assert.equal((await act('support', 'postal-code', people.a!)).statusCode, 200);
      assert.equal((await act('survey', 'postal-code', people.a!)).statusCode, 201);
      clock.set(AT.voting!);
      assert.equal((await act('vote', 'postal-code', people.a!)).statusCode, 201);
      clock.set(AT.participation!);
      assert.equal((await inj('GET', '/proposals/p-postal-code')).json().supportCount, 1);
      assert.equal((await inj('POST', '/processes/none/verification', people.a, { code: '44649' })).statusCode, 409, 'nothing to verify');
      assert.equal((await inj('POST', '/processes/postal-code/verification', undefined, { code: '44649' })).statusCode, 401);
    });

    test('invitation codes: stewards make them (shown once, JSON or CSV); one redeems once; it holds for its process only', async () => {
      assert.equal((await inj('POST', '/processes/invitation-code/invitation-codes', people.b, { count: 3 })).statusCode, 403);
      assert.equal((await inj('POST', '/processes/postal-code/invitation-codes', steward, { count: 3 })).statusCode, 409);
      assert.equal((await inj('POST', '/processes/invitation-code/invitation-codes', steward, { count: 0 })).statusCode, 400);
      const made = await inj('POST', '/processes/invitation-code/invitation-codes', steward, { count: 3 });
      assert.equal(made.statusCode, 201, made.body);
      const codes: string[] = made.json().codes;
      assert.equal(codes.length, 3);
      assert.ok(codes.every((c) => /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(c)), codes.join());
      const csv = await inj('POST', '/processes/invitation-code/invitation-codes', steward, { count: 2 }, { accept: 'text/csv' });
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(csv.body, /^code\r\n[A-Z2-9-]{14}\r\n[A-Z2-9-]{14}\r\n$/);
      assert.deepEqual((await inj('GET', '/processes/invitation-code/invitation-codes', steward)).json(), { codes: 5, redeemed: 0 });
      assert.match((await inj('POST', '/processes/invitation-code/verification', people.b, { code: 'AAAA-BBBB-CCCC' })).json().errors[0].message, /not accepted/);
      const ok = await inj('POST', '/processes/invitation-code/verification', people.b, { code: codes[0]!.toLowerCase().replace(/-/g, ' ') });
      assert.equal(ok.statusCode, 201, ok.body);
      const again = await inj('POST', '/processes/invitation-code/verification', people.c, { code: codes[0] });
      assert.equal(again.statusCode, 400);
      assert.match(again.json().errors[0].message, /used already/);
      assert.equal((await act('support', 'invitation-code', people.b!)).statusCode, 200);
      assert.equal((await act('support', 'invitation-code', people.c!)).statusCode, 403);
      assert.equal((await act('support', 'postal-code', people.b!)).statusCode, 403, 'a code is no postal code');

      // Parallel requests for one code: the database lets exactly one through.
      const racers = [people.c!, people.d!, ...await Promise.all([0, 1, 2, 3, 4, 5].map((i) => person(t.app, `r${i}@example.org`, [{ role: 'citizen' }])))];
      const res = await Promise.all(racers.map((who) => inj('POST', '/processes/invitation-code/verification', who, { code: codes[1] })));
      assert.deepEqual(res.map((r) => r.statusCode).sort(), [201, 400, 400, 400, 400, 400, 400, 400], res.map((r) => r.body).join('\n'));
      assert.deepEqual((await inj('GET', '/processes/invitation-code/invitation-codes', steward)).json(), { codes: 5, redeemed: 2 });
    });

    test('attempts are limited per account (429 with Retry-After), other accounts unaffected, free again after the window', async () => {
      const who = await person(t.app, 'rate@example.org', [{ role: 'citizen' }]);
      for (let i = 0; i < 5; i++) assert.equal((await inj('POST', '/processes/postal-code/verification', who, { code: '10115' })).statusCode, 400);
      const six = await inj('POST', '/processes/postal-code/verification', who, { code: '44623' });
      assert.equal(six.statusCode, 429, 'even a right code: a guesser learns nothing');
      assert.ok(Number(six.headers['retry-after']) > 0);
      assert.equal((await inj('POST', '/processes/postal-code/verification', people.d, { code: '44623' })).statusCode, 201);
      clock.advance(3601_000);
      assert.equal((await inj('POST', '/processes/postal-code/verification', who, { code: '44623' })).statusCode, 201);
      clock.set(AT.participation!);
    });

    test('the person\'s export says how they are verified; the public and the open data never; deletion removes it', async () => {
      const mine = (await inj('GET', '/me/export', people.a)).json();
      assert.deepEqual(mine.verifications.map((v: { method: string; detail: string }) => [v.method, v.detail]), [['postal-code', '44649']]);
      const b = (await inj('GET', '/me/export', people.b)).json();
      assert.deepEqual(b.verifications.map((v: { method: string; process?: string; detail: string }) => [v.method, v.process, v.detail]), [['invitation-code', 'invitation-code', 'code']]);
      const open = (await inj('GET', '/processes/postal-code/export.json')).body + (await inj('GET', '/processes/postal-code/proposals.csv')).body + (await inj('GET', '/proposals/p-postal-code')).body;
      assert.doesNotMatch(open, /44649|verif/i);
      assert.equal((await inj('POST', '/me/delete', people.a, { password: PASSWORD })).statusCode, 204);
      assert.deepEqual(await t.app.participation!.store.verifications.mine(people.a!.id), []);
      // The code b redeemed stays used after b's deletion.
      assert.equal((await inj('POST', '/me/delete', people.b, { password: PASSWORD })).statusCode, 204);
      assert.deepEqual((await inj('GET', '/processes/invitation-code/invitation-codes', steward)).json(), { codes: 5, redeemed: 2 });
    });
  });
}
