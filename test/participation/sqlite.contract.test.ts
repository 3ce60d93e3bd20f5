// The participation-store contract on SQLite (a fresh file per run; the twin opens the same file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { participationStoreContract, type ParticipationStoreFactory } from '../../src/participation/participation.contract.ts';
import { guestsFollowsContract } from '../../src/participation/guests-follows.contract.ts';
import { imagesContract } from '../../src/participation/images.contract.ts';
import { verificationContract } from '../../src/participation/verification.contract.ts';
import { SqliteParticipationStore } from '../../src/participation/sqlite/participation.sqlite.ts';
import type { ParticipationStore } from '../../src/participation/participation.port.ts';

const factory: ParticipationStoreFactory = {
  async open() { return SqliteParticipationStore.inDataDir(mkdtempSync(join(tmpdir(), 'ds-participation-'))); },
  async twin(s: ParticipationStore) { return SqliteParticipationStore.inDataDir(dirname((s as SqliteParticipationStore).file)); },
  async destroy(s: ParticipationStore) {
    await s.close();
    rmSync(dirname((s as SqliteParticipationStore).file), { recursive: true, force: true });
  },
};
participationStoreContract('sqlite', factory);
guestsFollowsContract('sqlite', factory);
imagesContract('sqlite', factory);
verificationContract('sqlite', factory);
