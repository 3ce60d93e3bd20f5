// The strategy-store contract on PostgreSQL, in a fresh schema. Needs TEST_PG_URL (skipped, saying so, without).
import { test } from 'node:test';
import { strategyStoreContract } from '../../src/strategy/strategy.contract.ts';
import { PostgresStrategyStore } from '../../src/strategy/postgres/strategy.postgres.ts';
import type { StrategyStore } from '../../src/strategy/strategy.port.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

if (PG_SKIP) {
  test('strategy store contract on PostgreSQL', { skip: PG_SKIP }, () => {});
} else {
  strategyStoreContract('postgres', {
    open: () => PostgresStrategyStore.open({ url: PG_URL!, schema: freshSchema() }),
    async destroy(s: StrategyStore) {
      const schema = (s as PostgresStrategyStore).schema;
      await s.close();
      await dropSchema(schema);
    },
  });
}
