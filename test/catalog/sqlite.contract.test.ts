// The catalogue-store contract on SQLite (a fresh data directory per run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { catalogStoreContract } from '../../src/catalog/catalog.contract.ts';
import { SqliteCatalogStore } from '../../src/catalog/sqlite/catalog.sqlite.ts';
import type { CatalogStore } from '../../src/catalog/catalog.port.ts';

catalogStoreContract('sqlite', {
  async open() { return SqliteCatalogStore.inDataDir(mkdtempSync(join(tmpdir(), 'ds-catalog-'))); },
  async destroy(s: CatalogStore) {
    await s.close();
    rmSync(dirname((s as SqliteCatalogStore).file), { recursive: true, force: true });
  },
});
