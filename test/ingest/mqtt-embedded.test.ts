// The embedded MQTT broker (aedes) on a free port: IoT Agent JSON topics, per-group credentials,
// publish authorisation to the group's apikey only, rejected messages counted.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { testApp, type TestApp } from '../support/app.ts';
import { freePort } from '../support/server.ts';
import { AQ_GROUP, entity, metrics, provision } from './support.ts';

const AQ = 'urn:ngsi-ld:AirQualityObserved:';

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('embedded MQTT broker (aedes)', () => {
  let t: TestApp;
  let port: number;
  const clients: MqttClient[] = [];
  const connect = async (opts: mqtt.IClientOptions = {}) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 3000, ...opts });
    clients.push(c);
    return c;
  };
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0' });
    await provision(t, 'herne', '/env', [
      { ...AQ_GROUP, mqtt: { username: 'aq-devices', password: 'aq-password-1' } },
    ], [{ device_id: 'aq-1', entity_type: 'AirQualityObserved' }]);
    // Another service path, so that the metrics (labelled by tenant and service path, never by the
    // apikey) tell the two groups apart.
    await provision(t, 'herne', '/benches', [
      { apikey: 'bench-key', entity_type: 'Bench', mqtt: { username: 'benches', password: 'bench-password' } },
    ]);
    port = await t.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
  });
  after(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await t.close();
  });

  test('a JSON measurement on /<apikey>/<deviceId>/attrs updates the entity', async () => {
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    await c.publishAsync('/aq-key/aq-1/attrs', JSON.stringify({ t: 19.5, no2: 41 }), { qos: 0 });
    const e = await until(async () => { const x = await entity(t, 'herne', AQ + 'aq-1'); return (x?.temperature as { value?: number })?.value === 19.5 ? x : undefined; }, 'the measurement');
    assert.equal((e.NO2 as { value: number }).value, 41);
    assert.equal((e.temperature as { unitCode: string }).unitCode, 'CEL');
  });

  test('the single-value topic /<apikey>/<deviceId>/attrs/<attr> and the /json/ prefix variant', async () => {
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    await c.publishAsync('/aq-key/aq-1/attrs/t', '20.25', { qos: 1 });
    await until(async () => (((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { value: number }).value === 20.25 ? true : undefined), 'single value');
    await c.publishAsync('/json/aq-key/aq-1/attrs', JSON.stringify({ no2: 12 }), { qos: 1 });
    await until(async () => (((await entity(t, 'herne', AQ + 'aq-1'))?.NO2 as { value: number }).value === 12 ? true : undefined), '/json/ prefix');
  });

  test('per-device order is kept: the last of a burst is the current value, all are in the history', async () => {
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    for (let i = 1; i <= 50; i++) c.publish('/aq-key/aq-order/attrs', JSON.stringify({ t: i }), { qos: 0 });
    await until(async () => (((await entity(t, 'herne', AQ + 'aq-order'))?.temperature as { value?: number })?.value === 50 ? true : undefined), 'the last value');
    await t.app.drehscheibe.ingest.pipeline.drain();
    const r = await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${AQ}aq-order?attrs=temperature&options=temporalValues&lastN=100`, headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(JSON.parse(r.body).temperature.values.length, 50);
  });

  test('wrong credentials and anonymous clients are refused (anonymous is off by default)', async () => {
    await assert.rejects(connect({ username: 'aq-devices', password: 'wrong-password' }), /Bad username or password|Not authorized|bad username/i);
    await assert.rejects(connect({}), /Bad username or password|Not authorized|username/i);
  });

  test('a client may not publish under another group\'s apikey: disconnected and counted as wrong_apikey of the sender\'s group', async () => {
    const m0 = await metrics(t);
    const before = m0.total.rejectedBy.wrong_apikey ?? 0;
    const [senderBefore, targetBefore] = [m0.groups['herne/benches']?.rejectedBy.wrong_apikey ?? 0, m0.groups['herne/env']?.rejectedBy.wrong_apikey ?? 0];
    const c = await connect({ username: 'benches', password: 'bench-password' });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('/aq-key/aq-1/attrs', JSON.stringify({ t: -99 }), { qos: 0 });
    await closed;
    const m = await metrics(t);
    assert.equal(m.total.rejectedBy.wrong_apikey, before + 1);
    assert.equal(m.groups['herne/benches'].rejectedBy.wrong_apikey, senderBefore + 1, 'counted for the group whose credentials published');
    assert.equal(m.groups['herne/env']?.rejectedBy.wrong_apikey ?? 0, targetBefore, 'not for the group whose topic was targeted');
    assert.notEqual(((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { value: number }).value, -99);
  });

  test('malformed JSON over MQTT is counted as invalid_json for the device; the next good message passes', async () => {
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    c.publish('/aq-key/aq-1/attrs', '{"t": ', { qos: 0 });
    await c.publishAsync('/aq-key/aq-1/attrs', JSON.stringify({ t: 7.5 }), { qos: 1 });
    await until(async () => (((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { value: number }).value === 7.5 ? true : undefined), 'the good message');
    const d = (await metrics(t)).devices.find((x: { deviceId: string }) => x.deviceId === 'aq-1');
    assert.equal(d.rejectedBy.invalid_json, 1);
  });
  test('giant payloads: above the payload limit counted as payload_too_large; a giant packet closes the connection first', async () => {
    const before = (await metrics(t)).total.rejectedBy.payload_too_large ?? 0;
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    await c.publishAsync('/aq-key/aq-1/attrs', JSON.stringify({ st: 'x'.repeat(100 * 1024) }), { qos: 1 });
    await until(async () => ((await metrics(t)).total.rejectedBy.payload_too_large === before + 1 ? true : undefined), 'the oversized payload counted');
    assert.equal(c.connected, true, 'a payload over the limit but within the packet limit keeps the connection');
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('/aq-key/aq-1/attrs', Buffer.alloc(4 * 1024 * 1024, 0x20), { qos: 0 });
    await closed;
    assert.equal((await metrics(t)).total.rejectedBy.payload_too_large, before + 2);
    const other = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    await other.publishAsync('/aq-key/aq-1/attrs', JSON.stringify({ t: 31.5 }), { qos: 1 });
    await until(async () => (((await entity(t, 'herne', AQ + 'aq-1'))?.temperature as { value: number }).value === 31.5 ? true : undefined), 'other clients unaffected');
  });
});

describe('embedded MQTT broker with anonymous clients allowed', () => {
  let t: TestApp;
  let c: MqttClient | undefined;
  after(async () => { await c?.endAsync(true); await t.close(); });

  test('an anonymous client publishes with the apikey in the topic; an unknown apikey is counted, not written', async () => {
    t = await testApp({ DREHSCHEIBE_MQTT_ANONYMOUS: 'on' });
    await provision(t, 'herne', '/env', [AQ_GROUP]);
    const port = await t.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
    c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    await c.publishAsync('/unknown-key/x/attrs', JSON.stringify({ t: 1 }), { qos: 1 });
    await c.publishAsync('/aq-key/anon-1/attrs', JSON.stringify({ t: 2 }), { qos: 1 });
    await until(async () => (await entity(t, 'herne', AQ + 'anon-1')) ?? undefined, 'the autoprovisioned device');
    const m = await metrics(t);
    assert.equal(m.total.rejectedBy.unknown_apikey, 1);
    assert.equal(await entity(t, 'herne', 'urn:ngsi-ld:AirQualityObserved:x'), undefined);
  });
});
