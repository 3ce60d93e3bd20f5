// The catalogue pages and dataset editor as the portal sees them.
export { catalogPageRoutes, type CatalogPageDeps } from './catalog.routes.ts';
export { CatalogPresenter } from './catalog.present.ts';
export { ProjectDatasets } from './catalog.cells.tsx';
export type { DatasetCardView } from './catalog.view.ts';
