// The demo fleet: simulated Herne sensors (environment, noise, solar benches, WiFi access points,
// parking and traffic counters) as IoT Agent service groups and devices with Smart Data Models types
// and @contexts, plus plausible value generators (daily cycles, random walks). Every entity carries
// dataProvider/source attributes that say the data is simulated.
import { seededRandom } from '../../core/random.ts';

// One @context for the whole fleet (the general Smart Data Models context, preloaded), so that one Link
// header — or the hosted /ngsi-ld/v1/jsonldContexts/herne — names every type and attribute of the demo.
export const FLEET_CONTEXT = 'https://smartdatamodels.org/context.jsonld';
export const SIMULATED = 'Drehscheibe demo simulator (simulated data, not measured)';

/** Places in Herne (approximate, WGS 84) the simulated devices stand at. */
const PLACES: Array<{ id: string; name: string; lon: number; lat: number }> = [
  { id: 'herne-mitte', name: 'Herne-Mitte, Rathaus', lon: 7.2196, lat: 51.5380 },
  { id: 'bahnhofstrasse', name: 'Bahnhofstraße', lon: 7.2226, lat: 51.5415 },
  { id: 'wanne-hbf', name: 'Wanne-Eickel Hauptbahnhof', lon: 7.1656, lat: 51.5310 },
  { id: 'eickel', name: 'Eickel, Hauptstraße', lon: 7.1690, lat: 51.5200 },
  { id: 'sodingen', name: 'Sodingen, Mont-Cenis', lon: 7.2495, lat: 51.5455 },
  { id: 'holsterhausen', name: 'Holsterhausen', lon: 7.1790, lat: 51.5560 },
  { id: 'crange', name: 'Crange, Festplatz', lon: 7.1560, lat: 51.5490 },
  { id: 'boernig', name: 'Börnig', lon: 7.2480, lat: 51.5535 },
  { id: 'baukau', name: 'Baukau', lon: 7.2070, lat: 51.5530 },
  { id: 'roehlinghausen', name: 'Röhlinghausen', lon: 7.1600, lat: 51.5100 },
];

export interface SimDevice {
  apikey: string;
  deviceId: string;
  /** One message of measurements for time `now` (object_id → value). */
  next(now: Date): Record<string, number | string>;
}

export interface SimGroup {
  apikey: string;
  service: { [k: string]: unknown };
  devices: Array<Record<string, unknown>>;
}

const rng = seededRandom;
const hour = (d: Date) => d.getUTCHours() + 1 + d.getUTCMinutes() / 60; // Herne: UTC+1 in winter (good enough for a demo)
/** Two rush-hour peaks (8 and 17 h) on a base of 0..1. */
const rush = (h: number) => Math.max(Math.exp(-((h - 8) ** 2) / 3), Math.exp(-((h - 17) ** 2) / 4));
const daylight = (h: number) => Math.max(0, Math.sin(((h - 7.5) / 9) * Math.PI));
const round = (x: number, d = 1) => Number(x.toFixed(d));

function statics(p: { id: string; name: string; lon: number; lat: number }, what: string): Array<Record<string, unknown>> {
  return [
    { name: 'name', type: 'Text', value: `${what} ${p.name}` },
    { name: 'location', type: 'geo:json', value: { type: 'Point', coordinates: [p.lon, p.lat] } },
    { name: 'dataProvider', type: 'Text', value: SIMULATED },
    { name: 'source', type: 'Text', value: 'urn:drehscheibe:simulator' },
  ];
}
const unit = (u: string) => ({ unitCode: { type: 'Text', value: u } });

export function herneFleet(prefix = 'herne-sim'): { groups: SimGroup[]; devices: SimDevice[] } {
  const groups: SimGroup[] = [];
  const devices: SimDevice[] = [];
  const add = (g: SimGroup, sims: SimDevice[]) => { groups.push(g); devices.push(...sims); };

  // Environmental sensors: NO2, PM10, PM2.5, temperature, relative humidity (AirQualityObserved).
  const aqKey = `${prefix}-umwelt`;
  add({
    apikey: aqKey,
    service: { apikey: aqKey, entity_type: 'AirQualityObserved', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'no2', name: 'no2', type: 'Number', metadata: unit('GQ') },
      { object_id: 'pm10', name: 'pm10', type: 'Number', metadata: unit('GQ') },
      { object_id: 'pm25', name: 'pm25', type: 'Number', metadata: unit('GQ') },
      { object_id: 't', name: 'temperature', type: 'Number', metadata: unit('CEL') },
      { object_id: 'h', name: 'relativeHumidity', type: 'Number', metadata: unit('C62') },
    ] },
    devices: PLACES.slice(0, 6).map((p) => ({ device_id: `luft-${p.id}`, apikey: aqKey, entity_name: `urn:ngsi-ld:AirQualityObserved:Herne-${p.id}`, entity_type: 'AirQualityObserved', static_attributes: statics(p, 'Luftmessstation') })),
  }, PLACES.slice(0, 6).map((p, i) => {
    const r = rng(100 + i);
    let drift = 0;
    return { apikey: aqKey, deviceId: `luft-${p.id}`, next(now) {
      const h = hour(now);
      drift = Math.max(-8, Math.min(8, drift + (r() - 0.5) * 1.5));
      const no2 = 14 + 38 * rush(h) + drift + (p.id === 'wanne-hbf' || p.id === 'bahnhofstrasse' ? 9 : 0);
      const pm10 = 12 + 14 * rush(h) + drift / 2 + r() * 3;
      return { no2: round(Math.max(2, no2)), pm10: round(Math.max(2, pm10)), pm25: round(Math.max(1, pm10 * (0.55 + r() * 0.1))),
        t: round(4.5 + 4 * daylight(h) + (r() - 0.5)), h: round(Math.min(0.99, 0.88 - 0.2 * daylight(h) + (r() - 0.5) * 0.04), 2) };
    } };
  }));

  // Noise (NoiseLevelObserved): LAeq and LAmax in dB(A).
  const noiseKey = `${prefix}-laerm`;
  const noisePlaces = PLACES.slice(0, 4);
  add({
    apikey: noiseKey,
    service: { apikey: noiseKey, entity_type: 'NoiseLevelObserved', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'laeq', name: 'LAeq', type: 'Number', metadata: unit('2N') },
      { object_id: 'lamax', name: 'LAmax', type: 'Number', metadata: unit('2N') },
    ] },
    devices: noisePlaces.map((p) => ({ device_id: `laerm-${p.id}`, apikey: noiseKey, entity_type: 'NoiseLevelObserved', entity_name: `urn:ngsi-ld:NoiseLevelObserved:Herne-${p.id}`, static_attributes: statics(p, 'Lärmsensor') })),
  }, noisePlaces.map((p, i) => {
    const r = rng(200 + i);
    return { apikey: noiseKey, deviceId: `laerm-${p.id}`, next(now) {
      const h = hour(now);
      const laeq = 46 + 18 * Math.max(rush(h), h > 6 && h < 22 ? 0.5 : 0) + r() * 4;
      return { laeq: round(laeq), lamax: round(laeq + 8 + r() * 12) };
    } };
  }));

  // Solar benches: energy produced (cumulative kWh), battery level, charging sessions.
  const benchKey = `${prefix}-solarbank`;
  const benchPlaces = PLACES.slice(0, 8);
  add({
    apikey: benchKey,
    service: { apikey: benchKey, entity_type: 'SolarEnergy', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'e', name: 'totalEnergyGenerated', type: 'Number', metadata: unit('KWH') },
      { object_id: 'p', name: 'activePower', type: 'Number', metadata: unit('WTT') },
      { object_id: 'bat', name: 'batteryLevel', type: 'Number', metadata: unit('C62') },
      { object_id: 'sess', name: 'chargingSessions', type: 'Integer' },
    ] },
    devices: benchPlaces.map((p) => ({ device_id: `bank-${p.id}`, apikey: benchKey, entity_type: 'SolarEnergy', entity_name: `urn:ngsi-ld:SolarEnergy:Solarbank-${p.id}`, static_attributes: statics(p, 'Solarbank') })),
  }, benchPlaces.map((p, i) => {
    const r = rng(300 + i);
    let energy = 120 + i * 17.3;
    let battery = 0.6;
    let sessions = 0;
    let last = 0;
    return { apikey: benchKey, deviceId: `bank-${p.id}`, next(now) {
      const h = hour(now);
      const dt = last ? Math.min(600, (now.getTime() - last) / 1000) : 5;
      last = now.getTime();
      const power = 60 * daylight(h) * (0.6 + r() * 0.4);
      energy += (power * dt) / 3_600_000;
      const charging = h > 7 && h < 21 && r() < 0.02 ? 1 : 0;
      sessions += charging;
      battery = Math.max(0.05, Math.min(1, battery + (power / 60) * 0.002 - charging * 0.03 - 0.0005));
      return { e: round(energy, 3), p: round(power), bat: round(battery, 2), sess: sessions };
    } };
  }));

  // Public WiFi access points in the town centres: connected clients and state (AccessPoint).
  const wifiKey = `${prefix}-wlan`;
  // Two access points per place, the second ~80 m east: their names say which is which.
  const wifiPlaces = [...PLACES.slice(0, 3), ...PLACES.slice(0, 3)].map((p, i) => ({ ...p, id: `${p.id}-${i < 3 ? 'a' : 'b'}`, name: `${p.name} (${i < 3 ? 'West' : 'Ost'})`, lon: p.lon + (i < 3 ? 0 : 0.0012) }));
  add({
    apikey: wifiKey,
    service: { apikey: wifiKey, entity_type: 'AccessPoint', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'clients', name: 'clientsConnected', type: 'Integer' },
      { object_id: 'state', name: 'apState', type: 'Text' },
    ] },
    devices: wifiPlaces.map((p) => ({ device_id: `wlan-${p.id}`, apikey: wifiKey, entity_type: 'AccessPoint', entity_name: `urn:ngsi-ld:AccessPoint:Herne-${p.id}`, static_attributes: statics(p, 'WLAN-Zugangspunkt') })),
  }, wifiPlaces.map((p, i) => {
    const r = rng(400 + i);
    let down = 0;
    return { apikey: wifiKey, deviceId: `wlan-${p.id}`, next(now) {
      const h = hour(now);
      if (down > 0) down--; else if (r() < 0.002) down = 20;
      const clients = down ? 0 : Math.round(Math.max(0, 5 + 70 * Math.max(0, Math.sin(((h - 8) / 13) * Math.PI)) * (0.8 + r() * 0.4)));
      return { clients, state: down ? 'down' : 'up' };
    } };
  }));

  // Car parks (OffStreetParking): free spaces and occupancy.
  const parkKey = `${prefix}-parken`;
  const parks = [{ place: PLACES[0], cap: 420 }, { place: PLACES[2], cap: 260 }, { place: PLACES[4], cap: 180 }];
  add({
    apikey: parkKey,
    service: { apikey: parkKey, entity_type: 'OffStreetParking', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'free', name: 'availableSpotNumber', type: 'Integer' },
      { object_id: 'occ', name: 'occupancy', type: 'Number', metadata: unit('C62') },
    ] },
    devices: parks.map(({ place, cap }) => ({ device_id: `parken-${place.id}`, apikey: parkKey, entity_type: 'OffStreetParking', entity_name: `urn:ngsi-ld:OffStreetParking:Herne-${place.id}`, static_attributes: [...statics(place, 'Parkhaus'), { name: 'totalSpotNumber', type: 'Integer', value: cap }] })),
  }, parks.map(({ place, cap }, i) => {
    const r = rng(500 + i);
    return { apikey: parkKey, deviceId: `parken-${place.id}`, next(now) {
      const h = hour(now);
      const occ = Math.min(0.98, Math.max(0.05, 0.15 + 0.7 * Math.max(0, Math.sin(((h - 8) / 12) * Math.PI)) + (r() - 0.5) * 0.05));
      return { free: Math.round(cap * (1 - occ)), occ: round(occ, 2) };
    } };
  }));

  // Traffic counters (TrafficFlowObserved): vehicles per interval and average speed.
  const trafficKey = `${prefix}-verkehr`;
  const roads = [PLACES[1], PLACES[2], PLACES[3], PLACES[5]];
  add({
    apikey: trafficKey,
    service: { apikey: trafficKey, entity_type: 'TrafficFlowObserved', jsonLdContext: FLEET_CONTEXT, explicitAttrs: true, attributes: [
      { object_id: 'n', name: 'intensity', type: 'Integer' },
      { object_id: 'v', name: 'averageVehicleSpeed', type: 'Number', metadata: unit('KMH') },
    ] },
    devices: roads.map((p) => ({ device_id: `verkehr-${p.id}`, apikey: trafficKey, entity_type: 'TrafficFlowObserved', entity_name: `urn:ngsi-ld:TrafficFlowObserved:Herne-${p.id}`, static_attributes: statics(p, 'Verkehrszähler') })),
  }, roads.map((p, i) => {
    const r = rng(600 + i);
    return { apikey: trafficKey, deviceId: `verkehr-${p.id}`, next(now) {
      const h = hour(now);
      const load = 0.1 + 0.9 * rush(h);
      return { n: Math.round(8 + 60 * load * (0.8 + r() * 0.4)), v: round(48 - 22 * load + (r() - 0.5) * 6) };
    } };
  }));
  return { groups, devices };
}
