// Ingest configuration: defaults, and every invalid value reported at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';

test('ingest defaults: autoprovisioning on, 10 msg/s per device, 64 KiB payloads, anonymous MQTT off', () => {
  const c = loadConfig({});
  assert.deepEqual(
    [c.ingest.autoprovision, c.ingest.deviceRate, c.ingest.deviceBurst, c.ingest.maxPayload, c.ingest.mqttAnonymous, c.ingest.mqttShareGroup, c.mqttPort, c.demo, c.demoIntervalS],
    [true, 10, 20, 65536, false, 'drehscheibe', 1883, 'auto', 5],
  );
});

test('invalid ingest settings are listed together', () => {
  assert.throws(() => loadConfig({
    DREHSCHEIBE_INGEST_DEVICE_RATE: 'fast', DREHSCHEIBE_INGEST_AUTOPROVISION: 'maybe', DREHSCHEIBE_MQTT_TLS_CERT: '/x.pem',
    DREHSCHEIBE_MQTT_SHARE_GROUP: 'a/b', MQTT_URL: 'tcp://broker',
  }), (e: Error) => {
    for (const name of ['DREHSCHEIBE_INGEST_DEVICE_RATE', 'DREHSCHEIBE_INGEST_AUTOPROVISION', 'DREHSCHEIBE_MQTT_TLS_KEY', 'DREHSCHEIBE_MQTT_SHARE_GROUP', 'MQTT_URL']) assert.match(e.message, new RegExp(name));
    return true;
  });
});
