// The KPI API (/api/strategy/kpis): stewards define KPIs; the query is checked by the NGSI-LD parser
// (400 naming the wrong part); a KPI whose selection the public may not read cannot be published;
// the public sees published KPIs only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authApp, type AuthApp } from '../auth/auth-support.ts';
import { loadStarter } from '../../src/strategy/index.ts';
import { energyKpi, no2Kpi, seedHerne, wifiKpi } from './kpi-support.ts';

describe('KPI API', () => {
  let a: AuthApp;
  let steward: string;
  let citizen: string;
  before(async () => {
    // The utility's tenant is not public; herne is (the default: reads of tenants are open).
    a = await authApp({ tenants: { stadtwerke: { read: ['steward'], write: ['steward'] } } });
    await loadStarter(a.app.drehscheibe.strategy);
    steward = await a.key({ name: 'redaktion', roles: ['steward'] });
    citizen = await a.key({ name: 'buerger', roles: ['citizen'] });
    await seedHerne(a.app, a.operatorKey);
  });
  after(async () => { await a.close(); });
  const post = (payload: unknown, key?: string) => a.app.inject({ method: 'POST', url: '/api/strategy/kpis', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, payload: payload as object });

  test('a steward creates a valid KPI (201, Location); the public reads it with its entity id', async () => {
    const r = await post(wifiKpi(), steward);
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.headers.location, '/api/strategy/kpis/wlan-online');
    assert.deepEqual(r.json().selection, { tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"' });
    const g = await a.app.inject({ url: '/api/strategy/kpis/wlan-online' });
    assert.equal(g.statusCode, 200);
    assert.equal(g.json().entityId, 'urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-wlan-online');
    assert.deepEqual((await a.app.inject({ url: '/api/strategy/kpis' })).json().map((k: { id: string }) => k.id), ['wlan-online']);
  });

  test('anonymous and citizen writes are refused (401, 403)', async () => {
    assert.equal((await post(energyKpi())).statusCode, 401);
    const c = await post(energyKpi(), citizen);
    assert.equal(c.statusCode, 403);
    assert.match(String(c.headers['content-type']), /^application\/problem\+json/);
  });

  test('an invalid q is 400 naming selection.q and the parser\'s reason (position)', async () => {
    const r = await post(wifiKpi({ id: 'kaputt', selection: { tenant: 'herne', type: 'AccessPoint', q: 'apState="up"' } }), steward);
    assert.equal(r.statusCode, 400);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
    const body = r.json();
    assert.equal(body.errors[0].field, 'selection.q');
    assert.match(body.errors[0].message, /^selection\.q: Invalid q at position 8: '=' is not an operator/);
    assert.match(body.errors[0].de, /Die Abfrage \(q\) ist ungültig/);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/kaputt', headers: { 'x-api-key': steward } })).statusCode, 404);
  });

  test('an invalid share condition and geo-query name reduction.q and selection.geo', async () => {
    const r = await post(no2Kpi({ reduction: { kind: 'share', q: 'no2<<40' }, selection: { tenant: 'herne', type: 'AirQualityObserved', geo: { georel: 'near', geometry: 'Polygon', coordinates: '[1,2]' } } }), steward);
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field).sort(), ['reduction.q', 'selection.geo']);
  });

  test('sum without an attribute, an unknown reduction and a type expression are refused with their fields', async () => {
    const r = await post({ ...energyKpi({ id: 'x', value: {}, selection: { tenant: 'herne', type: 'A,B' } }), reduction: { kind: 'median' } }, steward);
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().errors.map((e: { field: string }) => e.field).sort(), ['reduction.kind', 'selection.type']);
    const s = await post(energyKpi({ id: 'y', value: {} }), steward);
    assert.deepEqual(s.json().errors.map((e: { field: string }) => e.field), ['value.attr']);
  });

  test('publishing a selection the public may not read is refused; unpublished it is stored and hidden from the public', async () => {
    const body = energyKpi({ id: 'stadtwerke-energie', selection: { tenant: 'stadtwerke', type: 'SolarEnergy' } });
    const r = await post(body, steward);
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().errors[0].field, 'published');
    assert.match(r.json().detail, /not readable anonymously/);
    const u = await post({ ...body, published: false }, steward);
    assert.equal(u.statusCode, 201, u.body);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/stadtwerke-energie' })).statusCode, 404);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/stadtwerke-energie', headers: { 'x-api-key': steward } })).statusCode, 200);
    assert.ok(!(await a.app.inject({ url: '/api/strategy/kpis' })).json().some((k: { id: string }) => k.id === 'stadtwerke-energie'));
    // And it cannot be published later either.
    const p = await a.app.inject({ method: 'PUT', url: '/api/strategy/kpis/stadtwerke-energie', headers: { 'content-type': 'application/json', 'x-api-key': steward }, payload: body });
    assert.equal(p.statusCode, 400);
  });

  test('an unknown project is refused; a duplicate id is 409', async () => {
    const r = await post(wifiKpi({ id: 'ohne-projekt', project: 'gibtsnicht' }), steward);
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().errors[0].field, 'project');
    assert.equal((await post(wifiKpi(), steward)).statusCode, 409);
  });

  test('a steward evaluates a KPI now and replaces and deletes it', async () => {
    const e = await a.app.inject({ method: 'POST', url: '/api/strategy/kpis/wlan-online/evaluate', headers: { 'x-api-key': steward } });
    assert.equal(e.statusCode, 200, e.body);
    assert.equal(e.json().status, 'ok');
    assert.equal(e.json().value, 3);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/wlan-online' })).json().state.value, 3);
    const put = await a.app.inject({ method: 'PUT', url: '/api/strategy/kpis/wlan-online', headers: { 'content-type': 'application/json', 'x-api-key': steward }, payload: wifiKpi({ unit: 'Stück' }) });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().unit, 'Stück');
    assert.equal((await a.app.inject({ method: 'DELETE', url: '/api/strategy/kpis/wlan-online', headers: { 'x-api-key': steward } })).statusCode, 204);
    assert.equal((await a.app.inject({ url: '/api/strategy/kpis/wlan-online' })).statusCode, 404);
    // Its KeyPerformanceIndicator entity went with it.
    assert.equal((await a.app.inject({ url: '/ngsi-ld/v1/entities/urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-wlan-online', headers: { 'ngsild-tenant': 'herne' } })).statusCode, 404);
  });
});
