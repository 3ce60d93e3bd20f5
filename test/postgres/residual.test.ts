// Pages of queries whose exact test runs in process (geo predicate, scopeQ) on PostgreSQL: read in
// growing chunks when no count is asked, they give the same pages as the full scan with count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityRecord } from '../../src/storage/port.ts';
import { PG_SKIP, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const LOC = 'https://uri.etsi.org/ngsi-ld/location';
const T0 = '2026-11-26T10:00:00.000Z';

test('geo pages without count equal the slices of the counted full result, across chunk boundaries', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  const s = await openPgStorage(schema);
  try {
    await s.withTransaction(async (tx) => {
      for (let i = 0; i < 300; i++) {
        const e: EntityRecord = { id: `urn:g:${String(i).padStart(3, '0')}`, types: ['urn:T'], createdAt: T0, modifiedAt: T0, scopes: i % 2 ? ['/a/b'] : ['/c'],
          attrs: { [LOC]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7 + i / 1000, 51] } }] } };
        await tx.entities.insert('', e);
      }
    });
    // Every third entity passes the exact test; the window holds them all.
    const geo = { property: LOC, bbox: [6, 50, 8, 52] as [number, number, number, number], predicate: (g: unknown) => Math.round(((g as { coordinates: number[] }).coordinates[0] - 7) * 1000) % 3 === 0 };
    const full = await s.entities.query('', { geo }, { limit: 1000, offset: 0, count: true });
    assert.equal(full.count, 100);
    const ids = full.entities.map((e) => e.id);
    for (const [offset, limit] of [[0, 30], [25, 40], [90, 20], [100, 5]]) {
      const p = await s.entities.queryKeys('', { geo }, { limit, offset, count: false });
      assert.deepEqual(p.keys.map((k) => k.id), ids.slice(offset, offset + limit), `offset ${offset} limit ${limit}`);
    }
    const scoped = await s.entities.queryKeys('', { scopeQ: { kind: 'scope', segments: ['a', '#'] } }, { limit: 10, offset: 140, count: false });
    assert.deepEqual(scoped.keys.map((k) => k.id), Array.from({ length: 10 }, (_, k) => `urn:g:${String(2 * (140 + k) + 1).padStart(3, '0')}`));
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});
