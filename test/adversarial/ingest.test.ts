// Adversarial device input (issue 13, items 1, 15, 17, 18, 19 and the 401 of "Also"): one MQTT message
// must not end the process (a real server process with the embedded broker, and the external-broker
// client on the Mosquitto at 127.0.0.1:1883), nesting and non-finite numbers are invalid values, the
// topic is authorised as it is routed, failed MQTT logins are throttled, and a wrong apikey answers 401.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { testApp, type TestApp } from '../support/app.ts';
import { freePort, startServer, type ServerProcess } from '../support/server.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { reachable } from '../../src/ngsi-ld/subscriptions/test-support.ts';
import { AQ_GROUP, entity, measure, metrics, provision, svc } from '../ingest/support.ts';

const AQ = 'urn:ngsi-ld:AirQualityObserved:';
/** Every test ends: on the old code some waits (a disconnect, a message) would never come. */
const T = { timeout: 30_000 };
/** The message of issue 13.1: a Number-mapped attribute with a 10,000-level nested array. */
const DEEP = `{"t":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('[issue 13.1] one MQTT message does not end the server process (embedded broker, real process)', () => {
  let s: ServerProcess;
  let dir: string;
  let c: MqttClient | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ds-adv-ingest-'));
    const mqttPort = await freePort();
    s = await startServer({ DREHSCHEIBE_DATA_DIR: dir, MQTT_PORT: String(mqttPort), DREHSCHEIBE_INGEST_DEVICE_RATE: '0' });
    const r = await fetch(`${s.url}/iot/services`, { method: 'POST', headers: svc('herne', '/env'), body: JSON.stringify({ services: [{ ...AQ_GROUP, mqtt: { username: 'adv', password: 'adv-password-1' } }] }) });
    assert.equal(r.status, 201, await r.text());
    c = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: 'adv', password: 'adv-password-1', reconnectPeriod: 0 });
    c.on('error', () => undefined); // a server that dies resets the connection: the test's assertions report it
  });
  after(async () => {
    await c?.endAsync(true).catch(() => undefined);
    if (s && s.child.exitCode === null) { s.child.kill('SIGTERM'); await s.exited; }
    rmSync(dir, { recursive: true, force: true });
  });

  test('10,000-level nesting (object and single-value topic) and 1e999 are rejected as invalid_value and counted; the process serves on and takes the next measurement', T, async () => {
    c!.publish('/aq-key/adv-1/attrs', DEEP, { qos: 0 });
    c!.publish('/aq-key/adv-1/attrs/t', '['.repeat(10_000) + ']'.repeat(10_000), { qos: 0 });
    c!.publish('/aq-key/adv-1/attrs', '{"t":1e999}', { qos: 0 });
    c!.publish('/aq-key/adv-1/attrs', '{"free":-1e999}', { qos: 0 });
    c!.publish('/aq-key/adv-1/attrs', '{"t":21.5}', { qos: 0 });
    const m = await until(async () => {
      assert.equal(s.child.exitCode, null, `the server process exited: ${s.output().slice(-2000)}`);
      const x = await (await fetch(`${s.url}/iot/metrics`)).json() as { total: { accepted: number; rejectedBy: Record<string, number> } };
      return x.total.accepted === 1 ? x : undefined;
    }, 'the valid measurement after the bad ones');
    assert.equal(m.total.rejectedBy.invalid_value, 4);
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    const e = await (await fetch(`${s.url}/ngsi-ld/v1/entities/${AQ}adv-1`, { headers: { 'ngsild-tenant': 'herne' } })).json() as { temperature: { value: number }; free?: unknown };
    assert.equal(e.temperature.value, 21.5);
    assert.equal(e.free, undefined, 'nothing of a rejected measurement is written');
    assert.doesNotMatch(s.output(), /call stack/i);
  });
});

describe('embedded MQTT broker (in process): topics and logins', () => {
  let t: TestApp;
  let port: number;
  const clients: MqttClient[] = [];
  const connect = async (opts: mqtt.IClientOptions) => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    clients.push(c);
    return c;
  };
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0', DREHSCHEIBE_MQTT_AUTH_FAILURES_ADDRESS: '3', DREHSCHEIBE_MQTT_AUTH_FAILURES_USERNAME: '1000' });
    // The victim: a group whose apikey is "json", autoprovisioning, in another tenant.
    await provision(t, 'victim', '/', [{ apikey: 'json', entity_type: 'Victim', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] }]);
    await provision(t, 'herne', '/env', [{ ...AQ_GROUP, mqtt: { username: 'aq-devices', password: 'aq-password-1' } }]);
    port = await t.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
  });
  after(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await t.close();
  });

  test('[issue 13.17] json/<apikey>/attrs is authorised as it is ingested (device <apikey> of the group "json"): refused, counted wrong_apikey, nothing written in the other tenant', T, async () => {
    const before = (await metrics(t)).total.rejectedBy.wrong_apikey ?? 0;
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('json/aq-key/attrs', JSON.stringify({ t: 66 }), { qos: 0 });
    await closed;
    await t.app.drehscheibe.ingest.pipeline.drain();
    assert.equal((await metrics(t)).total.rejectedBy.wrong_apikey, before + 1);
    assert.equal(await entity(t, 'victim', 'urn:ngsi-ld:Victim:aq-key'), undefined);
    // Its own namespace still works, with and without the json/ prefix.
    const ok = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    await ok.publishAsync('json/aq-key/own-1/attrs', JSON.stringify({ t: 7 }), { qos: 1 });
    await until(async () => (((await entity(t, 'herne', AQ + 'own-1'))?.temperature as { value?: number })?.value === 7 ? true : undefined), 'own namespace');
  });

  test('[issue 13.19] failed logins are throttled per client address (no password check beyond the limit); verified credentials still pass from the cache', T, async () => {
    // Verified once: cached.
    await connect({ username: 'aq-devices', password: 'aq-password-1' });
    for (let i = 0; i < 3; i++) await assert.rejects(connect({ username: 'aq-devices', password: `wrong-${i}` }), /Bad username or password/);
    await assert.rejects(connect({ username: 'aq-devices', password: 'wrong-3' }), /Not authorized/, 'the 4th failure within a minute is throttled');
    await assert.rejects(connect({ username: 'nobody', password: 'wrong-4' }), /Not authorized/, 'throttled by address, whatever the username');
    const c = await connect({ username: 'aq-devices', password: 'aq-password-1' });
    assert.ok(c.connected, 'recently verified credentials are honoured without a password check');
  });

  test('[issue 13.19] failed logins are throttled per username (DREHSCHEIBE_MQTT_AUTH_FAILURES_USERNAME), other usernames unaffected', T, async () => {
    const t2 = await testApp({ DREHSCHEIBE_MQTT_AUTH_FAILURES_ADDRESS: '0', DREHSCHEIBE_MQTT_AUTH_FAILURES_USERNAME: '2' });
    const p2 = await t2.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
    const c2 = (o: mqtt.IClientOptions) => mqtt.connectAsync(`mqtt://127.0.0.1:${p2}`, { reconnectPeriod: 0, connectTimeout: 5000, ...o });
    try {
      await provision(t2, 'herne', '/env', [{ ...AQ_GROUP, mqtt: { username: 'aq-devices', password: 'aq-password-1' } }]);
      for (let i = 0; i < 2; i++) await assert.rejects(c2({ username: 'aq-devices', password: `wrong-${i}` }), /Bad username or password/);
      await assert.rejects(c2({ username: 'aq-devices', password: 'wrong-2' }), /Not authorized/);
      await assert.rejects(c2({ username: 'someone-else', password: 'wrong-3' }), /Bad username or password/, 'another username is checked');
    } finally {
      await t2.close();
    }
  });
});

describe('[issue 13.19] a service group\'s devices reconnecting all at once', () => {
  test('40 concurrent logins with the group\'s (not yet verified) credentials all connect, with the address limit at 3', T, async () => {
    const t2 = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0', DREHSCHEIBE_MQTT_AUTH_FAILURES_ADDRESS: '3', DREHSCHEIBE_MQTT_AUTH_FAILURES_USERNAME: '3' });
    const p2 = await t2.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
    const opened: MqttClient[] = [];
    try {
      await provision(t2, 'herne', '/env', [{ ...AQ_GROUP, mqtt: { username: 'aq-devices', password: 'aq-password-1' } }]);
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
        mqtt.connectAsync(`mqtt://127.0.0.1:${p2}`, { clientId: `storm-${i}`, username: 'aq-devices', password: 'aq-password-1', reconnectPeriod: 0, connectTimeout: 10_000 })));
      for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      assert.deepEqual(refused, [], 'no device of the group is refused');
      assert.equal(opened.length, 40);
      // A wrong password is still checked and throttled as before.
      for (let i = 0; i < 3; i++) await assert.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${p2}`, { username: 'aq-devices', password: `wrong-${i}`, reconnectPeriod: 0 }), /Bad username or password/);
      await assert.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${p2}`, { username: 'aq-devices', password: 'wrong-3', reconnectPeriod: 0 }), /Not authorized/);
    } finally {
      for (const c of opened) await c.endAsync(true).catch(() => undefined);
      await t2.close();
    }
  });
});

describe('[issue 13.19] the cache of verified MQTT credentials', () => {
  test('honours a verification for DREHSCHEIBE_MQTT_AUTH_CACHE_S only, and forgets it when the group\'s password changes', T, async () => {
    const clock = fixedClock('2026-12-01T10:00:00Z');
    const t = await testApp({ DREHSCHEIBE_MQTT_AUTH_CACHE_S: '60' }, { clock });
    try {
      await provision(t, 'herne', '/env', [{ ...AQ_GROUP, mqtt: { username: 'aq-devices', password: 'aq-password-1' } }]);
      const reg = t.app.drehscheibe.ingest.registry;
      assert.equal(await reg.checkMqttCredentials('aq-devices', 'aq-password-1'), 'aq-key');
      clock.advance(59_000);
      assert.equal(reg.cachedMqttCredentials('aq-devices', 'aq-password-1'), 'aq-key', 'within the lifetime');
      clock.advance(2_000);
      assert.equal(reg.cachedMqttCredentials('aq-devices', 'aq-password-1'), undefined, 'expired after 60 s');
      assert.equal(await reg.checkMqttCredentials('aq-devices', 'aq-password-1'), 'aq-key', 'verified again');
      const r = await t.app.inject({ method: 'PUT', url: '/iot/services?apikey=aq-key&resource=/iot/json', headers: svc('herne', '/env'), payload: { mqtt: { username: 'aq-devices', password: 'aq-password-2' } } });
      assert.equal(r.statusCode, 204, r.body);
      assert.equal(reg.cachedMqttCredentials('aq-devices', 'aq-password-1'), undefined, 'a changed password drops the cache');
      assert.equal(await reg.checkMqttCredentials('aq-devices', 'aq-password-1'), undefined);
    } finally {
      await t.close();
    }
  });
});

const mosquitto = await reachable('127.0.0.1', 1883);
describe('[issue 13.1] one MQTT message does not break the external-broker client (Mosquitto at 127.0.0.1:1883)', { skip: mosquitto ? false : 'Mosquitto is not listening at 127.0.0.1:1883' }, () => {
  const prefix = `ds-adv-${process.pid}-${Date.now()}`;
  const apikey = `adv-ext-${process.pid}`;
  let t: TestApp;
  let dev: MqttClient;
  before(async () => {
    t = await testApp({ MQTT_URL: 'mqtt://127.0.0.1:1883', DREHSCHEIBE_INGEST_DEVICE_RATE: '0', DREHSCHEIBE_MQTT_SHARE_GROUP: `adv${process.pid}` });
    await provision(t, 'herne', '/env', [{ ...AQ_GROUP, apikey }]);
    await t.app.drehscheibe.ingest.startMqtt({ topicPrefix: prefix });
    dev = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, reconnectPeriod: 0 });
  });
  after(async () => {
    await dev?.endAsync(true);
    await t?.close();
  });

  test('10,000-level nesting and 1e999 are counted as invalid_value; the app serves on and takes the next measurement', T, async () => {
    await dev.publishAsync(`${prefix}/${apikey}/ext-adv/attrs`, DEEP, { qos: 1 });
    await dev.publishAsync(`${prefix}/${apikey}/ext-adv/attrs/t`, '['.repeat(10_000) + ']'.repeat(10_000), { qos: 1 });
    await dev.publishAsync(`${prefix}/${apikey}/ext-adv/attrs`, '{"t":1e999}', { qos: 1 });
    await dev.publishAsync(`${prefix}/${apikey}/ext-adv/attrs`, '{"t":3.5}', { qos: 1 });
    const m = await until(async () => { const x = await metrics(t); return x.total.accepted === 1 ? x : undefined; }, 'the valid measurement');
    assert.equal(m.total.rejectedBy.invalid_value, 3);
    assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    assert.equal(((await entity(t, 'herne', AQ + 'ext-adv'))?.temperature as { value: number }).value, 3.5);
  });
});

describe('HTTP and LoRaWAN ingest of adversarial payloads', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0' });
    await provision(t, 'herne', '/env', [AQ_GROUP, { apikey: 'strict-key', entity_type: 'Noise', autoprovision: false }], [{ device_id: 'n-1', apikey: 'strict-key', entity_type: 'Noise' }]);
    await provision(t, 'herne', '/lora', [{ apikey: 'lora-bench', entity_type: 'SolarBench', attributes: [{ object_id: 'battery', name: 'batteryLevel', type: 'Number' }] }],
      [{ device_id: 'solarbank-schlosspark', entity_type: 'SolarBench', apikey: 'lora-bench', dev_eui: '70B3D57ED005A1B2' }]);
  });
  after(async () => { await t.close(); });

  test('[issue 13.15] /iot/json with 10,000-level nesting answers 400 invalid_value naming the limit, not 500', T, async () => {
    const r = await measure(t, 'aq-key', 'deep-1', DEEP);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body?.type, 'urn:drehscheibe:problem:ingest:invalid_value');
    assert.match(String(r.body?.detail), /deeper than 32 levels.*DREHSCHEIBE_MAX_JSON_DEPTH/);
    assert.equal(await entity(t, 'herne', AQ + 'deep-1'), undefined);
  });

  test('[issue 13.15] a LoRaWAN uplink with a 10,000-level decoded payload answers 400, not 500 storage_error leaking "Maximum call stack size exceeded"', T, async () => {
    const ttn = JSON.parse(readFileSync(new URL('../fixtures/lorawan/ttn-v3-uplink.json', import.meta.url), 'utf8')) as { uplink_message: { decoded_payload: unknown } };
    const body = JSON.stringify(ttn).replace(/"decoded_payload":\{[^}]*\}/, `"decoded_payload":{"battery":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    assert.ok(body.length > 20_000, 'the fixture was rewritten');
    const r = await t.app.inject({ method: 'POST', url: '/iot/lorawan/ttn?k=lora-bench', headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(r.statusCode, 400, r.body);
    assert.doesNotMatch(r.body, /call stack|storage_error/i);
    assert.equal(JSON.parse(r.body).type, 'urn:drehscheibe:problem:ingest:invalid_value');
  });

  test('[issue 13.18] 1e999 in a measurement is refused with 400 invalid_value (mapped Number and unmapped attribute), not stored as null', T, async () => {
    for (const body of ['{"t":1e999}', '{"free":1e999}', '{"free":{"a":[-1e999]}}']) {
      const r = await measure(t, 'aq-key', 'inf-1', body);
      assert.equal(r.status, 400, `${body}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.type, 'urn:drehscheibe:problem:ingest:invalid_value', body);
    }
    const single = await t.app.inject({ method: 'POST', url: '/iot/json/attrs/free?k=aq-key&i=inf-1', headers: { 'content-type': 'text/plain' }, payload: '1e999' });
    assert.equal(single.statusCode, 400, single.body);
    assert.equal(await entity(t, 'herne', AQ + 'inf-1'), undefined);
  });

  test('[issue 13, Also] a wrong apikey on /iot/json answers 401 exactly like an unknown one (the answer does not reveal the device); metrics keep wrong_apikey', T, async () => {
    const before = (await metrics(t)).total.rejectedBy.wrong_apikey ?? 0;
    const wrong = await measure(t, 'aq-key', 'n-1', { t: 1 });
    const unknown = await measure(t, 'no-such-key', 'n-1', { t: 1 });
    const nobody = await measure(t, 'no-such-key', 'nobody', { t: 1 });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.deepEqual(unknown.body, nobody.body);
    assert.equal(wrong.body?.type, 'urn:drehscheibe:problem:ingest:unknown_apikey');
    assert.equal((await metrics(t)).total.rejectedBy.wrong_apikey, before + 2);
  });
});

describe('[issue 13.15] storage failures in the ingest answer without internals', () => {
  test('a failed write answers 500 storage-error with a generic detail (the cause is logged, not sent to the device)', T, async () => {
    const t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0' });
    try {
      await provision(t, 'herne', '/env', [AQ_GROUP]);
      assert.equal((await measure(t, 'aq-key', 'st-1', { t: 1 })).status, 200);
      await t.storage.close(); // every later write fails inside the storage
      const r = await measure(t, 'aq-key', 'st-1', { t: 2 });
      assert.equal(r.status, 500, JSON.stringify(r.body));
      assert.equal(r.body?.type, 'urn:drehscheibe:problem:ingest:storage_error');
      assert.equal(r.body?.detail, 'The measurement could not be written (storage error); it has been logged');
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
