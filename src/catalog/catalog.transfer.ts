// The catalogue in the export/import stream (docs/scaling.md): one line per dataset, then one per
// uploaded file (bytes as base64, checksum checked on import). Import is idempotent: a dataset or
// file the target holds already is skipped, never replaced.
import { createHash } from 'node:crypto';
import type { ModuleTransfer } from '../storage/transfer/transfer.format.ts';
import type { Dataset, StoredFile } from './catalog.model.ts';
import type { CatalogService } from './catalog.service.ts';

export function catalogTransfer(service: CatalogService): ModuleTransfer {
  const store = service.store;
  return {
    prefix: 'catalog.',
    async *lines() {
      for await (const dataset of store.all()) yield { kind: 'catalog.dataset', dataset };
      for (const file of await store.files()) {
        const f = await store.openFile(file.datasetId, file.distributionId);
        if (!f) continue;
        const chunks: Buffer[] = [];
        for await (const c of f.stream) chunks.push(c as Buffer);
        yield { kind: 'catalog.file', file, data: Buffer.concat(chunks).toString('base64') };
      }
    },
    async importLine(line) {
      if (line.kind === 'catalog.dataset') {
        const d = line.dataset as Dataset;
        if (await store.get(d.id)) return 'skipped';
        await store.create(d, service.indexOf(d));
        return 'written';
      }
      if (line.kind === 'catalog.file') {
        const file = line.file as StoredFile;
        const present = await store.openFile(file.datasetId, file.distributionId);
        if (present) { present.stream.destroy(); return 'skipped'; }
        const data = Buffer.from(String(line.data), 'base64');
        if (createHash('sha256').update(data).digest('hex') !== file.sha256) throw new Error(`catalog file ${file.datasetId}/${file.distributionId}: checksum mismatch`);
        const d = await store.get(file.datasetId);
        if (!d) throw new Error(`catalog file ${file.datasetId}/${file.distributionId}: its dataset is not in the stream`);
        await store.updateWithFile(d, service.indexOf(d), file, data);
        return 'written';
      }
      throw new Error(`unknown catalogue line kind ${line.kind}`);
    },
  };
}
