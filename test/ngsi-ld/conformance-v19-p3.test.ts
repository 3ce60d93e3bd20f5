// HTTP tests of the parts of ETSI GS CIM 009 v1.9.1 added by issue #14 part 3 (Prefer header,
// transient entities, ordering by distance, aggrMethods in the temporal query body): each names
// the clause it checks. Runs on SQLite, and on PostgreSQL with TEST_ENGINE=postgres TEST_PG_URL=….
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';
const OPS = '/ngsi-ld/v1/entityOperations';

describe('conformance v1.9 part 3: the Prefer header', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject(o);
  const H = (prefer: string) => ({ ...JSON_HEADERS, prefer });

  test('[6.3.6, RFC 7240] return=representation: create answers 201 with the entity as stored, update/append/merge/replace 200 with it; Preference-Applied names it', async () => {
    const id = 'urn:ngsi-ld:Room:pr1';
    let r = await inject({ method: 'POST', url: E, headers: H('return=representation'), payload: { id, type: 'Room', temperature: { type: 'Property', value: 20, unitCode: 'CEL' } } });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers['preference-applied'], 'return=representation');
    assert.match(String(r.headers.location), /Room:pr1$/);
    assert.equal(r.json().id, id);
    assert.equal(r.json().temperature.value, 20);
    assert.equal(r.json().temperature.unitCode, 'CEL');

    r = await inject({ method: 'PATCH', url: `${E}/${id}/attrs`, headers: H('return=representation'), payload: { temperature: { type: 'Property', value: 21 } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['preference-applied'], 'return=representation');
    assert.equal(r.json().temperature.value, 21);
    assert.ok(r.headers.etag, 'the stored version comes with its ETag');

    r = await inject({ method: 'POST', url: `${E}/${id}/attrs`, headers: H('return=representation'), payload: { humidity: { type: 'Property', value: 40 } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().humidity.value, 40);
    assert.equal(r.json().temperature.value, 21, 'the whole entity, not the fragment');

    r = await inject({ method: 'PATCH', url: `${E}/${id}`, headers: H('return=representation'), payload: { humidity: { type: 'Property', value: 41 } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().humidity.value, 41);

    r = await inject({ method: 'PUT', url: `${E}/${id}`, headers: H('return=representation'), payload: { type: 'Room', pressure: { type: 'Property', value: 1000 } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().pressure.value, 1000);
    assert.equal(r.json().humidity, undefined, 'replace drops what the new body does not name');

    r = await inject({ method: 'PATCH', url: `${E}/${id}/attrs/pressure`, headers: H('return=representation'), payload: { value: 1001 } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().pressure.value, 1001);
  });

  test('[6.3.6, RFC 7240] return=minimal keeps 201/204 without body and says so in Preference-Applied; no Prefer header, no Preference-Applied', async () => {
    const id = 'urn:ngsi-ld:Room:pr2';
    let r = await inject({ method: 'POST', url: E, headers: H('return=minimal'), payload: { id, type: 'Room', t: 1 } });
    assert.equal(r.statusCode, 201);
    assert.equal(r.body, '');
    assert.equal(r.headers['preference-applied'], 'return=minimal');
    r = await inject({ method: 'PATCH', url: `${E}/${id}/attrs`, headers: H('return=minimal'), payload: { t: 2 } });
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['preference-applied'], 'return=minimal');
    r = await inject({ method: 'PATCH', url: `${E}/${id}/attrs`, headers: JSON_HEADERS, payload: { t: 3 } });
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['preference-applied'], undefined);
  });

  test('[6.3.6, 4.3.6.8] Prefer: ngsi-ld=1.8 answers in v1.8: members v1.9 introduced (expiresAt) are left out, 203 when the answer was altered; ngsi-ld=1.9 is applied unchanged; an unknown version is ignored', async () => {
    const id = 'urn:ngsi-ld:Room:pr3';
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    let r = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'Room', t: 1, expiresAt } });
    assert.equal(r.statusCode, 201, r.body);
    r = await inject({ method: 'GET', url: `${E}/${id}`, headers: { prefer: 'ngsi-ld=1.8' } });
    assert.equal(r.statusCode, 203, r.body);
    assert.equal(r.headers['preference-applied'], 'ngsi-ld=1.8');
    assert.equal(r.json().expiresAt, undefined);
    assert.equal(r.json().t.value, 1);
    r = await inject({ method: 'GET', url: `${E}?type=Room&q=t==1`, headers: { prefer: 'ngsi-ld=1.8.1' } });
    assert.equal(r.statusCode, 203, r.body);
    assert.equal(r.json()[0].expiresAt, undefined);
    r = await inject({ method: 'GET', url: `${E}/${id}`, headers: { prefer: 'ngsi-ld=1.9' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['preference-applied'], 'ngsi-ld=1.9');
    assert.equal(r.json().expiresAt, expiresAt);
    r = await inject({ method: 'GET', url: `${E}/${id}`, headers: { prefer: 'ngsi-ld=0.7' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['preference-applied'], undefined);
    // An answer v1.8 can carry unchanged: 200, the preference applied.
    await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Room:pr3b', type: 'Room', t: 1 } });
    r = await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Room:pr3b`, headers: { prefer: 'ngsi-ld=1.8' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['preference-applied'], 'ngsi-ld=1.8');
    // Both preferences at once.
    r = await inject({ method: 'PATCH', url: `${E}/${id}/attrs`, headers: H('return=representation, ngsi-ld=1.8'), payload: { t: 5 } });
    assert.equal(r.statusCode, 203, r.body);
    assert.equal(r.headers['preference-applied'], 'return=representation, ngsi-ld=1.8');
    assert.equal(r.json().t.value, 5);
    assert.equal(r.json().expiresAt, undefined);
  });
});

describe('conformance v1.9 part 3: transient entities (expiresAt)', () => {
  const T0 = '2030-06-01T10:00:00.000Z';
  const clock = fixedClock(T0);
  let t: TestApp;
  before(async () => { t = await testApp({ DREHSCHEIBE_EXPIRY_SWEEP_INTERVAL: '0' }, { clock }); });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject(o);
  const inOneHour = '2030-06-01T11:00:00.000Z';

  test('[4.5.1, 5.6.1] expiresAt must be a UTC DateTime in the future, else 400 BadRequestData and nothing is stored', async () => {
    for (const expiresAt of ['2030-06-01T09:00:00Z', T0, 'tomorrow', '2030-06-01T12:00:00+02:00', 42]) {
      const r = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Alert:bad', type: 'Alert', expiresAt } });
      assert.equal(r.statusCode, 400, `${String(expiresAt)}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}BadRequestData`);
    }
    assert.equal((await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Alert:bad` })).statusCode, 404);
    await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Alert:m', type: 'Alert' } });
    const r = await inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:Alert:m`, headers: JSON_HEADERS, payload: { expiresAt: '2020-01-01T00:00:00Z' } });
    assert.equal(r.statusCode, 400, r.body);
  });

  test('[4.5.1] an expired entity is never answered: GET, query, count, NGSI-LD and NGSIv2, /types, and a batch create of its id succeeds', async () => {
    let r = await inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Alert:t1', type: 'Alert', severity: 'high', expiresAt: inOneHour },
      { id: 'urn:ngsi-ld:Alert:p1', type: 'Alert', severity: 'high' },
      { id: 'urn:ngsi-ld:Flash:t2', type: 'Flash', severity: 'high', expiresAt: inOneHour },
    ] });
    assert.equal(r.statusCode, 201, r.body);
    r = await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Alert:t1` });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().expiresAt, inOneHour, 'expiresAt is returned');
    r = await inject({ method: 'GET', url: `${E}?type=Alert&count=true&options=keyValues` });
    assert.equal(r.headers['ngsild-results-count'], '3');

    clock.set('2030-06-01T11:00:00.000Z'); // the instant of expiry: no longer there
    try {
      r = await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Alert:t1` });
      assert.equal(r.statusCode, 404, r.body);
      r = await inject({ method: 'GET', url: `${E}?type=Alert&count=true` });
      assert.deepEqual((r.json() as Array<{ id: string }>).map((e) => e.id).sort(), ['urn:ngsi-ld:Alert:m', 'urn:ngsi-ld:Alert:p1']);
      assert.equal(r.headers['ngsild-results-count'], '2', 'the kept count leaves the expired entity out');
      r = await inject({ method: 'GET', url: `${E}?q=severity==%22high%22&count=true` });
      assert.deepEqual((r.json() as Array<{ id: string }>).map((e) => e.id), ['urn:ngsi-ld:Alert:p1']);
      assert.equal(r.headers['ngsild-results-count'], '1');
      r = await inject({ method: 'POST', url: `${OPS}/query?count=true`, headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Flash' }] } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), []);
      r = await inject({ method: 'GET', url: '/ngsi-ld/v1/types' });
      assert.deepEqual(r.json().typeList, ['Alert'], 'a type whose only entity expired is gone');
      r = await inject({ method: 'GET', url: '/v2/entities/urn:ngsi-ld:Alert:t1' });
      assert.equal(r.statusCode, 404, r.body);
      r = await inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:Alert:t1/attrs`, headers: JSON_HEADERS, payload: { severity: 'low' } });
      assert.equal(r.statusCode, 404, 'an expired entity cannot be updated');
      r = await inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [{ id: 'urn:ngsi-ld:Alert:t1', type: 'Alert', severity: 'new' }] });
      assert.equal(r.statusCode, 201, r.body);
      r = await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Alert:t1?options=keyValues` });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().severity, 'new');
      assert.equal(r.json().expiresAt, undefined, 'the new entity is not transient');
    } finally {
      clock.set(T0);
    }
  });

  test('[4.5.1] the sweeper deletes expired entities with the normal delete notifications', async () => {
    const base = '2030-07-01T10:00:00.000Z';
    clock.set(base);
    await inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Alert:s1', type: 'Alert', expiresAt: '2030-07-01T10:30:00Z' },
      { id: 'urn:ngsi-ld:Alert:s2', type: 'Alert', expiresAt: '2030-07-01T12:00:00Z' },
    ] });
    const deleted: string[] = [];
    t.app.drehscheibe.bus.on('entity.changed', (changes) => { for (const c of changes) if (c.kind === 'deleted') deleted.push(c.id); });
    clock.set('2030-07-01T11:00:00.000Z');
    // Flash:t2 of the test before expired too and was not swept yet.
    assert.equal(await t.app.drehscheibe.entities.sweepExpired(), 2);
    assert.deepEqual(deleted.sort(), ['urn:ngsi-ld:Alert:s1', 'urn:ngsi-ld:Flash:t2']);
    assert.deepEqual(await t.storage.entities.expired('2030-07-01T11:00:00.000Z', 10), [], 'nothing expired is left stored');
    assert.equal((await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Alert:s2` })).statusCode, 200);
    clock.set(T0);
  });
});

describe('conformance v1.9 part 3: aggrMethods in the body of POST /temporal/entityOperations/query', () => {
  let t: TestApp;
  const BASE = Date.parse('2026-01-01T00:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  before(async () => {
    t = await testApp({}, { clock: fixedClock('2026-03-01T00:00:00Z') });
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: {
      id: 'urn:ngsi-ld:WeatherObserved:agg', type: 'WeatherObserved',
      temperature: [1, 5, 3, 10, 2, 8].map((v, i) => ({ type: 'Property', value: v, observedAt: iso(BASE + i * 6 * 3600_000) })),
    } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const window = { timerel: 'between', timeAt: iso(BASE), endTimeAt: iso(BASE + 2 * 86400_000) };

  test('[6.24.3.1, 4.5.19] aggrMethods and aggrPeriodDuration in the Query body give the answer the GET gives with them as parameters', async () => {
    const get = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities?type=WeatherObserved&attrs=temperature&options=aggregatedValues&aggrMethods=totalCount,max,avg&aggrPeriodDuration=P1D&timerel=between&timeAt=${window.timeAt}&endTimeAt=${window.endTimeAt}` });
    assert.equal(get.statusCode, 200, get.body);
    for (const payload of [
      { type: 'Query', entities: [{ type: 'WeatherObserved' }], attrs: ['temperature'], temporalQ: window, aggrMethods: ['totalCount', 'max', 'avg'], aggrPeriodDuration: 'P1D' },
      { type: 'Query', entities: [{ type: 'WeatherObserved' }], attrs: ['temperature'], temporalQ: { ...window, aggrMethods: 'totalCount,max,avg', aggrPeriodDuration: 'P1D' } },
    ]) {
      const post = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entityOperations/query?options=aggregatedValues', headers: JSON_HEADERS, payload });
      assert.equal(post.statusCode, 200, post.body);
      assert.deepEqual(post.json(), get.json());
    }
    const a = (get.json() as Array<{ temperature: Record<string, unknown[][]> }>)[0].temperature;
    assert.deepEqual(a.totalCount.map((p) => p[0]), [4, 2]);
    assert.deepEqual(a.max.map((p) => p[0]), [10, 8]);
  });

  test('[4.21, 6.18.3.2, 6.19.3.1] pick and omit on temporal answers reduce the entity members too (id, type), as on the entity API; attrs keeps id and type', async () => {
    const get = async (qs: string) => {
      const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WeatherObserved:agg?${qs}` });
      assert.equal(r.statusCode, 200, r.body);
      return Object.keys(r.json()).sort();
    };
    assert.deepEqual(await get('pick=id,temperature'), ['id', 'temperature']);
    assert.deepEqual(await get(`pick=${encodeURIComponent('type|temperature')}`), ['temperature', 'type']);
    assert.deepEqual(await get('omit=id'), ['temperature', 'type']);
    assert.deepEqual(await get('omit=type,temperature'), ['id']);
    assert.deepEqual(await get('attrs=temperature'), ['id', 'temperature', 'type']);
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities?type=WeatherObserved&pick=id` });
    assert.deepEqual(r.json(), [{ id: 'urn:ngsi-ld:WeatherObserved:agg' }]);
  });

  test('[6.24.3.1] a malformed aggrMethods in the body, or one that contradicts the URL, is 400 BadRequestData', async () => {
    for (const [url, extra] of [
      ['?options=aggregatedValues', { aggrMethods: [1, 2] }],
      ['?options=aggregatedValues', { aggrMethods: ['median'] }],
      ['?options=aggregatedValues&aggrMethods=max', { aggrMethods: ['min'] }],
      ['?options=aggregatedValues', { aggrMethods: ['max'], aggrPeriodDuration: 42 }],
    ] as const) {
      const r = await t.app.inject({ method: 'POST', url: `/ngsi-ld/v1/temporal/entityOperations/query${url}`, headers: JSON_HEADERS,
        payload: { type: 'Query', entities: [{ type: 'WeatherObserved' }], temporalQ: window, ...extra } });
      assert.equal(r.statusCode, 400, `${JSON.stringify(extra)}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}BadRequestData`);
    }
  });
});

describe('conformance v1.9 part 3: entity ordering by distance and orderBy on POST /entityOperations/query', () => {
  let t: TestApp;
  const ids = (r: { json(): unknown }) => (r.json() as Array<{ id: string }>).map((e) => e.id.split(':').pop());
  before(async () => {
    t = await testApp();
    // Stops along a line eastwards from Herne's town hall (7.2194, 51.5388); s0 has no location.
    const stops = [['s1', 7.30], ['s2', 7.22], ['s3', 7.25], ['s4', 7.40], ['s5', 7.25]] as const;
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      ...stops.map(([id, x], i) => ({ id: `urn:ngsi-ld:Stop:${id}`, type: 'Stop', rank: 5 - i, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [x, 51.5388] } } })),
      { id: 'urn:ngsi-ld:Stop:s0', type: 'Stop', rank: 9 },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const get = (qs: string) => t.app.inject({ method: 'GET', url: `${E}?${qs}` });

  test('[4.23, Table 6.4.3.2-1] orderBy=location;dist-asc|dist-desc from orderFrom (Point by default, or orderGeometry): nearest first / farthest first, no location last, ties by id, with paging', async () => {
    let r = await get('type=Stop&orderBy=location;dist-asc&orderFrom=[7.2194,51.5388]&count=true');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(ids(r), ['s2', 's3', 's5', 's1', 's4', 's0']);
    assert.equal(r.headers['ngsild-results-count'], '6');
    r = await get('type=Stop&orderBy=location;dist-desc&orderFrom=[7.2194,51.5388]&orderGeometry=Point');
    assert.deepEqual(ids(r), ['s4', 's1', 's3', 's5', 's2', 's0']);
    r = await get('type=Stop&orderBy=location;dist-asc&orderFrom=[7.2194,51.5388]&limit=2&offset=1');
    assert.deepEqual(ids(r), ['s3', 's5']);
    // A polygon reference: distance to its nearest part (the square's east edge at 7.35).
    r = await get(`type=Stop&orderBy=location;dist-asc&orderGeometry=Polygon&orderFrom=${encodeURIComponent('[[[7.35,51.5],[7.45,51.5],[7.45,51.6],[7.35,51.6],[7.35,51.5]]]')}`);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(ids(r), ['s4', 's1', 's3', 's5', 's2', 's0']);
  });

  test('[4.23] orderBy by distance takes the reference of a near geo-query when orderFrom is absent', async () => {
    const r = await get(`type=Stop&georel=${encodeURIComponent('near;maxDistance==20000')}&geometry=Point&coordinates=[7.40,51.5388]&orderBy=location;dist-asc`);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(ids(r), ['s4', 's1', 's3', 's5', 's2']);
  });

  test('[4.23] orderBy by distance without a reference, orderFrom without dist ordering, a bad orderGeometry or coordinates: 400 BadRequestData', async () => {
    for (const qs of [
      'type=Stop&orderBy=location;dist-asc',
      'type=Stop&orderFrom=[7.2,51.5]',
      'type=Stop&orderBy=rank&orderFrom=[7.2,51.5]',
      'type=Stop&orderBy=location;dist-asc&orderFrom=[7.2,51.5]&orderGeometry=Circle',
      'type=Stop&orderBy=location;dist-asc&orderFrom=7.2',
    ]) {
      const r = await get(qs);
      assert.equal(r.statusCode, 400, `${qs}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}BadRequestData`, qs);
    }
  });

  test('[4.23, 6.23.3.1] POST /entityOperations/query orders too: orderBy (value and distance) in the URL or in the Query body, the near of geoQ as reference', async () => {
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `${OPS}/query${url}`, headers: JSON_HEADERS, payload });
    let r = await post('?orderBy=rank;desc', { type: 'Query', entities: [{ type: 'Stop' }] });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(ids(r), ['s0', 's1', 's2', 's3', 's4', 's5']);
    r = await post('', { type: 'Query', entities: [{ type: 'Stop' }], orderBy: 'rank' });
    assert.deepEqual(ids(r), ['s5', 's4', 's3', 's2', 's1', 's0']);
    r = await post('?orderBy=location;dist-desc&orderFrom=[7.2194,51.5388]', { type: 'Query', entities: [{ type: 'Stop' }] });
    assert.deepEqual(ids(r), ['s4', 's1', 's3', 's5', 's2', 's0']);
    r = await post('', { type: 'Query', entities: [{ type: 'Stop' }], orderBy: 'location;dist-asc', geoQ: { georel: 'near;maxDistance==20000', geometry: 'Point', coordinates: [7.40, 51.5388] } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(ids(r), ['s4', 's1', 's3', 's5', 's2']);
    r = await post('?orderBy=rank', { type: 'Query', entities: [{ type: 'Stop' }], orderBy: 'rank' });
    assert.equal(r.statusCode, 400, 'given twice');
  });
});
