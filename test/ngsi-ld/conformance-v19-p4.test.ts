// HTTP tests of issue #14 part 4 beyond linked entities (conformance-join.test.ts): transient
// entities in the temporal API. Runs on SQLite, and on PostgreSQL with TEST_ENGINE=postgres TEST_PG_URL=….
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';

const OPS = '/ngsi-ld/v1/entityOperations';
const TE = '/ngsi-ld/v1/temporal/entities';

describe('conformance v1.9 part 4: transient entities in the temporal API (clause 4.5.1)', () => {
  const T0 = '2030-06-01T10:00:00.000Z';
  const clock = fixedClock(T0);
  let t: TestApp;
  before(async () => { t = await testApp({ DREHSCHEIBE_EXPIRY_SWEEP_INTERVAL: '0' }, { clock }); });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject(o);
  const ids = (body: unknown) => (body as Array<{ id: string }>).map((e) => e.id).sort();

  test('[4.5.1, 6.18.3.2, 6.24.3.1] an expired entity not yet swept has no temporal evolution: query by GET and POST, with q in the window, count, retrieve 404', async () => {
    const r = await inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Alert:x1', type: 'Alert', level: { type: 'Property', value: 3, observedAt: '2030-06-01T09:00:00Z' }, expiresAt: '2030-06-01T11:00:00Z' },
      { id: 'urn:ngsi-ld:Alert:p1', type: 'Alert', level: { type: 'Property', value: 3, observedAt: '2030-06-01T09:00:00Z' } },
    ] });
    assert.equal(r.statusCode, 201, r.body);
    const window = 'timerel=after&timeAt=2030-06-01T08:00:00Z';
    let q = await inject({ method: 'GET', url: `${TE}?type=Alert&${window}` });
    assert.equal(q.statusCode, 200, q.body);
    assert.deepEqual(ids(q.json()), ['urn:ngsi-ld:Alert:p1', 'urn:ngsi-ld:Alert:x1'], 'before expiry both have history');

    clock.set('2030-06-01T12:00:00.000Z');
    q = await inject({ method: 'GET', url: `${TE}?type=Alert&count=true&${window}` });
    assert.equal(q.statusCode, 200, q.body);
    assert.deepEqual(ids(q.json()), ['urn:ngsi-ld:Alert:p1']);
    assert.equal(q.headers['ngsild-results-count'], '1');
    q = await inject({ method: 'GET', url: `${TE}?type=Alert&q=level==3&${window}` });
    assert.deepEqual(ids(q.json()), ['urn:ngsi-ld:Alert:p1'], 'q evaluated in the window leaves it out too');
    q = await inject({ method: 'GET', url: `${TE}?id=urn:ngsi-ld:Alert:x1&${window}` });
    assert.deepEqual(ids(q.json()), []);
    const post = await inject({ method: 'POST', url: `/ngsi-ld/v1/temporal/entityOperations/query`, headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Alert' }], temporalQ: { timerel: 'after', timeAt: '2030-06-01T08:00:00Z' } } });
    assert.equal(post.statusCode, 200, post.body);
    assert.deepEqual(ids(post.json()), ['urn:ngsi-ld:Alert:p1']);
    const one = await inject({ method: 'GET', url: `${TE}/urn:ngsi-ld:Alert:x1?${window}` });
    assert.equal(one.statusCode, 404, one.body);
    assert.equal((await inject({ method: 'GET', url: `${TE}/urn:ngsi-ld:Alert:p1?${window}` })).statusCode, 200);
    clock.set(T0);
  });
});

describe('conformance v1.9 part 4: temporal answers cut by the instance limit on the query operations (clause 6.3.10, RFC 7233)', () => {
  let t: TestApp;
  const at = (i: number) => `2026-03-01T00:0${i}:00.000Z`;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_TEMPORAL_MAX_INSTANCES: '3' });
    const r = await t.app.inject({ method: 'POST', url: TE, headers: JSON_HEADERS, payload: {
      id: 'urn:ngsi-ld:Meter:1', type: 'Meter', p: [0, 1, 2, 3, 4].map((i) => ({ type: 'Property', value: i, observedAt: at(i) })),
    } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const values = (body: unknown) => ((body as Array<{ p: { values: Array<[number, string]> } }>)[0].p.values).map((v) => v[0]);

  test('[6.3.10, 6.18.3.2, 6.24.3.1] GET /temporal/entities and POST temporal query answer 206 with Content-Range; lastN above the limit pages backwards with lastN as size; within it 200', async () => {
    const window = 'timerel=after&timeAt=2026-03-01T00:00:00Z';
    let r = await t.app.inject({ method: 'GET', url: `${TE}?type=Meter&options=temporalValues&${window}` });
    assert.equal(r.statusCode, 206, r.body);
    assert.equal(r.headers['content-range'], `date-time ${at(0)}-${at(3)}/*`, 'from timeAt to the last instance sent (after is exclusive)');
    assert.deepEqual(values(r.json()), [1, 2, 3]);
    r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entityOperations/query?options=temporalValues', headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Meter' }], temporalQ: { timerel: 'after', timeAt: '2026-03-01T00:00:00Z' } } });
    assert.equal(r.statusCode, 206, r.body);
    assert.equal(r.headers['content-range'], `date-time ${at(0)}-${at(3)}/*`);
    r = await t.app.inject({ method: 'GET', url: `${TE}?type=Meter&options=temporalValues&lastN=4` });
    assert.equal(r.statusCode, 206, r.body);
    assert.equal(r.headers['content-range'], `date-time ${at(4)}-${at(2)}/4`);
    assert.deepEqual(values(r.json()), [2, 3, 4]);
    r = await t.app.inject({ method: 'GET', url: `${TE}?type=Meter&options=temporalValues&lastN=2` });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-range'], undefined);
    assert.deepEqual(values(r.json()), [3, 4]);
  });
});
