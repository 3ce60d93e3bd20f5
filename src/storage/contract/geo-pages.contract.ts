// Contract of geo-queries with a page (issue #19): an engine may stop reading when the page is full,
// but every page must be the slice of the full answer in the engine's page order (no orderBy: the
// order of an unfiltered query), with the same count, whatever the window holds.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityFilter, EntityRecord, GeoFilter, StoragePort } from '../port.ts';
import { seededRandom } from '../../core/random.ts';
import { distanceMeters, nearWindow } from '../../core/geo.distance.ts';
import type { QNode } from '../query-ast.ts';
import { cmp } from './q.build.ts';
import type { StorageFactory } from './entities.contract.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOC = 'https://uri.etsi.org/ngsi-ld/location';
const A = V + 'Sensor';
const B = V + 'Lamp';
const T0 = '2026-12-05T10:00:00.000Z';
const CENTER: [number, number] = [7.2, 51.5];
const N = 5000;

type Pos = [number, number];

function rec(i: number, pos: Pos | undefined, types: string[]): EntityRecord {
  const attrs: EntityRecord['attrs'] = { [V + 'n']: [{ type: 'Property', value: i % 10, createdAt: T0, modifiedAt: T0 } as never] };
  if (pos) attrs[LOC] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: pos }, createdAt: T0, modifiedAt: T0 } as never];
  return { id: `urn:g:${i}`, types, createdAt: T0, modifiedAt: T0, attrs };
}

function near(meters: number, at: Pos = CENTER): GeoFilter {
  return { property: LOC, bbox: nearWindow(at, meters), predicate: (g) => distanceMeters(at, (g as { coordinates: Pos }).coordinates) <= meters };
}

function q(tree: QNode): QNode {
  const n = tree as Extract<QNode, { kind: 'cmp' }>;
  return { ...n, path: { ...n.path, attr: V + n.path.attr } };
}

export function geoPageContract(name: string, factory: StorageFactory): void {
  describe(`entity store contract, geo-queries with a page: ${name}`, () => {
    let s: StoragePort;
    before(async () => {
      s = await factory.open();
      const random = seededRandom(19);
      // Positions over about 70 km × 110 km; every 13th entity has no location, every 7th two types.
      const all: EntityRecord[] = [];
      for (let i = 0; i < N; i++) {
        const pos: Pos | undefined = i % 13 === 5 ? undefined : [CENTER[0] - 0.5 + random(), CENTER[1] - 0.5 + random()];
        all.push(rec(i, pos, i % 7 === 0 ? [A, B] : i % 2 ? [A] : [B]));
      }
      for (let k = 0; k < N; k += 500) {
        await s.withTransaction(async (tx) => { for (const e of all.slice(k, k + 500)) await tx.entities.insert('g', e); });
      }
      // Gaps in the keys, an entity moved into the centre and one recreated there (a new key).
      await s.withTransaction(async (tx) => {
        for (let i = 100; i < 400; i += 3) await tx.entities.delete('g', `urn:g:${i}`);
        const moved = (await tx.entities.get('g', 'urn:g:4000'))!;
        await tx.entities.update('g', rec(4000, [CENTER[0] + 0.001, CENTER[1]], moved.types), moved);
        await tx.entities.delete('g', 'urn:g:10');
        await tx.entities.insert('g', rec(10, [CENTER[0], CENTER[1] + 0.001], [A]));
      });
    });
    after(async () => { await factory.destroy(s); });

    /** The full answer from a query without the geo filter (no window, no early stop), tested here. */
    async function expected(f: EntityFilter): Promise<string[]> {
      const { geo, ...rest } = f;
      const all = await s.entities.query('g', rest, { limit: 100_000, offset: 0, count: false });
      return all.entities.filter((e) => {
        const g = e.attrs[LOC]?.[0]?.value;
        return g !== undefined && geo!.predicate(g);
      }).map((e) => e.id);
    }

    async function checkPages(f: EntityFilter, limits: number[]): Promise<number> {
      const full = await expected(f);
      for (const limit of limits) {
        for (const offset of [0, 1, limit, 3 * limit + 2, Math.max(0, full.length - 1), full.length + 5]) {
          const page = { limit, offset, count: offset === 0 };
          const r = await s.entities.query('g', f, page);
          const keys = await s.entities.queryKeys('g', f, page);
          const want = full.slice(offset, offset + limit);
          assert.deepEqual(r.entities.map((e) => e.id), want, `query page limit=${limit} offset=${offset}`);
          assert.deepEqual(keys.keys.map((k) => k.id), want, `queryKeys page limit=${limit} offset=${offset}`);
          if (page.count) {
            assert.equal(r.count, full.length, 'count of the full answer');
            assert.equal(keys.count, full.length);
          }
        }
      }
      return full.length;
    }

    test('[4.10] near with a page: every page is the slice of the full answer in key order, for small and large circles', async () => {
      const small = await checkPages({ types: { kind: 'type', name: A }, geo: near(3000) }, [1, 5, 20]);
      assert.ok(small > 3 && small < 60, `a circle holding few entities (${small})`);
      const large = await checkPages({ types: { kind: 'type', name: B }, geo: near(30_000) }, [1, 20, 100]);
      assert.ok(large > 500, `a circle holding many entities (${large})`);
      await checkPages({ geo: near(10_000) }, [7, 100]);
      await checkPages({ types: { kind: 'type', name: A }, geo: near(200) }, [3]);
    });

    test('[4.10] near with a page and other conditions; an empty circle; a circle beyond the data', async () => {
      await checkPages({ types: { kind: 'type', name: A }, q: q(cmp('n', '==', 3)), geo: near(20_000) }, [2, 25]);
      await checkPages({ types: { kind: 'or', items: [{ kind: 'type', name: A }, { kind: 'type', name: B }] }, geo: near(15_000) }, [10]);
      assert.equal(await checkPages({ types: { kind: 'type', name: A }, geo: near(50, [7.9, 51.0]) }, [10]), 0);
      assert.equal(await checkPages({ geo: near(1000, [-40, 10]) }, [10]), 0);
    });
  });
}
