// The catalogue domain (DCAT-AP.de 3.0): datasets with their distributions (uploaded files, links,
// and live distributions generated from an NGSI-LD query). Plain data; checks in catalog.validate.ts.

/** Text in German (mandatory) and English (optional). */
export interface LangText {
  de: string;
  en?: string;
}

export const DATASET_STATES = ['draft', 'published'] as const;
export type DatasetState = (typeof DATASET_STATES)[number];

/** GeoJSON geometry (WGS 84, lon/lat) of a dataset's spatial coverage. */
export type Geometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'Polygon'; coordinates: Array<Array<[number, number]>> }
  | { type: 'MultiPolygon'; coordinates: Array<Array<Array<[number, number]>>> };

/** dct:spatial: an official municipality key (Amtlicher Gemeindeschlüssel, 8 digits) and/or a geometry. */
export interface Spatial {
  /** E.g. "05916000" (Herne); rendered as http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05916000. */
  municipalityKey?: string;
  geometry?: Geometry;
}

/** dct:temporal: either bound may be open; ISO dates (YYYY-MM-DD) or date-times. */
export interface Temporal {
  start?: string;
  end?: string;
}

/** A contact point (vcard:Kind) given as one of the organisations, with optional direct channels. */
export interface ContactPoint {
  organisationId: string;
  email?: string;
  url?: string;
}

/** The NGSI-LD query a live dataset is bound to (read anonymously through the NGSI-LD services). */
export interface LiveQuery {
  /** NGSILD-Tenant ("" = the default tenant). */
  tenant: string;
  /** Entity type, short name of the core context (e.g. "AirQualityObserved") or an IRI. */
  type: string;
  /** NGSI-LD q expression (clause 4.9). */
  q?: string;
  /** Geo filter (clause 4.10): georel, geometry, coordinates (JSON text), optional geoproperty. */
  geo?: { georel: string; geometry: string; coordinates: string; geoproperty?: string };
  /** Attributes to include (short names); absent = all. */
  attrs?: string[];
  /** The @context (URL) the names of type and attributes are in; absent = the core context. */
  context?: string;
  /** Default length of the history distribution's period in days (the caller may ask for another). */
  historyDays?: number;
}

export const LIVE_KINDS = ['current-csv', 'current-geojson', 'history-csv', 'ngsi-ld'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export interface Checksum {
  algorithm: 'sha256' | 'sha1' | 'md5';
  /** Lower-case hex. */
  value: string;
}

export const DISTRIBUTION_KINDS = ['file', 'link', 'live'] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

export interface Distribution {
  /** Unique within its dataset ([a-z0-9-], 1–64). */
  id: string;
  kind: DistributionKind;
  title?: LangText;
  description?: LangText;
  /** Link distributions: dcat:accessURL (and dcat:downloadURL when it is a direct download). */
  accessUrl?: string;
  downloadUrl?: string;
  /** EU file type code (http://publications.europa.eu/resource/authority/file-type/…), e.g. "CSV". */
  format: string;
  /** IANA media type, e.g. "text/csv". */
  mediaType: string;
  /** Licence id of the DCAT-AP.de vocabulary (e.g. "dl-by-de/2.0"); absent = the dataset's. */
  licence?: string;
  byteSize?: number;
  checksum?: Checksum;
  /** File distributions: the stored file's name once uploaded (absent before the upload). */
  fileName?: string;
  /** Live distributions: which representation is generated. */
  live?: LiveKind;
  /** Last change of the distribution (files: upload time). */
  modified?: string;
}

export interface Dataset {
  /** Persistent id ([a-z0-9-], 1–100): part of every IRI, never changes. */
  id: string;
  /** The tenant whose stewards manage the dataset ("" = the default tenant). */
  tenant: string;
  state: DatasetState;
  title: LangText;
  description: LangText;
  /** dct:publisher: id of an organisation (the strategy module's). */
  publisherId: string;
  contactPoint?: ContactPoint;
  /** Licence id of the DCAT-AP.de vocabulary, default for the distributions. */
  licence: string;
  /** EU data theme codes (http://publications.europa.eu/resource/authority/data-theme/…), e.g. "ENVI". */
  themes: string[];
  keywords: string[];
  spatial?: Spatial;
  temporal?: Temporal;
  /** EU frequency code (http://publications.europa.eu/resource/authority/frequency/…), e.g. "DAILY". */
  accrualPeriodicity?: string;
  /** dcatde:contributorID IRIs (http://dcat-ap.de/def/contributors/…). */
  contributorIds: string[];
  /** dct:conformsTo IRIs. */
  conformsTo: string[];
  landingPage?: string;
  /** The strategy project the dataset belongs to (slug), if any. */
  projectSlug?: string;
  /** Set for live datasets; their distributions are generated (kind "live"). */
  live?: LiveQuery;
  distributions: Distribution[];
  /** dct:issued: first publication. */
  issued?: string;
  /** dct:modified: last change of metadata or files; for live datasets the data's last change. */
  modified: string;
  createdAt: string;
}

/** What stewards send to create or replace a dataset: the dataset without the fields the service sets. */
export type DatasetInput = Omit<Dataset, 'state' | 'issued' | 'modified' | 'createdAt' | 'distributions'> & {
  distributions: Array<Omit<Distribution, 'fileName' | 'modified'>>;
  issued?: string;
  modified?: string;
};

/** A licence of the DCAT-AP.de vocabulary. */
export interface Licence {
  /** E.g. "dl-by-de/2.0". */
  id: string;
  iri: string;
  label: string;
  url?: string;
  open: boolean;
}

export interface Theme {
  code: string;
  iri: string;
  label: LangText & { en: string };
}

// ---- search ----

export const SORTS = ['title', '-title', 'modified', '-modified', 'issued', '-issued', 'relevance'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchQuery {
  /** Free text (German full-text: folded, stemmed, prefix match; every term must match). */
  q?: string;
  themes?: string[];
  publishers?: string[];
  formats?: string[];
  licences?: string[];
  keywords?: string[];
  /** Projects (slugs), CKAN's "groups". */
  projects?: string[];
  /** West, south, east, north (WGS 84); hits whose spatial geometry's bbox intersects it. */
  bbox?: [number, number, number, number];
  /** Only datasets modified at or after this time (ISO). */
  modifiedSince?: string;
  /** Only datasets modified at or before this time (ISO). */
  modifiedUntil?: string;
  /** Include drafts (stewards only; the service decides). */
  includeDrafts?: boolean;
  /** Limit to datasets of these tenants (the service sets it for stewards' drafts). */
  tenants?: string[];
  sort?: Sort;
  limit?: number;
  offset?: number;
  /** Facet counts to compute: theme, publisher, format, licence, keyword, project. */
  facets?: FacetName[];
}

export const FACETS = ['theme', 'publisher', 'format', 'licence', 'keyword', 'project'] as const;
export type FacetName = (typeof FACETS)[number];

export interface SearchResult {
  total: number;
  datasets: Dataset[];
  facets: Partial<Record<FacetName, Array<{ value: string; count: number }>>>;
}

/** Keyset position in the harvest order (createdAt, id): stable while datasets are added and removed. */
export interface CatalogCursor {
  createdAt: string;
  id: string;
}

export interface CatalogPage {
  datasets: Dataset[];
  /** Cursor of the next / previous page, absent at the ends. */
  next?: CatalogCursor;
  previous?: CatalogCursor;
  total: number;
}

/** A stored file's bytes and metadata. */
export interface StoredFile {
  datasetId: string;
  distributionId: string;
  fileName: string;
  mediaType: string;
  byteSize: number;
  sha256: string;
}
