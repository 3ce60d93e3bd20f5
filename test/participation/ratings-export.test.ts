// Comment ratings ("hilfreich": one per person and comment, withdrawable, counted by the database under
// parallel requests) and the open-data exports of a process (JSON, CSV; pseudonyms only, nothing
// personal), over HTTP on SQLite and (with TEST_PG_URL) PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';
import { AT, SURVEY, as, hourly, login, person, type Who } from './support.ts';

const ENGINES: Array<{ name: string; skip: string | false; env: () => Record<string, string> }> = [
  { name: 'sqlite', skip: false, env: () => ({}) },
  { name: 'postgres', skip: PG_SKIP, env: () => ({ DATABASE_URL: PG_URL!, DREHSCHEIBE_PG_SCHEMA: freshSchema() }) },
];
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

for (const engine of ENGINES) {
  describe(`participation ratings and open data: ${engine.name}`, { skip: engine.skip }, () => {
    let t: TestApp;
    let env: Record<string, string>;
    const clock = fixedClock(AT.participation!);
    let steward: Who, anna: Who, bert: Who, carla: Who;
    const others: Who[] = [];
    let proposalId = '';
    let commentId = '';
    let surveyId = '';
    const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
    const get = (url: string, who?: Who) => t.app.inject({ url, headers: who ? { cookie: who.cookie } : {} });

    before(async () => {
      env = engine.env();
      t = await testApp(env, { clock });
      steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }], { displayName: 'Stadt Herne' });
      anna = await person(t.app, 'anna.mueller@example.org', [{ role: 'citizen' }], { displayName: 'Eule 417' });
      bert = await person(t.app, 'bert@example.org', [{ role: 'citizen' }], { displayName: 'Dachs 12' });
      carla = await person(t.app, 'carla@example.org', [{ role: 'citizen' }], { displayName: 'Igel 3' });
      for (let i = 0; i < 5; i++) others.push(await person(t.app, `o${i}@example.org`, [{ role: 'citizen' }]));
      assert.equal((await api('POST', '/processes', steward, hourly('offen', { budget: 10_000 } as never))).statusCode, 201);
      const p = await api('POST', '/processes/offen/proposals', anna, { title: '=HYPERLINK("http://x")', body: 'Mehr Bänke am Markt', category: 'Grün', lat: 51.5381, lon: 7.2196 });
      proposalId = p.json().id;
      commentId = (await api('POST', `/proposals/${proposalId}/comments`, bert, { body: 'Gute Idee, auch am Bahnhof.' })).json().id;
      await api('PUT', `/proposals/${proposalId}/support`, carla);
      surveyId = (await api('POST', '/processes/offen/surveys', steward, SURVEY)).json().id;
      assert.equal((await api('POST', `/surveys/${surveyId}/answers`, carla, { answers: { q1: 0, q3: 4, q4: 'Ich heiße Carla Beispiel' } })).statusCode, 201);
    });
    after(async () => {
      await t?.close();
      if (env?.DREHSCHEIBE_PG_SCHEMA) await dropSchema(env.DREHSCHEIBE_PG_SCHEMA);
    });

    test('"hilfreich": once per person, withdrawable; not one\'s own comment (403), not anonymous (401)', async () => {
      assert.equal((await api('PUT', `/comments/${commentId}/helpful`)).statusCode, 401);
      assert.equal((await api('PUT', `/comments/${commentId}/helpful`, bert)).statusCode, 403);
      assert.deepEqual((await api('PUT', `/comments/${commentId}/helpful`, carla)).json(), { helpful: true, count: 1 });
      assert.deepEqual((await api('PUT', `/comments/${commentId}/helpful`, carla)).json(), { helpful: true, count: 1 }, 'twice counts once');
      assert.equal((await api('GET', `/proposals/${proposalId}/comments`)).json()[0].helpfulCount, 1);
      assert.deepEqual((await api('DELETE', `/comments/${commentId}/helpful`, carla)).json(), { helpful: false, count: 0 });
      assert.equal((await api('PUT', '/comments/nope/helpful', carla)).statusCode, 404);
    });

    test('parallel ratings: 5 people × 4 requests each count 5', async () => {
      const res = await Promise.all(others.flatMap((o) => [0, 1, 2, 3].map(() => api('PUT', `/comments/${commentId}/helpful`, o))));
      assert.ok(res.every((r) => r.statusCode === 200), res.map((r) => r.statusCode).join(','));
      assert.equal((await api('GET', `/proposals/${proposalId}/comments`)).json()[0].helpfulCount, 5);
      assert.deepEqual((await api('GET', '/me/export', others[0])).json().commentRatings.map((r: { commentId: string }) => r.commentId), [commentId]);
    });

    test('the proposal page: a "Hilfreich" button per comment, the count, and withdrawing by form', async () => {
      const page = await get(`/beteiligung/vorschlaege/${proposalId}`, carla);
      assert.match(page.body, /5 Personen finden das hilfreich/);
      assert.match(page.body, new RegExp(`action="/beteiligung/vorschlaege/${proposalId}/kommentare/${commentId}/hilfreich"`));
      assert.match(page.body, new RegExp(`<p class="kern-body--small comment__meta" id="kommentar-von-${commentId}">Von Dachs 12, `));
      assert.match(page.body, new RegExp(`<button class="kern-btn kern-btn--secondary" type="submit" aria-describedby="kommentar-von-${commentId}"><span class="kern-label">Hilfreich</span></button>`));
      assert.doesNotMatch((await get(`/beteiligung/vorschlaege/${proposalId}`, bert)).body, /\/hilfreich"/, 'no button at one\'s own comment');
      const form = (what: string) => new URLSearchParams({ _csrf: csrfOf(page.body), aktion: what }).toString();
      const r = await t.app.inject({ method: 'POST', url: `/beteiligung/vorschlaege/${proposalId}/kommentare/${commentId}/hilfreich`, payload: form('hilfreich'), headers: { cookie: carla.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(r.statusCode, 303);
      const after = await get(r.headers.location!, carla);
      assert.match(after.body, /Danke für Ihre Bewertung\./);
      assert.match(after.body, /6 Personen finden das hilfreich/);
      assert.match(after.body, /<span class="kern-label">Nicht mehr hilfreich<\/span>/);
      const back = await t.app.inject({ method: 'POST', url: `/beteiligung/vorschlaege/${proposalId}/kommentare/${commentId}/hilfreich`, payload: form('zuruecknehmen'), headers: { cookie: carla.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      assert.match((await get(back.headers.location!, carla)).body, /5 Personen finden das hilfreich/);
    });

    test('open data as JSON: the public contributions with counts, pseudonyms only; survey results only once published', async () => {
      const r = await api('GET', '/processes/offen/export.json');
      assert.equal(r.statusCode, 200);
      const x = r.json();
      assert.equal(x.process.slug, 'offen');
      assert.deepEqual(x.proposals.map((p: Record<string, unknown>) => [p.id, p.authorName, p.supportCount, p.commentCount, p.lat, p.lon]), [[proposalId, 'Eule 417', 1, 1, 51.5381, 7.2196]]);
      assert.deepEqual(x.comments.map((c: Record<string, unknown>) => [c.id, c.proposalId, c.authorName, c.helpfulCount, c.body]), [[commentId, proposalId, 'Dachs 12', 5, 'Gute Idee, auch am Bahnhof.']]);
      assert.deepEqual(x.surveys.map((s: Record<string, unknown>) => [s.id, s.results]), [[surveyId, null]]);
      assert.equal(x.budgetResult, null, 'the budget result is public from the result phase on');
      for (const secret of ['@example.org', '@herne.de', anna.id, bert.id, carla.id, 'authorId', 'userId', 'Carla Beispiel']) assert.ok(!r.body.includes(secret), `no ${secret} in the export`);
      await api('PUT', `/surveys/${surveyId}/published`, steward, { published: true });
      const y = (await api('GET', '/processes/offen/export.json')).json();
      assert.equal(y.surveys[0].results.respondents, 1);
      assert.ok(!JSON.stringify(y).includes('Carla Beispiel'), 'free texts are never published');
      assert.equal((await api('GET', '/processes/nope/export.json')).statusCode, 404);
    });

    test('open data as CSV: a header, formula-safe cells, hidden content left out; the process page links the exports', async () => {
      const p = await api('GET', '/processes/offen/proposals.csv');
      assert.equal(p.statusCode, 200);
      assert.match(p.headers['content-type'] as string, /^text\/csv/);
      const lines = p.body.split('\r\n');
      assert.equal(lines[0], 'id,title,body,category,lat,lon,authorName,createdAt,modifiedAt,supportCount,commentCount,cost,answerStatus,answerText,answerAt,answerProjectSlug,imageUrl,imageAlt');
      assert.ok(lines[1]!.startsWith(`${proposalId},"'=HYPERLINK(""http://x"")",Mehr Bänke am Markt,Grün,51.5381,7.2196,Eule 417,`), lines[1]);
      const c = await api('GET', '/processes/offen/comments.csv');
      assert.equal(c.body.split('\r\n')[0], 'id,proposalId,parentId,authorName,createdAt,helpfulCount,hidden,body');
      assert.match(c.body, /Dachs 12,[^,]+,5,0,"Gute Idee\, auch am Bahnhof\."/);
      // A moderator hides the comment: its text leaves the export, the row stays marked.
      const mod = await person(t.app, 'mod@herne.de', [{ role: 'moderator' }]);
      assert.equal((await api('POST', `/comments/${commentId}/hide`, mod, { reason: 'Test' })).statusCode, 204);
      assert.match((await api('GET', '/processes/offen/comments.csv')).body, /Dachs 12,[^,]+,5,1,\r\n/);
      assert.equal((await api('POST', `/proposals/${proposalId}/hide`, mod, { reason: 'Test' })).statusCode, 204);
      assert.equal((await api('GET', '/processes/offen/proposals.csv')).body.split('\r\n').filter(Boolean).length, 1, 'a hidden proposal is not exported');
      assert.deepEqual((await api('GET', '/processes/offen/export.json')).json().comments, []);
      const page = await get('/beteiligung/offen');
      assert.match(page.body, /<h2 class="kern-heading-large" id="offene-daten">Offene Daten<\/h2>/);
      assert.match(page.body, /href="\/api\/participation\/processes\/offen\/export\.json">Alles als JSON<\/a>/);
      assert.match(page.body, /href="\/api\/participation\/processes\/offen\/proposals\.csv" download>Vorschläge als CSV<\/a>/);
    });

    test('the budget result joins the export in the result phase', async () => {
      clock.set(AT.result!);
      const x = (await api('GET', '/processes/offen/export.json')).json();
      assert.equal(x.process.phase, 'result');
      assert.deepEqual([x.budgetResult.budget, x.budgetResult.ballots], [10_000, 0]);
    });
    test('exports are built at most once a minute per process and format; a change through this node drops them at once', async () => {
      const first = (await api('GET', '/processes/offen/proposals.csv')).body;
      // A change behind this node's back (another node): the built export is served until the minute is over.
      await t.app.participation!.store.createProposal({ id: 'other-node', processSlug: 'offen', authorId: 'x', authorName: 'Luchs 5', title: 'Von einem anderen Knoten', body: 'b', state: 'published', supportCount: 0, commentCount: 0, createdAt: AT.result!, modifiedAt: AT.result! });
      assert.equal((await api('GET', '/processes/offen/proposals.csv')).body, first);
      clock.set(new Date(Date.parse(AT.result!) + 61_000).toISOString());
      assert.match((await api('GET', '/processes/offen/proposals.csv')).body, /Von einem anderen Knoten/);
      // A change through this node shows at once (the clock's jump ended the sessions: log in again).
      steward = await login(t.app, 'stadt@herne.de');
      const ans = await api('PUT', '/proposals/other-node/answer', steward, { status: 'accepted', text: 'Wird umgesetzt.' });
      assert.equal(ans.statusCode, 200, ans.body);
      assert.match((await api('GET', '/processes/offen/proposals.csv')).body, /accepted,Wird umgesetzt\./);
    });
  });
}
