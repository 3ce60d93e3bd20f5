// HTTP-level tests of the entity operations (clause 6.4 – 6.7) against a real SQLite file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, type TestApp, JSON_HEADERS, LD_HEADERS, CORE } from '../support/app.ts';

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

function sensor(id: string, temp = 21.5, extra: Record<string, unknown> = {}) {
  return {
    id, type: 'AirQualityObserved',
    temperature: { type: 'Property', value: temp, unitCode: 'CEL', observedAt: '2026-11-26T10:00:00Z' },
    name: { type: 'Property', value: `Sensor ${id}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2196, 51.538] } },
    refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:1' },
    ...extra,
  };
}

describe('entities', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });

  const inject = (o: InjectOptions) => t.app.inject(o);

  test('[6.4.3.1] create returns 201 with a Location header', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:a1') });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1');
  });

  test('[6.4.3.1] a duplicate id returns 409 AlreadyExists and keeps the stored entity', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:a1', 99) });
    assert.equal(r.statusCode, 409);
    assert.equal(r.json().type, ETSI + 'AlreadyExists');
    assert.match(r.headers['content-type'] as string, /^application\/json/);
    const g = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1' });
    assert.equal(g.json().temperature.value, 21.5);
  });

  test('[6.5.3.1] retrieve returns the normalized entity with compacted names and a Link header', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1' });
    assert.equal(r.statusCode, 200);
    const e = r.json();
    assert.equal(e.id, 'urn:ngsi-ld:AirQualityObserved:a1');
    assert.equal(e.type, 'AirQualityObserved');
    assert.deepEqual(e.temperature, { type: 'Property', value: 21.5, unitCode: 'CEL', observedAt: '2026-11-26T10:00:00.000Z' });
    assert.deepEqual(e.location.value, { type: 'Point', coordinates: [7.2196, 51.538] });
    assert.equal(e.refDevice.object, 'urn:ngsi-ld:Device:1');
    assert.match(r.headers.link as string, /ngsi-ld-core-context/);
    assert.equal(e.createdAt, undefined);
  });

  test('[6.5.3.1] options=sysAttrs adds createdAt and modifiedAt', async () => {
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=sysAttrs' })).json();
    assert.match(e.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.match(e.temperature.modifiedAt, /^\d{4}-\d\d-\d\dT/);
  });

  test('[4.5.4] options=keyValues and format=simplified give plain values', async () => {
    for (const url of ['?options=keyValues', '?format=simplified']) {
      const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1' + url })).json();
      assert.equal(e.temperature, 21.5);
      assert.equal(e.refDevice, 'urn:ngsi-ld:Device:1');
      assert.deepEqual(e.location, { type: 'Point', coordinates: [7.2196, 51.538] });
    }
  });

  test('[4.5.9] options=concise drops the type members', async () => {
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=concise' })).json();
    assert.deepEqual(e.temperature, { value: 21.5, unitCode: 'CEL', observedAt: '2026-11-26T10:00:00.000Z' });
    assert.equal(e.name, 'Sensor urn:ngsi-ld:AirQualityObserved:a1');
    assert.deepEqual(e.refDevice, { object: 'urn:ngsi-ld:Device:1' });
  });

  test('[4.5.9] a concise body is accepted and stored as normalized', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: {
      id: 'urn:ngsi-ld:Bench:c1', type: 'Bench', seats: 3, name: { value: 'Solarbank', unitCode: 'X' }, owner: { object: 'urn:ngsi-ld:Org:herne' },
      location: { type: 'Point', coordinates: [7.2, 51.5] },
    } });
    assert.equal(r.statusCode, 201, r.body);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Bench:c1' })).json();
    assert.deepEqual(e.seats, { type: 'Property', value: 3 });
    assert.equal(e.owner.type, 'Relationship');
    assert.equal(e.location.type, 'GeoProperty');
  });

  test('[6.5.3.1] pick and omit project attributes', async () => {
    const p = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?pick=id,temperature' })).json();
    assert.deepEqual(Object.keys(p).sort(), ['id', 'temperature']);
    const o = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?omit=temperature,location' })).json();
    assert.equal(o.temperature, undefined);
    assert.equal(o.location, undefined);
    assert.ok(o.name);
  });

  test('[6.5.3.1] application/ld+json puts the @context into the body', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1', headers: { accept: 'application/ld+json' } });
    assert.match(r.headers['content-type'] as string, /application\/ld\+json/);
    assert.equal(r.json()['@context'], CORE);
  });

  test('[6.3.6] an unsupported Accept gives 406', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1', headers: { accept: 'text/html' } });
    assert.equal(r.statusCode, 406);
  });

  test('[6.5.3.1] an unknown entity gives 404 ResourceNotFound', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:X:none' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().type, ETSI + 'ResourceNotFound');
    assert.match(r.json().detail, /urn:ngsi-ld:X:none/);
  });

  test('[6.5.3.1] an id that is not a URI gives 400 BadRequestData', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/not%20a%20uri' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, ETSI + 'BadRequestData');
  });

  test('[6.6.3.2] update attrs: 204 when all exist, 207 naming those that do not', async () => {
    const url = '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs';
    const ok = await inject({ method: 'PATCH', url, headers: JSON_HEADERS, payload: { temperature: { type: 'Property', value: 22 } } });
    assert.equal(ok.statusCode, 204, ok.body);
    const part = await inject({ method: 'PATCH', url, headers: JSON_HEADERS, payload: { temperature: { type: 'Property', value: 23 }, humidity: { type: 'Property', value: 50 } } });
    assert.equal(part.statusCode, 207);
    assert.deepEqual(part.json().updated, ['temperature']);
    assert.equal(part.json().notUpdated[0].attributeName, 'humidity');
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=keyValues' })).json();
    assert.equal(e.temperature, 23);
    assert.equal(e.humidity, undefined);
  });

  test('[6.6.3.1] append attrs adds, and noOverwrite keeps existing values (207)', async () => {
    const url = '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs';
    const r = await inject({ method: 'POST', url, headers: JSON_HEADERS, payload: { humidity: { type: 'Property', value: 50 } } });
    assert.equal(r.statusCode, 204, r.body);
    const n = await inject({ method: 'POST', url: url + '?options=noOverwrite', headers: JSON_HEADERS, payload: { humidity: { type: 'Property', value: 60 }, pm10: { type: 'Property', value: 12 } } });
    assert.equal(n.statusCode, 207);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=keyValues' })).json();
    assert.equal(e.humidity, 50);
    assert.equal(e.pm10, 12);
  });

  test('[6.7.3.1] partial attribute update merges members and keeps the rest', async () => {
    const r = await inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs/temperature', headers: JSON_HEADERS, payload: { value: 24.5 } });
    assert.equal(r.statusCode, 204, r.body);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1' })).json();
    assert.equal(e.temperature.value, 24.5);
    const missing = await inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs/nope', headers: JSON_HEADERS, payload: { value: 1 } });
    assert.equal(missing.statusCode, 404);
  });

  test('[6.7.3.1] a failed partial update leaves the entity unchanged', async () => {
    const before = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=sysAttrs' })).json();
    const r = await inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs/location', headers: JSON_HEADERS, payload: { type: 'GeoProperty', value: { type: 'Point', coordinates: [500, 51] } } });
    assert.equal(r.statusCode, 400);
    const afterE = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=sysAttrs' })).json();
    assert.deepEqual(afterE, before);
  });

  test('[6.7.3.3] replace attribute, [6.7.3.2] delete attribute', async () => {
    const base = '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1/attrs/';
    const r = await inject({ method: 'PUT', url: base + 'pm10', headers: JSON_HEADERS, payload: { type: 'Property', value: 30, unitCode: 'GQ' } });
    assert.equal(r.statusCode, 204, r.body);
    const d = await inject({ method: 'DELETE', url: base + 'pm10' });
    assert.equal(d.statusCode, 204);
    const d2 = await inject({ method: 'DELETE', url: base + 'pm10' });
    assert.equal(d2.statusCode, 404);
  });

  test('[6.5.3.4] merge-patch updates values and urn:ngsi-ld:null deletes', async () => {
    const r = await inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1', headers: { 'content-type': 'application/merge-patch+json' }, payload: { humidity: 'urn:ngsi-ld:null', temperature: { value: 18 }, newAttr: 5 } });
    assert.equal(r.statusCode, 204, r.body);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=keyValues' })).json();
    assert.equal(e.humidity, undefined);
    assert.equal(e.temperature, 18);
    assert.equal(e.newAttr, 5);
  });

  test('[6.5.3.3] replace entity keeps the id and createdAt, drops other attributes', async () => {
    const before = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=sysAttrs' })).json();
    const r = await inject({ method: 'PUT', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1', headers: JSON_HEADERS, payload: { type: 'AirQualityObserved', no2: { type: 'Property', value: 40 } } });
    assert.equal(r.statusCode, 204, r.body);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:a1?options=sysAttrs' })).json();
    assert.equal(e.createdAt, before.createdAt);
    assert.equal(e.temperature, undefined);
    assert.equal(e.no2.value, 40);
  });

  test('[6.5.3.2] delete returns 204, then 404', async () => {
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: sensor('urn:ngsi-ld:AirQualityObserved:del') });
    assert.equal((await inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:del' })).statusCode, 204);
    assert.equal((await inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:del' })).statusCode, 404);
  });

  test('[6.3.4] wrong content type gives 415; malformed JSON gives 400 InvalidRequest', async () => {
    const a = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(a.statusCode, 415);
    assert.equal(a.json().type, ETSI + 'UnsupportedMediaType');
    const b = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: '{"id": ' });
    assert.equal(b.statusCode, 400);
    assert.equal(b.json().type, ETSI + 'InvalidRequest');
  });

  test('[5.5.2] bad entity bodies get BadRequestData with an actionable detail', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 'nouri', type: 'T' }, /URI/],
      [{ id: 'urn:x:1' }, /type/],
      [{ id: 'urn:x:1', type: 'T', a: { type: 'Property', value: null } }, /null/],
      [{ id: 'urn:x:1', type: 'T', r: { type: 'Relationship', object: 'no uri' } }, /URI/],
      [{ id: 'urn:x:1', type: 'T', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1] } } }, /location/],
      [{ id: 'urn:x:1', type: 'T', 'bad=name': 1 }, /Invalid attribute name/],
      [{ id: 'urn:x:1', type: 'T', t: { type: 'Property', value: 1, observedAt: 'yesterday' } }, /observedAt/],
    ];
    for (const [body, msg] of cases) {
      const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: body as object });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(r.json().type, ETSI + 'BadRequestData');
      assert.match(r.json().detail, msg);
    }
  });

  test('[6.3.5] application/ld+json needs an @context in the body; application/json may not have one', async () => {
    const a = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: LD_HEADERS, payload: { id: 'urn:x:ld1', type: 'T' } });
    assert.equal(a.statusCode, 400);
    const b = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:x:ld1', type: 'T', '@context': CORE } });
    assert.equal(b.statusCode, 400);
    const c = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: LD_HEADERS, payload: { id: 'urn:x:ld1', type: 'T', '@context': CORE } });
    assert.equal(c.statusCode, 201, c.body);
  });

  test('[5.5.2] the body limit gives 413 with a ProblemDetails', async () => {
    const small = await testApp({ DREHSCHEIBE_BODY_LIMIT: '2048' });
    try {
      const r = await small.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:x:big', type: 'T', blob: 'x'.repeat(5000) } });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json().type, ETSI + 'PayloadTooLarge');
    } finally {
      await small.close();
    }
  });

  test('[5.2.x] multi-attributes keep instances per datasetId', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: {
      id: 'urn:x:multi', type: 'T',
      speed: [{ type: 'Property', value: 10 }, { type: 'Property', value: 11, datasetId: 'urn:ngsi-ld:Dataset:gps' }],
    } });
    assert.equal(r.statusCode, 201, r.body);
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:multi' })).json();
    assert.equal(e.speed.length, 2);
    const d = await inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:x:multi/attrs/speed?datasetId=urn:ngsi-ld:Dataset:gps' });
    assert.equal(d.statusCode, 204);
    const e2 = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:multi' })).json();
    assert.equal(e2.speed.value, 10);
  });

  test('[4.15] lang picks a language of a LanguageProperty', async () => {
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:x:lang', type: 'Place', title: { type: 'LanguageProperty', languageMap: { de: 'Rathaus', en: 'Town hall' } } } });
    const e = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:lang?lang=en' })).json();
    assert.deepEqual(e.title, { type: 'Property', value: 'Town hall', lang: 'en' });
    const all = (await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:lang' })).json();
    assert.deepEqual(all.title.languageMap, { de: 'Rathaus', en: 'Town hall' });
  });

  test('[6.3.x] unknown query parameters give 400', async () => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:lang?colour=red' });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().detail, /colour/);
  });
});

describe('rendered-entity cache', () => {
  test('a write in the same millisecond is never hidden by a cached representation', async () => {
    const { fixedClock } = await import('../../src/core/clock.ts');
    const clock = fixedClock('2026-11-26T12:00:00Z');
    const t = await testApp({}, { clock });
    try {
      await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:c:1', type: 'T', n: 1 } });
      for (let i = 2; i <= 4; i++) {
        const before = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=T&options=keyValues' });
        assert.equal(before.json()[0].n, i - 1);
        await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:c:1/attrs', headers: JSON_HEADERS, payload: { n: i } });
        const one = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:c:1?options=keyValues' });
        assert.equal(one.json().n, i, 'same modifiedAt, new version');
      }
      const ld = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=T', headers: { accept: 'application/ld+json' } });
      assert.equal(ld.json()[0]['@context'], CORE);
    } finally {
      await t.close();
    }
  });
});

describe('conditional writes', () => {
  test('[RFC 9110 13.1.1] GET gives an ETag; a write with a stale If-Match gets 412 and changes nothing', async () => {
    const t = await testApp();
    try {
      await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:etag:1', type: 'T', n: 1 } });
      const g = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:etag:1' });
      const etag = g.headers.etag as string;
      assert.match(etag, /^"\d+-\d+"$/);
      const ok = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:etag:1/attrs', headers: { ...JSON_HEADERS, 'if-match': etag }, payload: { n: 2 } });
      assert.equal(ok.statusCode, 204, ok.body);
      const stale = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:etag:1/attrs', headers: { ...JSON_HEADERS, 'if-match': etag }, payload: { n: 3 } });
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.json().type, 'https://uri.etsi.org/ngsi-ld/errors/PreconditionFailed');
      const del = await t.app.inject({ method: 'DELETE', url: '/ngsi-ld/v1/entities/urn:etag:1', headers: { 'if-match': etag } });
      assert.equal(del.statusCode, 412);
      const now = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:etag:1?options=keyValues' });
      assert.equal(now.json().n, 2);
      assert.notEqual(now.headers.etag, etag);
      const any = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:etag:1', headers: { ...JSON_HEADERS, 'if-match': '*' }, payload: { n: 4 } });
      assert.equal(any.statusCode, 204);
      const bad = await t.app.inject({ method: 'PATCH', url: '/ngsi-ld/v1/entities/urn:etag:1', headers: { ...JSON_HEADERS, 'if-match': 'nonsense' }, payload: { n: 5 } });
      assert.equal(bad.statusCode, 400);
    } finally {
      await t.close();
    }
  });
});
