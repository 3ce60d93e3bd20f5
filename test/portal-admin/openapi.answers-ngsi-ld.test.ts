// The OpenAPI description against real answers of the NGSI-LD API: a walk through every NGSI-LD
// operation — entity writes (with Prefer: return=representation and partial 207 answers), batch
// operations (201 with ids, 204, 207 with the batch result), discovery, temporal, subscriptions,
// @context management and /info — checks that each answer's status and media type are described and
// its JSON body validates against the described schema, and that every successful JSON answer has one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { AnswerChecker } from './openapi.support.ts';
import { OPERATIONS } from '../../src/portal/admin/openapi.ts';

const E = '/ngsi-ld/v1';
const JSON_H = { 'content-type': 'application/json' };
const LD_H = { 'content-type': 'application/ld+json' };
const CTX = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';
const room = (n: number, t = 21) => ({ id: `urn:ngsi-ld:Room:${n}`, type: 'Room', temperature: { type: 'Property', value: t, observedAt: '2026-12-01T10:00:00Z' } });
const id = (n: number) => encodeURIComponent(`urn:ngsi-ld:Room:${n}`);

describe('OpenAPI description against real answers: NGSI-LD', () => {
  let a: TestApp;
  let c: AnswerChecker;
  const call = async (method: string, url: string, o: { headers?: Record<string, string>; payload?: unknown } = {}) => {
    const headers = { ...(o.payload !== undefined && typeof o.payload !== 'string' ? JSON_H : {}), ...o.headers };
    const r = await a.app.inject({ method: method as 'GET', url, headers, payload: o.payload as string });
    c.check(method, url, r);
    return r;
  };
  before(async () => {
    a = await testApp({ DREHSCHEIBE_RATE_LIMIT: 'off' });
    await a.app.ready();
    c = new AnswerChecker((await a.app.inject({ url: '/api/openapi.json' })).json());
  });
  after(async () => { await a.close(); });

  test('entity writes: created, replaced, merged, attributes appended, updated, replaced and deleted; Prefer: return=representation; partial 207 answers', async () => {
    assert.equal((await call('POST', `${E}/entities`, { payload: room(1) })).statusCode, 201);
    assert.equal((await call('POST', `${E}/entities`, { payload: room(1) })).statusCode, 409);
    assert.equal((await call('POST', `${E}/entities`, { payload: { type: 'Room' } })).statusCode, 400);
    const rep = { prefer: 'return=representation' };
    assert.equal((await call('POST', `${E}/entities`, { headers: rep, payload: room(2) })).statusCode, 201);
    assert.equal((await call('POST', `${E}/entities`, { headers: { ...rep, ...LD_H, accept: 'application/ld+json' }, payload: { ...room(3), '@context': CTX } })).statusCode, 201);
    assert.equal((await call('PUT', `${E}/entities/${id(2)}`, { payload: { type: 'Room', temperature: { type: 'Property', value: 22 } } })).statusCode, 204);
    assert.equal((await call('PUT', `${E}/entities/${id(2)}`, { headers: rep, payload: { type: 'Room', temperature: { type: 'Property', value: 23 } } })).statusCode, 200);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}`, { payload: { humidity: { type: 'Property', value: 40 } } })).statusCode, 204);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}`, { headers: rep, payload: { humidity: { type: 'Property', value: 41 } } })).statusCode, 200);
    assert.equal((await call('PATCH', `${E}/entities/${id(404)}`, { payload: { humidity: { type: 'Property', value: 41 } } })).statusCode, 404);
    assert.equal((await call('POST', `${E}/entities/${id(2)}/attrs`, { payload: { co2: { type: 'Property', value: 400 } } })).statusCode, 204);
    assert.equal((await call('POST', `${E}/entities/${id(2)}/attrs?options=noOverwrite`, { payload: { co2: { type: 'Property', value: 401 } } })).statusCode, 207);
    assert.equal((await call('POST', `${E}/entities/${id(2)}/attrs`, { headers: rep, payload: { pressure: { type: 'Property', value: 1013 } } })).statusCode, 200);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}/attrs`, { payload: { co2: { type: 'Property', value: 410 } } })).statusCode, 204);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}/attrs`, { payload: { co2: { type: 'Property', value: 411 }, nowhere: { type: 'Property', value: 1 } } })).statusCode, 207);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}/attrs/co2`, { payload: { value: 420 } })).statusCode, 204);
    assert.equal((await call('PATCH', `${E}/entities/${id(2)}/attrs/co2`, { headers: rep, payload: { value: 421 } })).statusCode, 200);
    assert.equal((await call('PUT', `${E}/entities/${id(2)}/attrs/co2`, { payload: { type: 'Property', value: 430 } })).statusCode, 204);
    assert.equal((await call('PUT', `${E}/entities/${id(2)}/attrs/co2`, { headers: rep, payload: { type: 'Property', value: 431 } })).statusCode, 200);
    assert.equal((await call('DELETE', `${E}/entities/${id(2)}/attrs/pressure`)).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/entities/${id(2)}/attrs/pressure`)).statusCode, 404);
    assert.equal((await call('DELETE', `${E}/entities/${id(3)}`)).statusCode, 204);
  });

  test('batch operations: create (201 ids, 207), upsert (201, 204), update, merge and delete (204, 207), query', async () => {
    assert.equal((await call('POST', `${E}/entityOperations/create`, { payload: [room(10), room(11)] })).statusCode, 201);
    assert.equal((await call('POST', `${E}/entityOperations/create`, { payload: [room(10), room(12)] })).statusCode, 207);
    assert.equal((await call('POST', `${E}/entityOperations/create`, { payload: { not: 'a list' } })).statusCode, 400);
    assert.equal((await call('POST', `${E}/entityOperations/upsert`, { payload: [room(13), room(10, 25)] })).statusCode, 201);
    assert.equal((await call('POST', `${E}/entityOperations/upsert?options=update`, { payload: [room(10, 26)] })).statusCode, 204);
    assert.equal((await call('POST', `${E}/entityOperations/upsert`, { payload: [room(14), { id: 'kein uri', type: 'Room' }] })).statusCode, 207);
    assert.equal((await call('POST', `${E}/entityOperations/update`, { payload: [room(10, 27)] })).statusCode, 204);
    assert.equal((await call('POST', `${E}/entityOperations/update`, { payload: [room(10, 28), room(99)] })).statusCode, 207);
    assert.equal((await call('POST', `${E}/entityOperations/merge`, { payload: [{ id: 'urn:ngsi-ld:Room:11', humidity: { type: 'Property', value: 50 } }] })).statusCode, 204);
    assert.equal((await call('POST', `${E}/entityOperations/merge`, { payload: [{ id: 'urn:ngsi-ld:Room:98', humidity: { type: 'Property', value: 50 } }] })).statusCode, 207);
    assert.equal((await call('POST', `${E}/entityOperations/query?count=true`, { payload: { type: 'Query', entities: [{ type: 'Room' }], q: 'temperature>20' } })).statusCode, 200);
    assert.equal((await call('POST', `${E}/entityOperations/delete`, { payload: ['urn:ngsi-ld:Room:12'] })).statusCode, 204);
    assert.equal((await call('POST', `${E}/entityOperations/delete`, { payload: ['urn:ngsi-ld:Room:13', 'urn:ngsi-ld:Room:97'] })).statusCode, 207);
  });

  test('reads, discovery and purge: entities, one type, one attribute', async () => {
    assert.equal((await call('GET', `${E}/entities?type=Room&count=true`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/entities/${id(1)}`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/entities/${id(1)}`, { headers: { accept: 'application/geo+json' } })).statusCode, 200);
    assert.equal((await call('GET', `${E}/entities?type=Room&colour=red`)).statusCode, 400);
    assert.equal((await call('GET', `${E}/types`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/types?details=true`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/types/Room`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/types/Nowhere`)).statusCode, 404);
    assert.equal((await call('GET', `${E}/attributes`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/attributes?details=true`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/attributes/temperature`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/attributes/nowhere`)).statusCode, 404);
    assert.equal((await call('POST', `${E}/entities`, { payload: room(50) })).statusCode, 201);
    assert.equal((await call('DELETE', `${E}/entities?type=Room&id=urn:ngsi-ld:Room:50`)).statusCode, 204);
  });

  test('temporal: created, added to, queried (GET and POST), an instance modified and deleted, history CSV, deleted', async () => {
    const t = { id: 'urn:ngsi-ld:Room:t1', type: 'Room', temperature: [{ type: 'Property', value: 20, observedAt: '2026-12-01T10:00:00Z' }, { type: 'Property', value: 21, observedAt: '2026-12-01T11:00:00Z' }] };
    assert.equal((await call('POST', `${E}/temporal/entities`, { payload: t })).statusCode, 201);
    assert.equal((await call('POST', `${E}/temporal/entities`, { payload: t })).statusCode, 204);
    assert.equal((await call('POST', `${E}/temporal/entities/${encodeURIComponent(t.id)}/attrs`, { payload: { temperature: [{ type: 'Property', value: 22, observedAt: '2026-12-01T12:00:00Z' }] } })).statusCode, 204);
    assert.equal((await call('GET', `${E}/temporal/entities?type=Room&timerel=after&timeAt=2026-11-01T00:00:00Z`)).statusCode, 200);
    const one = await call('GET', `${E}/temporal/entities/${encodeURIComponent(t.id)}`);
    assert.equal(one.statusCode, 200);
    assert.equal((await call('POST', `${E}/temporal/entityOperations/query`, { payload: { type: 'Query', entities: [{ type: 'Room' }], temporalQ: { timerel: 'after', timeAt: '2026-11-01T00:00:00Z' } } })).statusCode, 200);
    assert.equal((await call('GET', `${E}/temporal/entities/${encodeURIComponent(t.id)}/attrs/temperature/history.csv?timerel=after&timeAt=2026-11-01T00:00:00Z`)).statusCode, 200);
    const instance = (one.json() as { temperature: Array<{ instanceId: string }> }).temperature[0].instanceId;
    assert.equal((await call('PATCH', `${E}/temporal/entities/${encodeURIComponent(t.id)}/attrs/temperature/${encodeURIComponent(instance)}`, { payload: { temperature: { type: 'Property', value: 19.5, observedAt: '2026-12-01T10:00:00Z' } } })).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/temporal/entities/${encodeURIComponent(t.id)}/attrs/temperature/${encodeURIComponent(instance)}`)).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/temporal/entities/${encodeURIComponent(t.id)}/attrs/temperature`)).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/temporal/entities/${encodeURIComponent(t.id)}`)).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/temporal/entities/${encodeURIComponent(t.id)}`)).statusCode, 404);
  });

  test('subscriptions: created, listed, retrieved, updated, deleted', async () => {
    const s = await call('POST', `${E}/subscriptions`, { payload: { type: 'Subscription', entities: [{ type: 'Room' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } } } });
    assert.equal(s.statusCode, 201, s.body);
    const sid = encodeURIComponent(String(s.headers.location).split('/').pop()!);
    assert.equal((await call('GET', `${E}/subscriptions?count=true`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/subscriptions/${sid}`)).statusCode, 200);
    assert.equal((await call('PATCH', `${E}/subscriptions/${sid}`, { payload: { throttling: 5 } })).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/subscriptions/${sid}`)).statusCode, 204);
    assert.equal((await call('GET', `${E}/subscriptions/${sid}`)).statusCode, 404);
  });

  test('@context management: listed (URLs, details), added, served, its details, deleted; errors', async () => {
    assert.equal((await call('GET', `${E}/jsonldContexts`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/jsonldContexts?details=true`)).statusCode, 200);
    const added = await call('POST', `${E}/jsonldContexts`, { payload: { '@context': { Raum: 'https://example.org/Raum', temp: 'https://example.org/temp' } } });
    assert.equal(added.statusCode, 201, added.body);
    const local = String(added.headers.location).split('/').pop()!;
    assert.equal((await call('POST', `${E}/jsonldContexts`, { payload: { nope: 1 } })).statusCode, 400);
    assert.equal((await call('GET', `${E}/jsonldContexts/${local}`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/jsonldContexts/${local}?details=true`)).statusCode, 200);
    assert.equal((await call('GET', `${E}/jsonldContexts/nowhere`)).statusCode, 404);
    assert.equal((await call('DELETE', `${E}/jsonldContexts/${local}`)).statusCode, 204);
    assert.equal((await call('DELETE', `${E}/jsonldContexts/${local}`)).statusCode, 404);
  });

  test('information about the broker: source identity and conformance, as JSON and JSON-LD', async () => {
    for (const accept of ['application/json', 'application/ld+json']) {
      assert.equal((await call('GET', `${E}/info/sourceIdentity`, { headers: { accept } })).statusCode, 200);
      assert.equal((await call('GET', `${E}/info/conformance`, { headers: { accept } })).statusCode, 200);
    }
    assert.equal((await call('GET', `${E}/info/sourceIdentity?x=1`)).statusCode, 400);
  });

  test('every answer had a described status, media type and shape; every successful JSON answer a schema; every NGSI-LD operation was called', () => {
    assert.deepEqual({ problems: c.problems, undescribed: c.undescribed }, { problems: [], undescribed: [] });
    const missed = OPERATIONS.filter((o) => o.tag === 'NGSI-LD' && !c.seen.has(`${o.method} ${o.path}`)).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(missed, []);
  });
});
