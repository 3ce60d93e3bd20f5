// Concurrent writers on PostgreSQL (as on several nodes): read-modify-write transactions lose no
// update (the read locks the row), and batches touching the same entities in opposite orders
// deadlock, are retried, and all commit.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityRecord } from '../../src/storage/port.ts';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import { PG_SKIP, dropSchema, freshSchema, openPgStorage } from '../support/pg.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const T0 = '2026-11-26T10:00:00.000Z';
const rec = (id: string, n: number): EntityRecord => ({ id, types: [V + 'Counter'], createdAt: T0, modifiedAt: T0, attrs: { [V + 'n']: [{ type: 'Property', value: n }] } });

describe('concurrent writers on PostgreSQL', { skip: PG_SKIP }, () => {
  const schema = freshSchema();
  let a: PostgresStorage;
  let b: PostgresStorage;
  before(async () => {
    // Two storages on one schema stand for two nodes (each with its own pool).
    a = await openPgStorage(schema, { poolSize: 6 });
    b = await openPgStorage(schema, { poolSize: 6 });
    await a.withTransaction(async (tx) => { for (let i = 0; i < 10; i++) await tx.entities.insert('', rec(`urn:c:${i}`, 0)); });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dropSchema(schema);
  });

  test('40 concurrent increments of one entity from two nodes all count (no lost update)', async () => {
    const inc = (s: PostgresStorage) => s.withTransaction(async (tx) => {
      const e = (await tx.entities.get('', 'urn:c:0'))!;
      const n = e.attrs[V + 'n'][0].value as number;
      await new Promise((r) => setImmediate(r)); // let the other writers interleave
      await tx.entities.update('', { ...e, attrs: { [V + 'n']: [{ type: 'Property', value: n + 1 }] } }, e);
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => inc(i % 2 ? a : b)));
    const e = await a.entities.get('', 'urn:c:0');
    assert.equal(e?.attrs[V + 'n'][0].value, 40);
    assert.equal(e?.rev, 41, 'one version per committed write');
  });

  test('batches locking the same entities in opposite orders are retried after a deadlock and all commit', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `urn:c:${i}`);
    const batch = (s: PostgresStorage, order: string[], v: number) => s.withTransaction(async (tx) => {
      for (const id of order) {
        const e = (await tx.entities.get('', id))!;
        await new Promise((r) => setImmediate(r));
        await tx.entities.update('', { ...e, attrs: { [V + 'n']: [{ type: 'Property', value: (e.attrs[V + 'n'][0].value as number) + v }] } }, e);
      }
      await tx.history.record('', { id: order[0], types: [V + 'Counter'] }, [{ attr: V + 'n', instance: { type: 'Property', value: v, observedAt: T0 } }], T0);
    });
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, k) => batch(k % 2 ? a : b, k % 2 ? ids : [...ids].reverse(), 1)));
    assert.deepEqual(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status)), Array(4).fill('fulfilled'));
    for (const id of ids.slice(1)) assert.equal((await a.entities.get('', id))?.attrs[V + 'n'][0].value, 4, id);
    assert.equal((await a.entities.get('', 'urn:c:0'))?.attrs[V + 'n'][0].value, 44);
  });
});
