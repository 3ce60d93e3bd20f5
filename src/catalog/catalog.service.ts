// The catalogue service: the one way in for the JSON API, the RDF and CKAN views and the portal's
// pages. Checks input (catalog.validate.ts), access (stewards of the dataset's tenant), computes the
// search index (catalog.text.ts) and generates live distributions (catalog.live.ts).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../core/clock.ts';
import { ProblemError, StorageConflict, StorageNotFound } from '../core/errors.ts';
import type { Organisation } from '../strategy/index.ts';
import type { CatalogCursor, CatalogPage, Dataset, DatasetInput, Distribution, FacetName, LiveKind, LiveQuery, SearchQuery, SearchResult, Sort } from './catalog.model.ts';
import { FACETS, SORTS } from './catalog.model.ts';
import type { CatalogStore, IndexEntry } from './catalog.port.ts';
import { fold, indexTerms, queryPrefixes } from './catalog.text.ts';
import { parseDataset, type Problem } from './catalog.validate.ts';
import { FILE_TYPES, findFileType, findLicence, findTheme, licenceList, themeList, FREQUENCIES } from './catalog.vocab.ts';

const TYPE = 'https://drehscheibe.dev/errors/';

export class CatalogProblem extends ProblemError {
  constructor(name: 'BadRequest' | 'NotFound' | 'Conflict' | 'Forbidden' | 'PayloadTooLarge' | 'UnsupportedMediaType', status: number, title: string, detail: string, readonly problems: Problem[] = []) {
    super(TYPE + name, status, title, detail);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.problems.length ? { errors: this.problems } : {}) };
  }
}

export const invalid = (problems: Problem[], title = 'Invalid dataset') => new CatalogProblem('BadRequest', 400, title, problems.map((p) => p.message).join('; '), problems);
const notFound = (what: string) => new CatalogProblem('NotFound', 404, 'Not found', `${what} does not exist`);

/** Who looks at or changes the catalogue: the tenants whose datasets they manage ('all' = operator or access control off). */
export interface CatalogViewer {
  id: string;
  manages: readonly string[] | 'all';
}

export const PUBLIC_VIEWER: CatalogViewer = Object.freeze({ id: 'anonymous', manages: [] as string[] });
export const ALL_VIEWER: CatalogViewer = Object.freeze({ id: 'system', manages: 'all' as const });

export function mayManage(v: CatalogViewer | undefined, tenant: string): boolean {
  return !!v && (v.manages === 'all' || v.manages.includes(tenant));
}

/** Live data as the catalogue needs it, read through the NGSI-LD services with anonymous rights (catalog.live.ts). */
export interface LiveSource {
  /** Checks the query; problems name the part (live.q, live.geo, live.attrs, live.type). */
  check(q: LiveQuery): Promise<{ problems: Problem[]; anonymousReadable: boolean }>;
  /** Current state as CSV or GeoJSON, streamed. */
  current(q: LiveQuery, format: 'csv' | 'geojson'): Readable;
  /** History of [from, to) as CSV, streamed page by page. */
  history(q: LiveQuery, from: Date, to: Date): Readable;
  /** Latest modification of the matching entities (ISO), undefined when none. */
  lastModified(q: LiveQuery): Promise<string | undefined>;
  /** The NGSI-LD query URL (absolute). */
  queryUrl(q: LiveQuery): string;
}

export interface CatalogLimits {
  /** Largest upload in bytes. */
  maxUploadBytes: number;
  /** Media types allowed for uploads. */
  uploadTypes: readonly string[];
}

export const DEFAULT_LIMITS: CatalogLimits = {
  maxUploadBytes: 50 * 1024 * 1024,
  uploadTypes: [...new Set(Object.values(FILE_TYPES))].filter((t) => !t.startsWith('application/vnd.ogc')),
};

export interface CatalogDeps {
  store: CatalogStore;
  clock: Clock;
  /** The organisations datasets name as publisher and contact point (the strategy module's). */
  organisations: () => Promise<Organisation[]>;
  /** Slugs of strategy projects a dataset may belong to (undefined: not checked). */
  projects?: () => Promise<string[]>;
  live?: LiveSource;
  limits?: Partial<CatalogLimits>;
  /** Public base URL (IRIs, download URLs), without trailing slash. */
  baseUrl: string;
}

/** A download: a stored file, or generated live data. */
export interface Download {
  mediaType: string;
  fileName: string;
  byteSize?: number;
  stream: Readable;
}

export class CatalogService {
  readonly limits: CatalogLimits;
  readonly baseUrl: string;
  constructor(private readonly d: CatalogDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...d.limits };
    this.baseUrl = d.baseUrl.replace(/\/+$/, '');
  }

  get store(): CatalogStore { return this.d.store; }
  now(): string { return this.d.clock.now().toISOString(); }

  // ---- vocabularies ----
  licences() { return licenceList(); }
  themes() { return themeList(); }
  frequencies() { return FREQUENCIES; }
  fileTypes() { return FILE_TYPES; }
  organisations(): Promise<Organisation[]> { return this.d.organisations(); }

  // ---- IRIs (persistent: built from the dataset and distribution ids only) ----
  catalogIri(): string { return `${this.baseUrl}/catalog`; }
  datasetIri(id: string): string { return `${this.baseUrl}/catalog/datasets/${id}`; }
  distributionIri(id: string, distId: string): string { return `${this.baseUrl}/catalog/datasets/${id}/distributions/${distId}`; }
  /** Where a file or live distribution is downloaded. */
  downloadUrl(id: string, distId: string): string { return `${this.baseUrl}/api/catalog/datasets/${id}/distributions/${distId}/download`; }

  // ---- reads ----

  /** A dataset; drafts only for stewards of its tenant (others get 404, as if it did not exist). */
  async dataset(id: string, viewer: CatalogViewer = PUBLIC_VIEWER): Promise<Dataset> {
    const ds = await this.d.store.get(id);
    if (!ds || (ds.state !== 'published' && !mayManage(viewer, ds.tenant))) throw notFound(`Dataset ${id}`);
    return ds;
  }

  /** Searches published datasets (and, with includeDrafts, the viewer's drafts). */
  async search(q: SearchQuery, viewer: CatalogViewer = PUBLIC_VIEWER): Promise<SearchResult> {
    const limit = Math.min(Math.max(q.limit ?? 20, 0), 1000);
    const offset = Math.max(q.offset ?? 0, 0);
    const draftTenants = q.includeDrafts && viewer.manages !== 'all' ? [...viewer.manages] : q.includeDrafts ? ['*'] : undefined;
    const { q: text, keywords, includeDrafts: _i, ...rest } = q;
    return this.d.store.search({
      ...rest, prefixes: text ? queryPrefixes(text) : [], keywords: keywords?.map(keywordKey),
      draftTenants, limit, offset, sort: q.sort ?? (text ? 'relevance' : 'title'),
    });
  }

  /**
   * Parses search parameters of the JSON API / the portal's search form (strings or string arrays);
   * throws a problem naming the parameter.
   */
  parseSearch(params: Record<string, unknown>): SearchQuery {
    const problems: Problem[] = [];
    const list = (name: string): string[] | undefined => {
      const v = params[name];
      if (v === undefined || v === '') return undefined;
      const arr = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
      return arr.length ? arr : undefined;
    };
    const known = new Set(['q', 'theme', 'publisher', 'format', 'licence', 'keyword', 'project', 'bbox', 'sort', 'limit', 'offset', 'facets', 'drafts', 'modifiedSince']);
    for (const k of Object.keys(params)) if (!known.has(k)) problems.push({ field: k, message: `${k}: unknown search parameter` });
    const out: SearchQuery = {};
    if (typeof params.q === 'string' && params.q.trim()) {
      if (params.q.length > 500) problems.push({ field: 'q', message: 'q: at most 500 characters' });
      else out.q = params.q.trim();
    }
    const themes = list('theme');
    if (themes) out.themes = themes.map((t) => { const c = findTheme(t)?.code; if (!c) problems.push({ field: 'theme', message: `theme: "${t}" is not an EU data theme` }); return c ?? t; });
    const formats = list('format');
    if (formats) out.formats = formats.map((f) => findFileType(f.toUpperCase()) ?? f.toUpperCase());
    const licences = list('licence');
    if (licences) out.licences = licences.map((l) => { const x = findLicence(l)?.id; if (!x) problems.push({ field: 'licence', message: `licence: "${l}" is not a licence of the DCAT-AP.de vocabulary` }); return x ?? l; });
    const publishers = list('publisher');
    if (publishers) out.publishers = publishers;
    const keywords = list('keyword');
    if (keywords) out.keywords = keywords;
    const projects = list('project');
    if (projects) out.projects = projects;
    if (params.bbox !== undefined && params.bbox !== '') {
      const b = String(params.bbox).split(',').map(Number);
      if (b.length !== 4 || b.some((n) => !Number.isFinite(n)) || b[0] > b[2] || b[1] > b[3] || Math.abs(b[0]) > 180 || Math.abs(b[2]) > 180 || Math.abs(b[1]) > 90 || Math.abs(b[3]) > 90) {
        problems.push({ field: 'bbox', message: 'bbox: expected west,south,east,north in WGS 84 degrees (e.g. 7.1,51.5,7.3,51.6)' });
      } else out.bbox = b as [number, number, number, number];
    }
    if (params.sort !== undefined && params.sort !== '') {
      if (!(SORTS as readonly string[]).includes(String(params.sort))) problems.push({ field: 'sort', message: `sort: one of ${SORTS.join(', ')}` });
      else out.sort = String(params.sort) as Sort;
    }
    for (const k of ['limit', 'offset'] as const) {
      if (params[k] === undefined || params[k] === '') continue;
      const n = Number(params[k]);
      const max = k === 'limit' ? 1000 : 1_000_000;
      if (!Number.isInteger(n) || n < 0 || n > max) problems.push({ field: k, message: `${k}: a whole number from 0 to ${max}` });
      else out[k] = n;
    }
    const facets = list('facets');
    if (facets) {
      for (const f of facets) if (!(FACETS as readonly string[]).includes(f)) problems.push({ field: 'facets', message: `facets: "${f}" is not one of ${FACETS.join(', ')}` });
      out.facets = facets.filter((f): f is FacetName => (FACETS as readonly string[]).includes(f));
    }
    if (params.modifiedSince !== undefined && params.modifiedSince !== '') {
      const t = Date.parse(String(params.modifiedSince));
      if (Number.isNaN(t)) problems.push({ field: 'modifiedSince', message: 'modifiedSince: an ISO 8601 date-time' });
      else out.modifiedSince = new Date(t).toISOString();
    }
    if (params.drafts === 'true' || params.drafts === '1') out.includeDrafts = true;
    if (problems.length) throw invalid(problems, 'Invalid search');
    return out;
  }

  /** Published datasets in harvest order (keyset on createdAt, id): stable under concurrent edits. */
  page(o: { after?: CatalogCursor; before?: CatalogCursor; limit?: number } = {}): Promise<CatalogPage> {
    return this.d.store.page({ after: o.after, before: o.before, limit: Math.min(Math.max(o.limit ?? 100, 1), 1000) });
  }

  // ---- writes ----

  /** Checks a dataset document without saving it (the editor's live check); empty = valid. */
  async check(body: unknown, id?: string): Promise<Problem[]> {
    const { input, problems } = parseDataset(body, id);
    if (!input) return problems;
    return this.refProblems(input);
  }

  private async refProblems(input: DatasetInput): Promise<Problem[]> {
    const problems: Problem[] = [];
    const orgs = new Set((await this.d.organisations()).map((o) => o.id));
    if (!orgs.has(input.publisherId)) problems.push({ field: 'publisherId', message: `publisherId: there is no organisation ${input.publisherId}` });
    if (input.contactPoint && !orgs.has(input.contactPoint.organisationId)) problems.push({ field: 'contactPoint.organisationId', message: `contactPoint.organisationId: there is no organisation ${input.contactPoint.organisationId}` });
    if (input.projectSlug && this.d.projects && !(await this.d.projects()).includes(input.projectSlug)) problems.push({ field: 'projectSlug', message: `projectSlug: there is no project ${input.projectSlug}` });
    if (input.live) {
      if (!this.d.live) problems.push({ field: 'live', message: 'live: live datasets are not available on this server' });
      else problems.push(...(await this.d.live.check(input.live)).problems);
    }
    return problems;
  }

  private mustManage(viewer: CatalogViewer, tenant: string): void {
    if (!mayManage(viewer, tenant)) {
      throw new CatalogProblem('Forbidden', 403, 'Forbidden', `Changing datasets of tenant "${tenant}" needs the steward or operator role there`);
    }
  }

  /** The generated distributions of a live dataset. */
  liveDistributions(q: LiveQuery): Distribution[] {
    const days = q.historyDays ?? 7;
    return [
      { id: 'aktuell-csv', kind: 'live', live: 'current-csv', format: 'CSV', mediaType: 'text/csv', title: { de: 'Aktueller Stand (CSV)', en: 'Current state (CSV)' } },
      { id: 'aktuell-geojson', kind: 'live', live: 'current-geojson', format: 'GEOJSON', mediaType: 'application/geo+json', title: { de: 'Aktueller Stand (GeoJSON)', en: 'Current state (GeoJSON)' } },
      { id: 'verlauf-csv', kind: 'live', live: 'history-csv', format: 'CSV', mediaType: 'text/csv', title: { de: `Verlauf der letzten ${days} Tage (CSV)`, en: `History of the last ${days} days (CSV)` } },
      { id: 'ngsi-ld', kind: 'live', live: 'ngsi-ld', format: 'JSON_LD', mediaType: 'application/ld+json', title: { de: 'NGSI-LD-Abfrage', en: 'NGSI-LD query' } },
    ];
  }

  private build(input: DatasetInput, before: Dataset | undefined): Dataset {
    const now = this.now();
    const distributions: Distribution[] = input.live
      ? this.liveDistributions(input.live)
      : input.distributions.map((x) => {
        const old = before?.distributions.find((o) => o.id === x.id && o.kind === 'file' && x.kind === 'file' && o.fileName);
        // A file keeps its upload (name, size, checksum, time) when the metadata is replaced.
        return old ? { ...x, fileName: old.fileName, byteSize: old.byteSize, checksum: old.checksum, modified: old.modified } : { ...x };
      });
    const { distributions: _d, issued, modified: _m, ...rest } = input;
    const ds: Dataset = {
      ...rest, distributions,
      state: before?.state ?? 'draft',
      modified: now,
      createdAt: before?.createdAt ?? now,
    };
    const iss = issued ?? before?.issued;
    if (iss) ds.issued = iss;
    return ds;
  }

  /** The search index of a dataset (the same code for both engines). */
  indexOf(d: Dataset): IndexEntry {
    const facets: Array<[FacetName, string]> = [];
    for (const t of d.themes) facets.push(['theme', t]);
    facets.push(['publisher', d.publisherId]);
    for (const f of new Set(d.distributions.map((x) => x.format))) facets.push(['format', f]);
    for (const l of new Set([d.licence, ...d.distributions.map((x) => x.licence ?? d.licence)])) facets.push(['licence', l]);
    for (const k of new Set(d.keywords.map(keywordKey))) facets.push(['keyword', k]);
    if (d.projectSlug) facets.push(['project', d.projectSlug]);
    const terms = indexTerms(d.title.de, d.title.en, d.description.de, d.description.en, d.keywords.join(' '), d.live?.type.replace(/([a-z])([A-Z])/g, '$1 $2'));
    const titleTerms = indexTerms(d.title.de, d.title.en, d.keywords.join(' '));
    const entry: IndexEntry = { terms, titleTerms, facets };
    const g = d.spatial?.geometry;
    if (g) entry.bbox = bboxOf(g);
    return entry;
  }

  async create(body: unknown, viewer: CatalogViewer): Promise<Dataset> {
    const { input, problems } = parseDataset(body);
    if (!input) throw invalid(problems);
    this.mustManage(viewer, input.tenant);
    const refs = await this.refProblems(input);
    if (refs.length) throw invalid(refs);
    const ds = this.build(input, undefined);
    try {
      await this.d.store.create(ds, this.indexOf(ds));
    } catch (e) {
      if (e instanceof StorageConflict) throw new CatalogProblem('Conflict', 409, 'Already exists', `A dataset with the id ${ds.id} exists`);
      throw e;
    }
    return ds;
  }

  /** Replaces a dataset's metadata (PUT); its id, state, creation time and uploaded files stay. */
  async replace(id: string, body: unknown, viewer: CatalogViewer): Promise<Dataset> {
    const before = await this.dataset(id, viewer);
    this.mustManage(viewer, before.tenant);
    const { input, problems } = parseDataset(body, id);
    if (!input) throw invalid(problems);
    this.mustManage(viewer, input.tenant);
    const refs = await this.refProblems(input);
    if (refs.length) throw invalid(refs);
    const ds = this.build(input, before);
    if (ds.state === 'published') {
      const p = await this.publishProblems(ds);
      if (p.length) throw invalid(p, 'The published dataset would not be publishable');
    }
    await this.save(ds);
    return ds;
  }

  private async save(ds: Dataset): Promise<void> {
    try {
      await this.d.store.update(ds, this.indexOf(ds));
    } catch (e) {
      if (e instanceof StorageNotFound) throw notFound(`Dataset ${ds.id}`);
      throw e;
    }
  }

  async remove(id: string, viewer: CatalogViewer): Promise<void> {
    const ds = await this.dataset(id, viewer);
    this.mustManage(viewer, ds.tenant);
    if (!(await this.d.store.delete(id))) throw notFound(`Dataset ${id}`);
  }

  /** What stands in the way of publishing (empty = publishable). */
  async publishProblems(ds: Dataset): Promise<Problem[]> {
    const problems: Problem[] = [];
    ds.distributions.forEach((x, i) => {
      if (x.kind === 'file' && !x.fileName) problems.push({ field: `distributions[${i}]`, message: `distributions[${i}]: the file of ${x.id} has not been uploaded yet` });
    });
    if (ds.distributions.length === 0) problems.push({ field: 'distributions', message: 'distributions: a published dataset needs at least one distribution' });
    if (ds.live) {
      if (!this.d.live) problems.push({ field: 'live', message: 'live: live datasets are not available on this server' });
      else {
        const c = await this.d.live.check(ds.live);
        problems.push(...c.problems);
        if (!c.problems.length && !c.anonymousReadable) problems.push({ field: 'live', message: `live: entities of type ${ds.live.type} in tenant "${ds.live.tenant}" are not readable anonymously; the dataset would hand out data the NGSI-LD API hides` });
      }
    }
    return problems;
  }

  async publish(id: string, viewer: CatalogViewer): Promise<Dataset> {
    const before = await this.dataset(id, viewer);
    this.mustManage(viewer, before.tenant);
    const problems = await this.publishProblems(before);
    if (problems.length) throw invalid(problems, 'Not publishable');
    const now = this.now();
    const ds: Dataset = { ...before, state: 'published', issued: before.issued ?? now, modified: now };
    await this.save(ds);
    return ds;
  }

  async unpublish(id: string, viewer: CatalogViewer): Promise<Dataset> {
    const before = await this.dataset(id, viewer);
    this.mustManage(viewer, before.tenant);
    const ds: Dataset = { ...before, state: 'draft', modified: this.now() };
    await this.save(ds);
    return ds;
  }

  /** Stores the file of a file distribution (replacing an earlier upload); size and type are checked first. */
  async upload(id: string, distId: string, data: Buffer, mediaType: string | undefined, fileName: string | undefined, viewer: CatalogViewer): Promise<Dataset> {
    const before = await this.dataset(id, viewer);
    this.mustManage(viewer, before.tenant);
    const i = before.distributions.findIndex((x) => x.id === distId);
    if (i < 0) throw notFound(`Distribution ${distId} of dataset ${id}`);
    const dist = before.distributions[i];
    if (dist.kind !== 'file') throw invalid([{ field: `distributions[${i}].kind`, message: `distributions[${i}].kind: ${distId} is a ${dist.kind} distribution; only file distributions take uploads` }], 'Not a file distribution');
    if (data.length > this.limits.maxUploadBytes) throw new CatalogProblem('PayloadTooLarge', 413, 'File too large', `file: ${data.length} bytes; the limit is ${this.limits.maxUploadBytes} bytes`, [{ field: 'file', message: `file: larger than ${this.limits.maxUploadBytes} bytes` }]);
    const type = (mediaType ?? '').split(';')[0].trim().toLowerCase();
    if (!this.limits.uploadTypes.includes(type)) throw new CatalogProblem('UnsupportedMediaType', 415, 'File type not allowed', `file: ${type || 'no media type'} is not allowed; allowed: ${this.limits.uploadTypes.join(', ')}`, [{ field: 'file', message: `file: type ${type || '(none)'} not allowed` }]);
    if (data.length === 0) throw invalid([{ field: 'file', message: 'file: is empty' }], 'Empty file');
    const sha256 = createHash('sha256').update(data).digest('hex');
    const name = safeFileName(fileName) ?? `${distId}.${extensionOf(dist.format)}`;
    const now = this.now();
    const nd: Distribution = { ...dist, mediaType: type, fileName: name, byteSize: data.length, checksum: { algorithm: 'sha256', value: sha256 }, modified: now };
    const ds: Dataset = { ...before, modified: now, distributions: before.distributions.map((x, j) => (j === i ? nd : x)) };
    try {
      await this.d.store.updateWithFile(ds, this.indexOf(ds), { datasetId: id, distributionId: distId, fileName: name, mediaType: type, byteSize: data.length, sha256 }, data);
    } catch (e) {
      if (e instanceof StorageNotFound) throw notFound(`Dataset ${id}`);
      throw e;
    }
    return ds;
  }

  /** A distribution's data: the stored file, or the live data generated now (history: [from, to)). */
  async download(id: string, distId: string, viewer: CatalogViewer = PUBLIC_VIEWER, o: { from?: Date; to?: Date } = {}): Promise<Download> {
    const ds = await this.dataset(id, viewer);
    const dist = ds.distributions.find((x) => x.id === distId);
    if (!dist) throw notFound(`Distribution ${distId} of dataset ${id}`);
    if (dist.kind === 'file') {
      const f = await this.d.store.openFile(id, distId);
      if (!f) throw notFound(`The file of distribution ${distId}`);
      return { mediaType: f.file.mediaType, fileName: f.file.fileName, byteSize: f.file.byteSize, stream: f.stream };
    }
    if (dist.kind === 'link') throw notFound(`A stored file of link distribution ${distId} (see its accessUrl)`);
    if (!ds.live || !this.d.live) throw notFound(`Live data of ${id}`);
    return this.liveDownload(ds, dist.live!, o);
  }

  private liveDownload(ds: Dataset, kind: LiveKind, o: { from?: Date; to?: Date }): Download {
    const live = this.d.live!;
    const q = ds.live!;
    const base = ds.id;
    switch (kind) {
      case 'current-csv': return { mediaType: 'text/csv; charset=utf-8', fileName: `${base}-aktuell.csv`, stream: live.current(q, 'csv') };
      case 'current-geojson': return { mediaType: 'application/geo+json', fileName: `${base}-aktuell.geojson`, stream: live.current(q, 'geojson') };
      case 'history-csv': {
        const to = o.to ?? this.d.clock.now();
        const from = o.from ?? new Date(to.getTime() - (q.historyDays ?? 7) * 86_400_000);
        if (from.getTime() >= to.getTime()) throw invalid([{ field: 'from', message: 'from: must be before to' }], 'Invalid period');
        return { mediaType: 'text/csv; charset=utf-8', fileName: `${base}-verlauf.csv`, stream: live.history(q, from, to) };
      }
      case 'ngsi-ld': {
        const url = live.queryUrl(q);
        return { mediaType: 'text/uri-list', fileName: `${base}.uri`, stream: Readable.from([url + '\r\n']) };
      }
    }
  }

  /** Where a distribution is read: accessURL for RDF/CKAN. */
  accessUrl(ds: Dataset, dist: Distribution): string {
    if (dist.kind === 'link') return dist.accessUrl!;
    if (dist.live === 'ngsi-ld' && ds.live && this.d.live) return this.d.live.queryUrl(ds.live);
    return this.downloadUrl(ds.id, dist.id);
  }

  /** For live datasets, modified follows the data: the later of the metadata's and the entities' last change. */
  async freshModified(ds: Dataset): Promise<string> {
    if (!ds.live || !this.d.live) return ds.modified;
    try {
      const m = await this.d.live.lastModified(ds.live);
      return m && m > ds.modified ? m : ds.modified;
    } catch {
      return ds.modified;
    }
  }
}

/** Keywords are matched as tags in folded form ("Bäume" = "baeume"); the keyword facet and CKAN's tags show that form. */
export const keywordKey = (k: string) => fold(k.trim());

function bboxOf(g: NonNullable<Dataset['spatial']>['geometry']): [number, number, number, number] | undefined {
  if (!g) return undefined;
  const pts: Array<[number, number]> = g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? g.coordinates.flat() : g.coordinates.flat(2);
  let w = 180, s = 90, e = -180, n = -90;
  for (const [x, y] of pts) { w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y); }
  return [w, s, e, n];
}

function safeFileName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9äöüÄÖÜß_.() -]+/g, '_').slice(0, 200).trim();
  return base && base !== '.' && base !== '..' ? base : undefined;
}

function extensionOf(format: string): string {
  return ({ GEOJSON: 'geojson', JSON_LD: 'jsonld', RDF_TURTLE: 'ttl', RDF_XML: 'rdf' } as Record<string, string>)[format] ?? format.toLowerCase();
}
