// The KPI scheduler with the real stores: values computed from live data and history (through the
// entity and temporal services), written as KeyPerformanceIndicator entities whose history the
// temporal API returns; a failed evaluation keeps the last good value and says it is unavailable.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../support/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { kpiUnitCode, kpiUnitSymbol, loadStarter, periodStart } from '../../src/strategy/index.ts';
import { energyKpi, no2Kpi, SDM, seedHerne, upsert, wifiKpi } from './kpi-support.ts';

const LINK = `<${SDM}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;

describe('KPI periods begin at local midnight in the city\'s time zone', () => {
  test('day, week (Monday), month, year and last N hours, in winter and summer time', () => {
    const now = Date.parse('2026-12-05T10:00:00Z'); // a Saturday
    const iso = (t: number) => new Date(t).toISOString();
    assert.equal(iso(periodStart('day', now, 'Europe/Berlin')), '2026-12-04T23:00:00.000Z');
    assert.equal(iso(periodStart('week', now, 'Europe/Berlin')), '2026-11-29T23:00:00.000Z');
    assert.equal(iso(periodStart('month', now, 'Europe/Berlin')), '2026-11-30T23:00:00.000Z');
    assert.equal(iso(periodStart('year', now, 'Europe/Berlin')), '2025-12-31T23:00:00.000Z');
    assert.equal(iso(periodStart('hours', now, 'Europe/Berlin', 24)), '2026-12-04T10:00:00.000Z');
    assert.equal(iso(periodStart('day', Date.parse('2026-07-15T10:00:00Z'), 'Europe/Berlin')), '2026-07-14T22:00:00.000Z');
    // Just after local midnight, which is still the previous day in UTC.
    assert.equal(iso(periodStart('day', Date.parse('2026-12-04T23:30:00Z'), 'Europe/Berlin')), '2026-12-04T23:00:00.000Z');
  });
});

describe('a KPI\'s unit and its UN/CEFACT code', () => {
  test('symbols, codes and other spellings map to the code; a unit without one stays text', () => {
    assert.equal(kpiUnitCode('kWh'), 'KWH');
    assert.equal(kpiUnitCode('KWH'), 'KWH');
    assert.equal(kpiUnitCode('%'), 'P1');
    assert.equal(kpiUnitCode(''), 'C62');
    assert.equal(kpiUnitCode('µg/m³'), 'GQ');
    assert.equal(kpiUnitCode(' dB '), '2N');
    assert.equal(kpiUnitCode('Bänke'), undefined);
    assert.equal(kpiUnitSymbol('KWH'), 'kWh');
    assert.equal(kpiUnitSymbol('GQ'), 'µg/m³');
    assert.equal(kpiUnitSymbol('Bänke'), 'Bänke');
  });
});

describe('KPI scheduler', () => {
  let t: TestApp;
  const clock = fixedClock('2026-12-05T10:00:00Z');
  const kpiEntity = (id: string) => `urn:ngsi-ld:KeyPerformanceIndicator:drehscheibe-${id}`;
  before(async () => {
    t = await testApp({ DREHSCHEIBE_KPI_INTERVAL: '0' }, { clock });
    await loadStarter(t.app.drehscheibe.strategy);
    await seedHerne(t.app);
    const k = t.app.drehscheibe.kpis.service;
    await k.create(wifiKpi());
    await k.create(energyKpi());
    await k.create(no2Kpi());
    await k.create(wifiKpi({ id: 'intern', published: false }));
  });
  after(async () => { await t.close(); });

  test('one run computes count, sum of monthly increases and share from live data and history', async () => {
    await t.app.drehscheibe.kpis.scheduler.runOnce();
    const k = t.app.drehscheibe.kpis.service;
    assert.deepEqual(await k.state('wlan-online'), { id: 'wlan-online', status: 'ok', value: 3, at: '2026-12-05T10:00:00.000Z', entities: 3, attemptedAt: '2026-12-05T10:00:00.000Z' });
    // December only (the month begins 2026-12-01 00:00 in Berlin): bench one 110 − 100, bench two 203 − 200.
    assert.equal((await k.state('solar-energie'))?.value, 13);
    assert.equal((await k.state('solar-energie'))?.entities, 2);
    // NO₂ 20 and 35 of 20, 35, 52 are below 40.
    assert.equal((await k.state('no2-unter-grenzwert'))?.value, 66.7);
    assert.equal((await k.state('intern'))?.value, 3);
  });

  test('a published KPI is a KeyPerformanceIndicator entity in the city\'s tenant; an unpublished one is not', async () => {
    const r = await t.app.inject({ url: `/ngsi-ld/v1/entities/${kpiEntity('solar-energie')}`, headers: { 'ngsild-tenant': 'herne', link: LINK, accept: 'application/json' } });
    assert.equal(r.statusCode, 200, r.body);
    const e = r.json();
    assert.equal(e.type, 'KeyPerformanceIndicator');
    assert.equal(e.kpiValue.value, 13);
    assert.equal(e.kpiValue.observedAt, '2026-12-05T10:00:00.000Z');
    // The unit as its UN/CEFACT code (the Smart Data Models' and NGSI-LD's unitCode): kWh → KWH, % → P1, a count → C62.
    assert.equal(e.kpiValue.unitCode, 'KWH');
    const unitOf = async (id: string) => (await t.app.inject({ url: `/ngsi-ld/v1/entities/${kpiEntity(id)}`, headers: { 'ngsild-tenant': 'herne', link: LINK, accept: 'application/json' } })).json().kpiValue.unitCode;
    assert.equal(await unitOf('no2-unter-grenzwert'), 'P1');
    assert.equal(await unitOf('wlan-online'), 'C62');
    assert.equal(e.name.value, 'Energie der Solarbänke in diesem Monat');
    assert.deepEqual(e.calculationPeriod.value, { from: '2026-11-30T23:00:00.000Z', to: '2026-12-05T10:00:00.000Z' });
    assert.equal((await t.app.inject({ url: `/ngsi-ld/v1/entities/${kpiEntity('intern')}`, headers: { 'ngsild-tenant': 'herne' } })).statusCode, 404);
  });

  test('each run adds to the KPI\'s history in the temporal API', async () => {
    clock.advance(3_600_000);
    await upsert(t.app, [{ id: 'urn:ngsi-ld:AccessPoint:c', type: 'AccessPoint', apState: { type: 'Property', value: 'up' } }]);
    await t.app.drehscheibe.kpis.scheduler.runOnce();
    const r = await t.app.inject({ url: `/ngsi-ld/v1/temporal/entities/${kpiEntity('wlan-online')}?attrs=kpiValue&options=temporalValues`, headers: { 'ngsild-tenant': 'herne', link: LINK, accept: 'application/json' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().kpiValue.values, [[3, '2026-12-05T10:00:00.000Z'], [4, '2026-12-05T11:00:00.000Z']]);
  });

  test('a failed evaluation keeps the last good value and its time, marks it unavailable and writes no number', async () => {
    clock.advance(3_600_000);
    // The benches disappear: there is no value to sum, so no number may be reported.
    for (const id of ['eins', 'zwei']) {
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/urn:ngsi-ld:SolarEnergy:${id}`, headers: { 'ngsild-tenant': 'herne' } })).statusCode, 204);
    }
    await t.app.drehscheibe.kpis.scheduler.runOnce();
    const s = await t.app.drehscheibe.kpis.service.state('solar-energie');
    assert.equal(s?.status, 'unavailable');
    assert.equal(s?.value, 13);
    assert.equal(s?.at, '2026-12-05T11:00:00.000Z');
    assert.equal(s?.attemptedAt, '2026-12-05T12:00:00.000Z');
    assert.match(s?.error ?? '', /no selected entity has a numeric history of totalEnergyGenerated/);
    const r = await t.app.inject({ url: `/ngsi-ld/v1/temporal/entities/${kpiEntity('solar-energie')}?attrs=kpiValue&options=temporalValues`, headers: { 'ngsild-tenant': 'herne', link: LINK, accept: 'application/json' } });
    assert.deepEqual(r.json().kpiValue.values.map((v: [number, string]) => v[1]), ['2026-12-05T10:00:00.000Z', '2026-12-05T11:00:00.000Z']);
    // The others still evaluate.
    assert.equal((await t.app.drehscheibe.kpis.service.state('wlan-online'))?.status, 'ok');
  });
});
