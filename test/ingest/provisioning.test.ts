// The IoT Agent provisioning API: service groups and devices with IoT Agent bodies, paths and headers.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { testApp, type TestApp } from '../support/app.ts';
import { AQ_GROUP, entity, provision, svc } from './support.ts';

describe('ingest provisioning API (/iot/services, /iot/devices)', () => {
  let t: TestApp;
  before(async () => { t = await testApp(); });
  after(async () => { await t.close(); });

  test('a service group is created (201) and listed with count under its fiware-service and path', async () => {
    await provision(t, 'herne', '/environment', [AQ_GROUP]);
    const r = await t.app.inject({ method: 'GET', url: '/iot/services', headers: svc('herne', '/environment') });
    assert.equal(r.statusCode, 200);
    const body = JSON.parse(r.body);
    assert.equal(body.count, 1);
    assert.equal(body.services[0].apikey, 'aq-key');
    assert.equal(body.services[0].entity_type, 'AirQualityObserved');
    assert.equal(body.services[0].subservice, '/environment');
    const other = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/services', headers: svc('bochum', '/environment') })).body);
    assert.equal(other.count, 0);
  });

  test('a duplicate apikey/resource is refused with 409 and the IoT Agent error name', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/services', headers: svc('other', '/'), payload: { services: [AQ_GROUP] } });
    assert.equal(r.statusCode, 409);
    assert.equal(JSON.parse(r.body).name, 'DUPLICATE_ENTRY');
  });

  test('an invalid body is a 400 that names the field, and nothing is stored', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/iot/services', headers: svc('herne', '/x'), payload: { services: [{ apikey: 'ok-1' }, { entity_type: 'X' }] } });
    assert.equal(r.statusCode, 400);
    assert.match(JSON.parse(r.body).detail, /services\[1\]\.apikey is required/);
    const list = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/services', headers: svc('herne', '/x') })).body);
    assert.equal(list.count, 0);
  });

  test('provisioning a device creates its entity (urn:ngsi-ld:<type>:<device_id>) with static attributes', async () => {
    await provision(t, 'herne', '/environment', [], [{ device_id: 'aq-01', entity_type: 'AirQualityObserved', static_attributes: [{ name: 'location', type: 'geo:json', value: { type: 'Point', coordinates: [7.22, 51.54] } }] }]);
    const e = await entity(t, 'herne', 'urn:ngsi-ld:AirQualityObserved:aq-01');
    assert.ok(e, 'entity exists after provisioning');
    assert.deepEqual((e.location as { value: unknown }).value, { type: 'Point', coordinates: [7.22, 51.54] });
    assert.equal((e.dataProvider as { value: unknown }).value, 'test', 'the group static attribute is there too');
  });

  test('entity_name names the entity; a short name gets the urn:ngsi-ld:<type>: prefix', async () => {
    await provision(t, 'herne', '/environment', [], [{ device_id: 'aq-02', entity_name: 'urn:ngsi-ld:AirQualityObserved:Herne-Mitte', entity_type: 'AirQualityObserved' }, { device_id: 'aq-03', entity_name: 'Wanne', entity_type: 'AirQualityObserved' }]);
    assert.ok(await entity(t, 'herne', 'urn:ngsi-ld:AirQualityObserved:Herne-Mitte'));
    assert.ok(await entity(t, 'herne', 'urn:ngsi-ld:AirQualityObserved:Wanne'));
  });

  test('GET /iot/devices lists with count and paging; GET /iot/devices/:id shows the device and its ingest counters', async () => {
    const r = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/devices?limit=2&offset=1', headers: svc('herne', '/environment') })).body);
    assert.equal(r.count, 3);
    assert.deepEqual(r.devices.map((d: { device_id: string }) => d.device_id), ['aq-02', 'aq-03']);
    const d = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/devices/aq-01', headers: svc('herne', '/environment') })).body);
    assert.equal(d.entity_name, 'urn:ngsi-ld:AirQualityObserved:aq-01');
    assert.equal(d.service, 'herne');
    assert.deepEqual({ received: d.ingest.received, silent: d.ingest.silent }, { received: 0, silent: false });
  });

  test('a duplicate device id in the same service and path is 409; the same id in another path is fine', async () => {
    const dup = await t.app.inject({ method: 'POST', url: '/iot/devices', headers: svc('herne', '/environment'), payload: { devices: [{ device_id: 'aq-01' }] } });
    assert.equal(dup.statusCode, 409);
    await provision(t, 'herne', '/mobility', [], [{ device_id: 'aq-01', entity_type: 'TrafficFlowObserved' }]);
  });

  test('PUT changes a device (entity_type, attributes) and DELETE removes it (404 afterwards)', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/iot/devices/aq-03', headers: svc('herne', '/environment'), payload: { attributes: [{ object_id: 'p', name: 'PM10', type: 'Number' }] } });
    assert.equal(put.statusCode, 204);
    const d = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/devices/aq-03', headers: svc('herne', '/environment') })).body);
    assert.deepEqual(d.attributes, [{ object_id: 'p', name: 'PM10', type: 'Number' }]);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/iot/devices/aq-03', headers: svc('herne', '/environment') })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/iot/devices/aq-03', headers: svc('herne', '/environment') })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/iot/devices/aq-03', headers: svc('herne', '/environment') })).statusCode, 404);
  });

  test('PUT /iot/services changes a group; DELETE removes it; both need apikey', async () => {
    await provision(t, 'herne', '/noise', [{ apikey: 'noise-key', entity_type: 'NoiseLevelObserved' }]);
    assert.equal((await t.app.inject({ method: 'PUT', url: '/iot/services?apikey=noise-key&resource=/iot/json', headers: svc('herne', '/noise'), payload: { explicitAttrs: true } })).statusCode, 204);
    const g = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/services?apikey=noise-key', headers: svc('herne', '/noise') })).body);
    assert.equal(g.services[0].explicitAttrs, true);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/iot/services', headers: svc('herne', '/noise') })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/iot/services?apikey=noise-key&resource=/iot/json', headers: svc('herne', '/noise') })).statusCode, 204);
    assert.equal(JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/services', headers: svc('herne', '/noise') })).body).count, 0);
  });

  test('MQTT credentials are stored hashed: GET never shows a password', async () => {
    await provision(t, 'herne', '/wifi', [{ apikey: 'wifi-key', entity_type: 'WifiAccessPoint', mqtt: { username: 'wifi', password: 'secret-password-1' } }]);
    const text = (await t.app.inject({ method: 'GET', url: '/iot/services', headers: svc('herne', '/wifi') })).body;
    assert.doesNotMatch(text, /secret-password-1|passwordHash|scrypt/);
    assert.equal(JSON.parse(text).services[0].mqtt.username, 'wifi');
  });

});

test('the registry survives a restart (groups and devices are read back from storage)', async () => {
  const t = await testApp();
  await provision(t, 'herne', '/environment', [AQ_GROUP], [{ device_id: 'aq-01' }]);
  await t.app.close();
  await t.storage.close();
  const { SqliteStorage } = await import('../../src/storage/sqlite/sqlite.adapter.ts');
  const { buildApp } = await import('../../src/app.ts');
  const { loadConfig } = await import('../../src/config/config.ts');
  const storage = SqliteStorage.inDataDir(t.dir);
  const app2 = await buildApp(loadConfig({ DREHSCHEIBE_DATA_DIR: t.dir, DREHSCHEIBE_AUTH: 'off', DREHSCHEIBE_CONTEXT_REMOTE: 'off' }), { storage });
  try {
    const d = await app2.inject({ method: 'GET', url: '/iot/devices/aq-01', headers: svc('herne', '/environment') });
    assert.equal(d.statusCode, 200);
    const m = await app2.inject({ method: 'POST', url: '/iot/json?k=aq-key&i=aq-01', headers: { 'content-type': 'application/json' }, payload: '{"t": 3}' });
    assert.equal(m.statusCode, 200);
    const e = await app2.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-01', headers: { 'ngsild-tenant': 'herne' } });
    assert.equal(JSON.parse(e.body).temperature.value, 3);
  } finally {
    await app2.close();
    await storage.close();
    rmSync(t.dir, { recursive: true, force: true });
  }
});
