// Ingest from an external broker: the real Mosquitto at 127.0.0.1:1883, MQTT 5 shared subscriptions
// ($share/drehscheibe/...), so that two nodes split one measurement stream. Each test run uses its own
// topic prefix and apikeys. Skipped, saying so, when Mosquitto is not listening.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { testApp, type TestApp } from '../support/app.ts';
import { AQ_GROUP, entity, metrics, provision } from './support.ts';
import { reachable } from '../../src/ngsi-ld/subscriptions/test-support.ts';

const up = await reachable('127.0.0.1', 1883);
const skip = up ? false : 'Mosquitto is not listening at 127.0.0.1:1883 (apt-get install mosquitto; .ci/run starts it): external-broker ingest not tested';
const prefix = `ds-ingest-test-${process.pid}-${Date.now()}`;
const apikey = `ext-${process.pid}`;

describe('external MQTT broker (Mosquitto, shared subscriptions)', { skip }, () => {
  let a: TestApp;
  let b: TestApp;
  let dev: MqttClient;
  before(async () => {
    const env = { MQTT_URL: 'mqtt://127.0.0.1:1883', DREHSCHEIBE_INGEST_DEVICE_RATE: '0' };
    a = await testApp(env);
    b = await testApp(env);
    for (const t of [a, b]) {
      await provision(t, 'herne', '/env', [{ ...AQ_GROUP, apikey }]);
      await t.app.drehscheibe.ingest.startMqtt({ topicPrefix: prefix });
    }
    dev = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, reconnectPeriod: 0 });
  });
  after(async () => {
    await dev?.endAsync(true);
    await a?.close();
    await b?.close();
  });

  test('a measurement published to Mosquitto reaches exactly one node and updates its entity', async () => {
    await dev.publishAsync(`${prefix}/${apikey}/ext-1/attrs`, JSON.stringify({ t: 12.5 }), { qos: 1 });
    let found: Record<string, unknown> | undefined;
    for (let i = 0; i < 250 && !found; i++) {
      await new Promise((r) => setTimeout(r, 20));
      found = (await entity(a, 'herne', 'urn:ngsi-ld:AirQualityObserved:ext-1')) ?? (await entity(b, 'herne', 'urn:ngsi-ld:AirQualityObserved:ext-1'));
    }
    assert.equal((found?.temperature as { value: number }).value, 12.5);
    const total = (await metrics(a)).total.accepted + (await metrics(b)).total.accepted;
    assert.equal(total, 1, 'shared subscription: delivered to one node only');
  });

  test('two nodes split a stream of 200 messages between them, losing none', async () => {
    for (let i = 0; i < 200; i++) await dev.publishAsync(`${prefix}/${apikey}/split-${i % 20}/attrs`, JSON.stringify({ t: i }), { qos: 1 });
    let ma = 0; let mb = 0;
    for (let i = 0; i < 300; i++) {
      ma = (await metrics(a)).total.accepted; mb = (await metrics(b)).total.accepted;
      if (ma + mb >= 201) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(ma + mb, 201);
    assert.ok(ma > 0 && mb > 0, `both nodes took part (a=${ma}, b=${mb})`);
  });
});
