// The pages are public: they show the city's live data only as far as the access policy lets an
// anonymous reader read it (docs/security.md), never more than the API would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authApp } from '../auth/auth-support.ts';

async function withData(policy: unknown, check: (home: string, live: string) => void): Promise<void> {
  const a = await authApp(policy);
  try {
    const headers = { 'content-type': 'application/json', 'ngsild-tenant': 'herne', 'x-api-key': a.operatorKey };
    for (const [id, type] of [['urn:ngsi-ld:AirQualityObserved:1', 'AirQualityObserved'], ['urn:ngsi-ld:SolarEnergy:1', 'SolarEnergy']]) {
      const r = await a.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers, payload: { id, type, name: { type: 'Property', value: `${type} eins` } } });
      assert.equal(r.statusCode, 201, r.body);
    }
    const home = (await a.app.inject({ url: '/' })).body;
    const live = (await a.app.inject({ url: '/daten/live' })).body;
    check(home, live);
  } finally {
    await a.close();
  }
}

test('with the default policy (public reads) the pages show every type of the city tenant', async () => {
  await withData({}, (home, live) => {
    assert.match(home, /\(AirQualityObserved\)/);
    assert.match(home, /\(SolarEnergy\)/);
    assert.match(live, /AirQualityObserved eins/);
  });
});

test('a tenant closed to anonymous readers shows no live data on the pages', async () => {
  await withData({ tenants: { herne: { read: ['steward'] } } }, (home, live) => {
    assert.doesNotMatch(home, /AirQualityObserved|SolarEnergy/);
    assert.match(home, /Zurzeit sind keine Live-Daten vorhanden/);
    assert.doesNotMatch(live, /eins/);
  });
});

test('an entity type closed to anonymous readers is left out; the other types are shown', async () => {
  await withData({ tenants: { herne: { types: { AirQualityObserved: { read: ['steward'] } } } } }, (home, live) => {
    assert.doesNotMatch(home, /AirQualityObserved/);
    assert.match(home, /\(SolarEnergy\)/);
    assert.doesNotMatch(live, /AirQualityObserved eins/);
    assert.match(live, /SolarEnergy eins/);
  });
});
