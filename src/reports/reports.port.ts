// The reports module's own storage port, implemented for SQLite and PostgreSQL and held equal by
// reports.contract.ts. Personal data (contacts) and photos live in their own tables behind it.
import type { Category, PhotoState, Report, ReportContact, ReportEvent, ReportStatus } from './reports.model.ts';

export interface NewReport {
  category: string;
  description: string;
  lat?: number;
  lon?: number;
  address?: string;
  department?: string;
  requestedAt: string;
  source: string;
}

export interface NewPhoto {
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  /** The re-encoded image without metadata (the original is never stored). */
  data: Buffer;
}

export interface ReportFilter {
  statuses?: readonly ReportStatus[];
  categories?: readonly string[];
  ids?: readonly string[];
  /** requestedAt ≥ from, < to (UTC ISO strings). */
  from?: string;
  to?: string;
  /** Only reports with coordinates inside this box. */
  bbox?: { minLat: number; maxLat: number; minLon: number; maxLon: number };
}

export interface ReportPatch {
  status?: ReportStatus;
  /** null removes. */
  statusNote?: string | null;
  answer?: string | null;
  department?: string | null;
  photoState?: PhotoState;
}

export interface Cluster {
  lat: number;
  lon: number;
  count: number;
  /** The report's id when the cluster holds exactly one. */
  id?: string;
}

export interface ReportStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Creates the report (id assigned by the store, from 1 upwards), its contact and photo, and the first history event, in one transaction. */
  create(r: NewReport, contact: ReportContact | undefined, photo: NewPhoto | undefined): Promise<Report>;
  get(id: string): Promise<Report | undefined>;
  /** Reports newest first (requestedAt, then id). */
  list(filter: ReportFilter, page: { limit: number; offset: number }): Promise<Report[]>;
  count(filter: ReportFilter): Promise<number>;
  /** Reports with coordinates in the box grouped on a grid of `cellDeg` degrees (the map's clusters). */
  clusters(filter: ReportFilter & { bbox: NonNullable<ReportFilter['bbox']> }, cellDeg: number): Promise<Cluster[]>;
  /**
   * Applies the patch when the report's updatedAt is still `expectedUpdatedAt` (when given), records
   * a history event when the status or note changed. Throws StorageNotFound / StorageConflict.
   */
  update(id: string, patch: ReportPatch, event: { at: string; by: string } , expectedUpdatedAt?: string): Promise<Report>;
  history(id: string): Promise<ReportEvent[]>;
  contact(id: string): Promise<ReportContact | undefined>;
  photo(id: string): Promise<{ contentType: string; data: Buffer } | undefined>;
  /** Reports whose photo waits for a moderator, oldest first. */
  pendingPhotos(limit: number): Promise<Report[]>;
  /** The category list when an operator has replaced it; undefined = the defaults. */
  categories(): Promise<Category[] | undefined>;
  putCategories(list: Category[]): Promise<void>;
  close(): Promise<void>;
}
