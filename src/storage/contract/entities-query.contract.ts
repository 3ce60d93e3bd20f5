// Contract of the entity store for the v1.9.1 query additions (issue #14 part 2): every adapter
// must give the same answers. Registered beside entities.contract.ts by each engine's suite.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityFilter, EntityRecord, StoragePort } from '../port.ts';
import type { QNode } from '../query-ast.ts';
import { at, cmp, pattern, range } from './q.build.ts';
import type { StorageFactory } from './entities.contract.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const T0 = '2026-11-26T10:00:00.000Z';

function rec(id: string, attrs: Record<string, Record<string, unknown>>): EntityRecord {
  const out: EntityRecord = { id, types: [V + 'Q'], createdAt: T0, modifiedAt: T0, attrs: {} };
  for (const [k, v] of Object.entries(attrs)) out.attrs[V + k] = [{ type: 'Property', ...v, createdAt: T0, modifiedAt: T0 } as never];
  return out;
}

/** A q tree with names expanded (default vocabulary). */
function q(tree: QNode): QNode {
  const expand = (n: QNode): QNode => {
    if (n.kind === 'and' || n.kind === 'or') return { kind: n.kind, items: n.items.map(expand) };
    return { ...n, path: { ...n.path, attr: V + n.path.attr } } as QNode;
  };
  return expand(tree);
}

export function entityQueryContract(name: string, factory: StorageFactory): void {
  describe(`entity store contract, v1.9.1 queries: ${name}`, () => {
    let s: StoragePort;
    before(async () => {
      s = await factory.open();
      await s.withTransaction(async (tx) => {
        await tx.entities.insert('', rec('urn:q:1', { color: { type: 'LanguageProperty', languageMap: { en: 'red', de: 'rot' } }, tags: { type: 'ListProperty', valueList: ['a', 'b'] }, v: { value: 'x' } }));
        await tx.entities.insert('', rec('urn:q:2', { color: { type: 'LanguageProperty', languageMap: { en: 'green', de: 'grün' } }, tags: { type: 'ListProperty', valueList: ['c'] }, v: { value: 'y' } }));
        await tx.entities.insert('', rec('urn:q:3', { v: { value: 'z' } }));
      });
    });
    after(async () => { await factory.destroy(s); });
    const ids = async (f: EntityFilter) => (await s.entities.query('', f, { limit: 100, offset: 0, count: false })).entities.map((e) => e.id).sort();

    test('[4.9] == and != on LanguageProperty (any language, one language) and ListProperty members', async () => {
      assert.deepEqual(await ids({ q: q(cmp('color', '==', 'rot')) }), ['urn:q:1']);
      assert.deepEqual(await ids({ q: q(cmp('color', '==', 'grün')) /* color[*]=="grün" */ }), ['urn:q:2']);
      assert.deepEqual(await ids({ q: q(cmp('color', '!=', 'rot')) }), ['urn:q:2'], '!= holds where the languageMap lacks the value; entities without the attribute stay out');
      assert.deepEqual(await ids({ q: q(cmp(at('color', [], ['de']), '!=', 'rot')) }), ['urn:q:2']);
      assert.deepEqual(await ids({ q: q(cmp(at('color', [], ['en']), '!=', 'rot')) }), ['urn:q:1', 'urn:q:2']);
      assert.deepEqual(await ids({ q: q(cmp('tags', '==', 'b')) }), ['urn:q:1']);
      assert.deepEqual(await ids({ q: q(cmp('tags', '!=', 'a')) }), ['urn:q:2']);
      assert.deepEqual(await ids({ q: q(pattern('tags', '^[ab]$', true)) }), ['urn:q:2']);
    });

    test('[4.9] a value of another type than the literal is unequal (!= holds); ranges over mixed arrays test only the numbers', async () => {
      await s.withTransaction(async (tx) => {
        for (const [id, v] of [['m1', 21.5], ['m2', 30], ['m3', 'hot'], ['m4', [1, 'a', 25]]] as const) await tx.entities.insert('mixed', rec(`urn:m:${id}`, { t: { value: v } }));
      });
      const m = async (tree: QNode) => (await s.entities.query('mixed', { q: q(tree) }, { limit: 100, offset: 0, count: false })).entities.map((e) => e.id.slice(6)).sort();
      assert.deepEqual(await m(cmp('t', '!=', 30)), ['m1', 'm3', 'm4']);
      assert.deepEqual(await m(cmp('t', '==', range(20, 31))), ['m1', 'm2', 'm4']);
      assert.deepEqual(await m(cmp('t', '!=', range(20, 31))), ['m3']);
      assert.deepEqual(await m(cmp('t', '>', 24)), ['m2', 'm4']);
    });

    test('[4.23] orderBy: numbers, then strings, objects, arrays, booleans, DateTimes, null, absent; desc reverses all but null and absent; the id breaks ties', async () => {
      await s.withTransaction(async (tx) => {
        const o = (id: string, v: unknown, extra: Record<string, Record<string, unknown>> = {}) => tx.entities.insert('ord', { ...rec(id, v === undefined ? extra : { k: { value: v }, ...extra }), types: [V + 'O'] });
        await o('urn:o:n10', 10);
        await o('urn:o:n2', 2);
        await o('urn:o:n2b', 2.0);
        await o('urn:o:sB', 'B');
        await o('urn:o:sa', 'a');
        await o('urn:o:obj', { a: 1 });
        await o('urn:o:arr', [1]);
        await o('urn:o:t', true);
        await o('urn:o:f', false);
        await o('urn:o:dt2', { '@type': 'DateTime', '@value': '2026-02-01T00:00:00Z' });
        await o('urn:o:dt1', { '@type': 'DateTime', '@value': '2026-01-01T00:00:00Z' });
        await o('urn:o:none', undefined, { other: { value: 1 } });
        await tx.entities.insert('ord', { ...rec('urn:o:rel', {}), types: [V + 'O'], attrs: { [V + 'k']: [{ type: 'Relationship', object: 'urn:x:A', createdAt: T0, modifiedAt: T0 }] } });
      });
      const order = async (desc: boolean, page = { limit: 100, offset: 0, count: false }) =>
        (await s.entities.queryKeys('ord', { types: { kind: 'type', name: V + 'O' }, order: [{ path: { attr: V + 'k', sub: [], compound: [] }, desc }] }, page)).keys.map((k) => k.id.slice(6));
      assert.deepEqual(await order(false), ['n2', 'n2b', 'n10', 'sB', 'sa', 'rel', 'obj', 'arr', 'f', 't', 'dt1', 'dt2', 'none']);
      assert.deepEqual(await order(true), ['dt2', 'dt1', 't', 'f', 'arr', 'obj', 'rel', 'sa', 'sB', 'n10', 'n2', 'n2b', 'none']);
      assert.deepEqual(await order(false, { limit: 3, offset: 3, count: false }), ['sB', 'sa', 'rel'], 'pages follow the order');
      const byId = await s.entities.query('ord', { types: { kind: 'type', name: V + 'O' }, order: [{ desc: true }] }, { limit: 2, offset: 0, count: false });
      assert.deepEqual(byId.entities.map((e) => e.id), ['urn:o:t', 'urn:o:sa']);
    });

    test('[4.9] an attribute\'s own createdAt and modifiedAt: read back, compared, tested for existence and ordered by, whether or not the entity has the same times', async () => {
      const T1 = '2026-11-27T10:00:00.000Z';
      const T2 = '2026-11-28T10:00:00.000Z';
      const e1: EntityRecord = { id: 'urn:t:1', types: [V + 'T'], createdAt: T0, modifiedAt: T2, attrs: {
        [V + 'a']: [{ type: 'Property', value: 1, createdAt: T0, modifiedAt: T2 }],
        [V + 'b']: [{ type: 'Property', value: 2, observedAt: T1, createdAt: T0, modifiedAt: T1 }],
        [V + 'c']: [{ type: 'Property', value: 3, createdAt: T1, modifiedAt: T2 }],
        [V + 'r']: [{ type: 'Relationship', object: 'urn:x:1', createdAt: T0, modifiedAt: T2 },
          { type: 'Relationship', object: 'urn:x:2', datasetId: 'urn:d:1', createdAt: T0, modifiedAt: T1 }],
        '0digit': [{ type: 'Property', value: 'a name that starts with a digit', createdAt: T0, modifiedAt: T2 }],
      } };
      const e2: EntityRecord = { id: 'urn:t:2', types: [V + 'T'], createdAt: T0, modifiedAt: T0, attrs: { [V + 'a']: [{ type: 'Property', value: 1, createdAt: T0, modifiedAt: T0 }] } };
      const e3: EntityRecord = { id: 'urn:t:3', types: [V + 'T'], createdAt: T0, modifiedAt: T0, attrs: { [V + 'a']: [{ type: 'Property', value: 1 }] } };
      await s.withTransaction(async (tx) => { for (const e of [e1, e2, e3]) await tx.entities.insert('times', e); });
      for (const e of [e1, e2, e3]) {
        const { rev: _r, born: _b, ...got } = (await s.entities.get('times', e.id))!;
        assert.deepEqual(got, e, `${e.id} reads back as written`);
      }
      const dt = (v: string) => ({ t: 'datetime' as const, v });
      const t = async (tree: QNode) => (await s.entities.query('times', { q: q(tree) }, { limit: 100, offset: 0, count: false })).entities.map((e) => e.id.slice(6)).sort();
      const c = (attr: string, member: string, op: '==' | '>' | '<', v: string): QNode => ({ kind: 'cmp', path: at(attr, [member]), op, value: dt(v) });
      assert.deepEqual(await t(c('a', 'modifiedAt', '==', T2)), ['1']);
      assert.deepEqual(await t(c('a', 'modifiedAt', '<', T1)), ['2']);
      assert.deepEqual(await t(c('a', 'createdAt', '==', T0)), ['1', '2'], 'urn:t:3\'s instance has no createdAt');
      assert.deepEqual(await t(c('b', 'modifiedAt', '==', T1)), ['1']);
      assert.deepEqual(await t(c('b', 'createdAt', '==', T0)), ['1']);
      assert.deepEqual(await t(c('c', 'createdAt', '>', T0)), ['1']);
      assert.deepEqual(await t(c('r', 'modifiedAt', '==', T2)), ['1'], 'the default instance');
      assert.deepEqual(await t({ kind: 'exists', path: at('a', ['modifiedAt']) }), ['1', '2']);
      const order = async (desc: boolean) => (await s.entities.queryKeys('times', { order: [{ path: at(V + 'a', ['modifiedAt']), desc }] }, { limit: 10, offset: 0, count: false })).keys.map((k) => k.id.slice(6));
      assert.deepEqual(await order(false), ['2', '1', '3']);
      assert.deepEqual(await order(true), ['1', '2', '3'], 'absent last');
      const types = (await s.entities.typeAttributes('times')).map((r) => `${r.attr.replace(V, '')} ${r.attrType} ${r.entities}`);
      assert.deepEqual(types, ['0digit Property 1', 'a Property 3', 'b Property 1', 'c Property 1', 'r Relationship 1']);
      assert.deepEqual((await s.entities.attributeCounts('times')).map((r) => `${r.attr.replace(V, '')} ${r.entities}`), ['0digit 1', 'a 3', 'b 1', 'c 1', 'r 1']);
    });

    test('[4.23] orderBy with a q on an indexed attribute, a geo filter or a scope filter still sorts every match', async () => {
      await s.ensureAttributeIndexes([V + 'g']);
      await s.withTransaction(async (tx) => {
        for (let i = 0; i < 6; i++) {
          const r = rec(`urn:g:${i}`, { g: { value: i % 2 }, w: { value: 10 - i } });
          r.types = [V + 'G'];
          r.scopes = ['/x'];
          r.attrs['https://uri.etsi.org/ngsi-ld/location'] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7 + i * 0.01, 51] }, createdAt: T0, modifiedAt: T0 }];
          await tx.entities.insert('geo', r);
        }
      });
      const w = { path: { attr: V + 'w', sub: [], compound: [] }, desc: false };
      const keys = async (f: EntityFilter) => (await s.entities.queryKeys('geo', { ...f, order: [w] }, { limit: 10, offset: 0, count: false })).keys.map((k) => k.id.slice(6));
      assert.deepEqual(await keys({ q: q(cmp('g', '==', 1)) }), ['5', '3', '1']);
      assert.deepEqual(await keys({ geo: { property: 'https://uri.etsi.org/ngsi-ld/location', bbox: [6, 50, 8, 52], predicate: () => true } }), ['5', '4', '3', '2', '1', '0']);
      assert.deepEqual(await keys({ scopeQ: { kind: 'scope', segments: ['x'] } }), ['5', '4', '3', '2', '1', '0']);
      const full = await s.entities.query('geo', { geo: { property: 'https://uri.etsi.org/ngsi-ld/location', bbox: [6, 50, 8, 52], predicate: () => true }, order: [{ ...w, desc: true }] }, { limit: 3, offset: 0, count: true });
      assert.deepEqual(full.entities.map((e) => e.id.slice(6)), ['0', '1', '2']);
      assert.equal(full.count, 6);
    });

    test('[4.23] orderBy by distance: the meters function orders the matches (no GeoProperty last, ties by id), with paging, a filter and count', async () => {
      const LOC = 'https://uri.etsi.org/ngsi-ld/location';
      await s.withTransaction(async (tx) => {
        for (const [id, x] of [['a', 3], ['b', 1], ['c', 2], ['d', 1], ['e', undefined], ['f', 5]] as const) {
          const r = rec(`urn:d:${id}`, { k: { value: id === 'f' ? 0 : 1 } });
          if (x !== undefined) r.attrs[LOC] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [x, 0] }, createdAt: T0, modifiedAt: T0 }];
          await tx.entities.insert('dist', r);
        }
      });
      // The distance is the x coordinate here: the adapters must order by what the function says.
      const meters = (g: unknown) => (g as { coordinates: number[] }).coordinates[0];
      const page = async (desc: boolean, offset: number, limit: number, f: EntityFilter = {}) => {
        const r = await s.entities.queryKeys('dist', { ...f, order: [{ desc, distance: { property: LOC, meters } }] }, { limit, offset, count: true });
        return { ids: r.keys.map((k) => k.id.slice(6)), count: r.count };
      };
      assert.deepEqual(await page(false, 0, 10), { ids: ['b', 'd', 'c', 'a', 'f', 'e'], count: 6 });
      assert.deepEqual(await page(true, 0, 10), { ids: ['f', 'a', 'c', 'b', 'd', 'e'], count: 6 }, 'descending: ties still by id, no distance still last');
      assert.deepEqual(await page(false, 1, 2), { ids: ['d', 'c'], count: 6 });
      assert.deepEqual(await page(false, 0, 10, { q: q(cmp('k', '==', 1)) }), { ids: ['b', 'd', 'c', 'a', 'e'], count: 5 });
      const full = await s.entities.query('dist', { order: [{ desc: false, distance: { property: LOC, meters } }] }, { limit: 3, offset: 0, count: false });
      assert.deepEqual(full.entities.map((e) => e.id.slice(6)), ['b', 'd', 'c']);
    });

    test('[4.5.1] transient entities: expiresAt stored and read back; an expired one is left out of get, getMany, versionOf, queries, counts and type counts, and listed by expired()', async () => {
      await s.withTransaction(async (tx) => {
        const a = rec('urn:x:alive', { k: { value: 1 } });
        a.expiresAt = '2999-01-01T00:00:00.000Z';
        const b = rec('urn:x:gone', { k: { value: 1 } });
        b.expiresAt = '2001-01-01T00:00:00.000Z';
        await tx.entities.insert('exp', a);
        await tx.entities.insert('exp', b);
        await tx.entities.insert('exp', rec('urn:x:plain', { k: { value: 1 } }));
      });
      assert.equal((await s.entities.get('exp', 'urn:x:alive'))?.expiresAt, '2999-01-01T00:00:00.000Z');
      assert.equal(await s.entities.get('exp', 'urn:x:gone'), undefined);
      assert.equal(await s.entities.versionOf('exp', 'urn:x:gone'), undefined);
      assert.deepEqual((await s.entities.getMany('exp', ['urn:x:gone', 'urn:x:plain'])).map((e) => e.id), ['urn:x:plain']);
      const r = await s.entities.queryKeys('exp', { types: { kind: 'type', name: V + 'Q' } }, { limit: 10, offset: 0, count: true });
      assert.deepEqual(r.keys.map((k) => k.id).sort(), ['urn:x:alive', 'urn:x:plain']);
      assert.equal(r.count, 2, 'the kept count of the type leaves the expired entity out');
      assert.equal((await s.entities.query('exp', { q: q(cmp('k', '==', 1)) }, { limit: 10, offset: 0, count: true })).count, 2);
      assert.deepEqual(await s.entities.typeCounts('exp'), [{ type: V + 'Q', entities: 2 }]);
      assert.deepEqual((await s.entities.expired('2026-01-01T00:00:00.000Z', 10)).filter((x) => x.tenant === 'exp'), [{ tenant: 'exp', id: 'urn:x:gone' }]);
      // A transaction still sees it (the service deletes it there, with its notifications).
      assert.equal((await s.withTransaction((tx) => tx.entities.get('exp', 'urn:x:gone')))?.id, 'urn:x:gone');
    });
  });
}
