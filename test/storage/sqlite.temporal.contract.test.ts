// Runs the history contract suite against the embedded SQLite adapter on a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { temporalStoreContract } from '../../src/storage/contract/temporal.contract.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';

temporalStoreContract('sqlite', {
  async open() {
    return SqliteStorage.inDataDir(mkdtempSync(join(tmpdir(), 'ds-temporal-contract-')));
  },
  async destroy(s: StoragePort) {
    await s.close();
    rmSync(dirname((s as SqliteStorage).file), { recursive: true, force: true });
  },
});
