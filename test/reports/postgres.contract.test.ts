// The reports-store contract on PostgreSQL, in a fresh schema. Needs TEST_PG_URL (skipped, saying so, without).
import { test } from 'node:test';
import { reportStoreContract } from '../../src/reports/reports.contract.ts';
import { PostgresReportStore } from '../../src/reports/postgres/reports.postgres.ts';
import type { ReportStore } from '../../src/reports/reports.port.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

if (PG_SKIP) {
  test('reports store contract on PostgreSQL', { skip: PG_SKIP }, () => {});
} else {
  reportStoreContract('postgres', {
    open: () => PostgresReportStore.open({ url: PG_URL!, schema: freshSchema() }),
    async destroy(s: ReportStore) {
      const schema = (s as PostgresReportStore).schema;
      await s.close();
      await dropSchema(schema);
    },
  });
}
