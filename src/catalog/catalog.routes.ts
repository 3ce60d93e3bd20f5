// The catalogue JSON API under /api/catalog: public reads and search of published datasets and their
// downloads; stewards (steward or operator role in the dataset's tenant, the one access model in
// src/auth) create, replace, delete, publish and upload under /datasets and see drafts under /steward.
// Errors are application/problem+json with our own type URIs, naming the field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import type { Principal } from '../auth/index.ts';
import { ALL_VIEWER, CatalogProblem, PUBLIC_VIEWER, type CatalogService, type CatalogViewer, type Download } from './catalog.service.ts';

export interface CatalogRouteDeps {
  service: CatalogService;
  /** Whether access control is on (off: local development, everyone manages everything). */
  authEnabled: boolean;
}

/** The tenants a principal manages datasets of: steward or operator grants (unlimited grant = all tenants). */
export function viewerOf(p: Principal | undefined, authEnabled: boolean): CatalogViewer {
  if (!authEnabled) return ALL_VIEWER;
  if (!p) return PUBLIC_VIEWER;
  const grants = p.roles.filter((g) => g.role === 'steward' || g.role === 'operator');
  const scope = p.scope?.tenants;
  if (grants.some((g) => !g.tenants)) return { id: p.id, manages: scope ? [...scope] : 'all' };
  const tenants = [...new Set(grants.flatMap((g) => g.tenants ?? []))].filter((t) => !scope || scope.includes(t));
  return { id: p.id, manages: tenants };
}

const open = { config: { access: { op: 'public' as const } } };
// The auth hook asks for a credential with write access to the request's tenant (NGSILD-Tenant,
// default tenant when absent); the service then insists on the steward role in the dataset's tenant.
const write = { config: { access: { op: 'write' as const } } };

type Id = FastifyRequest<{ Params: { id: string } }>;
type Dist = FastifyRequest<{ Params: { id: string; dist: string }; Querystring: Record<string, string> }>;

export function catalogProblem(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  let p: ProblemError;
  if (err instanceof ProblemError) p = err;
  else {
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') p = new CatalogProblem('PayloadTooLarge', 413, 'File too large', `file: ${e.message}`, [{ field: 'file', message: 'file: larger than the limit' }]);
    else if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) p = new ProblemError('https://drehscheibe.dev/errors/BadRequest', e.statusCode, 'Bad request', e.message ?? 'Bad request');
    else {
      req.log.error({ err }, 'catalog request failed');
      p = new ProblemError('https://drehscheibe.dev/errors/InternalError', 500, 'Internal error', 'An internal error occurred; it has been logged');
    }
  }
  if (reply.sent || reply.raw.headersSent) { reply.raw.destroy(); return; }
  reply.status(p.status).type('application/problem+json').send(p.toJSON());
}

export function sendDownload(reply: FastifyReply, d: Download): FastifyReply {
  const ascii = d.fileName.replace(/[^A-Za-z0-9_.-]+/g, '_');
  reply.type(d.mediaType).header('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.fileName)}`);
  if (d.byteSize !== undefined) reply.header('Content-Length', String(d.byteSize));
  return reply.send(d.stream);
}

function period(q: Record<string, string>): { from?: Date; to?: Date } {
  const out: { from?: Date; to?: Date } = {};
  for (const k of ['from', 'to'] as const) {
    if (q[k] === undefined || q[k] === '') continue;
    const t = Date.parse(q[k]);
    if (Number.isNaN(t)) throw new CatalogProblem('BadRequest', 400, 'Invalid period', `${k}: an ISO 8601 date or date-time`, [{ field: k, message: `${k}: an ISO 8601 date or date-time` }]);
    out[k] = new Date(t);
  }
  return out;
}

export async function catalogRoutes(app: FastifyInstance, d: CatalogRouteDeps): Promise<void> {
  app.setErrorHandler(catalogProblem);
  app.setNotFoundHandler((req, reply) => catalogProblem(new CatalogProblem('NotFound', 404, 'Not found', `No catalogue operation at ${req.method} ${req.url.split('?')[0]}`), req, reply));
  const s = d.service;
  const viewer = (req: FastifyRequest) => viewerOf(req.principal, d.authEnabled);

  // ---- public reads ----
  app.get('/datasets', open, async (req) => {
    const q = s.parseSearch(req.query as Record<string, unknown>);
    if (q.includeDrafts) throw new CatalogProblem('BadRequest', 400, 'Invalid search', 'drafts: drafts are listed under /api/catalog/steward/datasets', [{ field: 'drafts', message: 'drafts: use /api/catalog/steward/datasets' }]);
    return s.search(q, PUBLIC_VIEWER);
  });
  app.get('/datasets/:id', open, async (req: Id) => s.dataset(req.params.id, PUBLIC_VIEWER));
  app.get('/datasets/:id/distributions/:dist/download', open, async (req: Dist, reply) =>
    sendDownload(reply, await s.download(req.params.id, req.params.dist, PUBLIC_VIEWER, period(req.query))));
  app.get('/licences', open, async () => s.licences());
  app.get('/themes', open, async () => s.themes());
  app.get('/vocabularies', open, async () => ({ licences: s.licences(), themes: s.themes(), frequencies: s.frequencies(), fileTypes: s.fileTypes(), limits: s.limits }));
  app.get('/organisations', open, async () => s.organisations());

  // ---- stewards: drafts included ----
  app.get('/steward/datasets', write, async (req) => s.search({ ...s.parseSearch(req.query as Record<string, unknown>), includeDrafts: true }, viewer(req)));
  app.get('/steward/datasets/:id', write, async (req: Id) => s.dataset(req.params.id, viewer(req)));
  app.get('/steward/datasets/:id/distributions/:dist/download', write, async (req: Dist, reply) =>
    sendDownload(reply, await s.download(req.params.id, req.params.dist, viewer(req), period(req.query))));
  /** Checks a dataset document without saving it: { problems: [...] }, empty when valid. */
  app.post('/check', write, async (req) => ({ problems: await s.check(req.body) }));

  app.post('/datasets', write, async (req, reply) => {
    const ds = await s.create(req.body, viewer(req));
    req.auditTarget = `dataset:${ds.id}`;
    return reply.status(201).header('Location', `/api/catalog/datasets/${ds.id}`).send(ds);
  });
  app.put('/datasets/:id', write, async (req: Id) => {
    req.auditTarget = `dataset:${req.params.id}`;
    return s.replace(req.params.id, req.body, viewer(req));
  });
  app.delete('/datasets/:id', write, async (req: Id, reply) => {
    req.auditTarget = `dataset:${req.params.id}`;
    await s.remove(req.params.id, viewer(req));
    return reply.status(204).send();
  });
  app.post('/datasets/:id/publish', write, async (req: Id) => {
    req.auditTarget = `dataset:${req.params.id}`;
    return s.publish(req.params.id, viewer(req));
  });
  app.post('/datasets/:id/unpublish', write, async (req: Id) => {
    req.auditTarget = `dataset:${req.params.id}`;
    return s.unpublish(req.params.id, viewer(req));
  });

  // Uploads: the request body is the file (Content-Type = its media type; ?name= its file name).
  await app.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: s.limits.maxUploadBytes }, (_req, body, done) => done(null, body));
    files.put('/datasets/:id/distributions/:dist/file', { ...write, bodyLimit: s.limits.maxUploadBytes }, async (req: Dist) => {
      req.auditTarget = `dataset:${req.params.id}/${req.params.dist}`;
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      return s.upload(req.params.id, req.params.dist, body, req.headers['content-type'], req.query.name, viewer(req));
    });
  });
}
