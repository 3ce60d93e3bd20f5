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
