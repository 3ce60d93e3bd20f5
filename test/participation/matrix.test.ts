// Who may do what in which phase, over the API: every action in every phase by every role, held
// against a literal table (not computed from the rules it checks). Phases follow the injected clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, T0, as, hourly, person, type Who } from './support.ts';

const ROLES = ['anonymous', 'unconfirmed', 'citizen', 'moderator', 'steward'] as const;

// phase          action    anonymous unconfirmed citizen moderator steward   ("ok" = the action's success status)
const TABLE = `
before         propose   401 403 409 409 409
before         comment   401 403 409 409 409
before         support   401 403 409 409 409
before         vote      401 403 409 409 409
before         survey    401 403 409 409 409
before         answer    401 403 403 403 409
before         estimate  401 403 403 403 ok
before         moderate  401 403 403 ok  403
information    propose   401 403 409 409 409
information    comment   401 403 ok  ok  ok
information    support   401 403 409 409 409
information    vote      401 403 409 409 409
information    survey    401 403 409 409 409
information    answer    401 403 403 403 409
information    estimate  401 403 403 403 ok
information    moderate  401 403 403 ok  403
participation  propose   401 403 ok  ok  ok
participation  comment   401 403 ok  ok  ok
participation  support   401 403 ok  ok  ok
participation  vote      401 403 409 409 409
participation  survey    401 403 ok  ok  ok
participation  answer    401 403 403 403 ok
participation  estimate  401 403 403 403 ok
participation  moderate  401 403 403 ok  403
voting         propose   401 403 409 409 409
voting         comment   401 403 ok  ok  ok
voting         support   401 403 409 409 409
voting         vote      401 403 ok  ok  ok
voting         survey    401 403 409 409 409
voting         answer    401 403 403 403 ok
voting         estimate  401 403 403 403 409
voting         moderate  401 403 403 ok  403
evaluation     propose   401 403 409 409 409
evaluation     comment   401 403 ok  ok  ok
evaluation     support   401 403 409 409 409
evaluation     vote      401 403 409 409 409
evaluation     survey    401 403 409 409 409
evaluation     answer    401 403 403 403 ok
evaluation     estimate  401 403 403 403 ok
evaluation     moderate  401 403 403 ok  403
result         propose   401 403 409 409 409
result         comment   401 403 409 409 409
result         support   401 403 409 409 409
result         vote      401 403 409 409 409
result         survey    401 403 409 409 409
result         answer    401 403 403 403 ok
result         estimate  401 403 403 403 409
result         moderate  401 403 403 ok  403
after          propose   401 403 409 409 409
after          comment   401 403 409 409 409
after          support   401 403 409 409 409
after          vote      401 403 409 409 409
after          survey    401 403 409 409 409
after          answer    401 403 403 403 ok
after          estimate  401 403 403 403 409
after          moderate  401 403 403 ok  403
`.trim().split('\n').map((l) => l.trim().split(/\s+/));

const OK: Record<string, number> = { propose: 201, comment: 201, support: 200, vote: 201, survey: 201, answer: 200, estimate: 200, moderate: 204 };

describe('participation: every action in every phase by every role', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.before!);
  const people: Partial<Record<(typeof ROLES)[number], Who>> = {};
  const seed = { proposal: 'seed-proposal', comment: 'seed-comment', survey: 'seed-survey' };

  before(async () => {
    a = await authApp({}, {}, { clock });
    people.unconfirmed = await person(a.app, 'neu@example.org', [{ role: 'citizen' }], { confirmed: false });
    people.citizen = await person(a.app, 'buerger@example.org', [{ role: 'citizen' }]);
    people.moderator = await person(a.app, 'moderation@herne.de', [{ role: 'moderator' }]);
    people.steward = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    const r = await a.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(people.steward), payload: hourly('matrix') });
    assert.equal(r.statusCode, 201, r.body);
    // Content to act on, put straight into the store (the phases would not allow it yet).
    const store = a.app.participation!.store;
    await store.createProposal({ id: seed.proposal, processSlug: 'matrix', authorId: 'x', authorName: 'Eule 1', title: 'Bänke', body: 'Mehr Bänke', state: 'published', supportCount: 0, commentCount: 0, createdAt: T0, modifiedAt: T0, cost: 1000 });
    await store.createSurvey({ id: seed.survey, processSlug: 'matrix', title: { de: 'Umfrage', en: 'Survey' }, description: { de: '', en: '' }, resultsPublished: false, createdAt: T0, modifiedAt: T0,
      questions: [{ id: 'q1', kind: 'scale', text: { de: 'Wie gut?', en: 'How good?' }, required: true, scale: { low: { de: 'schlecht', en: 'bad' }, high: { de: 'gut', en: 'good' } } }] });
    await store.addComment({ id: seed.comment, target: { kind: 'proposal', id: seed.proposal }, authorId: 'x', authorName: 'Eule 1', body: 'Ja', createdAt: T0 });
  });
  after(async () => { await a.close(); });

  const request = (action: string) => {
    const p = `/api/participation`;
    switch (action) {
      case 'propose': return { method: 'POST' as const, url: `${p}/processes/matrix/proposals`, payload: { title: 'Mehr Bäume', body: 'An der *Bahnhofstraße*', category: 'Grün', lat: '51,53', lon: '7.22' } };
      case 'comment': return { method: 'POST' as const, url: `${p}/proposals/${seed.proposal}/comments`, payload: { body: 'Gute Idee', parentId: seed.comment } };
      case 'support': return { method: 'PUT' as const, url: `${p}/proposals/${seed.proposal}/support`, payload: {} };
      case 'survey': return { method: 'POST' as const, url: `${p}/surveys/${seed.survey}/answers`, payload: { answers: { q1: 4 } } };
      case 'vote': return { method: 'POST' as const, url: `${p}/processes/matrix/ballot`, payload: { proposalIds: [seed.proposal] } };
      case 'answer': return { method: 'PUT' as const, url: `${p}/proposals/${seed.proposal}/answer`, payload: { status: 'under_review', text: 'Wir prüfen das.' } };
      case 'estimate': return { method: 'PUT' as const, url: `${p}/proposals/${seed.proposal}/cost`, payload: { cost: 1000 } };
      default: return { method: 'POST' as const, url: `${p}/comments/${seed.comment}/hide`, payload: { reason: 'Test' } };
    }
  };

  for (const phase of Object.keys(AT)) {
    test(`phase ${phase}: the table's answer for each action and role`, async () => {
      clock.set(AT[phase]!);
      const got: string[] = [];
      const want: string[] = [];
      for (const row of TABLE.filter((r) => r[0] === phase)) {
        const action = row[1]!;
        for (const [i, role] of ROLES.entries()) {
          const r = await a.app.inject({ ...request(action), headers: as(people[role]) });
          got.push(`${action} by ${role}: ${r.statusCode}`);
          want.push(`${action} by ${role}: ${row[2 + i] === 'ok' ? OK[action] : row[2 + i]}`);
          if (r.statusCode >= 400) assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
          if (action === 'moderate' && r.statusCode === 204) {
            const back = await a.app.inject({ method: 'POST', url: `/api/participation/comments/${seed.comment}/restore`, headers: as(people[role]) });
            assert.equal(back.statusCode, 204);
          }
        }
      }
      assert.deepEqual(got, want);
    });
  }

  test('the process tells its phase and allowed actions as the clock moves', async () => {
    clock.set(AT.voting!);
    const p = (await a.app.inject({ url: '/api/participation/processes/matrix' })).json();
    assert.equal(p.phase, 'voting');
    assert.deepEqual(p.allowed, ['comment', 'vote', 'answer', 'moderate']);
    assert.equal(p.next.kind, 'evaluation');
    clock.set(AT.after!);
    assert.equal((await a.app.inject({ url: '/api/participation/processes/matrix' })).json().phase, 'after');
  });
});
