// Demo-like sensor data in the tenant "herne" for the KPI tests, written through the NGSI-LD API
// (entities with the Smart Data Models @context; history back-filled through the temporal API).
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';

export const SDM = 'https://smartdatamodels.org/context.jsonld';
const H = { 'content-type': 'application/ld+json', 'ngsild-tenant': 'herne' };
const point = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });

export async function upsert(app: App, entities: Array<Record<string, unknown>>, key?: string): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/upsert', headers: { ...H, ...(key ? { 'x-api-key': key } : {}) }, payload: entities.map((e) => ({ ...e, '@context': SDM })) });
  assert.ok(r.statusCode === 201 || r.statusCode === 204, `upsert: ${r.statusCode} ${r.body}`);
}

/** 4 access points (3 up), 3 air-quality stations (NO₂ 20, 35, 52), 2 solar benches with a December history. */
export async function seedHerne(app: App, key?: string): Promise<void> {
  const ap = (id: string, state: string, lon: number) => ({ id: `urn:ngsi-ld:AccessPoint:${id}`, type: 'AccessPoint', name: { type: 'Property', value: `WLAN ${id}` }, apState: { type: 'Property', value: state }, location: point(lon, 51.53) });
  const aq = (id: string, no2: number, lon: number) => ({
    id: `urn:ngsi-ld:AirQualityObserved:${id}`, type: 'AirQualityObserved', name: { type: 'Property', value: `Luftmessstation ${id}` },
    no2: { type: 'Property', value: no2, unitCode: 'GQ', observedAt: '2026-12-05T09:00:00Z' }, pm10: { type: 'Property', value: 55, unitCode: 'GQ', observedAt: '2026-12-05T09:00:00Z' }, location: point(lon, 51.54),
  });
  const bench = (id: string, lon: number) => ({ id: `urn:ngsi-ld:SolarEnergy:${id}`, type: 'SolarEnergy', name: { type: 'Property', value: `Solarbank ${id}` }, location: point(lon, 51.538) });
  await upsert(app, [ap('a', 'up', 7.21), ap('b', 'up', 7.22), ap('c', 'down', 7.23), ap('d', 'up', 7.24), aq('mitte', 20, 7.21), aq('wanne', 35, 7.16), aq('bahnhof', 52, 7.22), bench('eins', 7.21), bench('zwei', 7.22)], key);
  // Meter readings (cumulative kWh): one in November, then December.
  const history: Record<string, Array<[string, number]>> = {
    eins: [['2026-11-30T12:00:00Z', 90], ['2026-12-01T10:00:00Z', 100], ['2026-12-03T10:00:00Z', 104.5], ['2026-12-05T09:00:00Z', 110]],
    zwei: [['2026-12-02T10:00:00Z', 200], ['2026-12-05T09:30:00Z', 203]],
  };
  for (const [id, rows] of Object.entries(history)) {
    const r = await app.inject({
      method: 'POST', url: `/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:SolarEnergy:${id}/attrs`, headers: { ...H, ...(key ? { 'x-api-key': key } : {}) },
      payload: { '@context': SDM, totalEnergyGenerated: rows.map(([t, v]) => ({ type: 'Property', value: v, observedAt: t, unitCode: 'KWH' })) },
    });
    assert.equal(r.statusCode, 204, `temporal append: ${r.body}`);
  }
}

export const wifiKpi = (extra: Record<string, unknown> = {}) => ({
  id: 'wlan-online', name: { de: 'WLAN-Zugangspunkte in Betrieb', en: 'WiFi access points online' }, project: 'wlan-innenstaedte', published: true,
  selection: { tenant: 'herne', type: 'AccessPoint', q: 'apState=="up"' }, value: {}, reduction: { kind: 'count' }, ...extra,
});
export const energyKpi = (extra: Record<string, unknown> = {}) => ({
  id: 'solar-energie', name: { de: 'Energie der Solarbänke in diesem Monat', en: 'Solar energy this month' }, unit: 'kWh', project: 'solarbaenke', published: true,
  selection: { tenant: 'herne', type: 'SolarEnergy' }, value: { attr: 'totalEnergyGenerated', aggregation: { method: 'increase', period: 'month' } }, reduction: { kind: 'sum' }, ...extra,
});
export const no2Kpi = (extra: Record<string, unknown> = {}) => ({
  id: 'no2-unter-grenzwert', name: { de: 'Stationen unter dem NO₂-Grenzwert', en: 'Stations below the NO₂ limit' }, unit: '%', project: 'umweltsensorik', published: true,
  selection: { tenant: 'herne', type: 'AirQualityObserved' }, value: {}, reduction: { kind: 'share', q: 'no2<40' }, ...extra,
});
