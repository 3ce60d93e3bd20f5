// The history contract (port.temporal.ts): one suite every storage adapter must pass unchanged.
// Register it with the same factory as the entity contract (a fresh, empty store per suite).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AttrInstance, StoragePort } from '../port.ts';
import type { HistoryEntry, TemporalSeries, TimeWindow } from '../port.temporal.ts';
import type { StorageFactory } from './entities.contract.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const T = V + 'T';
const TEMP = V + 'temperature';
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (min: number) => iso(BASE + min * 60_000);

function num(v: number, min: number, extra: Partial<AttrInstance> = {}): HistoryEntry {
  return { attr: TEMP, instance: { type: 'Property', value: v, observedAt: at(min), ...extra } };
}

export function temporalStoreContract(name: string, factory: StorageFactory): void {
  describe(`temporal store contract (${name})`, () => {
    let s: StoragePort;
    const series = async (id: string, tenant = 'c'): Promise<TemporalSeries[]> => (await s.temporal.getEntity(tenant, id))?.series ?? [];
    const temp = async (id: string, datasetId?: string) => (await series(id)).find((x) => x.attr === TEMP && x.datasetId === datasetId)!;

    before(async () => {
      s = await factory.open();
      await s.withTransaction(async (tx) => {
        const values: HistoryEntry[] = [];
        for (let i = 0; i < 120; i++) values.push(num(i % 10, i, { unitCode: 'CEL' }));
        assert.equal(await tx.history.append('c', { id: 'urn:e:1', types: [T] }, values, at(200)), true);
        await tx.history.append('c', { id: 'urn:e:1', types: [T] }, [
          num(99, 5, { datasetId: 'urn:ds:b' }),
          { attr: V + 'status', instance: { type: 'Property', value: 'ok', observedAt: at(3) } },
          { attr: V + 'on', instance: { type: 'Property', value: true, observedAt: at(4) } },
          { attr: V + 'owner', instance: { type: 'Relationship', object: 'urn:o:1', observedAt: at(4) } },
        ], at(200));
      });
    });
    after(async () => { await factory.destroy(s); });

    test('append reports a new entity once, and the types accumulate', async () => {
      const again = await s.withTransaction((tx) => tx.history.append('c', { id: 'urn:e:1', types: [V + 'U'] }, [], at(201)));
      assert.equal(again, false);
      const e = await s.temporal.getEntity('c', 'urn:e:1');
      assert.deepEqual(e?.types, [T, V + 'U']);
      assert.equal(await s.temporal.getEntity('other', 'urn:e:1'), undefined);
    });

    test('series are listed per attribute and datasetId', async () => {
      const list = (await series('urn:e:1')).map((x) => `${x.attr.slice(V.length)}|${x.datasetId ?? ''}`);
      assert.deepEqual(list, ['on|', 'owner|', 'status|', 'temperature|', 'temperature|urn:ds:b']);
    });

    test('instances round-trip values, units, types and observedAt in time order', async () => {
      const list = await s.temporal.instances(await temp('urn:e:1'), { window: { property: 'observedAt' }, limit: 3 });
      assert.deepEqual(list.map((i) => [i.instance.value, i.instance.observedAt, i.instance.unitCode]), [[0, at(0), 'CEL'], [1, at(1), 'CEL'], [2, at(2), 'CEL']]);
      assert.equal(list[0].instance.createdAt, at(200));
      const on = (await series('urn:e:1')).find((x) => x.attr === V + 'on')!;
      assert.equal((await s.temporal.instances(on, { window: { property: 'observedAt' }, limit: 5 }))[0].instance.value, true);
      const owner = (await series('urn:e:1')).find((x) => x.attr === V + 'owner')!;
      const rel = (await s.temporal.instances(owner, { window: { property: 'observedAt' }, limit: 5 }))[0].instance;
      assert.equal(rel.type, 'Relationship');
      assert.equal(rel.object, 'urn:o:1');
      const b = await s.temporal.instances(await temp('urn:e:1', 'urn:ds:b'), { window: { property: 'observedAt' }, limit: 5 });
      assert.equal(b[0].instance.datasetId, 'urn:ds:b');
    });

    test('every instance is kept: same time as an earlier one, later, back-filled, and moved by a patch', async () => {
      const id = 'urn:e:times';
      const write = (entries: HistoryEntry[]) => s.withTransaction((tx) => tx.history.append('c', { id, types: [T] }, entries, at(3000)));
      await write([num(1, 1000)]);
      await write([num(2, 1000), num(3, 1001)]);
      await write([num(4, 999), num(5, 1000), num(6, 1002)]);
      const t = await temp(id);
      const all = async () => (await s.temporal.instances(t, { window: { property: 'observedAt' }, limit: 100 }))
        .map((i) => `${i.instance.value}@${(i.instance.observedAt as string).slice(11, 16)}`);
      assert.deepEqual((await all()).sort(), ['1@16:40', '2@16:40', '3@16:41', '4@16:39', '5@16:40', '6@16:42'].sort());
      // Moving an instance past every other one, then writing at that time, keeps both.
      const first = (await s.temporal.instances(t, { window: { property: 'observedAt' }, limit: 1 }))[0];
      const moved = await s.withTransaction((tx) => tx.history.patchInstance('c', id, TEMP, first.instanceId, (old) => ({ ...old, observedAt: at(2000) }), at(3001)));
      assert.equal(moved, true);
      await write([num(7, 2000)]);
      const after = await all();
      assert.equal(after.length, 7);
      assert.deepEqual(after.filter((x) => x.endsWith('@09:20')).sort(), ['4@09:20', '7@09:20']);
    });

    test('instants repeated within one transaction, across a savepoint, and shared by other attributes are all kept', async () => {
      const id = 'urn:e:repeat';
      const hum = (v: number, min: number): HistoryEntry => ({ attr: V + 'humidity', instance: { type: 'Property', value: v, observedAt: at(min) } });
      await s.withTransaction(async (tx) => {
        await tx.history.append('c', { id, types: [T] }, [num(1, 500), hum(10, 500)], at(3000));
        await tx.history.append('c', { id, types: [T] }, [num(2, 500), hum(20, 500)], at(3000));
        await tx.savepoint(async () => { await tx.history.append('c', { id, types: [T] }, [num(3, 500), num(4, 501)], at(3000)); });
        await tx.history.append('c', { id, types: [T] }, [num(5, 501), num(6, 499)], at(3000));
      });
      // A later transaction at the same instants, and one past them.
      await s.withTransaction((tx) => tx.history.append('c', { id, types: [T] }, [num(7, 501), hum(30, 500), num(8, 502)], at(3001)));
      const values = async (attr: string) => {
        const sr = (await series(id)).find((x) => x.attr === attr)!;
        return (await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 100 })).map((i) => `${i.instance.value}@${(i.instance.observedAt as string).slice(11, 16)}`).sort();
      };
      assert.deepEqual(await values(TEMP), ['1@08:20', '2@08:20', '3@08:20', '4@08:21', '5@08:21', '6@08:19', '7@08:21', '8@08:22'].sort());
      assert.deepEqual(await values(V + 'humidity'), ['10@08:20', '20@08:20', '30@08:20']);
    });

    test('windows, newest-first limits and keyset paging', async () => {
      const sr = await temp('urn:e:1');
      const w = await s.temporal.instances(sr, { window: { property: 'observedAt', gte: BASE + 10 * 60_000, lt: BASE + 13 * 60_000 }, limit: 100 });
      assert.deepEqual(w.map((i) => i.instance.observedAt), [at(10), at(11), at(12)]);
      const gt = await s.temporal.instances(sr, { window: { property: 'observedAt', gt: BASE + 118 * 60_000 }, limit: 100 });
      assert.deepEqual(gt.map((i) => i.instance.observedAt), [at(119)]);
      const last = await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 3, newest: true });
      assert.deepEqual(last.map((i) => i.instance.observedAt), [at(117), at(118), at(119)]);
      const page2 = await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 2, after: w[0].cursor });
      assert.deepEqual(page2.map((i) => i.instance.observedAt), [at(11), at(12)]);
      assert.deepEqual(await s.temporal.span(sr, { property: 'observedAt' }), { first: BASE, last: BASE + 119 * 60_000 });
    });

    test('export pages: values, units and times as instances has them, keyset pages without gaps or repeats', async () => {
      const all = async (sr: TemporalSeries, window: TimeWindow, limit: number) => {
        const out: Array<[number, unknown, string | null]> = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const p = await s.temporal.exportValues(sr, { window, limit, after });
          assert.ok(p.values.length <= limit);
          out.push(...p.values.map((v): [number, unknown, string | null] => [v.time, v.value, v.unitCode]));
          after = p.next;
          assert.ok(++pages < 1000, 'pages end');
        } while (after);
        return out;
      };
      const sr = await temp('urn:e:1');
      const expected = (await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 1000 }))
        .map((i): [number, unknown, string | null] => [Date.parse(i.instance.observedAt as string), i.instance.value, (i.instance.unitCode as string | undefined) ?? null]);
      assert.equal(expected.length, 120);
      assert.deepEqual(await all(sr, { property: 'observedAt' }, 7), expected);
      assert.deepEqual(await all(sr, { property: 'observedAt' }, 120), expected, 'a last page that is exactly full');
      assert.deepEqual(await all(sr, { property: 'observedAt', gte: BASE + 10 * 60_000, lt: BASE + 13 * 60_000 }, 2), expected.slice(10, 13));
      // Instances sharing an instant (told apart by seq) are neither dropped nor repeated at a page boundary.
      const rep = (await series('urn:e:repeat')).find((x) => x.attr === TEMP)!;
      const values = await all(rep, { property: 'observedAt' }, 2);
      assert.deepEqual(values.map((v) => v[1]).sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(values.map((v) => v[0]), [...values.map((v) => v[0])].sort((a, b) => a - b), 'in time order');
      // Other value kinds: the value member of each type.
      const of = async (attr: string) => (await all((await series('urn:e:1')).find((x) => x.attr === V + attr)!, { property: 'observedAt' }, 10)).map((v) => v[1]);
      assert.deepEqual(await of('on'), [true]);
      assert.deepEqual(await of('status'), ['ok']);
      assert.deepEqual(await of('owner'), ['urn:o:1']);
    });

    test('aggregates per period match values computed here', async () => {
      const sr = await temp('urn:e:1');
      const bounds: Array<[number, number]> = [[BASE, BASE + 30 * 60_000], [BASE + 30 * 60_000, BASE + 60 * 60_000], [BASE + 500 * 60_000, BASE + 600 * 60_000]];
      const rows = await s.temporal.aggregate(sr, { window: { property: 'observedAt' }, methods: ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'sumsq', 'varianceSum', 'stddev'], bounds });
      assert.deepEqual(rows.map((r) => r.period), [0, 1], 'empty periods are left out');
      const xs = Array.from({ length: 30 }, (_, i) => i % 10);
      const mean = xs.reduce((a, b) => a + b, 0) / 30;
      const vs = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
      const v = rows[0].values;
      assert.equal(v.totalCount, 30);
      assert.equal(v.distinctCount, 10);
      assert.equal(v.sum, 135);
      assert.equal(v.avg, 4.5);
      assert.equal(v.min, 0);
      assert.equal(v.max, 9);
      assert.equal(v.sumsq, xs.reduce((a, b) => a + b * b, 0));
      assert.ok(Math.abs((v.varianceSum as number) - vs) < 1e-9);
      assert.ok(Math.abs((v.stddev as number) - Math.sqrt(vs / 29)) < 1e-9);
    });

    test('string values aggregate by count and lexical min/max only', async () => {
      const st = (await series('urn:e:1')).find((x) => x.attr === V + 'status')!;
      const [r] = await s.temporal.aggregate(st, { window: { property: 'observedAt' }, methods: ['totalCount', 'min', 'avg'], bounds: [[BASE, BASE + 3600_000]] });
      assert.deepEqual(r.values, { totalCount: 1, min: 'ok', avg: null });
    });

    test('patch, delete instance, delete attribute and entity history', async () => {
      await s.withTransaction((tx) => tx.history.append('c', { id: 'urn:e:2', types: [T] }, [num(1, 0), num(2, 1), num(3, 2)], at(10)));
      const sr = await temp('urn:e:2');
      const [a, b] = await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 10 });
      const patched = await s.withTransaction((tx) => tx.history.patchInstance('c', 'urn:e:2', TEMP, a.instanceId, (old) => ({ ...old, value: 10 }), at(20)));
      assert.equal(patched, true);
      const after1 = await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 10 });
      assert.equal(after1[0].instance.value, 10);
      assert.equal(after1[0].instance.modifiedAt, at(20));
      assert.equal(after1[0].instanceId, a.instanceId);
      assert.equal(await s.withTransaction((tx) => tx.history.deleteInstance('c', 'urn:e:2', TEMP, b.instanceId)), true);
      assert.equal(await s.withTransaction((tx) => tx.history.deleteInstance('c', 'urn:e:2', TEMP, b.instanceId)), false);
      assert.equal(await s.withTransaction((tx) => tx.history.deleteInstance('c', 'urn:e:2', V + 'other', a.instanceId)), false);
      assert.equal((await s.temporal.instances(sr, { window: { property: 'observedAt' }, limit: 10 })).length, 2);
      assert.equal(await s.withTransaction((tx) => tx.history.deleteAttr('c', 'urn:e:2', TEMP, undefined)), true);
      assert.deepEqual(await series('urn:e:2'), []);
      assert.equal(await s.withTransaction((tx) => tx.history.deleteEntity('c', 'urn:e:2')), true);
      assert.equal(await s.temporal.getEntity('c', 'urn:e:2'), undefined);
    });

    test('deletion markers carry deletedAt and are found by timeproperty=deletedAt', async () => {
      await s.withTransaction(async (tx) => {
        await tx.history.append('c', { id: 'urn:e:3', types: [T] }, [num(1, 0)], at(1));
        await tx.history.record('c', { id: 'urn:e:3', types: [T], deleted: true }, [{ attr: TEMP, instance: { type: 'Property' }, deleted: true }], at(5));
      });
      const e = await s.temporal.getEntity('c', 'urn:e:3');
      assert.equal(e?.deletedAt, at(5));
      const sr = await temp('urn:e:3');
      const del = await s.temporal.instances(sr, { window: { property: 'deletedAt' }, limit: 10 });
      assert.deepEqual(del.map((i) => [i.instance.value, i.instance.deletedAt, i.deleted]), [['urn:ngsi-ld:null', at(5), true]]);
      const [agg] = await s.temporal.aggregate(sr, { window: { property: 'observedAt' }, methods: ['totalCount'], bounds: [[BASE, BASE + 3600_000]] });
      assert.equal(agg.values.totalCount, 1, 'markers are not counted');
      const exported = await s.temporal.exportValues(sr, { window: { property: 'observedAt' }, limit: 10 });
      assert.deepEqual(exported.values.map((v) => v.value), [1], 'exports leave markers out');
    });

    test('a rolled-back savepoint leaves no history, and new attribute names stay usable', async () => {
      const NEW = V + 'brandNew';
      await s.withTransaction(async (tx) => {
        await assert.rejects(tx.savepoint(async () => {
          await tx.history.append('c', { id: 'urn:e:4', types: [T] }, [{ attr: NEW, instance: { type: 'Property', value: 1, observedAt: at(0) } }], at(1));
          throw new Error('undo');
        }));
        await tx.history.append('c', { id: 'urn:e:4', types: [T] }, [{ attr: V + 'other', instance: { type: 'Property', value: 2, observedAt: at(0) } }], at(1));
        await tx.history.append('c', { id: 'urn:e:4', types: [T] }, [{ attr: NEW, instance: { type: 'Property', value: 3, observedAt: at(0) } }], at(1));
      });
      const list = await series('urn:e:4');
      assert.deepEqual(list.map((x) => x.attr).sort(), [NEW, V + 'other']);
      const v = await s.temporal.instances(list.find((x) => x.attr === NEW)!, { window: { property: 'observedAt' }, limit: 5 });
      assert.deepEqual(v.map((i) => i.instance.value), [3]);
    });

    test('retention helpers list entities and drop instances older than a cutoff', async () => {
      const list = await s.withTransaction((tx) => tx.history.listEntities(0, 100));
      const e1 = list.find((x) => x.types.includes(T))!;
      const removed = await s.withTransaction((tx) => tx.history.deleteBefore(e1.key, BASE + 100 * 60_000));
      assert.ok(removed >= 100);
      const sr = await temp('urn:e:1');
      assert.equal((await s.temporal.span(sr, { property: 'observedAt' }))?.first, BASE + 100 * 60_000);
    });

    test('queryEntities filters by type, id and attrs and counts', async () => {
      const res = await s.temporal.queryEntities('c', { types: { kind: 'type', name: T }, anyAttrs: [V + 'brandNew'] }, { limit: 10, offset: 0, count: true });
      assert.deepEqual(res.entities.map((e) => e.id), ['urn:e:4']);
      assert.equal(res.count, 1);
      const byId = await s.temporal.queryEntities('c', { ids: ['urn:e:3'] }, { limit: 10, offset: 0, count: false });
      assert.deepEqual(byId.entities.map((e) => e.id), ['urn:e:3']);
    });
  });
}
