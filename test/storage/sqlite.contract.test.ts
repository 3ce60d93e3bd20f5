// Runs every storage contract suite against the embedded SQLite adapter on a real file; a
// PostgreSQL adapter registers the same suites with its own factory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { entityStoreContract, type StorageFactory } from '../../src/storage/contract/entities.contract.ts';
import { subscriptionStoreContract } from '../../src/storage/contract/subscriptions.contract.ts';
import { temporalStoreContract } from '../../src/storage/contract/temporal.contract.ts';
import { ingestStoreContract } from '../../src/storage/contract/ingest.contract.ts';
import { authStoreContract } from '../../src/storage/contract/auth.contract.ts';
import { accountStoreContract } from '../../src/storage/contract/accounts.contract.ts';
import { entityQueryContract } from '../../src/storage/contract/entities-query.contract.ts';
import { entityCountContract } from '../../src/storage/contract/entity-counts.contract.ts';
import { geoPageContract } from '../../src/storage/contract/geo-pages.contract.ts';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';

const sqlite: StorageFactory = {
  async open() {
    return SqliteStorage.inDataDir(mkdtempSync(join(tmpdir(), 'ds-contract-')));
  },
  async destroy(s: StoragePort) {
    await s.close();
    rmSync(dirname((s as SqliteStorage).file), { recursive: true, force: true });
  },
};

entityStoreContract('sqlite', sqlite);
entityQueryContract('sqlite', sqlite);
entityCountContract('sqlite', sqlite);
geoPageContract('sqlite', sqlite);
temporalStoreContract('sqlite', sqlite);
subscriptionStoreContract('sqlite', sqlite);
ingestStoreContract('sqlite', sqlite);
authStoreContract('sqlite', sqlite);
accountStoreContract('sqlite', sqlite);
