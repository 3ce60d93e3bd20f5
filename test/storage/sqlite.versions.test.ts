// The SQLite reader's in-memory versions (sqlite.versions.ts, issue #13's GET cost): a GET's
// render-cache probe may answer from memory, so every way an entity row changes must make it read
// the database again, and a read during an open write transaction must never be remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { EntityRecord } from '../../src/storage/port.ts';

const now = new Date().toISOString();
const entity = (id: string, v: number): EntityRecord => ({ id, types: ['urn:T'], createdAt: now, modifiedAt: now, attrs: { 'urn:v': [{ type: 'Property', value: v }] } });

async function withStorage(fn: (s: SqliteStorage, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ds-versions-'));
  const s = SqliteStorage.inDataDir(dir);
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const cached = (s: SqliteStorage): number => (s as unknown as { versions: { size: number } }).versions.size;

test('versions follow update, delete and re-create through the storage port', async () => {
  await withStorage(async (s) => {
    await s.withTransaction(async (tx) => tx.entities.insert('', entity('urn:v:1', 1)));
    const v1 = await s.entities.versionOf('', 'urn:v:1');
    assert.ok(v1);
    assert.equal(cached(s), 1, 'a read outside a write transaction is remembered');
    assert.deepEqual(await s.entities.versionOf('', 'urn:v:1'), v1);

    await s.withTransaction(async (tx) => tx.entities.update('', { ...entity('urn:v:1', 2), rev: v1.rev, born: v1.born }));
    const v2 = await s.entities.versionOf('', 'urn:v:1');
    assert.equal(v2?.born, v1.born);
    assert.equal(v2?.rev, v1.rev + 1);

    await s.withTransaction(async (tx) => tx.entities.delete('', 'urn:v:1'));
    assert.equal(await s.entities.versionOf('', 'urn:v:1'), undefined);

    await s.withTransaction(async (tx) => tx.entities.insert('', entity('urn:v:1', 3)));
    const v3 = await s.entities.versionOf('', 'urn:v:1');
    assert.ok(v3 && v3.born !== v1.born, 'a re-created entity has a new lifetime');
  });
});

test('a read during an open write transaction is not remembered; after COMMIT the new version is read', async () => {
  await withStorage(async (s) => {
    await s.withTransaction(async (tx) => tx.entities.insert('', entity('urn:v:2', 1)));
    const before = await s.entities.versionOf('', 'urn:v:2');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenInside: unknown;
    const write = s.withTransaction(async (tx) => {
      await tx.entities.update('', { ...entity('urn:v:2', 2), rev: before!.rev, born: before!.born });
      // The reader still sees the committed (old) version; it must not be kept past COMMIT.
      seenInside = await s.entities.versionOf('', 'urn:v:2');
      await gate;
    });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await write;
    assert.deepEqual(seenInside, before, 'the reader sees committed data only');
    assert.equal((await s.entities.versionOf('', 'urn:v:2'))?.rev, before!.rev + 1);
  });
});

test('changes made by any statement on the writer connection, and by a second storage on the same file, are seen', async () => {
  await withStorage(async (s, dir) => {
    await s.withTransaction(async (tx) => tx.entities.insert('', entity('urn:v:3', 1)));
    const v1 = await s.entities.versionOf('', 'urn:v:3');
    const writer = (s as unknown as { writer: Database.Database }).writer;
    writer.prepare("UPDATE entities SET rev = rev + 5 WHERE tenant = '' AND id = 'urn:v:3'").run();
    assert.equal((await s.entities.versionOf('', 'urn:v:3'))?.rev, v1!.rev + 5);

    const other = SqliteStorage.inDataDir(dir);
    try {
      await other.withTransaction(async (tx) => tx.entities.delete('', 'urn:v:3'));
      assert.equal(await s.entities.versionOf('', 'urn:v:3'), undefined);
    } finally {
      await other.close();
    }
  });
});
