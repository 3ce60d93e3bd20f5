// The entity-store contract: one suite every storage adapter must pass unchanged (the
// aedes-persistence habit). Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityRecord, StoragePort } from '../port.ts';
import { StorageConflict } from '../../core/errors.ts';
import type { QNode } from '../query-ast.ts';
import { and, at, cmp, exists, list, pattern, range } from './q.build.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOC = 'https://uri.etsi.org/ngsi-ld/location';
const T0 = '2026-11-26T10:00:00.000Z';

export interface StorageFactory {
  open(): Promise<StoragePort>;
  /** Drops what open() created (files, schemas). */
  destroy(s: StoragePort): Promise<void>;
  /** The engine's write transactions offer prefetch (port.ts EntityWriteTx.prefetch). */
  prefetch?: boolean;
}

function rec(id: string, types: string[], attrs: Record<string, unknown>, extra: Partial<EntityRecord> = {}): EntityRecord {
  const out: EntityRecord = { id, types, createdAt: T0, modifiedAt: T0, attrs: {}, ...extra };
  for (const [k, v] of Object.entries(attrs)) {
    const iri = k === 'location' ? LOC : V + k;
    out.attrs[iri] = [v && typeof v === 'object' && 'type' in (v as object)
      ? { ...(v as object), createdAt: T0, modifiedAt: T0 } as never
      : { type: 'Property', value: v, createdAt: T0, modifiedAt: T0 }];
  }
  return out;
}

/** A q tree with names expanded the way the service does it (default vocabulary). */
function q(tree: QNode): QNode {
  const expand = (n: QNode): QNode => {
    if (n.kind === 'and' || n.kind === 'or') return { kind: n.kind, items: n.items.map(expand) };
    const path = { ...n.path, attr: V + n.path.attr, sub: n.path.sub.map((s) => (['observedAt', 'unitCode', 'createdAt', 'modifiedAt'].includes(s) ? s : V + s)) };
    return { ...n, path } as QNode;
  };
  return expand(tree);
}

const page = { limit: 100, offset: 0, count: false };

export function entityStoreContract(name: string, factory: StorageFactory): void {
  describe(`entity store contract: ${name}`, () => {
    let s: StoragePort;
    before(async () => {
      s = await factory.open();
      await s.withTransaction(async (tx) => {
        for (let i = 0; i < 10; i++) {
          await tx.entities.insert('', rec(`urn:e:${i}`, i % 2 ? [V + 'Odd'] : [V + 'Even', V + 'Thing'], {
            n: i, s: `name-${i}`, flag: i % 3 === 0, list: [i, i + 100],
            obj: { city: i < 5 ? 'Herne' : 'Bochum' },
            rel: { type: 'Relationship', object: `urn:org:${i % 2}` },
            location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [7 + i * 0.1, 51] } },
          }, i < 3 ? { scopes: ['/Herne'] } : {}));
        }
        await tx.entities.insert('other', rec('urn:e:0', [V + 'Even'], { n: 999 }));
      });
    });
    after(async () => { await factory.destroy(s); });

    const ids = async (filter: Parameters<StoragePort['entities']['query']>[1], tenant = '') =>
      (await s.entities.query(tenant, filter, page)).entities.map((e) => e.id).sort();

    test('get returns what was inserted, per tenant', async () => {
      const e = await s.entities.get('', 'urn:e:1');
      assert.equal(e?.attrs[V + 'n'][0].value, 1);
      assert.deepEqual(e?.types, [V + 'Odd']);
      assert.equal((await s.entities.get('other', 'urn:e:0'))?.attrs[V + 'n'][0].value, 999);
      assert.equal(await s.entities.get('nobody', 'urn:e:0'), undefined);
    });

    test('getMany returns the asked entities of the tenant, each once, with versions; missing ids are left out', async () => {
      const got = await s.entities.getMany('', ['urn:e:3', 'urn:e:0', 'urn:missing', 'urn:e:3', 'urn:e:9']);
      assert.deepEqual(got.map((e) => e.id).sort(), ['urn:e:0', 'urn:e:3', 'urn:e:9']);
      for (const e of got) {
        assert.deepEqual(e, await s.entities.get('', e.id), `getMany and get agree on ${e.id}`);
        assert.deepEqual({ born: e.born, rev: e.rev }, await s.entities.versionOf('', e.id));
      }
      const other = await s.entities.getMany('other', ['urn:e:0', 'urn:e:1']);
      assert.deepEqual(other.map((e) => [e.id, e.attrs[V + 'n'][0].value]), [['urn:e:0', 999]]);
      assert.deepEqual(await s.entities.getMany('nobody', ['urn:e:0']), []);
      assert.deepEqual(await s.entities.getMany('', []), []);
    });

    test('insert of an existing id throws StorageConflict and changes nothing', async () => {
      await assert.rejects(s.withTransaction((tx) => tx.entities.insert('', rec('urn:e:1', [V + 'Odd'], { n: -1 }))), StorageConflict);
      assert.equal((await s.entities.get('', 'urn:e:1'))?.attrs[V + 'n'][0].value, 1);
    });

    test('a transaction that throws leaves no trace', async () => {
      await assert.rejects(s.withTransaction(async (tx) => {
        await tx.entities.insert('', rec('urn:e:tmp', [V + 'Odd'], { n: 1 }));
        throw new Error('boom');
      }));
      assert.equal(await s.entities.get('', 'urn:e:tmp'), undefined);
    });

    test('a failed savepoint undoes only its own writes', async () => {
      await s.withTransaction(async (tx) => {
        await tx.entities.insert('', rec('urn:e:sp1', [V + 'Odd'], { n: 1 }));
        await assert.rejects(tx.savepoint(async () => {
          await tx.entities.insert('', rec('urn:e:sp2', [V + 'Odd'], { n: 2 }));
          throw new Error('undo');
        }));
      });
      assert.ok(await s.entities.get('', 'urn:e:sp1'));
      assert.equal(await s.entities.get('', 'urn:e:sp2'), undefined);
      await s.withTransaction((tx) => tx.entities.delete('', 'urn:e:sp1'));
    });

    test('a rolled-back update is never read back, even when the next write reuses its version', async () => {
      const read = () => s.withTransaction((tx) => tx.entities.get('', 'urn:e:4'));
      const base = (await read())!;
      await assert.rejects(s.withTransaction(async (tx) => {
        await tx.entities.update('', { ...base, attrs: { ...base.attrs, [V + 's']: [{ type: 'Property', value: 'rolled back' }] } }, base);
        throw new Error('undo');
      }));
      const again = (await read())!;
      assert.equal(again.attrs[V + 's'][0].value, 'name-4');
      await s.withTransaction((tx) => tx.entities.update('', { ...again, attrs: { ...again.attrs, [V + 's']: [{ type: 'Property', value: 'kept' }] } }, again));
      assert.equal((await read())!.attrs[V + 's'][0].value, 'kept');
      assert.equal((await s.entities.get('', 'urn:e:4'))!.attrs[V + 's'][0].value, 'kept');
      await s.withTransaction((tx) => tx.entities.update('', base, undefined));
    });

    if (factory.prefetch) test('prefetch: later gets answer what is stored, inserts of existing ids conflict, writes land', async () => {
      await s.withTransaction(async (tx) => {
        assert.ok(tx.entities.prefetch, 'the factory declares prefetch');
        await tx.entities.prefetch('', ['urn:e:6', 'urn:e:7', 'urn:e:pf-new', 'urn:e:6']);
        const six = await tx.entities.get('', 'urn:e:6');
        assert.equal(six?.attrs[V + 'n'][0].value, 6);
        assert.equal(await tx.entities.get('', 'urn:e:pf-new'), undefined);
        await assert.rejects(tx.entities.insert('', rec('urn:e:7', [V + 'Odd'], { n: -7 })), StorageConflict);
        await tx.entities.insert('', rec('urn:e:pf-new', [V + 'Odd'], { n: 1 }));
        await tx.entities.update('', { ...six!, attrs: { ...six!.attrs, [V + 's']: [{ type: 'Property', value: 'prefetched' }] } }, six);
        // Read again after its update in the same transaction: the new state, not the prefetched one.
        assert.equal((await tx.entities.get('', 'urn:e:6'))?.attrs[V + 's'][0].value, 'prefetched');
      });
      assert.ok(await s.entities.get('', 'urn:e:pf-new'));
      assert.equal((await s.entities.get('', 'urn:e:6'))?.attrs[V + 's'][0].value, 'prefetched');
      assert.equal((await s.entities.get('', 'urn:e:7'))?.attrs[V + 'n'][0].value, 7);
      await s.withTransaction(async (tx) => {
        const six = (await tx.entities.get('', 'urn:e:6'))!;
        await tx.entities.update('', { ...six, attrs: { ...six.attrs, [V + 's']: [{ type: 'Property', value: 'name-6' }] } }, six);
        await tx.entities.delete('', 'urn:e:pf-new');
      });
    });

    if (factory.prefetch) test('prefetching transactions over the same ids serialise: no lost update', async () => {
      const ids = ['urn:e:8', 'urn:e:9'];
      const bump = () => s.withTransaction(async (tx) => {
        await tx.entities.prefetch!('', [...ids].reverse());
        for (const id of ids) {
          const e = (await tx.entities.get('', id))!;
          const n = e.attrs[V + 'list'][0].value as number[];
          await tx.entities.update('', { ...e, attrs: { ...e.attrs, [V + 'list']: [{ type: 'Property', value: [n[0], n[1] + 1] }] } }, e);
        }
      });
      await Promise.all(Array.from({ length: 6 }, bump));
      for (const [i, id] of ids.entries()) {
        assert.deepEqual((await s.entities.get('', id))?.attrs[V + 'list'][0].value, [8 + i, 108 + i + 6]);
      }
      await s.withTransaction(async (tx) => {
        for (const [i, id] of ids.entries()) {
          const e = (await tx.entities.get('', id))!;
          await tx.entities.update('', { ...e, attrs: { ...e.attrs, [V + 'list']: [{ type: 'Property', value: [8 + i, 108 + i] }] } }, e);
        }
      });
    });

    test('concurrent transactions each see their own outcome (one fails, the others commit)', async () => {
      const results = await Promise.allSettled([0, 1, 2, 3].map((i) => s.withTransaction(async (tx) => {
        await tx.entities.insert('', rec(`urn:e:c${i}`, [V + 'Odd'], { n: 100 + i }));
        if (i === 2) throw new Error('fail');
        return i;
      })));
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      assert.ok(await s.entities.get('', 'urn:e:c1'));
      assert.equal(await s.entities.get('', 'urn:e:c2'), undefined);
      await s.withTransaction(async (tx) => { for (const i of [0, 1, 3]) await tx.entities.delete('', `urn:e:c${i}`); });
    });

    test('update replaces the record, types and geo index included', async () => {
      const e = (await s.entities.get('', 'urn:e:9'))!;
      e.types = [V + 'Moved'];
      e.attrs[LOC] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [20, 40] } }];
      await s.withTransaction((tx) => tx.entities.update('', e));
      assert.deepEqual(await ids({ types: { kind: 'type', name: V + 'Moved' } }), ['urn:e:9']);
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: [19, 39, 21, 41], predicate: () => true } }), ['urn:e:9']);
      e.types = [V + 'Odd'];
      e.attrs[LOC] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7.9, 51] } }];
      await s.withTransaction((tx) => tx.entities.update('', e));
    });

    test('update with the version before: an equal location (a new object) keeps the geo index, a moved one moves it', async () => {
      const was = (await s.entities.get('', 'urn:e:9'))!;
      const coords = (was.attrs[LOC][0].value as { coordinates: number[] }).coordinates;
      const old = [coords[0] - 0.01, coords[1] - 0.01, coords[0] + 0.01, coords[1] + 0.01] as [number, number, number, number];
      const same: EntityRecord = { ...was, attrs: { ...was.attrs, [LOC]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [...coords] } }] } };
      await s.withTransaction((tx) => tx.entities.update('', same, was));
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: old, predicate: () => true } }), ['urn:e:9']);
      const stored = (await s.entities.get('', 'urn:e:9'))!;
      const moved: EntityRecord = { ...stored, attrs: { ...stored.attrs, [LOC]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [21, 41] } }] } };
      await s.withTransaction((tx) => tx.entities.update('', moved, stored));
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: old, predicate: () => true } }), []);
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: [20.5, 40.5, 21.5, 41.5], predicate: () => true } }), ['urn:e:9']);
      const back = (await s.entities.get('', 'urn:e:9'))!;
      await s.withTransaction((tx) => tx.entities.update('', { ...back, attrs: { ...back.attrs, [LOC]: was.attrs[LOC] } }, back));
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: old, predicate: () => true } }), ['urn:e:9']);
    });

    test('delete removes the entity from queries', async () => {
      await s.withTransaction((tx) => tx.entities.insert('', rec('urn:e:gone', [V + 'Odd'], { n: 5 })));
      assert.equal(await s.withTransaction((tx) => tx.entities.delete('', 'urn:e:gone')), true);
      assert.equal(await s.withTransaction((tx) => tx.entities.delete('', 'urn:e:gone')), false);
      assert.deepEqual(await ids({ q: q(cmp('n', '==', 5)) }), ['urn:e:5']);
    });

    test('type expressions', async () => {
      assert.equal((await ids({ types: { kind: 'type', name: V + 'Even' } })).length, 5);
      assert.equal((await ids({ types: { kind: 'and', items: [{ kind: 'type', name: V + 'Even' }, { kind: 'type', name: V + 'Thing' }] } })).length, 5);
      assert.equal((await ids({ types: { kind: 'or', items: [{ kind: 'type', name: V + 'Even' }, { kind: 'type', name: V + 'Odd' }] } })).length, 10);
    });

    test('q semantics: numbers, strings, booleans, arrays, compounds, relationships, regex', async () => {
      assert.deepEqual(await ids({ q: q(cmp('n', '>', 7)) }), ['urn:e:8', 'urn:e:9']);
      assert.deepEqual(await ids({ q: q(cmp('n', '==', range(2, 3))) }), ['urn:e:2', 'urn:e:3']);
      assert.deepEqual(await ids({ q: q(cmp('n', '==', list(1, 4))) }), ['urn:e:1', 'urn:e:4']);
      assert.deepEqual(await ids({ q: q(cmp('s', '==', 'name-3')) }), ['urn:e:3']);
      assert.deepEqual(await ids({ q: q(cmp('flag', '==', true)) }), ['urn:e:0', 'urn:e:3', 'urn:e:6', 'urn:e:9']);
      assert.deepEqual(await ids({ q: q(cmp('list', '==', 105)) }), ['urn:e:5']);
      assert.deepEqual(await ids({ q: q(and(cmp(at('obj', [], ['city']), '==', 'Bochum'), cmp('n', '<', 7))) }), ['urn:e:5', 'urn:e:6']);
      assert.deepEqual((await ids({ q: q(cmp('rel', '==', 'urn:org:1')) })).length, 5);
      assert.deepEqual(await ids({ q: q(pattern('s', '-[12]$')) }), ['urn:e:1', 'urn:e:2']);
      assert.deepEqual(await ids({ q: q(cmp('n', '>', 'x')) }), []);
      assert.deepEqual(await ids({ q: q(exists(at('n', ['observedAt']))) }), []);
      assert.equal((await ids({ q: q(cmp('n', '!=', 3)) })).length, 9);
    });

    test('ids, idPattern, anyAttrs and scopes', async () => {
      assert.deepEqual(await ids({ ids: ['urn:e:1', 'urn:e:7', 'urn:none'] }), ['urn:e:1', 'urn:e:7']);
      assert.deepEqual(await ids({ idPattern: '^urn:e:[34]$' }), ['urn:e:3', 'urn:e:4']);
      assert.equal((await ids({ anyAttrs: [V + 'nothing'] })).length, 0);
      assert.equal((await ids({ anyAttrs: [V + 'nothing', V + 'n'] })).length, 10);
      assert.deepEqual(await ids({ scopeQ: { kind: 'scope', segments: ['Herne'] } }), ['urn:e:0', 'urn:e:1', 'urn:e:2']);
    });

    test('geo filter: the index window narrows, the predicate decides', async () => {
      const within = await ids({ geo: { property: LOC, bbox: [7.05, 50.9, 7.35, 51.1], predicate: () => true } });
      assert.deepEqual(within, ['urn:e:1', 'urn:e:2', 'urn:e:3']);
      const exact = await ids({ geo: { property: LOC, bbox: [7.05, 50.9, 7.35, 51.1], predicate: (g) => (g as { coordinates: number[] }).coordinates[0] > 7.15 } });
      assert.deepEqual(exact, ['urn:e:2', 'urn:e:3']);
      const noIndex = await ids({ geo: { property: LOC, predicate: (g) => (g as { coordinates: number[] }).coordinates[0] >= 7.85 } });
      assert.deepEqual(noIndex, ['urn:e:9']);
    });

    test('geo filter on a second GeoProperty uses its own index entries', async () => {
      const OS = 'https://uri.etsi.org/ngsi-ld/observationSpace';
      const e = rec('urn:e:geo2', [V + 'Odd'], { location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } } });
      e.attrs[OS] = [{ type: 'GeoProperty', value: { type: 'Polygon', coordinates: [[[30, 30], [31, 30], [31, 31], [30, 30]]] } }];
      await s.withTransaction((tx) => tx.entities.insert('', e));
      assert.deepEqual(await ids({ geo: { property: OS, bbox: [30.5, 30.1, 30.6, 30.2], predicate: () => true } }), ['urn:e:geo2']);
      assert.deepEqual(await ids({ geo: { property: LOC, bbox: [30.5, 30.1, 30.6, 30.2], predicate: () => true } }), []);
      assert.deepEqual(await ids({ geo: { property: V + 'nowhere', bbox: [30.5, 30.1, 30.6, 30.2], predicate: () => true } }), []);
      await s.withTransaction((tx) => tx.entities.delete('', 'urn:e:geo2'));
      assert.deepEqual(await ids({ geo: { property: OS, bbox: [30.5, 30.1, 30.6, 30.2], predicate: () => true } }), []);
    });

    test('pagination is stable and count counts all matches', async () => {
      const all = (await s.entities.query('', { q: q(cmp('n', '>=', 0)) }, { limit: 100, offset: 0, count: true }));
      assert.equal(all.count, 10);
      const p1 = await s.entities.query('', { q: q(cmp('n', '>=', 0)) }, { limit: 4, offset: 0, count: false });
      const p2 = await s.entities.query('', { q: q(cmp('n', '>=', 0)) }, { limit: 4, offset: 4, count: false });
      const p3 = await s.entities.query('', { q: q(cmp('n', '>=', 0)) }, { limit: 4, offset: 8, count: true });
      const seen = [...p1.entities, ...p2.entities, ...p3.entities].map((e) => e.id);
      assert.equal(new Set(seen).size, 10);
      assert.equal(p3.count, 10);
      const c = await s.entities.query('', { q: q(cmp('n', '>=', 0)) }, { limit: 0, offset: 0, count: true });
      assert.deepEqual(c.entities, []);
      assert.equal(c.count, 10);
    });

    test('count by type alone counts each entity of the type once, in its tenant, without the deleted', async () => {
      const count = async (tenant: string, type: string) => (await s.entities.query(tenant, { types: { kind: 'type', name: V + type } }, { limit: 0, offset: 0, count: true })).count;
      const listed = async (tenant: string, type: string) => (await s.entities.query(tenant, { types: { kind: 'type', name: V + type } }, { limit: 1000, offset: 0, count: false })).entities.length;
      for (const t of ['Even', 'Thing', 'Odd']) assert.equal(await count('', t), await listed('', t), t);
      const even = (await count('', 'Even'))!;
      assert.ok(even >= 5);
      assert.equal(await count('other', 'Even'), 1);
      assert.equal(await count('other', 'Odd'), 0);
      await s.withTransaction((tx) => tx.entities.insert('', rec('urn:e:cnt', [V + 'Even', V + 'Counted'], { n: 1 })));
      assert.equal(await count('', 'Even'), even + 1);
      assert.equal(await count('', 'Counted'), 1);
      await s.withTransaction((tx) => tx.entities.delete('', 'urn:e:cnt'));
      assert.equal(await count('', 'Even'), even);
      assert.equal(await count('', 'Counted'), 0);
    });

    test('type and attribute summaries', async () => {
      const counts = await s.entities.typeCounts('');
      assert.equal(counts.find((c) => c.type === V + 'Even')?.entities, 5);
      const rows = await s.entities.typeAttributes('');
      assert.ok(rows.some((r) => r.type === V + 'Odd' && r.attr === V + 'rel' && r.attrType === 'Relationship' && r.entities === 5));
      const attrs = await s.entities.attributeCounts('');
      assert.equal(attrs.find((a) => a.attr === V + 'n')?.entities, 10);
    });

    test('tenants exist once written to', async () => {
      assert.equal(await s.entities.tenantExists('other'), true);
      assert.equal(await s.entities.tenantExists('nobody'), false);
      assert.ok((await s.entities.listTenants()).includes('other'));
    });
  });
}
