// The demo simulator: the Herne fleet is provisioned through the registry, publishes over the embedded
// broker, every device's messages are accepted (no rejection), entities carry Smart Data Models types
// and are labelled as simulated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.ts';
import { freePort } from '../support/server.ts';
import { herneFleet, SIMULATED } from '../../src/ingest/simulator/herne.fleet.ts';

test('the fleet covers environment, noise, solar benches, WiFi, parking and traffic, each device in a group', () => {
  const f = herneFleet();
  const types = f.groups.map((g) => g.service.entity_type).sort();
  assert.deepEqual(types, ['AccessPoint', 'AirQualityObserved', 'NoiseLevelObserved', 'OffStreetParking', 'SolarEnergy', 'TrafficFlowObserved']);
  for (const d of f.devices) assert.ok(f.groups.some((g) => g.apikey === d.apikey && g.devices.some((x) => x.device_id === d.deviceId)), d.deviceId);
  const aq = f.devices.find((d) => d.deviceId.startsWith('luft-'))!.next(new Date('2026-11-26T07:00:00Z'));
  assert.ok(typeof aq.no2 === 'number' && aq.no2 > 0 && aq.no2 < 200, `NO2 ${aq.no2}`);
  assert.ok(typeof aq.h === 'number' && aq.h > 0 && aq.h < 1, `relative humidity ${aq.h} is a fraction`);
});

test('the demo provisions the fleet, publishes over the embedded broker and every device is written without rejection', async () => {
  const t = await testApp({ DREHSCHEIBE_INGEST_DEVICE_RATE: '0' });
  try {
    const port = await t.app.drehscheibe.ingest.startMqtt({ port: await freePort() });
    const sim = await t.app.drehscheibe.ingest.startDemo({ password: 'demo-password-1', intervalMs: 300, embeddedPort: port });
    const n = sim.devices.length;
    let m: { total: { accepted: number; rejected: number }; devices: Array<{ accepted: number }> } | undefined;
    for (let i = 0; i < 200; i++) {
      m = JSON.parse((await t.app.inject({ method: 'GET', url: '/iot/metrics' })).body);
      if (m!.devices.filter((d) => d.accepted > 0).length === n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(m!.devices.filter((d) => d.accepted > 0).length, n, 'every simulated device was heard');
    assert.equal(m!.total.rejected, 0);
    // The demo tenant's hosted @context (a short URL on this instance) names every term of the fleet.
    const link = `<http://127.0.0.1:1026/ngsi-ld/v1/jsonldContexts/herne>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:Herne-herne-mitte', headers: { 'ngsild-tenant': 'herne', link } });
    assert.equal(r.statusCode, 200);
    const e = JSON.parse(r.body);
    assert.equal(e.type, 'AirQualityObserved');
    assert.equal(e.dataProvider.value, SIMULATED);
    assert.equal(typeof e.no2.value, 'number');
    assert.equal(e.no2.unitCode, 'GQ');
    // Expanded with the Smart Data Models context: the full IRI without it.
    const plain = JSON.parse((await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:Herne-herne-mitte', headers: { 'ngsild-tenant': 'herne' } })).body);
    assert.ok(plain['https://smartdatamodels.org/dataModel.Environment/no2'], 'no2 is the Smart Data Models term');
    // A newcomer's query: with the Link header it finds the stations, without it (core @context) nothing.
    const q = (h: Record<string, string>) => t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=no2>0&limit=100', headers: { 'ngsild-tenant': 'herne', ...h } });
    assert.equal(JSON.parse((await q({ link })).body).length, 6);
    assert.equal(JSON.parse((await q({})).body).length, 0);
    for (const type of ['NoiseLevelObserved', 'SolarEnergy', 'AccessPoint', 'OffStreetParking', 'TrafficFlowObserved']) {
      const all = JSON.parse((await t.app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?type=${type}&options=keyValues&limit=100`, headers: { 'ngsild-tenant': 'herne', link } })).body) as Array<Record<string, unknown>>;
      assert.ok(all.length > 0, type);
      assert.ok(all.every((e) => Object.keys(e).every((k) => !k.includes('://'))), `every attribute of ${type} has a short name with the hosted @context: ${JSON.stringify(all[0])}`);
    }
  } finally {
    await t.close();
  }
});
