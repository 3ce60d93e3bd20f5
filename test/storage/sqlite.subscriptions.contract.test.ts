// Runs the subscription-store contract against the embedded SQLite adapter on a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { subscriptionStoreContract } from '../../src/storage/contract/subscriptions.contract.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';

subscriptionStoreContract('sqlite', {
  async open() {
    return SqliteStorage.inDataDir(mkdtempSync(join(tmpdir(), 'ds-subs-contract-')));
  },
  async destroy(s: StoragePort) {
    await s.close();
    rmSync(dirname((s as SqliteStorage).file), { recursive: true, force: true });
  },
});
