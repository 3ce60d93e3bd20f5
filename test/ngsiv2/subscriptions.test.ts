// HTTP tests of NGSIv2 subscriptions (docs/ngsiv2.md#subscriptions): create/list/get/patch/delete in Orion's
// shapes, http and httpCustom notifications with Orion's payload {subscriptionId, data} and headers, and
// access control on /v2 with API keys (X-API-Key, Authorization: Bearer, X-Auth-Token).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Receiver } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { testApp, type TestApp } from '../support/app.ts';

const J = { 'content-type': 'application/json' };
const FAST = { DREHSCHEIBE_NOTIFY_BACKOFF_MS: '20', DREHSCHEIBE_NOTIFY_BACKOFF_MAX_MS: '100', DREHSCHEIBE_NOTIFY_TIMEOUT_MS: '500', DREHSCHEIBE_NOTIFY_RETRIES: '0' };

describe('NGSIv2 subscriptions', () => {
  let t: TestApp;
  let rx: Receiver;
  before(async () => { t = await testApp(FAST); rx = await Receiver.start(); });
  after(async () => { await rx.close(); await t.close(); });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers: { ...J, ...headers }, payload: payload as string });
  const settle = async () => { await t.app.drehscheibe.subscriptions.idle(); await t.app.drehscheibe.subscriptions.flush(); };

  let subId = '';
  test('POST /v2/subscriptions (http) → 201 with Location; a change notifies in Orion\'s shape with Fiware-Service and -ServicePath', async () => {
    const r = await post('/v2/subscriptions', {
      description: 'hot rooms',
      subject: { entities: [{ idPattern: '.*', type: 'Room' }], condition: { attrs: ['temperature'], expression: { q: 'temperature>25' } } },
      notification: { http: { url: rx.url }, attrs: ['temperature'] },
      throttling: 0,
    }, { 'fiware-service': 'city', 'fiware-servicepath': '/' });
    assert.equal(r.statusCode, 201, r.body);
    assert.match(String(r.headers.location), /^\/v2\/subscriptions\/\S+$/);
    subId = String(r.headers.location).slice('/v2/subscriptions/'.length);
    const e = await post('/v2/entities', { id: 'Room1', type: 'Room', temperature: { type: 'Number', value: 30 }, name: { type: 'Text', value: 'x' } }, { 'fiware-service': 'city', 'fiware-servicepath': '/Herne' });
    assert.equal(e.statusCode, 201, e.body);
    const [n] = await rx.waitFor(1);
    assert.deepEqual(n.body, { subscriptionId: subId, data: [{ id: 'Room1', type: 'Room', temperature: { type: 'Number', value: 30, metadata: {} } }] });
    assert.equal(n.headers['fiware-service'], 'city');
    assert.equal(n.headers['fiware-servicepath'], '/Herne');
    assert.equal(n.headers['ngsiv2-attrsformat'], 'normalized');
    assert.match(String(n.headers['content-type']), /^application\/json/);
    await settle();
    assert.equal(rx.received.length, 1, 'one notification for the creation (entityCreate and entityChange do not both fire)');
    // Below the q threshold: no notification.
    rx.received.length = 0;
    await t.app.inject({ method: 'PATCH', url: '/v2/entities/Room1/attrs', headers: { ...J, 'fiware-service': 'city' }, payload: { temperature: { type: 'Number', value: 20 } } as unknown as string });
    await settle();
    assert.equal(rx.received.length, 0);
  });

  test('GET /v2/subscriptions and /{id} in Orion\'s shape, with the delivery counters', async () => {
    await settle();
    const r = await t.app.inject({ method: 'GET', url: '/v2/subscriptions?options=count', headers: { 'fiware-service': 'city' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['fiware-total-count'], '1');
    const [s] = r.json();
    assert.equal(s.id, subId);
    assert.equal(s.description, 'hot rooms');
    assert.equal(s.status, 'active');
    assert.deepEqual(s.subject.entities, [{ idPattern: '.*', type: 'Room' }]);
    assert.deepEqual(s.subject.condition.attrs, ['temperature']);
    assert.equal(s.subject.condition.expression.q, 'temperature>25');
    assert.deepEqual(s.notification.http, { url: rx.url });
    assert.deepEqual(s.notification.attrs, ['temperature']);
    assert.equal(s.notification.attrsFormat, 'normalized');
    assert.equal(s.notification.timesSent, 1);
    assert.ok(s.notification.lastNotification);
    const one = await t.app.inject({ method: 'GET', url: `/v2/subscriptions/${subId}`, headers: { 'fiware-service': 'city' } });
    assert.deepEqual(one.json(), s);
    const other = await t.app.inject({ method: 'GET', url: `/v2/subscriptions/${subId}`, headers: { 'fiware-service': 'elsewhere' } });
    assert.equal(other.statusCode, 404);
    assert.deepEqual(other.json(), { error: 'NotFound', description: 'The requested subscription has not been found. Check id' });
  });

  test('PATCH: status inactive silences it, attrsFormat keyValues changes the payload; DELETE removes it', async () => {
    let r = await t.app.inject({ method: 'PATCH', url: `/v2/subscriptions/${subId}`, headers: { ...J, 'fiware-service': 'city' }, payload: { status: 'inactive' } as unknown as string });
    assert.equal(r.statusCode, 204, r.body);
    rx.received.length = 0;
    await t.app.inject({ method: 'PATCH', url: '/v2/entities/Room1/attrs', headers: { ...J, 'fiware-service': 'city' }, payload: { temperature: { type: 'Number', value: 31 } } as unknown as string });
    await settle();
    assert.equal(rx.received.length, 0);
    assert.equal((await t.app.inject({ method: 'GET', url: `/v2/subscriptions/${subId}`, headers: { 'fiware-service': 'city' } })).json().status, 'inactive');
    r = await t.app.inject({ method: 'PATCH', url: `/v2/subscriptions/${subId}`, headers: { ...J, 'fiware-service': 'city' }, payload: { status: 'active', notification: { http: { url: rx.url }, attrsFormat: 'keyValues' } } as unknown as string });
    assert.equal(r.statusCode, 204, r.body);
    await t.app.inject({ method: 'PATCH', url: '/v2/entities/Room1/attrs', headers: { ...J, 'fiware-service': 'city' }, payload: { temperature: { type: 'Number', value: 32 } } as unknown as string });
    const [n] = await rx.waitFor(1);
    assert.deepEqual(n.body.data, [{ id: 'Room1', type: 'Room', temperature: 32, name: 'x' }]);
    assert.equal(n.headers['ngsiv2-attrsformat'], 'keyValues');
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v2/subscriptions/${subId}`, headers: { 'fiware-service': 'city' } })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v2/subscriptions/${subId}`, headers: { 'fiware-service': 'city' } })).statusCode, 404);
  });

  test('httpCustom: headers and qs reach the receiver; ids that are not URIs are matched exactly; values format', async () => {
    rx.received.length = 0;
    const r = await post('/v2/subscriptions', {
      subject: { entities: [{ id: 'Room1', type: 'Room' }] },
      notification: { httpCustom: { url: rx.url, headers: { 'X-Custom': 'yes' }, qs: { source: 'drehscheibe' } }, attrs: ['temperature'], attrsFormat: 'values' },
    }, { 'fiware-service': 'city' });
    assert.equal(r.statusCode, 201, r.body);
    await post('/v2/entities', { id: 'Room10', type: 'Room', temperature: { type: 'Number', value: 1 } }, { 'fiware-service': 'city' });
    await t.app.inject({ method: 'PATCH', url: '/v2/entities/Room1/attrs', headers: { ...J, 'fiware-service': 'city' }, payload: { temperature: { type: 'Number', value: 33 } } as unknown as string });
    const [n] = await rx.waitFor(1);
    await settle();
    assert.equal(rx.received.length, 1, `Room10 does not match the selector id Room1: ${JSON.stringify(rx.received.map((x) => x.body))}`);
    assert.deepEqual(n.body.data, [[33]]);
    assert.equal(n.headers['x-custom'], 'yes');
    assert.equal(n.url, '/notify?source=drehscheibe');
    const id = String(r.headers.location).split('/').pop();
    const s = (await t.app.inject({ method: 'GET', url: `/v2/subscriptions/${id}`, headers: { 'fiware-service': 'city' } })).json();
    assert.deepEqual(s.subject.entities, [{ id: 'Room1', type: 'Room' }]);
    assert.deepEqual(s.notification.httpCustom.headers, { 'X-Custom': 'yes' });
  });

  test('a selector of every entity ({"idPattern": ".*"} without type) with condition.attrs, as QuantumLeap writes it', async () => {
    rx.received.length = 0;
    const r = await post('/v2/subscriptions', {
      subject: { entities: [{ idPattern: '.*' }], condition: { attrs: ['count'] } },
      notification: { http: { url: rx.url }, attrs: ['count'], metadata: ['dateCreated', 'dateModified'] }, throttling: 1,
    }, { 'fiware-service': 'ql' });
    assert.equal(r.statusCode, 201, r.body);
    await post('/v2/entities?options=keyValues', { id: 'Motion1', type: 'Motion', count: 1 }, { 'fiware-service': 'ql' });
    await post('/v2/entities?options=keyValues', { id: 'Door1', type: 'Door', open: true }, { 'fiware-service': 'ql' });
    const [n] = await rx.waitFor(1);
    await settle();
    assert.equal(rx.received.length, 1, 'Door1 has no attribute count');
    assert.deepEqual(n.body.data, [{ id: 'Motion1', type: 'Motion', count: { type: 'Number', value: 1, metadata: {} } }]);
    const s = (await t.app.inject({ method: 'GET', url: String(r.headers.location), headers: { 'fiware-service': 'ql' } })).json();
    assert.deepEqual(s.subject, { entities: [{ idPattern: '.*' }], condition: { attrs: ['count'] } });
    assert.equal((await t.app.inject({ method: 'DELETE', url: String(r.headers.location), headers: { 'fiware-service': 'ql' } })).statusCode, 204);
  });

  test('errors: missing subject or notification 400, unknown members 400, custom payloads and type-less selectors 501', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ notification: { http: { url: rx.url } } }, 400, 'BadRequest'],
      [{ subject: { entities: [{ id: 'a', type: 'T' }] } }, 400, 'BadRequest'],
      [{ subject: { entities: [{ id: 'a', type: 'T' }] }, notification: { http: { url: 'not a url' } } }, 400, 'BadRequest'],
      [{ subject: { entities: [{ id: 'a', type: 'T' }] }, notification: { http: { url: rx.url } }, bogus: 1 }, 400, 'BadRequest'],
      [{ subject: { entities: [{ id: 'a', type: 'T' }] }, notification: { http: { url: rx.url }, attrsFormat: 'legacy' } }, 400, 'BadRequest'],
      [{ subject: { entities: [{ id: 'a', type: 'T' }] }, notification: { httpCustom: { url: rx.url, payload: 'x' } } }, 501, 'NotImplemented'],
      [{ subject: { entities: [{ idPattern: '.*' }] }, notification: { http: { url: rx.url } } }, 501, 'NotImplemented'],
    ];
    for (const [body, status, error] of cases) {
      const r = await post('/v2/subscriptions', body);
      assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
      assert.equal(r.json().error, error);
    }
  });
});

describe('NGSIv2 with access control on: the same API keys', () => {
  let t: TestApp;
  let operator = '';
  let steward = '';
  before(async () => {
    t = await testApp({ DREHSCHEIBE_AUTH: 'on' });
    operator = readFileSync(join(t.dir, 'admin-key'), 'utf8').trim();
    const r = await t.app.inject({ method: 'POST', url: '/admin/api-keys', headers: { 'x-api-key': operator, ...J }, payload: { name: 'v2-agent', roles: ['steward'], tenants: ['city'] } as unknown as string });
    assert.equal(r.statusCode, 201, r.body);
    steward = r.json().key;
  });
  after(async () => { await t.close(); });
  const create = (headers: Record<string, string>, id: string) => t.app.inject({ method: 'POST', url: '/v2/entities?options=keyValues', headers: { ...J, 'fiware-service': 'city', ...headers }, payload: { id, type: 'Lamp', on: true } as unknown as string });

  test('a write without a credential is 401 Unauthorized in Orion\'s shape; reads of a public tenant are open', async () => {
    const r = await create({}, 'L0');
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error, 'Unauthorized');
    assert.equal(typeof r.json().description, 'string');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/entities', headers: { 'fiware-service': 'city' } })).statusCode, 200);
  });

  test('the key as X-API-Key, as Authorization: Bearer and as X-Auth-Token is accepted; a wrong key is 401', async () => {
    assert.equal((await create({ 'x-api-key': steward }, 'L1')).statusCode, 201);
    assert.equal((await create({ authorization: `Bearer ${steward}` }, 'L2')).statusCode, 201);
    assert.equal((await create({ 'x-auth-token': steward }, 'L3')).statusCode, 201);
    assert.equal((await create({ 'x-auth-token': `ds_${'Z'.repeat(43)}` }, 'L4')).statusCode, 401);
    const ids = (await t.app.inject({ method: 'GET', url: '/v2/entities?options=keyValues', headers: { 'fiware-service': 'city' } })).json().map((e: { id: string }) => e.id).sort();
    assert.deepEqual(ids, ['L1', 'L2', 'L3']);
  });

  test('a key limited to one tenant cannot write another tenant (403 Forbidden)', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v2/entities', headers: { ...J, 'fiware-service': 'other', 'x-auth-token': steward }, payload: { id: 'X', type: 'Lamp' } as unknown as string });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error, 'Forbidden');
  });

  test('subscriptions need a credential; with one they are created', async () => {
    const body = { subject: { entities: [{ idPattern: '.*', type: 'Lamp' }] }, notification: { http: { url: 'http://127.0.0.1:9/n' } } };
    assert.equal((await t.app.inject({ method: 'POST', url: '/v2/subscriptions', headers: { ...J, 'fiware-service': 'city' }, payload: body as unknown as string })).statusCode, 401);
    const r = await t.app.inject({ method: 'POST', url: '/v2/subscriptions', headers: { ...J, 'fiware-service': 'city', 'x-auth-token': steward }, payload: body as unknown as string });
    assert.equal(r.statusCode, 201, r.body);
  });
});
