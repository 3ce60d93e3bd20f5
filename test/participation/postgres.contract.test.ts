// The participation-store contract on PostgreSQL, in a fresh schema. Needs TEST_PG_URL (skipped, saying so, without).
import { test } from 'node:test';
import { participationStoreContract, type ParticipationStoreFactory } from '../../src/participation/participation.contract.ts';
import { guestsFollowsContract } from '../../src/participation/guests-follows.contract.ts';
import { imagesContract } from '../../src/participation/images.contract.ts';
import { verificationContract } from '../../src/participation/verification.contract.ts';
import { PostgresParticipationStore } from '../../src/participation/postgres/participation.postgres.ts';
import type { ParticipationStore } from '../../src/participation/participation.port.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

if (PG_SKIP) {
  test('participation store contract on PostgreSQL', { skip: PG_SKIP }, () => {});
} else {
  const factory: ParticipationStoreFactory = {
    open: () => PostgresParticipationStore.open({ url: PG_URL!, schema: freshSchema() }),
    twin: (s: ParticipationStore) => PostgresParticipationStore.open({ url: PG_URL!, schema: (s as PostgresParticipationStore).schema }),
    async destroy(s: ParticipationStore) {
      const schema = (s as PostgresParticipationStore).schema;
      await s.close();
      await dropSchema(schema);
    },
  };
  participationStoreContract('postgres', factory);
  guestsFollowsContract('postgres', factory);
  imagesContract('postgres', factory);
  verificationContract('postgres', factory);
}
