// Contract of the kept entity counts (issue #19): count=true for one type, or for every entity of a
// tenant, equals the number of matches the unbounded query finds, after every kind of write.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityFilter, EntityRecord, StoragePort } from '../port.ts';
import type { StorageFactory } from './entities.contract.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const A = V + 'A';
const B = V + 'B';
const T0 = '2026-12-05T10:00:00.000Z';

function rec(id: string, types: string[]): EntityRecord {
  return { id, types, createdAt: T0, modifiedAt: T0, attrs: { [V + 'n']: [{ type: 'Property', value: 1, createdAt: T0, modifiedAt: T0 } as never] } };
}

const type = (name: string): EntityFilter => ({ types: { kind: 'type', name } });

export function entityCountContract(name: string, factory: StorageFactory): void {
  describe(`entity store contract, kept counts: ${name}`, () => {
    let s: StoragePort;
    before(async () => {
      s = await factory.open();
      await s.withTransaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.entities.insert('c', rec(`urn:a:${i}`, [A]));
        for (let i = 0; i < 3; i++) await tx.entities.insert('c', rec(`urn:b:${i}`, [B]));
        for (let i = 0; i < 2; i++) await tx.entities.insert('c', rec(`urn:ab:${i}`, [A, B]));
        for (let i = 0; i < 4; i++) await tx.entities.insert('c2', rec(`urn:a:${i}`, [A]));
      });
    });
    after(async () => { await factory.destroy(s); });

    /** The count answer, checked against the matches of the unbounded query and of queryKeys. */
    async function count(tenant: string, f: EntityFilter): Promise<number> {
      const r = await s.entities.query(tenant, f, { limit: 1, offset: 0, count: true });
      const all = await s.entities.query(tenant, f, { limit: 10_000, offset: 0, count: false });
      const keys = await s.entities.queryKeys(tenant, f, { limit: 0, offset: 0, count: true });
      assert.equal(r.count, all.entities.length, `count equals the matches (${tenant}, ${JSON.stringify(f.types ?? 'all')})`);
      assert.equal(keys.count, r.count, 'queryKeys counts alike');
      return r.count!;
    }

    test('[6.4.3.2] count of one type counts an entity with several types once under each; no type: every entity of the tenant', async () => {
      assert.equal(await count('c', type(A)), 7);
      assert.equal(await count('c', type(B)), 5);
      assert.equal(await count('c', { types: { kind: 'or', items: [{ kind: 'type', name: A }] } }), 7);
      assert.equal(await count('c', {}), 10);
      assert.equal(await count('c2', type(A)), 4, 'tenants are counted apart');
      assert.equal(await count('c2', type(B)), 0);
      assert.equal(await count('c2', {}), 4);
      assert.equal(await count('nobody', {}), 0);
      assert.equal(await count('c', type(V + 'Unknown')), 0);
    });

    test('counts follow deletes, type changes and failed writes', async () => {
      await s.withTransaction((tx) => tx.entities.delete('c', 'urn:ab:0'));
      assert.equal(await count('c', type(A)), 6);
      assert.equal(await count('c', type(B)), 4);
      assert.equal(await count('c', {}), 9);
      assert.equal(await s.withTransaction((tx) => tx.entities.delete('c', 'urn:ab:0')), false);
      assert.equal(await count('c', {}), 9, 'deleting an absent entity changes nothing');

      // Type change with and without the previous version at hand.
      const before = (await s.entities.get('c', 'urn:a:0'))!;
      await s.withTransaction((tx) => tx.entities.update('c', { ...before, types: [B] }, before));
      const a1 = (await s.entities.get('c', 'urn:a:1'))!;
      await s.withTransaction((tx) => tx.entities.update('c', { ...a1, types: [A, B] }));
      const b0 = (await s.entities.get('c', 'urn:b:0'))!;
      await s.withTransaction((tx) => tx.entities.update('c', { ...b0, types: [B, B] }));
      assert.equal(await count('c', type(A)), 5);
      assert.equal(await count('c', type(B)), 6);
      assert.equal(await count('c', {}), 9);

      await assert.rejects(s.withTransaction(async (tx) => {
        await tx.entities.insert('c', rec('urn:a:new', [A]));
        await tx.entities.delete('c', 'urn:b:1');
        throw new Error('rolled back');
      }), /rolled back/);
      await assert.rejects(s.withTransaction((tx) => tx.entities.insert('c', rec('urn:a:2', [A]))));
      assert.equal(await count('c', type(A)), 5, 'a rolled-back transaction and a duplicate leave the counts');
      assert.equal(await count('c', type(B)), 6);
      assert.equal(await count('c', {}), 9);
    });

    test('counts hold under concurrent writers and entities written after reading them', async () => {
      const writers = Array.from({ length: 12 }, (_, w) => s.withTransaction(async (tx) => {
        for (let i = 0; i < 5; i++) {
          const id = `urn:w:${w}:${i}`;
          await tx.entities.get('c', id); // absent: buffered where the engine buffers writes
          await tx.entities.insert('c', rec(id, i % 2 ? [A] : [A, B]));
        }
      }));
      await Promise.all(writers);
      assert.equal(await count('c', type(A)), 5 + 60);
      assert.equal(await count('c', type(B)), 6 + 36);
      assert.equal(await count('c', {}), 9 + 60);
      await Promise.all(Array.from({ length: 12 }, (_, w) => s.withTransaction(async (tx) => {
        for (let i = 0; i < 5; i++) await tx.entities.delete('c', `urn:w:${w}:${i}`);
      })));
      assert.equal(await count('c', type(A)), 5);
      assert.equal(await count('c', type(B)), 6);
      assert.equal(await count('c', {}), 9);
    });

    test('type counts leave out types without entities', async () => {
      await s.withTransaction(async (tx) => { for (let i = 0; i < 4; i++) await tx.entities.delete('c2', `urn:a:${i}`); });
      assert.deepEqual(await s.entities.typeCounts('c2'), []);
      assert.equal(await count('c2', {}), 0);
      assert.deepEqual(await s.entities.typeCounts('c'), [{ type: A, entities: 5 }, { type: B, entities: 6 }]);
    });
  });
}
