// The catalogue store on SQLite: its own file (catalog.sqlite) in the data directory, documents as
// JSON with the columns search and harvest order by, the search index in two tables, and uploaded
// files as plain files under <data dir>/catalog-files (written to a temporary name, then renamed).
import Database from 'better-sqlite3';
import { openModuleDb } from '../../storage/modules/sqlite/module-store.ts';
import { createReadStream, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { CatalogCursor, CatalogPage, Dataset, FacetName, SearchResult, StoredFile } from '../catalog.model.ts';
import type { CatalogStore, IndexEntry, StoreSearch } from '../catalog.port.ts';
import { fold } from '../catalog.text.ts';
import { compileSearch, countSql, pageSql } from '../sql/search.sql.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

type Row = { doc: string };

export class SqliteCatalogStore implements CatalogStore {
  readonly engine = 'sqlite' as const;
  private constructor(private readonly db: Database.Database, readonly file: string, private readonly filesDir: string) {}

  /** Prepared statements by SQL text (a search's text depends only on its shape, so there are few). */
  private readonly stmts = new Map<string, Database.Statement>();
  private st(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.stmts.size >= 200) this.stmts.delete(this.stmts.keys().next().value as string);
      this.stmts.set(sql, s);
    }
    return s;
  }

  static inDataDir(dataDir: string): SqliteCatalogStore {
    const { db, file } = openModuleDb(dataDir, { file: 'catalog.sqlite', table: 'catalog_migrations', dir: MIGRATIONS });
    return new SqliteCatalogStore(db, file, join(dataDir, 'catalog-files'));
  }

  async get(id: string): Promise<Dataset | undefined> {
    const r = this.st('SELECT doc FROM catalog_datasets WHERE id = ?').get(id) as Row | undefined;
    return r ? JSON.parse(r.doc) : undefined;
  }

  private writeIndex(d: Dataset, ix: IndexEntry): void {
    this.st('DELETE FROM catalog_terms WHERE dataset_id = ?').run(d.id);
    this.st('DELETE FROM catalog_facets WHERE dataset_id = ?').run(d.id);
    const title = new Set(ix.titleTerms);
    const t = this.st('INSERT OR IGNORE INTO catalog_terms (term, dataset_id, title) VALUES (?, ?, ?)');
    for (const term of ix.terms) t.run(term, d.id, title.has(term) ? 1 : 0);
    const f = this.st('INSERT OR IGNORE INTO catalog_facets (facet, value, dataset_id) VALUES (?, ?, ?)');
    for (const [facet, value] of ix.facets) f.run(facet, value, d.id);
  }

  private row(d: Dataset, ix: IndexEntry): unknown[] {
    const b = ix.bbox;
    return [d.tenant, d.state, d.createdAt, d.modified, d.issued ?? null, fold(d.title.de), b?.[0] ?? null, b?.[1] ?? null, b?.[2] ?? null, b?.[3] ?? null, JSON.stringify(d)];
  }

  async create(d: Dataset, ix: IndexEntry): Promise<void> {
    try {
      this.db.transaction(() => {
        this.st('INSERT INTO catalog_datasets (id, tenant, state, created_at, modified, issued, title_sort, min_lon, min_lat, max_lon, max_lat, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(d.id, ...this.row(d, ix));
        this.writeIndex(d, ix);
      }).immediate();
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new StorageConflict(`dataset ${d.id} exists`, { cause: e });
      throw e;
    }
  }

  /** Updates row and index; returns the files no distribution names any more (removed after commit). */
  private updateTx(d: Dataset, ix: IndexEntry): string[] {
    const r = this.st('UPDATE catalog_datasets SET tenant = ?, state = ?, created_at = ?, modified = ?, issued = ?, title_sort = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, doc = ? WHERE id = ?')
      .run(...this.row(d, ix), d.id);
    if (r.changes === 0) throw new StorageNotFound(`dataset ${d.id} does not exist`);
    this.writeIndex(d, ix);
    const keep = new Set(d.distributions.filter((x) => x.kind === 'file' && x.fileName).map((x) => x.id));
    const gone = (this.st('SELECT distribution_id FROM catalog_files WHERE dataset_id = ?').all(d.id) as Array<{ distribution_id: string }>)
      .map((x) => x.distribution_id).filter((x) => !keep.has(x));
    for (const g of gone) this.st('DELETE FROM catalog_files WHERE dataset_id = ? AND distribution_id = ?').run(d.id, g);
    return gone;
  }

  async update(d: Dataset, ix: IndexEntry): Promise<void> {
    const gone = this.db.transaction(() => this.updateTx(d, ix)).immediate();
    for (const g of gone) rmSync(this.path(d.id, g), { force: true });
  }

  private path(datasetId: string, distId: string): string {
    return join(this.filesDir, datasetId, distId);
  }

  async updateWithFile(d: Dataset, ix: IndexEntry, file: StoredFile, data: Buffer): Promise<void> {
    // The bytes go to a temporary file first; the rename happens only with the row committed, and a
    // failed commit removes the temporary file: no half-created distribution either way.
    const dir = join(this.filesDir, d.id);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${file.distributionId}.${process.pid}.${Date.now()}.tmp`);
    writeFileSync(tmp, data);
    try {
      this.db.transaction(() => {
        this.updateTx(d, ix);
        this.st('INSERT INTO catalog_files (dataset_id, distribution_id, file_name, media_type, byte_size, sha256) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id, distribution_id) DO UPDATE SET file_name = excluded.file_name, media_type = excluded.media_type, byte_size = excluded.byte_size, sha256 = excluded.sha256')
          .run(file.datasetId, file.distributionId, file.fileName, file.mediaType, file.byteSize, file.sha256);
        renameSync(tmp, this.path(d.id, file.distributionId));
      }).immediate();
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async delete(id: string): Promise<boolean> {
    const ok = this.db.transaction(() => {
      this.st('DELETE FROM catalog_terms WHERE dataset_id = ?').run(id);
      this.st('DELETE FROM catalog_facets WHERE dataset_id = ?').run(id);
      this.st('DELETE FROM catalog_files WHERE dataset_id = ?').run(id);
      return this.st('DELETE FROM catalog_datasets WHERE id = ?').run(id).changes > 0;
    }).immediate();
    rmSync(join(this.filesDir, id), { recursive: true, force: true });
    return ok;
  }

  async search(q: StoreSearch): Promise<SearchResult> {
    const c = compileSearch(q, () => '?');
    const rows = q.limit > 0 ? this.st(pageSql(c, '?', '?')).all(...c.params, q.limit, q.offset) as Array<Row & { n: number }> : [];
    const total = rows.length ? rows[0].n : (this.st(countSql(c)).get(...c.params) as { n: number }).n;
    const facets: SearchResult['facets'] = {};
    for (const f of q.facets ?? []) {
      facets[f] = this.st(`SELECT f.value AS value, COUNT(*) AS count FROM catalog_facets f WHERE f.facet = ? AND f.dataset_id IN (SELECT d.id FROM ${c.from} ${c.where}) GROUP BY f.value ORDER BY count DESC, f.value LIMIT 100`)
        .all(f as FacetName, ...c.params) as Array<{ value: string; count: number }>;
    }
    return { total, datasets: rows.map((r) => JSON.parse(r.doc)), facets };
  }

  async page(o: { after?: CatalogCursor; before?: CatalogCursor; limit: number }): Promise<CatalogPage> {
    const total = (this.st(`SELECT COUNT(*) AS n FROM catalog_datasets WHERE state = 'published'`).get() as { n: number }).n;
    let rows: Array<{ doc: string; created_at: string; id: string }>;
    let more: boolean;
    if (o.before) {
      rows = this.st(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`)
        .all(o.before.createdAt, o.before.id, o.limit + 1) as typeof rows;
      more = rows.length > o.limit;
      rows = rows.slice(0, o.limit).reverse();
    } else {
      rows = (o.after
        ? this.st(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`).all(o.after.createdAt, o.after.id, o.limit + 1)
        : this.st(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' ORDER BY created_at, id LIMIT ?`).all(o.limit + 1)) as typeof rows;
      more = rows.length > o.limit;
      rows = rows.slice(0, o.limit);
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    const exists = (op: '<' | '>', r: { created_at: string; id: string }) =>
      !!this.st(`SELECT 1 FROM catalog_datasets WHERE state = 'published' AND (created_at, id) ${op} (?, ?) LIMIT 1`).get(r.created_at, r.id);
    const page: CatalogPage = { datasets: rows.map((r) => JSON.parse(r.doc)), total };
    const hasNext = o.before ? !!last && exists('>', last) : more;
    const hasPrev = o.before ? more : !!first && exists('<', first);
    if (hasNext && last) page.next = { createdAt: last.created_at, id: last.id };
    if (hasPrev && first) page.previous = { createdAt: first.created_at, id: first.id };
    return page;
  }

  async openFile(datasetId: string, distributionId: string): Promise<{ file: StoredFile; stream: Readable } | undefined> {
    const r = this.st('SELECT dataset_id, distribution_id, file_name, media_type, byte_size, sha256 FROM catalog_files WHERE dataset_id = ? AND distribution_id = ?').get(datasetId, distributionId) as FileRow | undefined;
    if (!r) return undefined;
    // Opened now (not lazily): a replacement or deletion after this point does not break the download.
    let fd: number;
    try {
      fd = openSync(this.path(datasetId, distributionId), 'r');
    } catch {
      return undefined;
    }
    return { file: fileOf(r), stream: createReadStream('', { fd }) };
  }

  async *all(): AsyncIterable<Dataset> {
    // Its own statement: an export iterates across awaits, and a shared one would be busy for a second export.
    for (const r of this.db.prepare('SELECT doc FROM catalog_datasets ORDER BY created_at, id').iterate() as Iterable<Row>) yield JSON.parse(r.doc);
  }

  async files(): Promise<StoredFile[]> {
    return (this.st('SELECT dataset_id, distribution_id, file_name, media_type, byte_size, sha256 FROM catalog_files ORDER BY dataset_id, distribution_id').all() as FileRow[]).map(fileOf);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

type FileRow = { dataset_id: string; distribution_id: string; file_name: string; media_type: string; byte_size: number; sha256: string };
const fileOf = (r: FileRow): StoredFile => ({ datasetId: r.dataset_id, distributionId: r.distribution_id, fileName: r.file_name, mediaType: r.media_type, byteSize: Number(r.byte_size), sha256: r.sha256 });

