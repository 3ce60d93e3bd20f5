// The strategy JSON API under /api/strategy: public reads; creating, replacing and deleting projects
// needs the steward or operator role (through the one access model in src/auth). Errors are
// application/problem+json with our own type URIs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import type { StrategyService } from './strategy.service.ts';
import type { KpiService } from './kpi.service.ts';
import { kpiRoutes } from './kpi.routes.ts';
import { problemJson } from '../core/http.ts';

export interface StrategyRouteDeps {
  service: StrategyService;
  /** Whether access control is on (off: local development, every write allowed). */
  authEnabled: boolean;
  /** The KPI API (/kpis), when KPIs are set up. */
  kpis?: KpiService;
}

const open = { config: { access: { op: 'public' as const } } };
// The auth hook asks for a credential with write access to the request's tenant (NGSILD-Tenant,
// default tenant when absent); the route then insists on the steward or operator role.
const write = { config: { access: { op: 'write' as const } } };

type Slug = FastifyRequest<{ Params: { slug: string } }>;

const problem = problemJson;

export async function strategyRoutes(app: FastifyInstance, d: StrategyRouteDeps): Promise<void> {
  app.setErrorHandler(problem);
  app.setNotFoundHandler((req, reply) => problem(new ProblemError('https://drehscheibe.dev/errors/NotFound', 404, 'Not found', `No strategy operation at ${req.method} ${req.url.split('?')[0]}`), req, reply));
  const s = d.service;

  const mustBeSteward = (req: FastifyRequest) => {
    if (!d.authEnabled) return;
    const roles = req.principal?.roles ?? [];
    if (!roles.some((g) => g.role === 'steward' || g.role === 'operator')) {
      throw new ProblemError('https://drehscheibe.dev/errors/Forbidden', 403, 'Forbidden', 'Changing projects needs the steward or operator role');
    }
  };

  if (d.kpis) kpiRoutes(app, d.kpis, d.authEnabled);
  app.get('/fields', open, async () => s.fields());
  app.get('/fields/:id', open, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const [field, projects] = await Promise.all([s.field(req.params.id), s.projects({ fieldId: req.params.id })]);
    return { ...field, projects: projects.map((p) => p.slug) };
  });
  app.get('/organisations', open, async () => s.organisations());
  app.get('/events', open, async () => s.events());
  app.get('/projects', open, async () => s.projects());
  app.get('/projects/:slug', open, async (req: Slug) => s.project(req.params.slug));

  app.post('/projects', write, async (req, reply) => {
    mustBeSteward(req);
    const p = await s.createProject(req.body);
    req.auditTarget = `project:${p.slug}`;
    return reply.status(201).header('Location', `/api/strategy/projects/${p.slug}`).send(p);
  });
  app.put('/projects/:slug', write, async (req: Slug) => {
    mustBeSteward(req);
    req.auditTarget = `project:${req.params.slug}`;
    return s.replaceProject(req.params.slug, req.body);
  });
  app.delete('/projects/:slug', write, async (req: Slug, reply) => {
    mustBeSteward(req);
    req.auditTarget = `project:${req.params.slug}`;
    await s.deleteProject(req.params.slug);
    return reply.status(204).send();
  });
}
