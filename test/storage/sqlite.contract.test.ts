// Runs the storage contract suites against the embedded SQLite adapter on a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { entityStoreContract } from '../../src/storage/contract/entities.contract.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';

entityStoreContract('sqlite', {
  async open() {
    return SqliteStorage.inDataDir(mkdtempSync(join(tmpdir(), 'ds-contract-')));
  },
  async destroy(s: StoragePort) {
    await s.close();
    rmSync(dirname((s as SqliteStorage).file), { recursive: true, force: true });
  },
});
