// The verification pages over HTTP (no browser): a gated form answers with a German message and a link
// to the verification page; the page's form (CSRF) with German messages at the field; the steward's
// setting and the invitation codes as a CSV download.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, T0, as, hourly, person, type Who } from './support.ts';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

describe('participation: verification pages', () => {
  let a: AuthApp;
  const clock = fixedClock(AT.participation!);
  let steward: Who;
  let citizen: Who;
  const get = (url: string, who?: Who) => a.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });
  const post = (url: string, who: Who | undefined, form: Record<string, string>) =>
    a.app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) } });

  before(async () => {
    a = await authApp({}, { DREHSCHEIBE_VERIFY_POSTAL_CODES: '44623,44649' }, { clock });
    steward = await person(a.app, 'st@herne.de', [{ role: 'steward' }]);
    citizen = await person(a.app, 'b@example.org', [{ role: 'citizen' }]);
    assert.equal((await a.app.inject({ method: 'POST', url: '/api/participation/processes', headers: as(steward), payload: hourly('plz', { verification: 'postal-code' } as never) })).statusCode, 201);
    await a.app.participation!.store.createProposal({ id: 'v1', processSlug: 'plz', authorId: 'x', authorName: 'X', title: 'Bank', body: 'Eine Bank', state: 'published', supportCount: 0, commentCount: 0, createdAt: T0, modifiedAt: T0 });
  });
  after(async () => { await a.close(); });

  test('supporting unverified: 403 page with the German message and the link to the verification page; nothing counted', async () => {
    const page = await get('/beteiligung/vorschlaege/v1', citizen);
    const r = await post('/beteiligung/vorschlaege/v1/unterstuetzen', citizen, { _csrf: csrfOf(page.body) });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /Nachweis nötig/);
    assert.match(r.body, /href="\/beteiligung\/plz\/nachweis"[^>]*>Zum Nachweis</);
    assert.equal((await a.app.participation!.store.getProposal('v1'))?.supportCount, 0);
  });

  test('the page asks for the postal code; a wrong one gets the German message at the field; a right one verifies, then support works', async () => {
    const anon = await get('/beteiligung/plz/nachweis');
    assert.equal(anon.statusCode, 200);
    assert.match(anon.body, /Bitte melden Sie sich an/);
    const page = await get('/beteiligung/plz/nachweis', citizen);
    assert.match(page.body, /<label[^>]*for="code"[^>]*>[^<]*Postleitzahl Ihres Wohnorts/);
    assert.match(page.body, /autocomplete="postal-code"/);
    assert.doesNotMatch(page.body, /Einstellungen der Redaktion/, 'no steward settings for citizens');
    const csrf = csrfOf(page.body);
    assert.equal((await post('/beteiligung/plz/nachweis', citizen, { code: '44623' })).statusCode, 403, 'without the CSRF token');
    const bad = await post('/beteiligung/plz/nachweis', citizen, { _csrf: csrf, code: '45127' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="code-error"[^]*wird für dieses Verfahren nicht angenommen/);
    assert.match(bad.body, /href="#code"/, 'the error summary links to the field');
    assert.match(bad.body, /value="45127"/);
    const ok = await post('/beteiligung/plz/nachweis', citizen, { _csrf: csrf, code: '44623' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/beteiligung/plz/nachweis?hinweis=verifiziert');
    assert.match((await get(ok.headers.location as string, citizen)).body, /Nachweis ist erbracht/);
    const s = await post('/beteiligung/vorschlaege/v1/unterstuetzen', citizen, { _csrf: csrf });
    assert.equal(s.statusCode, 303);
    assert.equal((await a.app.participation!.store.getProposal('v1'))?.supportCount, 1);
    assert.match((await get('/en/participation/plz/nachweis', citizen)).body, /You have verified yourself/);
  });

  test('stewards switch to invitation codes and download new codes once as CSV; bad counts get a German message', async () => {
    const page = await get('/beteiligung/plz/nachweis', steward);
    assert.match(page.body, /Einstellungen der Redaktion/);
    const csrf = csrfOf(page.body);
    assert.equal((await post('/beteiligung/plz/nachweis/einstellung', citizen, { _csrf: csrfOf((await get('/beteiligung/plz/nachweis', citizen)).body), verification: 'none' })).statusCode, 403);
    const set = await post('/beteiligung/plz/nachweis/einstellung', steward, { _csrf: csrf, verification: 'invitation-code' });
    assert.equal(set.statusCode, 303);
    assert.equal((await a.app.participation!.service.process('plz')).process.verification, 'invitation-code');
    const bad = await post('/beteiligung/plz/nachweis/codes', steward, { _csrf: csrf, count: 'viele' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /ganze Zahl von 1 bis 10.000/);
    const csv = await post('/beteiligung/plz/nachweis/codes', steward, { _csrf: csrf, count: '3' });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /einladungscodes-plz\.csv/);
    const codes = csv.body.trim().split('\r\n').slice(1);
    assert.equal(codes.length, 3);
    assert.match((await get('/beteiligung/plz/nachweis', steward)).body, /3 Codes erzeugt, 0 eingelöst/);
    // The citizen's postal code no longer counts here; the code does.
    const cpage = await get('/beteiligung/plz/nachweis', citizen);
    assert.match(cpage.body, /Einladungscode/);
    assert.equal((await post('/beteiligung/plz/nachweis', citizen, { _csrf: csrfOf(cpage.body), code: codes[0]! })).statusCode, 303);
    assert.equal((await post('/beteiligung/plz/nachweis/einstellung', steward, { _csrf: csrf, verification: 'fingerabdruck' })).statusCode, 400);
  });
});
