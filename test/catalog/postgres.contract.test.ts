// The catalogue-store contract on PostgreSQL, in a fresh schema. Needs TEST_PG_URL (skipped, saying so, without).
import { test } from 'node:test';
import { catalogStoreContract } from '../../src/catalog/catalog.contract.ts';
import { PostgresCatalogStore } from '../../src/catalog/postgres/catalog.postgres.ts';
import type { CatalogStore } from '../../src/catalog/catalog.port.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

if (PG_SKIP) {
  test('catalog store contract on PostgreSQL', { skip: PG_SKIP }, () => {});
} else {
  catalogStoreContract('postgres', {
    open: () => PostgresCatalogStore.open({ url: PG_URL!, schema: freshSchema() }),
    async destroy(s: CatalogStore) {
      const schema = (s as PostgresCatalogStore).schema;
      await s.close();
      await dropSchema(schema);
    },
  });
}
