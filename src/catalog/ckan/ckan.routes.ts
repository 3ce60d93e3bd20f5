// The read-only part of CKAN's Action API v3 under /api/3/action/ (CKAN 2.10 shapes), so CKAN's own
// harvester, the European Data Portal's, QGIS and the R/Python CKAN clients read the catalogue:
// package_list, package_show, package_search (q, fq, rows, start, sort, facet.field), organization_list,
// organization_show, group_list, tag_list, license_list, status_show. Answers in CKAN's envelope
// {help, success, result}; errors in CKAN's error envelope with its status codes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../core/errors.ts';
import type { Organisation } from '../../strategy/index.ts';
import type { FacetName, SearchQuery, Sort } from '../catalog.model.ts';
import { PUBLIC_VIEWER, type CatalogService } from '../catalog.service.ts';
import { findLicence } from '../catalog.vocab.ts';
import { groupDict, organizationDict, packageDict, type CkanContext, type ProjectInfo } from './ckan.dicts.ts';
import { CkanError, parseFq } from './ckan.query.ts';

export interface CkanDeps {
  service: CatalogService;
  projects: () => Promise<ProjectInfo[]>;
  siteTitle?: string;
}

const open = { config: { access: { op: 'public' as const } } };

/** CKAN facet.field names and our facets. */
const FACET_OF: Record<string, FacetName> = { tags: 'keyword', organization: 'publisher', res_format: 'format', license_id: 'licence', groups: 'project', theme: 'theme' };

export async function ckanRoutes(app: FastifyInstance, d: CkanDeps): Promise<void> {
  const s = d.service;
  const help = (action: string) => `${s.baseUrl}/api/3/action/help_show?name=${action}`;

  const fail = (req: FastifyRequest, reply: FastifyReply, e: unknown) => {
    const action = (req.params as { action?: string }).action ?? '';
    if (e instanceof CkanError) return reply.status(e.status).send({ help: help(action), success: false, error: { __type: e.type, message: e.message, ...e.fields } });
    if (e instanceof ProblemError && e.status === 404) return reply.status(404).send({ help: help(action), success: false, error: { __type: 'Not Found Error', message: 'Not found' } });
    req.log.error({ err: e }, 'CKAN API request failed');
    return reply.status(500).send({ help: help(action), success: false, error: { __type: 'Internal Server Error', message: 'Internal Server Error' } });
  };
  app.setErrorHandler((e, req, reply) => fail(req, reply, e));
  app.setNotFoundHandler((req, reply) => fail(req, reply, new CkanError(400, 'Bad Request', `Bad request - Action name not known: ${req.url.split('?')[0].replace(/^.*\//, '')}`)));

  const ctx = async (): Promise<CkanContext> => {
    const [orgs, projects] = await Promise.all([s.organisations(), d.projects()]);
    return { service: s, organisations: new Map(orgs.map((o) => [o.id, o])), projects: new Map(projects.map((p) => [p.slug, p])) };
  };
  const int = (v: unknown, name: string, def: number, max: number): number => {
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CkanError(409, 'Validation Error', `${name}: Invalid integer`, { [name]: ['Invalid integer'] });
    return Math.min(n, max);
  };
  const allIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    let after;
    for (;;) {
      const p = await s.page({ after, limit: 1000 });
      ids.push(...p.datasets.map((x) => x.id));
      if (!p.next) break;
      after = p.next;
    }
    return ids.sort();
  };

  const actions: Record<string, (q: Record<string, unknown>) => Promise<unknown>> = {
    async status_show() {
      return { site_title: d.siteTitle ?? 'Drehscheibe', site_description: 'Offene Daten der Datendrehscheibe', site_url: s.baseUrl, ckan_version: '2.10.4', error_emails_to: null, locale_default: 'de', extensions: ['dcat', 'dcatde'] };
    },
    async package_list(q) {
      const ids = await allIds();
      const offset = int(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
      const limit = q.limit === undefined ? ids.length : int(q.limit, 'limit', ids.length, 1_000_000);
      return ids.slice(offset, offset + limit);
    },
    async package_show(q) {
      const id = String(q.id ?? q.name_or_id ?? '');
      if (!id) throw new CkanError(409, 'Validation Error', 'id: Missing value', { id: ['Missing value'] });
      const ds = await s.dataset(id, PUBLIC_VIEWER);
      return packageDict(await ctx(), ds, await s.freshModified(ds));
    },
    async package_search(q) {
      const query: SearchQuery = {};
      const text = typeof q.q === 'string' ? q.q.trim() : '';
      const clauses = [...(typeof q.fq === 'string' ? parseFq(q.fq, 'fq') : [])];
      if (text && text !== '*:*' && text !== '*') {
        // CKAN clients also put field queries into q ("tags:luft"): the same grammar as fq, else free text.
        try { clauses.push(...parseFq(text, 'q')); } catch { query.q = text; }
      }
      for (const c of clauses) {
        if (c.field === 'metadata_modified') { if (c.from) query.modifiedSince = c.from; if (c.to) query.modifiedUntil = c.to; continue; }
        if (c.field === 'dataset_type' || c.field === 'type') { if (c.value !== 'dataset') query.tenants = ['\u0000none']; continue; }
        if (c.field === 'text') { query.q = [query.q, c.value].filter(Boolean).join(' '); continue; }
        const key = ({ tags: 'keywords', organization: 'publishers', res_format: 'formats', license_id: 'licences', groups: 'projects', theme: 'themes' } as const)[c.field as 'tags'];
        const v = c.field === 'res_format' ? c.value!.toUpperCase() : c.field === 'license_id' ? (findLicence(c.value!)?.id ?? c.value!) : c.value!;
        // Several clauses on one field select datasets with any of the values (docs/catalog.md).
        (query[key] ??= []).push(v);
      }
      const rows = int(q.rows, 'rows', 10, 1000);
      const start = int(q.start, 'start', 0, 1_000_000);
      query.limit = rows;
      query.offset = start;
      query.sort = sortOf(q.sort, !!query.q);
      let facetFields: string[] = [];
      if (q['facet.field'] !== undefined) {
        try { facetFields = JSON.parse(String(q['facet.field'])); } catch { throw new CkanError(409, 'Validation Error', 'facet.field: Invalid JSON list', { 'facet.field': ['Invalid JSON list'] }); }
        if (!Array.isArray(facetFields)) throw new CkanError(409, 'Validation Error', 'facet.field: Not a list', { 'facet.field': ['Not a list'] });
        for (const f of facetFields) if (!FACET_OF[f]) throw new CkanError(409, 'Search Query Error', `Search Query is invalid: facet.field ${String(f)} is not one of ${Object.keys(FACET_OF).join(', ')}`);
      }
      const facetLimit = int(q['facet.limit'], 'facet.limit', 50, 1000);
      query.facets = facetFields.map((f) => FACET_OF[f]);
      const r = await s.search(query, PUBLIC_VIEWER);
      const c = await ctx();
      const facets: Record<string, Record<string, number>> = {};
      const searchFacets: Record<string, unknown> = {};
      for (const f of facetFields) {
        const items = (r.facets[FACET_OF[f]] ?? []).slice(0, facetLimit);
        facets[f] = Object.fromEntries(items.map((i) => [i.value, i.count]));
        searchFacets[f] = { title: f, items: items.map((i) => ({ name: i.value, display_name: displayName(c, f, i.value), count: i.count })) };
      }
      return {
        count: r.total, sort: String(q.sort ?? (query.q ? 'score desc, metadata_modified desc' : 'score desc, metadata_modified desc')),
        facets, search_facets: searchFacets,
        results: await Promise.all(r.datasets.map(async (ds) => packageDict(c, ds, await s.freshModified(ds)))),
      };
    },
    async organization_list(q) {
      const orgs = await s.organisations();
      const counts = await publisherCounts();
      const sorted = [...orgs].sort((a, b) => a.id.localeCompare(b.id));
      if (q.all_fields === 'true' || q.all_fields === 'True') return sorted.map((o) => organizationDict(s, o, counts.get(o.id) ?? 0));
      return sorted.map((o) => o.id);
    },
    async organization_show(q) {
      const id = String(q.id ?? '');
      const o = (await s.organisations()).find((x) => x.id === id);
      if (!o) throw new CkanError(404, 'Not Found Error', 'Not found');
      const counts = await publisherCounts();
      const dict = organizationDict(s, o, counts.get(o.id) ?? 0);
      if (q.include_datasets === 'true' || q.include_datasets === 'True') {
        const r = await s.search({ publishers: [o.id], limit: 1000 }, PUBLIC_VIEWER);
        const c = await ctx();
        return { ...dict, packages: await Promise.all(r.datasets.map(async (ds) => packageDict(c, ds, await s.freshModified(ds)))) };
      }
      return dict;
    },
    async group_list(q) {
      const c = await ctx();
      const r = await s.search({ limit: 0, facets: ['project'] }, PUBLIC_VIEWER);
      const counts = new Map((r.facets.project ?? []).map((x) => [x.value, x.count]));
      const groups = [...c.projects.values()].filter((p) => counts.has(p.slug)).sort((a, b) => a.slug.localeCompare(b.slug));
      if (q.all_fields === 'true' || q.all_fields === 'True') return groups.map((p) => groupDict(s, p, counts.get(p.slug) ?? 0));
      return groups.map((p) => p.slug);
    },
    async tag_list(q) {
      const r = await s.search({ limit: 0, facets: ['keyword'] }, PUBLIC_VIEWER);
      const all = (r.facets.keyword ?? []).map((x) => x.value).sort();
      const query = typeof q.query === 'string' ? q.query.toLowerCase() : '';
      return query ? all.filter((t) => t.includes(query)) : all;
    },
    async license_list() {
      return s.licences().map((l) => ({ id: l.id, title: l.label, url: l.url ?? '', od_conformance: l.open ? 'approved' : 'not reviewed', osd_conformance: 'not reviewed', status: 'active', maintainer: '', family: '', domain_content: true, domain_data: true, domain_software: false, is_generic: l.id.startsWith('other') }));
    },
  };

  async function publisherCounts(): Promise<Map<string, number>> {
    const r = await s.search({ limit: 0, facets: ['publisher'] }, PUBLIC_VIEWER);
    return new Map((r.facets.publisher ?? []).map((x) => [x.value, x.count]));
  }

  const handle = async (req: FastifyRequest<{ Params: { action: string } }>, reply: FastifyReply) => {
    const fn = actions[req.params.action];
    if (!fn) throw new CkanError(400, 'Bad Request', `Bad request - Action name not known: ${req.params.action}`);
    const body = req.body && typeof req.body === 'object' ? req.body as Record<string, unknown> : {};
    const q = { ...(req.query as Record<string, unknown>), ...body };
    const result = await fn(q);
    return reply.type('application/json; charset=utf-8').send({ help: help(req.params.action), success: true, result });
  };
  app.get('/:action', open, handle);
  // CKAN accepts POST with a JSON body for every action (the Python clients use it).
  app.post('/:action', open, handle);
}

function displayName(c: CkanContext, facet: string, value: string): string {
  if (facet === 'organization') return c.organisations.get(value)?.name ?? value;
  if (facet === 'groups') return c.projects.get(value)?.title ?? value;
  if (facet === 'license_id') return findLicence(value)?.label ?? value;
  return value;
}

/** CKAN sort strings ("metadata_modified desc", "title_string asc", "score desc, …") to ours. */
function sortOf(v: unknown, hasText: boolean): Sort {
  const first = String(v ?? '').split(',')[0].trim().toLowerCase();
  const [field, dir] = first.split(/\s+/);
  const desc = dir === 'desc';
  switch (field) {
    case 'metadata_modified': return desc ? '-modified' : 'modified';
    case 'metadata_created': return desc ? '-issued' : 'issued';
    case 'title_string': case 'title': case 'name': return desc ? '-title' : 'title';
    case '': case 'score': return hasText ? 'relevance' : '-modified';
    default: throw new CkanError(409, 'Search Query Error', `Search Query is invalid: cannot sort by ${field}`);
  }
}

export type { Organisation };
