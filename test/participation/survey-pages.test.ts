// The survey pages over HTTP (no browser): linked from the process page, the form with a fieldset and
// legend per question, German messages tied to each question, one answer per person, the steward's
// publish switch, and the results page with its tables (German and English).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, SURVEY, as, hourly, person, type Who } from './support.ts';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

describe('participation: survey pages', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.participation!);
  let steward: Who;
  let anna: Who;
  let id = '';
  const get = (url: string, who?: Who) => a.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
  const post = (url: string, who: Who, form: Record<string, string | string[]>) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of ([] as string[]).concat(v)) u.append(k, x);
    return a.app.inject({ method: 'POST', url, payload: u.toString(), headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
  };

  before(async () => {
    a = await authApp({}, {}, { clock });
    steward = await person(a.app, 'redaktion@herne.de', [{ role: 'steward' }]);
    anna = await person(a.app, 'anna@example.org', [{ role: 'citizen' }], { displayName: 'Anna' });
    assert.equal((await a.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(steward), payload: hourly('innenstadt') })).statusCode, 201);
    const r = await a.app.inject({ method: 'POST', url: '/api/participation/processes/innenstadt/surveys', headers: as(steward), payload: SURVEY });
    id = r.json().id;
  });
  after(async () => { await a.close(); });

  test('the process page links the survey; results are linked only once published (stewards always)', async () => {
    const p = await get('/beteiligung/innenstadt');
    assert.match(p.body, /<h2[^>]*id="umfragen"[^>]*>Umfragen<\/h2>/);
    assert.match(p.body, new RegExp(`href="/beteiligung/umfragen/${id}">Wie kommen Sie in die Innenstadt\\?</a>`));
    assert.doesNotMatch(p.body, /\/ergebnisse"/);
    assert.match((await get('/beteiligung/innenstadt', steward)).body, new RegExp(`href="/beteiligung/umfragen/${id}/ergebnisse"`));
    assert.match((await get('/en/participation/innenstadt')).body, /<h2[^>]*>Surveys<\/h2>[\s\S]*How do you get to the city centre\?/);
  });

  test('the form: one fieldset with legend per choice and scale question, the text question a labelled text area', async () => {
    const r = await get(`/beteiligung/umfragen/${id}`, anna);
    assert.equal(r.statusCode, 200);
    assert.equal((r.body.match(/<fieldset/g) ?? []).length, 3);
    assert.match(r.body, /<legend class="kern-label">1\. Womit kommen Sie meistens\? <span class="kern-label__optional">\(Pflichtangabe\)<\/span><\/legend>/);
    assert.match(r.body, /<input class="kern-form-check__radio" type="radio" name="q1" value="0" id="q1"\/><label class="kern-label" for="q1">Fahrrad<\/label>/);
    assert.match(r.body, /type="checkbox" name="q2" value="2" id="q2-2"/);
    assert.match(r.body, /<label class="kern-label" for="q3">1 – gar nicht<\/label>/);
    assert.match(r.body, /<label class="kern-label" for="q3-5">5 – sehr<\/label>/);
    assert.match(r.body, /<label class="kern-label" for="q4">4\. Was sollen wir noch wissen\?/);
    assert.match(r.body, /<textarea id="q4" name="q4"/);
    const anon = await get(`/beteiligung/umfragen/${id}`);
    assert.doesNotMatch(anon.body, /<fieldset/);
    assert.match(anon.body, /Melden Sie sich an, um mitzumachen/);
    assert.match((await get(`/en/participation/surveys/${id}`, anna)).body, /<legend class="kern-label">1\. How do you mostly come\? <span class="kern-label__optional">\(required\)<\/span>/);
  });

  test('missing and bad answers: 400, German messages tied to each question and a summary linking there; nothing kept', async () => {
    const form = await get(`/beteiligung/umfragen/${id}`, anna);
    const r = await post(`/beteiligung/umfragen/${id}`, anna, { _csrf: csrfOf(form.body), q2: ['0', '2'], q3: '' });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /<fieldset class="kern-fieldset survey-question kern-fieldset--error" aria-describedby="q1-hint q1-error">/);
    assert.match(r.body, /id="q1-error" role="alert"><span class="kern-sr-only">Fehler: <\/span>Bitte beantworten Sie diese Frage\./);
    assert.match(r.body, /id="q3-error"/);
    // The summary names each question (its number and text) and links to its field.
    assert.match(r.body, /<a href="#q1">Frage 1: Womit kommen Sie meistens\? – Bitte beantworten Sie diese Frage\.<\/a>/);
    assert.match(r.body, /<a href="#q3">Frage 3: [^<]+ – [^<]+<\/a>/);
    assert.equal((r.body.match(/<a href="#q\d">Bitte beantworten Sie diese Frage\.<\/a>/g) ?? []).length, 0, 'no summary line without its question');
    assert.match(r.body, /name="q2" value="2" id="q2-2" checked/, 'the choices made are kept');
    assert.match(r.body, /<title>Fehler:/);
    assert.equal(await a.app.participation!.store.getSurveyAnswer(id, anna.id), undefined);
  });

  test('an answer by form: 303 with a thank-you; the form is gone afterwards and a second post is refused', async () => {
    const form = await get(`/beteiligung/umfragen/${id}`, anna);
    const r = await post(`/beteiligung/umfragen/${id}`, anna, { _csrf: csrfOf(form.body), q1: '2', q2: ['1'], q3: '5', q4: 'Schattige Plätze' });
    assert.deepEqual([r.statusCode, r.headers.location], [303, `/beteiligung/umfragen/${id}?hinweis=surveyAnswered`]);
    const after = await get(r.headers.location!, anna);
    assert.match(after.body, /Danke! Ihre Antworten sind gespeichert\./);
    assert.match(after.body, /Sie haben an dieser Umfrage teilgenommen/);
    assert.doesNotMatch(after.body, /<fieldset/);
    const again = await post(`/beteiligung/umfragen/${id}`, anna, { _csrf: csrfOf(after.body), q1: '0', q3: '1' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /Sie haben diese Umfrage schon beantwortet/);
    assert.deepEqual((await a.app.participation!.store.getSurveyAnswer(id, anna.id))?.values, { q1: 2, q2: [1], q3: 5, q4: 'Schattige Plätze' });
  });

  test('results: pending for the public, a preview for stewards; published by the steward\'s button; tables with counts and shares, no free text', async () => {
    const pending = await get(`/beteiligung/umfragen/${id}/ergebnisse`);
    assert.equal(pending.statusCode, 200);
    assert.match(pending.body, /noch nicht veröffentlicht/);
    assert.doesNotMatch(pending.body, /<table/);
    const preview = await get(`/beteiligung/umfragen/${id}/ergebnisse`, steward);
    assert.match(preview.body, /Nur für die Stadt sichtbar/);
    const page = await get(`/beteiligung/umfragen/${id}`, steward);
    assert.match(page.body, /Antworten herunterladen \(CSV, ohne personenbezogene Daten\)/);
    assert.equal((await post(`/beteiligung/umfragen/${id}/veroeffentlichen`, anna, { _csrf: csrfOf((await get(`/beteiligung/umfragen/${id}`, anna)).body), published: 'true' })).statusCode, 403);
    const pub = await post(`/beteiligung/umfragen/${id}/veroeffentlichen`, steward, { _csrf: csrfOf(page.body), published: 'true' });
    assert.deepEqual([pub.statusCode, pub.headers.location], [303, `/beteiligung/umfragen/${id}?hinweis=surveyPublished`]);
    const r = await get(`/beteiligung/umfragen/${id}/ergebnisse`);
    assert.equal((r.body.match(/<table/g) ?? []).length, 3);
    assert.match(r.body, /1 Person hat teilgenommen\./);
    assert.match(r.body, /<th class="kern-table__cell" scope="row">Auto<\/th><td class="kern-table__cell kern-table__cell--numeric">1<\/td><td class="kern-table__cell survey-share"><span class="survey-share__text">100 %<\/span> <svg class="survey-bar"[^>]*aria-hidden="true"/);
    assert.match(r.body, /Mittelwert: 5 \(von 1 bis 5\)/);
    assert.match(r.body, /1 Freitext-Antwort\. Freitexte werden nicht veröffentlicht\./);
    assert.doesNotMatch(r.body, /Schattige Plätze/);
    const en = await get(`/en/participation/surveys/${id}/results`);
    assert.match(en.body, /Mean: 5 \(from 1 to 5\)/);
    assert.match(en.body, /<th class="kern-table__header" scope="col">Share<\/th>/);
  });
});

describe('participation: the demo\'s starter survey', () => {
  let a: AuthApp;
  before(async () => { a = await authApp({}, {}, { clock: fixedClock(new Date()) }); });
  after(async () => { await a.close(); });

  test('the starter process comes with a survey, open in its participation phase and linked from its page', async () => {
    assert.equal(await a.app.participation!.loadStarter(), true);
    const surveys = (await a.app.inject({ url: '/api/participation/processes/buergerhaushalt/surveys' })).json();
    assert.deepEqual(surveys.map((s: { id: string; questions: unknown[] }) => [s.id, s.questions.length]), [['stadtteile-2027', 4]]);
    assert.equal((await a.app.inject({ url: '/api/participation/surveys/stadtteile-2027' })).json().open, true);
    assert.match((await a.app.inject({ url: '/beteiligung/buergerhaushalt' })).body, /href="\/beteiligung\/umfragen\/stadtteile-2027">Was brauchen die Stadtteile\?<\/a>/);
    assert.equal((await a.app.inject({ url: '/en/participation/surveys/stadtteile-2027' })).statusCode, 200);
  });
});
