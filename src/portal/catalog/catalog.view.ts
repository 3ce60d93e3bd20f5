// The catalogue pages' view models: plain data the routes gather through the catalogue service and
// the components only render (no service types in the components, so the pages do not follow every
// change of the backend's model).
import type { Lang } from '../paths.ts';
import type { LicenceView } from './licences.ts';

export const FACETS = ['theme', 'publisher', 'format', 'licence', 'keyword'] as const;
export type FacetName = (typeof FACETS)[number];
export const SORTS = ['relevance', 'modified', 'issued', 'title'] as const;
export type SortName = (typeof SORTS)[number];

export interface FacetValueView {
  value: string;
  label: string;
  count: number;
  selected: boolean;
}

export interface FacetView {
  name: FacetName;
  values: FacetValueView[];
}

export interface DatasetCardView {
  id: string;
  title: string;
  /** The description's first paragraph, shortened. */
  teaser: string;
  publisher?: string;
  themes: string[];
  formats: string[];
  modified?: string;
  live: boolean;
}

export interface SearchView {
  q: string;
  sort: SortName;
  /** 1-based. */
  page: number;
  pageSize: number;
  total: number;
  results: DatasetCardView[];
  facets: FacetView[];
  selected: Record<FacetName, string[]>;
}

export interface DistributionView {
  id: string;
  title: string;
  format: string;
  mediaType?: string;
  byteSize?: number;
  /** Where the button leads: the download of a file, or the link. */
  url: string;
  kind: 'file' | 'link' | 'live';
  description?: string;
}

export interface PreviewView {
  kind: 'csv' | 'geojson';
  /** Which distribution it shows. */
  source: string;
  columns: string[];
  rows: string[][];
  truncated: boolean;
}

export interface OrgView {
  name: string;
  email?: string;
  url?: string;
}

export interface DatasetView {
  id: string;
  lang: Lang;
  title: string;
  /** Paragraphs. */
  description: string[];
  published: boolean;
  publisher?: OrgView;
  contact?: OrgView;
  licence?: LicenceView;
  themes: Array<{ code: string; label: string }>;
  keywords: string[];
  temporal?: { start?: string; end?: string };
  spatial: string[];
  frequency?: string;
  issued?: string;
  modified?: string;
  conformsTo: string[];
  distributions: DistributionView[];
  preview?: PreviewView;
  /** DCAT links: format label → URL. */
  dcat: Array<{ label: string; url: string; type: string }>;
  /** The NGSI-LD query URL of a live dataset. */
  ngsiUrl?: string;
  projects: Array<{ slug: string; title: string }>;
}
