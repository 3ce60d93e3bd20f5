// The catalogue module as other modules see it (adapters are imported by app.ts/main.ts only).
export type { CatalogStore, IndexEntry, StoreSearch } from './catalog.port.ts';
export type {
  Dataset, DatasetInput, DatasetState, Distribution, DistributionKind, LangText, LiveQuery, LiveKind, Licence, Theme, Spatial, Temporal,
  ContactPoint, Checksum, Geometry, SearchQuery, SearchResult, Sort, FacetName, CatalogCursor, CatalogPage, StoredFile,
} from './catalog.model.ts';
export { DATASET_STATES, DISTRIBUTION_KINDS, LIVE_KINDS, SORTS, FACETS } from './catalog.model.ts';
export { CatalogService, CatalogProblem, PUBLIC_VIEWER, ALL_VIEWER, mayManage, DEFAULT_LIMITS } from './catalog.service.ts';
export type { CatalogViewer, CatalogDeps, CatalogLimits, LiveSource, Download } from './catalog.service.ts';
export type { Problem } from './catalog.validate.ts';
export { DATASET_ID, DISTRIBUTION_ID } from './catalog.validate.ts';
export { licenceList, findLicence, themeList, findTheme, FREQUENCIES, FILE_TYPES, LICENCE_BASE, THEME_BASE, FREQUENCY_BASE, FILE_TYPE_BASE } from './catalog.vocab.ts';
export { fold, indexTerms, queryPrefixes } from './catalog.text.ts';
export { NgsiLiveSource, type LiveDeps, type HistorySource, type HistoryRow, type HistoryPage } from './catalog.live.ts';
export { catalogHttp } from './catalog.http.ts';
export { viewerOf, sendDownload } from './catalog.routes.ts';
export { loadCatalogStarter, CATALOG_STARTER_FILE } from './starter.ts';
export { catalogTransfer } from './catalog.transfer.ts';
