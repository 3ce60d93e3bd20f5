// The catalogue module's own storage port, implemented for SQLite and PostgreSQL and held equal by
// catalog.contract.ts. The service computes the search index (catalog.text.ts), so both engines
// index the same terms; adapters only store and compare them. Neutral StorageConflict / StorageNotFound.
import type { Readable } from 'node:stream';
import type { CatalogCursor, CatalogPage, Dataset, FacetName, SearchResult, SearchQuery, StoredFile } from './catalog.model.ts';

/** What the search index holds for one dataset (computed by the service, identical on both engines). */
export interface IndexEntry {
  /** Normalised text terms (folded words and their stems). */
  terms: string[];
  /** The subset of terms from title and keywords (ranked higher by sort=relevance). */
  titleTerms: string[];
  /** Facet values (theme codes, publisher id, formats, licences, folded keywords, project slug). */
  facets: Array<[FacetName, string]>;
  /** Bounding box of the spatial geometry (west, south, east, north). */
  bbox?: [number, number, number, number];
}

/** A search as the store runs it: text already normalised; every group must match (one of its prefixes starts a term). */
export interface StoreSearch extends Omit<SearchQuery, 'q' | 'keywords'> {
  prefixes: string[][];
  /** Folded keywords (facet "keyword"). */
  keywords?: string[];
  /** Published datasets, plus drafts of these tenants (undefined = published only; ['*'] = every draft). */
  draftTenants?: string[];
  limit: number;
  offset: number;
}

export interface CatalogStore {
  readonly engine: 'sqlite' | 'postgres';
  get(id: string): Promise<Dataset | undefined>;
  /** Throws StorageConflict when the id exists. */
  create(d: Dataset, index: IndexEntry): Promise<void>;
  /** Replaces the dataset; throws StorageNotFound when it does not exist. Files no longer named by a distribution are removed. */
  update(d: Dataset, index: IndexEntry): Promise<void>;
  /** Stores a file and the dataset naming it in one step (the dataset must exist: StorageNotFound). */
  updateWithFile(d: Dataset, index: IndexEntry, file: StoredFile, data: Buffer): Promise<void>;
  /** Removes the dataset and its files; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  search(q: StoreSearch): Promise<SearchResult>;
  /** Published datasets in harvest order (createdAt, id) after / before a cursor. */
  page(o: { after?: CatalogCursor; before?: CatalogCursor; limit: number }): Promise<CatalogPage>;
  /** A stored file, streamed. */
  openFile(datasetId: string, distributionId: string): Promise<{ file: StoredFile; stream: Readable } | undefined>;
  /** Every dataset (drafts too) in harvest order, for export. */
  all(): AsyncIterable<Dataset>;
  /** Every stored file's metadata, for export. */
  files(): Promise<StoredFile[]>;
  close(): Promise<void>;
}
