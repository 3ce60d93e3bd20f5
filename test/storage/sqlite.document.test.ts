// The compact stored form of entity documents on SQLite (sqlite.document.ts): lossless, key order
// included, and smaller for the common shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDocument, docKey, encodeDocument, nameOfKey } from '../../src/storage/sqlite/sqlite.document.ts';
import type { AttrInstance } from '../../src/storage/port.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const C = '2026-12-01T10:00:00.000Z';
const M = '2026-12-02T10:00:00.000Z';
const X = '2026-12-03T10:00:00.000Z';

test('attribute names: known namespaces become short keys, every name comes back', () => {
  assert.equal(docKey(V + 'temperature'), '1:temperature');
  assert.equal(docKey('https://uri.etsi.org/ngsi-ld/location'), '2:location');
  assert.equal(docKey('https://smartdatamodels.org/dataModel.Environment/no2'), '3:Environment/no2');
  assert.equal(docKey('urn:x:attr'), 'urn:x:attr', 'other names as they are');
  assert.equal(docKey('7up'), '0:7up', 'a name that starts with a digit is escaped');
  for (const n of [V + 'temperature', 'https://uri.etsi.org/ngsi-ld/location', 'https://smartdatamodels.org/x', 'urn:x:attr', '7up', '0:x', V, 'https://schema.org/name', 'http://example.org/a:b']) {
    assert.equal(nameOfKey(docKey(n)), n);
  }
});

test('documents: every shape reads back identically, members in their order; the usual shape shrinks', () => {
  const attrs: Record<string, AttrInstance[]> = {
    [V + 'temperature']: [{ type: 'Property', value: 21.5, observedAt: X, unitCode: 'CEL', createdAt: C, modifiedAt: M }],
    [V + 'older']: [{ type: 'Property', value: 'x', createdAt: C, modifiedAt: C }],
    [V + 'rel']: [{ type: 'Relationship', object: 'urn:x:1', createdAt: C, modifiedAt: M }, { type: 'Relationship', object: 'urn:x:2', datasetId: 'urn:d:1', createdAt: C, modifiedAt: X }],
    [V + 'later']: [{ type: 'Property', value: 1, createdAt: X, modifiedAt: X }],
    [V + 'typeLast']: [{ value: 1, type: 'Property', createdAt: C, modifiedAt: M } as AttrInstance],
    [V + 'timesFirst']: [{ createdAt: C, modifiedAt: M, type: 'Property', value: 1 }],
    [V + 'noTimes']: [{ type: 'Property', value: { nested: [1, 2] } }],
    [V + 'onlyModified']: [{ type: 'Property', value: 1, modifiedAt: M }],
    [V + 'sub']: [{ type: 'Property', value: 1, [V + 'accuracy']: [{ type: 'Property', value: 0.1, createdAt: C, modifiedAt: M }], createdAt: C, modifiedAt: M }],
    [V + 'geo']: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7.2, 51.5] }, createdAt: C, modifiedAt: M }],
    '9lives': [{ type: 'Property', value: 9, createdAt: C, modifiedAt: M }],
  };
  const text = encodeDocument(attrs, C, M);
  const back = decodeDocument(text, C, M);
  assert.equal(JSON.stringify(back), JSON.stringify(attrs));
  const stored = JSON.parse(text) as Record<string, Array<Record<string, unknown>>>;
  assert.deepEqual(stored['1:temperature'][0], { value: 21.5, observedAt: X, unitCode: 'CEL' }, 'type Property and the entity\'s times left out');
  assert.deepEqual(stored['1:older'][0], { value: 'x', modifiedAt: C }, 'an own modifiedAt kept');
  assert.equal(stored['1:later'][0]['~'], 1, 'created after the entity: stored as it is');
  assert.ok(text.length < JSON.stringify(attrs).length * 0.7, `${text.length} vs ${JSON.stringify(attrs).length}`);
});
