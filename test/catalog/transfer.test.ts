// The catalogue moves with the export/import (docs/scaling.md): datasets (drafts too) and uploaded
// files, SQLite → SQLite and, with TEST_PG_URL, SQLite → PostgreSQL (files into the database); a
// second import changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite.adapter.ts';
import { exportLines } from '../../src/storage/transfer/transfer.export.ts';
import { importLines } from '../../src/storage/transfer/transfer.import.ts';
import { SqliteCatalogStore } from '../../src/catalog/sqlite/catalog.sqlite.ts';
import { PostgresCatalogStore } from '../../src/catalog/postgres/catalog.postgres.ts';
import { ALL_VIEWER, CatalogService, catalogTransfer, type CatalogStore } from '../../src/catalog/index.ts';
import { TEST_ORGS, datasetDoc } from '../../src/catalog/catalog.contract.ts';
import { systemClock } from '../../src/core/clock.ts';
import { PG_SKIP, PG_URL, dropSchema, freshSchema } from '../support/pg.ts';

const service = (store: CatalogStore) => new CatalogService({ store, clock: systemClock, organisations: async () => TEST_ORGS, baseUrl: 'https://x.example' });

async function roundTrip(target: () => Promise<CatalogStore>, cleanup: (s: CatalogStore) => Promise<void>): Promise<void> {
  const dirs = [mkdtempSync(join(tmpdir(), 'ds-cexp-')), mkdtempSync(join(tmpdir(), 'ds-cimp-'))];
  const [from, to] = dirs.map((d) => SqliteStorage.inDataDir(d));
  const src = service(SqliteCatalogStore.inDataDir(dirs[0]));
  const dst = service(await target());
  try {
    await src.create(datasetDoc('luft', { title: { de: 'Luftqualitätsdaten' }, keywords: ['Luft'], distributions: [{ id: 'daten', kind: 'file', format: 'CSV', mediaType: 'text/csv' }] }), ALL_VIEWER);
    await src.upload('luft', 'daten', Buffer.from('a,b\r\n1,2\r\n'), 'text/csv', 'werte.csv', ALL_VIEWER);
    await src.publish('luft', ALL_VIEWER);
    await src.create(datasetDoc('entwurf'), ALL_VIEWER);
    const lines: unknown[] = [];
    for await (const l of exportLines(from, undefined, [catalogTransfer(src)])) lines.push(JSON.parse(JSON.stringify(l)));
    const kinds = lines.map((l) => (l as { kind: string }).kind);
    assert.equal(kinds.filter((k) => k === 'catalog.dataset').length, 2);
    assert.equal(kinds.filter((k) => k === 'catalog.file').length, 1);
    assert.equal(kinds.at(-1), 'end');
    const counts = await importLines(to, (async function* () { yield* lines; })(), [catalogTransfer(dst)]);
    assert.deepEqual(counts.modules, { 'catalog.dataset': 2, 'catalog.file': 1 });
    assert.deepEqual(await dst.dataset('luft'), await src.dataset('luft'));
    assert.equal((await dst.dataset('entwurf', ALL_VIEWER)).state, 'draft');
    const dl = await dst.download('luft', 'daten');
    const chunks: Buffer[] = [];
    for await (const c of dl.stream) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'a,b\r\n1,2\r\n');
    assert.deepEqual((await dst.search({ q: 'Luftqualität' })).datasets.map((d) => d.id), ['luft'], 'the search index is rebuilt');
    const again = await importLines(to, (async function* () { yield* lines; })(), [catalogTransfer(dst)]);
    assert.equal(again.modules, undefined, 'a second import writes nothing');
    assert.equal(again.skipped >= 3, true);
    // A file whose bytes do not match the checksum is refused.
    const broken = lines.map((l) => ((l as { kind: string }).kind === 'catalog.file' ? { ...(l as object), data: Buffer.from('x').toString('base64') } : l));
    await dst.store.update({ ...(await dst.dataset('luft')), distributions: [] }, dst.indexOf({ ...(await dst.dataset('luft')), distributions: [] }));
    await assert.rejects(importLines(to, (async function* () { yield* broken; })(), [catalogTransfer(dst)]), /checksum mismatch/);
  } finally {
    await src.store.close();
    await cleanup(dst.store);
    for (const s of [from, to]) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

test('export/import carries the catalogue: SQLite → SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-ccat-'));
  await roundTrip(async () => SqliteCatalogStore.inDataDir(dir), async (s) => { await s.close(); rmSync(dir, { recursive: true, force: true }); });
});

test('export/import carries the catalogue: SQLite → PostgreSQL (files into the database)', { skip: PG_SKIP }, async () => {
  const schema = freshSchema();
  await roundTrip(() => PostgresCatalogStore.open({ url: PG_URL!, schema }), async (s) => { await s.close(); await dropSchema(schema); });
});
