// Runs every storage contract suite against the PostgreSQL adapter, each suite in its own schema.
// Needs TEST_PG_URL (CI sets it); without it the suites are skipped with the reason.
import { test } from 'node:test';
import { entityStoreContract, type StorageFactory } from '../../src/storage/contract/entities.contract.ts';
import { subscriptionStoreContract } from '../../src/storage/contract/subscriptions.contract.ts';
import { temporalStoreContract } from '../../src/storage/contract/temporal.contract.ts';
import { ingestStoreContract } from '../../src/storage/contract/ingest.contract.ts';
import { authStoreContract } from '../../src/storage/contract/auth.contract.ts';
import { accountStoreContract } from '../../src/storage/contract/accounts.contract.ts';
import { entityQueryContract } from '../../src/storage/contract/entities-query.contract.ts';
import { entityCountContract } from '../../src/storage/contract/entity-counts.contract.ts';
import { geoPageContract } from '../../src/storage/contract/geo-pages.contract.ts';
import type { PostgresStorage } from '../../src/storage/postgres/postgres.adapter.ts';
import type { StoragePort } from '../../src/storage/port.ts';
import { PG_SKIP, dropSchema, openPgStorage } from '../support/pg.ts';

const postgres: StorageFactory = {
  open: () => openPgStorage(),
  async destroy(s: StoragePort) {
    const schema = (s as PostgresStorage).schema;
    await s.close();
    await dropSchema(schema);
  },
  prefetch: true,
};

if (PG_SKIP) {
  test('storage contract suites on PostgreSQL', { skip: PG_SKIP }, () => {});
} else {
  entityStoreContract('postgres', postgres);
  entityQueryContract('postgres', postgres);
  entityCountContract('postgres', postgres);
  geoPageContract('postgres', postgres);
  temporalStoreContract('postgres', postgres);
  subscriptionStoreContract('postgres', postgres);
  ingestStoreContract('postgres', postgres);
  authStoreContract('postgres', postgres);
  accountStoreContract('postgres', postgres);
}
