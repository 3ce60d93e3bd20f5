// HTTP measurements (IoT Agent JSON: POST /iot/json?k=&i=&t=): mapping to NGSI-LD, history, and
// every kind of bad input rejected with a reason in the metrics while other devices go on.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { AQ_GROUP, entity, measure, metrics, provision } from './support.ts';

const AQ = 'urn:ngsi-ld:AirQualityObserved:';

describe('HTTP measurements /iot/json', () => {
  let t: TestApp;
  const clock = fixedClock('2026-11-26T12:00:00.000Z');
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '2', DREHSCHEIBE_INGEST_DEVICE_BURST: '3', DREHSCHEIBE_INGEST_MAX_PAYLOAD: '2048', DREHSCHEIBE_INGEST_SILENT_AFTER: '600' }, { clock });
    await provision(t, 'herne', '/env', [AQ_GROUP, { apikey: 'strict-key', entity_type: 'NoiseLevelObserved', explicitAttrs: true, autoprovision: false, attributes: [{ object_id: 'db', name: 'LAeq', type: 'Number' }] }],
      [{ device_id: 'aq-1', entity_type: 'AirQualityObserved' }, { device_id: 'aq-2', entity_type: 'AirQualityObserved' }, { device_id: 'n-1', entity_type: 'NoiseLevelObserved', apikey: 'strict-key' }, { device_id: 'flood', entity_type: 'AirQualityObserved' }]);
  });
  after(async () => { await t.close(); });

  test('a measurement updates the entity: mapped names, numeric values, unitCode, observedAt from TimeInstant', async () => {
    const r = await measure(t, 'aq-key', 'aq-1', { t: 21.5, no2: '38', st: 'ok', TimeInstant: '2026-11-26T11:59:00Z' });
    assert.equal(r.status, 200);
    const e = await entity(t, 'herne', AQ + 'aq-1');
    assert.deepEqual(e?.temperature, { type: 'Property', value: 21.5, unitCode: 'CEL', observedAt: '2026-11-26T11:59:00.000Z' });
    assert.deepEqual(e?.NO2, { type: 'Property', value: 38, unitCode: 'GQ', observedAt: '2026-11-26T11:59:00.000Z' });
    assert.equal((e?.status as { value: string }).value, 'ok');
  });

  test('without TimeInstant, observedAt is the t parameter, else the receive time', async () => {
    clock.advance(1000);
    await measure(t, 'aq-key', 'aq-1', { t: 22 }, '&t=2026-11-26T11:00:00Z');
    assert.equal(((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { observedAt: string }).observedAt, '2026-11-26T11:00:00.000Z');
    clock.advance(1000);
    await measure(t, 'aq-key', 'aq-1', { t: 23 });
    assert.equal(((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { observedAt: string }).observedAt, clock.now().toISOString());
  });

  test('each measurement is a history row (temporal API), in the order sent', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${AQ}aq-1?attrs=temperature&options=temporalValues`, headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(r.statusCode, 200);
    const values = (JSON.parse(r.body).temperature.values as Array<[number, string]>).map((v) => v[0]).sort((a, b) => a - b);
    assert.deepEqual(values, [21.5, 22, 23]);
  });

  test('unmapped measurements pass under their own name unless explicitAttrs is set', async () => {
    clock.advance(1000);
    await measure(t, 'aq-key', 'aq-2', { t: 1, humidity: 0.61 });
    assert.equal(((await entity(t, 'herne', AQ + 'aq-2'))?.humidity as { value: number }).value, 0.61);
    clock.advance(1000);
    const r = await measure(t, 'strict-key', 'n-1', { db: 55.2, secret: 'x' });
    assert.equal(r.status, 200);
    const e = await entity(t, 'herne', 'urn:ngsi-ld:NoiseLevelObserved:n-1');
    assert.equal((e?.LAeq as { value: number }).value, 55.2);
    assert.equal(e?.secret, undefined);
  });

  test('a non-numeric value for a Number mapping is rejected (400, type …:invalid_value) and nothing of it is written', async () => {
    clock.advance(1000);
    const r = await measure(t, 'aq-key', 'aq-2', { t: 'warm', no2: 40 });
    assert.equal(r.status, 400);
    assert.equal(r.body?.title, 'invalid_value');
    assert.equal(r.body?.type, 'urn:drehscheibe:problem:ingest:invalid_value', 'the reason spelt as in the metrics and the docs');
    assert.match(String(r.body?.detail), /expected a number/);
    assert.equal((await entity(t, 'herne', AQ + 'aq-2'))?.NO2, undefined);
  });

  test('malformed JSON, a JSON array and an oversized payload are rejected with their reasons', async () => {
    clock.advance(1000);
    assert.equal((await measure(t, 'aq-key', 'aq-2', '{"t": 1')).status, 400);
    clock.advance(1000);
    assert.equal((await measure(t, 'aq-key', 'aq-2', '[1, 2]')).body?.title, 'invalid_payload');
    const big = await measure(t, 'aq-key', 'aq-2', JSON.stringify({ st: 'x'.repeat(4096) }));
    assert.equal(big.status, 413);
    const m = await metrics(t);
    assert.equal(m.groups['herne/env'].rejectedBy.invalid_json, 1);
    assert.equal(m.groups['herne/env'].rejectedBy.invalid_payload, 1);
    assert.ok(m.total.rejectedBy.payload_too_large >= 1);
  });

  test('a wrong or unknown apikey and an unknown device are rejected (401/404; wrong_apikey answers 401 as unknown_apikey) and counted', async () => {
    assert.equal((await measure(t, 'nope', 'nobody', { t: 1 })).status, 401);
    assert.equal((await measure(t, 'nope', 'aq-1', { t: 1 })).status, 401, 'aq-1 exists under another apikey: the answer does not say so');
    assert.equal((await measure(t, 'aq-key', 'n-1', { t: 1 })).status, 401, 'n-1 is provisioned with strict-key');
    assert.equal((await measure(t, 'strict-key', 'ghost', { db: 1 })).status, 404, 'strict-key does not autoprovision');
    const m = await metrics(t);
    assert.equal(m.total.rejectedBy.unknown_apikey, 1);
    assert.equal(m.total.rejectedBy.wrong_apikey, 2);
    assert.equal(m.total.rejectedBy.unknown_device, 1);
    assert.equal(m.groups.nope, undefined, 'unknown keys do not create counters');
  });

  test('an unknown device under an autoprovisioning group is provisioned and written', async () => {
    const r = await measure(t, 'aq-key', 'aq-new', { t: 5 });
    assert.equal(r.status, 200);
    assert.equal(((await entity(t, 'herne', AQ + 'aq-new'))?.temperature as { value: number }).value, 5);
    const d = await t.app.inject({ method: 'GET', url: '/iot/devices/aq-new', headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/env' } });
    assert.equal(d.statusCode, 200);
  });

  test('a flood from one device is rate limited (429) while another device goes on', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await measure(t, 'aq-key', 'flood', { t: i })).status);
    assert.deepEqual(codes, [200, 200, 200, 429, 429], 'burst of 3, then limited');
    assert.equal((await measure(t, 'aq-key', 'aq-new', { t: 6 })).status, 200);
    clock.advance(1000);
    assert.equal((await measure(t, 'aq-key', 'flood', { t: 9 })).status, 200, 'tokens refill with time');
    const d = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/devices/flood', headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/env' } })).body);
    assert.deepEqual([d.ingest.received, d.ingest.accepted, d.ingest.rejectedBy.rate_limited], [6, 4, 2]);
  });

  test('metrics count received = accepted + rejected per device, and mark devices silent after the threshold', async () => {
    const m = await metrics(t);
    for (const d of m.devices) assert.equal(d.received, d.accepted + d.rejected, d.deviceId);
    assert.equal(m.devices.find((d: { deviceId: string }) => d.deviceId === 'aq-1').silent, false);
    clock.advance(601_000);
    const later = await metrics(t);
    assert.equal(later.devices.find((d: { deviceId: string }) => d.deviceId === 'aq-1').silent, true);
  });

  test('the single-attribute form /iot/json/attrs/<attr> writes one value', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/json/attrs/t?k=aq-key&i=aq-2', headers: { 'content-type': 'text/plain' }, payload: '17.25' });
    assert.equal(r.statusCode, 200);
    assert.equal(((await entity(t, 'herne', AQ + 'aq-2'))?.temperature as { value: number }).value, 17.25);
  });
});

describe('HTTP measurements with autoprovisioning switched off', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_AUTOPROVISION: 'off' });
    await provision(t, '', '/', [AQ_GROUP]);
  });
  after(async () => { await t.close(); });

  test('an unknown device is rejected even if its group allows autoprovisioning; the empty fiware-service is the default tenant', async () => {
    assert.equal((await measure(t, 'aq-key', 'x', { t: 1 })).status, 404);
    await provision(t, '', '/', [], [{ device_id: 'x' }]);
    assert.equal((await measure(t, 'aq-key', 'x', { t: 1 })).status, 200);
    assert.equal(((await entity(t, '', AQ + 'x'))?.temperature as { value: number }).value, 1);
  });
});

describe('autoprovisioning limit (DREHSCHEIBE_INGEST_AUTOPROVISION_MAX)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0', DREHSCHEIBE_INGEST_AUTOPROVISION_MAX: '3' });
    await provision(t, 'herne', '/env', [AQ_GROUP], [{ device_id: 'known-1', entity_type: 'AirQualityObserved' }]);
  });
  after(async () => { await t.close(); });

  test('unknown devices are autoprovisioned until the service path holds the limit; then refused, stored nothing; explicit provisioning still works', async () => {
    assert.equal((await measure(t, 'aq-key', 'auto-1', { t: 1 })).status, 200);
    assert.equal((await measure(t, 'aq-key', 'auto-2', { t: 2 })).status, 200);
    const refused = await measure(t, 'aq-key', 'auto-3', { t: 3 });
    assert.equal(refused.status, 404);
    assert.match(String(refused.body?.detail), /already holds 3 devices \(DREHSCHEIBE_INGEST_AUTOPROVISION_MAX\)/);
    assert.equal(await entity(t, 'herne', AQ + 'auto-3'), undefined);
    assert.equal((await metrics(t)).total.rejectedBy.unknown_device, 1);
    // Known devices go on; an operator can still provision more explicitly.
    assert.equal((await measure(t, 'aq-key', 'auto-1', { t: 4 })).status, 200);
    await provision(t, 'herne', '/env', [], [{ device_id: 'auto-3', entity_type: 'AirQualityObserved' }]);
    assert.equal((await measure(t, 'aq-key', 'auto-3', { t: 5 })).status, 200);
    // Deleting a device frees a place.
    const del = await t.app.inject({ method: 'DELETE', url: '/iot/devices/auto-2', headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/env' } });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await measure(t, 'aq-key', 'auto-4', { t: 6 })).status, 404, 'still 3 devices (known-1, auto-1, auto-3)');
    await t.app.inject({ method: 'DELETE', url: '/iot/devices/known-1', headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/env' } });
    assert.equal((await measure(t, 'aq-key', 'auto-4', { t: 7 })).status, 200);
  });
});
