// EntityService.batchMeasure, the ingest's write entry point: many measurements in one storage
// transaction, applied in order, each entity update atomic, history rows and change events for each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../support/app.ts';
import type { EntityChange } from '../../src/core/events.ts';
import type { MeasurementWrite } from '../../src/ngsi-ld/entities/entities.service.ts';

const T = 'https://uri.etsi.org/ngsi-ld/default-context/temperature';
const S = 'https://uri.etsi.org/ngsi-ld/default-context/Sensor';
const write = (id: string, v: unknown, obs: string): MeasurementWrite => {
  const inst = () => ({ type: 'Property' as const, value: v, observedAt: obs });
  return { id, initial: { id, types: [S], createdAt: '', modifiedAt: '', attrs: { [T]: [inst()] } }, attrs: { [T]: [inst()] } };
};

test('batchMeasure creates absent entities, updates existing ones in order, records every measurement and emits one change each', async () => {
  const t = await testApp();
  try {
    const changes: EntityChange[] = [];
    t.app.drehscheibe.bus.on('entity.changed', (c) => changes.push(...c));
    const errs = await t.app.drehscheibe.entities.batchMeasure('', [
      write('urn:ngsi-ld:Sensor:a', 1, '2026-11-26T10:00:00Z'),
      write('urn:ngsi-ld:Sensor:a', 2, '2026-11-26T10:00:01Z'),
      write('urn:ngsi-ld:Sensor:b', 5, '2026-11-26T10:00:00Z'),
      write('urn:ngsi-ld:Sensor:a', 3, '2026-11-26T10:00:02Z'),
    ]);
    assert.deepEqual(errs, [undefined, undefined, undefined, undefined]);
    assert.deepEqual(changes.map((c) => `${c.kind}:${c.id}`), ['created:urn:ngsi-ld:Sensor:a', 'updated:urn:ngsi-ld:Sensor:a', 'created:urn:ngsi-ld:Sensor:b', 'updated:urn:ngsi-ld:Sensor:a']);
    const a = await t.app.drehscheibe.entities.get('', 'urn:ngsi-ld:Sensor:a');
    assert.equal(a.attrs[T][0].value, 3);
    const r = await t.app.inject({ method: 'GET', url: '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Sensor:a?options=temporalValues' });
    assert.deepEqual(JSON.parse(r.body).temperature.values.map((v: [number, string]) => v[0]).sort(), [1, 2, 3]);
  } finally {
    await t.close();
  }
});

test('batchMeasure: an item that fails (its insert clashes with a stored entity) fails alone; the others are written', async () => {
  const t = await testApp();
  try {
    // Item 2 looks up Sensor:x (absent) but its entity to create is Sensor:dup, which exists: AlreadyExists.
    await t.app.drehscheibe.entities.create('', { id: 'urn:ngsi-ld:Sensor:dup', types: [S], createdAt: '', modifiedAt: '', attrs: {} });
    const errs = await t.app.drehscheibe.entities.batchMeasure('', [write('urn:ngsi-ld:Sensor:ok', 1, '2026-11-26T10:00:00Z'), { ...write('urn:ngsi-ld:Sensor:x', 1, '2026-11-26T10:00:00Z'), initial: { ...write('urn:ngsi-ld:Sensor:dup', 1, '2026-11-26T10:00:00Z').initial } }]);
    assert.equal(errs[0], undefined);
    assert.match(String(errs[1]?.message), /already exists/);
    assert.equal((await t.app.drehscheibe.entities.get('', 'urn:ngsi-ld:Sensor:ok')).attrs[T][0].value, 1);
  } finally {
    await t.close();
  }
});
