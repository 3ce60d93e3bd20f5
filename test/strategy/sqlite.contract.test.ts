// The strategy-store contract on SQLite (a fresh file per run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { strategyStoreContract } from '../../src/strategy/strategy.contract.ts';
import { SqliteStrategyStore } from '../../src/strategy/sqlite/strategy.sqlite.ts';
import type { StrategyStore } from '../../src/strategy/strategy.port.ts';

strategyStoreContract('sqlite', {
  async open() { return SqliteStrategyStore.inDataDir(mkdtempSync(join(tmpdir(), 'ds-strategy-'))); },
  async destroy(s: StrategyStore) {
    await s.close();
    rmSync(dirname((s as SqliteStrategyStore).file), { recursive: true, force: true });
  },
});
