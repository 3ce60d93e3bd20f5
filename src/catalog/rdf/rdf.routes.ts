// DCAT-AP.de for harvesters: the catalogue at /catalog (Turtle, RDF/XML, JSON-LD by Accept or by the
// suffix .ttl/.rdf/.jsonld), paged in a stable order (keyset on createdAt, id: a page boundary never
// drops or repeats a dataset while datasets are added, edited or deleted), and each dataset, its
// distributions and the publishers at their own persistent IRIs in the same formats.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogCursor } from '../catalog.model.ts';
import { catalogProblem } from '../catalog.routes.ts';
import { CatalogProblem, PUBLIC_VIEWER, type CatalogService } from '../catalog.service.ts';
import { catalogTriples, datasetTriples, Graph, organisationTriples, pagingTriples, type GraphContext } from './dcat.graph.ts';
import { FORMATS, negotiate, serialise, type RdfFormat } from './rdf.write.ts';

const open = { config: { access: { op: 'public' as const } } };

export function encodeCursor(c: CatalogCursor): string {
  return Buffer.from(`${c.createdAt}\n${c.id}`).toString('base64url');
}

export function decodeCursor(token: string, param: string): CatalogCursor {
  const [createdAt, id, extra] = Buffer.from(token, 'base64url').toString().split('\n');
  if (extra !== undefined || !id || !createdAt || Number.isNaN(Date.parse(createdAt))) {
    throw new CatalogProblem('BadRequest', 400, 'Invalid page', `${param}: not a page token of this catalogue`, [{ field: param, message: `${param}: not a page token of this catalogue` }]);
  }
  return { createdAt, id };
}

/** Splits "name.ttl" into name and format suffix. */
function suffixed(s: string): { name: string; suffix?: string } {
  const m = /^(.*)\.(ttl|rdf|jsonld)$/.exec(s);
  return m ? { name: m[1], suffix: m[2] } : { name: s };
}

function send(reply: FastifyReply, quads: Graph, f: RdfFormat): FastifyReply {
  reply.header('Vary', 'Accept');
  return reply.type(`${FORMATS[f]}; charset=utf-8`).send(serialise(quads.quads, f));
}

function format(req: FastifyRequest, suffix: string | undefined): RdfFormat {
  const f = negotiate(suffix, req.headers.accept);
  if (!f) throw new CatalogProblem('NotFound', 404, 'Not found', `No representation .${suffix}`);
  return f;
}

export async function rdfRoutes(app: FastifyInstance, s: CatalogService, opts: { publisherId?: string; pageSize?: number } = {}): Promise<void> {
  app.setErrorHandler(catalogProblem);
  const defaultSize = opts.pageSize ?? 100;
  const ctx = async (): Promise<GraphContext> => ({ service: s, organisations: new Map((await s.organisations()).map((o) => [o.id, o])) });

  const catalogue = async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply, suffix?: string) => {
    const f = format(req, suffix);
    const q = req.query;
    for (const k of Object.keys(q)) if (!['after', 'before', 'limit'].includes(k)) throw new CatalogProblem('BadRequest', 400, 'Invalid page', `${k}: unknown parameter (after, before, limit)`, [{ field: k, message: `${k}: unknown parameter` }]);
    const limit = q.limit === undefined ? defaultSize : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CatalogProblem('BadRequest', 400, 'Invalid page', 'limit: a whole number from 1 to 1000', [{ field: 'limit', message: 'limit: a whole number from 1 to 1000' }]);
    const after = q.after ? decodeCursor(q.after, 'after') : undefined;
    const before = q.before ? decodeCursor(q.before, 'before') : undefined;
    const page = await s.page({ after, before, limit });
    const c = await ctx();
    const g = new Graph();
    const orgs = await s.organisations();
    const cat = catalogTriples(g, c, opts.publisherId ?? (orgs.find((o) => o.kind === 'city administration') ?? orgs[0])?.id ?? 'stadt');
    for (const ds of page.datasets) {
      const node = datasetTriples(g, c, ds, await s.freshModified(ds));
      g.add(cat, 'http://www.w3.org/ns/dcat#dataset', node);
    }
    const base = `${s.catalogIri()}${suffix ? `.${suffix}` : ''}`;
    const lim = limit === defaultSize ? '' : `limit=${limit}`;
    const url = (extra: string) => { const qs = [extra, lim].filter(Boolean).join('&'); return qs ? `${base}?${qs}` : base; };
    const self = url(after ? `after=${q.after}` : before ? `before=${q.before}` : '');
    pagingTriples(g, cat, {
      self, first: url(''), total: page.total, perPage: limit,
      next: page.next ? url(`after=${encodeCursor(page.next)}`) : undefined,
      previous: page.previous ? url(`before=${encodeCursor(page.previous)}`) : undefined,
    });
    return send(reply, g, f);
  };

  app.get('/catalog', open, (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => catalogue(req, reply));
  for (const suffix of Object.keys(FORMATS)) {
    app.get(`/catalog.${suffix}`, open, (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => catalogue(req, reply, suffix));
  }

  app.get('/catalog/datasets/:id', open, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const { name, suffix } = suffixed(req.params.id);
    const f = format(req, suffix);
    const ds = await s.dataset(name, PUBLIC_VIEWER);
    const g = new Graph();
    datasetTriples(g, await ctx(), ds, await s.freshModified(ds));
    return send(reply, g, f);
  });
  // A distribution's IRI leads to the description of its dataset (which describes it).
  app.get('/catalog/datasets/:id/distributions/:dist', open, async (req: FastifyRequest<{ Params: { id: string; dist: string } }>, reply) => {
    const ds = await s.dataset(req.params.id, PUBLIC_VIEWER);
    const { name, suffix } = suffixed(req.params.dist);
    if (!ds.distributions.some((d) => d.id === name)) throw new CatalogProblem('NotFound', 404, 'Not found', `Distribution ${name} of dataset ${ds.id} does not exist`);
    return reply.redirect(`${s.datasetIri(ds.id)}${suffix ? `.${suffix}` : ''}`, 303);
  });
  app.get('/catalog/organisations/:id', open, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const { name, suffix } = suffixed(req.params.id);
    const f = format(req, suffix);
    const c = await ctx();
    if (!c.organisations.has(name)) throw new CatalogProblem('NotFound', 404, 'Not found', `Organisation ${name} does not exist`);
    const g = new Graph();
    organisationTriples(g, c, name);
    return send(reply, g, f);
  });
}
