// HTTP tests of issue #14 part 6 (ETSI GS CIM 009 v1.9.1): wrong answers found late (attribute names in
// attrs/pick/omit, the type kept by a partial attribute update, empty fragments of subscription and merge
// updates), the conflict errors of pick/omit on the temporal API, and the string order of orderBy.
// Runs on SQLite, and on PostgreSQL with TEST_ENGINE=postgres TEST_PG_URL=….
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';
const OPS = '/ngsi-ld/v1/entityOperations';
const SUBS = '/ngsi-ld/v1/subscriptions';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('conformance v1.9 part 6: wrong answers', () => {
  let t: TestApp;
  const ID = 'urn:ngsi-ld:Sensor:p6-1';
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: {
      id: ID, type: 'Sensor',
      temperature: { type: 'Property', value: 21, unitCode: 'CEL' },
      controlledBy: { type: 'Relationship', object: 'urn:ngsi-ld:Device:p6-1' },
      area: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2, 51.5] } },
    } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject({ headers: JSON_HEADERS, ...o });
  const problem = (r: { statusCode: number; body: string; json(): Json }, status: number, type: string) => {
    assert.equal(r.statusCode, status, r.body);
    assert.equal(r.json().type, ETSI + type, r.body);
  };

  test('[4.6.2, 5.7.2] a name no attribute can have in attrs, pick or omit (`a-b`) is 400 BadRequestData, not an empty answer', async () => {
    for (const url of [
      `${E}?type=Sensor&attrs=a-b`,
      `${E}?type=Sensor&attrs=temperature,a-b`,
      `${E}/${ID}?attrs=a-b`,
      `${E}?type=Sensor&pick=a-b`,
      `${E}/${ID}?omit=temperature|a-b`,
      `/ngsi-ld/v1/temporal/entities?type=Sensor&attrs=a-b&timerel=after&timeAt=2020-01-01T00:00:00Z`,
    ]) {
      const r = await inject({ method: 'GET', url });
      problem(r, 400, 'BadRequestData');
      assert.match(r.json().detail, /"a-b"/, url);
    }
    const post = await inject({ method: 'POST', url: `${OPS}/query`, payload: { type: 'Query', entities: [{ type: 'Sensor' }], attrs: ['a-b'] } });
    problem(post, 400, 'BadRequestData');
    // Valid names keep working: short names, prefixed names, IRIs.
    const ok = await inject({ method: 'GET', url: `${E}?type=Sensor&attrs=temperature,${encodeURIComponent('https://example.org/a-b')}` });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual((ok.json() as Json[]).map((e) => e.id), [ID]);
  });

  test('[5.6.4] a partial attribute update keeps the type of the attribute: another `type` is 400 BadRequestData and nothing changes; a fragment without `type` is read as the stored type', async () => {
    let r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/temperature`, payload: { type: 'Relationship', object: 'urn:ngsi-ld:Device:p6-2' } });
    problem(r, 400, 'BadRequestData');
    assert.match(r.json().detail, /Property/);
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/temperature`, payload: { object: 'urn:ngsi-ld:Device:p6-2' } });
    problem(r, 400, 'BadRequestData');
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/controlledBy`, payload: { type: 'Property', value: 5 } });
    problem(r, 400, 'BadRequestData');
    // Before: a Relationship patched with only a sub-attribute became a Property whose value was the fragment.
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/controlledBy`, payload: { observedAt: '2026-01-01T00:00:00Z' } });
    problem(r, 400, 'BadRequestData');
    let e = (await inject({ method: 'GET', url: `${E}/${ID}` })).json() as Json;
    assert.deepEqual(e.temperature, { type: 'Property', value: 21, unitCode: 'CEL' });
    assert.deepEqual(e.controlledBy, { type: 'Relationship', object: 'urn:ngsi-ld:Device:p6-1' });

    // Concise fragments without `type`: a GeoJSON value stays a GeoProperty (was turned into a Property).
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/area`, payload: { value: { type: 'Point', coordinates: [7.3, 51.6] } } });
    assert.equal(r.statusCode, 204, r.body);
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/controlledBy`, payload: { object: 'urn:ngsi-ld:Device:p6-3' } });
    assert.equal(r.statusCode, 204, r.body);
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/temperature`, payload: { type: 'Property', value: 22 } });
    assert.equal(r.statusCode, 204, r.body);
    e = (await inject({ method: 'GET', url: `${E}/${ID}` })).json() as Json;
    assert.deepEqual(e.area, { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.3, 51.6] } });
    assert.deepEqual(e.controlledBy, { type: 'Relationship', object: 'urn:ngsi-ld:Device:p6-3' });
    assert.deepEqual(e.temperature, { type: 'Property', value: 22, unitCode: 'CEL' }, 'members not in the fragment stay');
    // The NGSI-LD Null still deletes, whatever member carries it (clause 5.6.4 with 5.6.17).
    r = await inject({ method: 'PATCH', url: `${E}/${ID}/attrs/area`, payload: { value: 'urn:ngsi-ld:null' } });
    assert.equal(r.statusCode, 204, r.body);
    e = (await inject({ method: 'GET', url: `${E}/${ID}` })).json() as Json;
    assert.equal(e.area, undefined);
  });

  test('[5.8.2] an update of a subscription without any member (`{}`, only @context) is 400 BadRequestData and changes nothing', async () => {
    const id = 'urn:ngsi-ld:Subscription:p6-1';
    let r = await inject({ method: 'POST', url: SUBS, payload: { id, type: 'Subscription', entities: [{ type: 'Sensor' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } } });
    assert.equal(r.statusCode, 201, r.body);
    for (const payload of [{}, { id, type: 'Subscription' }]) {
      r = await inject({ method: 'PATCH', url: `${SUBS}/${id}`, payload });
      problem(r, 400, 'BadRequestData');
    }
    r = await inject({ method: 'PATCH', url: `${SUBS}/${id}`, headers: { 'content-type': 'application/ld+json' }, payload: { '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld' } });
    problem(r, 400, 'BadRequestData');
    r = await inject({ method: 'PATCH', url: `${SUBS}/${id}`, payload: { isActive: false } });
    assert.equal(r.statusCode, 204, r.body);
    assert.equal((await inject({ method: 'GET', url: `${SUBS}/${id}` })).json().isActive, false);
  });

  test('[5.6.17, 5.6.20] a merge naming nothing to merge is 400 BadRequestData: PATCH /entities/{id} with `{}`, and in a batch merge the entity with only its id fails alone (207)', async () => {
    let r = await inject({ method: 'PATCH', url: `${E}/${ID}`, payload: {} });
    problem(r, 400, 'BadRequestData');
    r = await inject({ method: 'PATCH', url: `${E}/${ID}`, payload: { id: ID } });
    problem(r, 400, 'BadRequestData');
    r = await inject({ method: 'POST', url: `${OPS}/merge`, payload: [{ id: ID }] });
    assert.equal(r.statusCode, 207, r.body);
    assert.deepEqual(r.json().success, []);
    assert.equal(r.json().errors[0].entityId, ID);
    assert.equal(r.json().errors[0].error.type, ETSI + 'BadRequestData');
    r = await inject({ method: 'POST', url: `${OPS}/merge`, payload: [{ id: ID }, { id: ID, humidity: 40 }] });
    assert.equal(r.statusCode, 207, r.body);
    assert.deepEqual(r.json().success, [ID]);
    assert.equal(r.json().errors.length, 1);
    r = await inject({ method: 'POST', url: `${OPS}/merge`, payload: [{ id: ID, type: 'Sensor' }] });
    assert.equal(r.statusCode, 204, `a type is something to merge: ${r.body}`);
    const e = (await inject({ method: 'GET', url: `${E}/${ID}` })).json() as Json;
    assert.equal(e.humidity.value, 40);
  });
});

describe('conformance v1.9 part 6: the conflicts of pick, omit and attrs (clause 4.21) on the entity and the temporal API', () => {
  let t: TestApp;
  const ID = 'urn:ngsi-ld:Sensor:p6-t1';
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: ID, type: 'Sensor', temperature: 20, status: 'ok' } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const T = '/ngsi-ld/v1/temporal/entities';
  const urls = (qs: string) => [`${E}?type=Sensor&${qs}`, `${E}/${ID}?${qs}`, `${T}?type=Sensor&${qs}`, `${T}/${ID}?${qs}`];

  test('[4.21, 6.18.3.2, 6.19.3.1] pick with omit, attrs with pick and attrs with omit are 400 BadRequestData on /entities, /entities/{id}, /temporal/entities and /temporal/entities/{id}', async () => {
    for (const [qs, re] of [['pick=temperature&omit=status', /pick and omit/], ['attrs=temperature&pick=status', /attrs and pick/], ['attrs=temperature&omit=status', /attrs and omit/]] as const) {
      for (const url of urls(qs)) {
        const r = await t.app.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
        assert.equal(r.json().type, ETSI + 'BadRequestData', url);
        assert.match(r.json().detail, re, url);
      }
    }
    // Each alone still projects, on both APIs.
    for (const url of urls('pick=temperature')) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      const e = (Array.isArray(r.json()) ? r.json()[0] : r.json()) as Json;
      assert.deepEqual(Object.keys(e), ['temperature'], url);
    }
    for (const url of urls('omit=temperature')) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      const e = (Array.isArray(r.json()) ? r.json()[0] : r.json()) as Json;
      assert.equal(e.temperature, undefined, url);
      assert.ok(e.status, url);
    }
  });
});

/** Collects the notifications posted to it. */
async function receiver(): Promise<{ uri: string; next(subId: string): Promise<Json>; close(): Promise<void> }> {
  const got: Json[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { got.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json); res.statusCode = 204; res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    async next(subId: string) {
      const end = Date.now() + 3000;
      for (;;) {
        const i = got.findIndex((n) => n.subscriptionId === subId);
        if (i >= 0) return got.splice(i, 1)[0];
        if (Date.now() > end) throw new Error(`no notification for ${subId} within 3 s`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() { server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); },
  };
}

describe('conformance v1.9 part 6: linked entities through sub-attributes and in the tenant of a subscription (clauses 4.5.23, 5.2.14)', () => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const S = 'urn:ngsi-ld:Sensor:p6-j1';
  const D = 'urn:ngsi-ld:Device:p6-j1';
  const M = 'urn:ngsi-ld:Maker:p6-j1';
  const TENANT = { 'ngsild-tenant': 'p6other' };
  before(async () => {
    t = await testApp({ DREHSCHEIBE_NOTIFY_WORKER: 'off' });
    rx = await receiver();
    // temperature (a Property) has the sub-attribute measuredBy (a Relationship); the device links on to its maker.
    let r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: S, type: 'Sensor', temperature: { type: 'Property', value: 21, measuredBy: { type: 'Relationship', object: D } } },
      { id: D, type: 'Device', name: 'Thermometer', madeBy: { type: 'Relationship', object: M } },
      { id: M, type: 'Maker', name: 'Acme' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
    // The same ids in another tenant, with other content.
    r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: { ...JSON_HEADERS, ...TENANT }, payload: [
      { id: S, type: 'Sensor', temperature: { type: 'Property', value: 5, measuredBy: { type: 'Relationship', object: D } }, site: { type: 'Relationship', object: M } },
      { id: D, type: 'Device', name: 'Other thermometer' },
      { id: M, type: 'Maker', name: 'Other maker' },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await rx.close(); await t.close(); });
  const get = async (url: string): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await t.app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    return r.json();
  };

  test('[4.5.23] a Relationship that is a sub-attribute of a Property is joined: inline under its `entity`, flat as an extra entity, joinLevel counted through it', async () => {
    let e = await get(`${E}/${S}?join=inline`) as Json;
    assert.equal(e.temperature.value, 21);
    assert.equal(e.temperature.measuredBy.object, D);
    assert.equal(e.temperature.measuredBy.entity.id, D);
    assert.equal(e.temperature.measuredBy.entity.name.value, 'Thermometer');
    assert.equal(e.temperature.measuredBy.entity.madeBy.entity, undefined, 'joinLevel 1');
    e = await get(`${E}/${S}?join=inline&joinLevel=2`) as Json;
    assert.equal(e.temperature.measuredBy.entity.madeBy.entity.name.value, 'Acme');
    const flat = await get(`${E}/${S}?join=flat&joinLevel=2`) as Json[];
    assert.deepEqual(flat.map((x) => x.id), [S, D, M]);
    assert.equal(flat[0].temperature.measuredBy.entity, undefined, 'flat: the sub-attribute stays plain');
    const q = await get(`${E}?type=Sensor&join=inline`) as Json[];
    assert.equal(q[0].temperature.measuredBy.entity.name.value, 'Thermometer');
    // omit of the attribute leaves its sub-attribute Relationships unfollowed.
    const omitted = await get(`${E}/${S}?join=flat&omit=temperature`) as Json[];
    assert.deepEqual(omitted.map((x) => x.id), [S]);
  });

  test('[4.5.23, 5.2.37, annex B] the members that carry joined entities, `entity` and the ListRelationship\'s `entityList` (ordered), are the terms the v1.9 core @context defines for them', async () => {
    const core = JSON.parse(readFileSync(new URL('../../contexts/ngsi-ld-core-context-v1.9.jsonld', import.meta.url), 'utf8'))['@context'] as Json;
    assert.equal(core.entity, 'ngsi-ld:entity');
    assert.deepEqual(core.entityList, { '@id': 'ngsi-ld:entityList', '@container': '@list' });
    const L = 'urn:ngsi-ld:Sensor:p6-list';
    const r = await t.app.inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: L, type: 'Sensor', devices: { type: 'ListRelationship', objectList: [M, D] } } });
    assert.equal(r.statusCode, 201, r.body);
    const e = await get(`${E}/${L}?join=inline`) as Json;
    assert.deepEqual(Object.keys(e.devices).sort(), ['entityList', 'objectList', 'type']);
    assert.deepEqual(e.devices.entityList.map((x: Json) => x.id), [M, D], 'in objectList order (@list)');
  });

  test('[5.2.14, 4.14] joined notifications read the linked entities of the subscription\'s tenant (also through sub-attributes)', async () => {
    const id = 'urn:ngsi-ld:Subscription:p6-j1';
    let r = await t.app.inject({ method: 'POST', url: SUBS, headers: { ...JSON_HEADERS, ...TENANT }, payload: {
      id, type: 'Subscription', entities: [{ type: 'Sensor' }], watchedAttributes: ['temperature'], notification: { endpoint: { uri: rx.uri }, join: 'inline' },
    } });
    assert.equal(r.statusCode, 201, r.body);
    // The default tenant holds the same ids with other content: the notification must show this tenant's.
    r = await t.app.inject({ method: 'PATCH', url: `${E}/${S}/attrs`, headers: { ...JSON_HEADERS, ...TENANT }, payload: { temperature: { type: 'Property', value: 6, measuredBy: { type: 'Relationship', object: D } } } });
    assert.equal(r.statusCode, 204, r.body);
    const n = await rx.next(id);
    const e = n.data[0];
    assert.equal(e.temperature.value, 6);
    assert.equal(e.temperature.measuredBy.entity.name.value, 'Other thermometer', 'the tenant\'s device, not the default tenant\'s');
    assert.equal(e.site.entity.name.value, 'Other maker');
  });
});

describe('conformance v1.9 part 6: the string order of orderBy (clause 4.23), the same on both engines', () => {
  let t: TestApp;
  // Mixed case, umlauts, a fullwidth letter and a character above U+FFFF: code point order puts upper case
  // first, umlauts after z, and the emoji last (UTF-16 units would put it before the fullwidth letter).
  const NAMES = ['zebra', 'Zebra', 'äpfel', 'Äpfel', 'apfel', 'Apfel', 'éclair', 'ｚ', '😀', 'b', 'B'];
  const ORDER = ['Apfel', 'B', 'Zebra', 'apfel', 'b', 'zebra', 'Äpfel', 'äpfel', 'éclair', 'ｚ', '😀'];
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: NAMES.map((name, i) => ({
      id: `urn:ngsi-ld:Word:${String(i).padStart(2, '0')}`, type: 'Word', name, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7, 51] } },
    })) });
    assert.equal(r.statusCode, 201, r.body);
    // Ties broken by id: ids that differ by a fullwidth letter and an emoji, at one place and with one name.
    const s = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: ['urn:ngsi-ld:Tie:😀', 'urn:ngsi-ld:Tie:ｚ', 'urn:ngsi-ld:Tie:Z', 'urn:ngsi-ld:Tie:ä'].map((id) => ({
      id, type: 'Tie', name: 'same', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7, 51] } },
    })) });
    assert.equal(s.statusCode, 201, s.body);
  });
  after(async () => { await t.close(); });
  const names = async (qs: string): Promise<string[]> => {
    const r = await t.app.inject({ method: 'GET', url: `${E}?${qs}&limit=100&options=keyValues` });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as Json[]).map((e) => (qs.includes('type=Tie') ? e.id : e.name));
  };

  test('[4.23] strings are ordered by Unicode code point: mixed case and umlauts, ascending and descending, also paged', async () => {
    assert.deepEqual(await names('type=Word&orderBy=name'), ORDER);
    assert.deepEqual(await names('type=Word&orderBy=name;desc'), [...ORDER].reverse());
    const r = await t.app.inject({ method: 'GET', url: `${E}?type=Word&orderBy=name&limit=4&offset=4&options=keyValues` });
    assert.deepEqual((r.json() as Json[]).map((e) => e.name), ORDER.slice(4, 8));
    const p = await t.app.inject({ method: 'POST', url: `${OPS}/query`, headers: JSON_HEADERS, payload: { type: 'Query', entities: [{ type: 'Word' }], orderBy: 'name;desc' } });
    assert.deepEqual((p.json() as Json[]).map((e) => e.name.value), [...ORDER].reverse());
  });

  test('[4.23] ties are broken by id in code point order, also when ordering by distance', async () => {
    const ids = ['urn:ngsi-ld:Tie:Z', 'urn:ngsi-ld:Tie:ä', 'urn:ngsi-ld:Tie:ｚ', 'urn:ngsi-ld:Tie:😀'];
    assert.deepEqual(await names('type=Tie&orderBy=name'), ids);
    assert.deepEqual(await names('type=Tie&orderBy=id'), ids);
    assert.deepEqual(await names(`type=Tie&orderBy=location;dist-asc&orderFrom=${encodeURIComponent('[7,51]')}`), ids);
    assert.deepEqual(await names(`type=Tie&georel=${encodeURIComponent('near;maxDistance==1000')}&geometry=Point&coordinates=${encodeURIComponent('[7,51]')}&orderBy=location;dist-desc`), ids);
  });
});
