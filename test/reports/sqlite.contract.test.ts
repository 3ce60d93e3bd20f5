// The reports-store contract on SQLite (a fresh file per run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { reportStoreContract } from '../../src/reports/reports.contract.ts';
import { SqliteReportStore } from '../../src/reports/sqlite/reports.sqlite.ts';
import type { ReportStore } from '../../src/reports/reports.port.ts';

reportStoreContract('sqlite', {
  async open() { return SqliteReportStore.inDataDir(mkdtempSync(join(tmpdir(), 'ds-reports-'))); },
  async destroy(s: ReportStore) {
    await s.close();
    rmSync(dirname((s as SqliteReportStore).file), { recursive: true, force: true });
  },
});
