// The catalogue store on PostgreSQL: tables in the broker's schema (prefixed catalog_), its own
// small pool and migration table (advisory lock), uploaded files as BYTEA so every node serves them.
import pg from 'pg';
import { inTransaction, openModulePool, type ModuleMigrations } from '../../storage/modules/postgres/module-store.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { StorageConflict, StorageNotFound } from '../../core/errors.ts';
import type { CatalogCursor, CatalogPage, Dataset, SearchResult, StoredFile } from '../catalog.model.ts';
import type { CatalogStore, IndexEntry, StoreSearch } from '../catalog.port.ts';
import { fold } from '../catalog.text.ts';
import { compileSearch, countSql, pageSql } from '../sql/search.sql.ts';

/** This module's migrations; the advisory lock makes one node migrate at a time. */
const MIGRATIONS: ModuleMigrations = {
  module: 'catalog', table: 'catalog_migrations', lock: '27992945330151271',
  dir: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
};

export interface PgCatalogOptions {
  url: string;
  schema: string;
  poolSize?: number;
}


export class PostgresCatalogStore implements CatalogStore {
  readonly engine = 'postgres' as const;
  private constructor(private readonly pool: pg.Pool, readonly schema: string) {}

  static async open(o: PgCatalogOptions): Promise<PostgresCatalogStore> {
    const pool = await openModulePool(MIGRATIONS, o, 3);
    return new PostgresCatalogStore(pool, o.schema);
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async get(id: string): Promise<Dataset | undefined> {
    return (await this.pool.query('SELECT doc FROM catalog_datasets WHERE id = $1', [id])).rows[0]?.doc;
  }

  private async writeIndex(c: pg.PoolClient, d: Dataset, ix: IndexEntry): Promise<void> {
    await c.query('DELETE FROM catalog_terms WHERE dataset_id = $1', [d.id]);
    await c.query('DELETE FROM catalog_facets WHERE dataset_id = $1', [d.id]);
    const title = new Set(ix.titleTerms);
    if (ix.terms.length) {
      await c.query('INSERT INTO catalog_terms (term, dataset_id, title) SELECT t, $2, CASE WHEN t = ANY($3::text[]) THEN 1 ELSE 0 END FROM unnest($1::text[]) AS t ON CONFLICT DO NOTHING',
        [ix.terms, d.id, [...title]]);
    }
    if (ix.facets.length) {
      await c.query('INSERT INTO catalog_facets (facet, value, dataset_id) SELECT f, v, $3 FROM unnest($1::text[], $2::text[]) AS x(f, v) ON CONFLICT DO NOTHING',
        [ix.facets.map((x) => x[0]), ix.facets.map((x) => x[1]), d.id]);
    }
  }

  private row(d: Dataset, ix: IndexEntry): unknown[] {
    const b = ix.bbox;
    return [d.tenant, d.state, d.createdAt, d.modified, d.issued ?? null, fold(d.title.de), b?.[0] ?? null, b?.[1] ?? null, b?.[2] ?? null, b?.[3] ?? null, JSON.stringify(d)];
  }

  async create(d: Dataset, ix: IndexEntry): Promise<void> {
    try {
      await this.tx(async (c) => {
        await c.query('INSERT INTO catalog_datasets (tenant, state, created_at, modified, issued, title_sort, min_lon, min_lat, max_lon, max_lat, doc, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          [...this.row(d, ix), d.id]);
        await this.writeIndex(c, d, ix);
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StorageConflict(`dataset ${d.id} exists`, { cause: e });
      throw e;
    }
  }

  private async updateTx(c: pg.PoolClient, d: Dataset, ix: IndexEntry): Promise<void> {
    const r = await c.query('UPDATE catalog_datasets SET tenant = $1, state = $2, created_at = $3, modified = $4, issued = $5, title_sort = $6, min_lon = $7, min_lat = $8, max_lon = $9, max_lat = $10, doc = $11 WHERE id = $12',
      [...this.row(d, ix), d.id]);
    if (r.rowCount === 0) throw new StorageNotFound(`dataset ${d.id} does not exist`);
    await this.writeIndex(c, d, ix);
    const keep = d.distributions.filter((x) => x.kind === 'file' && x.fileName).map((x) => x.id);
    await c.query('DELETE FROM catalog_files WHERE dataset_id = $1 AND NOT (distribution_id = ANY($2::text[]))', [d.id, keep]);
  }

  async update(d: Dataset, ix: IndexEntry): Promise<void> {
    await this.tx((c) => this.updateTx(c, d, ix));
  }

  async updateWithFile(d: Dataset, ix: IndexEntry, file: StoredFile, data: Buffer): Promise<void> {
    await this.tx(async (c) => {
      await this.updateTx(c, d, ix);
      await c.query('INSERT INTO catalog_files (dataset_id, distribution_id, file_name, media_type, byte_size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dataset_id, distribution_id) DO UPDATE SET file_name = excluded.file_name, media_type = excluded.media_type, byte_size = excluded.byte_size, sha256 = excluded.sha256, data = excluded.data',
        [file.datasetId, file.distributionId, file.fileName, file.mediaType, file.byteSize, file.sha256, data]);
    });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM catalog_datasets WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async search(s: StoreSearch): Promise<SearchResult> {
    const c = compileSearch(s, (n) => `$${n}`);
    const wp = [...c.params];
    let rows: Array<{ doc: Dataset; n: string }> = [];
    if (s.limit > 0) {
      const lim = c.param(s.limit);
      const off = c.param(s.offset);
      rows = (await this.pool.query(pageSql(c, lim, off), c.params)).rows;
    }
    const total = Number(rows.length ? rows[0].n : (await this.pool.query(countSql(c), wp)).rows[0].n);
    const facets: SearchResult['facets'] = {};
    for (const f of s.facets ?? []) {
      const fr = (await this.pool.query(`SELECT f.value, COUNT(*) AS count FROM catalog_facets f WHERE f.facet = $${wp.length + 1} AND f.dataset_id IN (SELECT d.id FROM ${c.from} ${c.where}) GROUP BY f.value ORDER BY count DESC, f.value LIMIT 100`, [...wp, f])).rows;
      facets[f] = fr.map((r) => ({ value: r.value, count: Number(r.count) }));
    }
    return { total, datasets: rows.map((r) => r.doc), facets };
  }

  async page(o: { after?: CatalogCursor; before?: CatalogCursor; limit: number }): Promise<CatalogPage> {
    const total = Number((await this.pool.query(`SELECT COUNT(*) AS n FROM catalog_datasets WHERE state = 'published'`)).rows[0].n);
    type R = { doc: Dataset; created_at: string; id: string };
    let rows: R[];
    let more: boolean;
    if (o.before) {
      rows = (await this.pool.query(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' AND (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3`, [o.before.createdAt, o.before.id, o.limit + 1])).rows;
      more = rows.length > o.limit;
      rows = rows.slice(0, o.limit).reverse();
    } else {
      rows = (o.after
        ? await this.pool.query(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' AND (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT $3`, [o.after.createdAt, o.after.id, o.limit + 1])
        : await this.pool.query(`SELECT doc, created_at, id FROM catalog_datasets WHERE state = 'published' ORDER BY created_at, id LIMIT $1`, [o.limit + 1])).rows;
      more = rows.length > o.limit;
      rows = rows.slice(0, o.limit);
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    const exists = async (op: '<' | '>', r: R) =>
      (await this.pool.query(`SELECT 1 FROM catalog_datasets WHERE state = 'published' AND (created_at, id) ${op} ($1, $2) LIMIT 1`, [r.created_at, r.id])).rowCount! > 0;
    const page: CatalogPage = { datasets: rows.map((r) => r.doc), total };
    const hasNext = o.before ? !!last && await exists('>', last) : more;
    const hasPrev = o.before ? more : !!first && await exists('<', first);
    if (hasNext && last) page.next = { createdAt: last.created_at, id: last.id };
    if (hasPrev && first) page.previous = { createdAt: first.created_at, id: first.id };
    return page;
  }

  async openFile(datasetId: string, distributionId: string): Promise<{ file: StoredFile; stream: Readable } | undefined> {
    const r = (await this.pool.query('SELECT dataset_id, distribution_id, file_name, media_type, byte_size, sha256, data FROM catalog_files WHERE dataset_id = $1 AND distribution_id = $2', [datasetId, distributionId])).rows[0];
    if (!r) return undefined;
    return { file: fileOf(r), stream: Readable.from([r.data as Buffer]) };
  }

  async *all(): AsyncIterable<Dataset> {
    let after: CatalogCursor | undefined;
    for (;;) {
      const rows = (after
        ? await this.pool.query(`SELECT doc, created_at, id FROM catalog_datasets WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT 500`, [after.createdAt, after.id])
        : await this.pool.query(`SELECT doc, created_at, id FROM catalog_datasets ORDER BY created_at, id LIMIT 500`)).rows;
      for (const r of rows) yield r.doc;
      if (rows.length < 500) return;
      after = { createdAt: rows[rows.length - 1].created_at, id: rows[rows.length - 1].id };
    }
  }

  async files(): Promise<StoredFile[]> {
    return (await this.pool.query('SELECT dataset_id, distribution_id, file_name, media_type, byte_size, sha256 FROM catalog_files ORDER BY dataset_id, distribution_id')).rows.map(fileOf);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type FileRow = { dataset_id: string; distribution_id: string; file_name: string; media_type: string; byte_size: number | string; sha256: string };
const fileOf = (r: FileRow): StoredFile => ({ datasetId: r.dataset_id, distributionId: r.distribution_id, fileName: r.file_name, mediaType: r.media_type, byteSize: Number(r.byte_size), sha256: r.sha256 });

