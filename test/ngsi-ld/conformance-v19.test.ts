// HTTP tests of the parts of ETSI GS CIM 009 v1.9.1 added by issue #14 part 2 (batch merge, purge,
// …): each names the clause it checks. Runs on SQLite, and on PostgreSQL with
// `node scripts/run-tests.mjs --engine=postgres conformance-v19`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';
import { authApp, HERNE_POLICY, type AuthApp } from '../auth/auth-support.ts';
import { fixedClock } from '../../src/core/clock.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';
const OPS = '/ngsi-ld/v1/entityOperations';

describe('conformance v1.9: batch merge and purge', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject(o);
  const create = async (body: object) => {
    const r = await inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: body });
    assert.equal(r.statusCode, 201, r.body);
  };
  const get = async (id: string) => inject({ method: 'GET', url: `${E}/${id}` });
  const ids = async (qs: string): Promise<string[]> => {
    const r = await inject({ method: 'GET', url: `${E}?${qs}` });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as Array<{ id: string }>).map((e) => e.id).sort();
  };

  test('[5.6.20, 6.31.3.1] batch merge: 204 when every entity exists; merge-patch per entity (values merged, NGSI-LD Null deletes, types added, scope replaced)', async () => {
    await create([
      { id: 'urn:ngsi-ld:Building:m1', type: 'Building', name: 'A', height: { type: 'Property', value: 10, unitCode: 'MTR' }, gone: 1 },
      { id: 'urn:ngsi-ld:Building:m2', type: 'Building', name: 'B', scope: '/old' },
    ]);
    const r = await inject({ method: 'POST', url: `${OPS}/merge`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Building:m1', type: 'Landmark', height: { type: 'Property', value: 12 }, gone: 'urn:ngsi-ld:null', extra: { type: 'Relationship', object: 'urn:ngsi-ld:X:1' } },
      { id: 'urn:ngsi-ld:Building:m2', name: 'B2', scope: '/new' },
    ] });
    assert.equal(r.statusCode, 204, r.body);
    const m1 = (await get('urn:ngsi-ld:Building:m1')).json();
    assert.deepEqual([m1.type].flat().sort(), ['Building', 'Landmark']);
    assert.equal(m1.height.value, 12);
    assert.equal(m1.height.unitCode, 'MTR', 'a merge keeps the members the patch does not name');
    assert.equal(m1.gone, undefined, 'urn:ngsi-ld:null deletes the attribute');
    assert.equal(m1.extra.object, 'urn:ngsi-ld:X:1');
    assert.equal(m1.name.value, 'A');
    const m2 = (await get('urn:ngsi-ld:Building:m2')).json();
    assert.equal(m2.name.value, 'B2');
    assert.equal(m2.scope, '/new');
  });

  test('[5.6.20, 5.2.16] batch merge: 207 with the missing and the invalid entity in errors, the others merged', async () => {
    await create([{ id: 'urn:ngsi-ld:Building:p1', type: 'Building', n: 1 }]);
    const r = await inject({ method: 'POST', url: `${OPS}/merge`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Building:p1', n: 2 },
      { id: 'urn:ngsi-ld:Building:absent', n: 3 },
      { id: 'not a uri', n: 4 },
    ] });
    assert.equal(r.statusCode, 207, r.body);
    const body = r.json();
    assert.deepEqual(body.success, ['urn:ngsi-ld:Building:p1']);
    const byId = Object.fromEntries(body.errors.map((e: { entityId: string; error: { type: string; status: number } }) => [e.entityId, e.error]));
    assert.equal(byId['urn:ngsi-ld:Building:absent'].type, `${ETSI}ResourceNotFound`);
    assert.equal(byId['urn:ngsi-ld:Building:absent'].status, 404);
    assert.equal(byId['not a uri'].type, `${ETSI}BadRequestData`);
    assert.equal((await get('urn:ngsi-ld:Building:p1')).json().n.value, 2);
    assert.equal((await get('urn:ngsi-ld:Building:absent')).statusCode, 404, 'batch merge never creates');
  });

  test('[5.6.20, 5.5.11.5] batch merge: the same entity twice is merged in order', async () => {
    await create([{ id: 'urn:ngsi-ld:Building:twice', type: 'Building', a: 1, b: 1 }]);
    const r = await inject({ method: 'POST', url: `${OPS}/merge`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Building:twice', a: 2 },
      { id: 'urn:ngsi-ld:Building:twice', b: 3 },
    ] });
    assert.equal(r.statusCode, 204, r.body);
    const e = (await get('urn:ngsi-ld:Building:twice')).json();
    assert.equal(e.a.value, 2);
    assert.equal(e.b.value, 3);
  });

  test('[6.31.3.1, 5.5.2] batch merge: not an array, empty, invalid JSON and unknown parameters are refused', async () => {
    const post = (payload: string, url = `${OPS}/merge`) => inject({ method: 'POST', url, headers: JSON_HEADERS, payload });
    const notArray = await post('{"id":"urn:ngsi-ld:Building:x"}');
    assert.equal(notArray.statusCode, 400);
    assert.equal(notArray.json().type, `${ETSI}BadRequestData`);
    assert.equal((await post('[]')).statusCode, 400);
    const bad = await post('[{"id":');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().type, `${ETSI}InvalidRequest`);
    const unknown = await post('[{"id":"urn:ngsi-ld:Building:x"}]', `${OPS}/merge?foo=1`);
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().type, `${ETSI}InvalidRequest`);
  });

  test('[5.6.21, 6.4.3.3] purge by type deletes exactly the entities a query with the same filter finds', async () => {
    await create([
      { id: 'urn:ngsi-ld:Tree:1', type: 'Tree', height: 5 },
      { id: 'urn:ngsi-ld:Tree:2', type: 'Tree', height: 15 },
      { id: 'urn:ngsi-ld:Tree:3', type: 'Tree', height: 25 },
      { id: 'urn:ngsi-ld:Bench:1', type: 'Bench', height: 1 },
    ]);
    const q = await inject({ method: 'DELETE', url: `${E}?type=Tree&q=height>10` });
    assert.equal(q.statusCode, 204, q.body);
    assert.deepEqual(await ids('type=Tree'), ['urn:ngsi-ld:Tree:1']);
    const r = await inject({ method: 'DELETE', url: `${E}?type=Tree` });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual(await ids('type=Tree'), []);
    assert.deepEqual(await ids('type=Bench'), ['urn:ngsi-ld:Bench:1'], 'other types stay');
    assert.equal((await get('urn:ngsi-ld:Tree:1')).statusCode, 404);
    // A purged entity can be created again and is then the new one.
    await create([{ id: 'urn:ngsi-ld:Tree:1', type: 'Tree', species: 'Oak' }]);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Tree:1')).json()).sort(), ['id', 'species', 'type']);
  });

  test('[5.6.21.4] purge: ids, idPattern or scopeQ alone are too wide (BadRequestData); with local=true idPattern selects', async () => {
    await create([
      { id: 'urn:ngsi-ld:Lamp:a1', type: 'Lamp', scope: '/x' },
      { id: 'urn:ngsi-ld:Lamp:a2', type: 'Lamp' },
      { id: 'urn:ngsi-ld:Lamp:b1', type: 'Lamp' },
    ]);
    for (const qs of ['', 'id=urn:ngsi-ld:Lamp:a1', 'idPattern=^urn:ngsi-ld:Lamp:a', 'scopeQ=/x']) {
      const r = await inject({ method: 'DELETE', url: `${E}?${qs}` });
      assert.equal(r.statusCode, 400, `${qs}: ${r.body}`);
      assert.equal(r.json().type, `${ETSI}BadRequestData`, qs);
    }
    assert.deepEqual(await ids('type=Lamp'), ['urn:ngsi-ld:Lamp:a1', 'urn:ngsi-ld:Lamp:a2', 'urn:ngsi-ld:Lamp:b1'], 'refused purges deleted nothing');
    assert.equal((await inject({ method: 'DELETE', url: `${E}?idPattern=^urn:ngsi-ld:Lamp:a&local=true` })).statusCode, 204);
    assert.deepEqual(await ids('type=Lamp'), ['urn:ngsi-ld:Lamp:b1']);
    const unknown = await inject({ method: 'DELETE', url: `${E}?type=Lamp&limit=1` });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().type, `${ETSI}InvalidRequest`);
    const star = await inject({ method: 'DELETE', url: `${E}?type=*&local=false` });
    assert.equal(star.statusCode, 400);
    assert.deepEqual(await ids('type=Lamp'), ['urn:ngsi-ld:Lamp:b1']);
  });

  test('[5.6.21, Table 6.4.3.3-1] purge with drop deletes only the named attributes, with keep all but them', async () => {
    await create([
      { id: 'urn:ngsi-ld:Sensor:k1', type: 'Sensor', a: 1, b: 2, c: 3 },
      { id: 'urn:ngsi-ld:Sensor:k2', type: 'Sensor', a: 1, b: 2, c: 3 },
      { id: 'urn:ngsi-ld:Other:k3', type: 'Other', a: 1, b: 2, c: 3 },
    ]);
    assert.equal((await inject({ method: 'DELETE', url: `${E}?type=Sensor&id=urn:ngsi-ld:Sensor:k1&drop=a,b` })).statusCode, 204);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Sensor:k1')).json()).sort(), ['c', 'id', 'type']);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Sensor:k2')).json()).sort(), ['a', 'b', 'c', 'id', 'type'], 'id narrows the purge');
    assert.equal((await inject({ method: 'DELETE', url: `${E}?type=Sensor&keep=b` })).statusCode, 204);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Sensor:k1')).json()).sort(), ['id', 'type']);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Sensor:k2')).json()).sort(), ['b', 'id', 'type']);
    assert.deepEqual(Object.keys((await get('urn:ngsi-ld:Other:k3')).json()).sort(), ['a', 'b', 'c', 'id', 'type']);
    assert.equal((await inject({ method: 'DELETE', url: `${E}?type=Sensor&keep=a&drop=b` })).statusCode, 400);
  });

  test('[5.6.21] purge deletes in more than one transaction chunk (1,200 entities) and records nothing left behind', async () => {
    const list = Array.from({ length: 1200 }, (_, i) => ({ id: `urn:ngsi-ld:Bulk:${i}`, type: 'Bulk', i }));
    await create(list.slice(0, 600));
    await create(list.slice(600));
    const before = await inject({ method: 'GET', url: `${E}?type=Bulk&count=true&limit=0` });
    assert.equal(before.headers['ngsild-results-count'], '1200');
    assert.equal((await inject({ method: 'DELETE', url: `${E}?type=Bulk&q=i>=100` })).statusCode, 204);
    const afterPurge = await inject({ method: 'GET', url: `${E}?type=Bulk&count=true&limit=0` });
    assert.equal(afterPurge.headers['ngsild-results-count'], '100');
  });
});

describe('conformance v1.9: purge and batch merge under access control', () => {
  let t: AuthApp;
  let steward: string;
  let umweltamt: string;
  before(async () => {
    t = await authApp(HERNE_POLICY);
    steward = await t.key({ name: 'tiefbau', roles: ['steward'] });
    umweltamt = await t.key({ name: 'umweltamt', roles: ['steward'] });
  });
  after(async () => { await t.close(); });
  const h = (key?: string) => ({ ...JSON_HEADERS, ...(key ? { 'x-api-key': key } : {}) });

  test('[5.6.21, docs/security.md] purge needs write access: anonymous 401; a type the key may not write is 403 and nothing is deleted', async () => {
    const aq = { id: 'urn:ngsi-ld:AirQualityObserved:1', type: 'AirQualityObserved', no2: 20 };
    assert.equal((await t.app.inject({ method: 'POST', url: E, headers: h(umweltamt), payload: aq })).statusCode, 201);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `${E}?type=AirQualityObserved` })).statusCode, 401);
    const denied = await t.app.inject({ method: 'DELETE', url: `${E}?type=AirQualityObserved`, headers: h(steward) });
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal((await t.app.inject({ method: 'GET', url: `${E}/${aq.id}` })).statusCode, 200);
    const merge = await t.app.inject({ method: 'POST', url: `${OPS}/merge`, headers: h(steward), payload: [{ id: aq.id, no2: 99 }] });
    assert.equal(merge.statusCode, 207, merge.body);
    assert.equal(merge.json().errors[0].error.status, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: `${E}/${aq.id}` })).json().no2.value, 20);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `${E}?type=AirQualityObserved`, headers: h(umweltamt) })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: `${E}/${aq.id}` })).statusCode, 404);
  });
});

/** The link-values of a Link header by rel (RFC 8288), e.g. { next: '/ngsi-ld/v1/entities?…' }. */
function links(header: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(header ?? '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = m && /rel="([^"]+)"/.exec(m[2]);
    if (m && rel) out[rel[1]] = m[1];
  }
  return out;
}

describe('conformance v1.9: pagination Link headers (clause 5.5.9, 6.3.10)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const list = Array.from({ length: 7 }, (_, i) => ({ id: `urn:ngsi-ld:Page:${i}`, type: 'Page', n: i, p: [{ type: 'Property', value: i, observedAt: '2026-01-01T00:00:00Z' }] }));
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: list.map(({ p: _p, ...e }) => e) });
    assert.equal(r.statusCode, 201, r.body);
    for (const e of list) {
      const h = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: `urn:ngsi-ld:Hist:${e.n}`, type: 'Hist', p: e.p } });
      assert.equal(h.statusCode, 201, h.body);
    }
    for (let i = 0; i < 5; i++) {
      const s = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS, payload: { type: 'Subscription', entities: [{ type: 'Page' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } } });
      assert.equal(s.statusCode, 201, s.body);
    }
  });
  after(async () => { await t.close(); });

  /** Follows rel="next" from the first page; checks prev on every page but the first. */
  async function walk(first: string, opts: { method?: 'GET' | 'POST'; payload?: object; accept?: string } = {}): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let url: string | undefined = first;
    let pages = 0;
    while (url) {
      const r = await t.app.inject({ method: opts.method ?? 'GET', url, headers: { ...JSON_HEADERS, ...(opts.accept ? { accept: opts.accept } : {}) }, ...(opts.payload ? { payload: opts.payload } : {}) });
      assert.ok(r.statusCode === 200 || r.statusCode === 206, `${url}: ${r.statusCode} ${r.body}`);
      const l = links(r.headers.link);
      if (pages === 0) assert.equal(l.prev, undefined, 'the first page has no rel="prev"');
      else assert.ok(l.prev, `page ${pages + 1} has rel="prev"`);
      const body = r.json();
      const items = (Array.isArray(body) ? body : body.features) as Array<{ id: string }>;
      ids.push(...items.map((e) => e.id));
      pages++;
      assert.ok(pages < 20, 'the next links end');
      url = l.next;
    }
    return { ids, pages };
  }

  test('[5.5.9.1, 6.3.10] GET /entities: next until the last page, prev from the second on; the @context Link stays', async () => {
    const first = await t.app.inject({ method: 'GET', url: `${E}?type=Page&limit=3&count=true` });
    assert.equal(first.headers['ngsild-results-count'], '7');
    const l = links(first.headers.link);
    assert.ok(l['http://www.w3.org/ns/json-ld#context'], 'the @context link is kept beside the page links');
    assert.match(l.next, /^\/ngsi-ld\/v1\/entities\?/);
    assert.deepEqual(Object.fromEntries(new URL(l.next, 'http://x').searchParams), { type: 'Page', limit: '3', offset: '3', count: 'true' });
    const all = await walk(`${E}?type=Page&limit=3`);
    assert.equal(all.pages, 3);
    assert.deepEqual(all.ids.sort(), Array.from({ length: 7 }, (_, i) => `urn:ngsi-ld:Page:${i}`).sort());
    const last = await t.app.inject({ method: 'GET', url: `${E}?type=Page&limit=3&offset=6` });
    assert.equal(links(last.headers.link).next, undefined, 'the last page has only rel="prev"');
    assert.deepEqual(Object.fromEntries(new URL(links(last.headers.link).prev, 'http://x').searchParams), { type: 'Page', limit: '3', offset: '3' });
    const exact = await t.app.inject({ method: 'GET', url: `${E}?type=Page&limit=7` });
    assert.equal(exact.json().length, 7);
    assert.deepEqual(Object.keys(links(exact.headers.link)), ['http://www.w3.org/ns/json-ld#context'], 'one page holding everything has no page links');
    const q = await t.app.inject({ method: 'GET', url: `${E}?type=Page&q=n%3E%3D1;n%3C5&limit=2` });
    assert.deepEqual(Object.fromEntries(new URL(links(q.headers.link).next, 'http://x').searchParams).q, 'n>=1;n<5', 'parameters survive the round trip');
    assert.deepEqual((await walk(`${E}?type=Page&q=n%3E%3D1;n%3C5&limit=2`)).ids.length, 4);
  });

  test('[5.5.9, 6.3.10] GeoJSON, POST entityOperations/query, subscriptions and temporal queries page with Link headers too', async () => {
    const geo = await walk(`${E}?type=Page&limit=4`, { accept: 'application/geo+json' });
    assert.equal(geo.ids.length, 7);
    assert.equal(geo.pages, 2);
    const post = await walk(`${OPS}/query?limit=5`, { method: 'POST', payload: { type: 'Query', entities: [{ type: 'Page' }] } });
    assert.equal(post.ids.length, 7);
    assert.equal(post.pages, 2);
    const subs = await walk('/ngsi-ld/v1/subscriptions?limit=2');
    assert.equal(subs.ids.length, 5);
    assert.equal(subs.pages, 3);
    const temporal = await walk('/ngsi-ld/v1/temporal/entities?type=Hist&limit=3&timerel=after&timeAt=2025-01-01T00:00:00Z');
    assert.equal(temporal.ids.length, 7);
    assert.equal(temporal.pages, 3);
    const temporalQ = await walk('/ngsi-ld/v1/temporal/entities?type=Hist&q=p%3E%3D2&limit=3&timerel=after&timeAt=2025-01-01T00:00:00Z');
    assert.equal(temporalQ.ids.length, 5);
  });
});

describe('conformance v1.9: /info (clause 5.15.1, 5.2.40, 6.33)', () => {
  const clock = fixedClock('2026-03-01T10:00:00.000Z');
  let t: TestApp;
  before(async () => { t = await testApp({ DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.de' }, { clock }); });
  after(async () => { await t.close(); });

  test('[5.15.1, 5.2.40, 6.33.3.1] GET /info/sourceIdentity answers a ContextSourceIdentity with every mandatory member; the alias names the tenant', async () => {
    clock.advance(90_061_000);
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/sourceIdentity' });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.type, 'ContextSourceIdentity');
    assert.equal(b.contextSourceAlias, 'daten.herne.de');
    assert.equal(b.id, 'urn:ngsi-ld:ContextSourceIdentity:daten.herne.de');
    assert.equal(b.contextSourceUptime, 'P1DT1H1M1S');
    assert.equal(b.contextSourceTimeAt, '2026-03-02T11:01:01.000Z');
    assert.deepEqual(b.contextSourceExtras.ngsiLdVersions, ['1.9.1', '1.8.1']);
    assert.match(String(r.headers.link), /rel="http:\/\/www\.w3\.org\/ns\/json-ld#context"/);
    const ld = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/sourceIdentity', headers: { accept: 'application/ld+json' } });
    assert.ok(ld.json()['@context'], 'application/ld+json carries the @context in the body');
    // A tenant has its own identity (Table 5.2.40-1, multi-tenancy).
    assert.equal((await t.app.inject({ method: 'POST', url: E, headers: { ...JSON_HEADERS, 'ngsild-tenant': 'stadtwerke' }, payload: { id: 'urn:ngsi-ld:T:1', type: 'T' } })).statusCode, 201);
    const tenant = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/sourceIdentity', headers: { 'ngsild-tenant': 'stadtwerke' } });
    assert.equal(tenant.json().contextSourceAlias, 'stadtwerke.daten.herne.de');
    assert.equal((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/sourceIdentity', headers: { 'ngsild-tenant': 'nowhere' } })).statusCode, 404);
    const unknown = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/sourceIdentity?x=1' });
    assert.equal(unknown.json().type, `${ETSI}InvalidRequest`);
  });

  test('[/info/conformance] names the specification and the versions answered', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/info/conformance' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().specification, 'ETSI GS CIM 009');
    assert.deepEqual(r.json().ngsiLdVersions, ['1.9.1', '1.8.1']);
  });
});

describe('conformance v1.9: query syntax (clauses 4.9, 4.21, Table 6.4.3.2-1)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    const r = await t.app.inject({ method: 'POST', url: `${OPS}/create`, headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:Car:1', type: 'Car', color: { type: 'LanguageProperty', languageMap: { en: 'red', de: 'rot' } }, tags: { type: 'ListProperty', valueList: ['fast', 'new'] }, n: 1, s: 'x' },
      { id: 'urn:ngsi-ld:Car:2', type: 'Car', color: { type: 'LanguageProperty', languageMap: { en: 'green', de: 'grün' } }, tags: { type: 'ListProperty', valueList: ['old'] }, n: 2, s: 'y' },
      { id: 'urn:ngsi-ld:Bike:1', type: 'Bike', n: 3 },
    ] });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });
  const ids = async (qs: string): Promise<string[]> => {
    const r = await t.app.inject({ method: 'GET', url: `${E}?${qs}` });
    assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
    return (r.json() as Array<{ id: string }>).map((e) => e.id).sort();
  };

  test('[Table 6.4.3.2-1] type=* selects every type (local implied); with local=false it is 400', async () => {
    assert.deepEqual(await ids('type=*'), ['urn:ngsi-ld:Bike:1', 'urn:ngsi-ld:Car:1', 'urn:ngsi-ld:Car:2']);
    assert.deepEqual(await ids('type=*&q=n%3E1'), ['urn:ngsi-ld:Bike:1', 'urn:ngsi-ld:Car:2']);
    const r = await t.app.inject({ method: 'GET', url: `${E}?type=*&local=false` });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, `${ETSI}BadRequestData`);
    const temporal = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities?type=*' });
    assert.equal(temporal.statusCode, 200, temporal.body);
  });

  test('[4.9] q on a LanguageProperty: color[*] is any language, color[de] one language; on a ListProperty == matches a member of the list', async () => {
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('color[*]=="rot"')}`), ['urn:ngsi-ld:Car:1']);
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('color[*]!="rot"')}`), ['urn:ngsi-ld:Car:2']);
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('color[de]=="grün"')}`), ['urn:ngsi-ld:Car:2']);
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('color[en]=="rot"')}`), []);
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('tags=="new"')}`), ['urn:ngsi-ld:Car:1']);
    assert.deepEqual(await ids(`type=Car&q=${encodeURIComponent('tags=="old","new"')}`), ['urn:ngsi-ld:Car:1', 'urn:ngsi-ld:Car:2']);
    const bad = await t.app.inject({ method: 'GET', url: `${E}?type=Car&q=${encodeURIComponent('color[*][de]=="rot"')}` });
    assert.equal(bad.statusCode, 400);
  });

  test('[4.23, Table 6.4.3.2-1] orderBy: attribute values ascending or descending, then the next key; id; collation is OperationNotSupported (distance: conformance-v19-p3)', async () => {
    const order = async (qs: string) => {
      const r = await t.app.inject({ method: 'GET', url: `${E}?type=*&${qs}` });
      assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
      return (r.json() as Array<{ id: string }>).map((e) => e.id.replace('urn:ngsi-ld:', ''));
    };
    assert.deepEqual(await order('orderBy=n'), ['Car:1', 'Car:2', 'Bike:1']);
    assert.deepEqual(await order('orderBy=n;desc'), ['Bike:1', 'Car:2', 'Car:1']);
    assert.deepEqual(await order('orderBy=s;desc,n'), ['Car:2', 'Car:1', 'Bike:1'], 'an entity without the attribute comes last');
    assert.deepEqual(await order('orderBy=id;desc'), ['Car:2', 'Car:1', 'Bike:1']);
    assert.deepEqual(await order('orderBy=n;desc&limit=1&offset=1'), ['Car:2']);
    const geo = await t.app.inject({ method: 'GET', url: `${E}?type=Car&orderBy=n;desc`, headers: { accept: 'application/geo+json' } });
    assert.deepEqual(geo.json().features.map((f: { id: string }) => f.id), ['urn:ngsi-ld:Car:2', 'urn:ngsi-ld:Car:1']);
    for (const [qs, type] of [['orderBy=location;dist-asc,n&orderFrom=[8,40]', 'OperationNotSupported'], ['orderBy=n&collation=de', 'OperationNotSupported'], ['orderBy=n;up', 'InvalidRequest'], ['orderBy=n%3D%3D1', 'InvalidRequest']]) {
      const r = await t.app.inject({ method: 'GET', url: `${E}?type=Car&${qs}` });
      assert.equal(r.json().type, `${ETSI}${type}`, qs);
    }
  });

  test('[4.21] pick and omit separate names with "," or "|"', async () => {
    const pick = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:Car:1?pick=${encodeURIComponent('id|n|s')}` });
    assert.equal(pick.statusCode, 200, pick.body);
    assert.deepEqual(Object.keys(pick.json()).sort(), ['id', 'n', 's']);
    const omit = await t.app.inject({ method: 'GET', url: `${E}?type=Car&omit=${encodeURIComponent('color|tags,s')}` });
    assert.equal(omit.statusCode, 200, omit.body);
    assert.deepEqual(Object.keys(omit.json()[0]).sort(), ['id', 'n', 'type']);
    const attrs = await t.app.inject({ method: 'GET', url: `${E}?type=Car&attrs=${encodeURIComponent('n|s')}` });
    assert.equal(attrs.statusCode, 400, 'attrs (not a projection of clause 4.21) keeps the comma only');
  });
});

describe('conformance v1.9: the v1.9 core @context (clause 4.4, annex B)', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const V18 = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
  const V19 = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';

  test('[4.4] responses name the v1.9 core; a v1.8 client sending its core @context gets it echoed and the same data', async () => {
    const c18 = await t.app.inject({ method: 'POST', url: E, headers: { 'content-type': 'application/ld+json' }, payload: { '@context': V18, id: 'urn:ngsi-ld:V:18', type: 'V', speed: 1 } });
    assert.equal(c18.statusCode, 201, c18.body);
    const c19 = await t.app.inject({ method: 'POST', url: E, headers: { 'content-type': 'application/ld+json' }, payload: { '@context': [V19], id: 'urn:ngsi-ld:V:19', type: 'V', speed: 2 } });
    assert.equal(c19.statusCode, 201, c19.body);
    const plain = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:V:18` });
    assert.match(String(plain.headers.link), /ngsi-ld-core-context-v1\.9\.jsonld/);
    const old = await t.app.inject({ method: 'GET', url: `${E}?type=V`, headers: { accept: 'application/ld+json', link: `<${V18}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } });
    assert.equal(old.statusCode, 200, old.body);
    assert.deepEqual(old.json().map((e: { '@context': unknown; speed: { value: number } }) => [e['@context'], e.speed.value]), [[V18, 1], [V18, 2]]);
    const ld = await t.app.inject({ method: 'GET', url: `${E}/urn:ngsi-ld:V:19`, headers: { accept: 'application/ld+json' } });
    assert.equal(ld.json()['@context'], V19);
  });

  test('[annex B] the shipped v1.9 core: every v1.8 term but the two v1.9 dropped, with the same IRI except the three v1.9 corrected, and the v1.9 additions', async () => {
    const { readFileSync } = await import('node:fs');
    const read = (f: string) => JSON.parse(readFileSync(new URL(`../../contexts/${f}`, import.meta.url), 'utf8'))['@context'] as Record<string, unknown>;
    const v18 = read('ngsi-ld-core-context-v1.8.jsonld');
    const v19 = read('ngsi-ld-core-context-v1.9.jsonld');
    assert.deepEqual(Object.keys(v18).filter((k) => !(k in v19)), ['geometryProperty', 'objectsLists']);
    assert.deepEqual(Object.keys(v18).filter((k) => k in v19 && JSON.stringify(v18[k]) !== JSON.stringify(v19[k])), ['attributeCount', 'attributeDetails', 'entityMap']);
    assert.equal(Object.keys(v19).filter((k) => !k.startsWith('@')).length, 209);
    for (const k of ['EntityMap', 'Snapshot', 'orderBy', 'collation', 'jsonldContext', 'ngsildConformance', 'objectLists', 'valueType', 'expiresAt']) assert.ok(k in v19, k);
  });
});
