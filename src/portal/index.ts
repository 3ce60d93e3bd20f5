// The portal module as app.ts sees it.
export { portalRoutes, portalNotFound, type PortalDeps } from './portal.routes.ts';
export { loadAssets } from './assets.ts';
