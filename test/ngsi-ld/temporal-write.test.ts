// HTTP tests of the temporal API's writes (clause 6.18.3.1, 6.19.3.2, 6.20 – 6.22), the CSV
// export and the retention job (time injected, never slept on).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { testApp, JSON_HEADERS, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { RetentionJob } from '../../src/ngsi-ld/temporal/index.ts';

const E = 'urn:ngsi-ld:Sensor:s1';
const URL = `/ngsi-ld/v1/temporal/entities/${E}`;
const at = (min: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + min * 60_000).toISOString();
const inst = (value: unknown, min: number, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, observedAt: at(min), ...extra });

describe('temporal API writes', () => {
  let t: TestApp;
  const clock = fixedClock('2026-06-01T00:00:00Z');
  const inject = (o: InjectOptions) => t.app.inject(o);
  const values = async (qs = '') => (await inject({ method: 'GET', url: `${URL}?options=temporalValues${qs}` })).json();

  before(async () => { t = await testApp({}, { clock }); });
  after(async () => { await t.close(); });

  test('[6.18.3.1] POST temporal/entities creates history (201), then adds to it (204)', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: {
      id: E, type: 'Sensor', temperature: [inst(1, 0, { unitCode: 'CEL' }), inst(2, 1)], mode: inst('eco', 0),
    } });
    assert.equal(r.statusCode, 201);
    assert.equal(r.headers.location, `/ngsi-ld/v1/temporal/entities/${E}`);
    const again = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: E, temperature: inst(3, 2) } });
    assert.equal(again.statusCode, 204);
    assert.deepEqual((await values('&attrs=temperature')).temperature.values, [[1, at(0)], [2, at(1)], [3, at(2)]]);
    const cur = await inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${E}` });
    assert.equal(cur.statusCode, 404, 'back-filling history does not create a current entity');
  });

  test('[6.18.3.1] a new temporal entity needs a type; a bad body is BadRequestData', async () => {
    const r = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Sensor:new', temperature: inst(1, 0) } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().type, 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    const bad = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:Sensor:new', type: 'Sensor', temperature: { type: 'Property', value: 1, observedAt: 'yesterday' } } });
    assert.equal(bad.statusCode, 400);
  });

  test('[6.20.3.1] POST …/attrs adds instances; unknown entity is ResourceNotFound', async () => {
    const r = await inject({ method: 'POST', url: `${URL}/attrs`, headers: JSON_HEADERS, payload: { temperature: [inst(4, 3), inst(5, 4, { datasetId: 'urn:ngsi-ld:ds:b' })] } });
    assert.equal(r.statusCode, 204);
    const v = await values('&attrs=temperature');
    assert.equal(v.temperature.length, 2, 'one series per datasetId');
    assert.deepEqual(v.temperature[1], { type: 'Property', values: [[5, at(4)]], datasetId: 'urn:ngsi-ld:ds:b' });
    const nf = await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Sensor:none/attrs', headers: JSON_HEADERS, payload: { temperature: inst(1, 0) } });
    assert.equal(nf.statusCode, 404);
  });

  test('[6.22.3.1] PATCH an instance changes its value and modifiedAt, keeps its instanceId', async () => {
    const list = (await inject({ method: 'GET', url: `${URL}?attrs=temperature&datasetId=@none` })).json().temperature;
    const id = list[1].instanceId;
    clock.advance(1000);
    const r = await inject({ method: 'PATCH', url: `${URL}/attrs/temperature/${id}`, headers: JSON_HEADERS, payload: { value: 20, unitCode: 'CEL' } });
    assert.equal(r.statusCode, 204);
    const after = (await inject({ method: 'GET', url: `${URL}?attrs=temperature&datasetId=@none&options=sysAttrs` })).json().temperature;
    assert.deepEqual([after[1].value, after[1].unitCode, after[1].instanceId, after[1].modifiedAt], [20, 'CEL', id, '2026-06-01T00:00:01.000Z']);
    const nf = await inject({ method: 'PATCH', url: `${URL}/attrs/mode/${id}`, headers: JSON_HEADERS, payload: { value: 1 } });
    assert.equal(nf.statusCode, 404, 'an instanceId of another attribute is not found');
  });

  test('[6.22.3.2] DELETE an instance; deleting it again is ResourceNotFound', async () => {
    const list = (await inject({ method: 'GET', url: `${URL}?attrs=temperature&datasetId=@none` })).json().temperature;
    const r = await inject({ method: 'DELETE', url: `${URL}/attrs/temperature/${list[0].instanceId}` });
    assert.equal(r.statusCode, 204);
    assert.equal((await inject({ method: 'DELETE', url: `${URL}/attrs/temperature/${list[0].instanceId}` })).statusCode, 404);
    assert.deepEqual((await values('&attrs=temperature&datasetId=@none')).temperature.values.map((x: unknown[]) => x[0]), [20, 3, 4]);
  });

  test('[Drehscheibe] GET …/attrs/{attr}/history.csv exports a period as CSV', async () => {
    const r = await inject({ method: 'GET', url: `${URL}/attrs/temperature/history.csv?timerel=between&timeAt=${at(1)}&endTimeAt=${at(5)}` });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/csv/);
    const lines = r.body.trim().split('\r\n');
    assert.equal(lines[0], 'observedAt,value,unitCode,datasetId,instanceId');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(',')), [
      `${at(1)},20,CEL,`, `${at(2)},3,,`, `${at(3)},4,,`, `${at(4)},5,,urn:ngsi-ld:ds:b`,
    ]);
    assert.equal((await inject({ method: 'GET', url: `${URL}/attrs/nothing/history.csv` })).statusCode, 404);
  });

  test('[6.21.3.1] DELETE an attribute history: default instance, datasetId, deleteAll', async () => {
    assert.equal((await inject({ method: 'DELETE', url: `${URL}/attrs/temperature?datasetId=urn:ngsi-ld:ds:b` })).statusCode, 204);
    assert.equal((await values('&attrs=temperature')).temperature.datasetId, undefined);
    assert.equal((await inject({ method: 'DELETE', url: `${URL}/attrs/temperature?deleteAll=true` })).statusCode, 204);
    assert.equal((await values()).temperature, undefined);
    assert.equal((await inject({ method: 'DELETE', url: `${URL}/attrs/temperature` })).statusCode, 404);
  });

  test('[6.19.3.2] DELETE the temporal evolution of an entity', async () => {
    assert.equal((await inject({ method: 'DELETE', url: URL })).statusCode, 204);
    assert.equal((await inject({ method: 'GET', url: URL })).statusCode, 404);
    assert.equal((await inject({ method: 'DELETE', url: URL })).statusCode, 404);
  });

  test('[retention] the job removes instances older than the global or per-type duration', async () => {
    await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:A:1', type: 'Short', v: [inst(1, 0), inst(2, 60 * 24 * 100)] } });
    await inject({ method: 'POST', url: '/ngsi-ld/v1/temporal/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:B:1', type: 'Other', v: [inst(1, 0), inst(2, 60 * 24 * 100)] } });
    const job = new RetentionJob(t.storage, fixedClock('2026-06-01T00:00:00Z'), { retention: 'P1Y', byType: { Short: 'P30D' } });
    const removed = await job.runOnce();
    assert.equal(removed, 2, 'both instances of Short older than 30 days');
    const short = (await inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:A:1' })).json();
    assert.equal(short.v, undefined);
    const other = (await inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:B:1?options=temporalValues' })).json();
    assert.equal(other.v.values.length, 2);
    const later = new RetentionJob(t.storage, fixedClock('2027-02-01T00:00:00Z'), { retention: 'P1Y', byType: {} });
    assert.equal(await later.runOnce(), 1, 'the global year now expires the first instance of Other');
  });

  test('[5.7.3] DREHSCHEIBE_TEMPORAL=off: the write path records no history', async () => {
    const off = await testApp({ DREHSCHEIBE_TEMPORAL: 'off' });
    try {
      await off.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: JSON_HEADERS, payload: { id: 'urn:ngsi-ld:X:1', type: 'X', a: 1 } });
      assert.equal((await off.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:X:1' })).statusCode, 404);
    } finally {
      await off.close();
    }
  });
});
