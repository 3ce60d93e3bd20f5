// Live datasets: bound to an NGSI-LD query, their distributions are generated from the hub's data
// (current state as CSV and GeoJSON, history as CSV, the query URL), read as an anonymous client.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { loadCatalogStarter } from '../../src/catalog/index.ts';

const SDM = 'https://smartdatamodels.org/context.jsonld';
const LINK = `<${SDM}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
const herne = { 'content-type': 'application/json', link: LINK, 'ngsild-tenant': 'herne' };

async function seed(t: TestApp | AuthApp, headers: Record<string, string> = {}) {
  for (const [i, place] of [['1', [7.22, 51.54]], ['2', [7.17, 51.53]]] as const) {
    const id = `urn:ngsi-ld:AirQualityObserved:Herne-${i}`;
    const r = await t.app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: { ...herne, ...headers }, payload: {
      id, type: 'AirQualityObserved', no2: { type: 'Property', value: 20 + Number(i), observedAt: '2026-12-01T09:00:00Z' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: place } },
    } });
    assert.equal(r.statusCode, 201, r.body);
    for (const h of [10, 11]) {
      const u = await t.app.inject({ method: 'PATCH', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, headers: { ...herne, ...headers }, payload: {
        no2: { type: 'Property', value: h + Number(i), observedAt: `2026-12-01T${h}:00:00Z` },
      } });
      assert.equal(u.statusCode, 204, u.body);
    }
  }
}

describe('live datasets', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_PUBLIC_URL: 'https://daten.herne.example' });
    await loadStarter(t.app.drehscheibe.strategy);
    const n = await loadCatalogStarter(t.app.drehscheibe.catalog, await t.app.drehscheibe.strategy.projects());
    assert.equal(n, 6);
    await seed(t);
  });
  after(async () => { await t.close(); });

  test('the demo publishes every simulated sensor type under its project', async () => {
    const r = (await t.app.inject({ url: '/api/catalog/datasets?limit=50&sort=title' })).json();
    assert.equal(r.total, 6);
    const byId = Object.fromEntries(r.datasets.map((d: { id: string; projectSlug?: string; publisherId: string }) => [d.id, d]));
    assert.equal(byId['live-air-quality-observed'].projectSlug, 'umweltsensorik');
    assert.equal(byId['live-solar-energy'].projectSlug, 'solarbaenke');
    assert.equal(byId['live-solar-energy'].publisherId, 'stadtwerke-herne');
    assert.equal(byId['live-traffic-flow-observed'].projectSlug, 'smart-city-plattform');
    assert.deepEqual(byId['live-air-quality-observed'].distributions.map((d: { id: string }) => d.id), ['aktuell-csv', 'aktuell-geojson', 'verlauf-csv', 'ngsi-ld']);
  });

  test('current state as CSV and GeoJSON, with the data of the query only', async () => {
    const csv = await t.app.inject({ url: '/api/catalog/datasets/live-air-quality-observed/distributions/aktuell-csv/download' });
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'id,type,location,no2');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.startsWith('urn:ngsi-ld:AirQualityObserved:Herne-1,AirQualityObserved,') && l.endsWith(',12')));
    const geo = await t.app.inject({ url: '/api/catalog/datasets/live-air-quality-observed/distributions/aktuell-geojson/download' });
    assert.equal(geo.statusCode, 200);
    const fc = geo.json();
    assert.equal(fc.type, 'FeatureCollection');
    assert.equal(fc.features.length, 2);
    assert.deepEqual(fc.features.map((f: { geometry: { type: string } }) => f.geometry.type), ['Point', 'Point']);
    const none = await t.app.inject({ url: '/api/catalog/datasets/live-noise-level-observed/distributions/aktuell-csv/download' });
    assert.equal(none.statusCode, 200);
    assert.equal(none.body, 'id,type\r\n');
  });

  test('history of a period as CSV', async () => {
    const r = await t.app.inject({ url: '/api/catalog/datasets/live-air-quality-observed/distributions/verlauf-csv/download?from=2026-12-01T09:30:00Z&to=2026-12-02T00:00:00Z' });
    assert.equal(r.statusCode, 200, r.body);
    const lines = r.body.trim().split('\r\n');
    assert.equal(lines[0], 'entityId,attribute,observedAt,value,unitCode,datasetId');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(',')).sort(), [
      'urn:ngsi-ld:AirQualityObserved:Herne-1,no2,2026-12-01T10:00:00.000Z,11',
      'urn:ngsi-ld:AirQualityObserved:Herne-1,no2,2026-12-01T11:00:00.000Z,12',
      'urn:ngsi-ld:AirQualityObserved:Herne-2,no2,2026-12-01T10:00:00.000Z,12',
      'urn:ngsi-ld:AirQualityObserved:Herne-2,no2,2026-12-01T11:00:00.000Z,13',
    ]);
    const bad = await t.app.inject({ url: '/api/catalog/datasets/live-air-quality-observed/distributions/verlauf-csv/download?from=gestern' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'from');
  });

  test('the NGSI-LD distribution is the query URL', async () => {
    const r = await t.app.inject({ url: '/api/catalog/datasets/live-air-quality-observed/distributions/ngsi-ld/download' });
    assert.equal(r.body.trim(), 'https://daten.herne.example/ngsi-ld/v1/entities?type=AirQualityObserved');
  });

  test('a live query that is invalid is refused naming the part; nothing is created', async () => {
    const base = { id: 'kaputt', title: { de: 'Kaputt' }, description: { de: 'x' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0' };
    const q = await t.app.inject({ method: 'POST', url: '/api/catalog/datasets', headers: { 'content-type': 'application/json' }, payload: { ...base, live: { tenant: 'herne', type: 'AirQualityObserved', q: 'no2>>>' } } });
    assert.equal(q.statusCode, 400, q.body);
    assert.equal(q.json().errors[0].field, 'live.q');
    const g = await t.app.inject({ method: 'POST', url: '/api/catalog/datasets', headers: { 'content-type': 'application/json' }, payload: { ...base, live: { tenant: 'herne', type: 'AirQualityObserved', geo: { georel: 'near;maxDistance==10', geometry: 'Point', coordinates: '[7.2' } } } });
    assert.equal(g.statusCode, 400, g.body);
    assert.equal(g.json().errors[0].field, 'live.geo');
    const d = await t.app.inject({ method: 'POST', url: '/api/catalog/datasets', headers: { 'content-type': 'application/json' }, payload: { ...base, live: { tenant: 'herne', type: 'AirQualityObserved' }, distributions: [{ id: 'x', kind: 'link', accessUrl: 'https://e.org', format: 'CSV', mediaType: 'text/csv' }] } });
    assert.equal(d.statusCode, 400);
    assert.equal(d.json().errors[0].field, 'distributions');
    assert.equal((await t.app.inject({ url: '/api/catalog/datasets/kaputt' })).statusCode, 404);
  });

  test('modified follows the data', async () => {
    const ds = await t.app.drehscheibe.catalog.dataset('live-air-quality-observed');
    const m = await t.app.drehscheibe.catalog.freshModified(ds);
    assert.ok(m >= ds.modified);
    assert.notEqual(m, ds.modified, 'the entities changed after the dataset was created');
  });
});

describe('live datasets and access control', () => {
  let a: AuthApp;
  before(async () => {
    // Tenant "geheim" is readable by its stewards only; air quality in the default policy is open.
    a = await authApp({ tenants: { geheim: { read: ['steward@geheim'], write: ['steward@geheim'] } } });
    await loadStarter(a.app.drehscheibe.strategy);
  });
  after(async () => { await a.close(); });

  test('a live dataset whose query is not readable anonymously cannot be published', async () => {
    const key = await a.key({ name: 'g', roles: ['steward'], tenants: ['geheim', ''] });
    const h = { 'content-type': 'application/json', 'x-api-key': key };
    const body = { id: 'geheim', title: { de: 'Geheim' }, description: { de: 'x' }, publisherId: 'stadt-herne', licence: 'dl-by-de/2.0', live: { tenant: 'geheim', type: 'AirQualityObserved' } };
    const c = await a.app.inject({ method: 'POST', url: '/api/catalog/datasets', headers: h, payload: body });
    assert.equal(c.statusCode, 201, c.body);
    const p = await a.app.inject({ method: 'POST', url: '/api/catalog/datasets/geheim/publish', headers: h });
    assert.equal(p.statusCode, 400);
    assert.equal(p.json().errors[0].field, 'live');
    assert.match(p.json().detail, /not readable anonymously/);
    assert.equal((await a.app.inject({ url: '/api/catalog/datasets/geheim' })).statusCode, 404);
  });
});
