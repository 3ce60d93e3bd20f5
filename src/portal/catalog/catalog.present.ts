// Gathers the catalogue pages' view models through the catalogue service (and the strategy service
// for organisations and projects): the routes call these, the components render the result.
import type { CatalogService, CatalogViewer, Dataset, Distribution, FacetName as ServiceFacet, SearchQuery, Sort } from '../../catalog/index.ts';
import { fold, PUBLIC_VIEWER } from '../../catalog/index.ts';
import type { Organisation, StrategyService } from '../../strategy/index.ts';
import type { Lang } from '../paths.ts';
import type { CatalogMessages } from '../i18n/catalog.de.ts';
import { FACETS, SORTS, type DatasetCardView, type DatasetView, type DistributionView, type FacetName, type PreviewView, type SearchView, type SortName } from './catalog.view.ts';
import { licenceView } from './licences.ts';
import { csvPreview, geojsonPreview, readPrefix } from './preview.ts';

export const PAGE_SIZE = 10;
const PREVIEW_ROWS = 10;
const PREVIEW_BYTES = 64 * 1024;
const PREVIEW_GEOJSON_BYTES = 512 * 1024;

const pick = (t: { de: string; en?: string } | undefined, lang: Lang) => (t ? (lang === 'en' && t.en ? t.en : t.de) : '');

function teaser(text: string): string {
  const first = text.split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  return first.length > 240 ? `${first.slice(0, 237).replace(/\s+\S*$/, '')} …` : first;
}

/** The search form's parameters: q, sort, page and one "<facet>:<value>=1" per checked box (no repeated names). */
export function parseSearchParams(query: Record<string, string>): { q: string; sort: SortName; page: number; selected: Record<FacetName, string[]> } {
  const selected = Object.fromEntries(FACETS.map((f) => [f, [] as string[]])) as Record<FacetName, string[]>;
  for (const k of Object.keys(query)) {
    const i = k.indexOf(':');
    if (i < 0) continue;
    const f = k.slice(0, i) as FacetName;
    const v = k.slice(i + 1);
    if ((FACETS as readonly string[]).includes(f) && v && v.length <= 200 && query[k] !== '' && selected[f].length < 20) selected[f].push(v);
  }
  const sort = (SORTS as readonly string[]).includes(query.sort ?? '') ? (query.sort as SortName) : 'relevance';
  const page = /^[1-9]\d{0,5}$/.test(query.page ?? '') ? Number(query.page) : 1;
  return { q: (query.q ?? '').trim().slice(0, 500), sort, page, selected };
}

const SORT_MAP: Record<SortName, Sort | undefined> = { relevance: undefined, modified: '-modified', issued: '-issued', title: 'title' };

export class CatalogPresenter {
  constructor(private readonly catalog: CatalogService, private readonly strategy: StrategyService) {}

  private orgCache?: { at: number; orgs: Organisation[] };
  /** Organisations change rarely: read once per 10 s, not once per facet value. */
  async organisations(): Promise<Organisation[]> {
    const now = Date.now();
    if (!this.orgCache || now - this.orgCache.at > 10_000) this.orgCache = { at: now, orgs: await this.catalog.organisations() };
    return this.orgCache.orgs;
  }

  relativeDownload(ds: Dataset, dist: Distribution): string {
    const url = this.catalog.accessUrl(ds, dist);
    // Buttons on our own pages link relative, so they work behind any host name or proxy.
    return url.startsWith(this.catalog.baseUrl + '/') ? url.slice(this.catalog.baseUrl.length) : url;
  }

  card(ds: Dataset, lang: Lang, orgs: Organisation[]): DatasetCardView {
    const themes = this.catalog.themes();
    return {
      id: ds.id, title: pick(ds.title, lang), teaser: teaser(pick(ds.description, lang)),
      publisher: orgs.find((o) => o.id === ds.publisherId)?.name,
      themes: ds.themes.map((c) => themes.find((t) => t.code === c)?.label[lang] ?? c),
      formats: [...new Set(ds.distributions.filter((d) => d.live !== 'ngsi-ld').map((d) => d.format))],
      modified: ds.modified, live: !!ds.live,
    };
  }

  async search(params: ReturnType<typeof parseSearchParams>, lang: Lang): Promise<SearchView> {
    const s = params.selected;
    const themes = this.catalog.themes();
    const q: SearchQuery = {
      q: params.q || undefined,
      themes: s.theme.length ? s.theme : undefined,
      publishers: s.publisher.length ? s.publisher : undefined,
      formats: s.format.length ? s.format : undefined,
      licences: s.licence.length ? s.licence : undefined,
      keywords: s.keyword.length ? s.keyword : undefined,
      sort: SORT_MAP[params.sort] ?? (params.q ? 'relevance' : 'title'),
      limit: PAGE_SIZE, offset: (params.page - 1) * PAGE_SIZE,
      facets: [...FACETS] as ServiceFacet[],
    };
    const [r, orgs] = await Promise.all([this.catalog.search(q, PUBLIC_VIEWER), this.organisations()]);
    const licences = this.catalog.licences();
    const spelled = await this.keywordSpellings(r.datasets, (r.facets.keyword ?? []).map((k) => k.value).concat(s.keyword));
    const label = (f: FacetName, v: string): string => {
      switch (f) {
        case 'theme': return themes.find((t) => t.code === v)?.label[lang] ?? v;
        case 'publisher': return orgs.find((o) => o.id === v)?.name ?? v;
        case 'licence': return licences.find((l) => l.id === v)?.label ?? v;
        case 'keyword': return spelled.get(v) ?? v;
        default: return v;
      }
    };
    const facets = FACETS.map((name) => {
      const values = (r.facets[name] ?? []).map(({ value, count }) => ({ value, count, label: label(name, value), selected: s[name].includes(value) }));
      // A selected value with no hits left still shows (count 0), so it can be unticked.
      for (const v of s[name]) if (!values.some((x) => x.value === v)) values.push({ value: v, count: 0, label: label(name, v), selected: true });
      return { name, values: values.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)) };
    });
    return { q: params.q, sort: params.sort, page: params.page, pageSize: PAGE_SIZE, total: r.total, results: r.datasets.map((d) => this.card(d, lang, orgs)), facets, selected: s };
  }

  /** Folded keyword → as a dataset spells it (bounded; a restart forgets it). */
  private spellings = new Map<string, string>();

  /**
   * Keyword facet values are folded ("luftqualitaet"); the page shows them as datasets spell them
   * ("Luftqualität"): from the hits at hand, else one search per unknown value (remembered).
   */
  private async keywordSpellings(hits: Dataset[], values: string[]): Promise<Map<string, string>> {
    const remember = (k: string) => {
      if (this.spellings.size >= 20_000) this.spellings.clear();
      // Facet values are folded or lower-cased, depending on the store's version: both keys.
      this.spellings.set(fold(k), k);
      this.spellings.set(k.toLowerCase(), k);
    };
    for (const d of hits) for (const k of d.keywords) remember(k);
    const missing = [...new Set(values)].filter((v) => !this.spellings.has(v)).slice(0, 40);
    await Promise.all(missing.map(async (v) => {
      const r = await this.catalog.search({ keywords: [v], limit: 1 }, PUBLIC_VIEWER);
      for (const k of r.datasets[0]?.keywords ?? []) remember(k);
    }));
    return this.spellings;
  }

  async dataset(id: string, lang: Lang, c: CatalogMessages, viewer: CatalogViewer = PUBLIC_VIEWER): Promise<DatasetView> {
    const ds = await this.catalog.dataset(id, viewer);
    const [orgs, modified] = await Promise.all([this.organisations(), this.catalog.freshModified(ds)]);
    const themes = this.catalog.themes();
    const freq = this.catalog.frequencies();
    const org = (oid: string | undefined) => orgs.find((o) => o.id === oid);
    const publisher = org(ds.publisherId);
    const contactOrg = ds.contactPoint && org(ds.contactPoint.organisationId);
    const distributions: DistributionView[] = ds.distributions
      .filter((d) => d.kind !== 'file' || d.fileName)
      .map((d) => ({
        id: d.id, title: pick(d.title, lang) || d.fileName || d.id, format: d.format, mediaType: d.mediaType, byteSize: d.byteSize,
        url: this.relativeDownload(ds, d), kind: d.kind === 'live' && d.live === 'ngsi-ld' ? 'link' : d.kind, description: pick(d.description, lang) || undefined,
      }));
    const spatial: string[] = [];
    if (ds.spatial?.municipalityKey) spatial.push(c.dataset.municipality(ds.spatial.municipalityKey));
    if (ds.spatial?.geometry) spatial.push(c.dataset.geometryArea);
    let project: { slug: string; title: string } | undefined;
    if (ds.projectSlug) {
      try {
        const p = await this.strategy.project(ds.projectSlug);
        project = { slug: p.slug, title: pick(p.title, lang) };
      } catch { /* the project was removed: the dataset stays */ }
    }
    const ngsi = ds.live ? ds.distributions.find((d) => d.live === 'ngsi-ld') : undefined;
    const iri = this.catalog.datasetIri(ds.id);
    const rel = iri.startsWith(this.catalog.baseUrl) ? iri.slice(this.catalog.baseUrl.length) : iri;
    return {
      id: ds.id, lang, title: pick(ds.title, lang), description: pick(ds.description, lang).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
      published: ds.state === 'published',
      publisher: publisher ? { name: publisher.name, url: publisher.url } : { name: ds.publisherId },
      contact: ds.contactPoint ? { name: contactOrg?.name ?? ds.contactPoint.organisationId, email: ds.contactPoint.email, url: ds.contactPoint.url } : undefined,
      licence: licenceView(ds.licence, lang, this.catalog.licences().find((l) => l.id === ds.licence)?.label),
      themes: ds.themes.map((code) => ({ code, label: themes.find((t) => t.code === code)?.label[lang] ?? code })),
      keywords: ds.keywords, temporal: ds.temporal, spatial,
      frequency: ds.accrualPeriodicity ? freq[ds.accrualPeriodicity]?.[lang] ?? ds.accrualPeriodicity : undefined,
      issued: ds.issued, modified, conformsTo: ds.conformsTo,
      distributions,
      preview: await this.preview(ds, lang, c).catch(() => undefined),
      dcat: [
        { label: 'Turtle', url: `${rel}.ttl`, type: 'text/turtle' },
        { label: 'RDF/XML', url: `${rel}.rdf`, type: 'application/rdf+xml' },
        { label: 'JSON-LD', url: `${rel}.jsonld`, type: 'application/ld+json' },
      ],
      ngsiUrl: ngsi ? this.catalog.accessUrl(ds, ngsi) : undefined,
      projects: project ? [project] : [],
    };
  }

  /** The first rows of the first CSV (else GeoJSON) distribution the platform serves itself. */
  private async preview(ds: Dataset, lang: Lang, c: CatalogMessages): Promise<PreviewView | undefined> {
    const served = ds.distributions.filter((d) => (d.kind === 'file' && d.fileName) || (d.kind === 'live' && d.live !== 'ngsi-ld' && d.live !== 'history-csv'));
    const csv = served.find((d) => d.format === 'CSV');
    const geo = served.find((d) => d.format === 'GEOJSON');
    const dist = csv ?? geo;
    if (!dist) return undefined;
    const dl = await this.catalog.download(ds.id, dist.id, { id: 'portal-preview', manages: ds.state === 'published' ? [] : [ds.tenant] });
    const prefix = await readPrefix(dl.stream, csv ? PREVIEW_BYTES : PREVIEW_GEOJSON_BYTES);
    const table = csv ? csvPreview(prefix, PREVIEW_ROWS) : geojsonPreview(prefix, PREVIEW_ROWS, c.dataset.geometry);
    if (!table) return undefined;
    return { kind: csv ? 'csv' : 'geojson', source: pick(dist.title, lang) || dist.fileName || dist.id, ...table };
  }

  /** The published datasets of a strategy project (the project page's cell). */
  async ofProject(slug: string, lang: Lang): Promise<DatasetCardView[]> {
    const [r, orgs] = await Promise.all([this.catalog.search({ projects: [slug], limit: 50, sort: 'title' }, PUBLIC_VIEWER), this.organisations()]);
    return r.datasets.map((d) => this.card(d, lang, orgs));
  }
}
