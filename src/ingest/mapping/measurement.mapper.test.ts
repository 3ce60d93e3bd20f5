import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapMeasurement, MeasurementRejected, parseTimestamp, type ResolvedDevice } from './measurement.mapper.ts';
import type { Terms } from '../../ngsi-ld/context/term-map.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const terms: Terms = {
  key: 'test', source: null, linkUrl: '',
  expandAttr: (t) => (t === 'location' ? 'https://uri.etsi.org/ngsi-ld/location' : V + t),
  compactAttr: (i) => i.replace(V, ''), expandType: (t) => V + t, compactType: (i) => i.replace(V, ''),
};
const dev = (over: Partial<ResolvedDevice> = {}): ResolvedDevice => ({
  tenant: '', servicePath: '/', deviceId: 'd1', apikey: 'k', entityId: 'urn:ngsi-ld:Sensor:d1', entityType: V + 'Sensor', terms,
  mappings: new Map([
    ['t', { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { type: 'Text', value: 'CEL' } } }],
    ['n', { object_id: 'n', name: 'count', type: 'Integer' }],
    ['on', { object_id: 'on', name: 'active', type: 'Boolean' }],
    ['pos', { object_id: 'pos', name: 'location', type: 'geo:point' }],
    ['ref', { object_id: 'ref', name: 'refDevice', type: 'Relationship' }],
  ]),
  statics: [{ name: 'dataProvider', type: 'Text', value: 'simulated' }],
  explicitAttrs: false, timestamp: true, ...over,
});
const NOW = '2026-11-26T12:00:00.000Z';
const reason = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof MeasurementRejected) return e.reason; throw e; }
  return 'accepted';
};

test('numbers (also numeric text), integers, booleans, "lat, lon" points and relationships are typed by the mapping', () => {
  const w = mapMeasurement(dev(), { t: '21.5', n: 3, on: 'true', pos: '51.54, 7.22', ref: 'urn:ngsi-ld:Device:x' }, NOW);
  assert.equal(w.attrs[V + 'temperature'][0].value, 21.5);
  assert.equal(w.attrs[V + 'temperature'][0].unitCode, 'CEL');
  assert.equal(w.attrs[V + 'count'][0].value, 3);
  assert.equal(w.attrs[V + 'active'][0].value, true);
  assert.deepEqual(w.attrs['https://uri.etsi.org/ngsi-ld/location'][0], { type: 'GeoProperty', value: { type: 'Point', coordinates: [7.22, 51.54] }, observedAt: NOW, createdAt: NOW, modifiedAt: NOW });
  assert.equal(w.attrs[V + 'refDevice'][0].object, 'urn:ngsi-ld:Device:x');
});

test('the entity to create carries the static attributes and the measured ones; the update only the measured', () => {
  const w = mapMeasurement(dev(), { t: 1 }, NOW);
  assert.deepEqual(Object.keys(w.attrs), [V + 'temperature']);
  assert.deepEqual(Object.keys(w.initial.attrs).sort(), [V + 'dataProvider', V + 'temperature']);
  assert.equal(w.initial.id, 'urn:ngsi-ld:Sensor:d1');
});

test('bad values are rejected with their reason', () => {
  assert.equal(reason(() => mapMeasurement(dev(), { t: 'warm' }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), { t: Number.NaN }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), { n: 2.5 }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), { on: 'yes' }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), { ref: 'not a uri' }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), { t: null }, NOW)), 'invalid_value');
  assert.equal(reason(() => mapMeasurement(dev(), [1, 2], NOW)), 'invalid_payload');
  assert.equal(reason(() => mapMeasurement(dev(), {}, NOW)), 'no_attributes');
  assert.equal(reason(() => mapMeasurement(dev(), { t: 1, TimeInstant: 'yesterday' }, NOW)), 'invalid_timestamp');
  assert.equal(reason(() => mapMeasurement(dev({ explicitAttrs: true }), { other: 1 }, NOW)), 'no_attributes');
});

test('observedAt: TimeInstant, else the outside time, else the receive time; none when timestamp is off', () => {
  assert.equal(mapMeasurement(dev(), { t: 1, TimeInstant: '2026-01-01T00:00:00Z' }, NOW, '2025-01-01T00:00:00Z').attrs[V + 'temperature'][0].observedAt, '2026-01-01T00:00:00.000Z');
  assert.equal(mapMeasurement(dev(), { t: 1 }, NOW, '2025-01-01T00:00:00Z').attrs[V + 'temperature'][0].observedAt, '2025-01-01T00:00:00.000Z');
  assert.equal(mapMeasurement(dev(), { t: 1 }, NOW).attrs[V + 'temperature'][0].observedAt, NOW);
  assert.equal(mapMeasurement(dev({ timestamp: false }), { t: 1 }, NOW).attrs[V + 'temperature'][0].observedAt, undefined);
});

test('timestamps: ISO 8601 with nanoseconds and offsets, epoch seconds and milliseconds', () => {
  assert.equal(parseTimestamp('2026-11-26T09:34:15.775023242+00:00', 'x'), '2026-11-26T09:34:15.775Z');
  assert.equal(parseTimestamp(1795687200, 'x'), '2026-11-26T10:00:00.000Z');
  assert.equal(parseTimestamp(1795687200000, 'x'), '2026-11-26T10:00:00.000Z');
});
