// HTTP-level regression tests of NGSI-LD answers that used to be wrong (issue #14, "Wrong
// answers"): each names the clause of ETSI GS CIM 009 v1.9.1 it checks. Runs on SQLite, and on
// PostgreSQL with `node scripts/run-tests.mjs --engine=postgres conformance`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const E = '/ngsi-ld/v1/entities';

describe('conformance: wrong answers', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });
  const inject = (o: InjectOptions) => t.app.inject(o);

  test('[6.5.3.1] an entity deleted and created again is read as the new one, with a new ETag (no stale cache)', async () => {
    const id = 'urn:ngsi-ld:T:888';
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'T', P1: 12 } })).statusCode, 201);
    assert.equal((await inject({ method: 'POST', url: `${E}/${id}/attrs`, headers: JSON_HEADERS, payload: { R1: { type: 'Relationship', object: 'urn:x:1' } } })).statusCode, 204);
    const first = await inject({ method: 'GET', url: `${E}/${id}` });
    assert.deepEqual(Object.keys(first.json()).sort(), ['P1', 'R1', 'id', 'type']);
    const listed = await inject({ method: 'GET', url: `${E}?type=T` });
    assert.equal(listed.json().length, 1);
    assert.equal((await inject({ method: 'DELETE', url: `${E}/${id}` })).statusCode, 204);
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'T', P2: 'other' } })).statusCode, 201);
    assert.equal((await inject({ method: 'POST', url: `${E}/${id}/attrs`, headers: JSON_HEADERS, payload: { P3: 1 } })).statusCode, 204);
    const second = await inject({ method: 'GET', url: `${E}/${id}` });
    assert.deepEqual(Object.keys(second.json()).sort(), ['P2', 'P3', 'id', 'type']);
    assert.notEqual(second.headers.etag, first.headers.etag);
    const listedAgain = await inject({ method: 'GET', url: `${E}?type=T` });
    assert.deepEqual(Object.keys(listedAgain.json()[0]).sort(), ['P2', 'P3', 'id', 'type']);
    const stale = await inject({ method: 'PATCH', url: `${E}/${id}/attrs`, headers: { ...JSON_HEADERS, 'if-match': first.headers.etag as string }, payload: { P2: 'x' } });
    assert.equal(stale.statusCode, 412, 'an ETag of the deleted entity must not match the new one');
  });

  test('[query strings as application/x-www-form-urlencoded, like URLSearchParams] a "+" is a space (form encoding); a literal "+" is sent as %2B', async () => {
    const body = [
      { id: 'urn:ngsi-ld:Place:eiffel', type: 'Place', name: 'Eiffel Tower', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [13.39, 52.55] } } },
      { id: 'urn:ngsi-ld:Place:plus', type: 'Place', name: 'C++', scope: '/Berlin/Mitte', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [13.5, 52.6] } } },
    ];
    assert.equal((await inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', headers: JSON_HEADERS, payload: body })).statusCode, 201);
    const ids = async (qs: string) => {
      const r = await inject({ method: 'GET', url: `${E}?${qs}` });
      assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
      return (r.json() as Array<{ id: string }>).map((e) => e.id.split(':').pop()).sort();
    };
    assert.deepEqual(await ids('type=Place&q=name=="Eiffel+Tower"'), ['eiffel']);
    assert.deepEqual(await ids('type=Place&q=name=="Eiffel%20Tower"'), ['eiffel']);
    assert.deepEqual(await ids('type=Place&q=name=="C%2B%2B"'), ['plus']);
    assert.deepEqual(await ids('type=Place&georel=near;maxDistance==100&geometry=Point&coordinates=[13.39,+52.55]'), ['eiffel']);
    assert.deepEqual(await ids('type=Place&scopeQ=/%2B/Mitte'), ['plus']);
    assert.deepEqual(await ids('idPattern=^urn:ngsi-ld:Place:p.%2Bs$'), ['plus']);
  });

  test('[6.4.3.1, 6.10.3.1, 6.18.3.1, 6.29.3.1; RFC 3986 3.3] Location headers encode only what a path segment may not hold, and lead back to the resource', async () => {
    const created = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:T:loc-1', type: 'T' } });
    assert.equal(created.headers.location, '/ngsi-ld/v1/entities/urn:ngsi-ld:T:loc-1');
    const odd = 'https://example.org/things/a?c=1&d=x#frag';
    const r = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: odd, type: 'T' } });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/ngsi-ld/v1/entities/https:%2F%2Fexample.org%2Fthings%2Fa%3Fc=1&d=x%23frag');
    const back = await inject({ method: 'GET', url: r.headers.location as string });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().id, odd);
    const sub = await inject({ method: 'POST', url: '/ngsi-ld/v1/subscriptions', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Subscription:loc', type: 'Subscription', entities: [{ type: 'T' }], notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } } } });
    assert.equal(sub.statusCode, 201, sub.body);
    assert.equal(sub.headers.location, '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:loc');
    const temporal = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:T:loc-t', type: 'T', p: [{ type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' }] } });
    assert.equal(temporal.statusCode, 201, temporal.body);
    assert.equal(temporal.headers.location, '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:T:loc-t');
    const ctx = await inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: JSON_HEADERS, payload: { '@context': { p: 'https://example.org/p' } } });
    assert.equal(ctx.statusCode, 201, ctx.body);
    assert.doesNotMatch(ctx.headers.location as string, /%3A/i);
    assert.equal((await inject({ method: 'GET', url: ctx.headers.location as string })).statusCode, 200);
  });

  test('[5.5.7, annex C.6] the response @context echoes the request\'s as given and adds the core @context only when it is not named already', async () => {
    // A v1.8 client's document names the v1.8 core; the broker adds its own (v1.9) where none is named.
    const CORE_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
    const ADDED = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';
    const host = async (ctx: unknown) => {
      const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', headers: JSON_HEADERS, payload: { '@context': ctx } });
      assert.equal(r.statusCode, 201, r.body);
      const id = (r.headers.location as string).split('/').pop()!;
      const urls = (await inject({ method: 'GET', url: '/ngsi-ld/v1/jsonldContexts?kind=Hosted' })).json() as string[];
      return urls.find((u) => u.endsWith(id))!;
    };
    const withCore = await host([CORE_URL, { speed: 'https://example.org/speed' }]);
    const withoutCore = await host({ speed: 'https://example.org/speed' });
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:T:ctx', type: 'T', speed: 3 } })).statusCode, 201);
    const get = async (link?: string) => {
      const r = await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:T:ctx`, headers: { accept: 'application/ld+json', ...(link ? { link: `<${link}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } : {}) } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json()['@context'];
    };
    assert.equal(await get(withCore), withCore, 'a string stays a string; its document already holds the core @context');
    assert.deepEqual(await get(withoutCore), [withoutCore, ADDED], 'the core @context is added where the request\'s does not name it');
    assert.equal(await get(), ADDED);
    const list = await inject({ method: 'GET', url: `${E}?type=T&id=urn:ngsi-ld:T:ctx`, headers: { accept: 'application/ld+json', link: `<${withCore}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` } });
    assert.equal(list.json()[0]['@context'], withCore);
  });

  test('[5.6.3, 5.6.4, 5.6.19] an empty body on append, partial attribute update and attribute replace is 400 BadRequestData and changes nothing', async () => {
    const id = 'urn:ngsi-ld:T:empty';
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'T', P1: 12 } })).statusCode, 201);
    for (const [method, url] of [['POST', `${E}/${id}/attrs`], ['PATCH', `${E}/${id}/attrs/P1`], ['PUT', `${E}/${id}/attrs/P1`]] as const) {
      for (const payload of [{}, { '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld' }]) {
        const r = await inject({ method, url, headers: { 'content-type': '@context' in payload ? 'application/ld+json' : 'application/json' }, payload });
        assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
        assert.equal(r.json().type, ETSI + 'BadRequestData');
      }
    }
    const g = await inject({ method: 'GET', url: `${E}/${id}?options=keyValues` });
    assert.deepEqual(g.json(), { id, type: 'T', P1: 12 });
  });

  test('[4.6.2] attribute names that are neither short names nor IRIs are 400 BadRequestData on create, append, update, merge, batch and temporal writes', async () => {
    const id = 'urn:ngsi-ld:T:names';
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'T', ok_1: 1, 'schema:name': 'x', 'https://example.org/full': 2, 'Größe2': 3 } })).statusCode, 201);
    for (const bad of ['P?|{{', 'a-b', '1st', 'a/b', 'a#b', 'a.b', '_x']) {
      const attrs = { [bad]: { type: 'Property', value: 1 } };
      const cases: Array<[InjectOptions['method'], string, unknown]> = [
        ['POST', E, { id: 'urn:ngsi-ld:T:names-new', type: 'T', ...attrs }],
        ['POST', `${E}/${id}/attrs`, attrs],
        ['PATCH', `${E}/${id}/attrs`, attrs],
        ['PATCH', `${E}/${id}`, attrs],
        ['PUT', `${E}/${id}`, { type: 'T', ...attrs }],
        ['POST', '/ngsi-ld/v1/entityOperations/create', [{ id: 'urn:ngsi-ld:T:names-b', type: 'T', ...attrs }]],
        ['POST', '/ngsi-ld/v1/entityOperations/upsert', [{ id, type: 'T', ...attrs }]],
        ['POST', '/ngsi-ld/v1/entityOperations/update', [{ id, type: 'T', ...attrs }]],
        ['POST', '/ngsi-ld/v1/temporal/entities', { id: 'urn:ngsi-ld:T:names-t', type: 'T', [bad]: [{ type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' }] }],
        ['POST', E, { id: 'urn:ngsi-ld:T:names-sub', type: 'T', p: { type: 'Property', value: 1, [bad]: { type: 'Property', value: 2 } } }],
        ['POST', E, { id: 'urn:ngsi-ld:T:names-type', type: bad }],
      ];
      for (const [method, url, payload] of cases) {
        const r = await inject({ method, url, headers: JSON_HEADERS, payload: payload as object });
        if (url.includes('entityOperations')) {
          assert.ok(r.statusCode === 400 || (r.statusCode === 207 && r.json().errors.length === 1), `${bad}: ${method} ${url}: ${r.statusCode} ${r.body}`);
          if (r.statusCode === 207) assert.equal(r.json().errors[0].error.type, ETSI + 'BadRequestData');
        } else {
          assert.equal(r.statusCode, 400, `${bad}: ${method} ${url}: ${r.body}`);
          assert.equal(r.json().type, ETSI + 'BadRequestData');
        }
      }
    }
    const g = await inject({ method: 'GET', url: `${E}/${id}?options=keyValues` });
    assert.deepEqual(Object.keys(g.json()).sort(), ['Größe2', 'https://example.org/full', 'id', 'ok_1', 'schema:name', 'type']);
    assert.equal((await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:T:names-b` })).statusCode, 404);
  });

  test('[5.5.2] a malformed request (unknown or repeated parameter, malformed Link, If-Match or Range header) is InvalidRequest; data the operation cannot use is BadRequestData', async () => {
    const id = 'urn:ngsi-ld:T:errors';
    assert.equal((await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, type: 'T', n: 1 } })).statusCode, 201);
    const invalid: InjectOptions[] = [
      { method: 'GET', url: `${E}?type=T&colour=red` },
      { method: 'GET', url: `${E}/${id}?foo=1` },
      { method: 'GET', url: `${E}?type=T&type=U` },
      { method: 'GET', url: `/ngsi-ld/v1/subscriptions?foo=1` },
      { method: 'GET', url: `/ngsi-ld/v1/temporal/entities?type=T&bar=2` },
      { method: 'GET', url: `${E}/${id}`, headers: { link: 'not a link' } },
      { method: 'PATCH', url: `${E}/${id}/attrs`, headers: { ...JSON_HEADERS, 'if-match': 'nonsense' }, payload: { n: 2 } },
      { method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${id}`, headers: { range: 'bytes=0-100' } },
      { method: 'POST', url: E, headers: JSON_HEADERS, payload: '{"id": ' },
      { method: 'GET', url: `${E}?type=T&q=n>` },
    ];
    for (const o of invalid) {
      const r = await inject(o);
      assert.equal(r.statusCode, 400, `${o.method} ${o.url}: ${r.body}`);
      assert.equal(r.json().type, ETSI + 'InvalidRequest', `${o.method} ${o.url} ${JSON.stringify(o.headers ?? {})}: ${r.body}`);
    }
    const badData: InjectOptions[] = [
      { method: 'GET', url: `${E}?type=T&limit=0` },
      { method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'not a uri', type: 'T' } },
    ];
    for (const o of badData) {
      const r = await inject(o);
      assert.equal(r.statusCode, 400, `${o.method} ${o.url}: ${r.body}`);
      assert.equal(r.json().type, ETSI + 'BadRequestData', `${o.method} ${o.url}: ${r.body}`);
    }
  });

  test('[4.5, 4.6.3] invalid input is 400 BadRequestData and nothing is stored: core terms as entity type, a DateTime not in UTC, a malformed objectType', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['"type":"type" (a JSON-LD keyword)', { type: 'type' }],
      ['"type":"id"', { type: 'id' }],
      ['an NGSI-LD core term as entity type', { type: 'Property' }],
      ['observedAt with an offset', { type: 'T', p: { type: 'Property', value: 1, observedAt: '2026-01-01T12:00:00+02:00' } }],
      ['observedAt without a time zone', { type: 'T', p: { type: 'Property', value: 1, observedAt: '2026-01-01T12:00:00' } }],
      ['a sub-attribute observedAt with an offset', { type: 'T', p: { type: 'Property', value: 1, q: { type: 'Property', value: 2, observedAt: '2026-01-01T12:00:00-05:00' } } }],
      ['a Relationship objectType that is no name', { type: 'T', r: { type: 'Relationship', object: 'urn:x:1', objectType: 'a b' } }],
    ];
    for (const [what, body] of bad) {
      const id = `urn:ngsi-ld:T:invalid-${what.length}`;
      const r = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id, ...body } });
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(r.json().type, ETSI + 'BadRequestData', what);
      assert.equal((await inject({ method: 'GET', url: `${E}/${id}` })).statusCode, 404, `${what}: nothing stored`);
    }
    const ok = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:T:valid-utc', type: 'T', p: { type: 'Property', value: 1, observedAt: '2026-01-01T10:00Z' }, r: { type: 'Relationship', object: 'urn:x:1', objectType: 'Building' } } });
    assert.equal(ok.statusCode, 201, ok.body);
    const patch = await inject({ method: 'PATCH', url: `${E}/urn:ngsi-ld:T:valid-utc/attrs`, headers: JSON_HEADERS, payload: { p: { type: 'Property', value: 2, observedAt: '2026-01-01T12:00:00+02:00' } } });
    assert.equal(patch.statusCode, 400, patch.body);
    assert.equal((await inject({ method: 'GET', url: `${E}/urn:ngsi-ld:T:valid-utc?options=keyValues` })).json().p, 1);
  });

  test('[5.6.17, 5.6.4, 4.5] the NGSI-LD Null of each attribute type deletes in a merge and in a partial attribute update', async () => {
    const id = 'urn:ngsi-ld:T:nulls';
    const N = 'urn:ngsi-ld:null';
    const r = await inject({ method: 'POST', url: E, headers: JSON_HEADERS, payload: {
      id, type: 'T', p: 1, r: { type: 'Relationship', object: 'urn:x:1' }, l: { type: 'LanguageProperty', languageMap: { de: 'Bank', en: 'bench' } },
      v: { type: 'VocabProperty', vocab: 'Open' }, li: { type: 'ListProperty', valueList: [1, 2] }, j: { type: 'JsonProperty', json: { a: 1 } },
      s: { type: 'Property', value: 1, sub: { type: 'Property', value: 2 }, keep: { type: 'Property', value: 3 } }, d: [{ type: 'Property', value: 1 }, { type: 'Property', value: 2, datasetId: 'urn:ds:1' }],
      pa: { type: 'Property', value: 5, unitCode: 'CEL' },
    } });
    assert.equal(r.statusCode, 201, r.body);
    const merge = await inject({ method: 'PATCH', url: `${E}/${id}`, headers: JSON_HEADERS, payload: {
      r: { type: 'Relationship', object: N }, l: { type: 'LanguageProperty', languageMap: { '@none': N } }, v: { type: 'VocabProperty', vocab: N },
      li: { type: 'ListProperty', valueList: [N] }, j: { type: 'JsonProperty', json: N }, s: { type: 'Property', value: 1, sub: { type: 'Property', value: N } },
      d: { type: 'Property', value: N, datasetId: 'urn:ds:1' },
    } });
    assert.equal(merge.statusCode, 204, merge.body);
    const partial = await inject({ method: 'PATCH', url: `${E}/${id}/attrs/pa`, headers: JSON_HEADERS, payload: { value: N } });
    assert.equal(partial.statusCode, 204, partial.body);
    const g = (await inject({ method: 'GET', url: `${E}/${id}` })).json();
    assert.deepEqual(Object.keys(g).sort(), ['d', 'id', 'p', 's', 'type']);
    assert.deepEqual(Object.keys(g.s).sort(), ['keep', 'type', 'value']);
    assert.deepEqual(g.d, { type: 'Property', value: 1 }, 'only the instance with that datasetId went');
  });
});
