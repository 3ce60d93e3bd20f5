// SQLite migrations on files that already hold entities: 010 back-fills the kept counts, 011 moves
// the geo R*Tree to three dimensions (the entity key as the third) without losing an entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOC = 'https://uri.etsi.org/ngsi-ld/location';

test('migrations 010 and 011 back-fill the kept counts and the keyed geo index of existing entities', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-mig-'));
  try {
    const now = new Date().toISOString();
    const before = SqliteStorage.inDataDir(dir);
    await before.withTransaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        await tx.entities.insert('', { id: `urn:m:${i}`, types: i % 3 ? [V + 'A'] : [V + 'A', V + 'B'], createdAt: now, modifiedAt: now,
          attrs: { [LOC]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7 + i * 0.001, 51] } }] } });
      }
    });
    await before.close();
    // Back to the file as migration 009 left it: no counts, a two-dimensional R*Tree.
    const db = new Database(join(dir, 'drehscheibe.sqlite'));
    db.exec(`DROP TRIGGER entity_types_count_insert; DROP TRIGGER entity_types_count_delete; DROP TRIGGER entities_count_insert;
      DROP TRIGGER entities_count_delete; DROP TABLE entity_counts;
      CREATE VIRTUAL TABLE geo_2d USING rtree (gid, min_x, max_x, min_y, max_y);
      INSERT INTO geo_2d SELECT gid, min_x, max_x, min_y, max_y FROM geo_index; DROP TABLE geo_index; ALTER TABLE geo_2d RENAME TO geo_index;
      DELETE FROM schema_migrations WHERE version IN (10, 11)`);
    db.close();

    const s = SqliteStorage.inDataDir(dir);
    try {
      const count = async (f: object) => (await s.entities.queryKeys('', f, { limit: 0, offset: 0, count: true })).count;
      assert.equal(await count({ types: { kind: 'type', name: V + 'A' } }), 30);
      assert.equal(await count({ types: { kind: 'type', name: V + 'B' } }), 10);
      assert.equal(await count({}), 30);
      const geo = { property: LOC, bbox: [7.0095, 50.9, 7.0205, 51.1] as [number, number, number, number], predicate: () => true };
      const page = await s.entities.queryKeys('', { geo }, { limit: 5, offset: 2, count: false });
      assert.deepEqual(page.keys.map((k) => k.id), ['urn:m:12', 'urn:m:13', 'urn:m:14', 'urn:m:15', 'urn:m:16'], 'the third to seventh entity in the window, in key order');
      await s.withTransaction((tx) => tx.entities.delete('', 'urn:m:12'));
      assert.equal(await count({ types: { kind: 'type', name: V + 'B' } }), 9, 'the counts are kept after the upgrade');
      assert.deepEqual((await s.entities.queryKeys('', { geo }, { limit: 2, offset: 2, count: false })).keys.map((k) => k.id), ['urn:m:13', 'urn:m:14'], 'urn:m:12 is gone');
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migration 013 compacts existing documents: every entity reads back as before (members in order), queries and value indexes answer the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-mig-'));
  try {
    const t0 = '2026-12-01T10:00:00.000Z';
    const t1 = '2026-12-02T10:00:00.000Z';
    const before = SqliteStorage.inDataDir(dir);
    await before.ensureAttributeIndexes([V + 'status']);
    await before.withTransaction(async (tx) => {
      for (let i = 0; i < 40; i++) {
        await tx.entities.insert('', { id: `urn:c:${i}`, types: [V + 'A'], createdAt: t0, modifiedAt: i % 2 ? t1 : t0, attrs: {
          [V + 'status']: [{ type: 'Property', value: i % 4 === 0 ? 'maintenance' : 'ok', createdAt: t0, modifiedAt: t0 }],
          [V + 'n']: [{ type: 'Property', value: i, observedAt: t1, unitCode: 'CEL', createdAt: t0, modifiedAt: i % 2 ? t1 : t0 }],
          [V + 'ref']: [{ type: 'Relationship', object: `urn:d:${i % 3}`, createdAt: i % 5 ? t0 : t1, modifiedAt: t1 }],
          [LOC]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [7 + i * 0.001, 51] }, createdAt: t0, modifiedAt: t0 }],
        } });
      }
    });
    const all = async (s: SqliteStorage) => (await s.entities.query('', {}, { limit: 1000, offset: 0, count: false })).entities.map((e) => JSON.stringify(e));
    const expected = await all(before);
    await before.close();
    // Back to the documents as migration 012 left them: the attributes as written, full names.
    const db = new Database(join(dir, 'drehscheibe.sqlite'));
    const old = expected.map((t) => JSON.parse(t) as { id: string; attrs: unknown });
    const put = db.prepare("UPDATE entities SET doc = jsonb(?) WHERE tenant = '' AND id = ?");
    for (const e of old) put.run(JSON.stringify(e.attrs), e.id);
    db.exec('DELETE FROM schema_migrations WHERE version = 13');
    const oldSize = (db.prepare('SELECT sum(length(doc)) AS n FROM entities').get() as { n: number }).n;
    db.close();

    const s = SqliteStorage.inDataDir(dir);
    try {
      assert.deepEqual(await all(s), expected);
      const check = new Database(join(dir, 'drehscheibe.sqlite'), { readonly: true });
      const newSize = (check.prepare('SELECT sum(length(doc)) AS n FROM entities').get() as { n: number }).n;
      const indexes = (check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'ix_attr_%'").get() as { n: number }).n;
      check.close();
      assert.ok(newSize < oldSize * 0.6, `documents ${oldSize} → ${newSize} bytes`);
      assert.equal(indexes, 0, 'the value indexes of the old keys are dropped (start-up creates them again)');
      await s.ensureAttributeIndexes([V + 'status']);
      const ids = async (q: object) => (await s.entities.queryKeys('', { q } as never, { limit: 100, offset: 0, count: true }));
      const maint = await ids({ kind: 'cmp', path: { attr: V + 'status', sub: [], compound: [] }, op: '==', value: { t: 'string', v: 'maintenance' } });
      assert.equal(maint.count, 10);
      const late = await ids({ kind: 'cmp', path: { attr: V + 'ref', sub: ['createdAt'], compound: [] }, op: '==', value: { t: 'datetime', v: t1 } });
      assert.deepEqual(late.keys.map((k) => k.id), ['urn:c:0', 'urn:c:5', 'urn:c:10', 'urn:c:15', 'urn:c:20', 'urn:c:25', 'urn:c:30', 'urn:c:35']);
      const modified = await ids({ kind: 'cmp', path: { attr: V + 'n', sub: ['modifiedAt'], compound: [] }, op: '==', value: { t: 'datetime', v: t1 } });
      assert.equal(modified.count, 20);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
