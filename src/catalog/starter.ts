// The catalogue's starter content (Herne demo): one published live dataset per simulated sensor
// type, under the strategy project it belongs to, loaded into an empty catalogue like the strategy's.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Project } from '../strategy/index.ts';
import type { LangText } from './catalog.model.ts';
import { ALL_VIEWER, type CatalogService } from './catalog.service.ts';

export const CATALOG_STARTER_FILE = join(dirname(fileURLToPath(import.meta.url)), 'starter', 'herne.json');

interface Starter {
  tenant: string;
  context: string;
  fallbackProject: string;
  types: Record<string, { title: LangText; description: LangText; themes: string[]; keywords: string[] }>;
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Loads the starter datasets when the catalogue is empty; returns how many it created. */
export async function loadCatalogStarter(catalog: CatalogService, projects: Project[], file = CATALOG_STARTER_FILE): Promise<number> {
  if ((await catalog.search({ includeDrafts: true, limit: 0 }, ALL_VIEWER)).total > 0) return 0;
  const s = JSON.parse(readFileSync(file, 'utf8')) as Starter;
  let n = 0;
  for (const [type, t] of Object.entries(s.types)) {
    const project = projects.find((p) => p.entityTypes.includes(type)) ?? projects.find((p) => p.slug === s.fallbackProject);
    const id = `live-${kebab(type)}`;
    await catalog.create({
      id, tenant: '', title: t.title, description: t.description,
      publisherId: project?.organisationId ?? 'stadt-herne',
      contactPoint: { organisationId: 'stadt-herne', url: 'https://www.herne.de/' },
      licence: 'dl-by-de/2.0', themes: t.themes, keywords: t.keywords,
      spatial: { municipalityKey: '05916000', geometry: { type: 'Polygon', coordinates: [[[7.13, 51.50], [7.28, 51.50], [7.28, 51.57], [7.13, 51.57], [7.13, 51.50]]] } },
      accrualPeriodicity: 'CONT',
      // Herne has no contributor id of its own; its open data reach GovData through the NRW portal.
      contributorIds: ['http://dcat-ap.de/def/contributors/openNRW'],
      ...(project ? { projectSlug: project.slug } : {}),
      live: { tenant: s.tenant, type, context: s.context, historyDays: 7 },
    }, ALL_VIEWER);
    await catalog.publish(id, ALL_VIEWER);
    n++;
  }
  return n;
}
