// The KPI API under /api/strategy/kpis: published KPIs (with their latest value) are public reads;
// stewards and operators also read unpublished ones and create, replace, delete and evaluate KPIs.
// Errors are application/problem+json (the strategy API's error handler).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.ts';
import type { KpiService, KpiView } from './kpi.service.ts';

type Id = FastifyRequest<{ Params: { id: string }; Querystring: { all?: string } }>;

// Reads resolve the caller (op read, default tenant — open to everyone unless the policy closes it),
// so a steward's credential shows unpublished KPIs too; a public route would not look at credentials.
const read = { config: { access: { op: 'read' as const } } };
const write = { config: { access: { op: 'write' as const } } };

const out = (v: KpiView) => ({ ...v.kpi, entityId: v.entityId, ...(v.state ? { state: v.state } : {}) });

export function kpiRoutes(app: FastifyInstance, kpis: KpiService, authEnabled: boolean): void {
  const isSteward = (req: FastifyRequest) => !authEnabled || (req.principal?.roles ?? []).some((g) => g.role === 'steward' || g.role === 'operator');
  const mustBeSteward = (req: FastifyRequest) => {
    if (!isSteward(req)) throw new ProblemError('https://drehscheibe.dev/errors/Forbidden', 403, 'Forbidden', 'Changing KPIs needs the steward or operator role');
  };
  const notFound = (id: string) => new ProblemError('https://drehscheibe.dev/errors/NotFound', 404, 'Not found', `KPI ${id} does not exist`);

  app.get('/kpis', read, async (req: Id) => {
    const all = req.query.all === 'true' && isSteward(req);
    return (await kpis.views({ all })).map(out);
  });
  app.get('/kpis/:id', read, async (req: Id) => {
    const v = await kpis.view(req.params.id);
    // An unpublished KPI does not exist for the public.
    if (!v.kpi.published && !isSteward(req)) throw notFound(req.params.id);
    return out(v);
  });
  app.post('/kpis', write, async (req, reply) => {
    mustBeSteward(req);
    const k = await kpis.create(req.body);
    req.auditTarget = `kpi:${k.id}`;
    return reply.status(201).header('Location', `/api/strategy/kpis/${k.id}`).send(k);
  });
  app.put('/kpis/:id', write, async (req: Id) => {
    mustBeSteward(req);
    req.auditTarget = `kpi:${req.params.id}`;
    return kpis.replace(req.params.id, req.body);
  });
  app.delete('/kpis/:id', write, async (req: Id, reply) => {
    mustBeSteward(req);
    req.auditTarget = `kpi:${req.params.id}`;
    await kpis.delete(req.params.id);
    return reply.status(204).send();
  });
  /** Evaluates the KPI now (instead of waiting for the scheduler) and answers its new state. */
  app.post('/kpis/:id/evaluate', write, async (req: Id) => {
    mustBeSteward(req);
    req.auditTarget = `kpi:${req.params.id}`;
    return kpis.evaluateById(req.params.id);
  });
}
