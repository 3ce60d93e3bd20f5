// HTTP tests of the temporal API's reads (clause 6.18, 6.19, 6.24): history recorded by the core's
// write path, the normalized and simplified representations, timerel, lastN, projections, tenants
// and the pagination of large histories (clause 6.3.10).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, JSON_HEADERS, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';

const E = 'urn:ngsi-ld:AirQualityObserved:t1';
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const at = (min: number) => new Date(BASE + min * 60_000).toISOString();

describe('temporal evolution recorded by the write path', () => {
  let t: TestApp;
  const clock = fixedClock('2026-01-01T12:00:00Z');
  const inject = (o: InjectOptions) => t.app.inject(o);
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const r = await inject({ method: 'GET', url: '/ngsi-ld/v1/temporal' + url, headers });
    return { status: r.statusCode, body: r.body ? r.json() : undefined, headers: r.headers };
  };

  before(async () => {
    t = await testApp({ DREHSCHEIBE_TEMPORAL_MAX_INSTANCES: '5' }, { clock });
    const create = await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: {
      id: E, type: 'AirQualityObserved', temperature: { type: 'Property', value: 20, observedAt: at(0), unitCode: 'CEL' },
      status: 'ok', refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:1' },
    } });
    assert.equal(create.statusCode, 201);
    for (let i = 1; i < 8; i++) {
      clock.advance(1000);
      const r = await inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${E}/attrs`, headers: JSON_HEADERS, payload: { temperature: { type: 'Property', value: 20 + i, observedAt: at(i), unitCode: 'CEL' } } });
      assert.equal(r.statusCode, 204);
    }
    clock.advance(1000);
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert?options=update', headers: JSON_HEADERS, payload: [
      { id: 'urn:ngsi-ld:AirQualityObserved:t2', type: 'AirQualityObserved', temperature: { type: 'Property', value: 5, observedAt: at(3) } },
      { id: 'urn:ngsi-ld:Bench:b1', type: 'Bench', seats: 3 },
    ] });
  });
  after(async () => { await t.close(); });

  test('[6.19.3.1] normalized representation: every instance with instanceId, in time order (clause 4.5.7)', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&timerel=before&timeAt=${at(3)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, E);
    assert.equal(r.body.type, 'AirQualityObserved');
    assert.deepEqual(r.body.temperature.map((i: { value: number }) => i.value), [20, 21, 22]);
    assert.deepEqual(Object.keys(r.body.temperature[0]).sort(), ['instanceId', 'observedAt', 'type', 'unitCode', 'value']);
    assert.match(r.body.temperature[0].instanceId, /^urn:ngsi-ld:attribute:instance:/);
    assert.equal(r.body.status, undefined, 'attrs restricts the attributes');
    assert.match(String(r.headers.link), /ngsi-ld-core-context/);
  });

  test('[5.7.3] only the attributes a write changed are recorded, not the whole entity again', async () => {
    const r = await get(`/entities/${E}?attrs=status,refDevice`);
    assert.equal(r.body.status.length, 1);
    assert.equal(r.body.refDevice.length, 1);
    assert.equal(r.body.refDevice[0].object, 'urn:ngsi-ld:Device:1');
  });

  test('[4.5.8] options=temporalValues gives [value, time] pairs; Relationships give objects', async () => {
    const r = await get(`/entities/${E}?options=temporalValues&timerel=between&timeAt=${at(1)}&endTimeAt=${at(3)}`);
    assert.deepEqual(r.body.temperature, { type: 'Property', values: [[21, at(1)], [22, at(2)]] });
    const all = await get(`/entities/${E}?options=temporalValues&attrs=refDevice`);
    assert.deepEqual(all.body.refDevice, { type: 'Relationship', objects: [['urn:ngsi-ld:Device:1', '2026-01-01T12:00:00.000Z']] });
  });

  test('[6.18.3.2] timerel=after excludes timeAt itself; between is [timeAt, endTimeAt)', async () => {
    const a = await get(`/entities/${E}?attrs=temperature&options=temporalValues&timerel=after&timeAt=${at(5)}`);
    assert.deepEqual(a.body.temperature.values.map((v: unknown[]) => v[0]), [26, 27]);
    const b = await get(`/entities/${E}?attrs=temperature&options=temporalValues&timerel=between&timeAt=${at(5)}&endTimeAt=${at(7)}`);
    assert.deepEqual(b.body.temperature.values.map((v: unknown[]) => v[0]), [25, 26]);
  });

  test('[6.19.3.1] lastN returns the newest N instances in ascending order', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&options=temporalValues&lastN=3`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.temperature.values.map((v: unknown[]) => v[0]), [25, 26, 27]);
  });

  test('[6.18.3.2] timeproperty=modifiedAt and createdAt select by recording time', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&options=temporalValues&timeproperty=modifiedAt&timerel=after&timeAt=2026-01-01T12:00:05Z`);
    assert.deepEqual(r.body.temperature.values, [[26, '2026-01-01T12:00:06.000Z'], [27, '2026-01-01T12:00:07.000Z']]);
    const c = await get(`/entities/${E}?attrs=temperature&options=temporalValues,sysAttrs&timeproperty=createdAt&lastN=1`);
    assert.deepEqual(c.body.temperature.values, [[27, '2026-01-01T12:00:07.000Z']]);
  });

  test('[6.3.10] a history longer than the per-attribute cap is cut: 206 with Content-Range, forwards', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&options=temporalValues`);
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `date-time ${at(0)}-${at(4)}/*`);
    assert.equal(r.headers['accept-ranges'], 'date-time');
    assert.deepEqual(r.body.temperature.values.map((v: unknown[]) => v[0]), [20, 21, 22, 23, 24]);
    const next = await get(`/entities/${E}?attrs=temperature&options=temporalValues&timerel=after&timeAt=${at(4)}`);
    assert.equal(next.status, 200);
    assert.deepEqual(next.body.temperature.values.map((v: unknown[]) => v[0]), [25, 26, 27]);
  });

  test('[6.3.10] with lastN above the cap the page runs backwards and names lastN as the size', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&options=temporalValues&lastN=7`);
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `date-time ${at(7)}-${at(3)}/7`);
    assert.deepEqual(r.body.temperature.values.map((v: unknown[]) => v[0]), [23, 24, 25, 26, 27]);
  });

  test('[6.3.10] a Range header narrows the time window', async () => {
    const r = await get(`/entities/${E}?attrs=temperature&options=temporalValues`, { range: `date-time=${at(2)}-${at(3)}` });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.temperature.values.map((v: unknown[]) => v[0]), [22, 23]);
  });

  test('[6.18.3.2] query by type with q, limit/offset and count (NGSILD-Results-Count)', async () => {
    const r = await get(`/entities?type=AirQualityObserved&attrs=temperature&options=temporalValues&lastN=1&count=true`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['ngsild-results-count'], '2');
    assert.deepEqual(r.body.map((e: { id: string }) => e.id), [E, 'urn:ngsi-ld:AirQualityObserved:t2']);
    const q = await get(`/entities?type=AirQualityObserved&q=temperature<10&options=temporalValues`);
    assert.deepEqual(q.body.map((e: { id: string }) => e.id), ['urn:ngsi-ld:AirQualityObserved:t2']);
    const page = await get(`/entities?type=AirQualityObserved&limit=1&offset=1&lastN=1`);
    assert.deepEqual(page.body.map((e: { id: string }) => e.id), ['urn:ngsi-ld:AirQualityObserved:t2']);
  });

  test('[6.18.3.2] pick and omit project attributes; idPattern selects entities', async () => {
    const r = await get(`/entities?idPattern=.*t1$&omit=temperature,status&lastN=1`);
    assert.deepEqual(Object.keys(r.body[0]).sort(), ['id', 'refDevice', 'type']);
    // clause 4.21: pick reduces the entity to the members it lists, id and type included (as on the entity API).
    const p = await get(`/entities/${E}?pick=status&lastN=1`);
    assert.deepEqual(Object.keys(p.body).sort(), ['status']);
  });

  test('[6.24.3.1] POST temporal/entityOperations/query takes a Query with temporalQ', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entityOperations/query?options=temporalValues', headers: JSON_HEADERS, payload: {
      type: 'Query', entities: [{ type: 'AirQualityObserved' }], attrs: ['temperature'],
      temporalQ: { timerel: 'between', timeAt: at(1), endTimeAt: at(4) },
    } });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.deepEqual(body[0].temperature.values.map((v: unknown[]) => v[0]), [21, 22, 23]);
    assert.deepEqual(body[1].temperature.values, [[5, at(3)]]);
  });

  test('[5.7.3] deleting an attribute and the entity leaves deletion markers in the history', async () => {
    clock.advance(60_000);
    assert.equal((await inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/urn:ngsi-ld:Bench:b1/attrs/seats` })).statusCode, 204);
    clock.advance(60_000);
    assert.equal((await inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/urn:ngsi-ld:Bench:b1` })).statusCode, 204);
    const r = await get('/entities/urn:ngsi-ld:Bench:b1?options=sysAttrs');
    assert.equal(r.status, 200);
    assert.equal(r.body.deletedAt, '2026-01-01T12:02:08.000Z');
    assert.deepEqual(r.body.seats.map((i: { value: unknown; deletedAt?: string }) => [i.value, i.deletedAt]), [[3, undefined], ['urn:ngsi-ld:null', '2026-01-01T12:01:08.000Z']]);
    const d = await get('/entities/urn:ngsi-ld:Bench:b1?timeproperty=deletedAt&options=temporalValues');
    assert.deepEqual(d.body.seats.values, [['urn:ngsi-ld:null', '2026-01-01T12:01:08.000Z']]);
  });

  test('[6.3.x] tenants are separate; an unknown tenant is NonexistentTenant', async () => {
    const r = await get(`/entities/${E}`, { 'NGSILD-Tenant': 'nowhere' });
    assert.equal(r.status, 404);
    assert.equal(r.body.type, 'https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant');
    await inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...JSON_HEADERS, 'NGSILD-Tenant': 'herne' }, payload: { id: 'urn:ngsi-ld:X:1', type: 'X', a: 1 } });
    assert.equal((await get(`/entities/${E}`, { 'NGSILD-Tenant': 'herne' })).status, 404);
    assert.equal((await get('/entities/urn:ngsi-ld:X:1', { 'NGSILD-Tenant': 'herne' })).status, 200);
  });

  test('[6.19.3.1] an entity without history is ResourceNotFound; Accept application/ld+json puts the @context in the body', async () => {
    const r = await get('/entities/urn:ngsi-ld:Nothing:1');
    assert.equal(r.status, 404);
    assert.equal(r.body.type, 'https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
    const ld = await get(`/entities/${E}?lastN=1`, { accept: 'application/ld+json' });
    assert.ok(ld.body['@context']);
  });
});
