// The SQLite reader's page cache (DREHSCHEIBE_SQLITE_CACHE_MB, issue #19's memory goal): 8 MB by
// default, larger only by configuration; bad values are refused at start-up naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/config.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';

const base = { DREHSCHEIBE_AUTH: 'off' };

test('DREHSCHEIBE_SQLITE_CACHE_MB: 8 by default, a configured size, and a clear error for a bad one', () => {
  assert.equal(loadConfig(base).sqliteCacheMb, 8);
  assert.equal(loadConfig({ ...base, DREHSCHEIBE_SQLITE_CACHE_MB: '64' }).sqliteCacheMb, 64);
  for (const bad of ['0', 'lots', '-5']) assert.throws(() => loadConfig({ ...base, DREHSCHEIBE_SQLITE_CACHE_MB: bad }), /DREHSCHEIBE_SQLITE_CACHE_MB/);
});

test('the reader connection gets the configured page cache; the writer keeps 16 MB', async () => {
  const pragma = (s: SqliteStorage, conn: 'reader' | 'writer') => (s as unknown as Record<string, Database.Database>)[conn].pragma('cache_size', { simple: true });
  for (const [cacheMb, want] of [[undefined, -8192], [5, -5120], [64, -65536]] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'ds-cache-'));
    const s = SqliteStorage.inDataDir(dir, cacheMb === undefined ? {} : { cacheMb });
    try {
      assert.equal(pragma(s, 'reader'), want, `cacheMb ${cacheMb}`);
      assert.equal(pragma(s, 'writer'), -16384);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
