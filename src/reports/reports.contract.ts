// The reports-store contract: one suite every adapter must pass unchanged (SQLite, PostgreSQL).
// Register it with a factory that opens a fresh, empty store.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { NewReport, ReportStore } from './reports.port.ts';

export interface ReportStoreFactory {
  open(): Promise<ReportStore>;
  destroy(s: ReportStore): Promise<void>;
}

const rep = (extra: Partial<NewReport> = {}): NewReport => ({ category: 'schlagloch', description: 'Tiefes Loch', lat: 51.538, lon: 7.22, requestedAt: '2026-12-01T10:00:00.000Z', source: 'web', ...extra });

export function reportStoreContract(name: string, factory: ReportStoreFactory): void {
  describe(`reports store contract: ${name}`, () => {
    let s: ReportStore;
    before(async () => { s = await factory.open(); });
    after(async () => { await factory.destroy(s); });

    test('create assigns ids from 1, stores contact and photo apart from the public record', async () => {
      const a = await s.create(rep({ address: 'Bahnhofstraße 1', department: 'Tiefbau' }), { email: 'a@example.org', firstName: 'Ada' },
        { contentType: 'image/jpeg', width: 4, height: 3, data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
      assert.equal(a.id, '1');
      assert.deepEqual(a, {
        id: '1', category: 'schlagloch', description: 'Tiefes Loch', lat: 51.538, lon: 7.22, address: 'Bahnhofstraße 1', department: 'Tiefbau', status: 'received',
        requestedAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z', source: 'web', photo: { state: 'pending', contentType: 'image/jpeg', width: 4, height: 3, bytes: 4 },
      });
      assert.deepEqual(await s.get('1'), a);
      assert.equal(JSON.stringify(await s.get('1')).includes('example.org'), false);
      assert.deepEqual(await s.contact('1'), { email: 'a@example.org', firstName: 'Ada' });
      const p = await s.photo('1');
      assert.equal(p?.contentType, 'image/jpeg');
      assert.deepEqual([...p!.data], [0xff, 0xd8, 0xff, 0xd9]);
      const b = await s.create(rep({ lat: undefined, lon: undefined, address: 'Am Markt', requestedAt: '2026-12-02T10:00:00.000Z', category: 'graffiti' }), undefined, undefined);
      assert.equal(b.id, '2');
      assert.equal(b.lat, undefined);
      assert.equal(await s.contact('2'), undefined);
      assert.equal(await s.photo('2'), undefined);
      assert.equal(await s.get('99'), undefined);
      assert.equal(await s.get('abc'), undefined);
    });

    test('list is newest first and filters by status, category, ids, date range and box; count agrees', async () => {
      await s.create(rep({ requestedAt: '2026-12-03T10:00:00.000Z', lat: 51.6, lon: 7.3 }), undefined, undefined);
      const ids = async (f: Parameters<ReportStore['list']>[0]) => (await s.list(f, { limit: 100, offset: 0 })).map((r) => r.id);
      assert.deepEqual(await ids({}), ['3', '2', '1']);
      assert.deepEqual(await ids({ categories: ['graffiti'] }), ['2']);
      assert.deepEqual(await ids({ ids: ['1', '3', 'x', '77'] }), ['3', '1']);
      assert.deepEqual(await ids({ from: '2026-12-02T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' }), ['2']);
      assert.deepEqual(await ids({ bbox: { minLat: 51.5, maxLat: 51.55, minLon: 7.2, maxLon: 7.25 } }), ['1']);
      assert.deepEqual(await ids({ statuses: ['done'] }), []);
      assert.deepEqual(await ids({ statuses: [] }), []);
      assert.deepEqual((await s.list({}, { limit: 1, offset: 1 })).map((r) => r.id), ['2']);
      assert.equal(await s.count({ categories: ['schlagloch'] }), 2);
      assert.equal(await s.count({}), 3);
    });

    test('update moves the status, keeps a history, and refuses a stale updatedAt', async () => {
      const r = await s.update('1', { status: 'in_progress', statusNote: 'Kolonne ist informiert', department: 'Straßenbau' }, { at: '2026-12-04T08:00:00.000Z', by: 'user:m1' });
      assert.equal(r.status, 'in_progress');
      assert.equal(r.updatedAt, '2026-12-04T08:00:00.000Z');
      assert.equal(r.department, 'Straßenbau');
      await assert.rejects(s.update('1', { status: 'done' }, { at: '2026-12-04T09:00:00.000Z', by: 'user:m1' }, '2026-12-01T10:00:00.000Z'), StorageConflict);
      await assert.rejects(s.update('42', { status: 'done' }, { at: '2026-12-04T09:00:00.000Z', by: 'user:m1' }), StorageNotFound);
      await s.update('1', { answer: 'Danke!' }, { at: '2026-12-04T09:00:00.000Z', by: 'user:m1' }, '2026-12-04T08:00:00.000Z');
      await s.update('1', { status: 'done', statusNote: null }, { at: '2026-12-05T09:00:00.000Z', by: 'user:m1' });
      const got = await s.get('1');
      assert.equal(got?.answer, 'Danke!');
      assert.equal(got?.statusNote, undefined);
      assert.deepEqual(await s.history('1'), [
        { at: '2026-12-01T10:00:00.000Z', status: 'received', by: 'web' },
        { at: '2026-12-04T08:00:00.000Z', status: 'in_progress', note: 'Kolonne ist informiert', by: 'user:m1' },
        { at: '2026-12-05T09:00:00.000Z', status: 'done', by: 'user:m1' },
      ]);
      assert.deepEqual((await s.list({ statuses: ['done', 'rejected'] }, { limit: 10, offset: 0 })).map((x) => x.id), ['1']);
    });

    test('photos wait for a moderator; releasing one takes it off the pending list', async () => {
      assert.deepEqual((await s.pendingPhotos(10)).map((r) => r.id), ['1']);
      const r = await s.update('1', { photoState: 'released' }, { at: '2026-12-05T10:00:00.000Z', by: 'user:m1' });
      assert.equal(r.photo?.state, 'released');
      assert.deepEqual(await s.pendingPhotos(10), []);
      assert.equal((await s.history('1')).length, 3);
    });

    test('clusters group reports on a grid inside the box; a single report carries its id', async () => {
      await s.create(rep({ lat: 51.5381, lon: 7.2201, requestedAt: '2026-12-06T10:00:00.000Z' }), undefined, undefined);
      const box = { minLat: 51.4, maxLat: 51.7, minLon: 7.1, maxLon: 7.4 };
      const c = await s.clusters({ bbox: box }, 0.05);
      assert.deepEqual(c.map((x) => x.count).sort(), [1, 2]);
      const pair = c.find((x) => x.count === 2)!;
      assert.ok(Math.abs(pair.lat - 51.53805) < 1e-6 && pair.id === undefined);
      assert.equal(c.find((x) => x.count === 1)!.id, '3');
      assert.deepEqual((await s.clusters({ bbox: box, categories: ['graffiti'] }, 0.05)), []);
    });

    test('categories are undefined until replaced', async () => {
      assert.equal(await s.categories(), undefined);
      const list = [{ code: 'x', group: 'g', name: { de: 'X', en: 'X' }, description: { de: 'd', en: 'e' } }];
      await s.putCategories(list);
      assert.deepEqual(await s.categories(), list);
    });

    test('parallel creates get distinct ids', async () => {
      const made = await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(rep({ requestedAt: `2026-12-07T10:00:0${i}.000Z` }), undefined, undefined)));
      assert.equal(new Set(made.map((r) => r.id)).size, 10);
    });
  });
}
