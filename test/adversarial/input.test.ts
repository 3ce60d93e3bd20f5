// Adversarial HTTP bodies (issue 13, items 15, 16, 18): 10,000-level nesting, numbers JSON.parse turns
// into Infinity, entity ids with lone surrogates. Each is a 400 BadRequestData before anything is
// written, and what was stored before stays as it was.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testApp, JSON_HEADERS, LD_HEADERS, CORE, type TestApp } from '../support/app.ts';

const BAD_REQUEST_DATA = 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData';
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('adversarial HTTP input', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });

  const post = (url: string, body: string, headers: Record<string, string> = JSON_HEADERS) => t.app.inject({ method: 'POST', url: `/ngsi-ld/v1${url}`, headers, payload: body });
  const status = async (id: string) => (await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}` })).statusCode;
  const assertBadRequestData = (r: { statusCode: number; body: string }, re: RegExp, what: string) => {
    assert.equal(r.statusCode, 400, `${what}: ${r.body.slice(0, 300)}`);
    const p = JSON.parse(r.body) as { type: string; detail: string };
    assert.equal(p.type, BAD_REQUEST_DATA, what);
    assert.match(p.detail, re, what);
    assert.doesNotMatch(p.detail, /call stack/i, what);
  };
  const TOO_DEEP = /nested deeper than 32 levels.*DREHSCHEIBE_MAX_JSON_DEPTH/;

  test('[issue 13.15] 10,000-level nesting answers 400 BadRequestData naming the limit: entity value, JsonProperty, ld+json @context, batch, temporal', async () => {
    const d = deep(10_000);
    const cases: Array<[string, string, Record<string, string>?]> = [
      ['/entities', `{"id":"urn:ngsi-ld:T:deep-1","type":"T","p":{"type":"Property","value":${d}}}`],
      ['/entities', `{"id":"urn:ngsi-ld:T:deep-2","type":"T","j":{"type":"JsonProperty","json":{"a":${d}}}}`],
      ['/entities', `{"id":"urn:ngsi-ld:T:deep-3","type":"T","@context":[${d}, "${CORE}"]}`, LD_HEADERS],
      ['/entityOperations/create', `[{"id":"urn:ngsi-ld:T:deep-4","type":"T","p":{"type":"Property","value":${d}}}]`],
      ['/entityOperations/upsert', `[{"id":"urn:ngsi-ld:T:deep-5","type":"T","p":{"type":"Property","value":${d}}}]`],
      ['/temporal/entities', `{"id":"urn:ngsi-ld:T:deep-6","type":"T","p":[{"type":"Property","value":${d},"observedAt":"2026-01-01T00:00:00Z"}]}`],
    ];
    for (const [url, body, headers] of cases) assertBadRequestData(await post(url, body, headers), TOO_DEEP, url);
    for (let i = 1; i <= 6; i++) assert.equal(await status(`urn:ngsi-ld:T:deep-${i}`), 404, `deep-${i} not stored`);
  });

  test('[issue 13.15] an update with a too deeply nested value leaves the stored entity unchanged', async () => {
    assert.equal((await post('/entities', '{"id":"urn:ngsi-ld:T:keep-1","type":"T","p":{"type":"Property","value":1}}')).statusCode, 201);
    const r = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:T:keep-1/attrs', headers: JSON_HEADERS, payload: `{"p":{"type":"Property","value":${deep(40)}}}` });
    assertBadRequestData(r, TOO_DEEP, 'PATCH');
    const e = JSON.parse((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:T:keep-1' })).body) as { p: { value: unknown } };
    assert.equal(e.p.value, 1);
  });

  test('[issue 13.15] legitimate nesting passes: the deepest Smart Data Models example (Building, 6 levels) and a 30-level JSON value', async () => {
    const building = JSON.parse(readFileSync('test/fixtures/smart-data-models/Building/example-normalized.jsonld', 'utf8')) as Record<string, unknown>;
    const r = await post('/entities', JSON.stringify(building), LD_HEADERS);
    assert.equal(r.statusCode, 201, r.body);
    const ok = await post('/entities', `{"id":"urn:ngsi-ld:T:nest-30","type":"T","j":{"type":"JsonProperty","json":${deep(28)}}}`);
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('[issue 13.15] the limit is configurable: DREHSCHEIBE_MAX_JSON_DEPTH', async () => {
    const t2 = await testApp({ DREHSCHEIBE_MAX_JSON_DEPTH: '8' });
    try {
      const r = await t2.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: `{"id":"urn:ngsi-ld:T:d8","type":"T","p":{"type":"Property","value":${deep(7)}}}` });
      assert.equal(r.statusCode, 400);
      assert.match(JSON.parse(r.body).detail, /deeper than 8 levels/);
    } finally {
      await t2.close();
    }
  });

  test('[issue 13.18] 1e999 (Infinity after JSON.parse) is refused with 400, not stored as null: create, update, batch, temporal', async () => {
    const re = /outside the range of a double/;
    assertBadRequestData(await post('/entities', '{"id":"urn:ngsi-ld:T:inf-1","type":"T","p":{"type":"Property","value":1e999}}'), re, 'create');
    assert.equal(await status('urn:ngsi-ld:T:inf-1'), 404);
    assertBadRequestData(await post('/entities', '{"id":"urn:ngsi-ld:T:inf-2","type":"T","p":{"type":"Property","value":{"x":[-1e999]}}}'), re, 'nested -1e999');
    assertBadRequestData(await post('/entityOperations/upsert', '[{"id":"urn:ngsi-ld:T:keep-1","type":"T","p":{"type":"Property","value":1e999}}]'), re, 'upsert');
    assertBadRequestData(await post('/temporal/entities', '{"id":"urn:ngsi-ld:T:inf-3","type":"T","p":[{"type":"Property","value":1e400,"observedAt":"2026-01-01T00:00:00Z"}]}'), re, 'temporal');
    const r = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:T:keep-1/attrs', headers: JSON_HEADERS, payload: '{"p":{"type":"Property","value":1e999}}' });
    assertBadRequestData(r, re, 'PATCH');
    const e = JSON.parse((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:T:keep-1' })).body) as { p: { value: unknown } };
    assert.equal(e.p.value, 1, 'the stored value is unchanged');
  });

  test('[issue 13.16, clause 4.4.2] an entity id with a lone surrogate is refused with 400 before anything is written: create, batch create, upsert, temporal', async () => {
    const id = 'urn:ngsi-ld:T:\\ud800';
    const cases: Array<[string, string]> = [
      ['/entities', `{"id":"${id}","type":"T"}`],
      ['/entityOperations/create', `[{"id":"${id}","type":"T"}]`],
      ['/entityOperations/upsert', `[{"id":"${id}x","type":"T"}]`],
      ['/temporal/entities', `{"id":"${id}y","type":"T","p":[{"type":"Property","value":1,"observedAt":"2026-01-01T00:00:00Z"}]}`],
      ['/entities', `{"id":"urn:ngsi-ld:T:lone-low-\\udc00","type":"T"}`],
    ];
    for (const [url, body] of cases) {
      const r = await post(url, body);
      if (url.startsWith('/entityOperations')) {
        // Batch operations answer per entity (clause 5.6.7): the id is an error, nothing is created.
        assert.ok(r.statusCode === 400 || r.statusCode === 207, `${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        if (r.statusCode === 207) assert.deepEqual((JSON.parse(r.body) as { success: unknown[] }).success, [], url);
      } else {
        assertBadRequestData(r, /absolute URI of well-formed Unicode/, url);
      }
    }
    // Nothing was committed: the same create with a valid id works, and no stored entity has a broken id.
    const list = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=T&limit=1000' });
    assert.equal(list.statusCode, 200, list.body);
    for (const e of JSON.parse(list.body) as Array<{ id: string }>) assert.doesNotThrow(() => encodeURIComponent(e.id), `a stored id that is not Unicode text: ${JSON.stringify(e.id)}`);
    const retry = await post('/entities', '{"id":"urn:ngsi-ld:T:lone-retry","type":"T"}');
    assert.equal(retry.statusCode, 201, retry.body);
    const temporal = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities?type=T&limit=1000' });
    assert.equal(temporal.statusCode, 200, temporal.body);
  });

  test('[issue 13.16, clause 4.6.2] attribute and type names with a lone surrogate are refused with 400, nothing stored', async () => {
    assertBadRequestData(await post('/entities', '{"id":"urn:ngsi-ld:T:name-1","type":"T","p\\ud800":{"type":"Property","value":1}}'), /attribute name/, 'attribute name');
    assertBadRequestData(await post('/entities', '{"id":"urn:ngsi-ld:T:name-2","type":"T\\udc00"}'), /name/, 'type name');
    assert.equal(await status('urn:ngsi-ld:T:name-1'), 404);
    assert.equal(await status('urn:ngsi-ld:T:name-2'), 404);
  });

  test('[issue 13.16, clause 4.4.2] ids that are not absolute URIs, or hold control characters, are refused with 400 (body and URL path)', async () => {
    for (const id of ['relative/id', 'urn:ngsi-ld:T:ctl\\u0001x', 'urn:ngsi-ld:T:del\\u007fx']) {
      assertBadRequestData(await post('/entities', `{"id":"${id}","type":"T"}`), /absolute URI/, id);
    }
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:T:%01x' });
    assertBadRequestData(r, /absolute URI/, 'control character in the URL path');
    const r2 = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/not-a-uri/attrs', headers: JSON_HEADERS, payload: '{"p":{"type":"Property","value":1}}' });
    assert.equal(r2.statusCode, 400);
  });
  test('a request URL over DREHSCHEIBE_MAX_QUERY_LENGTH and a malformed percent-escape are 400s from the root hook, for reads and writes', async () => {
    const long = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=T&q=${'a'.repeat(9000)}` });
    assertBadRequestData(long, /9\d{3} characters long; the limit is 8192/, 'long URL');
    const longWrite = await post(`/entities?x=${'b'.repeat(9000)}`, '{"id":"urn:ngsi-ld:T:url-1","type":"T"}');
    assertBadRequestData(longWrite, /characters long/, 'long URL on a write');
    assert.equal(await status('urn:ngsi-ld:T:url-1'), 404, 'nothing stored');
    const escape = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=T&q=a%ZZ' });
    assert.equal(escape.statusCode, 400, escape.body);
    const ok = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=T' });
    assert.equal(ok.statusCode, 200, 'the next request is answered normally');
  });
});
