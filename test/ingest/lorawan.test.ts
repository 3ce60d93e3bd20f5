// LoRaWAN webhooks: ChirpStack v4 HTTP integration (?event=up) and The Things Stack v3 uplink
// messages, device found by DevEUI, decoded payload mapped like any measurement.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testApp, type TestApp } from '../support/app.ts';
import { entity, metrics, provision } from './support.ts';

const fixture = (n: string) => readFileSync(new URL(`../fixtures/lorawan/${n}`, import.meta.url), 'utf8');
const CHIRP = fixture('chirpstack-v4-up.json');
const TTN = fixture('ttn-v3-uplink.json');

describe('LoRaWAN webhooks', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await provision(t, 'herne', '/lora', [
      { apikey: 'lora-env', entity_type: 'AirQualityObserved', attributes: [{ object_id: 'temperature', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } }, { object_id: 'co2', name: 'CO2', type: 'Number' }] },
      { apikey: 'lora-bench', entity_type: 'SolarBench', attributes: [{ object_id: 'battery', name: 'batteryLevel', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'P1' } } }] },
    ], [
      { device_id: 'ers-rathaus-1', entity_type: 'AirQualityObserved', apikey: 'lora-env', internal_attributes: { lorawan: { dev_eui: 'a81758fffe0312ab' } } },
      { device_id: 'solarbank-schlosspark', entity_type: 'SolarBench', apikey: 'lora-bench', dev_eui: '70B3D57ED005A1B2' },
    ]);
  });
  after(async () => { await t.close(); });

  test('a ChirpStack v4 uplink event updates the device found by DevEUI, observedAt from "time"', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/chirpstack?event=up&k=lora-env', headers: { 'content-type': 'application/json' }, payload: CHIRP });
    assert.equal(r.statusCode, 200, r.body);
    const e = await entity(t, 'herne', 'urn:ngsi-ld:AirQualityObserved:ers-rathaus-1');
    assert.deepEqual(e?.temperature, { type: 'Property', value: 22.7, unitCode: 'CEL', observedAt: '2026-11-26T09:34:15.775Z' });
    assert.equal((e?.CO2 as { value: number }).value, 512);
    assert.equal((e?.humidity as { value: number }).value, 68);
  });

  test('other ChirpStack events (join, status) are acknowledged with 204 and write nothing', async () => {
    const before = (await metrics(t)).total.received;
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/chirpstack?event=join&k=lora-env', headers: { 'content-type': 'application/json' }, payload: '{"deviceInfo":{"devEui":"a81758fffe0312ab"},"devAddr":"00189440"}' });
    assert.equal(r.statusCode, 204);
    assert.equal((await metrics(t)).total.received, before);
  });

  test('a The Things Stack v3 uplink message updates the device, apikey from the X-Ingest-Apikey header', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/ttn', headers: { 'content-type': 'application/json', 'x-ingest-apikey': 'lora-bench' }, payload: TTN });
    assert.equal(r.statusCode, 200, r.body);
    const e = await entity(t, 'herne', 'urn:ngsi-ld:SolarBench:solarbank-schlosspark');
    assert.deepEqual(e?.batteryLevel, { type: 'Property', value: 87, unitCode: 'P1', observedAt: '2026-11-26T09:40:01.930Z' });
    assert.equal((e?.sessions as { value: number }).value, 3);
  });

  test('a webhook with another group\'s apikey, without apikey, or for an unknown DevEUI is rejected and counted', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/iot/lorawan/ttn?k=lora-env', headers: { 'content-type': 'application/json' }, payload: TTN });
    assert.equal(wrong.statusCode, 401);
    const none = await t.app.inject({ method: 'POST', url: '/iot/lorawan/chirpstack', headers: { 'content-type': 'application/json' }, payload: CHIRP });
    assert.equal(none.statusCode, 401);
    const unknown = await t.app.inject({ method: 'POST', url: '/iot/lorawan/chirpstack?k=lora-env', headers: { 'content-type': 'application/json' }, payload: CHIRP.replace('A81758FFFE0312AB', '0000000000000001') });
    assert.equal(unknown.statusCode, 404);
    const m = await metrics(t);
    assert.deepEqual([m.total.rejectedBy.wrong_apikey, m.total.rejectedBy.unknown_apikey, m.total.rejectedBy.unknown_device], [1, 1, 1]);
  });

  test('an uplink without decoded payload (no codec configured) is rejected with a hint', async () => {
    const body = JSON.parse(CHIRP) as Record<string, unknown>;
    delete body.object;
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/chirpstack?k=lora-env', headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(r.statusCode, 400);
    assert.match(JSON.parse(r.body).detail, /codec/);
    // What is counted and logged for the device says what is missing too (not "got object").
    const d = (await t.app.inject({ method: 'GET', url: '/iot/devices/ers-rathaus-1', headers: { 'fiware-service': 'herne', 'fiware-servicepath': '/lora' } })).json() as { ingest: { lastRejection: { reason: string; message: string } } };
    assert.equal(d.ingest.lastRejection.reason, 'invalid_payload');
    assert.match(d.ingest.lastRejection.message, /no decoded payload \(no "object"\)/);
    assert.doesNotMatch(d.ingest.lastRejection.message, /got object/);
  });

  test('a body that is not JSON is rejected as invalid_json', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/ttn?k=lora-bench', headers: { 'content-type': 'application/json' }, payload: '<xml/>' });
    assert.equal(r.statusCode, 400);
    assert.equal(JSON.parse(r.body).title, 'invalid_json');
  });
});
