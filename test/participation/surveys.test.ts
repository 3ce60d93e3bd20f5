// Surveys over the API: stewards add, change (until the first answer) and publish; people answer
// once each in the participation phase; results only once published (stewards always), free texts
// never in them; the stewards' CSV has no personal data; the person's export and account deletion.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, PASSWORD, SURVEY, as, hourly, person, type Who } from './support.ts';


describe('participation: surveys over the API', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.participation!);
  let steward: Who;
  let citizen: Who;
  let other: Who;
  let unconfirmed: Who;
  let id = '';
  const api = '/api/participation';

  before(async () => {
    a = await authApp({}, {}, { clock });
    steward = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    citizen = await person(a.app, 'buerger@example.org', [{ role: 'citizen' }]);
    other = await person(a.app, 'andere@example.org', [{ role: 'citizen' }]);
    unconfirmed = await person(a.app, 'neu@example.org', [{ role: 'citizen' }], { confirmed: false });
    const r = await a.app.inject({ method: 'POST', url: `${api}/processes`, headers: as(steward), payload: hourly('umfrage') });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await a.close(); });

  test('only stewards add a survey (401 anonymous, 403 citizen); bad input is 400 problem+json naming each field', async () => {
    assert.equal((await a.app.inject({ method: 'POST', url: `${api}/processes/umfrage/surveys`, headers: as(undefined), payload: SURVEY })).statusCode, 401);
    const c = await a.app.inject({ method: 'POST', url: `${api}/processes/umfrage/surveys`, headers: as(citizen), payload: SURVEY });
    assert.equal(c.statusCode, 403);
    assert.match(String(c.headers['content-type']), /^application\/problem\+json/);
    const bad = await a.app.inject({ method: 'POST', url: `${api}/processes/umfrage/surveys`, headers: as(steward), payload: {
      title: { en: 'no German' }, extra: 1,
      questions: [{ kind: 'single', text: { de: 'Nur eine Wahl' }, choices: [{ de: 'a' }] }, { kind: 'scale', text: { de: 'Skala' } }, { kind: 'ranking', text: { de: 'x' } }],
    } });
    assert.equal(bad.statusCode, 400);
    const body = bad.json();
    assert.equal(body.type, 'https://drehscheibe.dev/errors/BadRequest');
    assert.deepEqual(body.errors.map((e: { field: string }) => e.field), ['extra', 'title', 'questions[0]', 'questions[1]', 'questions[2]']);
    assert.match(body.detail, /questions\[0\]: choices: 2 to 20/);
    assert.equal((await a.app.inject({ method: 'POST', url: `${api}/processes/fehlt/surveys`, headers: as(steward), payload: SURVEY })).statusCode, 404);
    const ok = await a.app.inject({ method: 'POST', url: `${api}/processes/umfrage/surveys`, headers: as(steward), payload: SURVEY });
    assert.equal(ok.statusCode, 201, ok.body);
    id = ok.json().id;
    assert.equal(ok.headers.location, `${api}/surveys/${id}`);
    assert.deepEqual(ok.json().questions.map((q: { id: string; required: boolean }) => [q.id, q.required]), [['q1', true], ['q2', false], ['q3', true], ['q4', false]]);
    assert.equal(ok.json().resultsPublished, false);
    assert.deepEqual((await a.app.inject({ url: `${api}/processes/umfrage/surveys` })).json().map((s: { id: string }) => s.id), [id]);
  });

  const answer = (who: Who | undefined, answers: unknown) => a.app.inject({ method: 'POST', url: `${api}/surveys/${id}/answers`, headers: as(who), payload: { answers } });

  test('answering: each phase and role as the rules say (participation only; 401, 403 unconfirmed, 409 PhaseClosed)', async () => {
    const ok = { q1: 0, q3: 3 };
    for (const phase of ['before', 'information', 'voting', 'evaluation', 'result', 'after']) {
      clock.set(AT[phase]!);
      const r = await answer(citizen, ok);
      assert.equal(r.statusCode, 409, `${phase}: ${r.body}`);
      assert.equal(r.json().type, 'https://drehscheibe.dev/errors/PhaseClosed');
    }
    clock.set(AT.participation!);
    assert.equal((await answer(undefined, ok)).statusCode, 401);
    assert.equal((await answer(unconfirmed, ok)).statusCode, 403);
    const g = (await a.app.inject({ url: `${api}/surveys/${id}`, headers: as(citizen) })).json();
    assert.deepEqual([g.phase, g.open, g.answered], ['participation', true, false]);
  });

  test('bad answers are 400 with the question ids as fields; nothing is kept', async () => {
    const r = await answer(citizen, { q2: [0, 0], q3: 9, q4: 'x'.repeat(2001), q9: 1 });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field), ['q9', 'q1', 'q2', 'q3', 'q4']);
    assert.match(r.json().detail, /q1: this question needs an answer/);
    assert.equal((await answer(citizen, { q1: 3, q3: 2 })).json().errors[0].field, 'q1');
    assert.equal((await a.app.inject({ url: `${api}/surveys/${id}/answers/mine`, headers: as(citizen) })).statusCode, 404);
  });

  test('one answer per person: the first is 201, a second 409 and the first stays', async () => {
    const r = await answer(citizen, { q1: '1', q2: ['2', '0'], q3: '4', q4: '  Mehr Licht am Bahnhof  ' });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(r.json().answers, { q1: 1, q2: [0, 2], q3: 4, q4: 'Mehr Licht am Bahnhof' });
    const again = await answer(citizen, { q1: 0, q3: 1 });
    assert.equal(again.statusCode, 409);
    assert.match(again.json().detail, /answered this survey already/);
    assert.deepEqual((await a.app.inject({ url: `${api}/surveys/${id}/answers/mine`, headers: as(citizen) })).json().answers, r.json().answers);
    assert.equal((await a.app.inject({ url: `${api}/surveys/${id}`, headers: as(citizen) })).json().answered, true);
    assert.equal((await answer(other, { q1: 0, q2: [0], q3: 5 })).statusCode, 201);
    assert.equal((await answer(steward, { q1: 0, q3: 2, q4: '=HYPERLINK("http://x")' })).statusCode, 201);
  });

  test('questions cannot change once answered (409); the texts of an unanswered survey can', async () => {
    const r = await a.app.inject({ method: 'PUT', url: `${api}/surveys/${id}`, headers: as(steward), payload: { ...SURVEY, title: { de: 'Neu', en: 'New' } } });
    assert.equal(r.statusCode, 409);
    const fresh = await a.app.inject({ method: 'POST', url: `${api}/processes/umfrage/surveys`, headers: as(steward), payload: SURVEY });
    const put = await a.app.inject({ method: 'PUT', url: `${api}/surveys/${fresh.json().id}`, headers: as(steward), payload: { ...SURVEY, questions: SURVEY.questions.slice(0, 1) } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().questions.length, 1);
    assert.equal((await a.app.inject({ method: 'PUT', url: `${api}/surveys/${fresh.json().id}`, headers: as(citizen), payload: SURVEY })).statusCode, 403);
  });

  test('results: 409 NotPublished for the public until the city publishes them, stewards see them always; counts, shares, distribution, mean, no free texts', async () => {
    const pub = await a.app.inject({ url: `${api}/surveys/${id}/results`, headers: as(citizen) });
    assert.equal(pub.statusCode, 409);
    assert.equal(pub.json().type, 'https://drehscheibe.dev/errors/NotPublished');
    assert.equal((await a.app.inject({ url: `${api}/surveys/${id}/results` })).statusCode, 409);
    const st = await a.app.inject({ url: `${api}/surveys/${id}/results`, headers: as(steward) });
    assert.equal(st.statusCode, 200);
    assert.equal((await a.app.inject({ method: 'PUT', url: `${api}/surveys/${id}/published`, headers: as(citizen), payload: { published: true } })).statusCode, 403);
    assert.equal((await a.app.inject({ method: 'PUT', url: `${api}/surveys/${id}/published`, headers: as(steward), payload: { published: 'ja' } })).statusCode, 400);
    const p = await a.app.inject({ method: 'PUT', url: `${api}/surveys/${id}/published`, headers: as(steward), payload: { published: true } });
    assert.equal(p.json().resultsPublished, true);
    const r = (await a.app.inject({ url: `${api}/surveys/${id}/results` })).json();
    assert.equal(r.respondents, 3);
    const [q1, q2, q3, q4] = r.questions;
    assert.deepEqual(q1.choices.map((c: { count: number; share: number }) => [c.count, c.share]), [[2, 0.6667], [1, 0.3333], [0, 0]]);
    assert.deepEqual([q2.answered, q2.choices.map((c: { count: number }) => c.count)], [2, [2, 0, 1]]);
    assert.deepEqual(q3.distribution.map((d: { count: number }) => d.count), [0, 1, 0, 1, 1]);
    assert.equal(q3.mean, 3.67);
    assert.deepEqual(q4, { id: 'q4', kind: 'text', text: SURVEY.questions[3]!.text, answered: 2 });
    assert.doesNotMatch(JSON.stringify(r), /Mehr Licht|HYPERLINK/);
  });

  test('the CSV export: stewards only, one row per answer, no account, name or time; formulas neutralised', async () => {
    assert.equal((await a.app.inject({ url: `${api}/surveys/${id}/answers.csv`, headers: as(citizen) })).statusCode, 403);
    const r = await a.app.inject({ url: `${api}/surveys/${id}/answers.csv`, headers: as(steward) });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/csv/);
    const lines = r.body.trim().split('\r\n');
    assert.equal(lines[0], 'q1: Womit kommen Sie meistens?,q2: Was fehlt Ihnen? – Radwege,q2: Was fehlt Ihnen? – Bänke,q2: Was fehlt Ihnen? – Schatten,q3: Wie zufrieden sind Sie?,q4: Was sollen wir noch wissen?');
    assert.deepEqual(lines.slice(1).sort(), ['Fahrrad,,,,2,"\'=HYPERLINK(""http://x"")"', 'Bus oder Bahn,1,0,1,4,Mehr Licht am Bahnhof', 'Fahrrad,1,0,0,5,'].sort());
    for (const who of [citizen, other, steward]) assert.ok(!r.body.includes(who.id));
    assert.doesNotMatch(r.body, /buerger|andere|redaktion|2026-/);
  });

  test('the person\'s export holds their answers; deleting the account keeps them counted but detached', async () => {
    const mine = (await a.app.inject({ url: `${api}/me/export`, headers: as(citizen) })).json();
    assert.deepEqual(mine.surveyAnswers.map((x: { surveyId: string; values: unknown }) => [x.surveyId, x.values]), [[id, { q1: 1, q2: [0, 2], q3: 4, q4: 'Mehr Licht am Bahnhof' }]]);
    assert.equal(JSON.stringify(mine).includes(citizen.id), true, 'the account id is the export\'s own');
    assert.equal(mine.surveyAnswers[0].userId, undefined);
    const del = await a.app.inject({ method: 'POST', url: `${api}/me/delete`, headers: as(citizen), payload: { password: PASSWORD } });
    assert.equal(del.statusCode, 204);
    assert.equal(await a.app.participation!.store.getSurveyAnswer(id, citizen.id), undefined);
    const r = (await a.app.inject({ url: `${api}/surveys/${id}/results` })).json();
    assert.equal(r.respondents, 3);
  });
});
