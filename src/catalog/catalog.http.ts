// Every HTTP face of the catalogue, registered by app.ts in one line: the JSON API (/api/catalog),
// the DCAT-AP.de RDF for harvesters (/catalog) and the read-only CKAN Action API (/api/3/action).
import type { FastifyInstance } from 'fastify';
import { catalogRoutes } from './catalog.routes.ts';
import type { CatalogService } from './catalog.service.ts';
import { ckanRoutes } from './ckan/ckan.routes.ts';
import type { ProjectInfo } from './ckan/ckan.dicts.ts';
import { rdfRoutes } from './rdf/rdf.routes.ts';

export interface CatalogHttpDeps {
  service: CatalogService;
  authEnabled: boolean;
  /** The strategy projects datasets belong to (CKAN's groups). */
  projects?: () => Promise<ProjectInfo[]>;
}

export async function catalogHttp(app: FastifyInstance, d: CatalogHttpDeps): Promise<void> {
  await app.register(async (api) => catalogRoutes(api, d), { prefix: '/api/catalog' });
  await app.register(async (rdf) => rdfRoutes(rdf, d.service));
  await app.register(async (ckan) => ckanRoutes(ckan, { service: d.service, projects: d.projects ?? (async () => []) }), { prefix: '/api/3/action' });
}
