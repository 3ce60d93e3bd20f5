// RFC 8058 one-click unsubscribing on participation notices, over HTTP (the outbox on SQLite, or on
// PostgreSQL with TEST_ENGINE=postgres): a follower's mail carries List-Unsubscribe with its signed link
// and List-Unsubscribe-Post; a mail client's POST of `List-Unsubscribe=One-Click` to that link, with no
// session and no CSRF token, ends the follow; a forged token changes nothing; the outbox page shows the fields.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AT, as, hourly, person, type Who } from './support.ts';

describe('List-Unsubscribe on participation notices', () => {
  let t: TestApp;
  let anna: Who, dora: Who;
  const clock = fixedClock(AT.participation!);
  const api = (method: string, url: string, who?: Who, payload?: unknown) => t.app.inject({ method: method as 'GET', url: `/api/participation${url}`, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
  const mails = async () => { await t.app.participation!.afterwards.idle(); return t.app.drehscheibe.storage.accounts.listMail({ limit: 50, offset: 0, to: 'dora@example.org' }); };
  const following = async () => (await api('GET', '/follows', dora)).json().follows.map((f: { kind: string; targetId: string }) => `${f.kind}:${f.targetId}`);

  before(async () => {
    t = await testApp({ DREHSCHEIBE_FOLLOW_INTERVAL: '0', DREHSCHEIBE_PUBLIC_URL: 'http://drehscheibe.test' }, { clock });
    const steward = await person(t.app, 'stadt@herne.de', [{ role: 'steward' }]);
    anna = await person(t.app, 'anna@example.org', [{ role: 'citizen' }]);
    dora = await person(t.app, 'dora@example.org', [{ role: 'citizen' }], { displayName: 'Dora' });
    assert.equal((await api('POST', '/processes', steward, hourly('kopf'))).statusCode, 201);
    assert.ok([200, 201, 204].includes((await api('PUT', '/follows/process/kopf', dora)).statusCode));
    assert.equal((await api('POST', '/processes/kopf/proposals', anna, { title: 'Mit Kopfzeilen', body: 'Text' })).statusCode, 201);
  });
  after(async () => { await t?.close(); });

  test('the follower\'s mail carries List-Unsubscribe (the signed link of its text) and List-Unsubscribe-Post', async () => {
    const [m] = await mails();
    assert.ok(m, 'a mail to the follower');
    const link = /abbestellen: (\S+)/.exec(m.text)![1]!;
    assert.deepEqual(m.headers, { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    assert.match(link, /^http:\/\/drehscheibe\.test\/beteiligung\/abbestellen\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  test('a forged token is refused (400) and changes nothing; the header\'s link, POSTed by a mail client without session or CSRF token, unsubscribes', async () => {
    const [m] = await mails();
    const url = new URL(/^<(.+)>$/.exec(m!.headers!['List-Unsubscribe']!)![1]!);
    const post = (path: string) => t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const token = url.searchParams.get('token')!;
    const forged = await post(`${url.pathname}?token=${encodeURIComponent(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))}`);
    assert.equal(forged.statusCode, 400);
    assert.deepEqual(await following(), ['process:kopf']);
    const r = await post(url.pathname + url.search);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(await following(), []);
  });

  test('the outbox page shows a mail\'s header fields', async () => {
    const operator = await person(t.app, 'betrieb@herne.de', [{ role: 'operator' }]);
    const r = await t.app.inject({ url: '/verwaltung/postausgang', headers: { cookie: operator.cookie } });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<pre class="mail-headers">List-Unsubscribe: &lt;http:\/\/drehscheibe\.test\/beteiligung\/abbestellen\?token=[^>]+>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click<\/pre>/);
  });
});
