// Participation processes as datasets of the open-data catalogue (issue #18: "listed there as
// datasets"). Each process is one published dataset `beteiligung-<slug>` whose distributions are
// links to the process's open-data exports (export.service.ts: JSON, proposals CSV, comments CSV),
// so the catalogue's search, dataset page, DCAT-AP.de and CKAN views list it like any other dataset,
// and a download always gives the export as it is now (no copy in the catalogue). The dataset is
// written when a process is opened or replaced, and reconciled with the processes when the app
// starts (processes written past the service, such as the demo's, and datasets of processes that
// are gone). Only what the exports already publish is described: titles, phases, area, categories.
import type { Organisation } from '../strategy/index.ts';
import { ALL_VIEWER, CatalogProblem, type CatalogService, type Dataset, type DatasetInput } from '../catalog/index.ts';
import type { Process } from './participation.model.ts';

export const DATASET_PREFIX = 'beteiligung-';

export interface ProcessDatasetDeps {
  catalog: CatalogService;
  /** Public base URL, no trailing slash. */
  publicUrl: string;
  /** The tenant whose stewards run the processes (the portal's city tenant). */
  tenant: string;
  /** Licence id of the DCAT-AP.de vocabulary (DREHSCHEIBE_OPEN_DATA_LICENCE). */
  licence: string;
  /** The publishing organisation's id (DREHSCHEIBE_OPEN_DATA_PUBLISHER); absent = the city administration. */
  publisher?: string;
  /** dcatde:contributorID IRIs (DREHSCHEIBE_OPEN_DATA_CONTRIBUTORS). */
  contributors?: string[];
  organisations: () => Promise<Organisation[]>;
  processes: () => Promise<Process[]>;
}

/** The publisher: the configured organisation, else the one of kind "city administration", else the first. */
export function cityOrganisation(orgs: Organisation[], configured?: string): Organisation | undefined {
  if (configured) return orgs.find((o) => o.id === configured);
  return orgs.find((o) => o.kind === 'city administration') ?? orgs[0];
}

const PHASE_DE: Record<string, string> = { information: 'Information', participation: 'Beteiligung', voting: 'Abstimmung', evaluation: 'Auswertung', result: 'Ergebnis' };

/** The dataset document of a process (the catalogue's JSON API shape). */
export function processDataset(p: Process, o: { publicUrl: string; tenant: string; licence: string; publisherId: string; contributorIds?: string[] }): DatasetInput {
  const base = o.publicUrl.replace(/\/+$/, '');
  const api = `${base}/api/participation/processes/${p.slug}`;
  const page = `${base}/beteiligung/${p.slug}`;
  const starts = p.phases.map((x) => x.start).sort();
  const ends = p.phases.map((x) => x.end).sort();
  const phasesDe = p.phases.map((x) => PHASE_DE[x.kind] ?? x.kind).join(', ');
  const noteDe = `\n\nOffene Daten des Beteiligungsverfahrens: die veröffentlichten Vorschläge mit Unterstützungen, Kommentaren und den Antworten der Stadt, veröffentlichte Umfrageergebnisse${p.budget !== undefined ? ' und das Ergebnis des Bürgerhaushalts, sobald es öffentlich ist' : ''}. Phasen: ${phasesDe}. Nur Anzeigenamen (Pseudonyme), keine personenbezogenen Daten; ausgeblendete und zurückgezogene Vorschläge fehlen. Die Dateien werden bei jedem Abruf aus dem aktuellen Stand erzeugt.`;
  const noteEn = `\n\nOpen data of the participation process: the published proposals with their support, comments and the city's answers, published survey results${p.budget !== undefined ? ' and the participatory budget result once public' : ''}. Display names (pseudonyms) only, no personal data; hidden and withdrawn proposals are left out. The files are made from the current state on every download.`;
  const cut = (s: string, note: string) => s.slice(0, 20_000 - note.length) + note;
  const keywords = [...new Set(['Bürgerbeteiligung', 'Beteiligungsverfahren', 'Vorschläge', 'Kommentare', ...(p.budget !== undefined ? ['Bürgerhaushalt'] : []), ...p.categories])]
    .map((k) => k.slice(0, 100)).slice(0, 50);
  const link = (id: string, file: string, format: string, mediaType: string, de: string, en: string) => ({
    id, kind: 'link' as const, accessUrl: `${api}/${file}`, downloadUrl: `${api}/${file}`, format, mediaType, title: { de, en },
  });
  const d: DatasetInput = {
    id: DATASET_PREFIX + p.slug,
    tenant: o.tenant,
    title: { de: `Bürgerbeteiligung: ${p.title.de}`.slice(0, 300), ...(p.title.en ? { en: `Citizen participation: ${p.title.en}`.slice(0, 300) } : {}) },
    description: { de: cut(p.description.de, noteDe), ...(p.description.en ? { en: cut(p.description.en, noteEn) } : {}) },
    publisherId: o.publisherId,
    contactPoint: { organisationId: o.publisherId, url: page },
    licence: o.licence,
    themes: ['SOCI', 'GOVE'],
    keywords,
    ...(starts.length ? { temporal: { start: starts[0], end: ends[ends.length - 1] } } : {}),
    ...(p.area ? { spatial: { geometry: { type: 'Polygon' as const, coordinates: p.area.coordinates } } } : {}),
    accrualPeriodicity: 'IRREG',
    contributorIds: o.contributorIds ?? [],
    conformsTo: [],
    landingPage: page,
    ...(p.projectSlug ? { projectSlug: p.projectSlug } : {}),
    distributions: [
      link('json', 'export.json', 'JSON', 'application/json', 'Verfahren mit allen öffentlichen Beiträgen (JSON)', 'Process with all public contributions (JSON)'),
      link('vorschlaege-csv', 'proposals.csv', 'CSV', 'text/csv', 'Vorschläge (CSV)', 'Proposals (CSV)'),
      link('kommentare-csv', 'comments.csv', 'CSV', 'text/csv', 'Kommentare (CSV)', 'Comments (CSV)'),
    ],
  };
  return d;
}

/** Keys in a stable order, so a stored dataset and a new document compare by content. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Whether a stored dataset already says what the document says (then nothing is written, and dct:modified stays). */
function same(ds: Dataset, input: DatasetInput): boolean {
  const keys = new Set([...Object.keys(input), 'spatial', 'temporal', 'projectSlug', 'contactPoint', 'landingPage']);
  keys.delete('distributions');
  for (const k of keys) if (stable((ds as unknown as Record<string, unknown>)[k]) !== stable((input as unknown as Record<string, unknown>)[k])) return false;
  return stable(ds.distributions.map(({ modified: _m, ...x }) => x)) === stable(input.distributions);
}

/** Whether a dataset is one this module made (its id and its links to the participation exports). */
export function isProcessDataset(ds: Dataset, publicUrl: string): boolean {
  const base = publicUrl.replace(/\/+$/, '');
  return ds.id.startsWith(DATASET_PREFIX) && !!ds.landingPage?.startsWith(`${base}/beteiligung/`)
    && ds.distributions.some((x) => x.kind === 'link' && !!x.accessUrl?.startsWith(`${base}/api/participation/processes/`));
}

export class ProcessDatasets {
  constructor(private readonly d: ProcessDatasetDeps) {}

  private async publisherId(): Promise<string> {
    const org = cityOrganisation(await this.d.organisations(), this.d.publisher);
    if (!org) throw new Error(this.d.publisher ? `DREHSCHEIBE_OPEN_DATA_PUBLISHER: there is no organisation ${this.d.publisher}` : 'there is no organisation to publish the participation datasets (the strategy module has none)');
    return org.id;
  }

  /** Creates or replaces the process's dataset and publishes it; nothing is written when it is unchanged. */
  async sync(p: Process, publisherId?: string, retried = false): Promise<'created' | 'updated' | 'unchanged'> {
    const c = this.d.catalog;
    const input = processDataset(p, { publicUrl: this.d.publicUrl, tenant: this.d.tenant, licence: this.d.licence, contributorIds: this.d.contributors, publisherId: publisherId ?? await this.publisherId() });
    const before = await c.store.get(input.id);
    if (before && before.state === 'published' && same(before, input)) return 'unchanged';
    if (before) await c.replace(input.id, input, ALL_VIEWER);
    else {
      try {
        await c.create(input, ALL_VIEWER);
      } catch (e) {
        // Another node (starting at the same time on the same database) made it first.
        if (e instanceof CatalogProblem && e.status === 409 && !retried) return this.sync(p, publisherId, true);
        throw e;
      }
    }
    if (before?.state !== 'published') await c.publish(input.id, ALL_VIEWER);
    return before ? 'updated' : 'created';
  }

  /** Brings the catalogue in step with the processes: each has its dataset, none is left of a process that is gone. */
  async syncAll(): Promise<{ created: number; updated: number; removed: number }> {
    const out = { created: 0, updated: 0, removed: 0 };
    const processes = await this.d.processes();
    const publisherId = processes.length ? await this.publisherId() : '';
    for (const p of processes) {
      const r = await this.sync(p, publisherId);
      if (r !== 'unchanged') out[r]++;
    }
    const slugs = new Set(processes.map((p) => DATASET_PREFIX + p.slug));
    const stale: string[] = [];
    for await (const ds of this.d.catalog.store.all()) if (isProcessDataset(ds, this.d.publicUrl) && !slugs.has(ds.id)) stale.push(ds.id);
    for (const id of stale) {
      try {
        await this.d.catalog.remove(id, ALL_VIEWER);
        out.removed++;
      } catch (e) {
        if (!(e instanceof CatalogProblem && e.status === 404)) throw e; // removed by another node meanwhile
      }
    }
    return out;
  }
}
